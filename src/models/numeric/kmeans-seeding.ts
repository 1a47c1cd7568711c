/**
 * Greedy k-means++ seeding, as scikit-learn's: each centre is the best of 2 + ln(k)
 * candidates drawn in proportion to their squared distance to the centres so far. Dense
 * rows are compared with the candidates through the WebAssembly SIMD kernel (row · candidate,
 * all candidates per cached block of rows; distance = |x|² + |c|² - 2 x·c, as scikit-learn's
 * float32 path); where SIMD is missing, a scalar loop skips the candidates the triangle
 * inequality rules out.
 */
import type { Random } from "../../core/index.ts";
import { blockOfFour, centreDistance, interleave } from "./kmeans-kernels.ts";
import type { Rows } from "./kmeans-rows.ts";
import { RowDots } from "./row-dots.ts";

/** Distance of every row to row `j` into `out` (squared Euclidean, or 1 - cosine). `scratch` has dim items. */
export function distancesToRow(rows: Rows, j: number, out: Float64Array, scratch: Float64Array): void {
  const { n, dim, norms, cosine } = rows;
  if (rows.dense !== null) {
    const x = rows.dense;
    const jo = j * dim;
    for (let d = 0; d < dim; d++) scratch[d] = x[jo + d]!;
    for (let i = 0; i < n; i++) {
      const off = i * dim;
      let s = 0;
      if (cosine) {
        for (let d = 0; d < dim; d++) s += x[off + d]! * scratch[d]!;
        out[i] = Math.max(0, 1 - s);
      } else {
        for (let d = 0; d < dim; d++) {
          const e = x[off + d]! - scratch[d]!;
          s += e * e;
        }
        out[i] = s;
      }
    }
    return;
  }
  const { rowStart, columns, values } = rows.sparse!;
  const nj = norms[j]!;
  if (cosine && nj === 0) {
    out.fill(1, 0, n);
    return;
  }
  const index = rows.byColumn;
  if (index !== null) {
    // Only rows that share a column with row j have a non-zero dot product with it.
    const { columnStart, rowsOf, valuesOf, dots, touched, marked } = index;
    let count = 0;
    for (let p = rowStart[j]!; p < rowStart[j + 1]!; p++) {
      const v = values[p]!;
      const c = columns[p]!;
      for (let q = columnStart[c]!; q < columnStart[c + 1]!; q++) {
        const r = rowsOf[q]!;
        if (marked[r] === 0) {
          marked[r] = 1;
          touched[count++] = r;
        }
        dots[r]! += v * valuesOf[q]!;
      }
    }
    for (let i = 0; i < n; i++) out[i] = cosine ? 1 : norms[i]! + nj;
    for (let t = 0; t < count; t++) {
      const r = touched[t]!;
      const dot = dots[r]!;
      out[r] = cosine ? Math.max(0, 1 - dot) : Math.max(0, norms[r]! + nj - 2 * dot);
      dots[r] = 0;
      marked[r] = 0;
    }
    return;
  }
  for (let p = rowStart[j]!; p < rowStart[j + 1]!; p++) scratch[columns[p]!] = values[p]!;
  for (let i = 0; i < n; i++) {
    let dot = 0;
    for (let p = rowStart[i]!; p < rowStart[i + 1]!; p++) dot += values[p]! * scratch[columns[p]!]!;
    out[i] = cosine ? Math.max(0, 1 - dot) : Math.max(0, norms[i]! + nj - 2 * dot);
  }
  for (let p = rowStart[j]!; p < rowStart[j + 1]!; p++) scratch[columns[p]!] = 0;
}

/** Copies row `j` into centroid `c` of `centroids` (k × dim, float64). */
export function setCentroidFromRow(rows: Rows, j: number, centroids: Float64Array, c: number): void {
  const dim = rows.dim;
  const co = c * dim;
  if (rows.dense !== null) {
    for (let d = 0; d < dim; d++) centroids[co + d] = rows.dense[j * dim + d]!;
    return;
  }
  const { rowStart, columns, values } = rows.sparse!;
  centroids.fill(0, co, co + dim);
  for (let p = rowStart[j]!; p < rowStart[j + 1]!; p++) centroids[co + columns[p]!] = values[p]!;
}

/** First index whose running sum reaches `r` (numpy's searchsorted, side "left"), clipped to n - 1. */
export function searchCumulative(cumulative: Float64Array, n: number, r: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cumulative[mid]! < r) lo = mid + 1;
    else hi = mid;
  }
  return Math.min(lo, n - 1);
}

/** Scratch of the k-means++ seeding, allocated once per fit. */
export interface SeedScratch {
  closest: Float64Array;
  /** Index of the nearest centre so far of each row (dense rows). */
  nearest: Int32Array;
  /** trials × n distances of the candidates. */
  candidates: Float64Array;
  cumulative: Float64Array;
  ids: Int32Array;
  potentials: Float64Array;
  /** trials × dim candidate rows, and trials × k their distances to the centres chosen so far. */
  candidateRows: Float64Array;
  candidateToCentre: Float64Array;
  /** The candidate rows interleaved in blocks of four (see `interleave`). */
  candidateBlocks: Float64Array;
  four: Float64Array;
  row: Float64Array;
  /** Dense rows in the SIMD kernel, taking `trials` candidates at once; null for sparse rows or without SIMD. */
  kernel: RowDots | null;
}

/** Scratch for seeding `rows` with k centres and `trials` candidates per centre. */
export function newSeedScratch(rows: Rows, k: number, trials: number): SeedScratch {
  const { n, dim } = rows;
  return {
    closest: new Float64Array(n),
    nearest: new Int32Array(n),
    candidates: new Float64Array(trials * n),
    cumulative: new Float64Array(n),
    ids: new Int32Array(trials),
    potentials: new Float64Array(trials),
    candidateRows: new Float64Array(trials * dim),
    candidateToCentre: new Float64Array(trials * k),
    candidateBlocks: new Float64Array(Math.ceil(trials / 4) * 4 * dim),
    four: new Float64Array(4),
    row: new Float64Array(dim),
    kernel: rows.dense === null ? null : RowDots.of(rows.dense, n, dim, trials),
  };
}

/**
 * Greedy k-means++: the first centre is a uniform draw; each next one is the best of
 * `trials` candidates drawn with probability proportional to the distance to the nearest
 * centre so far, "best" being the candidate that leaves the lowest total distance.
 */
export function seedCentroids(
  rows: Rows,
  k: number,
  trials: number,
  rng: Random,
  centroids: Float64Array,
  scratch: SeedScratch,
): void {
  const { n } = rows;
  const { closest, nearest, candidates, cumulative, ids, potentials } = scratch;
  const first = rng.int(n);
  setCentroidFromRow(rows, first, centroids, 0);
  if (scratch.kernel !== null) {
    ids[0] = first;
    kernelDistances(rows, trials, true, scratch.kernel, scratch);
  } else {
    distancesToRow(rows, first, closest, scratch.row);
  }
  nearest.fill(0);
  for (let c = 1; c < k; c++) {
    let running = 0;
    for (let i = 0; i < n; i++) {
      running += closest[i]!;
      cumulative[i] = running;
    }
    for (let t = 0; t < trials; t++) ids[t] = searchCumulative(cumulative, n, rng.next() * running);
    if (scratch.kernel !== null) {
      kernelDistances(rows, trials, false, scratch.kernel, scratch);
    } else if (rows.dense !== null) {
      denseCandidateDistances(rows, c, trials, centroids, k, scratch);
    } else {
      for (let t = 0; t < trials; t++) {
        const out = candidates.subarray(t * n, (t + 1) * n);
        distancesToRow(rows, ids[t]!, out, scratch.row);
        let pot = 0;
        for (let i = 0; i < n; i++) {
          const d = Math.min(out[i]!, closest[i]!);
          out[i] = d;
          pot += d;
        }
        potentials[t] = pot;
      }
    }
    let bestTrial = 0;
    for (let t = 1; t < trials; t++) if (potentials[t]! < potentials[bestTrial]!) bestTrial = t;
    setCentroidFromRow(rows, ids[bestTrial]!, centroids, c);
    const chosen = bestTrial * n;
    for (let i = 0; i < n; i++) {
      if (candidates[chosen + i]! < closest[i]!) {
        closest[i] = candidates[chosen + i]!;
        nearest[i] = c;
      }
    }
  }
}

/**
 * Distances through the SIMD kernel: squared Euclidean |x|² + |c|² - 2 x·c (clipped at 0),
 * or 1 - x·c for the cosine metric's unit rows. With `first`, the distances of every row to
 * candidate `ids[0]` go into `closest`; otherwise, for each of the `trials` candidates,
 * min(distance(i, candidate t), closest[i]) goes into candidates[t * n + i] and their sums
 * into `potentials`.
 */
function kernelDistances(
  rows: Rows,
  trials: number,
  first: boolean,
  kernel: RowDots,
  scratch: SeedScratch,
): void {
  const { n, dim, norms, cosine } = rows;
  const x = rows.dense;
  if (x === null) throw new Error("kernelDistances: dense rows expected");
  const { ids, candidateRows, candidates, closest, potentials } = scratch;
  const count = first ? 1 : trials;
  for (let t = 0; t < count; t++) {
    const from = (ids[t] ?? 0) * dim;
    for (let d = 0; d < dim; d++) candidateRows[t * dim + d] = x[from + d] ?? 0;
  }
  const dots = kernel.manyDots(candidateRows, dim, count);
  const stride = kernel.stride;
  for (let t = 0; t < count; t++) {
    const own = cosine ? 1 : (norms[ids[t] ?? 0] ?? 0);
    const at = t * stride;
    const base = t * n;
    let pot = 0;
    for (let i = 0; i < n; i++) {
      const dot = dots[at + i] ?? 0;
      const v = Math.max(0, cosine ? 1 - dot : (norms[i] ?? 0) + own - 2 * dot);
      if (first) {
        closest[i] = v;
        continue;
      }
      const near = closest[i] ?? 0;
      const d = Math.min(v, near);
      candidates[base + i] = d;
      pot += d;
    }
    potentials[t] = pot;
  }
}

/**
 * For each candidate t and every row i: min(distance(i, candidate t), closest[i]) into
 * candidates[t * n + i], and their sums into `potentials`. A candidate at least twice as
 * far (in Euclidean distance) from a row's nearest centre as the row itself cannot be
 * nearer to the row than that centre (triangle inequality), so its distance is not computed.
 */
export function denseCandidateDistances(
  rows: Rows,
  chosen: number,
  trials: number,
  centroids: Float64Array,
  k: number,
  scratch: SeedScratch,
): void {
  const { n, dim, cosine } = rows;
  const x = rows.dense!;
  const {
    ids,
    candidateRows,
    candidateToCentre: toCentre,
    closest,
    nearest,
    candidates,
    potentials,
  } = scratch;
  for (let t = 0; t < trials; t++) {
    for (let d = 0; d < dim; d++) candidateRows[t * dim + d] = x[ids[t]! * dim + d]!;
    for (let c = 0; c < chosen; c++) {
      toCentre[t * k + c] = centreDistance(candidateRows, t * dim, centroids, c * dim, dim, cosine);
    }
    potentials[t] = 0;
  }
  interleave(candidateRows, trials, dim, scratch.candidateBlocks);
  const blocks = scratch.candidateBlocks;
  const four = scratch.four;
  for (let i = 0; i < n; i++) {
    const off = i * dim;
    const near = closest[i]!;
    const bound = 4 * near;
    const a = nearest[i]!;
    for (let first = 0; first < trials; first += 4) {
      const last = Math.min(trials, first + 4);
      // Squared Euclidean distances (and 1 - cosine of unit rows, half of them) obey
      // d(c,a) >= 2 d(x,a) => d(x,c) >= d(x,a): such a candidate cannot be nearer than a.
      let needed = false;
      for (let t = first; t < last; t++) if (toCentre[t * k + a]! < bound) needed = true;
      if (needed) blockOfFour(x, off, blocks, first * dim, dim, cosine, four);
      for (let t = first; t < last; t++) {
        let v = near;
        if (needed && toCentre[t * k + a]! < bound) {
          const s = cosine ? Math.max(0, 1 - four[t - first]!) : four[t - first]!;
          if (s < near) v = s;
        }
        candidates[t * n + i] = v;
        potentials[t]! += v;
      }
    }
  }
}
