import { join } from "node:path";
import type { Command } from "commander";
import { TextkitError } from "../core/index.ts";
import { type Dataset, loadDataset, stratifiedSplit } from "../data/index.ts";
import { classificationReportToDict } from "../eval/index.ts";
import {
  type ClassifierEvaluation,
  type ClassifierOptions,
  confusionPart,
  type DataDefaults,
  dataDefaults,
  resolveClassifierOptions,
  type TextClassifier,
  trainClassifier,
} from "../models/classifier/index.ts";
import {
  addClassifierOptions,
  type ClassifierFlags,
  classifierOptionsOf,
  givenClassifierOptions,
} from "./classifier-flags.ts";
import { addLabelledDataOptions, type DataFlags, readOptionsOf, skippedNote } from "./data-options.ts";
import {
  addEncoderHeadOptions,
  type EncoderHeadFlags,
  headOptionsOf,
  trainHeadAndSave,
} from "./encoder-head.ts";
import { addHeldOutOptions, type HeldOutFlags, heldOutFilesGiven } from "./held-out-options.ts";
import { type CliIo, writeAll } from "./io.ts";
import { checkModelOutput } from "./output-paths.ts";
import { ProgressBar } from "./progress-bar.ts";
import {
  classifierHooks,
  describeDataset,
  evaluationMetrics,
  formatEvaluation,
  fractionPercent,
} from "./report-output.ts";

interface TrainFlags extends DataFlags, ClassifierFlags, HeldOutFlags, EncoderHeadFlags {
  out: string;
  json?: boolean;
  quiet?: boolean;
  refit: boolean;
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
  /**
   * Every row, when `train`, `dev` and `test` were split from one file: the epoch count is
   * chosen on `dev`, then the saved model is trained again on all of these rows with it, so
   * that no labelled row is lost to the reports.
   */
  refitOn?: Dataset;
  /** Lines about the data and the options chosen for it, printed with the reports. */
  notes?: string[];
  /** Options fitted to the data (see dataDefaults), recorded in the run record. */
  fitted?: DataDefaults;
}

/** What was done when the saved model was trained again on every row. */
export interface Refit {
  /** Epochs the model trained on the split reached its best dev score at (all of them without dev data). */
  epochs: number;
  /** Where the epochs were chosen, e.g. "data/all.csv, 10% held out by --split"; "" without dev data. */
  chosenOn: string;
  /** Rows the saved model was trained on. */
  rows: number;
  /** Rows the model behind the dev and test reports was trained on. */
  splitRows: number;
}

export interface TrainingOutcome {
  /** The saved model. */
  model: TextClassifier;
  /** Of the model trained on `plan.train`; with `refit`, not the saved one. */
  dev?: ClassifierEvaluation;
  test?: ClassifierEvaluation;
  refit?: Refit;
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
  let saved = model;
  let refit: Refit | undefined;
  if (plan.refitOn !== undefined) {
    refit = {
      epochs: dev === undefined ? epochs : chosenEpochs(model, epochs),
      chosenOn: dev === undefined ? "" : dev.source,
      rows: plan.refitOn.examples.length,
      splitRows: plan.train.examples.length,
    };
    bar.log(formatRefit(refit));
    try {
      saved = await trainClassifier(
        { train: plan.refitOn },
        { ...plan.options, epochs: refit.epochs },
        classifierHooks(bar, refit.epochs),
      );
    } finally {
      bar.finish();
    }
  }
  const record = saved.runRecord;
  if (record !== null && test !== undefined && testEvaluation !== undefined) {
    // The trainer never sees the test set; the run record should still say how the model did on it.
    record.final["test"] = {
      source: test.source,
      ...(refit === undefined ? {} : { of: `the model trained on ${refit.splitRows} rows without it` }),
      ...evaluationMetrics(testEvaluation, topKOf(model, testEvaluation)),
      report: testEvaluation.report,
      ...confusionPart(test.data, testEvaluation.predictions, model.labels),
    };
  }
  if (record !== null && plan.fitted !== undefined) {
    record.final["dataDefaults"] = {
      options: plan.fitted.options,
      reasons: plan.fitted.reasons,
      profile: plan.fitted.profile,
    };
  }
  if (record !== null && refit !== undefined) {
    record.final["refit"] = { ...refit, note: formatRefit(refit) };
    if (devEvaluation !== undefined) {
      record.final["dev"] = {
        source: dev?.source,
        of: `the model trained on ${refit.splitRows} rows without it`,
        ...evaluationMetrics(devEvaluation, topKOf(model, devEvaluation)),
      };
    }
  }
  await saved.save(plan.out);
  return {
    model: saved,
    ...(devEvaluation === undefined ? {} : { dev: devEvaluation }),
    ...(testEvaluation === undefined ? {} : { test: testEvaluation }),
    ...(refit === undefined ? {} : { refit }),
    runRecordPath: record === null ? null : join(plan.out, "run.json"),
  };
}

/**
 * The epoch count to train again with: the last epoch with the best dev score. On a small
 * dev set the score often reaches its top in an early epoch and stays there; the last of
 * those ties has the lower training loss, and an early one would undertrain the refit.
 */
function chosenEpochs(model: TextClassifier, planned: number): number {
  const epochs = model.runRecord?.epochs ?? [];
  let best = Number.NEGATIVE_INFINITY;
  let chosen = planned;
  for (const summary of epochs) {
    const dev = summary.dev;
    const score = dev === undefined ? undefined : model.multiLabel ? dev["microF1"] : dev["accuracy"];
    if (score !== undefined && score >= best) {
      best = score;
      chosen = summary.epoch;
    }
  }
  return chosen;
}

/**
 * What a refit did, in one line: `epochs chosen on the dev data (all.csv, 10% held out by
 * --split): 7; final model trained on all 15000 rows (...)`.
 */
export function formatRefit(refit: Refit): string {
  const chosen =
    refit.chosenOn === ""
      ? `no dev data to choose the epochs on: ${refit.epochs} as asked`
      : `epochs chosen on the dev data (${refit.chosenOn}): ${refit.epochs}`;
  return (
    `${chosen}; final model trained on all ${refit.rows} rows ` +
    `(the dev/test reports are of a model trained on the ${refit.splitRows} rows left once they were held out)`
  );
}

/** Top-5 accuracy, when it says something: single-label models with more than 5 labels. */
export function topKOf(
  model: { multiLabel: boolean; labels: readonly string[] },
  evaluation: ClassifierEvaluation,
): { k: number; accuracy: number } | undefined {
  return model.multiLabel || model.labels.length <= 5
    ? undefined
    : { k: 5, accuracy: evaluation.top5Accuracy };
}

/** The evaluations of a training run as people read them. */
export function formatOutcome(
  plan: TrainingPlan,
  outcome: Omit<TrainingOutcome, "model"> & { model: Pick<TextClassifier, "labels" | "task" | "multiLabel"> },
  digits = 2,
): string {
  let out = "";
  const { model } = outcome;
  if (outcome.dev !== undefined && plan.dev !== undefined) {
    out += `${formatEvaluation("dev", plan.dev.source, outcome.dev, digits, topKOf(model, outcome.dev))}\n`;
  }
  if (outcome.test !== undefined && plan.test !== undefined) {
    out += `${formatEvaluation("test", plan.test.source, outcome.test, digits, topKOf(model, outcome.test))}\n`;
  }
  for (const note of plan.notes ?? []) out += `${note}\n`;
  if (outcome.refit !== undefined) out += `${formatRefit(outcome.refit)}\n`;
  out += `model: ${plan.out} (${model.labels.length} labels, ${model.task})\n`;
  if (outcome.runRecordPath !== null) out += `run record: ${outcome.runRecordPath}\n`;
  return out;
}

async function loadHeldOut(path: string, flags: TrainFlags, notes?: string[]): Promise<HeldOut> {
  // One label is enough to score a model on; training needs two.
  const skipped: number[] = [];
  const data = await loadDataset(path, { ...readOptionsOf(flags, skipped), minClasses: 1 });
  if (skipped.length > 0) notes?.push(`${path}${skippedNote(skipped)}`);
  return { data, source: path };
}

/** The --json output of `classify train`: model, options, data, training, metrics and reports. */
function trainJson(
  flags: TrainFlags,
  plan: TrainingPlan,
  outcome: TrainingOutcome,
  skipped: number[],
): object {
  const notes = plan.notes ?? [];
  const { model } = outcome;
  const part = (held: HeldOut | undefined) =>
    held === undefined ? {} : { source: held.source, examples: held.data.examples.length };
  const result = {
    model: flags.out,
    runRecord: outcome.runRecordPath,
    task: model.task,
    labels: model.labels,
    options: model.options,
    ...(notes.length === 0 ? {} : { notes }),
    data: {
      train: {
        source: plan.train.source,
        examples: plan.train.examples.length,
        ...(flags.skipEmpty === true ? { skippedEmptyLines: skipped } : {}),
      },
      ...(plan.dev === undefined ? {} : { dev: part(plan.dev) }),
      ...(plan.test === undefined ? {} : { test: part(plan.test) }),
    },
    ...(outcome.refit === undefined ? {} : { refit: outcome.refit }),
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
  return result;
}

async function runTrain(
  flags: TrainFlags,
  splitGiven: boolean,
  given: ReadonlySet<keyof ClassifierOptions>,
  io: CliIo,
): Promise<void> {
  // Refuse bad settings before reading any data: a typo should cost no time.
  resolveClassifierOptions(classifierOptionsOf(flags, false));
  if (flags.encoder !== undefined) headOptionsOf(flags, given);
  else if (flags.ensemble === true || flags.bundle === true) {
    throw new TextkitError(
      "OPTION_INVALID",
      `${flags.ensemble === true ? "--ensemble" : "--bundle"} goes with --encoder DIR`,
    );
  }
  checkModelOutput(flags.out, "--out");
  const separate = heldOutFilesGiven(flags, splitGiven, "data");
  const bar = new ProgressBar(io.stderr, { quiet: flags.quiet });
  const skipped: number[] = [];
  const loaded = await loadDataset(flags.train, readOptionsOf(flags, skipped));
  const notes: string[] = [];
  if (skipped.length > 0) notes.push(`${flags.train}${skippedNote(skipped)}`);
  let plan: TrainingPlan;
  const asked = classifierOptionsOf(flags, loaded.multiLabel);
  const fitted = dataDefaults(loaded, given, asked);
  const options = { ...asked, ...fitted.options };
  for (const reason of fitted.reasons) notes.push(`defaults for this data: ${reason}`);
  if (separate) {
    plan = {
      train: loaded,
      ...(flags.dev === undefined ? {} : { dev: await loadHeldOut(flags.dev, flags, notes) }),
      ...(flags.test === undefined ? {} : { test: await loadHeldOut(flags.test, flags, notes) }),
      options,
      out: flags.out,
      notes,
      fitted,
    };
  } else {
    const split = stratifiedSplit(loaded, { ...flags.split, seed: flags.seed });
    const heldOut = (data: Dataset, fraction: number): HeldOut => ({
      data,
      source: `${flags.train}, ${fractionPercent(fraction)} held out by --split`,
    });
    plan = {
      train: split.train,
      ...(flags.split.dev > 0 ? { dev: heldOut(split.dev, flags.split.dev) } : {}),
      ...(flags.split.test > 0 ? { test: heldOut(split.test, flags.split.test) } : {}),
      options,
      out: flags.out,
      ...(flags.refit ? { refitOn: loaded } : {}),
      notes,
      fitted,
    };
  }
  bar.log(describeDataset("train", plan.train));
  if (plan.dev !== undefined) bar.log(describeDataset("dev", plan.dev.data));
  if (plan.test !== undefined) bar.log(describeDataset("test", plan.test.data));
  if (flags.encoder !== undefined) {
    await trainHeadPlan(plan, flags, given, bar, io);
    return;
  }

  const outcome = await trainAndSave(plan, bar);
  if (!flags.json) {
    await writeAll(io.stdout, formatOutcome(plan, outcome));
    return;
  }
  const result = trainJson(flags, plan, outcome, skipped);
  await writeAll(io.stdout, `${JSON.stringify(result, null, 2)}\n`);
}

/**
 * `textkit classify train`.
 *
 * @example
 * registerClassifyTrain(program.command("classify"), io);
 */
export function registerClassifyTrain(classify: Command, io: CliIo): Command {
  const command = addHeldOutOptions(
    classify
      .command("train")
      .summary("train a classifier and print its reports")
      .description(
        "Train a text classifier on labelled data, save it as a model directory, and print its " +
          "classification report on the dev and test data.",
      ),
    {
      train: "labelled training data (.csv, .tsv, .jsonl, or fastText .txt)",
      dev: "development data: early stopping and the dev report",
      test: "test data for the final report",
      split: "without --dev and --test: fractions of --train held out, per label, for dev and test",
    },
  )
    .requiredOption("--out <dir>", "model directory to write (replaced atomically once training succeeds)")
    .option(
      "--no-refit",
      "with --split: save the model trained without the held-out rows (default: choose the epochs on them, then train again on every row)",
    );
  addLabelledDataOptions(command);
  addClassifierOptions(command);
  addEncoderHeadOptions(command);
  command
    .option("--json", "print one JSON object (options, metrics, reports) instead of text")
    .option("-q, --quiet", "no progress or epoch lines on stderr")
    .action(async (flags: TrainFlags, self: Command) => {
      await runTrain(flags, self.getOptionValueSource("split") === "cli", givenClassifierOptions(self), io);
    });
  return command;
}

/**
 * `classify train --encoder DIR`: a head on the encoder's embeddings, scored on the dev and
 * test data and saved like any classifier. With --split the saved head is the one trained
 * without the held-out rows (no refit: the head's early stopping already used dev).
 */
async function trainHeadPlan(
  plan: TrainingPlan,
  flags: TrainFlags,
  given: ReadonlySet<keyof ClassifierOptions>,
  bar: ProgressBar,
  io: CliIo,
): Promise<void> {
  const head = headOptionsOf(flags, given);
  const dev = plan.dev !== undefined && plan.dev.data.examples.length > 0 ? plan.dev : undefined;
  const test = plan.test !== undefined && plan.test.data.examples.length > 0 ? plan.test : undefined;
  const { model, close } = await trainHeadAndSave(
    { train: plan.train, ...(dev === undefined ? {} : { dev: dev.data }) },
    flags,
    head,
    plan.options,
    plan.out,
    bar,
  );
  let devEvaluation: ClassifierEvaluation | undefined;
  let testEvaluation: ClassifierEvaluation | undefined;
  try {
    devEvaluation = dev === undefined ? undefined : await model.evaluate(dev.data);
    testEvaluation = test === undefined ? undefined : await model.evaluate(test.data);
  } finally {
    await close();
  }
  const runRecordPath = model.runRecord === null ? null : join(plan.out, "run.json");
  const outcome = {
    model,
    ...(devEvaluation === undefined ? {} : { dev: devEvaluation }),
    ...(testEvaluation === undefined ? {} : { test: testEvaluation }),
    runRecordPath,
  };
  if (!flags.json) {
    await writeAll(
      io.stdout,
      formatOutcome(
        {
          ...plan,
          notes: [
            ...(plan.notes ?? []),
            `encoder: ${model.encoderRef.id}${model.ngram === null ? "" : `, mixed with the n-gram model (head weight ${model.headWeight})`}`,
          ],
        },
        outcome,
      ),
    );
    return;
  }
  const result = {
    model: plan.out,
    runRecord: runRecordPath,
    task: model.task,
    labels: model.labels,
    encoder: model.encoderRef,
    head: model.headOptions,
    headWeight: model.headWeight,
    training: {
      epochs: model.runRecord?.epochs.length ?? null,
      bestEpoch: model.runRecord?.bestEpoch ?? null,
      stoppedEarly: model.runRecord?.stoppedEarly ?? false,
      seconds: model.runRecord?.seconds ?? null,
      encoder: model.runRecord?.final["encoder"] ?? null,
    },
    metrics: {
      ...(devEvaluation === undefined
        ? {}
        : { dev: evaluationMetrics(devEvaluation, topKOf(model, devEvaluation)) }),
      ...(testEvaluation === undefined
        ? {}
        : { test: evaluationMetrics(testEvaluation, topKOf(model, testEvaluation)) }),
    },
    report: {
      ...(devEvaluation === undefined ? {} : { dev: classificationReportToDict(devEvaluation.report) }),
      ...(testEvaluation === undefined ? {} : { test: classificationReportToDict(testEvaluation.report) }),
    },
  };
  await writeAll(io.stdout, `${JSON.stringify(result, null, 2)}\n`);
}
