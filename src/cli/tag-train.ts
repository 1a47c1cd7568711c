import { join } from "node:path";
import { type Command, Option } from "commander";
import { Random, TextkitError, type WordEncoder } from "../core/index.ts";
import { loadTaggedDataset, type TaggedDataset, taggedDatasetFromSentences } from "../data/index.ts";
import { entityReportToDict } from "../eval/index.ts";
import {
  type GazetteerEntry,
  type GazetteerSource,
  readGazetteerEntries,
  resolveTaggerOptions,
  type SequenceTagger,
  TAGGER_ENCODINGS,
  TAGGER_LEARNERS,
  type TaggerEvaluation,
  type TaggerOptions,
  trainTagger,
} from "../models/tagger/index.ts";
import { addHeldOutOptions, type HeldOutFlags, heldOutFilesGiven } from "./held-out-options.ts";
import { type CliIo, writeAll } from "./io.ts";
import { checkModelOutput } from "./output-paths.ts";
import { parseChoice, parseInteger, parseNumber, type SplitFractions } from "./parse-options.ts";
import { ProgressBar } from "./progress-bar.ts";
import { classifierHooks } from "./report-output.ts";
import { addTagEncoderOptions, type TagEncoderFlags, withTrainingEncoder } from "./tag-encoder.ts";
import {
  addTaggedDataOptions,
  describeTaggedDataset,
  formatTaggerEvaluation,
  type TaggedDataFlags,
  taggedReadOptionsOf,
  taggerMetrics,
} from "./tag-options.ts";

interface TagTrainFlags extends TaggedDataFlags, HeldOutFlags, TagEncoderFlags {
  out: string;
  epochs?: number;
  patience?: number;
  seed: number;
  minFeatureCount?: number;
  encoding?: TaggerOptions["encoding"];
  learner?: TaggerOptions["learner"];
  l2?: number;
  gazetteer: string[];
  vectors?: string;
  vectorClusters?: number;
  clusters?: string;
  unlabelled?: string;
  json?: boolean;
  quiet?: boolean;
}

export interface TaggedHeldOut {
  data: TaggedDataset;
  /** e.g. "data/dev.conll", or "data/all.conll, 10% held out by --split". */
  source: string;
}

export interface TaggerTrainingPlan {
  train: TaggedDataset;
  dev?: TaggedHeldOut;
  test?: TaggedHeldOut;
  options: Partial<TaggerOptions>;
  gazetteer: GazetteerEntry[];
  out: string;
  /** `--encoder`: the pretrained encoder whose word vectors the tagger also learns from, and its folder. */
  encoder?: { model: WordEncoder; path: string };
}

export interface TaggerTrainingOutcome {
  model: SequenceTagger;
  dev?: TaggerEvaluation;
  test?: TaggerEvaluation;
  runRecordPath: string | null;
}

/**
 * Trains a tagger with progress on `bar`, scores it on the held-out parts, records the
 * test metrics in its run record, and saves it to `plan.out` atomically.
 *
 * @example
 * const outcome = await trainTaggerAndSave({ train, options: {}, gazetteer: [], out: "models/ner" }, bar);
 */
export async function trainTaggerAndSave(
  plan: TaggerTrainingPlan,
  bar: ProgressBar,
): Promise<TaggerTrainingOutcome> {
  const epochs = resolveTaggerOptions(plan.options).epochs;
  const { dev, test } = plan;
  let model: SequenceTagger;
  try {
    model = await trainTagger(
      {
        train: plan.train,
        ...(dev === undefined ? {} : { dev: dev.data }),
        gazetteer: plan.gazetteer,
        ...(plan.encoder === undefined
          ? {}
          : { encoder: plan.encoder.model, encoderPath: plan.encoder.path }),
      },
      plan.options,
      classifierHooks(bar, epochs),
    );
  } finally {
    bar.finish();
  }
  const devEvaluation = dev === undefined ? undefined : await model.evaluateAsync(dev.data);
  const testEvaluation = test === undefined ? undefined : await model.evaluateAsync(test.data);
  if (model.runRecord !== null && test !== undefined && testEvaluation !== undefined) {
    // The trainer never sees the test set; the run record should still say how the model did on it.
    model.runRecord.final["test"] = {
      source: test.source,
      ...taggerMetrics(testEvaluation),
      report: testEvaluation.entities,
    };
  }
  await model.save(plan.out);
  return {
    model,
    ...(devEvaluation === undefined ? {} : { dev: devEvaluation }),
    ...(testEvaluation === undefined ? {} : { test: testEvaluation }),
    runRecordPath: model.runRecord === null ? null : join(plan.out, "run.json"),
  };
}

/** The evaluations of a tagger's training run as people read them. */
export function formatTaggerOutcome(
  plan: TaggerTrainingPlan,
  outcome: TaggerTrainingOutcome,
  digits = 4,
): string {
  let out = "";
  if (plan.dev !== undefined && outcome.dev !== undefined) {
    out += `${formatTaggerEvaluation("dev", plan.dev.source, outcome.dev, digits)}\n`;
  }
  if (plan.test !== undefined && outcome.test !== undefined) {
    out += `${formatTaggerEvaluation("test", plan.test.source, outcome.test, digits)}\n`;
  }
  const m = outcome.model;
  out += `model: ${plan.out} (${m.types.length} entity types, ${m.language}, ${m.table.rows} features)\n`;
  if (outcome.runRecordPath !== null) out += `run record: ${outcome.runRecordPath}\n`;
  return out;
}

/** "ORG=banks.txt" names the type of every line; a plain path is a TSV of type and phrase. */
export function parseGazetteerFlag(value: string): GazetteerSource {
  const eq = value.indexOf("=");
  if (eq > 0 && /^[^\s=/\\]+$/u.test(value.slice(0, eq)))
    return { type: value.slice(0, eq), path: value.slice(eq + 1) };
  return { path: value };
}

/** Sentences of `data` shuffled with `seed` and cut into train, dev and test parts. */
function splitSentences(data: TaggedDataset, split: SplitFractions, seed: number) {
  const order = data.sentences.map((_, i) => i);
  new Random(seed).shuffle(order);
  const n = order.length;
  const nDev = Math.round(n * split.dev);
  const nTest = Math.round(n * split.test);
  if (n - nDev - nTest < 1 || (split.dev > 0 && nDev === 0) || (split.test > 0 && nTest === 0)) {
    throw new TextkitError(
      "DATA_SPLIT_TOO_SMALL",
      `${data.source} has ${n} sentences: too few to hold out ${split.dev} for dev and ${split.test} for test`,
      { file: data.source },
    );
  }
  const part = (ids: number[], name: string) =>
    taggedDatasetFromSentences(
      name,
      data.format,
      data.scheme,
      data.language,
      ids.sort((a, b) => a - b).map((i) => data.sentences[i]!),
    );
  return {
    dev: part(order.slice(0, nDev), data.source),
    test: part(order.slice(nDev, nDev + nTest), data.source),
    train: part(order.slice(nDev + nTest), data.source),
  };
}

function percent(fraction: number): string {
  return `${Number((fraction * 100).toPrecision(3))}%`;
}

function optionsOf(flags: TagTrainFlags): Partial<TaggerOptions> {
  return {
    seed: flags.seed,
    ...(flags.epochs === undefined ? {} : { epochs: flags.epochs }),
    ...(flags.patience === undefined ? {} : { patience: flags.patience }),
    ...(flags.minFeatureCount === undefined ? {} : { minFeatureCount: flags.minFeatureCount }),
    ...(flags.encoding === undefined ? {} : { encoding: flags.encoding }),
    ...(flags.learner === undefined ? {} : { learner: flags.learner }),
    ...(flags.l2 === undefined ? {} : { l2: flags.l2 }),
    ...(flags.language === undefined ? {} : { language: flags.language }),
    ...(flags.vectors === undefined ? {} : { vectors: flags.vectors }),
    ...(flags.vectorClusters === undefined ? {} : { vectorClusters: flags.vectorClusters }),
    ...(flags.clusters === undefined ? {} : { clusters: flags.clusters }),
    ...(flags.unlabelled === undefined ? {} : { unlabelled: flags.unlabelled }),
    ...(flags.wordVector === undefined ? {} : { wordVector: flags.wordVector }),
  };
}

async function runTrain(flags: TagTrainFlags, splitGiven: boolean, io: CliIo): Promise<void> {
  const options = optionsOf(flags);
  // Refuse bad settings before reading any data: a typo should cost no time.
  resolveTaggerOptions(options);
  checkModelOutput(flags.out, "--out");
  const separate = heldOutFilesGiven(flags, splitGiven, "data");
  const gazetteer = await readGazetteerEntries(flags.gazetteer.map(parseGazetteerFlag));
  const bar = new ProgressBar(io.stderr, { quiet: flags.quiet });
  const readOptions = taggedReadOptionsOf(flags);
  const loaded = await loadTaggedDataset(flags.train, readOptions);
  let train: TaggedDataset;
  let dev: TaggedHeldOut | undefined;
  let test: TaggedHeldOut | undefined;
  if (separate) {
    train = loaded;
    // Held-out files are read in the training data's language unless told otherwise.
    const heldOptions = { ...readOptions, language: flags.language ?? loaded.language };
    if (flags.dev !== undefined)
      dev = { data: await loadTaggedDataset(flags.dev, heldOptions), source: flags.dev };
    if (flags.test !== undefined)
      test = { data: await loadTaggedDataset(flags.test, heldOptions), source: flags.test };
  } else {
    const parts = splitSentences(loaded, flags.split, flags.seed);
    train = parts.train;
    if (flags.split.dev > 0)
      dev = { data: parts.dev, source: `${flags.train}, ${percent(flags.split.dev)} held out by --split` };
    if (flags.split.test > 0)
      test = { data: parts.test, source: `${flags.train}, ${percent(flags.split.test)} held out by --split` };
  }
  bar.log(describeTaggedDataset("train", train));
  if (dev !== undefined) bar.log(describeTaggedDataset("dev", dev.data));
  if (test !== undefined) bar.log(describeTaggedDataset("test", test.data));
  if (gazetteer.length > 0) bar.log(`gazetteer: ${gazetteer.length} entries`);

  const plan: TaggerTrainingPlan = {
    train,
    ...(dev === undefined ? {} : { dev }),
    ...(test === undefined ? {} : { test }),
    options,
    gazetteer,
    out: flags.out,
  };
  const outcome = await withTrainingEncoder(flags, bar, (encoder) =>
    trainTaggerAndSave(encoder === undefined ? plan : { ...plan, encoder }, bar),
  );
  const { model, runRecordPath: runRecord } = outcome;
  const devEvaluation = outcome.dev;
  const testEvaluation = outcome.test;
  if (!flags.json) {
    await writeAll(io.stdout, formatTaggerOutcome(plan, outcome));
    return;
  }
  const report = (e: TaggerEvaluation | undefined) =>
    e === undefined ? undefined : { metrics: taggerMetrics(e), entities: entityReportToDict(e.entities) };
  const result = {
    model: flags.out,
    runRecord,
    types: model.types,
    language: model.language,
    options: model.options,
    features: model.table.rows,
    encoder:
      model.encoderRef === null ? null : { id: model.encoderRef.id, wordVector: model.encoderRef.wordVector },
    data: {
      train: { source: train.source, sentences: train.sentences.length },
      ...(dev === undefined ? {} : { dev: { source: dev.source, sentences: dev.data.sentences.length } }),
      ...(test === undefined ? {} : { test: { source: test.source, sentences: test.data.sentences.length } }),
    },
    training: {
      epochs: model.runRecord?.epochs.length ?? null,
      bestEpoch: model.runRecord?.bestEpoch ?? null,
      stoppedEarly: model.runRecord?.stoppedEarly ?? false,
      seconds: model.runRecord?.seconds ?? null,
    },
    ...(devEvaluation === undefined ? {} : { dev: report(devEvaluation) }),
    ...(testEvaluation === undefined ? {} : { test: report(testEvaluation) }),
  };
  await writeAll(io.stdout, `${JSON.stringify(result, null, 2)}\n`);
}

/**
 * `textkit tag train`.
 *
 * @example
 * registerTagTrain(program.command("tag"), io);
 */
export function registerTagTrain(tag: Command, io: CliIo): Command {
  const command = addHeldOutOptions(
    tag
      .command("train")
      .summary("train a named-entity tagger and print its reports")
      .description(
        "Train a sequence tagger (entities, slots) on CoNLL or JSONL-span data, save it as a model " +
          "directory, and print its entity-level report (strict matching) and token-level reports on " +
          "the dev and test data. Early stopping watches the dev entity F1.",
      ),
    {
      train: "tagged training data (.conll/.txt columns, or .jsonl spans)",
      dev: "development data: early stopping and the dev report",
      test: "test data for the final report",
      split: "without --dev and --test: fractions of the --train sentences held out",
    },
  ).requiredOption("--out <dir>", "model directory to write (replaced atomically once training succeeds)");
  addTaggedDataOptions(command);
  addLearnerOptions(command);
  command
    .addOption(
      new Option("--epochs <n>", "most passes over the data (default: 30)").argParser(
        parseInteger("--epochs", 1),
      ),
    )
    .addOption(
      new Option(
        "--patience <n>",
        "stop after n epochs without a better dev F1; 0 = never (default: 4)",
      ).argParser(parseInteger("--patience", 0)),
    )
    .addOption(new Option("--seed <n>", "random seed").argParser(parseInteger("--seed", 0)).default(1))
    .addOption(
      new Option("--min-feature-count <n>", "drop features seen fewer times (default: 1)").argParser(
        parseInteger("--min-feature-count", 1),
      ),
    )
    .addOption(
      new Option("--encoding <enc>", "tags the model learns: bioes (default) or bio").argParser(
        parseChoice("--encoding", TAGGER_ENCODINGS),
      ),
    )

    .option(
      "--gazetteer <TYPE=file|file>",
      "known names: TYPE=file with one phrase per line, or a file of TYPE<tab>phrase lines (repeatable)",
      (value: string, previous: string[]) => [...previous, value],
      [] as string[],
    )
    .option(
      "--vectors <file.vec>",
      "word vectors ('textkit vectors train') grouped into clusters used as features",
    )
    .addOption(
      new Option(
        "--vector-clusters <n>",
        "clusters made from --vectors or --unlabelled, with n/4 and n/16 beside them (default: 256)",
      ).argParser(parseInteger("--vector-clusters", 2)),
    )
    .option(
      "--clusters <file>",
      "word clusters: word<tab>cluster lines, or Brown clusters (bits<tab>word<tab>count)",
    )
    .option(
      "--unlabelled <file>",
      "unlabelled texts of the same kind, one a line: word vectors learned from them, clustered, as features",
    )
    .option("--json", "print one JSON object (options, metrics, reports) instead of text")
    .option("-q, --quiet", "no progress or epoch lines on stderr");
  addTagEncoderOptions(command, true);
  command.action(async (flags: TagTrainFlags, self: Command) => {
    await runTrain(flags, self.getOptionValueSource("split") === "cli", io);
  });
  return command;
}

/** --learner and the CRF's --l2. */
function addLearnerOptions(command: Command): void {
  command
    .addOption(
      new Option(
        "--learner <name>",
        "perceptron (averaged perceptron, default, fast) or crf (CRF: regularised log-likelihood by SGD; " +
          "with --encoding bio it does half the work)",
      ).argParser(parseChoice("--learner", TAGGER_LEARNERS)),
    )
    .addOption(
      new Option("--l2 <c2>", "the CRF's L2 coefficient c2 (default: 1)").argParser(parseNumber("--l2", 0)),
    );
}
