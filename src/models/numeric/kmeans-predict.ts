/** Assignment of new rows to trained centres, and the distances of rows to every centre. */
import { TextkitError } from "../../core/index.ts";
import type { KMeansMetric } from "./kmeans.ts";
import { ownDistances } from "./kmeans-centroids.ts";
import { dotProduct } from "./kmeans-kernels.ts";
import type { KMeansData, Rows } from "./kmeans-rows.ts";
import { checkShape, prepareRows } from "./kmeans-rows.ts";

/** Per-centroid terms of the assignment score (score = term - x·c; lower is nearer). */
export function centroidTerms(
  centroids: Float64Array,
  k: number,
  dim: number,
  cosine: boolean,
  out: Float64Array,
): void {
  for (let c = 0; c < k; c++) {
    if (cosine) {
      out[c] = 0;
      continue;
    }
    let s = 0;
    const co = c * dim;
    for (let d = 0; d < dim; d++) s += centroids[co + d]! * centroids[co + d]!;
    out[c] = s / 2;
  }
}

/** Scratch buffers of the assignment step. */
export interface AssignScratch {
  terms: Float64Array;
  /** Centroids column-major (dim × k), for sparse rows. */
  transposed: Float32Array | null;
  dots: Float64Array;
}

export function newScratch(rows: Rows, k: number): AssignScratch {
  return {
    terms: new Float64Array(k),
    transposed: rows.sparse === null ? null : new Float32Array(rows.dim * k),
    dots: new Float64Array(k),
  };
}

/**
 * Assigns every row to its nearest centroid in one pass, writing `labels` and the distance
 * to it in `dist`; returns how many labels changed. Distance = |x|² - 2x·c + |c|²
 * (euclidean) or 1 - x·c (cosine, unit rows and centres), with the centre terms computed
 * once per call. For new rows; training keeps Hamerly's bounds between iterations instead.
 */
export function assign(
  rows: Rows,
  centroids: Float64Array,
  k: number,
  labels: Int32Array,
  dist: Float64Array,
  scratch: AssignScratch,
): number {
  const { n, dim } = rows;
  const { terms, dots } = scratch;
  centroidTerms(centroids, k, dim, rows.cosine, terms);
  let changed = 0;
  if (rows.dense !== null) {
    const x = rows.dense;
    for (let i = 0; i < n; i++) {
      const off = i * dim;
      for (let c = 0; c < k; c++) dots[c] = dotProduct(x, off, centroids, c * dim, dim);
      changed += settle(rows, i, terms, dots, k, labels, dist);
    }
    return changed;
  }
  const { rowStart, columns, values } = rows.sparse!;
  const t = scratch.transposed!;
  for (let c = 0; c < k; c++) {
    const co = c * dim;
    for (let d = 0; d < dim; d++) t[d * k + c] = centroids[co + d]!;
  }
  for (let i = 0; i < n; i++) {
    dots.fill(0);
    for (let p = rowStart[i]!; p < rowStart[i + 1]!; p++) {
      const v = values[p]!;
      const base = columns[p]! * k;
      for (let c = 0; c < k; c++) dots[c]! += v * t[base + c]!;
    }
    changed += settle(rows, i, terms, dots, k, labels, dist);
  }
  return changed;
}

/**
 * Row `i` to the centre of lowest score `terms[c] - dots[c]` (the first on a tie), its
 * distance from that score; returns 1 when its label changed, else 0.
 */
function settle(
  rows: Rows,
  i: number,
  terms: Float64Array,
  dots: Float64Array,
  k: number,
  labels: Int32Array,
  dist: Float64Array,
): number {
  let best = 0;
  let bestScore = Number.POSITIVE_INFINITY;
  for (let c = 0; c < k; c++) {
    const score = terms[c]! - dots[c]!;
    if (score < bestScore) {
      bestScore = score;
      best = c;
    }
  }
  dist[i] = rows.cosine ? Math.max(0, 1 + bestScore) : Math.max(0, rows.norms[i]! + 2 * bestScore);
  if (labels[i] === best) return 0;
  labels[i] = best;
  return 1;
}

export interface KMeansPrediction {
  /** Nearest centroid of each row. */
  assignments: Int32Array;
  /** Euclidean distance (not squared) to it, or 1 - cosine similarity for the cosine metric. */
  distances: Float64Array;
}

/**
 * Assigns new rows to the nearest of `k` centroids (as returned by `kMeans`).
 *
 * @example
 * const model = kMeans(train, n, dim, { k: 8, nInit: 10 });
 * const { assignments, distances } = kMeansPredict(rows, m, dim, model.centroids, 8);
 */
export function kMeansPredict(
  data: KMeansData,
  n: number,
  dim: number,
  centroids: Float32Array,
  k: number,
  options: { metric?: KMeansMetric } = {},
): KMeansPrediction {
  const metric = options.metric ?? "euclidean";
  checkCentroids(centroids, k, dim);
  checkShape(data, n, dim, "k-means prediction");
  const rows = prepareRows(data, n, dim, metric === "cosine");
  const assignments = new Int32Array(n).fill(-1);
  const distances = new Float64Array(n);
  const c64 = centroidsForMetric(centroids, k, dim, metric);
  assign(rows, c64, k, assignments, distances, newScratch(rows, k));
  if (metric === "euclidean") for (let i = 0; i < n; i++) distances[i] = Math.sqrt(distances[i]!);
  return { assignments, distances };
}

export function checkCentroids(centroids: Float32Array, k: number, dim: number): void {
  if (!Number.isInteger(k) || k < 1 || centroids.length !== k * dim) {
    throw new TextkitError(
      "INPUT_INVALID",
      `expected ${k} centroids of ${dim} numbers, got ${centroids.length} numbers`,
    );
  }
}

/** Centroids in float64; for cosine scaled to unit length (stored ones are already; hand-made ones may not be). */
export function centroidsForMetric(
  centroids: Float32Array,
  k: number,
  dim: number,
  metric: KMeansMetric,
): Float64Array {
  const c64 = Float64Array.from(centroids);
  if (metric === "cosine") {
    for (let c = 0; c < k; c++) {
      let s = 0;
      for (let d = 0; d < dim; d++) s += c64[c * dim + d]! ** 2;
      if (s > 0) for (let d = 0; d < dim; d++) c64[c * dim + d] = c64[c * dim + d]! / Math.sqrt(s);
    }
  }
  return c64;
}

/**
 * The distance of each row to the centroid it is assigned to: Euclidean (not squared), or
 * 1 - cosine similarity for the cosine metric.
 *
 * @example
 * const r = kMeans(rows, n, dim, { k: 4 });
 * distancesToCentroids(rows, n, dim, r.centroids, 4, r.assignments); // how typical each row is
 */
export function distancesToCentroids(
  data: KMeansData,
  n: number,
  dim: number,
  centroids: Float32Array,
  k: number,
  assignments: Int32Array,
  options: { metric?: KMeansMetric } = {},
): Float64Array {
  const metric = options.metric ?? "euclidean";
  checkCentroids(centroids, k, dim);
  checkShape(data, n, dim, "centroid distances");
  if (assignments.length !== n) {
    throw new TextkitError("INPUT_INVALID", `${assignments.length} assignments for ${n} rows`);
  }
  for (let i = 0; i < n; i++) {
    if (!(assignments[i]! >= 0 && assignments[i]! < k)) {
      throw new TextkitError("INPUT_INVALID", `row ${i} is in cluster ${assignments[i]}, outside [0, ${k})`);
    }
  }
  const rows = prepareRows(data, n, dim, metric === "cosine");
  const out = new Float64Array(n);
  ownDistances(rows, centroidsForMetric(centroids, k, dim, metric), k, assignments, out);
  if (metric === "euclidean") for (let i = 0; i < n; i++) out[i] = Math.sqrt(out[i]!);
  return out;
}
