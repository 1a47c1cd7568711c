/**
 * Training of the linear regressor: a profile pass over the data, the design encoder it
 * fits, then the exact solvers (OLS, ridge) or minibatch SGD, and the run record.
 */
import type { EpochSummary, TrainHooks } from "../../core/index.ts";
import { newRunId, type RunRecord, TextkitError } from "../../core/index.ts";
import type { Table } from "../../data/index.ts";
import type { RegressionMetrics } from "../../eval/index.ts";
import { GramAccumulator, QrAccumulator } from "../numeric/index.ts";
import { DesignEncoder } from "./design.ts";
import { type RegressorOptions, resolveRegressorOptions } from "./options.ts";
import { type TableProfile, TableProfiler } from "./profile.ts";
import {
  type Coefficient,
  LinearRegressor,
  REGRESSOR_FAMILY,
  REGRESSOR_TASK,
  type RegressionSummary,
  type RegressionTrainingData,
  sourceMetrics,
} from "./regressor.ts";
import { type EncodedRows, encodedMetrics, trainSgd } from "./sgd.ts";
import { type RegressionSource, type SourceReadOptions, tableSource } from "./source.ts";

function isSource(value: Table | RegressionSource): value is RegressionSource {
  return "pass" in value;
}

/**
 * The fit in the data's units: a standardised column's weight divided by its scale, the
 * intercept moved by the centres, and (OLS) the covariance carried through the same
 * linear map, so that standard errors are those of an unstandardised fit.
 */
function summarise(
  encoder: DesignEncoder,
  weights: Float64Array,
  covariance: Float64Array | null,
): { intercept: Coefficient; coefficients: Coefficient[] } {
  const k = weights.length;
  // Row 0 of the map T (β_data = T β_design); its diagonal is `diag`.
  const row0 = new Float64Array(k);
  const diag = new Float64Array(k);
  row0[0] = 1;
  diag[0] = 1;
  for (let d = 1; d < k; d++) {
    const feature = encoder.features[encoder.sources[d - 1]!]!;
    if (feature.kind === "numeric") {
      diag[d] = 1 / feature.scale;
      row0[d] = -feature.center / feature.scale;
    } else {
      diag[d] = 1;
    }
  }
  let intercept = 0;
  for (let d = 0; d < k; d++) intercept += row0[d]! * weights[d]!;
  const coefficient = (name: string, value: number, variance: number | null): Coefficient => {
    const se = variance === null || !(variance >= 0) ? null : Math.sqrt(variance);
    return { name, value, standardError: se, t: se === null || se === 0 ? null : value / se };
  };
  let interceptVariance: number | null = null;
  if (covariance !== null) {
    let v = 0;
    for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) v += row0[a]! * row0[b]! * covariance[a * k + b]!;
    interceptVariance = v;
  }
  return {
    intercept: coefficient("(intercept)", intercept, interceptVariance),
    coefficients: encoder.names.map((name, j) =>
      coefficient(
        name,
        diag[j + 1]! * weights[j + 1]!,
        covariance === null ? null : diag[j + 1]! ** 2 * covariance[(j + 1) * k + j + 1]!,
      ),
    ),
  };
}

/** Encodes a whole table, for held-out metrics per epoch. */
function encodeTable(encoder: DesignEncoder, table: Table): EncodedRows {
  if (table.target === null) {
    throw new TextkitError(
      "DATA_MISSING_COLUMN",
      `${table.source} has no target column "${encoder.target}"`,
      {
        file: table.source,
        column: encoder.target,
      },
    );
  }
  const x = new Float64Array(table.rows * encoder.width);
  encoder.encode(table, x);
  return { x, y: table.target.values, rows: table.rows };
}

/** What the solvers share: the data, its profile and the fitted design encoder. */
interface FitContext {
  source: RegressionSource;
  read: SourceReadOptions;
  profile: TableProfile;
  encoder: DesignEncoder;
  options: RegressorOptions;
  dev: EncodedRows | null;
  hooks: TrainHooks;
  t0: number;
}

/** The weights (intercept first) and the epochs of one solver's run. */
interface Fit {
  weights: Float64Array;
  covariance: Float64Array | null;
  epochs: EpochSummary[];
  stoppedEarly: boolean;
  bestEpoch: number;
  final: Record<string, unknown>;
}

/** Pass 1: kinds, statistics, levels, fingerprint; missing values checked against `impute`. */
async function profileSource(
  source: RegressionSource,
  options: RegressorOptions,
): Promise<{ profile: TableProfile; read: SourceReadOptions }> {
  const keepValues = options.impute === "median" || options.impute === "mode";
  if (keepValues && source.table === null) {
    throw new TextkitError(
      "OPTION_INVALID",
      `--impute ${options.impute} needs every training value in memory; with training data streamed from ${source.name} use --impute mean`,
    );
  }
  const profiler = new TableProfiler(keepValues);
  const first = source.pass({ impute: options.impute });
  for await (const chunk of first.rows) profiler.add(chunk);
  const kinds = first.kinds();
  const profile = profiler.finish();
  if (options.impute === "none" && profile.firstMissing !== null) {
    const { line, column } = profile.firstMissing;
    throw new TextkitError(
      "DATA_MISSING_VALUE",
      `line ${line}: column "${column}" has no value; fill it in, or train with --impute mean, median or mode`,
      { file: source.name, line, column },
    );
  }
  return { profile, read: { impute: options.impute, kinds } };
}

/** The design encoder of a profile; fails when no feature is left to learn from. */
function fitEncoder(
  profile: TableProfile,
  options: RegressorOptions,
  source: RegressionSource,
): DesignEncoder {
  const encoder = DesignEncoder.fit(profile, profile.target.name, {
    standardize: options.standardize,
    impute: options.impute,
    dropFirst: options.method === "ols",
    unknownCategory: options.unknownCategory,
  });
  if (encoder.width === 0) {
    throw new TextkitError(
      "DATA_MISSING_COLUMN",
      `${source.name} leaves no feature to learn from: every feature is a category with a single level`,
      { file: source.name },
    );
  }
  return encoder;
}

/** Minibatch SGD on the standardised target (see sgd.ts). */
async function fitSgd(ctx: FitContext): Promise<Fit> {
  const { profile, options } = ctx;
  const n = profile.rows;
  const yScale = options.standardize && profile.target.m2 > 0 ? Math.sqrt(profile.target.m2 / n) : 1;
  const result = await trainSgd({
    ...{ source: ctx.source, read: ctx.read, encoder: ctx.encoder, options, rows: n },
    ...{ yCenter: options.standardize ? profile.target.mean : 0, yScale, dev: ctx.dev, hooks: ctx.hooks },
  });
  const { weights, epochs, stoppedEarly, bestEpoch } = result;
  const final = { examplesPerSecond: result.examplesPerSecond };
  return { weights, covariance: null, epochs, stoppedEarly, bestEpoch, final };
}

/** One pass over the source, each chunk encoded and handed to `add`, with progress. */
async function factorPass(
  ctx: FitContext,
  add: (x: Float64Array, y: Float64Array, rows: number) => void,
): Promise<void> {
  const { encoder, hooks, t0 } = ctx;
  const n = ctx.profile.rows;
  const p = encoder.width;
  let x = new Float64Array(0);
  let done = 0;
  for await (const chunk of ctx.source.pass(ctx.read).rows) {
    if (x.length < chunk.rows * p) x = new Float64Array(chunk.rows * p);
    encoder.encode(chunk, x, 0, chunk.rows);
    add(x, chunk.target?.values ?? new Float64Array(chunk.rows), chunk.rows);
    done += chunk.rows;
    const seconds = (performance.now() - t0) / 1000;
    hooks.onProgress?.({
      epoch: 1,
      epochs: 1,
      stage: "pass",
      progress: done / n,
      loss: Number.NaN,
      speed: done / seconds,
      unit: "examples",
      etaSeconds: (seconds / done) * (n - done),
    });
  }
}

/**
 * Pass 2: the centred Gram matrix (ridge, and OLS where its normal equations are safe);
 * OLS on an ill-conditioned or nearly exact design takes one more pass, by QR.
 */
async function fitExact(ctx: FitContext): Promise<Fit> {
  const { encoder, profile, options } = ctx;
  const epochStart = performance.now();
  const gram = new GramAccumulator(encoder.designMeans(profile), profile.target.mean);
  await factorPass(ctx, (x, y, rows) => gram.add(x, y, rows));
  let weights: Float64Array;
  let covariance: Float64Array | null = null;
  if (options.method === "ols") {
    let solution = gram.solveOls();
    if (solution === null) {
      const qr = new QrAccumulator(encoder.width);
      await factorPass(ctx, (x, y, rows) => qr.add(x, y, rows));
      solution = qr.solve(encoder.names);
    }
    weights = solution.beta;
    covariance = solution.covariance;
  } else {
    const solution = gram.solveRidge(options.alpha ?? 0);
    weights = new Float64Array(encoder.width + 1);
    weights[0] = solution.intercept;
    weights.set(solution.weights, 1);
  }
  const seconds = (performance.now() - epochStart) / 1000;
  const epochs = [{ epoch: 1, trainLoss: Number.NaN, seconds }];
  return { weights, covariance, epochs, stoppedEarly: false, bestEpoch: 1, final: {} };
}

/** An exact solver's single epoch, completed with the training (and dev) error and reported. */
function reportExactEpoch(
  ctx: FitContext,
  summary: EpochSummary,
  weights: Float64Array,
  train: RegressionMetrics,
) {
  const { dev, hooks } = ctx;
  const n = ctx.profile.rows;
  summary.trainLoss = train.mse;
  if (dev !== null) {
    const metrics = encodedMetrics(weights, dev);
    summary.dev = { mse: metrics.mse, rmse: metrics.rmse, mae: metrics.mae, r2: metrics.r2 };
  }
  hooks.onEpochEnd?.(summary);
  hooks.onProgress?.({
    epoch: 1,
    epochs: 1,
    stage: "pass",
    lossName: "mse",
    progress: 1,
    loss: train.mse,
    speed: n / ((performance.now() - ctx.t0) / 1000),
    unit: "examples",
    etaSeconds: 0,
  });
}

/** The model's summary: coefficients in the data's units, training error, OLS statistics. */
function regressionSummary(ctx: FitContext, fit: Fit, train: RegressionMetrics): RegressionSummary {
  const { options, encoder } = ctx;
  const n = ctx.profile.rows;
  const k = encoder.width + 1;
  const ols = options.method === "ols" && n - k > 0;
  return {
    method: options.method,
    target: encoder.target,
    rows: n,
    ...summarise(encoder, fit.weights, fit.covariance),
    train,
    adjustedR2: ols ? 1 - ((1 - train.r2) * (n - 1)) / (n - k) : null,
    residualStd: ols ? Math.sqrt((train.mse * n) / (n - k)) : null,
  };
}

/** The run record of a finished training. */
function runRecord(
  ctx: FitContext,
  data: RegressionTrainingData,
  fit: Fit,
  summary: RegressionSummary,
  started: Date,
): RunRecord {
  const { options, encoder, profile, dev } = ctx;
  const final = { ...fit.final };
  final["trainSeconds"] = (performance.now() - ctx.t0) / 1000;
  final["train"] = summary.train;
  if (summary.adjustedR2 !== null) final["adjustedR2"] = summary.adjustedR2;
  if (dev !== null) final["dev"] = encodedMetrics(fit.weights, dev);
  const finishedAt = new Date();
  return {
    runId: newRunId(started, options.seed),
    family: REGRESSOR_FAMILY,
    task: REGRESSOR_TASK,
    startedAt: started.toISOString(),
    finishedAt: finishedAt.toISOString(),
    seconds: (finishedAt.getTime() - started.getTime()) / 1000,
    options: { ...options, target: encoder.target, features: encoder.featureNames() },
    data: {
      train: { source: ctx.source.name, examples: profile.rows, fingerprint: profile.fingerprint },
      ...(data.dev === undefined ? {} : { dev: { source: data.dev.source, examples: data.dev.rows } }),
    },
    epochs: fit.epochs,
    stoppedEarly: fit.stoppedEarly,
    bestEpoch: fit.bestEpoch,
    final,
  };
}

/**
 * Trains a linear regressor. OLS and ridge read the data twice (statistics, then the
 * factorisation), SGD once plus once per epoch; a streamed file is never held whole.
 *
 * @example
 * const train = await loadTable("houses.csv", { target: "price", categorical: ["city"] });
 * const model = await trainRegressor({ train }, { method: "ols" });
 * model.summary.coefficients; // [{ name: "area", value: 2.44, standardError: 0.05, t: 45.9 }, ...]
 */
export async function trainRegressor(
  data: RegressionTrainingData,
  partialOptions: Partial<RegressorOptions> = {},
  hooks: TrainHooks = {},
): Promise<LinearRegressor> {
  const options = resolveRegressorOptions(partialOptions);
  const started = new Date();
  const t0 = performance.now();
  const source = isSource(data.train) ? data.train : tableSource(data.train);
  const { profile, read } = await profileSource(source, options);
  const encoder = fitEncoder(profile, options, source);
  const dev = data.dev === undefined || data.dev.rows === 0 ? null : encodeTable(encoder, data.dev);
  const ctx: FitContext = { source, read, profile, encoder, options, dev, hooks, t0 };
  const fit = options.method === "sgd" ? await fitSgd(ctx) : await fitExact(ctx);
  // Training metrics: one more pass (the model's predictions, whatever the method).
  const train = await sourceMetrics(encoder, fit.weights, source, read);
  const summary = regressionSummary(ctx, fit, train);
  const exactEpoch = fit.epochs[0];
  if (options.method !== "sgd" && exactEpoch !== undefined)
    reportExactEpoch(ctx, exactEpoch, fit.weights, train);
  const record = runRecord(ctx, data, fit, summary, started);
  return new LinearRegressor(options, encoder, fit.weights, summary, record);
}
