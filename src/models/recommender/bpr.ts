/**
 * Bayesian personalised ranking (Rendle et al. 2009): stochastic gradient ascent on
 * log σ(x_ui − x_uj) for an observed pair (u, i) drawn uniformly and an item j drawn
 * uniformly from those u has not engaged with; x_ui = uᵀi + b_i. A pass draws as many
 * triples as there are observed pairs.
 */
import { Random } from "../../core/index.ts";
import { initialFactors } from "./als.ts";
import type { History } from "./engine.ts";
import type { FactorState, FactorTraining } from "./factors.ts";
import { type CsrMatrix, findSorted } from "./matrix.ts";
import type { RecommenderOptions } from "./options.ts";

/** Tries at drawing an unseen item before a triple is skipped (only users who saw nearly everything). */
const NEGATIVE_TRIES = 16;

/**
 * One SGD step on the triple (u, i, j); returns −log σ(x_uij), the step's loss.
 * Hot: called nnz times a pass, so plain loops over the typed arrays.
 */
function step(
  x: Float32Array,
  y: Float32Array,
  bias: Float32Array,
  u: number,
  i: number,
  j: number,
  f: number,
  lr: number,
  reg: number,
  updateItems: boolean,
): number {
  const xo = u * f;
  const io = i * f;
  const jo = j * f;
  let score = bias[i]! - bias[j]!;
  for (let d = 0; d < f; d++) score += x[xo + d]! * (y[io + d]! - y[jo + d]!);
  // σ(−score): the gradient's scale; the loss is log(1 + e^(−score)), computed stably.
  const g = score >= 0 ? Math.exp(-score) / (1 + Math.exp(-score)) : 1 / (1 + Math.exp(score));
  const loss = score >= 0 ? Math.log1p(Math.exp(-score)) : -score + Math.log1p(Math.exp(score));
  for (let d = 0; d < f; d++) {
    const xu = x[xo + d]!;
    const yi = y[io + d]!;
    const yj = y[jo + d]!;
    x[xo + d] = xu + lr * (g * (yi - yj) - reg * xu);
    if (updateItems) {
      y[io + d] = yi + lr * (g * xu - reg * yi);
      y[jo + d] = yj + lr * (-g * xu - reg * yj);
    }
  }
  if (updateItems) {
    bias[i] = bias[i]! + lr * (g - reg * bias[i]!);
    bias[j] = bias[j]! + lr * (-g - reg * bias[j]!);
  }
  return loss;
}

/**
 * Trains BPR factors and item biases on the user × item matrix `m` (weights only decide
 * which pairs are observed).
 *
 * @example
 * const state = trainBpr(matrix, resolveRecommenderOptions({ model: "bpr" }), training);
 */
export function trainBpr(m: CsrMatrix, options: RecommenderOptions, training: FactorTraining): FactorState {
  const f = options.factors;
  const rng = new Random(options.seed);
  const scale = 0.1;
  const state: FactorState = {
    users: m.rows,
    items: m.cols,
    factors: f,
    userFactors: initialFactors(m.rows, f, rng, scale),
    itemFactors: initialFactors(m.cols, f, rng, scale),
    itemBias: new Float32Array(m.cols),
  };
  const nnz = m.indices.length;
  // The user of every observed pair, so that a pair is one uniform draw.
  const owner = new Int32Array(nnz);
  for (let u = 0; u < m.rows; u++) owner.fill(u, m.indptr[u]!, m.indptr[u + 1]!);
  const x = state.userFactors;
  const y = state.itemFactors;
  const bias = state.itemBias!;
  const items = m.cols;
  const total = nnz * options.iterations;
  let lastLoss = Number.NaN;
  for (let epoch = 1; epoch <= options.iterations; epoch++) {
    const started = performance.now();
    let lossSum = 0;
    let steps = 0;
    let stop = false;
    for (let s = 0; s < nnz; s++) {
      const done = (epoch - 1) * nnz + s;
      // Linear decay to a tenth of the rate over all passes.
      const lr = options.learningRate * (1 - (0.9 * done) / total);
      const e = rng.int(nnz);
      const u = owner[e]!;
      const i = m.indices[e]!;
      const a = m.indptr[u]!;
      const b = m.indptr[u + 1]!;
      let j = -1;
      for (let t = 0; t < NEGATIVE_TRIES; t++) {
        const candidate = rng.int(items);
        if (findSorted(m.indices, candidate, a, b) < 0) {
          j = candidate;
          break;
        }
      }
      if (j >= 0) {
        lossSum += step(x, y, bias, u, i, j, f, lr, options.reg, true);
        steps++;
      }
      if ((s & 16383) === 16383) {
        lastLoss = lossSum / Math.max(1, steps);
        if (training.progress.report(done + 1, epoch, options.iterations, lastLoss, lr)) {
          stop = true;
          break;
        }
      }
    }
    lastLoss = lossSum / Math.max(1, steps);
    const summary = { epoch, trainLoss: lastLoss, seconds: (performance.now() - started) / 1000 };
    if (training.endEpoch(summary, state) || stop) break;
  }
  return state;
}

/**
 * Fits one user's factors to their history by the same SGD with the item factors and
 * biases fixed, from zero, with a generator seeded by the user's index (so the same
 * events give the same factors).
 */
export function bprFoldIn(
  state: FactorState,
  user: number,
  history: History,
  options: Pick<RecommenderOptions, "learningRate" | "reg" | "seed">,
): void {
  const f = state.factors;
  state.userFactors.fill(0, user * f, user * f + f);
  let end = history.indices.length;
  while (end > 0 && history.indices[end - 1]! >= state.items) end--;
  if (end === 0 || end >= state.items) return;
  const rng = new Random((options.seed ^ Math.imul(user + 1, 0x9e3779b1)) >>> 0);
  const steps = 200 * Math.max(end, 10);
  for (let s = 0; s < steps; s++) {
    const lr = options.learningRate * (1 - (0.9 * s) / steps);
    const i = history.indices[rng.int(end)]!;
    let j = -1;
    for (let t = 0; t < NEGATIVE_TRIES; t++) {
      const candidate = rng.int(state.items);
      if (findSorted(history.indices, candidate, 0, end) < 0) {
        j = candidate;
        break;
      }
    }
    if (j >= 0)
      step(state.userFactors, state.itemFactors, state.itemBias!, user, i, j, f, lr, options.reg, false);
  }
}
