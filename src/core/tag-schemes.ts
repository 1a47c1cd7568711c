/**
 * Tag schemes of sequence labelling. An entity ("chunk") is a run of tokens with a type;
 * a scheme writes it as one tag per token:
 *
 * - `iob1` (CoNLL-2003 as published): I-X inside an entity, B-X only where an entity
 *   directly follows another of the same type, O outside.
 * - `bio` (also called IOB2): B-X on the first token of every entity, I-X on the others.
 * - `bioes` (also BILOU): B-X first, I-X middle, E-X last, S-X a one-token entity.
 *   L- and U- are read as E- and S-.
 *
 * Data, evaluation and the tagger share these functions, so that "what is an entity" is
 * defined once.
 */

export const TAG_SCHEMES = ["iob1", "bio", "bioes"] as const;
export type TagScheme = (typeof TAG_SCHEMES)[number];

/** A run of tokens [start, end) with an entity type. */
export interface Chunk {
  start: number;
  end: number;
  type: string;
}

export type TagPrefix = "O" | "B" | "I" | "E" | "S";

export interface ParsedTag {
  prefix: TagPrefix;
  /** Empty for O. */
  type: string;
}

const OUTSIDE: ParsedTag = { prefix: "O", type: "" };

/**
 * Splits a tag into its prefix and type, or returns null when it is not a tag at all
 * (no known prefix, or a prefix without a type).
 *
 * @example
 * parseTag("B-PER"); // { prefix: "B", type: "PER" }
 * parseTag("U-LOC"); // { prefix: "S", type: "LOC" }
 */
export function parseTag(tag: string): ParsedTag | null {
  if (tag === "O") return OUTSIDE;
  if (tag.length < 3 || tag[1] !== "-") return null;
  const type = tag.slice(2);
  switch (tag[0]) {
    case "B":
      return { prefix: "B", type };
    case "I":
      return { prefix: "I", type };
    case "E":
    case "L":
      return { prefix: "E", type };
    case "S":
    case "U":
      return { prefix: "S", type };
    default:
      return null;
  }
}

/** Why a tag sequence breaks its scheme, at which token. */
export interface TagViolation {
  index: number;
  reason: string;
}

/**
 * The first place where `tags` breaks `scheme`, or null when the sequence is valid.
 *
 * @example
 * findTagViolation(["O", "I-PER"], "bio"); // { index: 1, reason: "I-PER follows O; in BIO an entity starts with B-PER" }
 */
export function findTagViolation(tags: readonly string[], scheme: TagScheme): TagViolation | null {
  let prev: ParsedTag = OUTSIDE;
  for (let i = 0; i < tags.length; i++) {
    const tag = tags[i]!;
    const t = parseTag(tag);
    if (t === null) {
      return {
        index: i,
        reason: `'${tag}' is not a tag: use O, or B-, I-${scheme === "bioes" ? ", E-, S-" : ""} and a type`,
      };
    }
    const prevTag = i === 0 ? "the start of the sentence" : tags[i - 1]!;
    if (scheme !== "bioes" && (t.prefix === "E" || t.prefix === "S")) {
      return { index: i, reason: `${tag} is a BIOES tag, but the data is read as ${scheme.toUpperCase()}` };
    }
    const continues = (prev.prefix === "B" || prev.prefix === "I") && prev.type === t.type;
    if (scheme === "bio") {
      if (t.prefix === "I" && !continues) {
        return { index: i, reason: `${tag} follows ${prevTag}; in BIO an entity starts with B-${t.type}` };
      }
    } else if (scheme === "iob1") {
      if (t.prefix === "B" && prev.type !== t.type) {
        return {
          index: i,
          reason: `${tag} follows ${prevTag}; in IOB1, B-${t.type} only separates two adjacent ${t.type} entities`,
        };
      }
    } else {
      const open = prev.prefix === "B" || prev.prefix === "I";
      if ((t.prefix === "I" || t.prefix === "E") && !continues) {
        return {
          index: i,
          reason: `${tag} follows ${prevTag}; in BIOES an entity starts with B-${t.type} or is S-${t.type}`,
        };
      }
      if (open && !((t.prefix === "I" || t.prefix === "E") && t.type === prev.type)) {
        return {
          index: i,
          reason: `${prevTag} is not closed: in BIOES it must be followed by I-${prev.type} or E-${prev.type}`,
        };
      }
    }
    prev = t;
  }
  if (scheme === "bioes" && (prev.prefix === "B" || prev.prefix === "I")) {
    return {
      index: tags.length - 1,
      reason: `${tags[tags.length - 1]} ends the sentence; in BIOES an entity ends with E-${prev.type}`,
    };
  }
  return null;
}

/**
 * The entities of a valid tag sequence (see `findTagViolation`), in order.
 *
 * @example
 * tagChunks(["B-PER", "I-PER", "O", "B-LOC"], "bio"); // [{ start: 0, end: 2, type: "PER" }, { start: 3, end: 4, type: "LOC" }]
 */
export function tagChunks(tags: readonly string[], scheme: TagScheme): Chunk[] {
  const chunks: Chunk[] = [];
  let open: Chunk | null = null;
  for (let i = 0; i < tags.length; i++) {
    const t = parseTag(tags[i]!) ?? OUTSIDE;
    let starts: boolean;
    if (t.prefix === "O") starts = false;
    else if (scheme === "iob1") starts = t.prefix === "B" || open === null || open.type !== t.type;
    else starts = t.prefix === "B" || t.prefix === "S" || open === null || open.type !== t.type;
    if (t.prefix === "O" || starts) {
      if (open !== null) chunks.push(open);
      open = t.prefix === "O" ? null : { start: i, end: i + 1, type: t.type };
    } else if (open !== null) {
      open.end = i + 1;
    }
    if (open !== null && (t.prefix === "E" || t.prefix === "S")) {
      chunks.push(open);
      open = null;
    }
  }
  if (open !== null) chunks.push(open);
  return chunks;
}

/**
 * Writes entities as `n` tags in `scheme`. Chunks must be in order and not overlap.
 *
 * @example
 * chunksToTags([{ start: 0, end: 2, type: "PER" }], 3, "bioes"); // ["B-PER", "E-PER", "O"]
 */
export function chunksToTags(chunks: readonly Chunk[], n: number, scheme: TagScheme): string[] {
  const tags = new Array<string>(n).fill("O");
  let prevEnd = -1;
  let prevType = "";
  for (const c of chunks) {
    const len = c.end - c.start;
    if (scheme === "bioes" && len === 1) {
      tags[c.start] = `S-${c.type}`;
    } else {
      const adjacentSameType = c.start === prevEnd && c.type === prevType;
      tags[c.start] = scheme === "iob1" && !adjacentSameType ? `I-${c.type}` : `B-${c.type}`;
      for (let i = c.start + 1; i < c.end; i++) tags[i] = `I-${c.type}`;
      if (scheme === "bioes") tags[c.end - 1] = `E-${c.type}`;
    }
    prevEnd = c.end;
    prevType = c.type;
  }
  return tags;
}

/**
 * Rewrites a valid tag sequence from one scheme to another.
 *
 * @example
 * convertTags(["I-PER", "I-PER", "B-PER"], "iob1", "bio"); // ["B-PER", "I-PER", "B-PER"]
 */
export function convertTags(tags: readonly string[], from: TagScheme, to: TagScheme): string[] {
  return chunksToTags(tagChunks(tags, from), tags.length, to);
}

/**
 * Guesses the scheme of tagged data: BIOES when any E-/S-/L-/U- tag occurs; else IOB1 when
 * more entities start with I- (after O, at the start, or after another type) than with a
 * B- that follows no entity of its type (which IOB1 never writes); else BIO. Weighing the
 * evidence keeps one stray I- in a BIO file from turning the whole file into IOB1.
 *
 * @example
 * detectTagScheme([["I-ORG", "O"]]); // "iob1"
 */
export function detectTagScheme(sentences: Iterable<readonly string[]>): TagScheme {
  let iobStarts = 0;
  let bioStarts = 0;
  for (const tags of sentences) {
    let prev: ParsedTag = OUTSIDE;
    for (const tag of tags) {
      const t = parseTag(tag) ?? OUTSIDE;
      if (t.prefix === "E" || t.prefix === "S") return "bioes";
      const continues = (prev.prefix === "B" || prev.prefix === "I") && prev.type === t.type;
      if (t.prefix === "I" && !continues) iobStarts++;
      if (t.prefix === "B" && prev.type !== t.type) bioStarts++;
      prev = t;
    }
  }
  return iobStarts > bioStarts ? "iob1" : "bio";
}
