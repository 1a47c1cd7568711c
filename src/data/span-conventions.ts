/**
 * Offset conventions of entity spans in JSONL files, and how textkit guesses which one a
 * file uses. textkit's own is UTF-16 offsets with an exclusive end (JavaScript string
 * indices); Python tools count code points (an emoji is 1, not 2), and many Chinese data
 * sets give the last character's index as the end. Read in the wrong convention, every
 * entity after an emoji shifts, or loses its last character, silently.
 *
 * The guess counts, under each convention, the spans whose edges are implausible: empty or
 * outside the text, starting or ending on whitespace, splitting a character in two,
 * starting or ending inside a word of a spaced script, or starting with punctuation.
 */
import type { SpanEndConvention, SpanOffsetUnit } from "./tagged-example.ts";

/** A span as written in the file, in its convention. */
export interface WrittenSpan {
  start: number;
  end: number;
  label: string;
}

export interface SpanConvention {
  offsets: SpanOffsetUnit;
  end: SpanEndConvention;
}

export const SPAN_CONVENTIONS: readonly SpanConvention[] = [
  { offsets: "utf16", end: "exclusive" },
  { offsets: "codepoint", end: "exclusive" },
  { offsets: "utf16", end: "inclusive" },
  { offsets: "codepoint", end: "inclusive" },
];

const ASTRAL = /[\uD800-\uDBFF]/;

/**
 * Maps code point offsets of `text` to UTF-16 offsets; null when they are the same (no
 * character outside the BMP).
 */
export function codePointOffsets(text: string): Int32Array | null {
  if (!ASTRAL.test(text)) return null;
  const map: number[] = [];
  for (let i = 0; i < text.length; i++) {
    map.push(i);
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) i++;
  }
  map.push(text.length);
  return Int32Array.from(map);
}

/**
 * A span in UTF-16 offsets with an exclusive end; offsets beyond the text map past its end
 * (so that the range check reports them).
 */
export function toUtf16Exclusive(
  span: WrittenSpan,
  convention: SpanConvention,
  map: Int32Array | null,
  textLength: number,
): WrittenSpan {
  const end = convention.end === "inclusive" ? span.end + 1 : span.end;
  if (convention.offsets === "utf16" || map === null) return { start: span.start, end, label: span.label };
  const at = (k: number) => (k < 0 ? k : k < map.length ? map[k]! : textLength + (k - map.length) + 1);
  return { start: at(span.start), end: at(end), label: span.label };
}

const SPACE = /\s/;
const WORD = /[\p{L}\p{N}]/u;
const UNSPACED = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;
const PUNCT = /[\p{P}]/u;
const OPENING = /[\p{Ps}\p{Pi}"'#@]/u;

function isSurrogateCut(text: string, at: number): boolean {
  if (at <= 0 || at >= text.length) return false;
  const a = text.charCodeAt(at - 1);
  const b = text.charCodeAt(at);
  return a >= 0xd800 && a <= 0xdbff && b >= 0xdc00 && b <= 0xdfff;
}

function spacedWordChar(ch: string | undefined): boolean {
  return ch !== undefined && WORD.test(ch) && !UNSPACED.test(ch);
}

/** True when the edges of a UTF-16, end-exclusive span are implausible (see the file header). */
export function implausibleSpan(text: string, start: number, end: number): boolean {
  if (!(start >= 0 && end <= text.length && start < end)) return true;
  const first = text[start]!;
  const last = text[end - 1]!;
  if (SPACE.test(first) || SPACE.test(last)) return true;
  if (isSurrogateCut(text, start) || isSurrogateCut(text, end)) return true;
  if (PUNCT.test(first) && !OPENING.test(first)) return true;
  if (spacedWordChar(text[start - 1]) && spacedWordChar(first)) return true;
  return spacedWordChar(last) && spacedWordChar(text[end]);
}

/** How many of the spans look wrong under each convention (same order as SPAN_CONVENTIONS). */
export function implausibleCounts(
  records: readonly { text: string; spans: readonly WrittenSpan[] }[],
): number[] {
  const counts = SPAN_CONVENTIONS.map(() => 0);
  for (const { text, spans } of records) {
    if (spans.length === 0) continue;
    const map = codePointOffsets(text);
    for (let c = 0; c < SPAN_CONVENTIONS.length; c++) {
      for (const span of spans) {
        const u = toUtf16Exclusive(span, SPAN_CONVENTIONS[c]!, map, text.length);
        if (implausibleSpan(text, u.start, u.end)) counts[c]!++;
      }
    }
  }
  return counts;
}

/** The flags that select a convention, as a person types them. */
export function conventionFlags(c: SpanConvention): string {
  return `--offsets ${c.offsets} --end ${c.end}`;
}
