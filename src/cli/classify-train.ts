import { join } from "node:path";
import { type Command, Option } from "commander";
import { TextkitError } from "../core/errors.ts";
import { type Dataset, loadDataset, stratifiedSplit } from "../data/index.ts";
import { classificationReportToDict } from "../eval/index.ts";
import {
  type ClassifierEvaluation,
  type ClassifierOptions,
  resolveClassifierOptions,
  type TextClassifier,
  trainClassifier,
} from "../models/classifier/index.ts";
import { addClassifierOptions, type ClassifierFlags, classifierOptionsOf } from "./classifier-flags.ts";
import { addLabelledDataOptions, type DataFlags, readOptionsOf } from "./data-options.ts";
import { type CliIo, writeAll } from "./io.ts";
import { checkModelOutput } from "./output-paths.ts";
import { parseSplit, type SplitFractions } from "./parse-options.ts";
import { ProgressBar } from "./progress-bar.ts";
import { classifierHooks, describeDataset, evaluationMetrics, formatEvaluation } from "./report-output.ts";

interface TrainFlags extends DataFlags, ClassifierFlags {
  train: string;
  dev?: string;
  test?: string;
  split: SplitFractions;
  out: string;
  json?: boolean;
  quiet?: boolean;
}

/** A held-out part of the data, with where it came from for the printed heading. */
export interface HeldOut {
  data: Dataset;
  /** e.g. "data/dev.csv", or "data/all.csv, 10% held out by --split". */
  source: string;
}

export interface TrainingPlan {
  train: Dataset;
  dev?: HeldOut;
  test?: HeldOut;
  options: Partial<ClassifierOptions>;
  out: string;
}

export interface TrainingOutcome {
  model: TextClassifier;
  dev?: ClassifierEvaluation;
  test?: ClassifierEvaluation;
  /** Where the run record was written, inside the model directory. */
  runRecordPath: string | null;
}

/**
 * Trains a classifier with progress on `bar`, scores it on the held-out parts, records the
 * test metrics in its run record, and saves it to `plan.out` (atomically: a failure before
 * the end leaves nothing there).
 *
 * @example
 * const outcome = await trainAndSave({ train, dev: { data: dev, source: "dev.csv" }, options: {}, out: "models/m" }, bar);
 */
export async function trainAndSave(plan: TrainingPlan, bar: ProgressBar): Promise<TrainingOutcome> {
  const epochs = resolveClassifierOptions(plan.options).epochs;
  const dev = plan.dev !== undefined && plan.dev.data.examples.length > 0 ? plan.dev : undefined;
  const test = plan.test !== undefined && plan.test.data.examples.length > 0 ? plan.test : undefined;
  let model: TextClassifier;
  try {
    model = await trainClassifier(
      { train: plan.train, ...(dev === undefined ? {} : { dev: dev.data }) },
      plan.options,
      classifierHooks(bar, epochs),
    );
  } finally {
    bar.finish();
  }
  const devEvaluation = dev === undefined ? undefined : model.evaluate(dev.data);
  const testEvaluation = test === undefined ? undefined : model.evaluate(test.data);
  if (model.runRecord !== null && test !== undefined && testEvaluation !== undefined) {
    // The trainer never sees the test set; the run record should still say how the model did on it.
    model.runRecord.final["test"] = {
      source: test.source,
      ...evaluationMetrics(testEvaluation, topKOf(model, testEvaluation)),
      report: testEvaluation.report,
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

/** Top-5 accuracy, when it says something: single-label models with more than 5 labels. */
export function topKOf(
  model: TextClassifier,
  evaluation: ClassifierEvaluation,
): { k: number; accuracy: number } | undefined {
  return model.multiLabel || model.labels.length <= 5
    ? undefined
    : { k: 5, accuracy: evaluation.top5Accuracy };
}

/** The evaluations of a training run as people read them. */
export function formatOutcome(plan: TrainingPlan, outcome: TrainingOutcome, digits = 2): string {
  let out = "";
  const { model } = outcome;
  if (outcome.dev !== undefined && plan.dev !== undefined) {
    out += `${formatEvaluation("dev", plan.dev.source, outcome.dev, digits, topKOf(model, outcome.dev))}\n`;
  }
  if (outcome.test !== undefined && plan.test !== undefined) {
    out += `${formatEvaluation("test", plan.test.source, outcome.test, digits, topKOf(model, outcome.test))}\n`;
  }
  out += `model: ${plan.out} (${model.labels.length} labels, ${model.task})\n`;
  if (outcome.runRecordPath !== null) out += `run record: ${outcome.runRecordPath}\n`;
  return out;
}

async function loadHeldOut(path: string, flags: TrainFlags): Promise<HeldOut> {
  // One label is enough to score a model on; training needs two.
  const data = await loadDataset(path, { ...readOptionsOf(flags), minClasses: 1 });
  return { data, source: path };
}

function percent(fraction: number): string {
  return `${Number((fraction * 100).toPrecision(3))}%`;
}

async function runTrain(flags: TrainFlags, splitGiven: boolean, io: CliIo): Promise<void> {
  // Refuse bad settings before reading any data: a typo should cost no time.
  resolveClassifierOptions(classifierOptionsOf(flags, false));
  checkModelOutput(flags.out, "--out");
  const separate = flags.dev !== undefined || flags.test !== undefined;
  if (separate && splitGiven) {
    throw new TextkitError(
      "OPTION_INVALID",
      "--split holds dev and test data out of --train; it cannot be combined with --dev or --test files",
    );
  }
  const bar = new ProgressBar(io.stderr, { quiet: flags.quiet });
  const loaded = await loadDataset(flags.train, readOptionsOf(flags));
  let plan: TrainingPlan;
  const options = classifierOptionsOf(flags, loaded.multiLabel);
  if (separate) {
    plan = {
      train: loaded,
      ...(flags.dev === undefined ? {} : { dev: await loadHeldOut(flags.dev, flags) }),
      ...(flags.test === undefined ? {} : { test: await loadHeldOut(flags.test, flags) }),
      options,
      out: flags.out,
    };
  } else {
    const split = stratifiedSplit(loaded, { ...flags.split, seed: flags.seed });
    const heldOut = (data: Dataset, fraction: number): HeldOut => ({
      data,
      source: `${flags.train}, ${percent(fraction)} held out by --split`,
    });
    plan = {
      train: split.train,
      ...(flags.split.dev > 0 ? { dev: heldOut(split.dev, flags.split.dev) } : {}),
      ...(flags.split.test > 0 ? { test: heldOut(split.test, flags.split.test) } : {}),
      options,
      out: flags.out,
    };
  }
  bar.log(describeDataset("train", plan.train));
  if (plan.dev !== undefined) bar.log(describeDataset("dev", plan.dev.data));
  if (plan.test !== undefined) bar.log(describeDataset("test", plan.test.data));

  const outcome = await trainAndSave(plan, bar);
  if (!flags.json) {
    await writeAll(io.stdout, formatOutcome(plan, outcome));
    return;
  }
  const { model } = outcome;
  const part = (held: HeldOut | undefined) =>
    held === undefined ? {} : { source: held.source, examples: held.data.examples.length };
  const result = {
    model: flags.out,
    runRecord: outcome.runRecordPath,
    task: model.task,
    labels: model.labels,
    options: model.options,
    data: {
      train: { source: plan.train.source, examples: plan.train.examples.length },
      ...(plan.dev === undefined ? {} : { dev: part(plan.dev) }),
      ...(plan.test === undefined ? {} : { test: part(plan.test) }),
    },
    training: {
      epochs: model.runRecord?.epochs.length ?? null,
      bestEpoch: model.runRecord?.bestEpoch ?? null,
      stoppedEarly: model.runRecord?.stoppedEarly ?? false,
      seconds: model.runRecord?.seconds ?? null,
    },
    metrics: {
      ...(outcome.dev === undefined
        ? {}
        : { dev: evaluationMetrics(outcome.dev, topKOf(model, outcome.dev)) }),
      ...(outcome.test === undefined
        ? {}
        : { test: evaluationMetrics(outcome.test, topKOf(model, outcome.test)) }),
    },
    report: {
      ...(outcome.dev === undefined ? {} : { dev: classificationReportToDict(outcome.dev.report) }),
      ...(outcome.test === undefined ? {} : { test: classificationReportToDict(outcome.test.report) }),
    },
  };
  await writeAll(io.stdout, `${JSON.stringify(result, null, 2)}\n`);
}

/**
 * `textkit classify train`.
 *
 * @example
 * registerClassifyTrain(program.command("classify"), io);
 */
export function registerClassifyTrain(classify: Command, io: CliIo): Command {
  const command = classify
    .command("train")
    .summary("train a classifier and print its reports")
    .description(
      "Train a text classifier on labelled data, save it as a model directory, and print its " +
        "classification report on the dev and test data.",
    )
    .requiredOption("--train <file>", "labelled training data (.csv, .tsv, .jsonl, or fastText .txt)")
    .option(
      "--dev <file>",
      "development data: early stopping and the dev report (default: held out by --split)",
    )
    .option("--test <file>", "test data for the final report (default: held out by --split)")
    .addOption(
      new Option(
        "--split <dev,test>",
        "without --dev and --test: fractions of --train held out, per label, for dev and test",
      )
        .argParser(parseSplit)
        .default({ dev: 0.1, test: 0.1 }, "0.1,0.1"),
    )
    .requiredOption("--out <dir>", "model directory to write (replaced atomically once training succeeds)");
  addLabelledDataOptions(command);
  addClassifierOptions(command);
  command
    .option("--json", "print one JSON object (options, metrics, reports) instead of text")
    .option("-q, --quiet", "no progress or epoch lines on stderr")
    .action(async (flags: TrainFlags, self: Command) => {
      await runTrain(flags, self.getOptionValueSource("split") === "cli", io);
    });
  return command;
}
