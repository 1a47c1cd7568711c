/**
 * The tag set of a tagger and the transitions its scheme allows, kept as sparse lists: a
 * transition the scheme forbids (I-PER after O, B-LOC never closed in BIOES) gets no
 * path, so the tagger cannot emit a broken entity, and decoding visits only the allowed
 * pairs. With K entity types in BIOES, I- and E- tags have 2 predecessors each instead of
 * 4K + 1, so a lattice step costs about (2K + 1)² + 8K pairs rather than (4K + 1)².
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
  /** Allowed predecessors of `cur`: prevTag[prevStart[cur] .. prevStart[cur + 1]). */
  prevStart: Int32Array;
  prevTag: Int32Array;
  /** Allowed successors of `prev`: nextTag[nextStart[prev] .. nextStart[prev + 1]). */
  nextStart: Int32Array;
  nextTag: Int32Array;
  /** How many (prev, cur) pairs are allowed: the cost of one lattice step. */
  pairs: number;
  /**
   * The predecessor list most tags share (O, E-, S- before O, B-, S- in BIOES; every tag
   * before O and B- in BIO), and which tags have exactly it: Viterbi prunes it (viterbi.ts).
   */
  widePrev: Int32Array;
  wide: Uint8Array;
}

/**
 * The scores of a tag chain beside the emissions: transitions T × T (prev, cur), and
 * the scores of the first and the last tag. A tagger's weights are one.
 */
export interface ChainWeights {
  trans: Float32Array;
  start: Float32Array;
  end: Float32Array;
}

export type InternalScheme = Extract<TagScheme, "bio" | "bioes">;

/**
 * The tags of `types` in `scheme`: O first, then per type B, I (and E, S).
 *
 * @example
 * buildTagSet(["LOC"], "bio").tags; // ["O", "B-LOC", "I-LOC"]
 */
export function buildTagSet(types: readonly string[], scheme: InternalScheme): TagSet {
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
  const prev = adjacency(allowed, T, false);
  const next = adjacency(allowed, T, true);
  const { widePrev, wide } = widestList(prev.start, prev.list, T);
  return {
    scheme,
    tags,
    allowed,
    canStart,
    canEnd,
    prevStart: prev.start,
    prevTag: prev.list,
    nextStart: next.start,
    nextTag: next.list,
    pairs: prev.list.length,
    widePrev,
    wide,
  };
}

/** The longest predecessor list and the tags whose list is the same. */
function widestList(
  start: Int32Array,
  list: Int32Array,
  T: number,
): { widePrev: Int32Array; wide: Uint8Array } {
  let longest = 0;
  for (let t = 1; t < T; t++)
    if (start[t + 1]! - start[t]! > start[longest + 1]! - start[longest]!) longest = t;
  const widePrev = list.slice(start[longest]!, start[longest + 1]!);
  const wide = new Uint8Array(T);
  for (let t = 0; t < T; t++) {
    const mine = list.subarray(start[t]!, start[t + 1]!);
    wide[t] = mine.length === widePrev.length && mine.every((p, k) => p === widePrev[k]) ? 1 : 0;
  }
  return { widePrev, wide };
}

/** Compressed rows of the allowed matrix, by current tag (or, `forward`, by previous tag). */
function adjacency(
  allowed: Uint8Array,
  T: number,
  forward: boolean,
): { start: Int32Array; list: Int32Array } {
  const start = new Int32Array(T + 1);
  const list: number[] = [];
  for (let a = 0; a < T; a++) {
    start[a] = list.length;
    for (let b = 0; b < T; b++) {
      if ((forward ? allowed[a * T + b] : allowed[b * T + a]) === 1) list.push(b);
    }
  }
  start[T] = list.length;
  return { start, list: Int32Array.from(list) };
}

/** Index of each tag name. */
export function tagIndex(set: TagSet): Map<string, number> {
  return new Map(set.tags.map((t, i) => [t, i]));
}
