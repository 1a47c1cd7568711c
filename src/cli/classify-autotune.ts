import { join } from "node:path";
import { type Command, Option } from "commander";
import { TextkitError } from "../core/index.ts";
import { type Dataset, loadDataset, stratifiedSplit } from "../data/index.ts";
import { classificationReportToDict } from "../eval/index.ts";
import {
  AUTOTUNE_METRICS,
  type AutotuneMetric,
  type AutotuneOptions,
  type AutotuneTrial,
  autotuneClassifier,
  type ClassifierOptions,
  dataDefaults,
  resolveClassifierOptions,
} from "../models/classifier/index.ts";
import {
  addClassifierOptions,
  type ClassifierFlags,
  classifierOptionsOf,
  givenClassifierOptions,
} from "./classifier-flags.ts";
import {
  formatOutcome,
  type HeldOut,
  type TrainingOutcome,
  type TrainingPlan,
  topKOf,
} from "./classify-train.ts";
import { addLabelledDataOptions, type DataFlags, readOptionsOf } from "./data-options.ts";
import { addHeldOutOptions, type HeldOutFlags, heldOutFilesGiven } from "./held-out-options.ts";
import { type CliIo, writeAll } from "./io.ts";
import { checkModelOutput } from "./output-paths.ts";
import { parseChoice, parseInteger, parseNumber } from "./parse-options.ts";
import { formatDuration } from "./progress-bar.ts";
import { describeDataset, evaluationMetrics, fractionPercent } from "./report-output.ts";

/** The metric names people type, for the library's names. */
const METRIC_FLAGS = {
  accuracy: "accuracy",
  macroF1: "macro-f1",
  microF1: "micro-f1",
} as const satisfies Record<AutotuneMetric, string>;
type MetricFlag = (typeof METRIC_FLAGS)[AutotuneMetric];
const METRIC_FLAG_VALUES = AUTOTUNE_METRICS.map((m) => METRIC_FLAGS[m]);

function metricOfFlag(flag: MetricFlag): AutotuneMetric {
  return AUTOTUNE_METRICS.find((m) => METRIC_FLAGS[m] === flag)!;
}

interface AutotuneFlags extends DataFlags, ClassifierFlags, HeldOutFlags {
  out: string;
  duration?: number;
  maxTrials?: number;
  metric?: MetricFlag;
  json?: boolean;
  quiet?: boolean;
}

/** The hyperparameters the search moves, with the flag that sets each in `classify train`. */
const TUNED_FLAGS: readonly [keyof ClassifierOptions, string][] = [
  ["lr", "--lr"],
  ["epochs", "--epochs"],
  ["dim", "--dim"],
  ["wordNgrams", "--word-ngrams"],
  ["minn", "--minn"],
  ["maxn", "--maxn"],
  ["buckets", "--buckets"],
];

/** A trial's tuned options as the flags of `classify train`: `--lr 0.32 --epochs 25 ...`. */
function asFlags(options: Partial<ClassifierOptions>): string {
  return TUNED_FLAGS.filter(([key]) => options[key] !== undefined)
    .map(([key, flag]) => `${flag} ${String(options[key])}`)
    .join(" ");
}

function metricName(metric: AutotuneMetric): string {
  return metric === "accuracy" ? "accuracy" : metric === "macroF1" ? "macro-F1" : "micro-F1";
}

async function loadHeldOut(path: string, flags: AutotuneFlags): Promise<HeldOut> {
  const data = await loadDataset(path, { ...readOptionsOf(flags), minClasses: 1 });
  return { data, source: path };
}

/** Refuses, before any data is read, what cannot give a search with development data. */
function checkFlags(flags: AutotuneFlags, splitGiven: boolean): void {
  resolveClassifierOptions(classifierOptionsOf(flags, false));
  checkModelOutput(flags.out, "--out");
  const separate = heldOutFilesGiven(flags, splitGiven, "data");
  if (separate && flags.dev === undefined) {
    throw new TextkitError(
      "OPTION_INVALID",
      "autotune scores every trial on development data: give --dev with --test, or neither to hold both out of --train with --split",
    );
  }
  if (!separate && flags.split.dev === 0) {
    throw new TextkitError(
      "OPTION_INVALID",
      "autotune scores every trial on development data: give --split a dev fraction above 0, or a --dev file",
    );
  }
}

async function planOf(flags: AutotuneFlags): Promise<AutotunePlan> {
  const loaded = await loadDataset(flags.train, readOptionsOf(flags));
  const options = classifierOptionsOf(flags, loaded.multiLabel);
  if (flags.dev !== undefined) {
    return {
      train: loaded,
      dev: await loadHeldOut(flags.dev, flags),
      ...(flags.test === undefined ? {} : { test: await loadHeldOut(flags.test, flags) }),
      options,
      out: flags.out,
    };
  }
  const split = stratifiedSplit(loaded, { ...flags.split, seed: flags.seed });
  const heldOut = (data: Dataset, fraction: number): HeldOut => ({
    data,
    source: `${flags.train}, ${fractionPercent(fraction)} held out by --split`,
  });
  return {
    train: split.train,
    dev: heldOut(split.dev, flags.split.dev),
    ...(flags.split.test > 0 ? { test: heldOut(split.test, flags.split.test) } : {}),
    options,
    out: flags.out,
  };
}

/** One line per finished trial: what it scored, the best so far, and what is left of the budget. */
function formatTrial(
  trial: AutotuneTrial,
  best: AutotuneTrial,
  metric: AutotuneMetric,
  left: string,
): string {
  const name = metricName(metric);
  const stopped = trial.stopped === true ? " (stopped by the deadline)" : "";
  return (
    `trial ${trial.trial} dev ${name} ${trial.metric.toFixed(4)}${stopped} ${trial.seconds.toFixed(2)}s, ` +
    `best ${best.metric.toFixed(4)} (trial ${best.trial}), ${left}: ${asFlags(trial.options)}`
  );
}

type AutotunePlan = TrainingPlan & { dev: HeldOut };
type AutotuneResult = Awaited<ReturnType<typeof autotuneClassifier>>;
/** A trained outcome, which here always has its dev evaluation. */
type AutotuneOutcome = TrainingOutcome & { dev: NonNullable<TrainingOutcome["dev"]> };

/** The search as the run record and the JSON output tell it. */
interface SearchSummary {
  metric: AutotuneMetric;
  bestMetric: number;
  bestTrial: number;
  durationSeconds: number | null;
  maxTrials: number | null;
  seconds: number;
  trials: AutotuneResult["trials"];
}

/** A finished search: its result, the winning trial and the summary. */
interface Search {
  result: AutotuneResult;
  best: AutotuneTrial;
  summary: SearchSummary;
}

async function runAutotune(
  flags: AutotuneFlags,
  splitGiven: boolean,
  given: ReadonlySet<keyof ClassifierOptions>,
  io: CliIo,
): Promise<void> {
  checkFlags(flags, splitGiven);
  const log = (line: string): void => {
    if (!flags.quiet) io.stderr.write(`${line}\n`);
  };
  const plan = await planOf(flags);
  // The first trial starts from the defaults fitted to the data, as classify train would train.
  const fitted = dataDefaults(plan.train, given, plan.options);
  plan.options = { ...plan.options, ...fitted.options };
  for (const reason of fitted.reasons) log(`defaults for this data: ${reason}`);
  log(describeDataset("train", plan.train));
  log(describeDataset("dev", plan.dev.data));
  if (plan.test !== undefined) log(describeDataset("test", plan.test.data));
  const search = await searchBest(flags, plan, log);
  const model = search.result.best;
  const devEvaluation = model.evaluate(plan.dev.data);
  const test = plan.test !== undefined && plan.test.data.examples.length > 0 ? plan.test : undefined;
  const testEvaluation = test === undefined ? undefined : model.evaluate(test.data);
  if (model.runRecord !== null) {
    // The run record of the winning trial, with the search that chose it and, as classify train does, the test scores.
    model.runRecord.final["autotune"] = search.summary;
    if (test !== undefined && testEvaluation !== undefined) {
      model.runRecord.final["test"] = {
        source: test.source,
        ...evaluationMetrics(testEvaluation, topKOf(model, testEvaluation)),
        report: testEvaluation.report,
      };
    }
  }
  await model.save(flags.out);
  const outcome: AutotuneOutcome = {
    model,
    dev: devEvaluation,
    ...(testEvaluation === undefined ? {} : { test: testEvaluation }),
    runRecordPath: model.runRecord === null ? null : join(flags.out, "run.json"),
  };
  const out = flags.json
    ? `${JSON.stringify(autotuneJson(flags.out, plan, search, outcome), null, 2)}\n`
    : autotuneText(plan, search, outcome);
  await writeAll(io.stdout, out);
}

/** Runs the search the flags ask for, logging each trial. */
async function searchBest(
  flags: AutotuneFlags,
  plan: AutotunePlan,
  log: (line: string) => void,
): Promise<Search> {
  const metric: AutotuneMetric =
    flags.metric === undefined
      ? plan.train.multiLabel
        ? "microF1"
        : "accuracy"
      : metricOfFlag(flags.metric);
  // Without --duration, --max-trials alone bounds the search (and makes it deterministic).
  const duration = flags.duration ?? (flags.maxTrials === undefined ? 300 : undefined);
  const options: AutotuneOptions = {
    metric,
    seed: flags.seed,
    base: plan.options,
    ...(duration === undefined ? {} : { durationSeconds: duration }),
    ...(flags.maxTrials === undefined ? {} : { maxTrials: flags.maxTrials }),
  };
  log(
    `searching for the best dev ${metricName(metric)}` +
      (duration === undefined ? "" : ` for ${formatDuration(duration)}`) +
      (flags.maxTrials === undefined ? "" : `, at most ${flags.maxTrials} trials`),
  );
  const began = performance.now();
  let bestTrial: AutotuneTrial | undefined;
  const result = await autotuneClassifier({ train: plan.train, dev: plan.dev.data }, options, {
    onTrial: (trial, best) => {
      bestTrial = best;
      const elapsed = (performance.now() - began) / 1000;
      const left =
        duration !== undefined
          ? `${formatDuration(Math.max(0, duration - elapsed))} left`
          : `${trial.trial}/${flags.maxTrials} trials`;
      log(formatTrial(trial, best, metric, left));
    },
  });
  // The hook runs after every trial, the last one included, so it saw the winner.
  if (bestTrial === undefined) throw new TextkitError("INTERNAL", "the search ran no trial");
  const summary: SearchSummary = {
    metric,
    bestMetric: result.bestMetric,
    bestTrial: bestTrial.trial,
    durationSeconds: duration ?? null,
    maxTrials: flags.maxTrials ?? null,
    seconds: (performance.now() - began) / 1000,
    trials: result.trials,
  };
  return { result, best: bestTrial, summary };
}

/** The report a person reads: the winning settings, then the reports as classify train prints them. */
function autotuneText(plan: AutotunePlan, search: Search, outcome: TrainingOutcome): string {
  const { result, best, summary } = search;
  let out =
    `best settings: trial ${best.trial} of ${result.trials.length}, ` +
    `dev ${metricName(summary.metric)} ${result.bestMetric.toFixed(4)}\n`;
  out += `  ${asFlags(result.bestOptions)}\n`;
  if (best.stopped === true) {
    const ran = outcome.model.runRecord?.epochs.length ?? 0;
    out +=
      `note: the deadline stopped this trial after ${ran} of ${result.bestOptions.epochs} epochs, ` +
      "before any other finished; give a longer --duration\n";
  }
  out += "\n";
  return out + formatOutcome({ ...plan, options: result.bestOptions }, outcome);
}

/** The --json output: model, options, search, data, metrics and reports. */
function autotuneJson(out: string, plan: AutotunePlan, search: Search, outcome: AutotuneOutcome): object {
  const { model, dev, test } = outcome;
  const part = (held: HeldOut) => ({ source: held.source, examples: held.data.examples.length });
  return {
    model: out,
    runRecord: outcome.runRecordPath,
    task: model.task,
    labels: model.labels,
    options: search.result.bestOptions,
    autotune: search.summary,
    data: {
      train: { source: plan.train.source, examples: plan.train.examples.length },
      dev: part(plan.dev),
      ...(plan.test === undefined ? {} : { test: part(plan.test) }),
    },
    metrics: {
      dev: evaluationMetrics(dev, topKOf(model, dev)),
      ...(test === undefined ? {} : { test: evaluationMetrics(test, topKOf(model, test)) }),
    },
    report: {
      dev: classificationReportToDict(dev.report),
      ...(test === undefined ? {} : { test: classificationReportToDict(test.report) }),
    },
  };
}

/**
 * `textkit classify autotune`.
 *
 * @example
 * registerClassifyAutotune(program.command("classify"), io);
 */
export function registerClassifyAutotune(classify: Command, io: CliIo): Command {
  const command = addHeldOutOptions(
    classify
      .command("autotune")
      .summary("search a classifier's settings for the best dev score")
      .description(
        "Search the classifier's hyperparameters (learning rate, epochs, dim, word and character " +
          "n-grams, buckets) for the best score on development data within a time budget, as " +
          "fastText's -autotune-validation does. The first trial uses the settings given (or the " +
          "defaults); later ones sample around the best so far. Prints each trial on stderr, then the " +
          "best settings and the dev and test reports, and saves the best model with its run record.",
      ),
    {
      train: "labelled training data (.csv, .tsv, .jsonl, or fastText .txt)",
      dev: "development data every trial is scored on",
      test: "test data for the final report",
      split: "without --dev and --test: fractions of --train held out, per label, for dev and test",
    },
  )
    .requiredOption("--out <dir>", "model directory to write the best model to (atomically, at the end)")
    .addOption(
      new Option(
        "--duration <seconds>",
        "time budget of the search; a trial still running at the end is stopped (default: 300, or none with --max-trials)",
      ).argParser(parseNumber("--duration", 0, true)),
    )
    .addOption(
      new Option("--max-trials <n>", "stop after this many trials").argParser(
        parseInteger("--max-trials", 1),
      ),
    )
    .addOption(
      new Option(
        "--metric <metric>",
        `what the search maximises on the dev data: ${METRIC_FLAG_VALUES.join(", ")} (default: micro-f1 for multi-label data, else accuracy)`,
      ).argParser(parseChoice("--metric", METRIC_FLAG_VALUES)),
    );
  addLabelledDataOptions(command);
  addClassifierOptions(command);
  command
    .option("--json", "print one JSON object (best options, trials, metrics, reports) instead of text")
    .option("-q, --quiet", "no data or trial lines on stderr")
    .addHelpText(
      "after",
      "\nThe classifier options set the first trial and what the search does not tune (--seed, --loss,\n" +
        "--patience, --no-lowercase, ...); --seed also seeds the search and the --split.\n\n" +
        "Example:\n  textkit classify autotune --train data/train.csv --dev data/dev.csv --test data/test.csv \\\n" +
        "    --duration 600 --metric macro-f1 --out models/intent\n",
    )
    .action(async (flags: AutotuneFlags, self: Command) => {
      await runAutotune(
        flags,
        self.getOptionValueSource("split") === "cli",
        givenClassifierOptions(self),
        io,
      );
    });
  return command;
}
