import { join } from "node:path";
import type { Command } from "commander";
import { Random, TextkitError } from "../core/index.ts";
import { loadTable, selectRows, type Table, type TableOptions } from "../data/index.ts";
import type { RegressionMetrics } from "../eval/index.ts";
import {
  fileSource,
  type LinearRegressor,
  type RegressionSource,
  resolveRegressorOptions,
  trainRegressor,
} from "../models/regressor/index.ts";
import { addHeldOutOptions, type HeldOutFlags, heldOutFilesGiven } from "./held-out-options.ts";
import { type CliIo, writeAll } from "./io.ts";
import { checkModelOutput } from "./output-paths.ts";
import type { SplitFractions } from "./parse-options.ts";
import { ProgressBar } from "./progress-bar.ts";
import {
  addRegressorOptions,
  addTableOptions,
  formatCoefficients,
  formatMetrics,
  type RegressorFlags,
  regressionHooks,
  regressorOptionsOf,
  type TableFlags,
  tableOptionsOf,
} from "./regress-options.ts";
import { fractionPercent } from "./report-output.ts";

interface RegressTrainFlags extends TableFlags, RegressorFlags, HeldOutFlags {
  out: string;
  json?: boolean;
  quiet?: boolean;
}

interface Part {
  source: string;
  rows: number;
}

/** Rows of `table` shuffled with `seed` and cut into train, dev and test parts. */
function splitTable(
  table: Table,
  split: SplitFractions,
  seed: number,
): { train: Table; dev: Table; test: Table } {
  const order = new Int32Array(table.rows);
  for (let i = 0; i < order.length; i++) order[i] = i;
  new Random(seed).shuffle(order);
  const n = table.rows;
  const nDev = Math.round(n * split.dev);
  const nTest = Math.round(n * split.test);
  if (n - nDev - nTest < 2 || (split.dev > 0 && nDev === 0) || (split.test > 0 && nTest === 0)) {
    throw new TextkitError(
      "DATA_SPLIT_TOO_SMALL",
      `${table.source} has ${n} rows: too few to hold out ${fractionPercent(split.dev)} for dev and ${fractionPercent(split.test)} for test and train on the rest`,
      { file: table.source },
    );
  }
  // Each part keeps file order, so that its rows read in the order of the file.
  const part = (from: number, to: number, name: string) =>
    selectRows(table, order.subarray(from, to).slice().sort(), `${table.source}, ${name}`);
  return {
    test: part(0, nTest, `${fractionPercent(split.test)} held out by --split`),
    dev: part(nTest, nTest + nDev, `${fractionPercent(split.dev)} held out by --split`),
    train: part(nTest + nDev, n, `${fractionPercent(1 - split.dev - split.test)} by --split`),
  };
}

/** The data of a training run: the training rows (or the file streamed), and what is held out. */
interface RegressionData {
  train: Table | RegressionSource;
  trainPart: Part;
  dev?: Table;
  /** A test set read into memory, or... */
  testTable?: Table;
  /** ...a test file streamed after training. */
  testFile?: string;
}

/** A trained and saved regressor with its scores, for the report. */
interface RegressionOutcome {
  flags: RegressTrainFlags;
  resolved: ReturnType<typeof resolveRegressorOptions>;
  model: LinearRegressor;
  data: RegressionData;
  devMetrics?: RegressionMetrics;
  test?: { source: string; metrics: RegressionMetrics };
  runRecord: string | null;
}

async function runTrain(flags: RegressTrainFlags, splitGiven: boolean, io: CliIo): Promise<void> {
  // Refuse bad settings before reading any data: a typo should cost no time.
  const options = regressorOptionsOf(flags, flags.impute);
  const resolved = resolveRegressorOptions(options);
  checkModelOutput(flags.out, "--out");
  const separate = heldOutFilesGiven(flags, splitGiven, "rows");
  const read: TableOptions = tableOptionsOf(flags);
  const bar = new ProgressBar(io.stderr, { quiet: flags.quiet });
  const noSplit = !separate && flags.split.dev === 0 && flags.split.test === 0;
  // SGD streams its training file whenever no random split needs all rows in memory.
  const stream = resolved.method === "sgd" && (separate || noSplit);
  const data = await regressionData(flags, read, { separate, stream });
  const { train, trainPart, dev, testTable, testFile } = data;
  const features = stream
    ? (flags.features?.length ?? null)
    : "columns" in train
      ? train.columns.length
      : null;
  bar.log(
    `train: ${Number.isNaN(trainPart.rows) ? "" : `${trainPart.rows} rows, `}${features === null ? "" : `${features} features, `}target "${flags.target}" (${trainPart.source})`,
  );
  if (dev !== undefined) bar.log(`dev: ${dev.rows} rows (${dev.source})`);
  if (testTable !== undefined) bar.log(`test: ${testTable.rows} rows (${testTable.source})`);

  let model: LinearRegressor;
  try {
    model = await trainRegressor(
      { train, ...(dev === undefined ? {} : { dev }) },
      options,
      regressionHooks(bar, resolved.method === "sgd" ? resolved.epochs : 1),
    );
  } finally {
    bar.finish();
  }
  let test: { source: string; metrics: RegressionMetrics } | undefined;
  if (testTable !== undefined)
    test = { source: testTable.source, metrics: model.evaluate(testTable).metrics };
  else if (testFile !== undefined) {
    test = {
      source: testFile,
      metrics: await model.evaluateSource(fileSource(testFile, { ...read, ...model.tableOptions() })),
    };
  }
  const devMetrics = dev === undefined ? undefined : model.evaluate(dev).metrics;
  if (model.runRecord !== null && test !== undefined) {
    // The trainer never sees the test set; the run record should still say how the model did on it.
    model.runRecord.final["test"] = { source: test.source, ...test.metrics };
  }
  await model.save(flags.out);
  const runRecord = model.runRecord === null ? null : join(flags.out, "run.json");
  const outcome: RegressionOutcome = {
    flags,
    resolved,
    model,
    data,
    ...(devMetrics === undefined ? {} : { devMetrics }),
    ...(test === undefined ? {} : { test }),
    runRecord,
  };
  await writeAll(
    io.stdout,
    flags.json ? `${JSON.stringify(regressJson(outcome), null, 2)}\n` : regressText(outcome),
  );
}

/** Reads (or, to stream, only names) the training file and the held-out rows. */
async function regressionData(
  flags: RegressTrainFlags,
  read: TableOptions,
  how: { separate: boolean; stream: boolean },
): Promise<RegressionData> {
  if (how.stream) {
    return {
      train: fileSource(flags.train, read),
      trainPart: { source: `${flags.train} (streamed)`, rows: Number.NaN },
      ...(flags.dev === undefined ? {} : { dev: await loadTable(flags.dev, read) }),
      ...(flags.test === undefined ? {} : { testFile: flags.test }),
    };
  }
  const loaded = await loadTable(flags.train, read);
  const kinds = Object.fromEntries(loaded.columns.map((c) => [c.name, c.kind]));
  const heldOut = (path: string) => loadTable(path, { ...read, kinds });
  if (how.separate) {
    return {
      train: loaded,
      trainPart: { source: loaded.source, rows: loaded.rows },
      ...(flags.dev === undefined ? {} : { dev: await heldOut(flags.dev) }),
      ...(flags.test === undefined ? {} : { testTable: await heldOut(flags.test) }),
    };
  }
  const parts = splitTable(loaded, flags.split, flags.seed);
  return {
    train: parts.train,
    trainPart: { source: parts.train.source, rows: parts.train.rows },
    ...(parts.dev.rows > 0 ? { dev: parts.dev } : {}),
    ...(parts.test.rows > 0 ? { testTable: parts.test } : {}),
  };
}

/** The --json output of `regress train`. */
function regressJson(outcome: RegressionOutcome): object {
  const { model, data, devMetrics, test } = outcome;
  const { dev } = data;
  const summary = model.summary;
  return {
    model: outcome.flags.out,
    runRecord: outcome.runRecord,
    method: outcome.resolved.method,
    options: model.options,
    target: model.target,
    features: model.features,
    data: {
      train: { source: data.trainPart.source, rows: summary.rows },
      ...(dev === undefined ? {} : { dev: { source: dev.source, rows: dev.rows } }),
      ...(test === undefined ? {} : { test: { source: test.source, rows: test.metrics.examples } }),
    },
    intercept: summary.intercept,
    coefficients: summary.coefficients,
    adjustedR2: summary.adjustedR2,
    residualStd: summary.residualStd,
    training: {
      epochs: model.runRecord?.epochs.length ?? null,
      bestEpoch: model.runRecord?.bestEpoch ?? null,
      stoppedEarly: model.runRecord?.stoppedEarly ?? false,
      seconds: model.runRecord?.seconds ?? null,
    },
    metrics: {
      train: summary.train,
      ...(devMetrics === undefined ? {} : { dev: devMetrics }),
      ...(test === undefined ? {} : { test: test.metrics }),
    },
  };
}

/** The report a person reads: the coefficients, then the scores of each part. */
function regressText(outcome: RegressionOutcome): string {
  const { resolved, model, devMetrics, test } = outcome;
  const { dev } = outcome.data;
  const summary = model.summary;
  let out = `${resolved.method}${resolved.alpha === null ? "" : ` (alpha ${resolved.alpha})`}, ${resolved.standardize ? "standardised" : "unscaled"} features; coefficients in the data's units\n\n`;
  out += formatCoefficients(summary);
  out += `\ntrain: ${summary.rows} rows  ${formatMetrics(summary.train)}`;
  if (summary.adjustedR2 !== null) out += `  adjusted R² ${summary.adjustedR2.toFixed(4)}`;
  out += "\n";
  if (devMetrics !== undefined && dev !== undefined)
    out += `dev: ${dev.rows} rows  ${formatMetrics(devMetrics)}  (${dev.source})\n`;
  if (test !== undefined)
    out += `test: ${test.metrics.examples} rows  ${formatMetrics(test.metrics)}  (${test.source})\n`;
  out += `model: ${outcome.flags.out} (regressor, ${model.encoder.width} design columns)\n`;
  if (outcome.runRecord !== null) out += `run record: ${outcome.runRecord}\n`;
  return out;
}

/**
 * `textkit regress train`.
 *
 * @example
 * registerRegressTrain(program.command("regress"), io);
 */
export function registerRegressTrain(regress: Command, io: CliIo): Command {
  const command = addHeldOutOptions(
    regress
      .command("train")
      .summary("fit a linear regression and print its coefficients and metrics")
      .description(
        "Fit a linear regression on a CSV/TSV/JSONL table (ordinary least squares, ridge, or minibatch " +
          "SGD), save it as a model directory, and print its coefficients (with standard errors for " +
          "ols) and MSE, RMSE, MAE and R² on the train, dev and test rows.",
      ),
    {
      train: "training table (.csv, .tsv or .jsonl) with a header row",
      dev: "development rows: metrics per epoch, early stopping",
      test: "test rows for the final metrics",
      split: "without --dev and --test: fractions of --train's rows held out at random for dev and test",
    },
  ).requiredOption("--out <dir>", "model directory to write (replaced atomically once training succeeds)");
  addTableOptions(command);
  addRegressorOptions(command);
  command
    .option("--json", "print one JSON object (options, coefficients, metrics) instead of text")
    .option("-q, --quiet", "no progress or epoch lines on stderr")
    .action(async (flags: RegressTrainFlags, self: Command) => {
      await runTrain(flags, self.getOptionValueSource("split") === "cli", io);
    });
  return command;
}
