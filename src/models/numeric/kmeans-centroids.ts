/** The centres of a Lloyd iteration: each cluster's mean, empty clusters refilled, and each row's distance to its own centre. */
import type { Rows } from "./kmeans-rows.ts";

/**
 * Distance of every row to its own centroid into `dist` (squared Euclidean, or 1 - cosine),
 * computed exactly; returns their sum, the inertia.
 */
export function ownDistances(
  rows: Rows,
  centroids: Float64Array,
  k: number,
  labels: Int32Array,
  dist: Float64Array,
): number {
  const { n, dim, norms, cosine } = rows;
  let total = 0;
  if (rows.dense !== null) {
    const x = rows.dense;
    for (let i = 0; i < n; i++) {
      const co = labels[i]! * dim;
      const off = i * dim;
      let s = 0;
      if (cosine) {
        for (let d = 0; d < dim; d++) s += x[off + d]! * centroids[co + d]!;
        s = Math.max(0, 1 - s);
      } else {
        // Direct differences: exact where the dot-product form can cancel.
        for (let d = 0; d < dim; d++) {
          const e = x[off + d]! - centroids[co + d]!;
          s += e * e;
        }
      }
      dist[i] = s;
      total += s;
    }
    return total;
  }
  const centreNorms = new Float64Array(k);
  for (let c = 0; c < k; c++) {
    let s = 0;
    for (let d = 0; d < dim; d++) s += centroids[c * dim + d]! ** 2;
    centreNorms[c] = s;
  }
  const { rowStart, columns, values } = rows.sparse!;
  for (let i = 0; i < n; i++) {
    const c = labels[i]!;
    const co = c * dim;
    let dot = 0;
    for (let p = rowStart[i]!; p < rowStart[i + 1]!; p++) dot += values[p]! * centroids[co + columns[p]!]!;
    const s = cosine ? Math.max(0, 1 - dot) : Math.max(0, norms[i]! - 2 * dot + centreNorms[c]!);
    dist[i] = s;
    total += s;
  }
  return total;
}

/**
 * Each cluster's sum of rows and count, kept from one Lloyd iteration to the next: only the
 * rows whose label changed move their values between sums, so after the first iterations
 * (when few rows change) an update reads a handful of rows instead of all of them. The
 * profile of bench:cluster (blobs, 100,000 × 50) had a quarter of the fit in recomputing
 * every sum at every iteration. Subtracting and adding back leaves rounding of about 1e-16
 * of a sum per move, far below what changes a label.
 */
export class CentroidSums {
  readonly sums: Float64Array;
  readonly counts: Float64Array;
  /** The cluster whose sum holds each row (-1: none yet). */
  private readonly members: Int32Array;

  constructor(n: number, k: number, dim: number) {
    this.sums = new Float64Array(k * dim);
    this.counts = new Float64Array(k);
    this.members = new Int32Array(n).fill(-1);
  }

  /** Empties every sum (a new restart). */
  reset(): void {
    this.sums.fill(0);
    this.counts.fill(0);
    this.members.fill(-1);
  }

  /** Moves each row whose label differs from the sum that holds it. */
  follow(rows: Rows, labels: Int32Array): void {
    const { members } = this;
    for (let i = 0; i < rows.n; i++) {
      const c = labels[i]!;
      const was = members[i]!;
      if (c === was) continue;
      if (was >= 0) this.move(rows, i, was, -1);
      this.move(rows, i, c, 1);
      members[i] = c;
    }
  }

  /** Adds (sign 1) or removes (sign -1) row i to or from cluster c's sum. */
  private move(rows: Rows, i: number, c: number, sign: 1 | -1): void {
    const { sums } = this;
    const dim = rows.dim;
    const co = c * dim;
    this.counts[c]! += sign;
    if (rows.dense !== null) {
      const x = rows.dense;
      const off = i * dim;
      if (sign > 0) for (let d = 0; d < dim; d++) sums[co + d]! += x[off + d]!;
      else for (let d = 0; d < dim; d++) sums[co + d]! -= x[off + d]!;
      return;
    }
    const { rowStart, columns, values } = rows.sparse!;
    for (let p = rowStart[i]!; p < rowStart[i + 1]!; p++) sums[co + columns[p]!]! += sign * values[p]!;
  }

  /** Gives row i to empty cluster c (its label is left for the next assignment to settle). */
  relocate(rows: Rows, i: number, c: number): void {
    const was = this.members[i]!;
    if (was >= 0) this.move(rows, i, was, -1);
    this.move(rows, i, c, 1);
    this.members[i] = c;
  }
}

/**
 * New centres into `out`: the mean of each cluster's rows (scaled to unit length for
 * cosine). An empty cluster takes the row farthest from its own centre, as scikit-learn
 * does; that row's old cluster gives it up. `dist` holds each row's distance to its centre
 * in `old` when `distExact`, else it is computed here if a cluster is empty.
 */
export function updateCentroids(
  rows: Rows,
  labels: Int32Array,
  old: Float64Array,
  dist: Float64Array,
  distExact: boolean,
  k: number,
  out: Float64Array,
  sums: CentroidSums,
): void {
  const dim = rows.dim;
  sums.follow(rows, labels);
  const counts = sums.counts;
  let empty = 0;
  for (let c = 0; c < k; c++) if (counts[c] === 0) empty++;
  if (empty > 0) {
    if (!distExact) ownDistances(rows, old, k, labels, dist);
    relocateEmpty(rows, dist, k, sums, empty);
  }
  const total = sums.sums;
  for (let c = 0; c < k; c++) {
    const co = c * dim;
    const w = counts[c]!;
    if (w > 0) for (let d = 0; d < dim; d++) out[co + d] = total[co + d]! / w;
    else out.fill(0, co, co + dim);
    if (rows.cosine) {
      let s = 0;
      for (let d = 0; d < dim; d++) s += out[co + d]! * out[co + d]!;
      if (s > 0) {
        const scale = 1 / Math.sqrt(s);
        for (let d = 0; d < dim; d++) out[co + d] = out[co + d]! * scale;
      }
    }
  }
}

/** Gives each empty cluster one of the `empty` rows farthest from their centres, farthest first. */
export function relocateEmpty(
  rows: Rows,
  dist: Float64Array,
  k: number,
  sums: CentroidSums,
  empty: number,
): void {
  const n = rows.n;
  // The `empty` rows farthest from their centres, farthest first (ties: lower index).
  const far: number[] = [];
  for (let i = 0; i < n; i++) {
    if (far.length === empty && dist[i]! <= dist[far[empty - 1]!]!) continue;
    let j = far.length < empty ? far.length : empty - 1;
    far[j] = i;
    while (j > 0 && dist[far[j - 1]!]! < dist[i]!) {
      far[j] = far[j - 1]!;
      far[j - 1] = i;
      j--;
    }
  }
  let next = 0;
  for (let c = 0; c < k && next < far.length; c++) {
    if (sums.counts[c] !== 0) continue;
    sums.relocate(rows, far[next++]!, c);
  }
}

export function squaredShift(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let j = 0; j < a.length; j++) {
    const e = a[j]! - b[j]!;
    s += e * e;
  }
  return s;
}
