/**
 * k-means on rows of numbers (embeddings, measurements) as a model: the centroids with
 * their column names, saved and loaded like every model, assigning new rows.
 */
import { createHash } from "node:crypto";
import {
  type Artifact,
  bytesOf,
  type ManifestInput,
  saveModel,
  type TrainedModel,
} from "../../artifact/index.ts";
import type { RunRecord, TrainHooks } from "../../core/index.ts";
import { TextkitError } from "../../core/index.ts";
import type { NumericRows } from "../../data/index.ts";
import { adjustedRandIndex } from "../../eval/index.ts";
import { distancesToCentroids, kMeansPredict } from "../numeric/index.ts";
import {
  assignmentsOf,
  type ClusterAssignment,
  clusterArtifactParts,
  clusterCorrupt,
  clusterRunRecord,
  readClusterCore,
} from "./cluster-common.ts";
import { fitKMeans, type KChoice } from "./fit.ts";
import { type NumericClusterOptions, resolveNumericClusterOptions } from "./options.ts";

export const NUMERIC_CLUSTER_TASK = "numeric-clustering";
/** Rows kept per cluster as the ones nearest its centroid. */
const NEAREST_ROWS = 3;

export interface NumericClusterSummary {
  cluster: number;
  size: number;
  /** The centroid, one value per column. */
  centroid: number[];
  /** 1-based lines (in the training file) of the rows nearest the centroid, nearest first. */
  nearestLines: number[];
}

export interface NumericClusterParts {
  options: NumericClusterOptions;
  columns: string[];
  k: number;
  centroids: Float32Array;
  clusters: NumericClusterSummary[];
  selection: KChoice[];
  inertia: number;
  silhouette: number | null;
  runRecord: RunRecord | null;
}

/** Rows with a known class each, to score clusters against (`NumericClusterModel.evaluate`). */
export interface LabelledRows {
  rows: NumericRows;
  /** One class per row, in row order. */
  labels: readonly (string | number)[];
}

/** How well clusters of rows agree with known classes. */
export interface NumericClusterEvaluation {
  /** Adjusted Rand index: 1 same partition, about 0 chance. */
  adjustedRandIndex: number;
  /** Rows scored. */
  examples: number;
  /** Distinct classes among them. */
  labels: number;
  assignments: ClusterAssignment[];
}

/** Clusters of numeric rows. Create one with `trainNumericClusters` or `loadClusterModel`. */
export class NumericClusterModel
  implements
    TrainedModel<readonly (readonly number[])[], ClusterAssignment[], LabelledRows, NumericClusterEvaluation>
{
  readonly task = NUMERIC_CLUSTER_TASK;
  readonly options: NumericClusterOptions;
  readonly columns: readonly string[];
  readonly k: number;
  readonly dim: number;
  readonly centroids: Float32Array;
  readonly clusters: readonly NumericClusterSummary[];
  readonly selection: readonly KChoice[];
  readonly inertia: number;
  readonly silhouette: number | null;
  readonly runRecord: RunRecord | null;

  constructor(parts: NumericClusterParts) {
    this.options = parts.options;
    this.columns = parts.columns;
    this.k = parts.k;
    this.dim = parts.columns.length;
    this.centroids = parts.centroids;
    this.clusters = parts.clusters;
    this.selection = parts.selection;
    this.inertia = parts.inertia;
    this.silhouette = parts.silhouette;
    this.runRecord = parts.runRecord;
  }

  /**
   * The nearest cluster of each row (one number per column, in `columns` order).
   *
   * @example
   * model.predict([[5.1, 3.5, 1.4, 0.2]]); // [{ cluster: 1, distance: 0.14 }]
   */
  predict(rows: readonly (readonly number[])[]): ClusterAssignment[] {
    const dim = this.dim;
    const values = new Float32Array(rows.length * dim);
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!;
      if (!Array.isArray(row) || row.length !== dim) {
        throw new TextkitError(
          "INPUT_INVALID",
          `row ${i} has ${Array.isArray(row) ? row.length : "no"} values; this model takes ${dim} (${this.columns.join(", ")})`,
        );
      }
      for (let d = 0; d < dim; d++) {
        const v = row[d];
        if (typeof v !== "number" || !Number.isFinite(v)) {
          throw new TextkitError(
            "INPUT_INVALID",
            `row ${i}, column "${this.columns[d]}" is ${String(v)}, not a finite number`,
          );
        }
        values[i * dim + d] = v;
      }
    }
    return this.predictValues(values, rows.length);
  }

  /** Like `predict`, for n rows already in a Float32Array (row-major). */
  predictValues(values: Float32Array, n: number): ClusterAssignment[] {
    return assignmentsOf(
      kMeansPredict(values, n, this.dim, this.centroids, this.k, { metric: this.options.metric }),
    );
  }

  /**
   * Agreement of the clusters of `rows` with known classes, as the adjusted Rand index.
   * Throws INPUT_INVALID when there is not one class per row.
   */
  evaluate(data: LabelledRows): NumericClusterEvaluation {
    const { rows, labels } = data;
    if (labels.length !== rows.n) {
      throw new TextkitError(
        "INPUT_INVALID",
        `${rows.source} has ${rows.n} rows but ${labels.length} classes were given; give one class per row`,
        { file: rows.source },
      );
    }
    const assignments = this.predictValues(rows.values, rows.n);
    return {
      adjustedRandIndex: adjustedRandIndex(
        labels,
        assignments.map((a) => a.cluster),
      ),
      examples: rows.n,
      labels: new Set(labels).size,
      assignments,
    };
  }

  /** Writes the model directory atomically (see `saveModel`). */
  async save(dir: string): Promise<void> {
    await saveModel(this, dir);
  }

  /** @internal What `save` writes. */
  artifactParts(): { manifest: ManifestInput; files: Record<string, Uint8Array> } {
    return clusterArtifactParts(NUMERIC_CLUSTER_TASK, this, { columns: this.columns }, {});
  }
}

/** SHA-256 of the column names and values: which rows a model was trained on. */
function rowsFingerprint(rows: NumericRows): string {
  const hash = createHash("sha256");
  hash.update("textkit-numeric-rows-v1\n");
  hash.update(JSON.stringify(rows.columns));
  hash.update(bytesOf(rows.values));
  return hash.digest("hex");
}

/**
 * Groups rows of numbers by k-means (Euclidean by default). With `k: { min, max }` each k
 * is tried and the one with the highest silhouette kept.
 *
 * @example
 * const rows = await readNumericRows("embeddings.csv");
 * const model = await trainNumericClusters(rows, { k: { min: 2, max: 10 } });
 * model.k; model.silhouette;
 */
export async function trainNumericClusters(
  rows: NumericRows,
  partialOptions: Partial<NumericClusterOptions> = {},
  hooks: TrainHooks = {},
): Promise<NumericClusterModel> {
  const options = resolveNumericClusterOptions(partialOptions);
  const started = new Date();
  const t0 = performance.now();
  const { n, dim, values } = rows;
  if (n === 0)
    throw new TextkitError("DATA_EMPTY", `${rows.source} has no rows to cluster`, { file: rows.source });
  const fit = fitKMeans(values, n, dim, options, "rows", hooks);
  const { k, result } = fit;
  const distances = distancesToCentroids(values, n, dim, result.centroids, k, result.assignments, {
    metric: options.metric,
  });
  const sizes = new Int32Array(k);
  for (let i = 0; i < n; i++) sizes[result.assignments[i]!]!++;
  const order = Array.from({ length: n }, (_, i) => i);
  order.sort((a, b) => distances[a]! - distances[b]! || a - b);
  const nearest: number[][] = Array.from({ length: k }, () => []);
  for (const i of order) {
    const list = nearest[result.assignments[i]!]!;
    if (list.length < NEAREST_ROWS) list.push(rows.lines[i]!);
  }
  const clusters: NumericClusterSummary[] = [];
  for (let c = 0; c < k; c++) {
    clusters.push({
      cluster: c,
      size: sizes[c]!,
      centroid: Array.from(result.centroids.subarray(c * dim, (c + 1) * dim)),
      nearestLines: nearest[c]!,
    });
  }
  const record = clusterRunRecord(
    NUMERIC_CLUSTER_TASK,
    started,
    { ...options },
    { source: rows.source, examples: n, fingerprint: rowsFingerprint(rows) },
    fit,
    { sizes: Array.from(sizes), columns: rows.columns, trainSeconds: (performance.now() - t0) / 1000 },
  );
  return new NumericClusterModel({
    options,
    columns: [...rows.columns],
    k,
    centroids: result.centroids,
    clusters,
    selection: fit.table,
    inertia: result.inertia,
    silhouette: fit.silhouette,
    runRecord: record,
  });
}

/** @internal The parts of a numeric cluster artifact, checked. */
export function numericClusterModelFrom(
  artifact: Artifact,
  options: NumericClusterOptions,
): NumericClusterModel {
  const { info, centroids, runRecord } = readClusterCore(artifact);
  if (info.columns === undefined || info.columns.length !== info.dim)
    throw clusterCorrupt(artifact.dir, "does not name its columns");
  return new NumericClusterModel({
    options,
    columns: info.columns,
    k: info.k,
    centroids,
    clusters: info.clusters as NumericClusterSummary[],
    selection: info.selection,
    inertia: info.inertia,
    silhouette: info.silhouette,
    runRecord,
  });
}
