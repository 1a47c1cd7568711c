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
import {
  type RunRecord,
  runManifestFields,
  runRecordFiles,
  runRecordOf,
  TextkitError,
} from "../../core/index.ts";
import type { Table, TableOptions } from "../../data/index.ts";
import { tableFromRecords } from "../../data/index.ts";
import { RegressionAccumulator, type RegressionMetrics } from "../../eval/index.ts";
import { DesignEncoder, fileRows, type RowLocator } from "./design.ts";
import { type RegressorOptions, resolveRegressorOptions } from "./options.ts";
import { linearPredict } from "./sgd.ts";
import type { RegressionSource, SourceReadOptions } from "./source.ts";

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

/** Metrics of `weights` over every chunk of a source, encoded with `encoder`. */
export async function sourceMetrics(
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
