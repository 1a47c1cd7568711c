/**
 * k-means on dense rows or sparse (CSR) rows: greedy k-means++ seeding, Lloyd iterations
 * with scikit-learn's stopping rule, several restarts keeping the lowest inertia, a cosine
 * (spherical) variant for text, the silhouette score, and assignment of new rows. Used to
 * turn word vectors into word clusters for the tagger, and by the cluster model family.
 *
 * The steps follow scikit-learn's KMeans (algorithm "lloyd") so that the same data gives
 * the same quality of result: k-means++ with 2 + ln(k) candidates per centre, convergence
 * when no row changes cluster or when the centres move less (in total squared distance)
 * than `tol` times the mean variance of the features, a last assignment so that labels
 * match the centres, and empty clusters refilled with the rows farthest from their centre.
 * Speed without changing the result: iterations keep Hamerly's distance bounds, so that a
 * row is compared with every centre only when it may have changed cluster; k-means++ skips
 * candidates the triangle inequality rules out, and on sparse rows reads only the rows that
 * share a column with the candidate.
 */

import type { TrainHooks } from "../../core/index.ts";
import { checkInt, Random, TextkitError } from "../../core/index.ts";

export const KMEANS_METRICS = ["euclidean", "cosine"] as const;
/**
 * euclidean: squared Euclidean distance (scikit-learn's KMeans). cosine: rows and centres
 * are scaled to unit length and the distance is 1 - cosine similarity (spherical k-means,
 * for TF-IDF and averaged word vectors).
 */
export type KMeansMetric = (typeof KMEANS_METRICS)[number];

/**
 * Rows in compressed sparse row form: the entries of row `i` are
 * `columns[rowStart[i] .. rowStart[i + 1])` with their `values`. `rowStart` has n + 1 items.
 */
export interface SparseRows {
  rowStart: Int32Array;
  columns: Int32Array;
  values: Float32Array;
}

/** `n × dim` numbers row-major, or sparse rows of `dim` columns. */
export type KMeansData = Float32Array | SparseRows;

export interface KMeansOptions {
  k: number;
  /** Seed of the random numbers (default 1); the same seed and data give the same result. */
  seed?: number;
  /** Most Lloyd iterations per restart (default 300, as scikit-learn's max_iter). */
  maxIterations?: number;
  /** Runs from different seedings; the one with the lowest inertia is kept (default 1; scikit-learn's n_init). */
  nInit?: number;
  /**
   * Convergence: stop when the centres move, in total squared distance, by at most tol times
   * the mean variance of the features (default 1e-4, as scikit-learn). 0 stops only when no
   * row changes cluster.
   */
  tol?: number;
  /** Default "euclidean". */
  metric?: KMeansMetric;
  /** k-means++ candidates tried per centre, the best kept (default 2 + floor(ln k), as scikit-learn; 1 = plain k-means++). */
  localTrials?: number;
}

/** How one restart ended. */
export interface KMeansRestart {
  inertia: number;
  iterations: number;
  /** False when it stopped at maxIterations (or was asked to stop). */
  converged: boolean;
  /** Seeding and iterations. */
  seconds: number;
}

export interface KMeansResult {
  /** Cluster of each row. */
  assignments: Int32Array;
  /** k × dim centroids (unit length for the cosine metric). */
  centroids: Float32Array;
  /**
   * Sum over rows of the distance to their centroid: squared Euclidean distance, or
   * 1 - cosine similarity for the cosine metric.
   */
  inertia: number;
  /** Lloyd iterations of the restart kept. */
  iterations: number;
  converged: boolean;
  /** Index of the restart kept (0-based). */
  bestRestart: number;
  restarts: KMeansRestart[];
  metric: KMeansMetric;
}

const DEFAULT_MAX_ITERATIONS = 300;
const DEFAULT_TOL = 1e-4;

/** The data as the loops need it: dense or sparse, scaled for cosine, with squared row norms. */
interface Rows {
  n: number;
  dim: number;
  dense: Float32Array | null;
  sparse: SparseRows | null;
  /** Squared Euclidean norm of each row (1 or 0 for the cosine metric). */
  norms: Float64Array;
  cosine: boolean;
  /** For sparse rows, the same entries by column, once k-means++ needs them. */
  byColumn: ColumnIndex | null;
}

/**
 * Sparse rows transposed (compressed sparse columns), with scratch: the dot products of
 * one row with all others then cost the entries of the columns it uses, not of all rows.
 */
interface ColumnIndex {
  columnStart: Int32Array;
  rowsOf: Int32Array;
  valuesOf: Float32Array;
  dots: Float64Array;
  /** Rows with a dot product so far, and a flag per row saying so. */
  touched: Int32Array;
  marked: Uint8Array;
}

function buildColumnIndex(sparse: SparseRows, n: number, dim: number): ColumnIndex {
  const { rowStart, columns, values } = sparse;
  const nnz = rowStart[n]!;
  const columnStart = new Int32Array(dim + 1);
  for (let p = 0; p < nnz; p++) columnStart[columns[p]! + 1]!++;
  for (let d = 0; d < dim; d++) columnStart[d + 1]! += columnStart[d]!;
  const fill = columnStart.slice(0, dim);
  const rowsOf = new Int32Array(nnz);
  const valuesOf = new Float32Array(nnz);
  for (let i = 0; i < n; i++) {
    for (let p = rowStart[i]!; p < rowStart[i + 1]!; p++) {
      const at = fill[columns[p]!]!++;
      rowsOf[at] = i;
      valuesOf[at] = values[p]!;
    }
  }
  return {
    columnStart,
    rowsOf,
    valuesOf,
    dots: new Float64Array(n),
    touched: new Int32Array(n),
    marked: new Uint8Array(n),
  };
}

function isSparse(data: KMeansData): data is SparseRows {
  return !(data instanceof Float32Array);
}

function checkShape(data: KMeansData, n: number, dim: number, what: string): void {
  if (!Number.isInteger(n) || n < 0 || !Number.isInteger(dim) || dim < 1) {
    throw new TextkitError(
      "INPUT_INVALID",
      `${what} needs n >= 0 rows of dim >= 1 numbers, got ${n} × ${dim}`,
    );
  }
  if (isSparse(data)) {
    const { rowStart, columns, values } = data;
    if (rowStart.length !== n + 1 || rowStart[0] !== 0 || columns.length !== values.length) {
      throw new TextkitError("INPUT_INVALID", `${what}: sparse rows must have n + 1 row starts from 0`);
    }
    if (rowStart[n] !== columns.length) {
      throw new TextkitError("INPUT_INVALID", `${what}: the last row start must equal the number of entries`);
    }
    for (let i = 0; i < n; i++) {
      if (rowStart[i + 1]! < rowStart[i]!) {
        throw new TextkitError("INPUT_INVALID", `${what}: row starts must not decrease (row ${i})`);
      }
    }
    for (let p = 0; p < columns.length; p++) {
      const c = columns[p]!;
      if (!(c >= 0 && c < dim)) {
        throw new TextkitError("INPUT_INVALID", `${what}: column ${c} is outside [0, ${dim})`);
      }
      if (!Number.isFinite(values[p]!)) {
        throw new TextkitError("INPUT_INVALID", `${what}: a value in column ${c} is not a finite number`);
      }
    }
    return;
  }
  if (data.length < n * dim) {
    throw new TextkitError(
      "INPUT_INVALID",
      `${what}: ${n} rows of ${dim} need ${n * dim} numbers, got ${data.length}`,
    );
  }
  for (let j = 0; j < n * dim; j++) {
    if (!Number.isFinite(data[j]!)) {
      throw new TextkitError(
        "INPUT_INVALID",
        `${what}: row ${Math.floor(j / dim)}, column ${j % dim} is ${data[j]}, not a finite number`,
      );
    }
  }
}

/** Wraps the data for the loops; for the cosine metric rows are copied at unit length. */
function prepareRows(data: KMeansData, n: number, dim: number, cosine: boolean): Rows {
  const norms = new Float64Array(n);
  if (isSparse(data)) {
    const { rowStart, values } = data;
    let out = values;
    if (cosine) out = new Float32Array(values.length);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let p = rowStart[i]!; p < rowStart[i + 1]!; p++) s += values[p]! * values[p]!;
      if (cosine) {
        const scale = s > 0 ? 1 / Math.sqrt(s) : 0;
        for (let p = rowStart[i]!; p < rowStart[i + 1]!; p++) out[p] = values[p]! * scale;
        s = s > 0 ? 1 : 0;
      }
      norms[i] = s;
    }
    return {
      n,
      dim,
      dense: null,
      sparse: { rowStart, columns: data.columns, values: out },
      norms,
      cosine,
      byColumn: null,
    };
  }
  let x = data;
  if (cosine) x = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    const off = i * dim;
    let s = 0;
    for (let d = 0; d < dim; d++) s += data[off + d]! * data[off + d]!;
    if (cosine) {
      const scale = s > 0 ? 1 / Math.sqrt(s) : 0;
      for (let d = 0; d < dim; d++) x[off + d] = data[off + d]! * scale;
      s = s > 0 ? 1 : 0;
    }
    norms[i] = s;
  }
  return { n, dim, dense: x, sparse: null, norms, cosine, byColumn: null };
}

/** Mean over features of each feature's variance (population), as scikit-learn's tolerance uses. */
function meanVariance(rows: Rows): number {
  const { n, dim } = rows;
  if (n === 0) return 0;
  const sum = new Float64Array(dim);
  const sumSq = new Float64Array(dim);
  if (rows.dense !== null) {
    const x = rows.dense;
    for (let i = 0; i < n; i++) for (let d = 0; d < dim; d++) sum[d]! += x[i * dim + d]!;
    for (let d = 0; d < dim; d++) sum[d] = sum[d]! / n;
    // Two passes: the squared deviations, not E[x²] - E[x]², which loses precision.
    for (let i = 0; i < n; i++) {
      for (let d = 0; d < dim; d++) {
        const e = x[i * dim + d]! - sum[d]!;
        sumSq[d]! += e * e;
      }
    }
    let total = 0;
    for (let d = 0; d < dim; d++) total += sumSq[d]! / n;
    return total / dim;
  }
  const { rowStart, columns, values } = rows.sparse!;
  for (let p = 0; p < rowStart[n]!; p++) {
    const v = values[p]!;
    sum[columns[p]!]! += v;
    sumSq[columns[p]!]! += v * v;
  }
  let total = 0;
  for (let d = 0; d < dim; d++) {
    const mean = sum[d]! / n;
    total += Math.max(0, sumSq[d]! / n - mean * mean);
  }
  return total / dim;
}

/** Distance of every row to row `j` into `out` (squared Euclidean, or 1 - cosine). `scratch` has dim items. */
function distancesToRow(rows: Rows, j: number, out: Float64Array, scratch: Float64Array): void {
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
function setCentroidFromRow(rows: Rows, j: number, centroids: Float64Array, c: number): void {
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
function searchCumulative(cumulative: Float64Array, n: number, r: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cumulative[mid]! < r) lo = mid + 1;
    else hi = mid;
  }
  return Math.min(lo, n - 1);
}

/** Squared Euclidean distance between a float32 row and a float64 centre (four sums, for speed). */
function squaredDistance(x: Float32Array, xo: number, c: Float64Array, co: number, dim: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let d = 0;
  for (; d + 3 < dim; d += 4) {
    const e0 = x[xo + d]! - c[co + d]!;
    const e1 = x[xo + d + 1]! - c[co + d + 1]!;
    const e2 = x[xo + d + 2]! - c[co + d + 2]!;
    const e3 = x[xo + d + 3]! - c[co + d + 3]!;
    s0 += e0 * e0;
    s1 += e1 * e1;
    s2 += e2 * e2;
    s3 += e3 * e3;
  }
  for (; d < dim; d++) {
    const e = x[xo + d]! - c[co + d]!;
    s0 += e * e;
  }
  return s0 + s1 + (s2 + s3);
}

/** Dot product of a float32 row and a float64 centre. */
function dotProduct(x: Float32Array, xo: number, c: Float64Array, co: number, dim: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let d = 0;
  for (; d + 3 < dim; d += 4) {
    s0 += x[xo + d]! * c[co + d]!;
    s1 += x[xo + d + 1]! * c[co + d + 1]!;
    s2 += x[xo + d + 2]! * c[co + d + 2]!;
    s3 += x[xo + d + 3]! * c[co + d + 3]!;
  }
  for (; d < dim; d++) s0 += x[xo + d]! * c[co + d]!;
  return s0 + s1 + (s2 + s3);
}

/**
 * Copies `count` rows of `dim` (row-major in `source`) into blocks of four interleaved
 * rows, block b holding value d of its row t at b * 4 * dim + d * 4 + t; rows past
 * `count` are zeros. A row is then compared with four at once, reading it once.
 */
function interleave(source: Float64Array, count: number, dim: number, out: Float64Array): void {
  const blocks = Math.ceil(count / 4);
  out.fill(0, 0, blocks * 4 * dim);
  for (let r = 0; r < count; r++) {
    const base = (r >> 2) * 4 * dim + (r & 3);
    for (let d = 0; d < dim; d++) out[base + d * 4] = source[r * dim + d]!;
  }
}

/** Squared distances (or dot products, for `dots`) of a row to the four rows of a block, into out[0..3]. */
function blockOfFour(
  x: Float32Array,
  xo: number,
  block: Float64Array,
  bo: number,
  dim: number,
  dots: boolean,
  out: Float64Array,
): void {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  if (dots) {
    for (let d = 0; d < dim; d++) {
      const v = x[xo + d]!;
      const b = bo + d * 4;
      s0 += v * block[b]!;
      s1 += v * block[b + 1]!;
      s2 += v * block[b + 2]!;
      s3 += v * block[b + 3]!;
    }
  } else {
    for (let d = 0; d < dim; d++) {
      const v = x[xo + d]!;
      const b = bo + d * 4;
      const e0 = v - block[b]!;
      const e1 = v - block[b + 1]!;
      const e2 = v - block[b + 2]!;
      const e3 = v - block[b + 3]!;
      s0 += e0 * e0;
      s1 += e1 * e1;
      s2 += e2 * e2;
      s3 += e3 * e3;
    }
  }
  out[0] = s0;
  out[1] = s1;
  out[2] = s2;
  out[3] = s3;
}

/** Squared Euclidean distance, or 1 - cosine for unit vectors, between two float64 centres. */
function centreDistance(
  a: Float64Array,
  ao: number,
  b: Float64Array,
  bo: number,
  dim: number,
  cosine: boolean,
): number {
  let s = 0;
  if (cosine) {
    for (let d = 0; d < dim; d++) s += a[ao + d]! * b[bo + d]!;
    return Math.max(0, 1 - s);
  }
  for (let d = 0; d < dim; d++) {
    const e = a[ao + d]! - b[bo + d]!;
    s += e * e;
  }
  return s;
}

/** Scratch of the k-means++ seeding, allocated once per fit. */
interface SeedScratch {
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
}

function newSeedScratch(n: number, dim: number, k: number, trials: number): SeedScratch {
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
  };
}

/**
 * Greedy k-means++: the first centre is a uniform draw; each next one is the best of
 * `trials` candidates drawn with probability proportional to the distance to the nearest
 * centre so far, "best" being the candidate that leaves the lowest total distance.
 */
function seedCentroids(
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
  distancesToRow(rows, first, closest, scratch.row);
  nearest.fill(0);
  for (let c = 1; c < k; c++) {
    let running = 0;
    for (let i = 0; i < n; i++) {
      running += closest[i]!;
      cumulative[i] = running;
    }
    for (let t = 0; t < trials; t++) ids[t] = searchCumulative(cumulative, n, rng.next() * running);
    if (rows.dense !== null) {
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
 * For each candidate t and every row i: min(distance(i, candidate t), closest[i]) into
 * candidates[t * n + i], and their sums into `potentials`. A candidate at least twice as
 * far (in Euclidean distance) from a row's nearest centre as the row itself cannot be
 * nearer to the row than that centre (triangle inequality), so its distance is not computed.
 */
function denseCandidateDistances(
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

/** Per-centroid terms of the assignment score (score = term - x·c; lower is nearer). */
function centroidTerms(
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
interface AssignScratch {
  terms: Float64Array;
  /** Centroids column-major (dim × k), for sparse rows. */
  transposed: Float32Array | null;
  dots: Float64Array;
}

function newScratch(rows: Rows, k: number): AssignScratch {
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
function assign(
  rows: Rows,
  centroids: Float64Array,
  k: number,
  labels: Int32Array,
  dist: Float64Array,
  scratch: AssignScratch,
): number {
  const { n, dim, norms, cosine } = rows;
  const terms = scratch.terms;
  centroidTerms(centroids, k, dim, cosine, terms);
  let changed = 0;
  if (rows.dense !== null) {
    const x = rows.dense;
    for (let i = 0; i < n; i++) {
      const off = i * dim;
      let best = 0;
      let bestScore = Number.POSITIVE_INFINITY;
      for (let c = 0; c < k; c++) {
        const score = terms[c]! - dotProduct(x, off, centroids, c * dim, dim);
        if (score < bestScore) {
          bestScore = score;
          best = c;
        }
      }
      dist[i] = cosine ? Math.max(0, 1 + bestScore) : Math.max(0, norms[i]! + 2 * bestScore);
      if (labels[i] !== best) {
        labels[i] = best;
        changed++;
      }
    }
    return changed;
  }
  const { rowStart, columns, values } = rows.sparse!;
  const t = scratch.transposed!;
  const dots = scratch.dots;
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
    let best = 0;
    let bestScore = Number.POSITIVE_INFINITY;
    for (let c = 0; c < k; c++) {
      const score = terms[c]! - dots[c]!;
      if (score < bestScore) {
        bestScore = score;
        best = c;
      }
    }
    dist[i] = cosine ? Math.max(0, 1 + bestScore) : Math.max(0, norms[i]! + 2 * bestScore);
    if (labels[i] !== best) {
      labels[i] = best;
      changed++;
    }
  }
  return changed;
}

/**
 * Distance of every row to its own centroid into `dist` (squared Euclidean, or 1 - cosine),
 * computed exactly; returns their sum, the inertia.
 */
function ownDistances(
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
 * Hamerly's bounds: each row keeps an upper bound on the distance to its centre and a
 * lower bound on the distance to every other centre. A row whose upper bound is below its
 * lower bound (or, for dense rows, below half the gap between its centre and the nearest
 * other one) cannot change cluster and is skipped. The labels are those of plain Lloyd
 * iterations with far fewer distances computed. Distances here are Euclidean, not squared;
 * for cosine they are between unit rows and unit centres, which orders them as 1 - cosine.
 */
class HamerlyBounds {
  private readonly upper: Float64Array;
  private readonly lower: Float64Array;
  private readonly half: Float64Array;
  private readonly drift: Float64Array;
  /** Dense rows: the centres interleaved in blocks of four, and the four distances of a block. */
  private readonly blocks: Float64Array | null;
  private readonly four = new Float64Array(4);
  /** Sparse rows: the centres column-major (dim × k), their squared norms, and one row's dot products. */
  private readonly transposed: Float32Array | null;
  private readonly centreNorms: Float64Array;
  private readonly dots: Float64Array;
  private fresh = true;

  constructor(rows: Rows, k: number) {
    const { n, dim } = rows;
    this.upper = new Float64Array(n);
    this.lower = new Float64Array(n);
    this.half = new Float64Array(k);
    this.drift = new Float64Array(k);
    this.blocks = rows.dense === null ? null : new Float64Array(Math.ceil(k / 4) * 4 * dim);
    this.transposed = rows.dense === null ? new Float32Array(dim * k) : null;
    this.centreNorms = new Float64Array(k);
    this.dots = new Float64Array(k);
  }

  /** Forget the bounds: the next assignment computes every distance (a new restart). */
  reset(): void {
    this.fresh = true;
  }

  /** Assigns every row to its nearest centre; returns how many labels changed. */
  assign(rows: Rows, centroids: Float64Array, k: number, labels: Int32Array): number {
    const { n, dim } = rows;
    const { upper, lower, half } = this;
    if (rows.dense !== null) {
      half.fill(Number.POSITIVE_INFINITY);
      for (let a = 0; a < k; a++) {
        for (let b = a + 1; b < k; b++) {
          let s = 0;
          for (let d = 0; d < dim; d++) {
            const e = centroids[a * dim + d]! - centroids[b * dim + d]!;
            s += e * e;
          }
          const h = Math.sqrt(s) / 2;
          if (h < half[a]!) half[a] = h;
          if (h < half[b]!) half[b] = h;
        }
      }
      interleave(centroids, k, dim, this.blocks!);
    } else {
      // Gaps between centres cost k² × dim here, as much as the assignment: rely on the lower bounds.
      half.fill(0);
      const t = this.transposed!;
      for (let c = 0; c < k; c++) {
        const co = c * dim;
        let s = 0;
        for (let d = 0; d < dim; d++) {
          const v = centroids[co + d]!;
          t[d * k + c] = v;
          s += v * v;
        }
        this.centreNorms[c] = s;
      }
    }
    const fresh = this.fresh;
    let changed = 0;
    for (let i = 0; i < n; i++) {
      if (!fresh) {
        const m = Math.max(half[labels[i]!]!, lower[i]!);
        if (upper[i]! <= m) continue;
        upper[i] = Math.sqrt(this.distanceTo(rows, i, centroids, labels[i]!));
        if (upper[i]! <= m) continue;
      }
      const best = rows.dense !== null ? this.scanDense(rows, i, k) : this.scanSparse(rows, i, k);
      if (labels[i] !== best) {
        labels[i] = best;
        changed++;
      }
    }
    this.fresh = false;
    return changed;
  }

  /** Squared distance of row i to centre c. */
  private distanceTo(rows: Rows, i: number, centroids: Float64Array, c: number): number {
    const dim = rows.dim;
    if (rows.dense !== null) return squaredDistance(rows.dense, i * dim, centroids, c * dim, dim);
    const { rowStart, columns, values } = rows.sparse!;
    const co = c * dim;
    let dot = 0;
    for (let p = rowStart[i]!; p < rowStart[i + 1]!; p++) dot += values[p]! * centroids[co + columns[p]!]!;
    return Math.max(0, rows.norms[i]! + this.centreNorms[c]! - 2 * dot);
  }

  /** Every centre's distance to dense row i; sets its bounds and returns the nearest centre. */
  private scanDense(rows: Rows, i: number, k: number): number {
    const { blocks, four } = this;
    const x = rows.dense!;
    const off = i * rows.dim;
    let best = 0;
    let first = Number.POSITIVE_INFINITY;
    let second = Number.POSITIVE_INFINITY;
    for (let c0 = 0; c0 < k; c0 += 4) {
      blockOfFour(x, off, blocks!, c0 * rows.dim, rows.dim, false, four);
      const last = Math.min(k, c0 + 4);
      for (let c = c0; c < last; c++) {
        const s = four[c - c0]!;
        if (s < first) {
          second = first;
          first = s;
          best = c;
        } else if (s < second) {
          second = s;
        }
      }
    }
    this.upper[i] = Math.sqrt(first);
    this.lower[i] = Math.sqrt(second);
    return best;
  }

  /** Every centre's distance to sparse row i, through the column-major centres. */
  private scanSparse(rows: Rows, i: number, k: number): number {
    const { rowStart, columns, values } = rows.sparse!;
    const { dots, centreNorms } = this;
    const t = this.transposed!;
    dots.fill(0);
    for (let p = rowStart[i]!; p < rowStart[i + 1]!; p++) {
      const v = values[p]!;
      const base = columns[p]! * k;
      for (let c = 0; c < k; c++) dots[c]! += v * t[base + c]!;
    }
    const norm = rows.norms[i]!;
    let best = 0;
    let first = Number.POSITIVE_INFINITY;
    let second = Number.POSITIVE_INFINITY;
    for (let c = 0; c < k; c++) {
      const s = norm + centreNorms[c]! - 2 * dots[c]!;
      if (s < first) {
        second = first;
        first = s;
        best = c;
      } else if (s < second) {
        second = s;
      }
    }
    this.upper[i] = Math.sqrt(Math.max(0, first));
    this.lower[i] = Math.sqrt(Math.max(0, second));
    return best;
  }

  /** Loosens the bounds by how far each centre moved from `old` to `now`. */
  moved(rows: Rows, old: Float64Array, now: Float64Array, k: number, labels: Int32Array): void {
    const { n, dim } = rows;
    const drift = this.drift;
    let most = 0;
    let runnerUp = 0;
    let farthest = -1;
    for (let c = 0; c < k; c++) {
      let s = 0;
      for (let d = 0; d < dim; d++) {
        const e = now[c * dim + d]! - old[c * dim + d]!;
        s += e * e;
      }
      const p = Math.sqrt(s);
      drift[c] = p;
      if (p > most) {
        runnerUp = most;
        most = p;
        farthest = c;
      } else if (p > runnerUp) {
        runnerUp = p;
      }
    }
    const { upper, lower } = this;
    for (let i = 0; i < n; i++) {
      const a = labels[i]!;
      upper[i]! += drift[a]!;
      // The nearest other centre moved at most as far as the farthest-moving centre but this row's own.
      lower[i]! -= a === farthest ? runnerUp : most;
    }
  }
}

/**
 * New centres: the mean of each cluster's rows (scaled to unit length for cosine). An
 * empty cluster takes the row farthest from its own centre, as scikit-learn does; that
 * row's old cluster gives it up. `dist` holds each row's distance to its centre in `old`
 * when `distExact`, else it is computed here if a cluster is empty.
 */
function updateCentroids(
  rows: Rows,
  labels: Int32Array,
  old: Float64Array,
  dist: Float64Array,
  distExact: boolean,
  k: number,
  out: Float64Array,
  counts: Float64Array,
): void {
  const { n, dim } = rows;
  out.fill(0);
  counts.fill(0);
  if (rows.dense !== null) {
    const x = rows.dense;
    for (let i = 0; i < n; i++) {
      const c = labels[i]!;
      counts[c]!++;
      const co = c * dim;
      const off = i * dim;
      for (let d = 0; d < dim; d++) out[co + d]! += x[off + d]!;
    }
  } else {
    const { rowStart, columns, values } = rows.sparse!;
    for (let i = 0; i < n; i++) {
      const c = labels[i]!;
      counts[c]!++;
      const co = c * dim;
      for (let p = rowStart[i]!; p < rowStart[i + 1]!; p++) out[co + columns[p]!]! += values[p]!;
    }
  }
  let empty = 0;
  for (let c = 0; c < k; c++) if (counts[c] === 0) empty++;
  if (empty > 0) {
    if (!distExact) ownDistances(rows, old, k, labels, dist);
    relocateEmpty(rows, labels, dist, k, out, counts, empty);
  }
  for (let c = 0; c < k; c++) {
    const co = c * dim;
    const w = counts[c]!;
    if (w > 0) for (let d = 0; d < dim; d++) out[co + d] = out[co + d]! / w;
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

function relocateEmpty(
  rows: Rows,
  labels: Int32Array,
  dist: Float64Array,
  k: number,
  sums: Float64Array,
  counts: Float64Array,
  empty: number,
): void {
  const { n, dim } = rows;
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
    if (counts[c] !== 0) continue;
    const i = far[next++]!;
    const old = labels[i]!;
    const co = c * dim;
    const oo = old * dim;
    if (rows.dense !== null) {
      const x = rows.dense;
      for (let d = 0; d < dim; d++) {
        sums[oo + d]! -= x[i * dim + d]!;
        sums[co + d] = x[i * dim + d]!;
      }
    } else {
      const { rowStart, columns, values } = rows.sparse!;
      for (let p = rowStart[i]!; p < rowStart[i + 1]!; p++) {
        sums[oo + columns[p]!]! -= values[p]!;
        sums[co + columns[p]!] = values[p]!;
      }
    }
    counts[c] = 1;
    counts[old]!--;
  }
}

function squaredShift(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let j = 0; j < a.length; j++) {
    const e = a[j]! - b[j]!;
    s += e * e;
  }
  return s;
}

/**
 * Clusters `n` rows of `dim` numbers (row-major in `data`, or sparse rows) into `k` groups,
 * keeping the best of `nInit` restarts. `hooks.onProgress` hears after every iteration
 * (epoch = restart, loss = inertia of the last assignment), `onEpochEnd` after each
 * restart, and `shouldStop` is asked between iterations.
 *
 * @example
 * const { assignments } = kMeans(new Float32Array([0, 0, 0, 1, 9, 9, 9, 8]), 4, 2, { k: 2, seed: 1 });
 * // rows 0 and 1 share a cluster; rows 2 and 3 share the other
 */
export function kMeans(
  data: KMeansData,
  n: number,
  dim: number,
  options: KMeansOptions,
  hooks: TrainHooks = {},
): KMeansResult {
  const k = options.k;
  if (!Number.isInteger(k) || k < 1)
    throw new TextkitError("OPTION_INVALID", `k must be a whole number >= 1, got ${k}`);
  if (n < k) throw new TextkitError("OPTION_INVALID", `k-means needs at least k = ${k} rows; there are ${n}`);
  const nInit = options.nInit ?? 1;
  const maxIterations = options.maxIterations ?? DEFAULT_MAX_ITERATIONS;
  const tol = options.tol ?? DEFAULT_TOL;
  const metric = options.metric ?? "euclidean";
  const trials = options.localTrials ?? 2 + Math.floor(Math.log(k));
  checkInt("nInit", nInit, 1, 10_000);
  checkInt("maxIterations", maxIterations, 1, 1_000_000);
  checkInt("localTrials", trials, 1, 1000);
  if (!(tol >= 0 && Number.isFinite(tol)))
    throw new TextkitError("OPTION_INVALID", `tol must be >= 0, got ${tol}`);
  if (!KMEANS_METRICS.includes(metric)) {
    throw new TextkitError(
      "OPTION_INVALID",
      `metric must be one of ${KMEANS_METRICS.join(", ")}, got '${metric}'`,
    );
  }
  checkShape(data, n, dim, "k-means");
  const rows = prepareRows(data, n, dim, metric === "cosine");
  if (rows.sparse !== null) rows.byColumn = buildColumnIndex(rows.sparse, n, dim);
  const tolerance = tol === 0 ? 0 : tol * meanVariance(rows);
  const rng = new Random(options.seed ?? 1);

  let centroids = new Float64Array(k * dim);
  let next = new Float64Array(k * dim);
  const counts = new Float64Array(k);
  const labels = new Int32Array(n);
  const dist = new Float64Array(n);
  const seedScratch = newSeedScratch(n, dim, k, trials);
  const bounds = new HamerlyBounds(rows, k);
  let best: { labels: Int32Array; centroids: Float64Array; inertia: number; restart: number } | null = null;
  const restarts: KMeansRestart[] = [];
  const started = performance.now();
  let rowsDone = 0;
  let stopped = false;

  for (let r = 0; r < nInit && !stopped; r++) {
    const restartStart = performance.now();
    seedCentroids(rows, k, trials, rng, centroids, seedScratch);
    labels.fill(-1);
    bounds.reset();
    let iterations = 0;
    let strict = false;
    let converged = false;
    for (let it = 0; it < maxIterations; it++) {
      const changed = bounds.assign(rows, centroids, k, labels);
      // The bounds leave most distances uncomputed; they are computed when needed.
      let distExact = false;
      let loss = Number.NaN;
      if (hooks.onProgress !== undefined) {
        loss = ownDistances(rows, centroids, k, labels, dist);
        distExact = true;
      }
      updateCentroids(rows, labels, centroids, dist, distExact, k, next, counts);
      const shift = squaredShift(centroids, next);
      bounds.moved(rows, centroids, next, k, labels);
      const swap = centroids;
      centroids = next;
      next = swap;
      iterations = it + 1;
      rowsDone += n;
      if (hooks.onProgress !== undefined) {
        const seconds = (performance.now() - started) / 1000;
        const progress = (r + iterations / maxIterations) / nInit;
        hooks.onProgress({
          epoch: r + 1,
          epochs: nInit,
          stage: "run",
          lossName: "inertia",
          progress,
          loss,
          speed: seconds > 0 ? rowsDone / seconds : 0,
          unit: "examples",
          etaSeconds: progress > 0 ? (seconds * (1 - progress)) / progress : Number.NaN,
        });
      }
      if (changed === 0) {
        strict = true;
        converged = true;
        break;
      }
      if (shift <= tolerance) {
        converged = true;
        break;
      }
      if (hooks.shouldStop?.() === true) {
        stopped = true;
        break;
      }
    }
    if (!strict) {
      // The labels were made with the centres before the last update; match them to the final centres.
      bounds.assign(rows, centroids, k, labels);
    }
    const inertia = ownDistances(rows, centroids, k, labels, dist);
    const seconds = (performance.now() - restartStart) / 1000;
    restarts.push({ inertia, iterations, converged, seconds });
    hooks.onEpochEnd?.({ epoch: r + 1, trainLoss: inertia, seconds });
    if (best === null || inertia < best.inertia) {
      best = { labels: labels.slice(), centroids: centroids.slice(), inertia, restart: r };
    }
    if (hooks.shouldStop?.() === true) stopped = true;
  }
  const kept = best!;
  const kept32 = Float32Array.from(kept.centroids);
  const restart = restarts[kept.restart]!;
  return {
    assignments: kept.labels,
    centroids: kept32,
    inertia: kept.inertia,
    iterations: restart.iterations,
    converged: restart.converged,
    bestRestart: kept.restart,
    restarts,
    metric,
  };
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

function checkCentroids(centroids: Float32Array, k: number, dim: number): void {
  if (!Number.isInteger(k) || k < 1 || centroids.length !== k * dim) {
    throw new TextkitError(
      "INPUT_INVALID",
      `expected ${k} centroids of ${dim} numbers, got ${centroids.length} numbers`,
    );
  }
}

/** Centroids in float64; for cosine scaled to unit length (stored ones are already; hand-made ones may not be). */
function centroidsForMetric(
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
function sampleDistanceSums(
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

/** 1 - cosine similarity, clipped to [0, 2]; a zero row has similarity 0 to everything (scikit-learn). */
function cosineDistance(dot: number, normA: number, normB: number): number {
  if (normA === 0 || normB === 0) return 1;
  const d = 1 - dot / Math.sqrt(normA * normB);
  return Math.min(2, Math.max(0, d));
}
