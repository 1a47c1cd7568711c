/**
 * The network of a head on frozen sentence embeddings, one example at a time: the flat
 * parameter layout, standardisation, the fused forward pass (optional ReLU hidden layer,
 * dropout), softmax or sigmoid outputs, the loss and the backward pass into a gradient
 * array. Nothing is allocated per example; training (head.ts) owns the loop and AdamW.
 */
import type { Random } from "../../core/index.ts";

/** A trained head: plain data, what the artifact stores. */
export interface HeadWeights {
  dim: number;
  hidden: number;
  labels: number;
  /** Per input dimension: the training mean and 1 / deviation (0 for a constant dimension). */
  mean: Float32Array;
  invStd: Float32Array;
  /** W1 (hidden × dim), W2 (labels × width), then b1 (hidden), b2 (labels); width = hidden || dim. */
  params: Float32Array;
}

/** Labels per example, flat: example i has `ids[offsets[i]..offsets[i+1])`. */
export interface HeadTargets {
  offsets: Int32Array;
  ids: Int32Array;
}

/** Where each block of the flat parameter array starts. */
export interface HeadLayout {
  width: number;
  w1: number;
  w2: number;
  /** End of the weights (start of the biases): weight decay applies below it. */
  weightsEnd: number;
  b1: number;
  b2: number;
  size: number;
}

export function headLayout(dim: number, hidden: number, labels: number): HeadLayout {
  const width = hidden > 0 ? hidden : dim;
  const w2 = hidden * dim;
  const weightsEnd = w2 + labels * width;
  return {
    width,
    w1: 0,
    w2,
    weightsEnd,
    b1: weightsEnd,
    b2: weightsEnd + hidden,
    size: weightsEnd + hidden + labels,
  };
}

/** Per-example buffers of the forward and backward pass. */
export interface Scratch {
  x: Float32Array;
  z: Float32Array;
  a: Float32Array;
  keep: Float32Array;
  out: Float64Array;
  grad: Float64Array;
}

export function newScratch(w: HeadWeights, layout: HeadLayout): Scratch {
  return {
    x: new Float32Array(w.dim),
    z: new Float32Array(Math.max(1, w.hidden)),
    a: new Float32Array(layout.width),
    keep: new Float32Array(layout.width).fill(1),
    out: new Float64Array(w.labels),
    grad: new Float64Array(w.labels),
  };
}

/** Standardises row `row` of `vectors` into `x`. */
export function standardize(w: HeadWeights, vectors: Float32Array, row: number, x: Float32Array): void {
  const d = w.dim;
  const base = row * d;
  const mean = w.mean;
  const inv = w.invStd;
  for (let j = 0; j < d; j++) x[j] = (vectors[base + j]! - mean[j]!) * inv[j]!;
}

/**
 * Logits of the standardised `s.x` into `s.out`; with `dropout` > 0 (training) drops inputs
 * of the output layer and records the kept ones' scale in `s.keep`.
 */
export function forward(
  w: HeadWeights,
  L: HeadLayout,
  s: Scratch,
  dropout: number,
  rng: Random | null,
): void {
  const p = w.params;
  const d = w.dim;
  const width = L.width;
  const a = s.a;
  if (w.hidden > 0) {
    for (let h = 0; h < w.hidden; h++) {
      const z = p[L.b1 + h]! + dot(p, L.w1 + h * d, s.x, d);
      s.z[h] = z;
      a[h] = Math.max(z, 0);
    }
  } else {
    a.set(s.x);
  }
  if (dropout > 0 && rng !== null) {
    const scale = 1 / (1 - dropout);
    for (let j = 0; j < width; j++) {
      const k = rng.next() < dropout ? 0 : scale;
      s.keep[j] = k;
      a[j] = a[j]! * k;
    }
  }
  const out = s.out;
  let l = 0;
  for (; l + 3 < w.labels; l += 4) {
    // Four rows against the same input: each a[j] is read once for four products.
    const r0 = L.w2 + l * width;
    const r1 = r0 + width;
    const r2 = r1 + width;
    const r3 = r2 + width;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let j = 0; j < width; j++) {
      const v = a[j]!;
      s0 += p[r0 + j]! * v;
      s1 += p[r1 + j]! * v;
      s2 += p[r2 + j]! * v;
      s3 += p[r3 + j]! * v;
    }
    out[l] = p[L.b2 + l]! + s0;
    out[l + 1] = p[L.b2 + l + 1]! + s1;
    out[l + 2] = p[L.b2 + l + 2]! + s2;
    out[l + 3] = p[L.b2 + l + 3]! + s3;
  }
  for (; l < w.labels; l++) out[l] = p[L.b2 + l]! + dot(p, L.w2 + l * width, a, width);
}

/** `p[at..at+n) · x[0..n)`, four lanes at a time. */
function dot(p: Float32Array, at: number, x: Float32Array, n: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let j = 0;
  for (; j + 3 < n; j += 4) {
    s0 += p[at + j]! * x[j]!;
    s1 += p[at + j + 1]! * x[j + 1]!;
    s2 += p[at + j + 2]! * x[j + 2]!;
    s3 += p[at + j + 3]! * x[j + 3]!;
  }
  for (; j < n; j++) s0 += p[at + j]! * x[j]!;
  return s0 + s1 + s2 + s3;
}

/** `g[at..at+n) += c × x[0..n)`, four lanes at a time. */
function axpy(g: Float32Array, at: number, c: number, x: Float32Array, n: number): void {
  let j = 0;
  for (; j + 3 < n; j += 4) {
    g[at + j] = g[at + j]! + c * x[j]!;
    g[at + j + 1] = g[at + j + 1]! + c * x[j + 1]!;
    g[at + j + 2] = g[at + j + 2]! + c * x[j + 2]!;
    g[at + j + 3] = g[at + j + 3]! + c * x[j + 3]!;
  }
  for (; j < n; j++) g[at + j] = g[at + j]! + c * x[j]!;
}

/** Turns logits into probabilities: a softmax, or one sigmoid per label. */
export function activate(out: Float64Array, n: number, ova: boolean): void {
  if (ova) {
    for (let l = 0; l < n; l++) out[l] = 1 / (1 + Math.exp(-out[l]!));
    return;
  }
  let max = Number.NEGATIVE_INFINITY;
  for (let l = 0; l < n; l++) if (out[l]! > max) max = out[l]!;
  let sum = 0;
  for (let l = 0; l < n; l++) {
    const e = Math.exp(out[l]! - max);
    out[l] = e;
    sum += e;
  }
  for (let l = 0; l < n; l++) out[l] = out[l]! / sum;
}

/**
 * Probabilities (softmax) or sigmoid scores (ova) of every label for each row of
 * `vectors`, row-major: `rows × labels` values.
 */
export function headScores(w: HeadWeights, vectors: Float32Array, rows: number, ova: boolean): Float32Array {
  const L = headLayout(w.dim, w.hidden, w.labels);
  const s = newScratch(w, L);
  const result = new Float32Array(rows * w.labels);
  for (let i = 0; i < rows; i++) {
    standardize(w, vectors, i, s.x);
    forward(w, L, s, 0, null);
    activate(s.out, w.labels, ova);
    for (let l = 0; l < w.labels; l++) result[i * w.labels + l] = s.out[l]!;
  }
  return result;
}

/**
 * Loss of one example from the probabilities in `s.out`, and the gradient of the logits in
 * `s.grad`, against the (smoothed) target of example `i`.
 */
export function lossAndGradient(
  s: Scratch,
  t: HeadTargets,
  i: number,
  labels: number,
  smoothing: number,
  ova: boolean,
): number {
  const g = s.grad;
  const from = t.offsets[i]!;
  const to = t.offsets[i + 1]!;
  let loss = 0;
  if (ova) {
    for (let l = 0; l < labels; l++) g[l] = smoothing / 2;
    for (let k = from; k < to; k++) g[t.ids[k]!] = 1 - smoothing / 2;
    for (let l = 0; l < labels; l++) {
      const p = Math.min(Math.max(s.out[l]!, 1e-12), 1 - 1e-12);
      const y = g[l]!;
      loss -= y * Math.log(p) + (1 - y) * Math.log(1 - p);
      g[l] = s.out[l]! - y;
    }
    return loss;
  }
  const base = smoothing / labels;
  for (let l = 0; l < labels; l++) g[l] = base;
  const share = (1 - smoothing) / Math.max(1, to - from);
  for (let k = from; k < to; k++) g[t.ids[k]!] = g[t.ids[k]!]! + share;
  for (let l = 0; l < labels; l++) {
    const y = g[l]!;
    if (y > 0) loss -= y * Math.log(Math.max(s.out[l]!, 1e-12));
    g[l] = s.out[l]! - y;
  }
  return loss;
}

/** Adds the gradient of one example (logit gradient in `s.grad`) to `grads`. */
export function backward(w: HeadWeights, L: HeadLayout, s: Scratch, grads: Float32Array): void {
  const p = w.params;
  const width = L.width;
  const a = s.a;
  for (let l = 0; l < w.labels; l++) grads[L.b2 + l] = grads[L.b2 + l]! + s.grad[l]!;
  let l = 0;
  for (; l + 3 < w.labels; l += 4) {
    const g0 = s.grad[l]!;
    const g1 = s.grad[l + 1]!;
    const g2 = s.grad[l + 2]!;
    const g3 = s.grad[l + 3]!;
    const r0 = L.w2 + l * width;
    const r1 = r0 + width;
    const r2 = r1 + width;
    const r3 = r2 + width;
    for (let j = 0; j < width; j++) {
      const v = a[j]!;
      grads[r0 + j] = grads[r0 + j]! + g0 * v;
      grads[r1 + j] = grads[r1 + j]! + g1 * v;
      grads[r2 + j] = grads[r2 + j]! + g2 * v;
      grads[r3 + j] = grads[r3 + j]! + g3 * v;
    }
  }
  for (; l < w.labels; l++) axpy(grads, L.w2 + l * width, s.grad[l]!, a, width);
  if (w.hidden === 0) return;
  for (let h = 0; h < w.hidden; h++) {
    if (s.z[h]! <= 0 || s.keep[h] === 0) continue;
    let ga = 0;
    for (let l = 0; l < w.labels; l++) ga += s.grad[l]! * p[L.w2 + l * width + h]!;
    const gz = ga * s.keep[h]!;
    grads[L.b1 + h] = grads[L.b1 + h]! + gz;
    axpy(grads, L.w1 + h * w.dim, gz, s.x, w.dim);
  }
}

/**
 * @internal Loss and parameter gradient of one standardised example without dropout: the
 * gradient check of the tests compares it with finite differences.
 */
export function exampleGradient(
  w: HeadWeights,
  x: Float32Array,
  targets: HeadTargets,
  i: number,
  smoothing: number,
  ova: boolean,
): { loss: number; grads: Float32Array } {
  const L = headLayout(w.dim, w.hidden, w.labels);
  const s = newScratch(w, L);
  s.x.set(x);
  forward(w, L, s, 0, null);
  activate(s.out, w.labels, ova);
  const loss = lossAndGradient(s, targets, i, w.labels, smoothing, ova);
  const grads = new Float32Array(L.size);
  backward(w, L, s, grads);
  return { loss, grads };
}
