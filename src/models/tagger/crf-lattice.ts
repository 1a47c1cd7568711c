/**
 * Forward-backward for training a linear-chain CRF: node and edge marginals of one
 * sentence over the transitions its tag set allows (see tag-set.ts), in probability space
 * with per-token normalisation (Rabiner's scaling), so that each allowed (prev, cur) pair
 * costs one multiply-add per pass and exps are taken only per tag and per pair once per
 * sentence. Scores are made relative to their maximum before the exp (per token for
 * emissions, once for transitions), so nothing overflows; a sentence whose normaliser
 * underflows anyway (scores far apart, the best tags forbidden) is done again in log space
 * (lattice.ts), one exp per allowed pair and token.
 *
 * The pairs are kept in the layout of chain-layout.ts: the targets that take every wide
 * predecessor (O and B-x) are rows of one dense block, so the three passes run as
 * matrix-vector products over contiguous rows, four rows at a time sharing each load of
 * the vector; only I-x (and E-x in BIOES) go through short predecessor lists.
 */
import { type ChainLayout, chainLayout } from "./chain-layout.ts";
import { forwardBackward, LatticeScratch } from "./lattice.ts";
import type { ChainWeights, TagSet } from "./tag-set.ts";

/** The log-partition and marginals of one sentence, in reusable buffers. */
export class CrfLattice {
  /** Node marginals, n × T: p(tag at i = t). */
  node = new Float64Array(0);
  /**
   * Expected transition counts summed over the sentence's positions, one per allowed pair
   * in the order of `layout` (pair p is the cell `layout.pairAt[p]` of a T × T matrix).
   */
  edge = new Float64Array(0);
  /** The pair layout of the last sentence's tag set. */
  layout: ChainLayout | null = null;
  private alpha = new Float64Array(0);
  private beta = new Float64Array(0);
  private expEmit = new Float64Array(0);
  private norm = new Float64Array(0);
  /** exp(trans − max) per allowed pair, in layout order. */
  private expTrans = new Float64Array(0);
  private expStart = new Float64Array(0);
  private expEnd = new Float64Array(0);
  /** Per token, alpha of the previous token at the wide predecessors (n × W). */
  private gathered = new Float64Array(0);
  /** Per tag scratch of the backward pass; per wide tag its sums. */
  private weighted = new Float64Array(0);
  private wideSums = new Float64Array(0);

  private tags = new Float64Array(0);

  /** A buffer of T numbers for the caller (one per tag). */
  tagScratch(T: number): Float64Array {
    if (this.tags.length < T) this.tags = new Float64Array(T);
    return this.tags;
  }

  private ensure(n: number, layout: ChainLayout): void {
    const T = layout.T;
    const W = layout.wide.length;
    if (this.alpha.length < n * T) {
      const cells = n * T * 2;
      this.alpha = new Float64Array(cells);
      this.beta = new Float64Array(cells);
      this.expEmit = new Float64Array(cells);
      this.node = new Float64Array(cells);
      this.norm = new Float64Array(n * 2);
    }
    if (this.gathered.length < n * W) this.gathered = new Float64Array(n * W * 2);
    if (this.edge.length !== layout.pairs || this.expStart.length !== T || this.wideSums.length !== W) {
      this.edge = new Float64Array(layout.pairs);
      this.expTrans = new Float64Array(layout.pairs);
      this.expStart = new Float64Array(T);
      this.expEnd = new Float64Array(T);
      this.weighted = new Float64Array(T);
      this.wideSums = new Float64Array(W);
    }
  }

  /**
   * Fills `node` and `edge` for a sentence of `n` tokens with emission scores `emit`
   * (n × T) and the given transition weights, each transition times `transScale` (rounded
   * to float32, as a scaled copy of the weights would hold it); returns log Z.
   */
  marginals(set: TagSet, n: number, emit: Float64Array, chain: ChainWeights, transScale = 1): number {
    const layout = chainLayout(set);
    this.layout = layout;
    const T = layout.T;
    this.ensure(n, layout);
    const transMax = this.exponentiate(set, n, emit, chain, transScale);
    const offset = this.forward(n);
    const last = (n - 1) * T;
    let z = 0;
    for (let t = 0; t < T; t++) z += (this.alpha[last + t] ?? 0) * (this.expEnd[t] ?? 0);
    if (!(z > 0) || !Number.isFinite(offset)) {
      if (transScale === 1) return this.inLogSpace(set, n, emit, chain);
      const trans = Float32Array.from(chain.trans, (v) => v * transScale);
      return this.inLogSpace(set, n, emit, { ...chain, trans });
    }
    this.backward(n);
    this.collect(n, z);
    return offset + Math.log(z) + (n - 1) * transMax;
  }

  private logLattice: LatticeScratch | null = null;

  /** The same marginals from log-space alpha and beta (lattice.ts): slower, never underflows. */
  private inLogSpace(set: TagSet, n: number, emit: Float64Array, chain: ChainWeights): number {
    const { trans } = chain;
    const layout = chainLayout(set);
    const T = layout.T;
    this.logLattice ??= new LatticeScratch();
    const logZ = forwardBackward(set, n, emit, chain, 1, this.logLattice);
    const { alpha, beta } = this.logLattice;
    const { pairAt, pairPrev, pairCur, pairs } = layout;
    const { node, edge } = this;
    for (let cell = 0; cell < n * T; cell++) {
      node[cell] = Math.exp((alpha[cell] ?? 0) + (beta[cell] ?? 0) - logZ);
    }
    edge.fill(0);
    for (let i = 1; i < n; i++) {
      const base = i * T;
      for (let p = 0; p < pairs; p++) {
        const prev = pairPrev[p] ?? 0;
        const cur = pairCur[p] ?? 0;
        const right = (emit[base + cur] ?? 0) + (beta[base + cur] ?? 0) - logZ;
        edge[p] =
          (edge[p] ?? 0) + Math.exp((alpha[base - T + prev] ?? 0) + (trans[pairAt[p] ?? 0] ?? 0) + right);
      }
    }
    return logZ;
  }

  /** exp of every score relative to its maximum; returns the transitions' maximum. */
  private exponentiate(
    set: TagSet,
    n: number,
    emit: Float64Array,
    chain: ChainWeights,
    transScale: number,
  ): number {
    const { trans, start, end } = chain;
    const T = set.tags.length;
    const { pairAt, pairs } = chainLayout(set);
    let transMax = Number.NEGATIVE_INFINITY;
    const expTrans = this.expTrans;
    for (let p = 0; p < pairs; p++) {
      const v =
        transScale === 1
          ? (trans[pairAt[p] ?? 0] ?? 0)
          : Math.fround(transScale * (trans[pairAt[p] ?? 0] ?? 0));
      expTrans[p] = v;
      if (v > transMax) transMax = v;
    }
    for (let p = 0; p < pairs; p++) expTrans[p] = Math.exp((expTrans[p] ?? 0) - transMax);
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
  private forward(n: number): number {
    const layout = this.layout;
    if (layout === null) return Number.NaN;
    const { T, wide } = layout;
    const W = wide.length;
    const { alpha, expEmit, norm, gathered } = this;
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
      const g = i * W;
      for (let j = 0; j < W; j++) gathered[g + j] = alpha[prevBase + (wide[j] ?? 0)] ?? 0;
      this.denseInflow(g, base);
      this.sparseInflow(prevBase, base);
      sum = 0;
      for (let t = 0; t < T; t++) {
        const v = (alpha[base + t] ?? 0) * (expEmit[base + t] ?? 0);
        alpha[base + t] = v;
        sum += v;
      }
      norm[i] = sum;
      logNorm += Math.log(sum);
      if (!(sum > 0)) return Number.NaN;
      const inv = 1 / sum;
      for (let t = 0; t < T; t++) alpha[base + t] = (alpha[base + t] ?? 0) * inv;
    }
    return logNorm + this.shift;
  }

  /**
   * alpha[base + cur] = Σ_j gathered[g + j] · expTrans[d · W + j] for each dense target
   * (emission not yet applied): four rows at a time, one accumulator per row, so each row
   * sums in the wide list's order.
   */
  private denseInflow(g: number, base: number): void {
    const layout = this.layout;
    if (layout === null) return;
    const { dense, wide } = layout;
    const W = wide.length;
    const D = dense.length;
    const { alpha, gathered: a, expTrans: m } = this;
    let d = 0;
    for (; d + 4 <= D; d += 4) {
      const r0 = d * W;
      const r1 = r0 + W;
      const r2 = r1 + W;
      const r3 = r2 + W;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let j = 0; j < W; j++) {
        const x = a[g + j] ?? 0;
        s0 += x * (m[r0 + j] ?? 0);
        s1 += x * (m[r1 + j] ?? 0);
        s2 += x * (m[r2 + j] ?? 0);
        s3 += x * (m[r3 + j] ?? 0);
      }
      alpha[base + (dense[d] ?? 0)] = s0;
      alpha[base + (dense[d + 1] ?? 0)] = s1;
      alpha[base + (dense[d + 2] ?? 0)] = s2;
      alpha[base + (dense[d + 3] ?? 0)] = s3;
    }
    for (; d < D; d++) {
      const r = d * W;
      let s = 0;
      for (let j = 0; j < W; j++) s += (a[g + j] ?? 0) * (m[r + j] ?? 0);
      alpha[base + (dense[d] ?? 0)] = s;
    }
  }

  /** The same for the sparse targets, through their predecessor lists. */
  private sparseInflow(prevBase: number, base: number): void {
    const layout = this.layout;
    if (layout === null) return;
    const { sparse, sparseStart, sparsePrev, denseSize } = layout;
    const { alpha, expTrans } = this;
    for (let s = 0; s < sparse.length; s++) {
      let inflow = 0;
      const stop = sparseStart[s + 1] ?? 0;
      for (let k = sparseStart[s] ?? 0; k < stop; k++) {
        inflow += (alpha[prevBase + (sparsePrev[k] ?? 0)] ?? 0) * (expTrans[denseSize + k] ?? 0);
      }
      alpha[base + (sparse[s] ?? 0)] = inflow;
    }
  }

  /** Beta scaled by the same norms as alpha (Rabiner): alpha · beta / z is the marginal. */
  private backward(n: number): void {
    const layout = this.layout;
    if (layout === null) return;
    const { T, wide, sparse, sparseStart, sparsePrev, denseSize } = layout;
    const W = wide.length;
    const { beta, expEmit, expTrans, norm, weighted, wideSums } = this;
    const last = (n - 1) * T;
    for (let t = 0; t < T; t++) beta[last + t] = this.expEnd[t] ?? 0;
    for (let i = n - 2; i >= 0; i--) {
      const base = i * T;
      const nextBase = base + T;
      for (let t = 0; t < T; t++) weighted[t] = (expEmit[nextBase + t] ?? 0) * (beta[nextBase + t] ?? 0);
      this.denseOutflow();
      const scale = 1 / (norm[i + 1] ?? 1);
      beta.fill(0, base, base + T);
      for (let j = 0; j < W; j++) beta[base + (wide[j] ?? 0)] = wideSums[j] ?? 0;
      for (let s = 0; s < sparse.length; s++) {
        const w = weighted[sparse[s] ?? 0] ?? 0;
        const stop = sparseStart[s + 1] ?? 0;
        for (let k = sparseStart[s] ?? 0; k < stop; k++) {
          const at = base + (sparsePrev[k] ?? 0);
          beta[at] = (beta[at] ?? 0) + (expTrans[denseSize + k] ?? 0) * w;
        }
      }
      for (let t = 0; t < T; t++) beta[base + t] = (beta[base + t] ?? 0) * scale;
    }
  }

  /**
   * wideSums[j] = Σ_d weighted[dense[d]] · expTrans[d · W + j]: what flows back from the
   * dense targets into each wide predecessor, four rows per sweep over the sums.
   */
  private denseOutflow(): void {
    const layout = this.layout;
    if (layout === null) return;
    const { dense, wide } = layout;
    const W = wide.length;
    const D = dense.length;
    const { weighted, wideSums: acc, expTrans: m } = this;
    acc.fill(0, 0, W);
    let d = 0;
    for (; d + 4 <= D; d += 4) {
      const w0 = weighted[dense[d] ?? 0] ?? 0;
      const w1 = weighted[dense[d + 1] ?? 0] ?? 0;
      const w2 = weighted[dense[d + 2] ?? 0] ?? 0;
      const w3 = weighted[dense[d + 3] ?? 0] ?? 0;
      const r0 = d * W;
      const r1 = r0 + W;
      const r2 = r1 + W;
      const r3 = r2 + W;
      for (let j = 0; j < W; j++) {
        acc[j] =
          (acc[j] ?? 0) +
          w0 * (m[r0 + j] ?? 0) +
          w1 * (m[r1 + j] ?? 0) +
          w2 * (m[r2 + j] ?? 0) +
          w3 * (m[r3 + j] ?? 0);
      }
    }
    for (; d < D; d++) {
      const w = weighted[dense[d] ?? 0] ?? 0;
      const r = d * W;
      for (let j = 0; j < W; j++) acc[j] = (acc[j] ?? 0) + w * (m[r + j] ?? 0);
    }
  }

  /**
   * Node marginals and expected transition counts from alpha and beta. For the dense
   * block the sum over tokens is taken first (Σ_i gathered_i[j] · right_i[d], four tokens
   * per sweep over a row) and multiplied by the pair's weight once.
   */
  private collect(n: number, z: number): void {
    const layout = this.layout;
    if (layout === null) return;
    const { T, dense, sparse, sparseStart, sparsePrev, denseSize, pairs } = layout;
    const D = dense.length;
    const { alpha, beta, expEmit, expTrans, norm, node, edge } = this;
    edge.fill(0, 0, pairs);
    const invZ = 1 / z;
    for (let cell = 0; cell < n * T; cell++) node[cell] = (alpha[cell] ?? 0) * (beta[cell] ?? 0) * invZ;
    if (this.rights.length < n * D) this.rights = new Float64Array(n * D * 2);
    const rights = this.rights;
    for (let i = 1; i < n; i++) {
      const base = i * T;
      const prevBase = base - T;
      const factor = invZ / (norm[i] ?? 1);
      for (let d = 0; d < D; d++) {
        const cur = dense[d] ?? 0;
        rights[i * D + d] = (expEmit[base + cur] ?? 0) * (beta[base + cur] ?? 0) * factor;
      }
      for (let s = 0; s < sparse.length; s++) {
        const cur = sparse[s] ?? 0;
        const right = (expEmit[base + cur] ?? 0) * (beta[base + cur] ?? 0) * factor;
        if (right === 0) continue;
        const stop = sparseStart[s + 1] ?? 0;
        for (let k = sparseStart[s] ?? 0; k < stop; k++) {
          const p = denseSize + k;
          edge[p] =
            (edge[p] ?? 0) + (alpha[prevBase + (sparsePrev[k] ?? 0)] ?? 0) * (expTrans[p] ?? 0) * right;
        }
      }
    }
    for (let d = 0; d < D; d++) this.denseCounts(n, d);
  }

  private rights = new Float64Array(0);

  /**
   * edge[d · W + j] = expTrans there · Σ_i gathered_i[j] · rights_i[d]: four tokens per
   * sweep over the row, the last one to three tokens and the weight in one more sweep.
   */
  private denseCounts(n: number, d: number): void {
    const layout = this.layout;
    if (layout === null) return;
    const W = layout.wide.length;
    const D = layout.dense.length;
    const { edge, gathered: a, rights, expTrans: m } = this;
    const r = d * W;
    const x = (i: number) => (i < n ? (rights[i * D + d] ?? 0) : 0);
    let i = 1;
    for (; i + 4 < n; i += 4) {
      const x0 = x(i);
      const x1 = x(i + 1);
      const x2 = x(i + 2);
      const x3 = x(i + 3);
      const g0 = i * W;
      const g1 = g0 + W;
      const g2 = g1 + W;
      const g3 = g2 + W;
      for (let j = 0; j < W; j++) {
        edge[r + j] =
          (edge[r + j] ?? 0) +
          (a[g0 + j] ?? 0) * x0 +
          (a[g1 + j] ?? 0) * x1 +
          (a[g2 + j] ?? 0) * x2 +
          (a[g3 + j] ?? 0) * x3;
      }
    }
    // One to four tokens left (none when n = 1): rows past n weigh 0 and read row i.
    const g0 = i * W;
    const g1 = i + 1 < n ? g0 + W : g0;
    const g2 = i + 2 < n ? g0 + 2 * W : g0;
    const g3 = i + 3 < n ? g0 + 3 * W : g0;
    const x0 = x(i);
    const x1 = x(i + 1);
    const x2 = x(i + 2);
    const x3 = x(i + 3);
    for (let j = 0; j < W; j++) {
      const sum =
        (edge[r + j] ?? 0) +
        (a[g0 + j] ?? 0) * x0 +
        (a[g1 + j] ?? 0) * x1 +
        (a[g2 + j] ?? 0) * x2 +
        (a[g3 + j] ?? 0) * x3;
      edge[r + j] = sum * (m[r + j] ?? 0);
    }
  }
}
