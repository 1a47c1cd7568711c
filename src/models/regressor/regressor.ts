/**
 * Linear regression on tabular data: ordinary least squares (with standard errors), ridge,
 * or minibatch SGD for data too big for memory, over numeric and one-hot categorical
 * features. See ../numeric/solve.ts for the exact solvers and sgd.ts for the SGD loop.
 */
import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import {
  artifactFile,
  artifactOptions,
  type ManifestInput,
  readArtifact,
  saveModel,
  type TrainedModel,
} from "../../artifact/index.ts";
import type { EpochSummary, TrainHooks } from "../../core/index.ts";
import {
  newRunId,
  type RunRecord,
  runManifestFields,
  runRecordFiles,
  runRecordOf,
  TextkitError,
} from "../../core/index.ts";
import type { Table, TableOptions } from "../../data/index.ts";
import { tableFromRecords } from "../../data/index.ts";
import { RegressionAccumulator, type RegressionMetrics } from "../../eval/index.ts";
import { GramAccumulator, QrAccumulator } from "../numeric/index.ts";
import { DesignEncoder, fileRows, type RowLocator, TableProfiler } from "./design.ts";
import { type RegressorOptions, resolveRegressorOptions } from "./options.ts";
import { type EncodedRows, encodedMetrics, linearPredict, trainSgd } from "./sgd.ts";
import { type RegressionSource, type SourceReadOptions, tableSource } from "./source.ts";

export const REGRESSOR_FAMILY = "regressor";
export const REGRESSOR_TASK = "regression";
/** Rows encoded at a time when predicting. */
const PREDICT_BLOCK = 4096;

/** A coefficient in the units of the data (not of the standardised design). */
export interface Coefficient {
  /** A numeric feature's name, "feature=level" for a category, or "(intercept)". */
  name: string;
  value: number;
  /** OLS only (null otherwise, and without residual degrees of freedom). */
  standardError: number | null;
  /** value / standardError (OLS only). */
  t: number | null;
}

/** What a trained regressor says about its fit. */
export interface RegressionSummary {
  method: RegressorOptions["method"];
  target: string;
  /** Training rows. */
  rows: number;
  intercept: Coefficient;
  coefficients: Coefficient[];
  /** On the training data. */
  train: RegressionMetrics;
  /** OLS: 1 - (1 - R²)(n - 1)/(n - p - 1); null for the other methods. */
  adjustedR2: number | null;
  /** OLS: the estimate of the noise's standard deviation, sqrt(RSS / (n - p - 1)). */
  residualStd: number | null;
}

export interface RegressionEvaluation {
  metrics: RegressionMetrics;
  predictions: Float64Array;
}

/** One answer of `predictRows`. */
export interface RegressionPrediction {
  prediction: number;
}

export interface RegressionTrainingData {
  /** A table in memory, or a source such as `fileSource(path, ...)` for data streamed from disk. */
  train: Table | RegressionSource;
  /** Held out: metrics per SGD epoch (early stopping with `patience`) and in the run record. */
  dev?: Table;
}

function isSource(value: Table | RegressionSource): value is RegressionSource {
  return "pass" in value;
}

/**
 * A trained linear regressor. Create one with `trainRegressor` or `loadRegressor`; it is
 * immutable after that.
 */
export class LinearRegressor implements TrainedModel<Table, Float64Array, Table, RegressionEvaluation> {
  readonly options: RegressorOptions;
  readonly encoder: DesignEncoder;
  /** Intercept first, then one weight per design column (on the encoded, maybe standardised, scale). */
  readonly weights: Float64Array;
  readonly summary: RegressionSummary;
  readonly runRecord: RunRecord | null;
  private scratch = new Float64Array(0);

  constructor(
    options: RegressorOptions,
    encoder: DesignEncoder,
    weights: Float64Array,
    summary: RegressionSummary,
    runRecord: RunRecord | null,
  ) {
    this.options = options;
    this.encoder = encoder;
    this.weights = weights;
    this.summary = summary;
    this.runRecord = runRecord;
  }

  get target(): string {
    return this.encoder.target;
  }

  /** The feature columns the model reads, in order. */
  get features(): string[] {
    return this.encoder.featureNames();
  }

  /**
   * How to read a table for this model: its columns and their kinds, and its gap filling.
   * `loadTable(path, model.tableOptions())` reads data to evaluate on; without the target
   * (`model.tableOptions(false)`) data to predict for.
   *
   * @example
   * const test = await loadTable("test.csv", model.tableOptions());
   */
  tableOptions(withTarget = true): TableOptions {
    return {
      ...(withTarget ? { target: this.target } : {}),
      features: this.features,
      kinds: this.encoder.kinds(),
      impute: this.options.impute,
    };
  }

  /** Predictions for every row of a table read with `tableOptions()`. */
  predict(table: Table, locate: RowLocator = fileRows(table)): Float64Array {
    const p = this.encoder.width;
    const out = new Float64Array(table.rows);
    for (let start = 0; start < table.rows; start += PREDICT_BLOCK) {
      const count = Math.min(PREDICT_BLOCK, table.rows - start);
      if (this.scratch.length < count * p) this.scratch = new Float64Array(count * p);
      this.encoder.encode(table, this.scratch, start, count, locate);
      linearPredict(this.weights, this.scratch, count, out.subarray(start, start + count));
    }
    return out;
  }

  /**
   * Predictions for rows of named values, such as a request's JSON: `{"area": 70, "city": "Lyon"}`.
   * Numbers may also come as numeric strings; null or an absent key is a missing value. A bad
   * value is a TextkitError whose `details.field` is `/inputs/<i>/<column>`. Always one
   * answer per row.
   *
   * @example
   * model.predictRows([{ bmi: 32.1, bp: 101, sex: 2 }]); // [{ prediction: 206.1 }]
   */
  predictRows(rows: readonly Record<string, unknown>[]): RegressionPrediction[] {
    const table = tableFromRecords("inputs", rows, {
      features: this.features,
      kinds: this.encoder.kinds(),
      impute: this.options.impute,
    });
    const field = (row: number, column: string) => `/inputs/${row}/${column}`;
    const predictions = this.predict(table, (row, column) => ({
      where: field(row, column),
      options: { column, details: { field: field(row, column) } },
    }));
    return Array.from(predictions, (prediction) => ({ prediction }));
  }

  /** MSE, RMSE, MAE and R² on a table with the target, and the predictions. */
  evaluate(table: Table): RegressionEvaluation {
    if (table.target === null) {
      throw new TextkitError(
        "DATA_MISSING_COLUMN",
        `${table.source} was read without the target "${this.target}"; read it with model.tableOptions()`,
        { file: table.source, column: this.target },
      );
    }
    if (table.rows === 0) {
      throw new TextkitError("EVAL_EMPTY", `${table.source} has no rows to evaluate on`, {
        file: table.source,
      });
    }
    const predictions = this.predict(table);
    const acc = new RegressionAccumulator();
    acc.add(table.target.values, predictions);
    return { metrics: acc.result(), predictions };
  }

  /** Metrics over a source read in chunks (a file too big for memory). */
  async evaluateSource(source: RegressionSource): Promise<RegressionMetrics> {
    return sourceMetrics(this.encoder, this.weights, source, {
      impute: this.options.impute,
      kinds: this.encoder.kinds(),
    });
  }

  /** Writes the model directory atomically (see `saveModel`). */
  async save(dir: string): Promise<void> {
    await saveModel(this, dir);
  }

  /** @internal What `save` writes. */
  artifactParts(): { manifest: ManifestInput; files: Record<string, Uint8Array> } {
    const w = this.weights;
    return {
      manifest: {
        family: REGRESSOR_FAMILY,
        task: REGRESSOR_TASK,
        options: { ...this.options, target: this.target, features: this.features },
        ...runManifestFields(this.runRecord),
      },
      files: {
        "weights.f64": new Uint8Array(w.buffer, w.byteOffset, w.byteLength),
        "encoder.json": Buffer.from(`${JSON.stringify(this.encoder.toSpec(), null, 2)}\n`),
        "summary.json": Buffer.from(`${JSON.stringify(this.summary, null, 2)}\n`),
        ...runRecordFiles(this.runRecord),
      },
    };
  }
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

/** Metrics of `weights` over every chunk of a source, encoded with `encoder`. */
async function sourceMetrics(
  encoder: DesignEncoder,
  weights: Float64Array,
  source: RegressionSource,
  read: SourceReadOptions,
): Promise<RegressionMetrics> {
  const acc = new RegressionAccumulator();
  const pass = source.pass(read);
  let x = new Float64Array(0);
  let predicted = new Float64Array(0);
  for await (const chunk of pass.rows) {
    if (chunk.target === null) break;
    if (x.length < chunk.rows * encoder.width) x = new Float64Array(chunk.rows * encoder.width);
    if (predicted.length < chunk.rows) predicted = new Float64Array(chunk.rows);
    encoder.encode(chunk, x, 0, chunk.rows);
    linearPredict(weights, x, chunk.rows, predicted);
    acc.add(chunk.target.values, predicted, chunk.rows);
  }
  if (acc.examples === 0) {
    throw new TextkitError("EVAL_EMPTY", `${source.name} has no rows to evaluate on`, { file: source.name });
  }
  return acc.result();
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
  const keepValues = options.impute === "median" || options.impute === "mode";
  if (keepValues && source.table === null) {
    throw new TextkitError(
      "OPTION_INVALID",
      `--impute ${options.impute} needs every training value in memory; with training data streamed from ${source.name} use --impute mean`,
    );
  }

  // Pass 1: kinds, statistics, levels, fingerprint.
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
  const read: SourceReadOptions = { impute: options.impute, kinds };
  const n = profile.rows;
  const p = encoder.width;
  const dev = data.dev === undefined || data.dev.rows === 0 ? null : encodeTable(encoder, data.dev);

  let weights: Float64Array;
  let covariance: Float64Array | null = null;
  let epochs: EpochSummary[] = [];
  let stoppedEarly = false;
  let bestEpoch = 1;
  const final: Record<string, unknown> = {};
  if (options.method === "sgd") {
    const yScale = options.standardize && profile.target.m2 > 0 ? Math.sqrt(profile.target.m2 / n) : 1;
    const result = await trainSgd({
      source,
      read,
      encoder,
      options,
      rows: n,
      yCenter: options.standardize ? profile.target.mean : 0,
      yScale,
      dev,
      hooks,
    });
    weights = result.weights;
    epochs = result.epochs;
    stoppedEarly = result.stoppedEarly;
    bestEpoch = result.bestEpoch;
    final["examplesPerSecond"] = result.examplesPerSecond;
  } else {
    // Pass 2: the centred Gram matrix (ridge, and OLS where its normal equations are safe);
    // OLS on an ill-conditioned or nearly exact design takes one more pass, by QR.
    const epochStart = performance.now();
    const factorPass = async (add: (x: Float64Array, y: Float64Array, rows: number) => void) => {
      let x = new Float64Array(0);
      let done = 0;
      for await (const chunk of source.pass(read).rows) {
        if (x.length < chunk.rows * p) x = new Float64Array(chunk.rows * p);
        encoder.encode(chunk, x, 0, chunk.rows);
        add(x, chunk.target!.values, chunk.rows);
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
    };
    const gram = new GramAccumulator(encoder.designMeans(profile), profile.target.mean);
    await factorPass((x, y, rows) => gram.add(x, y, rows));
    if (options.method === "ols") {
      let solution = gram.solveOls();
      if (solution === null) {
        const qr = new QrAccumulator(p);
        await factorPass((x, y, rows) => qr.add(x, y, rows));
        solution = qr.solve(encoder.names);
      }
      weights = solution.beta;
      covariance = solution.covariance;
    } else {
      const solution = gram.solveRidge(options.alpha!);
      weights = new Float64Array(p + 1);
      weights[0] = solution.intercept;
      weights.set(solution.weights, 1);
    }
    const summary: EpochSummary = {
      epoch: 1,
      trainLoss: Number.NaN,
      seconds: (performance.now() - epochStart) / 1000,
    };
    epochs = [summary];
  }

  // Training metrics: one more pass (the model's predictions, whatever the method).
  const train = await sourceMetrics(encoder, weights, source, read);
  const fit = summarise(encoder, weights, covariance);
  const k = p + 1;
  const summary: RegressionSummary = {
    method: options.method,
    target: encoder.target,
    rows: n,
    ...fit,
    train,
    adjustedR2: options.method === "ols" && n - k > 0 ? 1 - ((1 - train.r2) * (n - 1)) / (n - k) : null,
    residualStd: options.method === "ols" && n - k > 0 ? Math.sqrt((train.mse * n) / (n - k)) : null,
  };
  if (options.method !== "sgd") {
    epochs[0]!.trainLoss = train.mse;
    if (dev !== null) {
      const metrics = encodedMetrics(weights, dev);
      epochs[0]!.dev = { mse: metrics.mse, rmse: metrics.rmse, mae: metrics.mae, r2: metrics.r2 };
    }
    hooks.onEpochEnd?.(epochs[0]!);
    hooks.onProgress?.({
      epoch: 1,
      epochs: 1,
      stage: "pass",
      lossName: "mse",
      progress: 1,
      loss: train.mse,
      speed: n / ((performance.now() - t0) / 1000),
      unit: "examples",
      etaSeconds: 0,
    });
  }
  final["trainSeconds"] = (performance.now() - t0) / 1000;
  final["train"] = train;
  if (summary.adjustedR2 !== null) final["adjustedR2"] = summary.adjustedR2;
  if (dev !== null) final["dev"] = encodedMetrics(weights, dev);
  const finishedAt = new Date();
  const record: RunRecord = {
    runId: newRunId(started, options.seed),
    family: REGRESSOR_FAMILY,
    task: REGRESSOR_TASK,
    startedAt: started.toISOString(),
    finishedAt: finishedAt.toISOString(),
    seconds: (finishedAt.getTime() - started.getTime()) / 1000,
    options: { ...options, target: encoder.target, features: encoder.featureNames() },
    data: {
      train: { source: source.name, examples: n, fingerprint: profile.fingerprint },
      ...(data.dev === undefined ? {} : { dev: { source: data.dev.source, examples: data.dev.rows } }),
    },
    epochs,
    stoppedEarly,
    bestEpoch,
    final,
  };
  return new LinearRegressor(options, encoder, weights, summary, record);
}

/** Loads a model directory written by `save`, verifying its checksums. */
export async function loadRegressor(dir: string): Promise<LinearRegressor> {
  const artifact = await readArtifact(dir, REGRESSOR_FAMILY);
  const need = (name: string): Buffer => artifactFile(artifact, name);
  const parse = (name: string): unknown => {
    try {
      return JSON.parse(need(name).toString("utf8"));
    } catch (cause) {
      if (cause instanceof TextkitError) throw cause;
      throw new TextkitError("ARTIFACT_CORRUPT", `model file ${name} in ${dir} is not valid JSON`, {
        file: dir,
        cause,
      });
    }
  };
  // The manifest also names the target and features for people; the encoder holds them.
  const options = artifactOptions(
    artifact,
    (stored) => resolveRegressorOptions(stored as Partial<RegressorOptions>),
    ["target", "features"],
  );
  const encoder = DesignEncoder.fromSpec(parse("encoder.json"), dir);
  const { target, features } = artifact.manifest.options;
  if (target !== encoder.target || !isDeepStrictEqual(features, encoder.featureNames())) {
    throw new TextkitError(
      "ARTIFACT_CORRUPT",
      `the target and features in ${dir}/manifest.json are not those of its encoder.json`,
      { file: join(dir, "manifest.json") },
    );
  }
  const bytes = need("weights.f64");
  if (bytes.byteLength !== (encoder.width + 1) * 8) {
    throw new TextkitError("ARTIFACT_CORRUPT", `the weights in ${dir} do not match its encoder`, {
      file: dir,
    });
  }
  const weights = new Float64Array(encoder.width + 1);
  new Uint8Array(weights.buffer).set(bytes);
  if (!weights.every(Number.isFinite)) {
    throw new TextkitError(
      "ARTIFACT_CORRUPT",
      `the weights in ${dir} hold a value that is not a finite number`,
      {
        file: join(dir, "weights.f64"),
      },
    );
  }
  const summary = parse("summary.json") as RegressionSummary;
  return new LinearRegressor(options, encoder, weights, summary, runRecordOf(artifact.files));
}
