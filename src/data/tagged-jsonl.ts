/**
 * The JSONL reader of tagged data: one object per line with a text and its entity spans.
 * Besides textkit's own shape (`{"text", "entities": [[start, end, "LABEL"]]}`) it reads
 * doccano's exports (`"label": [[start, end, "LABEL"]]`, or `"entities"` of objects with
 * `start_offset`/`end_offset`), Label Studio's (JSON-MIN `"label": [{start, end, labels}]`,
 * or full tasks with `data.text` and `annotations[0].result[].value`), and Prodigy's
 * `"spans"`. Offsets may be code points and ends inclusive (see span-conventions.ts); the
 * convention is checked over the whole file before any span is used.
 */
import { TextkitError } from "../core/index.ts";
import { detectLanguage, type TextLanguage, tokenizeForTagging } from "../text/index.ts";
import { describeJson, isRecord, parseJsonObjectLine, showJson } from "./json-line.ts";
import { blockLines, readLineBlocks } from "./line-blocks.ts";
import {
  codePointOffsets,
  conventionFlags,
  implausibleCounts,
  SPAN_CONVENTIONS,
  type SpanConvention,
  toUtf16Exclusive,
  type WrittenSpan,
} from "./span-conventions.ts";
import type { SpanEndConvention, SpanOffsetUnit, TaggedSentence } from "./tagged-example.ts";

/** How many texts the language is detected from. */
const LANGUAGE_SAMPLE = 1000;
/** Keys that hold a record's entities, in the order they are looked for. */
export const ENTITY_KEYS = ["entities", "label", "labels", "spans", "annotations"] as const;

interface Span {
  start: number;
  end: number;
  label: string;
}

/** A JSONL record as read: the text and its spans as written (not yet checked against the text). */
interface RawRecord {
  text: string;
  spans: WrittenSpan[];
  line: number;
}

export interface JsonlReadOptions {
  language?: TextLanguage | undefined;
  offsets?: SpanOffsetUnit | undefined;
  end?: SpanEndConvention | undefined;
}

/** Reads every record, checks the span convention over the file, and makes the sentences. */
export async function readJsonlSentences(
  path: string,
  options: JsonlReadOptions,
): Promise<{ sentences: TaggedSentence[]; language: TextLanguage; warnings: string[] }> {
  const records: RawRecord[] = [];
  const keys = new Set<string>();
  for await (const block of readLineBlocks(path)) {
    const lines = blockLines(block);
    for (let i = 0; i < lines.length; i++) {
      const record = parseJsonlRecord(lines[i]!, block.firstLine + i, path, keys);
      if (record !== null) records.push(record);
    }
  }
  if (records.length === 0) {
    throw new TextkitError(
      "DATA_EMPTY",
      `${path} has no sentences: the file is empty, or holds only blank lines`,
      {
        file: path,
      },
    );
  }
  if (!records.some((r) => r.spans.length > 0)) {
    const found = [...keys].slice(0, 20).join(", ");
    throw new TextkitError(
      "DATA_NO_LABEL",
      `${path}: no row has entities under any key textkit reads (${ENTITY_KEYS.join(", ")}); the rows have the keys ${found}`,
      {
        file: path,
        hint: 'Write each row as {"text": "...", "entities": [[start, end, "LABEL"]]} (doccano\'s "label" and Label Studio\'s exports are read too).',
      },
    );
  }
  const { convention, warnings } = chooseConvention(path, records, options);
  const language =
    options.language ??
    detectLanguage(
      records
        .slice(0, LANGUAGE_SAMPLE)
        .map((r) => r.text)
        .join(""),
    );
  const tags = new TagStrings();
  const sentences = records.map((r) => {
    const map = codePointOffsets(r.text);
    const spans = checkSpans(
      r.spans.map((s) => toUtf16Exclusive(s, convention, map, r.text.length)),
      r.text,
      r.line,
      path,
      convention,
    );
    return recordSentence({ text: r.text, spans, line: r.line }, language, path, tags);
  });
  return { sentences, language, warnings };
}

/**
 * The convention asked for (default UTF-16, exclusive ends), refused when another one
 * explains the file far better, with the counts and the flags that select it; a warning
 * when some spans look wrong under it but none fits better.
 */
function chooseConvention(
  path: string,
  records: readonly RawRecord[],
  options: JsonlReadOptions,
): { convention: SpanConvention; warnings: string[] } {
  const convention: SpanConvention = { offsets: options.offsets ?? "utf16", end: options.end ?? "exclusive" };
  const counts = implausibleCounts(records);
  let spans = 0;
  for (const r of records) spans += r.spans.length;
  const chosen = SPAN_CONVENTIONS.findIndex(
    (c) => c.offsets === convention.offsets && c.end === convention.end,
  );
  const bad = counts[chosen]!;
  if (bad === 0) return { convention, warnings: [] };
  let best = chosen;
  for (let c = 0; c < counts.length; c++) if (counts[c]! < counts[best]!) best = c;
  const describe = (c: SpanConvention) =>
    `${c.offsets === "utf16" ? "UTF-16" : "code point"} offsets with ${c.end} ends`;
  if (best !== chosen && counts[best]! * 4 <= bad && bad - counts[best]! >= 2) {
    const other = SPAN_CONVENTIONS[best]!;
    throw new TextkitError(
      "DATA_BAD_SPAN",
      `${path}: read as ${describe(convention)}, ${bad} of ${spans} spans start or end inside a word, on whitespace or punctuation, or outside the text; ` +
        `read as ${describe(other)}, ${counts[best]} do. The file likely uses that convention: pass ${conventionFlags(other)}`,
      {
        file: path,
        column: "entities",
        details: {
          counts: Object.fromEntries(SPAN_CONVENTIONS.map((c, i) => [conventionFlags(c), counts[i]])),
        },
      },
    );
  }
  return {
    convention,
    warnings: [
      `${path}: ${bad} of ${spans} spans start or end inside a word or on punctuation (read as ${describe(convention)}); no other convention fits better`,
    ],
  };
}

function ownField(record: Record<string, unknown>, name: string): unknown {
  // Own fields only: a record without "text" must not find Object.prototype's members.
  return Object.hasOwn(record, name) ? record[name] : undefined;
}

function parseJsonlRecord(raw: string, line: number, file: string, keys: Set<string>): RawRecord | null {
  const value = parseJsonObjectLine(raw, file, line, '{"text": "...", "entities": [[0, 5, "PER"]]}');
  if (value === null) return null;
  if (keys.size < 100) for (const key of Object.keys(value)) keys.add(key);
  const data = ownField(value, "data");
  let text = ownField(value, "text");
  if (text === undefined && isRecord(data)) text = ownField(data, "text");
  if (text === undefined || text === null || text === "") {
    const what = text === "" ? "an empty" : "no";
    throw new TextkitError("DATA_EMPTY_TEXT", `line ${line} has ${what} "text"`, {
      file,
      line,
      column: "text",
    });
  }
  if (typeof text !== "string") {
    throw new TextkitError(
      "DATA_BAD_ROW",
      `line ${line}: "text" must be a string, got ${describeJson(text)}`,
      { file, line, column: "text" },
    );
  }
  // Also checked after tokenizing; here it is reported in file order.
  if (!HAS_TOKEN.test(text)) throw noTokens(file, line);
  return { text, spans: writtenSpans(value, line, file), line };
}

/** The spans under the first entity key the record has, type-checked but not yet placed. */
function writtenSpans(record: Record<string, unknown>, line: number, file: string): WrittenSpan[] {
  for (const key of ENTITY_KEYS) {
    let value = ownField(record, key);
    if (value === undefined || value === null) continue;
    if (key === "annotations") value = labelStudioResults(value);
    if (!Array.isArray(value)) {
      throw badSpan(file, line, `"${key}" must be a list of [start, end, label], got ${describeJson(value)}`);
    }
    return value.map((item: unknown, k) => writtenSpan(item, k, line, file));
  }
  return [];
}

/** Label Studio's `annotations[0].result[]`: the `value`s of its labelled regions. */
function labelStudioResults(annotations: unknown): unknown {
  if (!Array.isArray(annotations) || annotations.length === 0) return annotations;
  const first: unknown = annotations[0];
  const result = isRecord(first) ? ownField(first, "result") : undefined;
  if (!Array.isArray(result)) return annotations;
  return result.map((r: unknown) => (isRecord(r) && isRecord(r["value"]) ? r["value"] : r));
}

function writtenSpan(item: unknown, k: number, line: number, file: string): WrittenSpan {
  let start: unknown;
  let end: unknown;
  let label: unknown;
  if (Array.isArray(item) && item.length === 3) {
    [start, end, label] = item;
  } else if (isRecord(item)) {
    start = ownField(item, "start") ?? ownField(item, "start_offset");
    end = ownField(item, "end") ?? ownField(item, "end_offset");
    label = ownField(item, "label");
    const labels = ownField(item, "labels");
    if (label === undefined && Array.isArray(labels) && labels.length === 1) label = labels[0];
  } else {
    throw badSpan(
      file,
      line,
      `entity ${k + 1} is ${showJson(item)}; write an entity as [start, end, "LABEL"] or {"start": 0, "end": 5, "label": "LABEL"}`,
    );
  }
  if (
    !(
      typeof start === "number" &&
      Number.isInteger(start) &&
      typeof end === "number" &&
      Number.isInteger(end)
    )
  ) {
    throw badSpan(
      file,
      line,
      `entity ${k + 1} has start ${showJson(start)} and end ${showJson(end)}; both must be whole numbers (offsets into the text)`,
    );
  }
  if (!(typeof label === "string" && label.length > 0 && !SPACE.test(label))) {
    throw badSpan(
      file,
      line,
      `the span [${start}, ${end}) has the label ${showJson(label)}; a label is a non-empty string without whitespace, such as "PER"`,
    );
  }
  return { start, end, label };
}

/** Every character but whitespace, control and format characters is part of a token. */
const HAS_TOKEN = /[^\s\p{Cc}\p{Cf}]/u;

function noTokens(file: string, line: number): TextkitError {
  return new TextkitError(
    "DATA_EMPTY_TEXT",
    `line ${line}: "text" has no tokens (it holds only whitespace)`,
    {
      file,
      line,
      column: "text",
    },
  );
}

function badSpan(file: string, line: number, message: string): TextkitError {
  return new TextkitError("DATA_BAD_SPAN", `line ${line}: ${message}`, { file, line, column: "entities" });
}

function quoteSpan(text: string, span: Span): string {
  const shown = text.slice(span.start, span.end);
  return `[${span.start}, ${span.end}) '${shown.length > 40 ? `${shown.slice(0, 37)}...` : shown}'`;
}

function describeSpace(char: string): string {
  if (char === " ") return "a space";
  if (char === "\t") return "a tab";
  if (char === "\n" || char === "\r") return "a line break";
  return `whitespace (U+${char.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")})`;
}

const SPACE = /\s/;

/** Cuts between the two halves of a character outside the BMP. */
function cutsCharacter(text: string, at: number): boolean {
  if (at <= 0 || at >= text.length) return false;
  const a = text.charCodeAt(at - 1);
  const b = text.charCodeAt(at);
  return a >= 0xd800 && a <= 0xdbff && b >= 0xdc00 && b <= 0xdfff;
}

/** Spans in UTF-16, end-exclusive offsets, checked against the text, sorted, not overlapping. */
function checkSpans(
  spans: Span[],
  text: string,
  line: number,
  file: string,
  convention: SpanConvention,
): Span[] {
  const inclusive = convention.end === "inclusive";
  const unit = convention.offsets === "utf16" ? "UTF-16 code units" : "code points";
  for (const span of spans) {
    const { start, end } = span;
    if (start >= end) {
      throw badSpan(
        file,
        line,
        inclusive
          ? `the span [${start}, ${end - 1}] is empty: start must not be after end (ends read as inclusive)`
          : `the span [${start}, ${end}) is empty: start must be less than end (end is exclusive; pass --end inclusive if the file's ends are the last character)`,
      );
    }
    if (start < 0 || end > text.length) {
      throw badSpan(
        file,
        line,
        `the span [${start}, ${end}) is outside the text, which has ${text.length} UTF-16 code units (the file's offsets read as ${unit})`,
      );
    }
    const first = text[start]!;
    const last = text[end - 1]!;
    if (SPACE.test(first))
      throw badSpan(file, line, `the span ${quoteSpan(text, span)} starts with ${describeSpace(first)}`);
    if (SPACE.test(last))
      throw badSpan(file, line, `the span ${quoteSpan(text, span)} ends with ${describeSpace(last)}`);
    if (cutsCharacter(text, start) || cutsCharacter(text, end)) {
      throw badSpan(
        file,
        line,
        `the span ${quoteSpan(text, span)} cuts a character outside the BMP in two (offsets count UTF-16 code units, where such a character is 2; pass --offsets codepoint if the file counts code points)`,
      );
    }
  }
  const sorted = [...spans].sort((a, b) => a.start - b.start);
  for (let k = 1; k < sorted.length; k++) {
    if (sorted[k]!.start < sorted[k - 1]!.end) {
      throw badSpan(
        file,
        line,
        `the spans ${quoteSpan(text, sorted[k - 1]!)} and ${quoteSpan(text, sorted[k]!)} overlap; entities cannot nest or overlap`,
      );
    }
  }
  return sorted;
}

/** B-X and I-X for each entity type, made once. */
class TagStrings {
  private readonly begin = new Map<string, string>();
  private readonly inside = new Map<string, string>();

  b(type: string): string {
    let tag = this.begin.get(type);
    if (tag === undefined) {
      tag = `B-${type}`;
      this.begin.set(type, tag);
    }
    return tag;
  }

  i(type: string): string {
    let tag = this.inside.get(type);
    if (tag === undefined) {
      tag = `I-${type}`;
      this.inside.set(type, tag);
    }
    return tag;
  }
}

function recordSentence(
  record: RawRecord,
  language: TextLanguage,
  file: string,
  tagStrings: TagStrings,
): TaggedSentence {
  const { text, spans, line } = record;
  const found = tokenizeForTagging(text, language);
  if (found.length === 0) throw noTokens(file, line);
  const tokens: string[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
  // Span edges in order (spans are sorted and disjoint); a token is cut at each one inside it.
  let edge = 0;
  const edges = spans.flatMap((span) => [span.start, span.end]);
  for (const token of found) {
    let from = token.start;
    for (let at = edges[edge]; at !== undefined && at <= from; at = edges[edge]) edge++;
    for (let cut = edges[edge]; cut !== undefined && cut < token.end; cut = edges[edge]) {
      tokens.push(text.slice(from, cut));
      starts.push(from);
      ends.push(cut);
      from = cut;
      edge++;
    }
    tokens.push(from === token.start ? token.token : text.slice(from, token.end));
    starts.push(from);
    ends.push(token.end);
  }
  const tags = new Array<string>(tokens.length).fill("O");
  let p = 0;
  for (const span of spans) {
    for (let start = starts[p]; start !== undefined && start < span.start; start = starts[p]) p++;
    const first = p;
    for (let end = ends[p]; end !== undefined && end <= span.end; end = ends[p]) p++;
    if (p === first) {
      throw badSpan(
        file,
        line,
        `the span ${quoteSpan(text, span)} covers no token (only control or format characters)`,
      );
    }
    tags[first] = tagStrings.b(span.label);
    for (let k = first + 1; k < p; k++) tags[k] = tagStrings.i(span.label);
  }
  return { tokens, tags, line, text, starts, ends };
}
