/**
 * Viterbi decoding over the transitions a tag set allows (see tag-set.ts): the best
 * valid tag path.
 *
 * Most tags share one wide predecessor list (with K types in BIOES, the 2K + 1 tags that
 * close an entity may precede the 2K + 1 that open one), so a plain step costs about 4K²
 * pairs. The step here is exact but prunes that block: per token it keeps the best few
 * predecessors of the wide list (one pass), tries only those for each wide tag, and scans
 * the whole list only when the best found could still be beaten, that is when it is below
 * the (M+1)-th best predecessor score plus an upper bound on the transitions into that
 * tag (`bound`). A step then costs about T · M pairs instead of 4K².
 */
import type { ChainWeights, TagSet } from "./tag-set.ts";

/** How many of the best wide predecessors each wide tag tries first. */
const TOP = 6;

/** Reusable buffers of `viterbi`, grown as needed. */
export class ViterbiScratch {
  score = new Float64Array(0);
  back = new Int32Array(0);
  readonly topTag = new Int32Array(TOP + 1);
  readonly topScore = new Float64Array(TOP + 1);

  ensure(cells: number): void {
    if (this.score.length < cells) {
      this.score = new Float64Array(cells * 2);
      this.back = new Int32Array(cells * 2);
    }
  }
}

/**
 * An upper bound on the transition weight into each tag from its allowed predecessors:
 * the exact maximum (a caller that only raises weights may keep it up to date with max).
 */
export function transitionBounds(
  set: TagSet,
  trans: Float32Array,
  out: Float32Array = new Float32Array(set.tags.length),
): Float32Array {
  const T = set.tags.length;
  for (let cur = 0; cur < T; cur++) {
    let max = Number.NEGATIVE_INFINITY;
    for (let k = set.prevStart[cur]!; k < set.prevStart[cur + 1]!; k++) {
      const v = trans[set.prevTag[k]! * T + cur]!;
      if (v > max) max = v;
    }
    out[cur] = max;
  }
  return out;
}

/**
 * The best valid tag path of `n` tokens.
 *
 * @param emit n × T emission scores
 * @param trans T × T transition weights (prev, cur)
 * @param start start weights, T
 * @param end end weights, T
 * @param path receives n tag indices
 * @param bound an upper bound on the transitions into each tag (see `transitionBounds`);
 *   computed here when not given
 */
export function viterbi(
  set: TagSet,
  n: number,
  emit: Float64Array,
  chain: ChainWeights,
  path: Int32Array,
  scratch: ViterbiScratch,
  bound: Float32Array = transitionBounds(set, chain.trans),
): void {
  const { trans, start, end } = chain;
  const T = set.tags.length;
  if (n === 0) return;
  scratch.ensure(n * T);
  const score = scratch.score;
  const NEG = Number.NEGATIVE_INFINITY;
  for (let t = 0; t < T; t++) score[t] = set.canStart[t] === 1 ? start[t]! + emit[t]! : NEG;
  const prune = set.widePrev.length > 4 * TOP;
  for (let i = 1; i < n; i++) {
    const found = prune ? bestWide(set, score, (i - 1) * T, scratch) : 0;
    for (let cur = 0; cur < T; cur++)
      step(set, i, cur, trans, emit, scratch, prune && set.wide[cur] === 1 ? found : -1, bound);
  }
  const lastBase = (n - 1) * T;
  let best = NEG;
  let arg = 0;
  for (let t = 0; t < T; t++) {
    if (set.canEnd[t] === 0) continue;
    const s = score[lastBase + t]! + end[t]!;
    if (s > best) {
      best = s;
      arg = t;
    }
  }
  path[n - 1] = arg;
  for (let i = n - 1; i > 0; i--) path[i - 1] = scratch.back[i * T + path[i]!]!;
}

/**
 * The TOP + 1 best scores at `prevBase` among the wide predecessors, best first, into
 * scratch.topTag/topScore; returns how many were found (fewer when the list is short).
 */
function bestWide(set: TagSet, score: Float64Array, prevBase: number, scratch: ViterbiScratch): number {
  const { topTag, topScore } = scratch;
  const list = set.widePrev;
  let count = 0;
  for (let k = 0; k < list.length; k++) {
    const tag = list[k]!;
    const v = score[prevBase + tag]!;
    if (count === TOP + 1 && v <= topScore[TOP]!) continue;
    let j = count < TOP + 1 ? count++ : TOP;
    while (j > 0 && topScore[j - 1]! < v) {
      topScore[j] = topScore[j - 1]!;
      topTag[j] = topTag[j - 1]!;
      j--;
    }
    topScore[j] = v;
    topTag[j] = tag;
  }
  return count;
}

/** One cell of the lattice: the best predecessor of `cur` at token i. */
function step(
  set: TagSet,
  i: number,
  cur: number,
  trans: Float32Array,
  emit: Float64Array,
  scratch: ViterbiScratch,
  found: number,
  bound: Float32Array,
): void {
  const T = set.tags.length;
  const { score, back } = scratch;
  const prevBase = (i - 1) * T;
  let best = Number.NEGATIVE_INFINITY;
  let arg = 0;
  if (found > TOP) {
    // Only tags outside the top TOP remain, each at most topScore[TOP] + bound[cur].
    for (let j = 0; j < TOP; j++) {
      const prev = scratch.topTag[j]!;
      const s = scratch.topScore[j]! + trans[prev * T + cur]!;
      if (s > best) {
        best = s;
        arg = prev;
      }
    }
    if (best >= scratch.topScore[TOP]! + bound[cur]! && best > Number.NEGATIVE_INFINITY) {
      score[i * T + cur] = best + emit[i * T + cur]!;
      back[i * T + cur] = arg;
      return;
    }
    best = Number.NEGATIVE_INFINITY;
    arg = 0;
  }
  const stop = set.prevStart[cur + 1]!;
  for (let k = set.prevStart[cur]!; k < stop; k++) {
    const prev = set.prevTag[k]!;
    const s = score[prevBase + prev]! + trans[prev * T + cur]!;
    if (s > best) {
      best = s;
      arg = prev;
    }
  }
  score[i * T + cur] = best + emit[i * T + cur]!;
  back[i * T + cur] = arg;
}
