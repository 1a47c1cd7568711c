/**
 * The tag set of a tagger and Viterbi decoding restricted to valid tag sequences: a
 * transition the scheme forbids (I-PER after O, B-LOC never closed in BIOES) gets no
 * path, so the tagger cannot emit a broken entity.
 */
import { parseTag, type TagScheme } from "../../core/index.ts";

/** Tags, and which transitions between them are allowed. */
export interface TagSet {
  scheme: "bio" | "bioes";
  tags: string[];
  /** allowed[prev * T + cur] = 1 when cur may follow prev. */
  allowed: Uint8Array;
  /** May start / end a sentence. */
  canStart: Uint8Array;
  canEnd: Uint8Array;
}

/**
 * The tags of `types` in `scheme`: O first, then per type B, I (and E, S).
 *
 * @example
 * buildTagSet(["LOC"], "bio").tags; // ["O", "B-LOC", "I-LOC"]
 */
export function buildTagSet(types: readonly string[], scheme: "bio" | "bioes"): TagSet {
  const tags = ["O"];
  for (const type of types) {
    tags.push(`B-${type}`, `I-${type}`);
    if (scheme === "bioes") tags.push(`E-${type}`, `S-${type}`);
  }
  const T = tags.length;
  const parsed = tags.map((t) => parseTag(t)!);
  const allowed = new Uint8Array(T * T);
  const canStart = new Uint8Array(T);
  const canEnd = new Uint8Array(T);
  const opensEntity = (p: string) => p === "B" || p === "I";
  for (let cur = 0; cur < T; cur++) {
    const c = parsed[cur]!;
    const continuing = c.prefix === "I" || c.prefix === "E";
    canStart[cur] = continuing ? 0 : 1;
    canEnd[cur] = scheme === "bioes" && opensEntity(c.prefix) ? 0 : 1;
    for (let prev = 0; prev < T; prev++) {
      const p = parsed[prev]!;
      let ok: boolean;
      if (continuing) ok = opensEntity(p.prefix) && p.type === c.type;
      else ok = scheme === "bio" || !opensEntity(p.prefix);
      allowed[prev * T + cur] = ok ? 1 : 0;
    }
  }
  return { scheme, tags, allowed, canStart, canEnd };
}

/** Index of each tag name. */
export function tagIndex(set: TagSet): Map<string, number> {
  return new Map(set.tags.map((t, i) => [t, i]));
}

export type InternalScheme = Extract<TagScheme, "bio" | "bioes">;

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
  const allowed = set.allowed;
  const NEG = Number.NEGATIVE_INFINITY;
  for (let t = 0; t < T; t++) score[t] = set.canStart[t] === 1 ? start[t]! + emit[t]! : NEG;
  for (let i = 1; i < n; i++) {
    const base = i * T;
    const prevBase = base - T;
    for (let cur = 0; cur < T; cur++) {
      let best = NEG;
      let arg = 0;
      for (let prev = 0; prev < T; prev++) {
        if (allowed[prev * T + cur] === 0) continue;
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

/** Reusable buffers of `forwardBackward`. */
export class LatticeScratch {
  alpha = new Float64Array(0);
  beta = new Float64Array(0);
  private sums = new Float64Array(0);

  ensure(cells: number): void {
    if (this.alpha.length < cells) {
      this.alpha = new Float64Array(cells * 2);
      this.beta = new Float64Array(cells * 2);
    }
  }

  /** Room for the terms of one log-sum (at most one per tag). */
  terms(tags: number): Float64Array {
    if (this.sums.length < tags) this.sums = new Float64Array(tags);
    return this.sums;
  }
}

/**
 * Forward-backward over the valid tag sequences, with every score multiplied by `scale`
 * (a temperature fitted on held-out data): the tagger's scores read as a linear-chain
 * CRF's. Fills `lattice.alpha` (log-sum of paths ending at i with tag t, emission at i
 * included) and `lattice.beta` (log-sum of the rest after i), and returns log Z.
 */
export function forwardBackward(
  set: TagSet,
  n: number,
  emit: Float64Array,
  trans: Float32Array,
  start: Float32Array,
  end: Float32Array,
  scale: number,
  lattice: LatticeScratch,
): number {
  const T = set.tags.length;
  const NEG = Number.NEGATIVE_INFINITY;
  forwardPass(set, n, emit, trans, start, scale, lattice);
  const alpha = lattice.alpha;
  const beta = lattice.beta;
  const allowed = set.allowed;
  const terms = lattice.terms(T);
  const last = (n - 1) * T;
  for (let t = 0; t < T; t++) beta[last + t] = set.canEnd[t] === 1 ? scale * end[t]! : NEG;
  for (let i = n - 2; i >= 0; i--) {
    for (let cur = 0; cur < T; cur++) {
      let count = 0;
      for (let next = 0; next < T; next++) {
        if (allowed[cur * T + next] === 0) continue;
        terms[count++] =
          scale * (trans[cur * T + next]! + emit[(i + 1) * T + next]!) + beta[(i + 1) * T + next]!;
      }
      beta[i * T + cur] = logSumExp(terms, count);
    }
  }
  let count = 0;
  for (let t = 0; t < T; t++) terms[count++] = alpha[last + t]! + beta[last + t]!;
  return logSumExp(terms, count);
}

/**
 * The forward half alone (log Z, and `lattice.alpha`): what the likelihood of a tag
 * sequence needs, at half the cost of forwardBackward.
 */
export function forwardLogZ(
  set: TagSet,
  n: number,
  emit: Float64Array,
  trans: Float32Array,
  start: Float32Array,
  end: Float32Array,
  scale: number,
  lattice: LatticeScratch,
): number {
  const T = set.tags.length;
  forwardPass(set, n, emit, trans, start, scale, lattice);
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
  trans: Float32Array,
  start: Float32Array,
  scale: number,
  lattice: LatticeScratch,
): void {
  const T = set.tags.length;
  const NEG = Number.NEGATIVE_INFINITY;
  lattice.ensure(n * T);
  const alpha = lattice.alpha;
  const allowed = set.allowed;
  const terms = lattice.terms(T);
  for (let t = 0; t < T; t++) alpha[t] = set.canStart[t] === 1 ? scale * (start[t]! + emit[t]!) : NEG;
  for (let i = 1; i < n; i++) {
    for (let cur = 0; cur < T; cur++) {
      let count = 0;
      for (let prev = 0; prev < T; prev++) {
        if (allowed[prev * T + cur] === 0) continue;
        terms[count++] = alpha[(i - 1) * T + prev]! + scale * trans[prev * T + cur]!;
      }
      alpha[i * T + cur] = logSumExp(terms, count) + scale * emit[i * T + cur]!;
    }
  }
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
  trans: Float32Array,
  start: Float32Array,
  end: Float32Array,
  path: ArrayLike<number>,
): number {
  let s = start[path[0]!]! + end[path[n - 1]!]!;
  for (let i = 0; i < n; i++)
    s += emit[i * T + path[i]!]! + (i > 0 ? trans[path[i - 1]! * T + path[i]!]! : 0);
  return s;
}
