/**
 * `textkit assist train | chat | eval | retrain`: the customer-service assistant from the
 * command line.
 */
import { basename, resolve } from "node:path";
import { createInterface } from "node:readline";
import { type Command, Option } from "commander";
import {
  type Assistant,
  type AssistantEncoderTraining,
  type AssistantOptions,
  applyKnowledgeEdits,
  type ConversationState,
  type Knowledge,
  type LabelledQuestion,
  loadAssistant,
  loadKnowledge,
  NEW_CONVERSATION,
  readQuestions,
  trainAssistant,
} from "../apps/assist/index.ts";
import { TextkitError } from "../core/index.ts";
import type { ClassifierOptions } from "../models/classifier/index.ts";
import { SEARCH_MODES, type SearchMode } from "../models/retrieval/index.ts";
import { loadTagger, type SequenceTagger } from "../models/tagger/index.ts";
import { defaultDatabaseLocation } from "../server/index.ts";
import { openDatabase } from "../store/index.ts";
import { detectLanguage, type TextLanguage } from "../text/index.ts";
import { addAssistEval, assistantRuntime } from "./assist-eval.ts";
import {
  addEncoderHeadOptions,
  addEncoderOption,
  type EncoderHeadFlags,
  headOptionsOf,
  openEncoder,
} from "./encoder-head.ts";
import { type CliIo, writeAll } from "./io.ts";
import { checkModelOutput } from "./output-paths.ts";
import { parseChoice, parseInteger, parseNumber } from "./parse-options.ts";
import { ProgressBar } from "./progress-bar.ts";

interface TrainFlags extends EncoderHeadFlags {
  knowledge: string;
  retrievalMode?: SearchMode;
  out: string;
  tagger: string[];
  validation?: string;
  seed: number;
  faqThreshold?: number;
  passageThreshold?: number;
  outOfScopeRecall?: number;
  epochs?: number;
  dim?: number;
  quiet?: boolean;
  json?: boolean;
}

const collect = (value: string, previous: string[]) => [...previous, value];

const RULES = {
  balanced: "best mean of in-scope accuracy and out-of-scope recall",
  recall: "lowest that reaches the out-of-scope recall asked for",
  precision: "90% of accepted intents right",
} as const;

async function taggersOf(specs: readonly string[]): Promise<Partial<Record<TextLanguage, SequenceTagger>>> {
  const out: Partial<Record<TextLanguage, SequenceTagger>> = {};
  for (const spec of specs) {
    const m = /^(en|zh)=(.+)$/.exec(spec);
    if (m === null) {
      throw new TextkitError(
        "OPTION_INVALID",
        `--tagger ${spec}: write it as en=<tagger dir> or zh=<tagger dir>`,
        {
          details: { option: "tagger" },
        },
      );
    }
    out[m[1] as TextLanguage] = await loadTagger(m[2]!);
  }
  return out;
}

function describeKnowledge(k: Knowledge): string {
  const examples = k.intents.reduce((a, i) => a + i.examples.length, 0);
  return (
    `knowledge: ${k.dir}: ${k.intents.length} intents (${examples} examples), ${k.outOfScope.length} out-of-scope examples, ` +
    `${k.faqs.length} FAQs, ${k.documents.length} documents`
  );
}

/** Refuses flag combinations that cannot work, before any data is read. */
function checkTrainFlags(flags: TrainFlags): void {
  if (flags.encoder === undefined) {
    const lone = flags.ensemble === true ? "--ensemble" : flags.bundle === true ? "--bundle" : null;
    if (lone !== null) throw new TextkitError("OPTION_INVALID", `${lone} goes with --encoder DIR`);
    return;
  }
  if (flags.dim !== undefined) {
    throw new TextkitError(
      "OPTION_INVALID",
      "--dim sets the n-gram intent model's vectors; with --encoder the encoder gives them (use --hidden for the head)",
      { details: { option: "dim" } },
    );
  }
  headOptionsOf(flags, headGiven(flags));
}

/** The shared options the command line gave the head: the seed always, the epochs when typed. */
function headGiven(flags: TrainFlags): ReadonlySet<keyof ClassifierOptions> {
  return new Set<keyof ClassifierOptions>(flags.epochs === undefined ? ["seed"] : ["seed", "epochs"]);
}

/** The encoder to train on (--encoder), opened with its threads and cache; null without one. */
async function encoderTraining(
  flags: TrainFlags,
): Promise<{ spec: AssistantEncoderTraining; close: () => Promise<void> } | null> {
  if (flags.encoder === undefined) return null;
  const head = headOptionsOf(flags, headGiven(flags));
  const encoder = await openEncoder(flags.encoder, flags);
  const ngram = assistantOptions(flags).classifier ?? {};
  return {
    spec: {
      encoder,
      path: resolve(flags.encoder),
      head,
      ensemble: flags.ensemble === true ? ngram : false,
      ...(flags.autotuneTrials === undefined ? {} : { autotuneTrials: flags.autotuneTrials }),
    },
    close: () => encoder.close(),
  };
}

function assistantOptions(flags: TrainFlags): Partial<AssistantOptions> {
  return {
    seed: flags.seed,
    ...(flags.retrievalMode === undefined ? {} : { retrievalMode: flags.retrievalMode }),
    ...(flags.faqThreshold === undefined ? {} : { faqThreshold: flags.faqThreshold }),
    ...(flags.passageThreshold === undefined ? {} : { passageThreshold: flags.passageThreshold }),
    ...(flags.outOfScopeRecall === undefined ? {} : { outOfScopeRecall: flags.outOfScopeRecall }),
    classifier: {
      ...(flags.epochs === undefined ? {} : { epochs: flags.epochs }),
      ...(flags.dim === undefined ? {} : { dim: flags.dim }),
    },
  };
}

async function trainAndReport(
  knowledge: Knowledge,
  flags: TrainFlags,
  io: CliIo,
  extra: { validation?: LabelledQuestion[]; corrections?: number; edits?: number },
): Promise<void> {
  const bar = new ProgressBar(io.stderr, { quiet: flags.quiet === true });
  bar.log(describeKnowledge(knowledge));
  const started = performance.now();
  const taggers = await taggersOf(flags.tagger);
  const dense = await encoderTraining(flags);
  let assistant: Assistant;
  try {
    assistant = await trainAssistant(
      {
        knowledge,
        taggers,
        ...(extra.validation === undefined ? {} : { validation: extra.validation }),
        ...(dense === null ? {} : { encoder: dense.spec }),
      },
      assistantOptions(flags),
      { onProgress: (p) => bar.update(p) },
    );
    await assistant.save(flags.out, { bundle: flags.bundle === true });
  } finally {
    bar.finish();
    await dense?.close();
  }
  const seconds = (performance.now() - started) / 1000;
  const v = assistant.validation;
  const encoder = assistant.encoder;
  if (flags.json === true) {
    await writeAll(
      io.stdout,
      `${JSON.stringify({ out: flags.out, seconds, intents: assistant.intentIds.length, validation: v, corrections: extra.corrections ?? 0, encoder })}\n`,
    );
    return;
  }
  const pct = (x: number | null) => (x === null ? "n/a" : `${(x * 100).toFixed(1)}%`);
  const lines = [
    `trained in ${seconds.toFixed(1)} s`,
    `calibration on ${v.examples} held-out questions (${v.outOfScope} out of scope): temperature ${v.temperature.toFixed(3)}`,
    `intent threshold ${v.threshold.threshold.toFixed(3)} (${RULES[v.threshold.rule]}): ` +
      `in-scope accuracy ${pct(v.threshold.inScopeAccuracy)}, out-of-scope recall ${pct(v.threshold.outOfScopeRecall)}`,
    `retrieval thresholds: FAQ ${assistant.options.faqThreshold}, passages ${assistant.options.passageThreshold}`,
    ...(encoder === null
      ? []
      : [
          `encoder: ${encoder.id}, ${encoder.dim} dimensions (${flags.bundle === true ? "bundled" : encoder.path}); intents by a head on it, FAQ and passages ${assistant.options.retrievalMode ?? "hybrid"}`,
        ]),
    ...(extra.edits === undefined ? [] : [`knowledge edits applied: ${extra.edits}`]),
    ...(extra.corrections === undefined ? [] : [`corrections folded in: ${extra.corrections}`]),
    `model: ${flags.out}`,
    `try it: textkit assist chat --model ${flags.out}`,
  ];
  await writeAll(io.stdout, `${lines.join("\n")}\n`);
}

interface ChatFlags {
  model: string;
  json?: boolean;
  why?: boolean;
  encoder?: string;
  encoderThreads?: number;
  encoderCache?: string;
}

async function runChat(flags: ChatFlags, io: CliIo): Promise<void> {
  const assistant = await loadAssistant(flags.model, assistantRuntime(flags));
  try {
    await chatLines(assistant, flags, io);
  } finally {
    await assistant.close();
  }
}

async function chatLines(assistant: Assistant, flags: ChatFlags, io: CliIo): Promise<void> {
  let state: ConversationState = NEW_CONVERSATION;
  const interactive = io.stdin.isTTY === true && flags.json !== true;
  if (interactive)
    io.stderr.write(`${assistant.settings.name}: type a message, Ctrl-D ends the conversation\n> `);
  const lines = createInterface({
    input: io.stdin as NodeJS.ReadableStream,
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  for await (const line of lines) {
    const message = line.trim();
    if (message === "") {
      if (interactive) io.stderr.write("> ");
      continue;
    }
    const reply = await assistant.respond(message, state, { conversation: "cli" });
    state = reply.state;
    if (flags.json === true) {
      const { state: _s, ...rest } = reply;
      if (!(await writeAll(io.stdout, `${JSON.stringify({ message, ...rest })}\n`))) return;
    } else {
      const why = flags.why === true ? `\n   [${reply.path}] ${reply.why}` : "";
      if (!(await writeAll(io.stdout, `${reply.text}${why}\n`))) return;
      if (reply.handover) state = NEW_CONVERSATION;
    }
    if (interactive) io.stderr.write("> ");
  }
}

interface RetrainFlags extends TrainFlags {
  model: string;
  name?: string;
  database?: string;
  dataDir?: string;
}

async function runRetrain(flags: RetrainFlags, io: CliIo): Promise<void> {
  checkModelOutput(flags.out, "--out");
  const knowledge = await loadKnowledge(flags.knowledge);
  // Checked first: retraining something that is not an assistant is a mistake.
  await loadAssistant(flags.model);
  const name = flags.name ?? basename(flags.model);
  const db = await openDatabase(
    flags.database ?? defaultDatabaseLocation(flags.dataDir ?? io.env["TEXTKIT_DATA_DIR"]),
  );
  let corrections = 0;
  let edits = 0;
  try {
    const { AssistStore } = await import("../apps/assist/index.ts");
    const store = await AssistStore.open(db);
    // The admin edits first (they may add the intent a correction names), then the corrections.
    edits = applyKnowledgeEdits(knowledge, await store.knowledgeEdits(name));
    const found = await store.corrections(name);
    const byId = new Map(knowledge.intents.map((i) => [i.id, i]));
    for (const c of found) {
      if (c.intent === "oos" || c.intent === "__oos__") {
        knowledge.outOfScope.push({ text: c.message, lang: detectLanguage(c.message) });
        corrections++;
      } else if (c.intent !== null && byId.has(c.intent)) {
        byId.get(c.intent)!.examples.push(c.message);
        corrections++;
      } else if (c.answer !== null) {
        // A right answer and no intent: no intent answers this message, the new FAQ does.
        knowledge.outOfScope.push({ text: c.message, lang: detectLanguage(c.message) });
        knowledge.faqs.push({
          id: `correction-${c.id.slice(0, 8)}`,
          lang: null,
          question: c.message,
          alternatives: [],
          answer: c.answer,
          file: `feedback ${c.id}`,
          line: 0,
        });
        corrections++;
      }
    }
  } finally {
    await db.close();
  }
  await trainAndReport(knowledge, flags, io, { corrections, edits });
}

function addTrainOptions(command: Command): Command {
  return addEncoderHeadOptions(command, "--epochs and --seed then set the head's (defaults 30, 1)")
    .requiredOption(
      "--knowledge <dir>",
      "knowledge folder: assistant.yaml, intents*.yaml, faq.yaml or faq.csv, docs/",
    )
    .requiredOption(
      "--out <dir>",
      "assistant directory to write (replaced atomically once training succeeds)",
    )
    .option(
      "--tagger <lang=dir>",
      "entity tagger for slots, per language (repeatable): en=models/ner-en",
      collect,
      [] as string[],
    )
    .addOption(
      new Option("--seed <n>", "seed of the random numbers").argParser(parseInteger("--seed", 0)).default(1),
    )
    .addOption(
      new Option("--faq-threshold <x>", "least score (0..1) for an FAQ answer (default: 0.4)").argParser(
        parseNumber("--faq-threshold", 0, false, 1),
      ),
    )
    .addOption(
      new Option(
        "--passage-threshold <x>",
        "least score (0..1) for a passage answer (default: 0.5)",
      ).argParser(parseNumber("--passage-threshold", 0, false, 1)),
    )
    .addOption(
      new Option(
        "--out-of-scope-recall <x>",
        "choose the intent threshold as the lowest that reaches this out-of-scope recall on held-out questions (default: the best mean of in-scope accuracy and out-of-scope recall)",
      ).argParser(parseNumber("--out-of-scope-recall", 0, false, 1)),
    )
    .addOption(
      new Option(
        "--epochs <n>",
        "intent classifier: epochs (default: 15 from 3,000 examples up, more for fewer, at most 100)",
      ).argParser(parseInteger("--epochs", 1)),
    )
    .addOption(
      new Option("--dim <n>", "intent classifier: dimensions (default: 50)").argParser(
        parseInteger("--dim", 1),
      ),
    )
    .addOption(
      new Option(
        "--retrieval-mode <mode>",
        "how the FAQ and passages are searched: bm25, vector or hybrid (default: hybrid with --encoder, else bm25)",
      ).argParser(parseChoice("--retrieval-mode", SEARCH_MODES)),
    )
    .option("-q, --quiet", "no progress line")
    .option("--json", "print one JSON object instead of text");
}

const DESCRIPTION =
  "A customer-service assistant learnt from a knowledge folder: intents (example questions and answer " +
  "templates with slots such as {amount}), FAQ pairs and help documents. It answers from an intent when its " +
  "calibrated confidence reaches a threshold chosen on held-out questions, else from the FAQ or the documents, " +
  "else says so and hands over to a person. Serve it with 'textkit serve' (POST /v1/models/<name>/chat).\n\n" +
  "intents.yaml:  intents: [{id, examples: [...], answer: 'Sent {amount}.', slots: {amount: {entity: MONEY, prompt: 'How much?'}}, handover: false}]\n" +
  "               an intent that acts: confirm: 'Send {amount}? (yes/no)', action: {url, secret, timeoutMs, retries, fields}\n" +
  "               out_of_scope: [questions that are none of the intents]\n" +
  "faq.yaml:      faqs: [{id, question, alternatives: [...], answer}]   (or faq.csv: id,question,answer)\n" +
  "docs/:         .md, .html, .txt help articles";

function addTrainCommand(assist: Command, io: CliIo): void {
  addTrainOptions(assist.command("train").summary("train an assistant on a knowledge folder"))
    .description(
      "Train an assistant: intent classifier, calibration and threshold on held-out questions, FAQ and passage indexes. " +
        "With --encoder DIR the intent model is a head on a pretrained encoder's sentence embeddings (the head's " +
        "options as in 'classify train --encoder') and the FAQ and passages are searched by its vectors (hybrid with " +
        "BM25 unless --retrieval-mode says otherwise); the assistant names the encoder by checksum.",
    )
    .option(
      "--validation <file>",
      "held-out questions to calibrate on: CSV/TSV/JSONL with text and intent (oos: out of scope)",
    )
    .addHelpText(
      "after",
      "\nExamples:\n  textkit assist train --knowledge samples/assist --tagger en=models/ner-en --out models/assistant\n" +
        "  textkit assist train --knowledge samples/assist --encoder encoders/minilm --hidden 0 --out models/assistant-dense\n",
    )
    .action(async (flags: TrainFlags) => {
      checkTrainFlags(flags);
      checkModelOutput(flags.out, "--out");
      const knowledge = await loadKnowledge(flags.knowledge);
      const validation = flags.validation === undefined ? undefined : await readQuestions(flags.validation);
      await trainAndReport(knowledge, flags, io, validation === undefined ? {} : { validation });
    });
}

function addChatCommand(assist: Command, io: CliIo): void {
  addEncoderOption(
    assist
      .command("chat")
      .summary("talk to an assistant in the terminal (or answer lines of stdin)")
      .description(
        "Talk to a trained assistant: each line typed (or read from standard input) is a message, and " +
          "the reply goes to standard output. One conversation runs until the input ends, so slots given " +
          "earlier are kept; after a handover a new one starts. --why adds the path taken (intent, faq, " +
          "passage or handover) and the scores behind it; --json writes one JSON object per reply.",
      )
      .requiredOption("--model <dir>", "assistant directory written by 'textkit assist train'")
      .option("--why", "show the path and the reason of every reply")
      .option("--json", "one JSON line per reply, with path, scores and reason")
      .addHelpText(
        "after",
        "\nExample:\n  echo 'what is my routing number' | textkit assist chat --model models/assistant --why\n",
      ),
  ).action(async (flags: ChatFlags) => runChat(flags, io));
}

function addRetrainCommand(assist: Command, io: CliIo): void {
  addTrainOptions(assist.command("retrain").summary("train again with the corrections people gave"))
    .description(
      "Train again on the knowledge folder, the intents and FAQs given through PUT /v1/models/<name>/knowledge/..., " +
        "and the corrections given through POST /v1/models/<name>/feedback: a " +
        "message with its right intent becomes an example of that intent (oos: out of scope), a message with its " +
        "right answer a new FAQ. Messages are folded in as stored, with personal data masked.",
    )
    .requiredOption("--model <dir>", "the assistant as served")
    .option("--name <name>", "the name it is served under (default: the directory's name)")
    .option("--database <location>", "a SQLite file or postgres://... URL (default: <data-dir>/textkit.db)")
    .option(
      "--data-dir <dir>",
      "directory of the default database (default: $TEXTKIT_DATA_DIR or ~/.textkit)",
    )
    .action(async (flags: RetrainFlags) => {
      checkTrainFlags(flags);
      await runRetrain(flags, io);
    });
}

/**
 * `textkit assist ...`.
 *
 * @example
 * registerAssist(program, io);
 */
export function registerAssist(program: Command, io: CliIo): void {
  const assist = program
    .command("assist")
    .summary("the customer-service assistant: train, chat, evaluate, retrain with corrections")
    .description(DESCRIPTION);
  addTrainCommand(assist, io);
  addChatCommand(assist, io);
  addAssistEval(assist, io);
  addRetrainCommand(assist, io);
}
