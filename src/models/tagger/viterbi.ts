/**
 * Viterbi decoding over the transitions a tag set allows (see tag-set.ts): the best
 * valid tag path, at a cost of the allowed pairs per token rather than tags².
 */
import type { TagSet } from "./tag-set.ts";

/** Reusable buffers of `viterbi`, grown as needed. */
export class ViterbiScratch {
  score = new Float64Array(0);
  back = new Int32Array(0);

  ensure(cells: number): void {
    if (this.score.length < cells) {
      this.score = new Float64Array(cells * 2);
      this.back = new Int32Array(cells * 2);
    }
  }
}

/**
 * The best valid tag path of `n` tokens.
 *
 * @param emit n × T emission scores
 * @param trans T × T transition weights (prev, cur)
 * @param start start weights, T
 * @param end end weights, T
 * @param path receives n tag indices
 */
export function viterbi(
  set: TagSet,
  n: number,
  emit: Float64Array,
  trans: Float32Array,
  start: Float32Array,
  end: Float32Array,
  path: Int32Array,
  scratch: ViterbiScratch,
): void {
  const T = set.tags.length;
  if (n === 0) return;
  scratch.ensure(n * T);
  const score = scratch.score;
  const back = scratch.back;
  const prevStart = set.prevStart;
  const prevTag = set.prevTag;
  const NEG = Number.NEGATIVE_INFINITY;
  for (let t = 0; t < T; t++) score[t] = set.canStart[t] === 1 ? start[t]! + emit[t]! : NEG;
  for (let i = 1; i < n; i++) {
    const base = i * T;
    const prevBase = base - T;
    for (let cur = 0; cur < T; cur++) {
      let best = NEG;
      let arg = 0;
      const stop = prevStart[cur + 1]!;
      for (let k = prevStart[cur]!; k < stop; k++) {
        const prev = prevTag[k]!;
        const s = score[prevBase + prev]! + trans[prev * T + cur]!;
        if (s > best) {
          best = s;
          arg = prev;
        }
      }
      score[base + cur] = best + emit[base + cur]!;
      back[base + cur] = arg;
    }
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
  for (let i = n - 1; i > 0; i--) path[i - 1] = back[i * T + path[i]!]!;
}
