/** Reading entities out of tag sequences, well-formed or not, as the two match modes say. */
import {
  type Chunk,
  findTagViolation,
  type ParsedTag,
  parseTag,
  type TagPrefix,
  type TagScheme,
  TextkitError,
} from "../core/index.ts";
import { checkMode, checkScheme, type EntityMatchMode } from "./entity-checks.ts";
import { describeValue } from "./targets.ts";

export interface EntityChunkOptions {
  scheme: TagScheme;
  mode: EntityMatchMode;
}

const OUTSIDE: ParsedTag = { prefix: "O", type: "" };

/**
 * The entities of a tag sequence that may break its scheme (a prediction), read as `mode`
 * says (see `ENTITY_MATCH_MODES`). On a valid sequence both modes give `tagChunks`.
 *
 * @example
 * entityChunks(["O", "I-PER", "I-PER"], { scheme: "bio", mode: "conlleval" }); // [{ start: 1, end: 3, type: "PER" }]
 * entityChunks(["O", "I-PER", "I-PER"], { scheme: "bio", mode: "strict" }); // []
 */
export function entityChunks(tags: readonly string[], options: EntityChunkOptions): Chunk[] {
  const scheme = checkScheme(options.scheme);
  const mode = checkMode(options.mode);
  if (!Array.isArray(tags)) {
    throw new TextkitError(
      "EVAL_BAD_TARGETS",
      `tags must be an array of strings, got ${describeValue(tags)}`,
    );
  }
  return readChunks(tags, scheme, mode, "tags");
}

/** Reads one sentence's entities; `name` says where the tags come from, for errors. */
export function readChunks(
  tags: readonly string[],
  scheme: TagScheme,
  mode: EntityMatchMode,
  name: string,
): Chunk[] {
  const chunks: Chunk[] = [];
  let prev = OUTSIDE;
  let open: Chunk | null = null;
  // what strict mode needs to know of the open run of tags
  let first: TagPrefix = "O";
  let firstFollowsSameType = false;
  let onlyInside = true;
  let last: TagPrefix = "O";
  const keepOpen = (): boolean =>
    mode === "conlleval" || wellFormed(scheme, first, firstFollowsSameType, onlyInside, last);
  for (let i = 0; i < tags.length; i++) {
    const t = parseTagAt(tags[i], name, i);
    const continues =
      (prev.prefix === "B" || prev.prefix === "I") &&
      (t.prefix === "I" || t.prefix === "E") &&
      t.type === prev.type;
    if (continues && open !== null) {
      open.end = i + 1;
      onlyInside &&= t.prefix === "I";
      last = t.prefix;
    } else {
      if (open !== null && keepOpen()) chunks.push(open);
      open = null;
      if (t.prefix !== "O") {
        open = { start: i, end: i + 1, type: t.type };
        first = t.prefix;
        firstFollowsSameType = (prev.prefix === "B" || prev.prefix === "I") && prev.type === t.type;
        onlyInside = true;
        last = t.prefix;
      }
    }
    prev = t;
  }
  if (open !== null && keepOpen()) chunks.push(open);
  return chunks;
}

/**
 * Whether a run of tags (a start tag, then tags that continue it) is an entity of the
 * scheme. `onlyInside`: every tag after the first is I-.
 */
function wellFormed(
  scheme: TagScheme,
  first: TagPrefix,
  firstFollowsSameType: boolean,
  onlyInside: boolean,
  last: TagPrefix,
): boolean {
  switch (scheme) {
    case "bio":
      return first === "B" && onlyInside;
    case "iob1":
      // B-X only separates two adjacent X entities
      return (first === "I" || (first === "B" && firstFollowsSameType)) && onlyInside;
    case "bioes":
      // a run ends at its first E-, so B-X ... E-X has only I- between
      return first === "S" || (first === "B" && last === "E");
  }
}

function parseTagAt(tag: unknown, name: string, index: number): ParsedTag {
  const parsed = typeof tag === "string" ? parseTag(tag) : null;
  if (parsed === null) {
    throw new TextkitError(
      "EVAL_BAD_TARGETS",
      `${name}[${index}] is ${describeValue(tag)}, not a tag: use O, or B-, I-, E-, S- and a type`,
      { details: { index } },
    );
  }
  return parsed;
}

export function checkValidTruth(tags: readonly string[], scheme: TagScheme, sentence: number): void {
  const violation = findTagViolation(tags, scheme);
  if (violation === null) return;
  throw new TextkitError(
    "EVAL_BAD_TARGETS",
    `yTrue[${sentence}] is not valid ${scheme.toUpperCase()} at token ${violation.index}: ${violation.reason}. ` +
      `Pass the scheme the true tags are written in, or mode "conlleval"`,
    { details: { sentence, token: violation.index } },
  );
}
