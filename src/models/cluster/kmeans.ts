/**
 * k-means on dense rows (Lloyd's algorithm with k-means++ seeding). Used to turn word
 * vectors into word clusters for the tagger; the cluster model family builds on it.
 */
import { TextkitError } from "../../core/errors.ts";
import { Random } from "../../core/random.ts";

export interface KMeansOptions {
  k: number;
  seed?: number;
  /** Most Lloyd iterations (default 50); stops sooner when no point changes cluster. */
  maxIterations?: number;
}

export interface KMeansResult {
  /** Cluster of each row. */
  assignments: Int32Array;
  /** k × dim centroids. */
  centroids: Float32Array;
  /** Sum of squared distances of rows to their centroid. */
  inertia: number;
  iterations: number;
}

function squaredDistance(a: Float32Array, ai: number, b: Float32Array, bi: number, dim: number): number {
  let s = 0;
  for (let d = 0; d < dim; d++) {
    const x = a[ai + d]! - b[bi + d]!;
    s += x * x;
  }
  return s;
}

/**
 * Clusters `n` rows of `dim` numbers (row-major in `data`) into `k` groups.
 *
 * @example
 * const { assignments } = kMeans(new Float32Array([0, 0, 0, 1, 9, 9, 9, 8]), 4, 2, { k: 2, seed: 1 });
 * // rows 0 and 1 share a cluster; rows 2 and 3 share the other
 */
export function kMeans(data: Float32Array, n: number, dim: number, options: KMeansOptions): KMeansResult {
  const k = options.k;
  if (!Number.isInteger(k) || k < 1)
    throw new TextkitError("OPTION_INVALID", `k must be a whole number >= 1, got ${k}`);
  if (n < k) throw new TextkitError("OPTION_INVALID", `k-means needs at least k = ${k} rows; there are ${n}`);
  if (data.length < n * dim) throw new TextkitError("INTERNAL", "k-means data is shorter than n × dim");
  const rng = new Random(options.seed ?? 1);
  const maxIterations = options.maxIterations ?? 50;
  const centroids = new Float32Array(k * dim);

  // k-means++: each next centre is drawn with probability proportional to the squared
  // distance to the nearest centre chosen so far.
  const nearest = new Float64Array(n).fill(Number.POSITIVE_INFINITY);
  let pick = rng.int(n);
  for (let c = 0; c < k; c++) {
    centroids.set(data.subarray(pick * dim, pick * dim + dim), c * dim);
    let total = 0;
    for (let i = 0; i < n; i++) {
      const d = squaredDistance(data, i * dim, centroids, c * dim, dim);
      if (d < nearest[i]!) nearest[i] = d;
      total += nearest[i]!;
    }
    if (c + 1 === k) break;
    if (total === 0) {
      pick = rng.int(n);
      continue;
    }
    let r = rng.next() * total;
    pick = n - 1;
    for (let i = 0; i < n; i++) {
      r -= nearest[i]!;
      if (r < 0) {
        pick = i;
        break;
      }
    }
  }

  const assignments = new Int32Array(n).fill(-1);
  const sums = new Float64Array(k * dim);
  const counts = new Int32Array(k);
  let iterations = 0;
  let inertia = 0;
  for (; iterations < maxIterations; iterations++) {
    let changed = 0;
    inertia = 0;
    for (let i = 0; i < n; i++) {
      let best = 0;
      let bestD = Number.POSITIVE_INFINITY;
      for (let c = 0; c < k; c++) {
        const d = squaredDistance(data, i * dim, centroids, c * dim, dim);
        if (d < bestD) {
          bestD = d;
          best = c;
        }
      }
      inertia += bestD;
      if (assignments[i] !== best) {
        assignments[i] = best;
        changed++;
      }
    }
    if (changed === 0 && iterations > 0) break;
    sums.fill(0);
    counts.fill(0);
    for (let i = 0; i < n; i++) {
      const c = assignments[i]!;
      counts[c]!++;
      for (let d = 0; d < dim; d++) sums[c * dim + d]! += data[i * dim + d]!;
    }
    for (let c = 0; c < k; c++) {
      // An empty cluster keeps its centre; it may win points back next round.
      if (counts[c] === 0) continue;
      for (let d = 0; d < dim; d++) centroids[c * dim + d] = sums[c * dim + d]! / counts[c]!;
    }
  }
  return { assignments, centroids, inertia, iterations };
}
