/**
 * Product quantisation of embedding rows, as fastText's `quantize` does: each row cut into
 * sub-vectors of `dsub` values, k-means per sub-space (k-means++ start, Lloyd iterations on
 * a seeded sample of rows), every sub-vector stored as the one-byte index of its nearest
 * centroid.
 */
import type { Random } from "../../core/index.ts";

export interface QuantizeHooks {
  /** Called after each sub-space is trained; `distortion` is the mean squared error per value so far. */
  onProgress?: (progress: { subspace: number; subspaces: number; distortion: number }) => void;
}

/** Lloyd iterations per sub-space: on CLINC150 the error falls by under 1% from 5 to 15. */
export const ITERATIONS = 8;
/**
 * Points a sub-space's k-means trains on, per centroid (all rows when there are fewer).
 * fastText uses 256; past 64 the time grows and accuracy does not.
 */
const POINTS_PER_CENTROID = 64;

/**
 * k-means per sub-space (k-means++ start, Lloyd iterations on a seeded sample of rows),
 * then every row encoded as its nearest centroid in each sub-space.
 */
export function productQuantize(
  data: Float32Array,
  rows: number,
  dim: number,
  dsub: number,
  k: number,
  rng: Random,
  hooks: QuantizeHooks,
): { codebook: Float32Array; codes: Uint8Array } {
  const subspaces = Math.ceil(dim / dsub);
  const codebook = new Float32Array(k * dim);
  const codes = new Uint8Array(rows * subspaces);
  const sampleSize = Math.min(rows, k * POINTS_PER_CENTROID);
  const sample = new Int32Array(rows);
  for (let r = 0; r < rows; r++) sample[r] = r;
  const points = new Float32Array(rows * dsub);
  const assign = new Int32Array(rows);
  const dist = new Float64Array(rows);
  let squaredError = 0;
  for (let m = 0; m < subspaces; m++) {
    const first = m * dsub;
    const width = Math.min(dsub, dim - first);
    // A fresh sample per sub-space keeps any one row's quirks out of most codebooks.
    if (sampleSize < rows) rng.shuffle(sample);
    for (let i = 0; i < sampleSize; i++) {
      const src = sample[i]! * dim + first;
      for (let j = 0; j < width; j++) points[i * width + j] = data[src + j]!;
    }
    const centers = codebook.subarray(k * first, k * (first + width));
    kmeansPlusPlus(points, sampleSize, width, k, centers, dist, rng);
    for (let it = 0; it < ITERATIONS; it++) {
      const changed = assignPoints(points, sampleSize, width, centers, k, assign, dist, it === 0);
      if (changed === 0) break;
      updateCenters(points, sampleSize, width, centers, k, assign);
    }
    for (let r = 0; r < rows; r++) {
      const src = r * dim + first;
      for (let j = 0; j < width; j++) points[r * width + j] = data[src + j]!;
    }
    assignPoints(points, rows, width, centers, k, assign, dist, true);
    for (let r = 0; r < rows; r++) {
      codes[r * subspaces + m] = assign[r]!;
      squaredError += dist[r]!;
    }
    hooks.onProgress?.({ subspace: m + 1, subspaces, distortion: squaredError / (rows * (first + width)) });
  }
  return { codebook, codes };
}

/** k-means++ seeding: each next centre is a point drawn with probability ~ squared distance. */
function kmeansPlusPlus(
  points: Float32Array,
  n: number,
  width: number,
  k: number,
  centers: Float32Array,
  dist: Float64Array,
  rng: Random,
): void {
  let chosen = rng.int(n);
  for (let j = 0; j < width; j++) centers[j] = points[chosen * width + j]!;
  let total = 0;
  for (let i = 0; i < n; i++) {
    dist[i] = squaredDistance(points, i, centers, 0, width);
    total += dist[i]!;
  }
  for (let c = 1; c < k; c++) {
    chosen = n - 1;
    if (total > 0) {
      let r = rng.next() * total;
      for (let i = 0; i < n; i++) {
        r -= dist[i]!;
        if (r < 0) {
          chosen = i;
          break;
        }
      }
    } else {
      chosen = rng.int(n);
    }
    for (let j = 0; j < width; j++) centers[c * width + j] = points[chosen * width + j]!;
    // Summing while updating saves a pass over the points per centre.
    total = 0;
    for (let i = 0; i < n; i++) {
      let d = 0;
      for (let j = 0, p = i * width, q = c * width; j < width; j++) {
        const diff = points[p + j]! - centers[q + j]!;
        d += diff * diff;
      }
      if (d < dist[i]!) dist[i] = d;
      total += dist[i]!;
    }
  }
}

function squaredDistance(
  points: Float32Array,
  i: number,
  centers: Float32Array,
  c: number,
  width: number,
): number {
  let s = 0;
  const p = i * width;
  const q = c * width;
  for (let j = 0; j < width; j++) {
    const d = points[p + j]! - centers[q + j]!;
    s += d * d;
  }
  return s;
}

/**
 * Nearest centre of each point (ties: lowest index), as a brute-force scan would find it but
 * faster: centres are sorted by their first value and searched outwards from the point's,
 * stopping once that value alone is farther than the best centre so far. Starting from the
 * previous assignment makes the bound tight at once. Returns how many assignments changed.
 */
function assignPoints(
  points: Float32Array,
  n: number,
  width: number,
  centers: Float32Array,
  k: number,
  assign: Int32Array,
  dist: Float64Array,
  fresh: boolean,
): number {
  const byFirst = new Int32Array(k);
  for (let c = 0; c < k; c++) byFirst[c] = c;
  byFirst.sort((a, b) => centers[a * width]! - centers[b * width]! || a - b);
  const firsts = new Float64Array(k);
  for (let j = 0; j < k; j++) firsts[j] = centers[byFirst[j]! * width]!;
  let changed = 0;
  for (let i = 0; i < n; i++) {
    const x = points[i * width]!;
    let best = fresh ? -1 : assign[i]!;
    let bestDist = best < 0 ? Number.POSITIVE_INFINITY : squaredDistance(points, i, centers, best, width);
    let hi = 0;
    let top = k;
    while (hi < top) {
      const mid = (hi + top) >> 1;
      if (firsts[mid]! < x) hi = mid + 1;
      else top = mid;
    }
    let lo = hi - 1;
    for (;;) {
      const gapLo = lo >= 0 ? x - firsts[lo]! : Number.POSITIVE_INFINITY;
      const gapHi = hi < k ? firsts[hi]! - x : Number.POSITIVE_INFINITY;
      let c: number;
      if (gapLo <= gapHi) {
        if (!(gapLo * gapLo <= bestDist)) break;
        c = byFirst[lo--]!;
      } else {
        if (!(gapHi * gapHi <= bestDist)) break;
        c = byFirst[hi++]!;
      }
      let d = 0;
      for (let j = 0, p = i * width, q = c * width; j < width; j++) {
        const diff = points[p + j]! - centers[q + j]!;
        d += diff * diff;
      }
      if (d < bestDist || (d === bestDist && c < best)) {
        bestDist = d;
        best = c;
      }
    }
    if (fresh || assign[i] !== best) changed++;
    assign[i] = best;
    dist[i] = bestDist;
  }
  return changed;
}

/** Centres move to the mean of their points; an empty centre splits the largest cluster. */
function updateCenters(
  points: Float32Array,
  n: number,
  width: number,
  centers: Float32Array,
  k: number,
  assign: Int32Array,
): void {
  const sums = new Float64Array(k * width);
  const counts = new Int32Array(k);
  for (let i = 0; i < n; i++) {
    const c = assign[i]!;
    counts[c]!++;
    for (let j = 0; j < width; j++) sums[c * width + j]! += points[i * width + j]!;
  }
  for (let c = 0; c < k; c++) {
    if (counts[c] === 0) continue;
    for (let j = 0; j < width; j++) centers[c * width + j] = sums[c * width + j]! / counts[c]!;
  }
  for (let c = 0; c < k; c++) {
    if (counts[c] !== 0) continue;
    let largest = 0;
    for (let b = 1; b < k; b++) if (counts[b]! > counts[largest]!) largest = b;
    if (counts[largest]! < 2) break;
    // Both halves start a hair apart around the big cluster's centre, as fastText does.
    for (let j = 0; j < width; j++) {
      const v = centers[largest * width + j]!;
      const eps = Math.max(Math.abs(v), 1e-6) * 1e-3;
      centers[c * width + j] = v + (j % 2 === 0 ? eps : -eps);
      centers[largest * width + j] = v - (j % 2 === 0 ? eps : -eps);
    }
    counts[c] = counts[largest]! >> 1;
    counts[largest]! -= counts[c]!;
  }
}
