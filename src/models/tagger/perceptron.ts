/**
 * The structured averaged perceptron's weights (Collins 2002): `w` is the current weight
 * vector, `acc` sums c · update, and the average over all steps is w − acc / c (Daumé's
 * trick: no pass over all weights per step). Averaging makes it as accurate as a CRF on
 * named entities at a fraction of the training time.
 */
import type { EncodedSentences } from "./encode.ts";
import { denseUpdate } from "./encoder-features.ts";
import type { TaggerWeights } from "./sequence-tagger.ts";
import type { TagSet } from "./tag-set.ts";
import { transitionBounds } from "./viterbi.ts";

/** Zeroed weights for `rows` features and `T` tags. */
export function emptyWeights(rows: number, T: number): TaggerWeights {
  return {
    emit: new Float32Array(rows * T),
    trans: new Float32Array(T * T),
    start: new Float32Array(T),
    end: new Float32Array(T),
  };
}

const PARTS = ["emit", "trans", "start", "end"] as const;

export class AveragedPerceptron {
  readonly w: TaggerWeights;
  /** The averaged weights, as of the last `average()`. */
  readonly averaged: TaggerWeights;
  /**
   * An upper bound on the transitions of `w` into each tag, for Viterbi's pruning: raised
   * with every increase, made exact again by `tightenBound`.
   */
  readonly bound: Float32Array;
  private readonly tagSet: TagSet;
  private readonly acc: Record<(typeof PARTS)[number], Float64Array>;
  private readonly T: number;
  /** Dense emission weights' running sum of c · update (taggers on an encoder's word vectors). */
  private readonly accDense: Float64Array | null;
  private c = 1;

  /** `denseDim`: the width of the word vectors of a tagger on an encoder (0: none). */
  constructor(rows: number, tagSet: TagSet, denseDim = 0) {
    const T = tagSet.tags.length;
    this.T = T;
    this.tagSet = tagSet;
    this.bound = new Float32Array(T);
    this.w = emptyWeights(rows, T);
    this.averaged = emptyWeights(rows, T);
    this.acc = {
      emit: new Float64Array(rows * T),
      trans: new Float64Array(T * T),
      start: new Float64Array(T),
      end: new Float64Array(T),
    };
    this.accDense = denseDim > 0 ? new Float64Array(denseDim * T) : null;
    if (denseDim > 0) {
      this.w.dense = new Float32Array(denseDim * T);
      this.averaged.dense = new Float32Array(denseDim * T);
    }
  }

  /**
   * One step on sentence tokens first..first+n: moves the weights toward the gold path and
   * away from `path` where they differ. Returns the number of wrong tokens.
   */
  step(encoded: EncodedSentences, first: number, n: number, path: Int32Array): number {
    const { gold } = encoded;
    let errors = 0;
    for (let i = 0; i < n; i++) if (path[i] !== gold[first + i]) errors++;
    if (errors > 0) {
      for (let i = 0; i < n; i++) {
        const g = gold[first + i]!;
        const p = path[i]!;
        if (g !== p) this.emissionUpdate(encoded, first + i, g, p);
        if (i === 0) {
          if (g !== p) this.pairUpdate("start", g, p);
        } else {
          const gp = gold[first + i - 1]!;
          const pp = path[i - 1]!;
          if (gp !== pp || g !== p) this.pairUpdate("trans", gp * this.T + g, pp * this.T + p);
        }
      }
      const gl = gold[first + n - 1]!;
      const pl = path[n - 1]!;
      if (gl !== pl) this.pairUpdate("end", gl, pl);
    }
    this.c++;
    return errors;
  }

  private emissionUpdate(encoded: EncodedSentences, token: number, g: number, p: number): void {
    const T = this.T;
    const w = this.w.emit;
    const acc = this.acc.emit;
    const c = this.c;
    for (let j = encoded.tokenStart[token]!; j < encoded.tokenStart[token + 1]!; j++) {
      const r = encoded.feats[j]! * T;
      w[r + g]! += 1;
      acc[r + g]! += c;
      w[r + p]! -= 1;
      acc[r + p]! -= c;
    }
    const dense = encoded.dense;
    if (dense !== undefined && this.w.dense !== undefined && this.accDense !== null) {
      denseUpdate(this.w.dense, this.accDense, c, dense.vectors, token * dense.dim, g, p, T);
    }
  }

  private pairUpdate(part: "trans" | "start" | "end", good: number, bad: number): void {
    this.w[part][good]! += 1;
    this.acc[part][good]! += this.c;
    if (part === "trans") {
      const cur = good % this.T;
      if (this.w.trans[good]! > this.bound[cur]!) this.bound[cur] = this.w.trans[good]!;
    }
    this.w[part][bad]! -= 1;
    this.acc[part][bad]! -= this.c;
  }

  /** Makes `bound` the exact maximum again (after decreases it is only an upper bound). */
  tightenBound(): void {
    transitionBounds(this.tagSet, this.w.trans, this.bound);
  }

  /** Refreshes `averaged` from the steps so far. */
  average(): void {
    for (const p of PARTS) {
      const a = this.averaged[p];
      const cur = this.w[p];
      const sum = this.acc[p];
      for (let i = 0; i < a.length; i++) a[i] = cur[i]! - sum[i]! / this.c;
    }
    const { dense } = this.averaged;
    const cur = this.w.dense;
    const sum = this.accDense;
    if (dense !== undefined && cur !== undefined && sum !== null) {
      dense.forEach((_, i) => {
        dense[i] = (cur[i] ?? 0) - (sum[i] ?? 0) / this.c;
      });
    }
  }

  /** A copy of the averaged weights. */
  snapshot(): TaggerWeights {
    const a = this.averaged;
    const copy = { emit: a.emit.slice(), trans: a.trans.slice(), start: a.start.slice(), end: a.end.slice() };
    return a.dense === undefined ? copy : { ...copy, dense: a.dense.slice() };
  }

  /** Puts a snapshot back as the averaged weights. */
  restore(best: TaggerWeights): void {
    for (const p of PARTS) this.averaged[p].set(best[p]);
    if (best.dense !== undefined) this.averaged.dense?.set(best.dense);
  }
}
