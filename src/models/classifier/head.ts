/**
 * The numeric engine of a head on frozen sentence embeddings: a softmax (or one-vs-all)
 * layer, optionally after one ReLU hidden layer, trained with AdamW.
 *
 * Parameters live in one Float32Array, weights first and biases after, so that the AdamW
 * update and weight decay are two flat loops over contiguous memory. The forward and
 * backward passes of one example are fused loops over typed arrays held in a scratch
 * object: nothing is allocated per example. Embeddings are standardised with the training
 * set's mean and deviation, which the head keeps, so that one learning rate suits every
 * encoder whatever the scale of its vectors.
 */

import type { EpochSummary, TrainHooks } from "../../core/index.ts";
import { Random } from "../../core/index.ts";
import { EpochLog } from "../../train/index.ts";
import {
  activate,
  backward,
  forward,
  type HeadTargets,
  type HeadWeights,
  headLayout,
  headScores,
  lossAndGradient,
  newScratch,
  standardize,
} from "./head-network.ts";
import type { HeadOptions } from "./head-options.ts";

export type { HeadLayout, HeadTargets, HeadWeights } from "./head-network.ts";
export { exampleGradient, headLayout, headScores } from "./head-network.ts";

/** Embeddings (row-major, `dim` values a row) with their labels. */
export interface HeadData {
  vectors: Float32Array;
  targets: HeadTargets;
}

export interface HeadTrainResult {
  weights: HeadWeights;
  epochs: EpochSummary[];
  stoppedEarly: boolean;
  bestEpoch: number;
  examplesPerSecond: number;
}

/** AdamW state: first and second moments, and the step count. */
interface Adam {
  m: Float64Array;
  v: Float64Array;
  t: number;
}

const BETA1 = 0.9;
const BETA2 = 0.999;
const EPSILON = 1e-8;

/** One AdamW step with the mean gradient `grads / count`; decoupled decay on weights only. */
function adamWStep(
  params: Float32Array,
  grads: Float32Array,
  count: number,
  adam: Adam,
  lr: number,
  weightsEnd: number,
  decay: number,
): void {
  adam.t++;
  const c1 = 1 - BETA1 ** adam.t;
  const c2 = 1 - BETA2 ** adam.t;
  const inv = 1 / count;
  const m = adam.m;
  const v = adam.v;
  const shrink = 1 - lr * decay;
  for (let k = 0; k < params.length; k++) {
    const g = grads[k]! * inv;
    const mk = BETA1 * m[k]! + (1 - BETA1) * g;
    const vk = BETA2 * v[k]! + (1 - BETA2) * g * g;
    m[k] = mk;
    v[k] = vk;
    const base = k < weightsEnd ? params[k]! * shrink : params[k]!;
    params[k] = base - (lr * (mk / c1)) / (Math.sqrt(vk / c2) + EPSILON);
  }
  grads.fill(0);
}

/** Linear warm-up to `peak` over `warm` steps, then linear decay to 0 at step `total`. */
export function scheduledRate(peak: number, step: number, warm: number, total: number): number {
  if (step <= warm) return (peak * step) / Math.max(1, warm);
  return (peak * (total - step + 1)) / Math.max(1, total - warm + 1);
}

function initialWeights(
  dim: number,
  hidden: number,
  labels: number,
  vectors: Float32Array,
  rows: number,
  rng: Random,
): HeadWeights {
  const mean = new Float32Array(dim);
  const invStd = new Float32Array(dim);
  const sums = new Float64Array(dim);
  const squares = new Float64Array(dim);
  for (let i = 0; i < rows; i++) {
    const base = i * dim;
    for (let j = 0; j < dim; j++) {
      const v = vectors[base + j]!;
      sums[j] = sums[j]! + v;
      squares[j] = squares[j]! + v * v;
    }
  }
  for (let j = 0; j < dim; j++) {
    const mu = sums[j]! / rows;
    const variance = Math.max(0, squares[j]! / rows - mu * mu);
    mean[j] = mu;
    invStd[j] = variance > 1e-12 ? 1 / Math.sqrt(variance) : 0;
  }
  const L = headLayout(dim, hidden, labels);
  const params = new Float32Array(L.size);
  // Glorot-uniform weights; biases start at 0.
  const r1 = Math.sqrt(6 / (dim + Math.max(1, hidden)));
  for (let k = L.w1; k < L.w2; k++) params[k] = rng.uniform(-r1, r1);
  const r2 = Math.sqrt(6 / (L.width + labels));
  for (let k = L.w2; k < L.weightsEnd; k++) params[k] = rng.uniform(-r2, r2);
  return { dim, hidden, labels, mean, invStd, params };
}

/** Accuracy (softmax) or micro-F1 at 0.5 (ova) of the head on labelled embeddings. */
export function headMetric(w: HeadWeights, data: HeadData, ova: boolean): number {
  const rows = data.targets.offsets.length - 1;
  const scores = headScores(w, data.vectors, rows, ova);
  const n = w.labels;
  const t = data.targets;
  if (!ova) {
    let right = 0;
    for (let i = 0; i < rows; i++) {
      let best = 0;
      for (let l = 1; l < n; l++) if (scores[i * n + l]! > scores[i * n + best]!) best = l;
      for (let k = t.offsets[i]!; k < t.offsets[i + 1]!; k++) if (t.ids[k] === best) right++;
    }
    return rows === 0 ? 0 : right / rows;
  }
  let tp = 0;
  let predicted = 0;
  let actual = 0;
  for (let i = 0; i < rows; i++) {
    actual += t.offsets[i + 1]! - t.offsets[i]!;
    for (let l = 0; l < n; l++) {
      if (scores[i * n + l]! < 0.5) continue;
      predicted++;
      for (let k = t.offsets[i]!; k < t.offsets[i + 1]!; k++) if (t.ids[k] === l) tp++;
    }
  }
  return predicted + actual === 0 ? 0 : (2 * tp) / (predicted + actual);
}

/** Every row of `vectors` standardised once (every epoch reads them), through the scratch row `x`. */
function standardizedRows(w: HeadWeights, vectors: Float32Array, n: number, x: Float32Array): Float32Array {
  const xs = new Float32Array(n * w.dim);
  for (let i = 0; i < n; i++) {
    standardize(w, vectors, i, x);
    xs.set(x, i * w.dim);
  }
  return xs;
}

/** Where training stands: examples seen of those planned, since `t0`. */
interface HeadProgress {
  epoch: number;
  epochs: number;
  seen: number;
  planned: number;
  t0: number;
}

function reportProgress(hooks: TrainHooks, at: HeadProgress, loss: number, learningRate: number): void {
  const seconds = (performance.now() - at.t0) / 1000;
  hooks.onProgress?.({
    epoch: at.epoch,
    epochs: at.epochs,
    progress: at.seen / at.planned,
    loss,
    learningRate,
    speed: at.seen / seconds,
    unit: "examples",
    etaSeconds: (seconds / at.seen) * (at.planned - at.seen),
  });
}

/**
 * Trains a head on embeddings: `train.vectors` has one row of `dim` values per example.
 * Deterministic for a given seed, data and options.
 *
 * @example
 * const { weights } = trainHead({ vectors, targets }, undefined, 384, 20, resolveHeadOptions({ hidden: 256 }));
 * headScores(weights, newVectors, newVectors.length / 384, false);
 */
export function trainHead(
  train: HeadData,
  dev: HeadData | undefined,
  dim: number,
  labels: number,
  options: HeadOptions,
  hooks: TrainHooks = {},
): HeadTrainResult {
  const t0 = performance.now();
  const n = train.targets.offsets.length - 1;
  const ova = options.loss === "ova";
  const rng = new Random(options.seed);
  const w = initialWeights(dim, options.hidden, labels, train.vectors, n, rng);
  const L = headLayout(dim, options.hidden, labels);
  const s = newScratch(w, L);
  const xs = standardizedRows(w, train.vectors, n, s.x);
  const grads = new Float32Array(L.size);
  const adam: Adam = { m: new Float64Array(L.size), v: new Float64Array(L.size), t: 0 };
  const effective = options.batchSize * options.accumulate;
  const stepsPerEpoch = Math.ceil(n / effective);
  const total = stepsPerEpoch * options.epochs;
  const warm = Math.round(options.warmup * total);
  const order = Int32Array.from({ length: n }, (_, i) => i);
  const log = new EpochLog<Float32Array>(options, hooks);
  let seen = 0;
  let lastReport = t0;
  for (let epoch = 1; epoch <= options.epochs; epoch++) {
    const epochStart = performance.now();
    rng.shuffle(order);
    let epochLoss = 0;
    let inStep = 0;
    let lr = 0;
    for (let k = 0; k < n; k++) {
      const i = order[k]!;
      for (let j = 0, at = i * dim; j < dim; j++) s.x[j] = xs[at + j]!;
      s.keep.fill(1);
      forward(w, L, s, options.dropout, rng);
      activate(s.out, labels, ova);
      epochLoss += lossAndGradient(s, train.targets, i, labels, options.labelSmoothing, ova);
      backward(w, L, s, grads);
      inStep++;
      if (inStep === effective || k === n - 1) {
        lr = scheduledRate(options.lr, adam.t + 1, warm, total);
        adamWStep(w.params, grads, inStep, adam, lr, L.weightsEnd, options.weightDecay);
        inStep = 0;
      }
      seen++;
      if ((k & 1023) === 1023 && performance.now() - lastReport > 200) {
        lastReport = performance.now();
        const planned = n * options.epochs;
        reportProgress(hooks, { epoch, epochs: options.epochs, seen, planned, t0 }, epochLoss / (k + 1), lr);
      }
    }
    const summary: EpochSummary = {
      epoch,
      trainLoss: epochLoss / n,
      seconds: (performance.now() - epochStart) / 1000,
    };
    const metric = dev === undefined ? undefined : headMetric(w, dev, ova);
    if (metric !== undefined) summary.dev = { [ova ? "microF1" : "accuracy"]: metric };
    if (log.end(summary, metric, () => w.params.slice())) break;
  }
  log.restoreBest((best) => w.params.set(best));
  const examplesPerSecond = seen / ((performance.now() - t0) / 1000);
  log.finish(examplesPerSecond, "examples");
  const { epochs, stoppedEarly, bestEpoch } = log;
  return { weights: w, epochs, stoppedEarly, bestEpoch, examplesPerSecond };
}
