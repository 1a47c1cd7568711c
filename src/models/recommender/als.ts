/**
 * Implicit-feedback alternating least squares (Hu, Koren and Volinsky 2008). Every
 * (user, item) pair is a target: 1 where the user engaged with the item, with confidence
 * 1 + alpha * weight, and 0 elsewhere, with confidence 1. Each half-pass solves every
 * user's (then every item's) regularised weighted least squares with a few steps of
 * conjugate gradient started from the previous solution (Takács, Pilászy and Tikk 2011),
 * which needs YᵀY once per half-pass and then only the row's own entries: O(nnz · f).
 */
import { Random } from "../../core/index.ts";
import type { History } from "./engine.ts";
import type { FactorState, FactorTraining } from "./factors.ts";
import { type CsrMatrix, transpose } from "./matrix.ts";
import type { RecommenderOptions } from "./options.ts";

/** Scratch vectors of one conjugate-gradient solve, reused across rows. */
export class CgScratch {
  /** The row being solved, in double precision while it is. */
  readonly x: Float64Array;
  readonly r: Float64Array;
  readonly p: Float64Array;
  readonly ap: Float64Array;
  constructor(f: number) {
    this.x = new Float64Array(f);
    this.r = new Float64Array(f);
    this.p = new Float64Array(f);
    this.ap = new Float64Array(f);
  }
}

/**
 * Gram matrix GᵀG (f × f, row-major) of the first `rows` rows of `g`.
 *
 * @example
 * gram(Float32Array.of(1, 2, 3, 4), 2, 2); // [10, 14, 14, 20]
 */
export function gram(g: Float32Array, rows: number, f: number): Float64Array {
  const out = new Float64Array(f * f);
  for (let r = 0; r < rows; r++) {
    const o = r * f;
    for (let a = 0; a < f; a++) {
      const ga = g[o + a]!;
      if (ga === 0) continue;
      const row = a * f;
      for (let b = a; b < f; b++) out[row + b]! += ga * g[o + b]!;
    }
  }
  for (let a = 0; a < f; a++) for (let b = 0; b < a; b++) out[a * f + b] = out[b * f + a]!;
  return out;
}

/**
 * Σ a[ao + d] · b[d] over d < f. Unrolled by four: this and axpy are most of ALS's time,
 * and four independent sums ran about 15% faster in V8 than one.
 */
function dot(a: Float32Array, ao: number, b: Float64Array, f: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let d = 0;
  for (const end = f & ~3; d < end; d += 4) {
    s0 += a[ao + d]! * b[d]!;
    s1 += a[ao + d + 1]! * b[d + 1]!;
    s2 += a[ao + d + 2]! * b[d + 2]!;
    s3 += a[ao + d + 3]! * b[d + 3]!;
  }
  for (; d < f; d++) s0 += a[ao + d]! * b[d]!;
  return s0 + s1 + s2 + s3;
}

/** out[d] += c · a[ao + d] over d < f. */
function axpy(c: number, a: Float32Array, ao: number, out: Float64Array, f: number): void {
  let d = 0;
  for (const end = f & ~3; d < end; d += 4) {
    out[d]! += c * a[ao + d]!;
    out[d + 1]! += c * a[ao + d + 1]!;
    out[d + 2]! += c * a[ao + d + 2]!;
    out[d + 3]! += c * a[ao + d + 3]!;
  }
  for (; d < f; d++) out[d]! += c * a[ao + d]!;
}

/**
 * Improves row `row` of `x` towards the solution of
 *   (GᵀG + Gᵀ(C − I)G + reg·I) x = Gᵀ C p
 * where C holds 1 + alpha·w for the row's entries (columns `cols[a..b)` with weights
 * `w[a..b)`) and 1 elsewhere, and p is 1 on the entries, 0 elsewhere: `steps` steps of
 * conjugate gradient from the current x. `gtg` is GᵀG.
 */
export function cgSolveRow(
  x: Float32Array,
  row: number,
  g: Float32Array,
  gtg: Float64Array,
  cols: Int32Array,
  w: Float32Array,
  a: number,
  b: number,
  f: number,
  alpha: number,
  reg: number,
  steps: number,
  scratch: CgScratch,
): void {
  const { x: xs, r, p, ap } = scratch;
  const xo = row * f;
  for (let d = 0; d < f; d++) xs[d] = x[xo + d]!;
  // r = b - A x
  for (let d = 0; d < f; d++) {
    let s = reg * xs[d]!;
    const gd = d * f;
    for (let e = 0; e < f; e++) s += gtg[gd + e]! * xs[e]!;
    r[d] = -s;
  }
  for (let k = a; k < b; k++) {
    const c = alpha * w[k]!;
    const go = cols[k]! * f;
    axpy(1 + c - c * dot(g, go, xs, f), g, go, r, f);
  }
  let rs = 0;
  for (let d = 0; d < f; d++) {
    p[d] = r[d]!;
    rs += r[d]! * r[d]!;
  }
  for (let step = 0; step < steps; step++) {
    if (rs < 1e-20) break;
    // ap = A p
    for (let d = 0; d < f; d++) {
      let s = reg * p[d]!;
      const gd = d * f;
      for (let e = 0; e < f; e++) s += gtg[gd + e]! * p[e]!;
      ap[d] = s;
    }
    for (let k = a; k < b; k++) {
      const go = cols[k]! * f;
      axpy(alpha * w[k]! * dot(g, go, p, f), g, go, ap, f);
    }
    let pap = 0;
    for (let d = 0; d < f; d++) pap += p[d]! * ap[d]!;
    if (!(pap > 0)) break;
    const step_ = rs / pap;
    let rsNew = 0;
    for (let d = 0; d < f; d++) {
      xs[d]! += step_ * p[d]!;
      r[d]! -= step_ * ap[d]!;
      rsNew += r[d]! * r[d]!;
    }
    const beta = rsNew / rs;
    for (let d = 0; d < f; d++) p[d] = r[d]! + beta * p[d]!;
    rs = rsNew;
  }
  for (let d = 0; d < f; d++) x[xo + d] = xs[d]!;
}

/** Small random factors; the same seed gives the same start. */
export function initialFactors(rows: number, f: number, rng: Random, scale: number): Float32Array {
  const out = new Float32Array(rows * f);
  for (let i = 0; i < out.length; i++) out[i] = (rng.next() - 0.5) * scale;
  return out;
}

/** One half-pass: every row of `x` re-solved against the fixed `g`; returns nothing, reports progress. */
function halfPass(
  m: CsrMatrix,
  x: Float32Array,
  g: Float32Array,
  f: number,
  options: RecommenderOptions,
  scratch: CgScratch,
  onRows: (rowsDone: number, entriesDone: number) => boolean,
): boolean {
  const gtg = gram(g, m.cols, f);
  for (let row = 0; row < m.rows; row++) {
    cgSolveRow(
      x,
      row,
      g,
      gtg,
      m.indices,
      m.data,
      m.indptr[row]!,
      m.indptr[row + 1]!,
      f,
      options.alpha,
      options.reg,
      options.cgSteps,
      scratch,
    );
    if ((row & 1023) === 1023 && onRows(row + 1, m.indptr[row + 1]!)) return true;
  }
  return false;
}

/**
 * The weighted squared error of ALS's objective, per observed entry:
 * Σ over all pairs of c·(p − x·y)² plus the L2 penalty, computed without visiting the
 * unobserved pairs (their part is Σ_u xᵤᵀ(YᵀY)xᵤ minus the observed pairs' share).
 */
function alsLoss(m: CsrMatrix, state: FactorState, options: RecommenderOptions): number {
  const { userFactors: x, itemFactors: y, factors: f } = state;
  const yty = gram(y, m.cols, f);
  let loss = 0;
  for (let u = 0; u < m.rows; u++) {
    const xo = u * f;
    for (let a = 0; a < f; a++) {
      let s = 0;
      for (let b = 0; b < f; b++) s += yty[a * f + b]! * x[xo + b]!;
      loss += x[xo + a]! * s;
    }
    for (let k = m.indptr[u]!; k < m.indptr[u + 1]!; k++) {
      const c = options.alpha * m.data[k]!;
      let s = 0;
      const yo = m.indices[k]! * f;
      for (let d = 0; d < f; d++) s += x[xo + d]! * y[yo + d]!;
      loss += (1 + c) * (1 - s) * (1 - s) - s * s;
    }
  }
  let penalty = 0;
  for (let i = 0; i < m.rows * f; i++) penalty += x[i]! * x[i]!;
  for (let i = 0; i < y.length; i++) penalty += y[i]! * y[i]!;
  return (loss + options.reg * penalty) / Math.max(1, m.indices.length);
}

/**
 * Trains ALS factors on the user × item weight matrix `m`.
 *
 * @example
 * const state = trainAls(matrix, resolveRecommenderOptions({ model: "als" }), training);
 */
export function trainAls(m: CsrMatrix, options: RecommenderOptions, training: FactorTraining): FactorState {
  const f = options.factors;
  const rng = new Random(options.seed);
  const scale = 1 / Math.sqrt(f);
  const state: FactorState = {
    users: m.rows,
    items: m.cols,
    factors: f,
    userFactors: initialFactors(m.rows, f, rng, scale),
    itemFactors: initialFactors(m.cols, f, rng, scale),
    itemBias: null,
  };
  const mt = transpose(m);
  const scratch = new CgScratch(f);
  const nnz = m.indices.length;
  const total = 2 * nnz * options.iterations;
  let lastLoss = Number.NaN;
  for (let epoch = 1; epoch <= options.iterations; epoch++) {
    const started = performance.now();
    const before = 2 * nnz * (epoch - 1);
    let stop = halfPass(m, state.userFactors, state.itemFactors, f, options, scratch, (_, entries) =>
      training.progress.report(before + entries, epoch, options.iterations, lastLoss),
    );
    if (!stop) {
      stop = halfPass(mt, state.itemFactors, state.userFactors, f, options, scratch, (_, entries) =>
        training.progress.report(before + nnz + entries, epoch, options.iterations, lastLoss),
      );
    }
    lastLoss = alsLoss(m, state, options);
    training.progress.report(Math.min(total, before + 2 * nnz), epoch, options.iterations, lastLoss);
    const summary = { epoch, trainLoss: lastLoss, seconds: (performance.now() - started) / 1000 };
    if (training.endEpoch(summary, state) || stop) break;
  }
  return state;
}

/**
 * Solves one user's factors from their history with the item factors fixed, to
 * convergence: how a user who just did something gets new recommendations without
 * retraining. `yty` is the item factors' Gram matrix (see `gram`).
 */
export function alsFoldIn(
  state: FactorState,
  user: number,
  history: History,
  yty: Float64Array,
  options: Pick<RecommenderOptions, "alpha" | "reg">,
): void {
  const f = state.factors;
  state.userFactors.fill(0, user * f, user * f + f);
  if (history.indices.length === 0) return;
  // Items beyond the factors (added after training) have no factors to solve against.
  let end = history.indices.length;
  while (end > 0 && history.indices[end - 1]! >= state.items) end--;
  cgSolveRow(
    state.userFactors,
    user,
    state.itemFactors,
    yty,
    history.indices,
    history.data,
    0,
    end,
    f,
    options.alpha,
    options.reg,
    f,
    new CgScratch(f),
  );
}
