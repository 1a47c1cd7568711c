/**
 * The numeric core of the classifier: one SGD step per example on the averaged
 * embeddings (a shallow network: embedding bag -> linear -> softmax or sigmoids).
 * Flat typed arrays, no allocation, no closures; the caller owns every buffer.
 */

import type { OutputStep } from "../numeric/index.ts";

export interface Weights {
  dim: number;
  labels: number;
  /** rows x dim */
  input: Float32Array;
  /** labels x dim */
  output: Float32Array;
}

export interface Scratch {
  hidden: Float64Array;
  grad: Float64Array;
  scores: Float64Array;
  /** Per label: target probability of the current example. */
  target: Float64Array;
}

export function newScratch(dim: number, labels: number): Scratch {
  return {
    hidden: new Float64Array(dim),
    grad: new Float64Array(dim),
    scores: new Float64Array(labels),
    target: new Float64Array(labels),
  };
}

/** hidden = mean of the input rows feats[start..end). Returns false when there are none. */
export function averageRows(
  w: Weights,
  feats: ArrayLike<number>,
  start: number,
  end: number,
  hidden: Float64Array,
): boolean {
  const dim = w.dim;
  const input = w.input;
  hidden.fill(0);
  if (end <= start) return false;
  for (let f = start; f < end; f++) {
    const row = feats[f]! * dim;
    for (let d = 0; d < dim; d++) hidden[d]! += input[row + d]!;
  }
  const inv = 1 / (end - start);
  for (let d = 0; d < dim; d++) hidden[d]! *= inv;
  return true;
}

/** scores = output . hidden, for every label. */
export function linearScores(w: Weights, hidden: Float64Array, scores: Float64Array): void {
  const dim = w.dim;
  const output = w.output;
  for (let k = 0; k < w.labels; k++) {
    const off = k * dim;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let d = 0;
    for (; d + 3 < dim; d += 4) {
      s0 += output[off + d]! * hidden[d]!;
      s1 += output[off + d + 1]! * hidden[d + 1]!;
      s2 += output[off + d + 2]! * hidden[d + 2]!;
      s3 += output[off + d + 3]! * hidden[d + 3]!;
    }
    for (; d < dim; d++) s0 += output[off + d]! * hidden[d]!;
    scores[k] = s0 + s1 + (s2 + s3);
  }
}

export function softmaxInPlace(scores: Float64Array, n: number): void {
  let max = Number.NEGATIVE_INFINITY;
  for (let k = 0; k < n; k++) if (scores[k]! > max) max = scores[k]!;
  let sum = 0;
  for (let k = 0; k < n; k++) {
    const e = Math.exp(scores[k]! - max);
    scores[k] = e;
    sum += e;
  }
  const inv = 1 / sum;
  for (let k = 0; k < n; k++) scores[k]! *= inv;
}

export function sigmoidInPlace(scores: Float64Array, n: number): void {
  for (let k = 0; k < n; k++) scores[k] = 1 / (1 + Math.exp(-scores[k]!));
}

const LOG_FLOOR = 1e-7;
/** Probability below which a non-target label's update is skipped (see sgdStep). */
export const NEGLIGIBLE = 1e-4;

/**
 * Turns `s.scores` into probabilities (softmax, or one sigmoid per label with `ova`) and
 * returns the example's loss against `s.target`.
 */
function probabilities(s: Scratch, labels: number, ova: boolean): number {
  const { scores, target } = s;
  let loss = 0;
  if (ova) {
    sigmoidInPlace(scores, labels);
    for (let k = 0; k < labels; k++) {
      const p = scores[k] ?? 0;
      loss -= (target[k] ?? 0) > 0 ? Math.log(p + LOG_FLOOR) : Math.log(1 - p + LOG_FLOOR);
    }
  } else {
    softmaxInPlace(scores, labels);
    for (let k = 0; k < labels; k++) {
      const t = target[k] ?? 0;
      if (t > 0) loss -= t * Math.log((scores[k] ?? 0) + LOG_FLOOR);
    }
  }
  return loss;
}

/** Adds `grad` to each input row of feats[start..end). */
function addToRows(w: Weights, grad: Float64Array, feats: Int32Array, start: number, end: number): void {
  const dim = w.dim;
  const input = w.input;
  for (let f = start; f < end; f++) {
    const row = (feats[f] ?? 0) * dim;
    for (let d = 0; d < dim; d++) input[row + d] = (input[row + d] ?? 0) + (grad[d] ?? 0);
  }
}

/**
 * One SGD step. `s.target` holds the example's target distribution (softmax: sums to 1;
 * ova: 0/1 per label). Returns the example's loss.
 */
export function sgdStep(
  w: Weights,
  s: Scratch,
  feats: Int32Array,
  start: number,
  end: number,
  lr: number,
  ova: boolean,
): number {
  const { hidden, grad, scores, target } = s;
  const dim = w.dim;
  const labels = w.labels;
  const output = w.output;
  if (!averageRows(w, feats, start, end, hidden)) return 0;
  linearScores(w, hidden, scores);
  const loss = probabilities(s, labels, ova);
  grad.fill(0);
  for (let k = 0; k < labels; k++) {
    const t = target[k]!;
    const p = scores[k]!;
    // A label the model already rules out (p ~ 0, not a target) would move the weights by
    // almost nothing; skipping it saves most of the backward pass once training settles.
    if (t === 0 && p < NEGLIGIBLE) continue;
    const alpha = lr * (t - p);
    const off = k * dim;
    let d = 0;
    for (; d + 3 < dim; d += 4) {
      const o0 = output[off + d]!;
      const o1 = output[off + d + 1]!;
      const o2 = output[off + d + 2]!;
      const o3 = output[off + d + 3]!;
      grad[d]! += alpha * o0;
      grad[d + 1]! += alpha * o1;
      grad[d + 2]! += alpha * o2;
      grad[d + 3]! += alpha * o3;
      output[off + d] = o0 + alpha * hidden[d]!;
      output[off + d + 1] = o1 + alpha * hidden[d + 1]!;
      output[off + d + 2] = o2 + alpha * hidden[d + 2]!;
      output[off + d + 3] = o3 + alpha * hidden[d + 3]!;
    }
    for (; d < dim; d++) {
      grad[d]! += alpha * output[off + d]!;
      output[off + d]! += alpha * hidden[d]!;
    }
  }
  // The hidden vector is a mean, so each row's share of the gradient is 1/n of it.
  const inv = 1 / (end - start);
  for (let d = 0; d < dim; d++) grad[d]! *= inv;
  addToRows(w, grad, feats, start, end);
  return loss;
}

/**
 * {@link sgdStep} with the output layer in WebAssembly SIMD: the output matrix is `step`'s
 * (float32, loaded from `w.output` by the caller and stored back when it reads the weights),
 * not `w.output`; the hidden vector and the gradient are float32 there. When `step` holds the
 * input rows too ({@link OutputStep.inputRows} > 0), they are its, not `w.input`, and the
 * hidden vector is summed and the gradient added back there, four columns at a time. Same
 * skipping of negligible labels, same loss.
 */
export function sgdStepSimd(
  w: Weights,
  s: Scratch,
  step: OutputStep,
  feats: Int32Array,
  start: number,
  end: number,
  lr: number,
  ova: boolean,
): number {
  const { grad, scores, target } = s;
  const dim = w.dim;
  const labels = w.labels;
  if (end <= start) return 0;
  const inv = 1 / (end - start);
  const own = step.inputRows > 0;
  if (own) {
    step.gather(feats, start, end);
    const hidden = step.hidden;
    for (let d = 0; d < dim; d++) hidden[d] = (hidden[d] ?? 0) * inv;
  } else {
    averageRows(w, feats, start, end, s.hidden);
    step.hidden.set(s.hidden);
  }
  step.score();
  const sums = step.scores;
  for (let k = 0; k < labels; k++) scores[k] = sums[k] ?? 0;
  const loss = probabilities(s, labels, ova);
  const alphas = step.alphas;
  for (let k = 0; k < labels; k++) {
    const t = target[k] ?? 0;
    const p = scores[k] ?? 0;
    alphas[k] = t === 0 && p < NEGLIGIBLE ? 0 : lr * (t - p);
  }
  step.update();
  const g = step.grad;
  if (own) {
    for (let d = 0; d < dim; d++) g[d] = (g[d] ?? 0) * inv;
    step.scatter(end - start);
  } else {
    for (let d = 0; d < dim; d++) grad[d] = (g[d] ?? 0) * inv;
    addToRows(w, grad, feats, start, end);
  }
  return loss;
}
