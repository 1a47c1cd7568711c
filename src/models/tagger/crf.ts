/**
 * The tagger as a linear-chain CRF (Lafferty et al. 2001): the weights maximise the
 * L2-regularised log-likelihood of the gold tag paths,
 *
 *   objective(w) = Σ_s (log Z_s(w) − score_s(w, gold_s)) + c2 · ‖w‖²,
 *
 * with Z summed over the valid paths only (the allowed transitions of tag-set.ts), by
 * stochastic gradient descent as CRFsuite's `l2sgd` does it: per sentence the gradient of
 * that sentence's loss plus (λ/2)‖w‖² with λ = 2 · c2 / N, a rate η_t = η0 / (1 + λ η0 t),
 * and the weight decay kept as one factor (w = decay · v), so that a step touches only the
 * sentence's features. η0 is picked by a few short trial runs on a sample. As in CRFsuite,
 * the learner gives weights only to the (feature, tag) pairs seen in training (`seenPairs`);
 * the average of the SGD weights (crf-average.ts) is an option.
 */

import { chainLayout } from "./chain-layout.ts";
import { CrfAverage } from "./crf-average.ts";
import { CrfLattice } from "./crf-lattice.ts";
import type { EncodedSentences } from "./encode.ts";
import { addEmissions } from "./encode.ts";
import { emptyWeights } from "./perceptron.ts";
import type { TaggerWeights } from "./sequence-tagger.ts";
import type { TagSet } from "./tag-set.ts";

const PARTS = ["emit", "trans", "start", "end"] as const;
/** Below this the decay factor is folded into the weights (before float32 loses them). */
const SMALLEST_DECAY = 1e-6;
/** The same when averaging: the average's accumulator cancels against decay · v (see crf-average.ts). */
const SMALLEST_DECAY_AVERAGED = 1e-2;

/** Objective value and its gradient over whole data (for tests and checks; training uses `CrfSgd`). */
export function crfObjective(
  set: TagSet,
  encoded: EncodedSentences,
  w: TaggerWeights,
  c2: number,
): { value: number; gradient: Record<(typeof PARTS)[number], Float64Array> } {
  const T = set.tags.length;
  const gradient = {
    emit: new Float64Array(w.emit.length),
    trans: new Float64Array(T * T),
    start: new Float64Array(T),
    end: new Float64Array(T),
  };
  const lattice = new CrfLattice();
  let value = 0;
  let emit = new Float64Array(0);
  const count = encoded.sentenceStart.length - 1;
  for (let s = 0; s < count; s++) {
    const first = encoded.sentenceStart[s] ?? 0;
    const n = (encoded.sentenceStart[s + 1] ?? 0) - first;
    if (n === 0) continue;
    if (emit.length < n * T) emit = new Float64Array(n * T);
    addEmissions(encoded, first, n, w.emit, T, emit);
    const logZ = lattice.marginals(set, n, emit, w);
    value += logZ - goldScore(encoded, first, n, T, emit, w);
    // d/dw of log Z − gold score: expected minus observed counts.
    addCounts(set, encoded, first, n, lattice, 1, gradient, null);
  }
  for (const part of PARTS) {
    const v = w[part];
    const g = gradient[part];
    for (let i = 0; i < v.length; i++) {
      const x = v[i] ?? 0;
      value += c2 * x * x;
      g[i] = (g[i] ?? 0) + 2 * c2 * x;
    }
  }
  return { value, gradient };
}

/** The score of a sentence's gold path under `w` (emissions precomputed; transitions times `transScale`, in float32 as stored). */
function goldScore(
  encoded: EncodedSentences,
  first: number,
  n: number,
  T: number,
  emit: Float64Array,
  w: TaggerWeights,
  transScale = 1,
): number {
  const { gold } = encoded;
  let s = (w.start[gold[first] ?? 0] ?? 0) + (w.end[gold[first + n - 1] ?? 0] ?? 0);
  for (let i = 0; i < n; i++) {
    const g = gold[first + i] ?? 0;
    s += emit[i * T + g] ?? 0;
    if (i > 0) s += Math.fround(transScale * (w.trans[(gold[first + i - 1] ?? 0) * T + g] ?? 0));
  }
  return s;
}

/**
 * Adds `factor` · (expected − observed) counts of one sentence to `out`: the gradient of
 * its negative log-likelihood when factor = 1, a descent step when factor = −η / decay.
 */
function addCounts(
  set: TagSet,
  encoded: EncodedSentences,
  first: number,
  n: number,
  lattice: CrfLattice,
  factor: number,
  out: {
    emit: Float32Array | Float64Array;
    trans: Float32Array | Float64Array;
    start: Float32Array | Float64Array;
    end: Float32Array | Float64Array;
  },
  seen: SeenPairs | null,
): void {
  const T = set.tags.length;
  const { gold, feats, tokenStart } = encoded;
  const { node, edge } = lattice;
  const delta = lattice.tagScratch(T);
  for (let i = 0; i < n; i++) {
    const base = i * T;
    for (let t = 0; t < T; t++) delta[t] = factor * (node[base + t] ?? 0);
    const g = gold[first + i] ?? 0;
    delta[g] = (delta[g] ?? 0) - factor;
    const emit = out.emit;
    for (let j = tokenStart[first + i] ?? 0; j < (tokenStart[first + i + 1] ?? 0); j++) {
      const f = feats[j] ?? 0;
      const r = f * T;
      if (seen === null) {
        for (let t = 0; t < T; t++) emit[r + t] = (emit[r + t] ?? 0) + (delta[t] ?? 0);
        continue;
      }
      for (let k = seen.start[f] ?? 0; k < (seen.start[f + 1] ?? 0); k++) {
        const t = seen.tags[k] ?? 0;
        emit[r + t] = (emit[r + t] ?? 0) + (delta[t] ?? 0);
      }
    }
    if (i > 0) {
      const at = (gold[first + i - 1] ?? 0) * T + g;
      out.trans[at] = (out.trans[at] ?? 0) - factor;
    }
  }
  const { pairAt, pairs } = chainLayout(set);
  const trans = out.trans;
  for (let p = 0; p < pairs; p++) {
    const at = pairAt[p] ?? 0;
    trans[at] = (trans[at] ?? 0) + factor * (edge[p] ?? 0);
  }
  const last = (n - 1) * T;
  for (let t = 0; t < T; t++) {
    out.start[t] = (out.start[t] ?? 0) + factor * (node[t] ?? 0);
    out.end[t] = (out.end[t] ?? 0) + factor * (node[last + t] ?? 0);
  }
  const g0 = gold[first] ?? 0;
  const gl = gold[first + n - 1] ?? 0;
  out.start[g0] = (out.start[g0] ?? 0) - factor;
  out.end[gl] = (out.end[gl] ?? 0) - factor;
}

/**
 * The tags each feature row may weigh, in compressed rows: tags[start[f] .. start[f+1]) are
 * the tags feature f was seen with in training (CRFsuite's default feature set); the other
 * pairs keep weight 0.
 */
export interface SeenPairs {
  start: Int32Array;
  tags: Int32Array;
}

/** The (feature, gold tag) pairs of the training tokens. */
export function seenPairs(encoded: EncodedSentences, rows: number, T: number): SeenPairs {
  const { feats, tokenStart, gold } = encoded;
  const mark = new Uint8Array(rows * T);
  for (let g = 0; g < gold.length; g++) {
    const tag = gold[g] ?? 0;
    for (let j = tokenStart[g] ?? 0; j < (tokenStart[g + 1] ?? 0); j++) mark[(feats[j] ?? 0) * T + tag] = 1;
  }
  const start = new Int32Array(rows + 1);
  let pairs = 0;
  for (let f = 0; f < rows; f++) {
    start[f] = pairs;
    for (let t = 0; t < T; t++) pairs += mark[f * T + t] ?? 0;
  }
  start[rows] = pairs;
  const tags = new Int32Array(pairs);
  let k = 0;
  for (let cell = 0; cell < mark.length; cell++) if (mark[cell] === 1) tags[k++] = cell % T;
  return { start, tags };
}

/** What `CrfSgd` does besides plain SGD. */
export interface CrfSgdOptions {
  /** Update only these (feature, tag) pairs; every pair when absent. */
  seen?: SeenPairs;
  /** Keep the average of the weights since `startAverage` (see crf-average.ts). */
  average?: boolean;
}

/** Stochastic gradient descent on the CRF objective, one sentence at a time. */
export class CrfSgd {
  /** The weights without the decay factor: the true weights are decay · v (see `fold`). */
  readonly v: TaggerWeights;
  private decay = 1;
  private readonly set: TagSet;
  private readonly T: number;
  private readonly lattice = new CrfLattice();
  private emit = new Float64Array(0);
  private readonly scaled: TaggerWeights;
  /** λ of the per-sentence objective: 2 · c2 / N. */
  private readonly lambda: number;
  private readonly seen: SeenPairs | null;
  private readonly average: CrfAverage | null;
  /** Sentences left out because their lattice underflowed. */
  skipped = 0;

  constructor(rows: number, set: TagSet, c2: number, sentences: number, options: CrfSgdOptions = {}) {
    this.set = set;
    this.T = set.tags.length;
    this.v = emptyWeights(rows, this.T);
    this.seen = options.seen ?? null;
    this.average = options.average === true ? new CrfAverage(rows, this.T) : null;
    this.scaled = emptyWeights(0, this.T);
    this.lambda = (2 * c2) / Math.max(1, sentences);
  }

  /** The learning rate after `t` sentences when starting at `eta0`. */
  rate(eta0: number, t: number): number {
    return eta0 / (1 + this.lambda * eta0 * t);
  }

  /**
   * One step on tokens first..first+n at rate `eta`; returns the sentence's negative
   * log-likelihood before the step (NaN when it was left out).
   */
  step(encoded: EncodedSentences, first: number, n: number, eta: number): number {
    const T = this.T;
    if (n === 0) return 0;
    if (this.emit.length < n * T) this.emit = new Float64Array(n * T * 2);
    const emit = this.emit;
    addEmissions(encoded, first, n, this.v.emit, T, emit);
    const d = this.decay;
    for (let c = 0; c < n * T; c++) emit[c] = (emit[c] ?? 0) * d;
    // The transitions are scaled inside the lattice, only at the allowed pairs.
    const scaled = this.scaled;
    scaled.trans = this.v.trans;
    for (const part of ["start", "end"] as const) {
      const src = this.v[part];
      const dst = scaled[part];
      for (let i = 0; i < src.length; i++) dst[i] = (src[i] ?? 0) * d;
    }
    const logZ = this.lattice.marginals(this.set, n, emit, scaled, d);
    if (Number.isNaN(logZ)) {
      this.skipped++;
      return Number.NaN;
    }
    const loss = logZ - goldScore(encoded, first, n, T, emit, scaled, d);
    if (eta === 0) return loss;
    this.decay *= 1 - eta * this.lambda;
    const factor = -eta / this.decay;
    addCounts(this.set, encoded, first, n, this.lattice, factor, this.v, this.seen);
    if (this.average !== null) {
      const { average } = this;
      addCounts(this.set, encoded, first, n, this.lattice, factor * average.before, average.acc, this.seen);
      average.counted(this.decay);
    }
    if (this.decay < (this.average === null ? SMALLEST_DECAY : SMALLEST_DECAY_AVERAGED)) this.fold();
    return loss;
  }

  /** Multiplies the decay factor into `v`, which then holds the true weights. */
  fold(): void {
    if (this.decay === 1) return;
    this.average?.fold(this.v);
    for (const part of PARTS) {
      const a = this.v[part];
      for (let i = 0; i < a.length; i++) a[i] = (a[i] ?? 0) * this.decay;
    }
    this.decay = 1;
  }

  /** The true weights (folded first). */
  weights(): TaggerWeights {
    this.fold();
    return this.v;
  }

  /**
   * The average of the true weights over the steps since `startAverage` (a buffer reused
   * by the next call); the true weights when not averaging or no step was taken.
   */
  averaged(): TaggerWeights {
    this.fold();
    return this.average === null ? this.v : this.average.weights(this.v);
  }

  /** Starts a new average from the next step on (no-op when not averaging). */
  startAverage(): void {
    this.average?.reset();
  }

  /** Back to all-zero weights (between trial rates). */
  reset(): void {
    for (const part of PARTS) this.v[part].fill(0);
    this.decay = 1;
    this.skipped = 0;
    this.average?.reset();
  }

  /** A copy of the true weights. */
  snapshot(): TaggerWeights {
    const w = this.weights();
    return { emit: w.emit.slice(), trans: w.trans.slice(), start: w.start.slice(), end: w.end.slice() };
  }

  /** Puts a snapshot back. */
  restore(best: TaggerWeights): void {
    this.decay = 1;
    for (const part of PARTS) this.v[part].set(best[part]);
    this.average?.reset();
  }

  /** Σ (λ/2)‖w‖² over `sentences` steps: the regulariser's share of the objective. */
  penalty(sentences: number): number {
    let sq = 0;
    for (const part of PARTS) for (const x of this.v[part]) sq += x * x;
    return (this.lambda / 2) * sentences * sq * this.decay * this.decay;
  }
}

/** The first initial rate tried; then doubled while that helps, else halved (as CRFsuite calibrates). */
const FIRST_RATE = 0.1;
/** Trial rates at most. */
const MAX_TRIALS = 6;
/** Sentences the trial runs use, at most. */
const TRIAL_SENTENCES = 1000;

/**
 * The initial rate η0 that gives the lowest objective after one pass over a sample of
 * the sentences (`order` gives the sample): 0.1, then doubled while the objective drops,
 * or else halved while it drops. Leaves `sgd` reset.
 */
export function pickRate(sgd: CrfSgd, encoded: EncodedSentences, order: Int32Array): number {
  const sample = order.subarray(0, Math.min(order.length, TRIAL_SENTENCES));
  let best = FIRST_RATE;
  let bestValue = trialObjective(sgd, encoded, sample, best);
  let trials = 1;
  for (const factor of [2, 0.5]) {
    let eta0 = FIRST_RATE * factor;
    while (trials < MAX_TRIALS) {
      const value = trialObjective(sgd, encoded, sample, eta0);
      trials++;
      if (!(value < bestValue)) break;
      bestValue = value;
      best = eta0;
      eta0 *= factor;
    }
    if (best !== FIRST_RATE) break;
  }
  sgd.reset();
  return best;
}

/** The objective on `sample` after one pass over it from zero weights at initial rate eta0. */
function trialObjective(sgd: CrfSgd, encoded: EncodedSentences, sample: Int32Array, eta0: number): number {
  sgd.reset();
  let t = 0;
  for (const s of sample) {
    const first = encoded.sentenceStart[s] ?? 0;
    sgd.step(encoded, first, (encoded.sentenceStart[s + 1] ?? 0) - first, sgd.rate(eta0, t++));
  }
  let value = sgd.penalty(sample.length);
  for (const s of sample) {
    const first = encoded.sentenceStart[s] ?? 0;
    const loss = sgd.step(encoded, first, (encoded.sentenceStart[s + 1] ?? 0) - first, 0);
    value += Number.isNaN(loss) ? Number.POSITIVE_INFINITY : loss;
  }
  return value;
}
