/**
 * Forward-backward for training a linear-chain CRF: node and edge marginals of one
 * sentence over the transitions its tag set allows (see tag-set.ts), in probability space
 * with per-token normalisation (Rabiner's scaling), so that each allowed (prev, cur) pair
 * costs one multiply-add per pass and exps are taken only per tag and per pair once per
 * sentence. Scores are made relative to their maximum before the exp (per token for
 * emissions, once for transitions), so nothing overflows; a sentence whose normaliser
 * underflows anyway (scores far apart, the best tags forbidden) is done again in log space
 * (lattice.ts), one exp per allowed pair and token.
 */
import { forwardBackward, LatticeScratch } from "./lattice.ts";
import type { ChainWeights, TagSet } from "./tag-set.ts";

/** The log-partition and marginals of one sentence, in reusable buffers. */
export class CrfLattice {
  /** Node marginals, n × T: p(tag at i = t). */
  node = new Float64Array(0);
  /** Expected transition counts, T × T (prev, cur), summed over the sentence's positions. */
  edge = new Float64Array(0);
  private alpha = new Float64Array(0);
  private beta = new Float64Array(0);
  private expEmit = new Float64Array(0);
  private norm = new Float64Array(0);
  private expTrans = new Float64Array(0);
  private expStart = new Float64Array(0);
  private expEnd = new Float64Array(0);

  private tags = new Float64Array(0);

  /** A buffer of T numbers for the caller (one per tag). */
  tagScratch(T: number): Float64Array {
    if (this.tags.length < T) this.tags = new Float64Array(T);
    return this.tags;
  }

  private ensure(n: number, T: number): void {
    if (this.alpha.length < n * T) {
      const cells = n * T * 2;
      this.alpha = new Float64Array(cells);
      this.beta = new Float64Array(cells);
      this.expEmit = new Float64Array(cells);
      this.node = new Float64Array(cells);
      this.norm = new Float64Array(n * 2);
    }
    if (this.edge.length !== T * T) {
      this.edge = new Float64Array(T * T);
      this.expTrans = new Float64Array(T * T);
      this.expStart = new Float64Array(T);
      this.expEnd = new Float64Array(T);
    }
  }

  /**
   * Fills `node` and `edge` for a sentence of `n` tokens with emission scores `emit`
   * (n × T) and the given transition weights; returns log Z.
   */
  marginals(set: TagSet, n: number, emit: Float64Array, chain: ChainWeights): number {
    const T = set.tags.length;
    this.ensure(n, T);
    const transMax = this.exponentiate(set, n, emit, chain);
    const offset = this.forward(set, n);
    const last = (n - 1) * T;
    let z = 0;
    for (let t = 0; t < T; t++) z += (this.alpha[last + t] ?? 0) * (this.expEnd[t] ?? 0);
    if (!(z > 0) || !Number.isFinite(offset)) return this.inLogSpace(set, n, emit, chain);
    this.backward(set, n);
    this.collect(set, n, z);
    return offset + Math.log(z) + (n - 1) * transMax;
  }

  private logLattice: LatticeScratch | null = null;

  /** The same marginals from log-space alpha and beta (lattice.ts): slower, never underflows. */
  private inLogSpace(set: TagSet, n: number, emit: Float64Array, chain: ChainWeights): number {
    const { trans } = chain;
    const T = set.tags.length;
    this.logLattice ??= new LatticeScratch();
    const logZ = forwardBackward(set, n, emit, chain, 1, this.logLattice);
    const { alpha, beta } = this.logLattice;
    const { prevStart, prevTag } = set;
    const { node, edge } = this;
    for (let cell = 0; cell < n * T; cell++) {
      node[cell] = Math.exp((alpha[cell] ?? 0) + (beta[cell] ?? 0) - logZ);
    }
    for (let c = 0; c < T; c++) {
      for (let k = prevStart[c] ?? 0; k < (prevStart[c + 1] ?? 0); k++) edge[(prevTag[k] ?? 0) * T + c] = 0;
    }
    for (let i = 1; i < n; i++) {
      const base = i * T;
      for (let cur = 0; cur < T; cur++) {
        const right = (emit[base + cur] ?? 0) + (beta[base + cur] ?? 0) - logZ;
        for (let k = prevStart[cur] ?? 0; k < (prevStart[cur + 1] ?? 0); k++) {
          const prev = prevTag[k] ?? 0;
          const at = prev * T + cur;
          edge[at] = (edge[at] ?? 0) + Math.exp((alpha[base - T + prev] ?? 0) + (trans[at] ?? 0) + right);
        }
      }
    }
    return logZ;
  }

  /** exp of every score relative to its maximum; returns the transitions' maximum. */
  private exponentiate(set: TagSet, n: number, emit: Float64Array, chain: ChainWeights): number {
    const { trans, start, end } = chain;
    const T = set.tags.length;
    const { prevStart, prevTag } = set;
    let transMax = Number.NEGATIVE_INFINITY;
    for (let cur = 0; cur < T; cur++) {
      for (let k = prevStart[cur] ?? 0; k < (prevStart[cur + 1] ?? 0); k++) {
        transMax = Math.max(transMax, trans[(prevTag[k] ?? 0) * T + cur] ?? 0);
      }
    }
    const expTrans = this.expTrans;
    for (let cur = 0; cur < T; cur++) {
      for (let k = prevStart[cur] ?? 0; k < (prevStart[cur + 1] ?? 0); k++) {
        const at = (prevTag[k] ?? 0) * T + cur;
        expTrans[at] = Math.exp((trans[at] ?? 0) - transMax);
      }
    }
    let startMax = Number.NEGATIVE_INFINITY;
    let endMax = Number.NEGATIVE_INFINITY;
    for (let t = 0; t < T; t++) {
      if (set.canStart[t] === 1) startMax = Math.max(startMax, start[t] ?? 0);
      if (set.canEnd[t] === 1) endMax = Math.max(endMax, end[t] ?? 0);
    }
    for (let t = 0; t < T; t++) {
      this.expStart[t] = set.canStart[t] === 1 ? Math.exp((start[t] ?? 0) - startMax) : 0;
      this.expEnd[t] = set.canEnd[t] === 1 ? Math.exp((end[t] ?? 0) - endMax) : 0;
    }
    // The start and end maxima and each token's emission maximum go into norm[0].
    let shift = startMax + endMax;
    for (let i = 0; i < n; i++) {
      const base = i * T;
      let max = Number.NEGATIVE_INFINITY;
      for (let t = 0; t < T; t++) max = Math.max(max, emit[base + t] ?? 0);
      for (let t = 0; t < T; t++) this.expEmit[base + t] = Math.exp((emit[base + t] ?? 0) - max);
      shift += max;
    }
    this.shift = shift;
    return transMax;
  }

  private shift = 0;

  /** Normalised alpha; returns the log of everything factored out (norms and maxima). */
  private forward(set: TagSet, n: number): number {
    const T = set.tags.length;
    const { prevStart, prevTag } = set;
    const { alpha, expEmit, expTrans, norm } = this;
    let sum = 0;
    for (let t = 0; t < T; t++) {
      const v = (this.expStart[t] ?? 0) * (expEmit[t] ?? 0);
      alpha[t] = v;
      sum += v;
    }
    let logNorm = Math.log(sum);
    norm[0] = sum;
    for (let t = 0; t < T; t++) alpha[t] = (alpha[t] ?? 0) / sum;
    for (let i = 1; i < n; i++) {
      const base = i * T;
      const prevBase = base - T;
      sum = 0;
      for (let cur = 0; cur < T; cur++) {
        let inflow = 0;
        const stop = prevStart[cur + 1] ?? 0;
        for (let k = prevStart[cur] ?? 0; k < stop; k++) {
          const prev = prevTag[k] ?? 0;
          inflow += (alpha[prevBase + prev] ?? 0) * (expTrans[prev * T + cur] ?? 0);
        }
        const v = inflow * (expEmit[base + cur] ?? 0);
        alpha[base + cur] = v;
        sum += v;
      }
      norm[i] = sum;
      logNorm += Math.log(sum);
      if (!(sum > 0)) return Number.NaN;
      for (let t = 0; t < T; t++) alpha[base + t] = (alpha[base + t] ?? 0) / sum;
    }
    return logNorm + this.shift;
  }

  /** Beta scaled by the same norms as alpha (Rabiner): alpha · beta / z is the marginal. */
  private backward(set: TagSet, n: number): void {
    const T = set.tags.length;
    const { nextStart, nextTag } = set;
    const { beta, expEmit, expTrans, norm } = this;
    const last = (n - 1) * T;
    for (let t = 0; t < T; t++) beta[last + t] = this.expEnd[t] ?? 0;
    for (let i = n - 2; i >= 0; i--) {
      const base = i * T;
      const nextBase = base + T;
      const scale = 1 / (norm[i + 1] ?? 1);
      for (let prev = 0; prev < T; prev++) {
        let outflow = 0;
        const stop = nextStart[prev + 1] ?? 0;
        for (let k = nextStart[prev] ?? 0; k < stop; k++) {
          const next = nextTag[k] ?? 0;
          outflow +=
            (expTrans[prev * T + next] ?? 0) * (expEmit[nextBase + next] ?? 0) * (beta[nextBase + next] ?? 0);
        }
        beta[base + prev] = outflow * scale;
      }
    }
  }

  /** Node marginals and expected transition counts from alpha and beta. */
  private collect(set: TagSet, n: number, z: number): void {
    const T = set.tags.length;
    const { prevStart, prevTag } = set;
    const { alpha, beta, expEmit, expTrans, norm, node, edge } = this;
    for (let c = 0; c < T; c++) {
      for (let k = prevStart[c] ?? 0; k < (prevStart[c + 1] ?? 0); k++) edge[(prevTag[k] ?? 0) * T + c] = 0;
    }
    const invZ = 1 / z;
    for (let cell = 0; cell < n * T; cell++) node[cell] = (alpha[cell] ?? 0) * (beta[cell] ?? 0) * invZ;
    for (let i = 1; i < n; i++) {
      const base = i * T;
      const prevBase = base - T;
      const factor = invZ / (norm[i] ?? 1);
      for (let cur = 0; cur < T; cur++) {
        const right = (expEmit[base + cur] ?? 0) * (beta[base + cur] ?? 0) * factor;
        if (right === 0) continue;
        const stop = prevStart[cur + 1] ?? 0;
        for (let k = prevStart[cur] ?? 0; k < stop; k++) {
          const prev = prevTag[k] ?? 0;
          const at = prev * T + cur;
          edge[at] = (edge[at] ?? 0) + (alpha[prevBase + prev] ?? 0) * (expTrans[at] ?? 0) * right;
        }
      }
    }
  }
}
