/**
 * Forward-backward over the valid tag sequences (see tag-set.ts), with every score
 * multiplied by `scale` (a temperature fitted on held-out data): the tagger's scores read
 * as a linear-chain CRF's. Every step visits only the allowed (prev, cur) pairs.
 *
 * Two ways to the partition function: `forwardLogZ` works in log space (one exp per
 * allowed pair and token), `scaledLogZ` sums predecessors in probability space relative
 * to the forward vector's maximum (one multiply-add per pair, exps only per tag), which
 * is what makes fitting the temperature fast with hundreds of tags; it sums a cell in log
 * space when its probability-space sum is too small to trust.
 */
import type { ChainWeights, TagSet } from "./tag-set.ts";

/**
 * Below this, a cell's sum could be made of terms that underflowed (each under exp(-708)
 * ≈ 3e-308, at most a few hundred of them): that cell is summed in log space instead.
 * Above it, what underflowed is below 1e-12 of the sum.
 */
const SMALLEST_SUM = 1e-290;

/** Reusable buffers of the lattice functions. */
export class LatticeScratch {
  alpha = new Float64Array(0);
  beta = new Float64Array(0);
  private sums = new Float64Array(0);
  /** exp(scale · trans) per allowed pair, in prevTag order (see `scaledTransitions`). */
  pairWeights = new Float64Array(0);

  ensure(cells: number): void {
    if (this.alpha.length < cells) {
      this.alpha = new Float64Array(cells * 2);
      this.beta = new Float64Array(cells * 2);
    }
  }

  private rel = new Float64Array(0);

  /** Room for one vector of exp(log alpha − max) per tag. */
  relative(tags: number): Float64Array {
    if (this.rel.length < tags) this.rel = new Float64Array(tags);
    return this.rel;
  }

  /** Room for the terms of one log-sum (at most one per tag). */
  terms(tags: number): Float64Array {
    if (this.sums.length < tags) this.sums = new Float64Array(tags);
    return this.sums;
  }
}

/**
 * Fills `lattice.alpha` (log-sum of paths ending at i with tag t, emission at i included)
 * and `lattice.beta` (log-sum of the rest after i), and returns log Z.
 */
export function forwardBackward(
  set: TagSet,
  n: number,
  emit: Float64Array,
  chain: ChainWeights,
  scale: number,
  lattice: LatticeScratch,
): number {
  const { trans, end } = chain;
  const T = set.tags.length;
  const NEG = Number.NEGATIVE_INFINITY;
  forwardPass(set, n, emit, chain, scale, lattice);
  const alpha = lattice.alpha;
  const beta = lattice.beta;
  const { nextStart, nextTag } = set;
  const terms = lattice.terms(T);
  const last = (n - 1) * T;
  for (let t = 0; t < T; t++) beta[last + t] = set.canEnd[t] === 1 ? scale * end[t]! : NEG;
  for (let i = n - 2; i >= 0; i--) {
    const nextBase = (i + 1) * T;
    for (let cur = 0; cur < T; cur++) {
      let count = 0;
      const stop = nextStart[cur + 1]!;
      for (let k = nextStart[cur]!; k < stop; k++) {
        const next = nextTag[k]!;
        terms[count++] = scale * (trans[cur * T + next]! + emit[nextBase + next]!) + beta[nextBase + next]!;
      }
      beta[i * T + cur] = logSumExp(terms, count);
    }
  }
  let count = 0;
  for (let t = 0; t < T; t++) terms[count++] = alpha[last + t]! + beta[last + t]!;
  return logSumExp(terms, count);
}

/** The forward half alone in log space (log Z, and `lattice.alpha`). */
export function forwardLogZ(
  set: TagSet,
  n: number,
  emit: Float64Array,
  chain: ChainWeights,
  scale: number,
  lattice: LatticeScratch,
): number {
  const { end } = chain;
  const T = set.tags.length;
  forwardPass(set, n, emit, chain, scale, lattice);
  const terms = lattice.terms(T);
  const alpha = lattice.alpha;
  const last = (n - 1) * T;
  let count = 0;
  for (let t = 0; t < T; t++) if (set.canEnd[t] === 1) terms[count++] = alpha[last + t]! + scale * end[t]!;
  return logSumExp(terms, count);
}

function forwardPass(
  set: TagSet,
  n: number,
  emit: Float64Array,
  chain: ChainWeights,
  scale: number,
  lattice: LatticeScratch,
): void {
  const { trans, start } = chain;
  const T = set.tags.length;
  const NEG = Number.NEGATIVE_INFINITY;
  lattice.ensure(n * T);
  const alpha = lattice.alpha;
  const { prevStart, prevTag } = set;
  const terms = lattice.terms(T);
  for (let t = 0; t < T; t++) alpha[t] = set.canStart[t] === 1 ? scale * (start[t]! + emit[t]!) : NEG;
  for (let i = 1; i < n; i++) {
    const prevBase = (i - 1) * T;
    for (let cur = 0; cur < T; cur++) {
      let count = 0;
      const stop = prevStart[cur + 1]!;
      for (let k = prevStart[cur]!; k < stop; k++) {
        const prev = prevTag[k]!;
        terms[count++] = alpha[prevBase + prev]! + scale * trans[prev * T + cur]!;
      }
      alpha[i * T + cur] = logSumExp(terms, count) + scale * emit[i * T + cur]!;
    }
  }
}

/**
 * Prepares `scaledLogZ` for one scale: exp(scale · (trans − max)) per allowed pair into
 * `lattice.pairWeights`. Returns the max it subtracted (added back per step).
 */
export function scaledTransitions(
  set: TagSet,
  trans: Float32Array,
  scale: number,
  lattice: LatticeScratch,
): number {
  const T = set.tags.length;
  const { prevStart, prevTag } = set;
  if (lattice.pairWeights.length < set.pairs) lattice.pairWeights = new Float64Array(set.pairs);
  const weights = lattice.pairWeights;
  let max = Number.NEGATIVE_INFINITY;
  for (let cur = 0; cur < T; cur++) {
    for (let k = prevStart[cur]!; k < prevStart[cur + 1]!; k++)
      max = Math.max(max, trans[prevTag[k]! * T + cur]!);
  }
  for (let cur = 0; cur < T; cur++) {
    for (let k = prevStart[cur]!; k < prevStart[cur + 1]!; k++) {
      weights[k] = Math.exp(scale * (trans[prevTag[k]! * T + cur]! - max));
    }
  }
  return max;
}

/**
 * log Z after `scaledTransitions(set, trans, scale, lattice)` returned `transMax`, with
 * the sums over predecessors in probability space: per token, T exps (the forward vector
 * relative to its maximum) and one multiply-add per allowed pair, instead of one exp per
 * pair. Cells stay in log space, so a path that is unlikely now and dominant later is
 * never lost; a cell whose sum is too small to trust is summed in log space.
 */
export function scaledLogZ(
  set: TagSet,
  n: number,
  emit: Float64Array,
  chain: ChainWeights,
  scale: number,
  transMax: number,
  lattice: LatticeScratch,
): number {
  const { trans, start, end } = chain;
  const T = set.tags.length;
  const NEG = Number.NEGATIVE_INFINITY;
  lattice.ensure(2 * T);
  const { prevStart, prevTag } = set;
  const pw = lattice.pairWeights;
  const terms = lattice.terms(T);
  // prev holds log alpha of the last token; relative holds exp(log alpha - its max).
  let prev = lattice.alpha;
  let cur = lattice.beta;
  const relative = lattice.relative(T);
  for (let t = 0; t < T; t++) prev[t] = set.canStart[t] === 1 ? scale * (start[t]! + emit[t]!) : NEG;
  for (let i = 1; i < n; i++) {
    let max = NEG;
    for (let t = 0; t < T; t++) if (prev[t]! > max) max = prev[t]!;
    if (max === NEG) return NEG;
    for (let t = 0; t < T; t++) relative[t] = Math.exp(prev[t]! - max);
    const base = i * T;
    for (let t = 0; t < T; t++) {
      let inflow = 0;
      const stop = prevStart[t + 1]!;
      for (let k = prevStart[t]!; k < stop; k++) inflow += relative[prevTag[k]!]! * pw[k]!;
      let logInflow: number;
      if (inflow > SMALLEST_SUM) logInflow = max + Math.log(inflow) + scale * transMax;
      else {
        // Terms that underflowed could carry this cell: it is summed in log space.
        let count = 0;
        for (let k = prevStart[t]!; k < stop; k++) {
          const p = prevTag[k]!;
          terms[count++] = prev[p]! + scale * trans[p * T + t]!;
        }
        logInflow = logSumExp(terms, count);
      }
      cur[t] = logInflow + scale * emit[base + t]!;
    }
    const swap = prev;
    prev = cur;
    cur = swap;
  }
  let count = 0;
  for (let t = 0; t < T; t++) if (set.canEnd[t] === 1) terms[count++] = prev[t]! + scale * end[t]!;
  return logSumExp(terms, count);
}

/** log(sum(exp(terms[0..count)))), by the largest term: one exp per term and one log. */
function logSumExp(terms: Float64Array, count: number): number {
  let max = Number.NEGATIVE_INFINITY;
  for (let k = 0; k < count; k++) if (terms[k]! > max) max = terms[k]!;
  if (max === Number.NEGATIVE_INFINITY) return max;
  let sum = 0;
  for (let k = 0; k < count; k++) sum += Math.exp(terms[k]! - max);
  return max + Math.log(sum);
}

/**
 * The probability that tokens [from, to) carry exactly the tags `path[from..to)`, from a
 * lattice filled by `forwardBackward`. With BIOES tags of one entity (B I.. E, or S) this
 * is the probability of that entity, boundaries and type included.
 */
export function segmentProbability(
  set: TagSet,
  emit: Float64Array,
  trans: Float32Array,
  scale: number,
  lattice: LatticeScratch,
  logZ: number,
  path: Int32Array,
  from: number,
  to: number,
): number {
  const T = set.tags.length;
  let s = lattice.alpha[from * T + path[from]!]!;
  for (let i = from + 1; i < to; i++) {
    s += scale * (trans[path[i - 1]! * T + path[i]!]! + emit[i * T + path[i]!]!);
  }
  s += lattice.beta[(to - 1) * T + path[to - 1]!]!;
  return Math.min(1, Math.exp(s - logZ));
}

/** The score of one tag path (unscaled): the sum the tagger maximises. */
export function pathScore(
  T: number,
  n: number,
  emit: Float64Array,
  chain: ChainWeights,
  path: ArrayLike<number>,
): number {
  const { trans, start, end } = chain;
  let s = start[path[0]!]! + end[path[n - 1]!]!;
  for (let i = 0; i < n; i++)
    s += emit[i * T + path[i]!]! + (i > 0 ? trans[path[i - 1]! * T + path[i]!]! : 0);
  return s;
}
