import { type Command, Option } from "commander";
import { loadTaggedDataset, type TaggedDataset } from "../data/index.ts";
import { entityReport, entityReportToDict, formatEntityReport } from "../eval/index.ts";
import type { TaggerEvaluation } from "../models/tagger/index.ts";
import { type CliIo, writeAll } from "./io.ts";
import { parseInteger } from "./parse-options.ts";
import { addTagEncoderOptions, openTagger, type TagEncoderFlags } from "./tag-encoder.ts";
import {
  addTaggedDataOptions,
  describeTaggedDataset,
  formatTaggerEvaluation,
  type TaggedDataFlags,
  taggedReadOptionsOf,
  taggerMetrics,
} from "./tag-options.ts";

interface TagEvalFlags extends TaggedDataFlags, TagEncoderFlags {
  model: string;
  data: string;
  digits: number;
  conlleval?: boolean;
  json?: boolean;
}

async function runEval(flags: TagEvalFlags, io: CliIo): Promise<void> {
  const { model, close } = await openTagger(flags.model, flags);
  let evaluation: TaggerEvaluation;
  let data: TaggedDataset;
  try {
    data = await loadTaggedDataset(flags.data, {
      ...taggedReadOptionsOf(flags),
      language: flags.language ?? model.language,
    });
    evaluation = await model.evaluateAsync(data);
  } finally {
    await close();
  }
  const truth = data.sentences.map((s) => s.tags);
  // conlleval's lenient chunking, for comparison with published CoNLL numbers; the tagger
  // never emits a broken sequence, so the two differ only on odd gold data.
  const conll = flags.conlleval
    ? entityReport(truth, evaluation.predictions, { scheme: "bio", mode: "conlleval" })
    : undefined;
  if (flags.json) {
    const result = {
      model: flags.model,
      data: flags.data,
      metrics: taggerMetrics(evaluation),
      entities: entityReportToDict(evaluation.entities),
      ...(conll === undefined ? {} : { conlleval: entityReportToDict(conll) }),
    };
    await writeAll(io.stdout, `${JSON.stringify(result, null, 2)}\n`);
    return;
  }
  let out = `${describeTaggedDataset("data", data)}\n\n`;
  out += formatTaggerEvaluation("eval", flags.data, evaluation, flags.digits);
  if (conll !== undefined) out += `\n${formatEntityReport(conll, flags.digits)}`;
  await writeAll(io.stdout, out);
}

/**
 * `textkit tag eval`.
 *
 * @example
 * registerTagEval(program.command("tag"), io);
 */
export function registerTagEval(tag: Command, io: CliIo): Command {
  const command = tag
    .command("eval")
    .summary("score a tagger on tagged data")
    .description(
      "Score a trained tagger on tagged data: entity-level precision, recall and F1 per type with " +
        "micro, macro and weighted averages (strict matching, the numbers of seqeval's strict mode), " +
        "then the token-level reports with and without O.",
    )
    .requiredOption("--model <dir>", "model directory written by 'textkit tag train'")
    .requiredOption("--data <file>", "tagged data (.conll/.txt columns, or .jsonl spans)");
  addTaggedDataOptions(command);
  command
    .addOption(
      new Option("--digits <n>", "digits after the point").argParser(parseInteger("--digits", 0)).default(4),
    )
    .option("--conlleval", "also print the entity report with conlleval's lenient chunking")
    .option("--json", "print one JSON object instead of text");
  addTagEncoderOptions(command, false);
  command.action(async (flags: TagEvalFlags) => {
    await runEval(flags, io);
  });
  return command;
}
