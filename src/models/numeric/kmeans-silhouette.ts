/** The silhouette score of a clustering, exact or on a seeded sample of rows. */
import { checkInt, Random, TextkitError } from "../../core/index.ts";
import type { KMeansMetric } from "./kmeans.ts";
import { cosineDistance } from "./kmeans-kernels.ts";
import type { KMeansData } from "./kmeans-rows.ts";
import { checkShape, isSparse } from "./kmeans-rows.ts";

export interface SilhouetteOptions {
  /**
   * Score a random sample of this many rows (without replacement) instead of all of them,
   * as scikit-learn's silhouette_score sample_size. Default 5000: exact up to 5000 rows.
   * The work grows with the square of the rows scored.
   */
  sampleSize?: number;
  /** Seed of the sample (default 1). */
  seed?: number;
  /** euclidean (default: Euclidean distance, not squared) or cosine (1 - cosine similarity). */
  metric?: KMeansMetric;
}

export const DEFAULT_SILHOUETTE_SAMPLE = 5000;

/**
 * The mean silhouette coefficient of a clustering, as scikit-learn's silhouette_score: for
 * each row, (b - a) / max(a, b) where a is its mean distance to the other rows of its
 * cluster and b the lowest mean distance to the rows of another cluster; 0 for a row alone
 * in its cluster. Between -1 and 1, higher is better separated.
 *
 * @example
 * const { assignments } = kMeans(data, n, dim, { k: 3, nInit: 10 });
 * silhouette(data, n, dim, assignments, 3); // e.g. 0.55
 */
export function silhouette(
  data: KMeansData,
  n: number,
  dim: number,
  assignments: Int32Array,
  k: number,
  options: SilhouetteOptions = {},
): number {
  const sampleSize = options.sampleSize ?? DEFAULT_SILHOUETTE_SAMPLE;
  const metric = options.metric ?? "euclidean";
  checkInt("sampleSize", sampleSize, 2, 2 ** 31 - 1);
  checkShape(data, n, dim, "silhouette");
  if (assignments.length !== n) {
    throw new TextkitError(
      "INPUT_INVALID",
      `silhouette needs one cluster per row: ${assignments.length} for ${n} rows`,
    );
  }
  for (let i = 0; i < n; i++) {
    if (!(assignments[i]! >= 0 && assignments[i]! < k)) {
      throw new TextkitError("INPUT_INVALID", `row ${i} is in cluster ${assignments[i]}, outside [0, ${k})`);
    }
  }
  const m = Math.min(n, sampleSize);
  const chosen = new Int32Array(n);
  for (let i = 0; i < n; i++) chosen[i] = i;
  if (m < n) {
    const rng = new Random(options.seed ?? 1);
    for (let i = 0; i < m; i++) {
      const j = i + rng.int(n - i);
      const t = chosen[i]!;
      chosen[i] = chosen[j]!;
      chosen[j] = t;
    }
  }
  const sample = chosen.subarray(0, m);
  const labels = new Int32Array(m);
  const sizes = new Float64Array(k);
  for (let a = 0; a < m; a++) {
    labels[a] = assignments[sample[a]!]!;
    sizes[labels[a]!]!++;
  }
  let used = 0;
  for (let c = 0; c < k; c++) if (sizes[c]! > 0) used++;
  if (used < 2 || used > m - 1) {
    throw new TextkitError(
      "INPUT_INVALID",
      `the silhouette needs 2 to ${m - 1} clusters among the rows scored; there are ${used}`,
    );
  }
  const sums = sampleDistanceSums(data, dim, sample, labels, k, metric);
  let total = 0;
  for (let a = 0; a < m; a++) {
    const own = labels[a]!;
    if (sizes[own]! <= 1) continue;
    const inner = sums[a * k + own]! / (sizes[own]! - 1);
    let outer = Number.POSITIVE_INFINITY;
    for (let c = 0; c < k; c++) {
      if (c === own || sizes[c] === 0) continue;
      const mean = sums[a * k + c]! / sizes[c]!;
      if (mean < outer) outer = mean;
    }
    const denom = Math.max(inner, outer);
    if (denom > 0) total += (outer - inner) / denom;
  }
  return total / m;
}

/** For each sampled row a and cluster c, the sum of distances from a to the sampled rows of c. */
export function sampleDistanceSums(
  data: KMeansData,
  dim: number,
  sample: Int32Array,
  labels: Int32Array,
  k: number,
  metric: KMeansMetric,
): Float64Array {
  const m = sample.length;
  const sums = new Float64Array(m * k);
  const cosine = metric === "cosine";
  // Row norms, for cosine and for sparse rows.
  const norms = new Float64Array(m);
  const sparse = isSparse(data) ? data : null;
  const dense = isSparse(data) ? null : data;
  for (let a = 0; a < m; a++) {
    const i = sample[a]!;
    let s = 0;
    if (dense !== null) for (let d = 0; d < dim; d++) s += dense[i * dim + d]! ** 2;
    else for (let p = sparse!.rowStart[i]!; p < sparse!.rowStart[i + 1]!; p++) s += sparse!.values[p]! ** 2;
    norms[a] = s;
  }
  const scratch = new Float64Array(dim);
  for (let a = 0; a < m; a++) {
    const i = sample[a]!;
    const la = labels[a]!;
    if (dense !== null) {
      const io = i * dim;
      for (let b = a + 1; b < m; b++) {
        const jo = sample[b]! * dim;
        let s = 0;
        if (cosine) {
          for (let d = 0; d < dim; d++) s += dense[io + d]! * dense[jo + d]!;
        } else {
          for (let d = 0; d < dim; d++) {
            const e = dense[io + d]! - dense[jo + d]!;
            s += e * e;
          }
        }
        const dist = cosine ? cosineDistance(s, norms[a]!, norms[b]!) : Math.sqrt(s);
        sums[a * k + labels[b]!]! += dist;
        sums[b * k + la]! += dist;
      }
      continue;
    }
    const { rowStart, columns, values } = sparse!;
    for (let p = rowStart[i]!; p < rowStart[i + 1]!; p++) scratch[columns[p]!] = values[p]!;
    for (let b = a + 1; b < m; b++) {
      const j = sample[b]!;
      let dot = 0;
      for (let p = rowStart[j]!; p < rowStart[j + 1]!; p++) dot += values[p]! * scratch[columns[p]!]!;
      const dist = cosine
        ? cosineDistance(dot, norms[a]!, norms[b]!)
        : Math.sqrt(Math.max(0, norms[a]! + norms[b]! - 2 * dot));
      sums[a * k + labels[b]!]! += dist;
      sums[b * k + la]! += dist;
    }
    for (let p = rowStart[i]!; p < rowStart[i + 1]!; p++) scratch[columns[p]!] = 0;
  }
  return sums;
}
