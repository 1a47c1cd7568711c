/**
 * Readers of tagged data: CoNLL columns (one token per line) and JSONL texts with entity
 * spans. Both give sentences of tokens with BIO tags, whatever scheme the file used, so
 * that the tagger, the evaluation and the exports see one shape.
 *
 * A CoNLL file is read whole before its tags are checked, because its tag scheme is
 * detected over the whole file (one sentence can look like BIO and be IOB1).
 */
import { extname } from "node:path";
import {
  compareCodePoints,
  convertTags,
  detectTagScheme,
  findTagViolation,
  parseTag,
  TAG_SCHEMES,
  type TagScheme,
  TextkitError,
} from "../core/index.ts";
import { detectLanguage, TEXT_LANGUAGES, type TextLanguage, tokenizeForTagging } from "../text/index.ts";
import { describeJson, isRecord, parseJsonObjectLine, showJson } from "./json-line.ts";
import { blockLines, readLineBlocks } from "./line-blocks.ts";
import {
  TAGGED_FORMATS,
  type TaggedDataset,
  type TaggedFormat,
  type TaggedReadOptions,
  type TaggedSentence,
} from "./tagged-example.ts";

/** How many sentences the language is detected from. */
const LANGUAGE_SAMPLE = 1000;
const DOCSTART = "-DOCSTART-";
const NEWLINE = 10;
const LETTER_O = 79;

/**
 * Reads a tagged data file into memory.
 *
 * - **CoNLL**: one token per line, columns separated by spaces or tabs, the token first and
 *   the tag last (or in `tagColumn`); a blank line ends a sentence; `-DOCSTART-` lines are
 *   skipped. Every token line has as many columns as the first. Tags are checked against
 *   the file's scheme (given, or detected with `detectTagScheme`) and kept as BIO.
 * - **JSONL**: one object per line, `{"text": "...", "entities": [[start, end, "LABEL"], ...]}`
 *   (an entity may also be `{"start", "end", "label"}`; no `entities` means none). Offsets
 *   are UTF-16 code units into `text` (JavaScript string indices), `end` exclusive. The
 *   text is split with `tokenizeForTagging`; where an entity edge falls inside a token, the
 *   token is split there, so that entity edges are always token edges ("Apple's" with an
 *   entity [0, 5) gives the tokens "Apple" and "'s" anyway; "ABCcorp" with [0, 3) gives "ABC"
 *   and "corp"). An entity must not start or end with whitespace.
 *
 * The language, unless given, is zh when more than half of the letters in the first 1,000
 * sentences are Han characters, else en. Throws TextkitError with the file and line:
 * DATA_BAD_ROW, DATA_BAD_TAG, DATA_BAD_JSON, DATA_BAD_SPAN, DATA_EMPTY_TEXT, DATA_EMPTY.
 *
 * @example
 * const data = await loadTaggedDataset("conll2003/train.txt");
 * data.scheme; // "bio"
 * data.sentences[0].tokens; // ["EU", "rejects", "German", ...]
 * data.types; // ["LOC", "MISC", "ORG", "PER"]
 */
export async function loadTaggedDataset(
  path: string,
  options: TaggedReadOptions = {},
): Promise<TaggedDataset> {
  checkTaggedReadOptions(options);
  const format = options.format ?? taggedFormatOf(path);
  if (format === "jsonl") {
    const { sentences, language } = await readJsonlSentences(path, options.language);
    // Spans carry no scheme: the tags are made in BIO.
    return taggedDatasetFromSentences(path, format, "bio", language, sentences);
  }
  const raw = await readConllRaw(path, options.tagColumn);
  const scheme = options.scheme ?? detectTagScheme(tagsOf(raw));
  checkConllTags(path, raw, scheme, options.scheme === undefined);
  const language = options.language ?? detectLanguage(conllSample(raw));
  const sentences = raw.map((s) => conllSentence(s, scheme, language));
  return taggedDatasetFromSentences(path, format, scheme, language, sentences);
}

/**
 * A dataset over sentences already in memory (kept as given, not copied), with the entity
 * types that occur in their BIO tags.
 *
 * @example
 * const s = { tokens: ["Paris"], tags: ["B-LOC"], line: 1, text: "Paris", starts: [0], ends: [5] };
 * taggedDatasetFromSentences("inline", "conll", "bio", "en", [s]).types; // ["LOC"]
 */
export function taggedDatasetFromSentences(
  source: string,
  format: TaggedFormat,
  scheme: TagScheme,
  language: TextLanguage,
  sentences: TaggedSentence[],
): TaggedDataset {
  const tags = new Set<string>();
  for (const sentence of sentences) for (const tag of sentence.tags) tags.add(tag);
  const types = new Set<string>();
  for (const tag of tags) {
    const type = parseTag(tag)?.type ?? "";
    if (type.length > 0) types.add(type);
  }
  return { source, format, scheme, language, sentences, types: [...types].sort(compareCodePoints) };
}

/** The format a tagged file's extension stands for: .jsonl/.json are JSONL, anything else CoNLL. */
function taggedFormatOf(path: string): TaggedFormat {
  const extension = extname(path).toLowerCase();
  return extension === ".jsonl" || extension === ".json" ? "jsonl" : "conll";
}

function checkTaggedReadOptions(options: TaggedReadOptions): void {
  const { format, scheme, language, tagColumn } = options;
  if (format !== undefined && !TAGGED_FORMATS.includes(format)) {
    throw new TextkitError(
      "DATA_UNKNOWN_FORMAT",
      `unknown tagged-data format "${String(format)}"; use one of ${TAGGED_FORMATS.join(", ")}`,
    );
  }
  if (scheme !== undefined && !TAG_SCHEMES.includes(scheme)) {
    throw new TextkitError(
      "OPTION_INVALID",
      `unknown tag scheme "${String(scheme)}"; use one of ${TAG_SCHEMES.join(", ")}`,
    );
  }
  if (language !== undefined && !TEXT_LANGUAGES.includes(language)) {
    throw new TextkitError(
      "OPTION_INVALID",
      `unknown language "${String(language)}"; use one of ${TEXT_LANGUAGES.join(", ")}`,
    );
  }
  if (tagColumn !== undefined && !(Number.isInteger(tagColumn) && tagColumn >= 1)) {
    throw new TextkitError(
      "OPTION_INVALID",
      `tagColumn must be a whole number >= 1 (0-based; column 0 is the token), got ${tagColumn}`,
    );
  }
}

// ---------------------------------------------------------------------------------------
// CoNLL

/** A CoNLL sentence as read, tags as written in the file. */
interface RawSentence {
  tokens: string[];
  tags: string[];
  /** Line of the first token; token i is on line `line + i`. */
  line: number;
}

function isColumnSpace(code: number): boolean {
  // Columns are separated by spaces or tabs; "\r" is what is left of a CRLF.
  return code === 32 || code === 9 || code === 13;
}

function isColumnText(code: number): boolean {
  return !isColumnSpace(code) && code !== NEWLINE;
}

async function readConllRaw(path: string, tagColumn: number | undefined): Promise<RawSentence[]> {
  const sentences: RawSentence[] = [];
  // Tags seen so far, each checked once and kept as one string however often it occurs.
  const knownTags = new Map<string, string>();
  let tokens: string[] = [];
  let tags: string[] = [];
  let sentenceLine = 0;
  let columns = 0;
  let firstTokenLine = 0;
  const endSentence = () => {
    if (tokens.length === 0) return;
    sentences.push({ tokens, tags, line: sentenceLine });
    tokens = [];
    tags = [];
  };
  for await (const block of readLineBlocks(path)) {
    // The block is scanned in place: no string per line, and none per "O" tag.
    const text = block.bytes.toString("utf8");
    const length = text.length;
    let line = block.firstLine;
    let pos = 0;
    while (pos < length) {
      let count = 0;
      let tokenStart = 0;
      let tokenEnd = 0;
      let tagStart = 0;
      let tagEnd = 0;
      for (;;) {
        while (pos < length && isColumnSpace(text.charCodeAt(pos))) pos++;
        if (pos === length || text.charCodeAt(pos) === NEWLINE) break;
        const start = pos;
        while (pos < length && isColumnText(text.charCodeAt(pos))) pos++;
        if (count === 0) {
          tokenStart = start;
          tokenEnd = pos;
        }
        if (tagColumn === undefined || count === tagColumn) {
          tagStart = start;
          tagEnd = pos;
        }
        count++;
      }
      pos++; // past the "\n"
      if (count === 0 || text.startsWith(DOCSTART, tokenStart)) {
        endSentence();
        line++;
        continue;
      }
      if (count !== columns) {
        if (columns === 0) {
          checkFirstTokenLine(path, line, count, tagColumn);
          columns = count;
          firstTokenLine = line;
        } else {
          throw new TextkitError(
            "DATA_BAD_ROW",
            `line ${line} has ${plural(count, "column")}; the file's first token line (line ${firstTokenLine}) has ${columns}`,
            { file: path, line, details: { columns: count, expected: columns } },
          );
        }
      }
      let tag: string | undefined;
      if (tagEnd - tagStart === 1 && text.charCodeAt(tagStart) === LETTER_O) {
        tag = "O";
      } else {
        const written = text.slice(tagStart, tagEnd);
        tag = knownTags.get(written);
        if (tag === undefined) {
          if (parseTag(written) === null) throw notATag(path, line, written, tagColumn);
          tag = written;
          knownTags.set(tag, tag);
        }
      }
      if (tokens.length === 0) sentenceLine = line;
      tokens.push(text.slice(tokenStart, tokenEnd));
      tags.push(tag);
      line++;
    }
  }
  endSentence();
  if (sentences.length === 0) {
    throw new TextkitError(
      "DATA_EMPTY",
      `${path} has no sentences: the file is empty, or holds only blank and ${DOCSTART} lines`,
      { file: path },
    );
  }
  return sentences;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}

function checkFirstTokenLine(path: string, line: number, count: number, tagColumn: number | undefined): void {
  if (count < 2) {
    throw new TextkitError(
      "DATA_BAD_ROW",
      `line ${line} has 1 column; a CoNLL line holds a token, any other columns, and a tag, separated by spaces or tabs`,
      { file: path, line },
    );
  }
  if (tagColumn !== undefined && tagColumn >= count) {
    throw new TextkitError(
      "OPTION_INVALID",
      `tagColumn is ${tagColumn}, but line ${line}, the first token line, has ${count} columns (0 to ${count - 1})`,
      { file: path, line },
    );
  }
}

function notATag(path: string, line: number, written: string, tagColumn: number | undefined): TextkitError {
  const where =
    tagColumn === undefined
      ? "the tag is read from the last column; pass tagColumn if it is elsewhere"
      : `the tag is read from column ${tagColumn} (0-based)`;
  return new TextkitError(
    "DATA_BAD_TAG",
    `line ${line}: '${written}' is not a tag; a tag is O, or B-, I-, E-, S- (also L-, U-) and a type such as B-PER (${where})`,
    { file: path, line },
  );
}

function* tagsOf(sentences: readonly RawSentence[]): Generator<readonly string[]> {
  for (const sentence of sentences) yield sentence.tags;
}

function checkConllTags(
  path: string,
  sentences: readonly RawSentence[],
  scheme: TagScheme,
  detected: boolean,
) {
  for (const sentence of sentences) {
    const violation = findTagViolation(sentence.tags, scheme);
    if (violation === null) continue;
    const line = sentence.line + violation.index;
    const why = detected ? ` (${whyDetected(sentences, scheme)})` : "";
    throw new TextkitError("DATA_BAD_TAG", `line ${line}: ${violation.reason}${why}`, {
      file: path,
      line,
      details: { scheme },
    });
  }
}

/**
 * Where the evidence for a detected scheme lies, so that a file with one stray tag in
 * another scheme points at that tag rather than only at a tag that is right.
 */
function whyDetected(sentences: readonly RawSentence[], scheme: TagScheme): string {
  for (const sentence of sentences) {
    let prevPrefix = "O";
    let prevType = "";
    for (let i = 0; i < sentence.tags.length; i++) {
      const tag = sentence.tags[i];
      const parsed = parseTag(tag);
      if (parsed === null) continue;
      const line = sentence.line + i;
      if (scheme === "bioes" && (parsed.prefix === "E" || parsed.prefix === "S")) {
        return `the scheme was detected as BIOES because line ${line} has ${tag}; pass the scheme if the file is in another`;
      }
      const continues = (prevPrefix === "B" || prevPrefix === "I") && prevType === parsed.type;
      if (scheme === "iob1" && parsed.prefix === "I" && !continues) {
        return `the scheme was detected as IOB1 because line ${line} starts an entity with ${tag}; if the file is BIO, that line is the mistake`;
      }
      prevPrefix = parsed.prefix;
      prevType = parsed.type;
    }
  }
  if (scheme === "bio") {
    return "the scheme was detected as BIO because most entities start with B-; pass the scheme if the file is IOB1";
  }
  return `the scheme was detected as ${scheme.toUpperCase()}`;
}

/** The tokens of the first sentences, for detecting the language. */
function conllSample(sentences: readonly RawSentence[]): string {
  const parts: string[] = [];
  const end = Math.min(sentences.length, LANGUAGE_SAMPLE);
  for (let i = 0; i < end; i++) parts.push(sentences[i].tokens.join(""));
  return parts.join("");
}

function conllSentence(raw: RawSentence, scheme: TagScheme, language: TextLanguage): TaggedSentence {
  const { tokens, line } = raw;
  const tags = scheme === "bio" ? raw.tags : convertTags(raw.tags, scheme, "bio");
  const starts = new Array<number>(tokens.length);
  const ends = new Array<number>(tokens.length);
  let text = "";
  for (let i = 0; i < tokens.length; i++) {
    // Chinese characters join without spaces; two words of a spaced script ("iPhone", "15")
    // keep one between them, so the text reads as written and tokenises back the same.
    if (i > 0 && (language === "en" || (spacedEdge(tokens[i - 1]!, true) && spacedEdge(tokens[i]!, false)))) {
      text += " ";
    }
    starts[i] = text.length;
    text += tokens[i];
    ends[i] = text.length;
  }
  return { tokens, tags, line, text, starts, ends };
}

// A letter or digit of a script written with spaces (not Han, Kana or Hangul).
/** True when the first (or last) character of a token is a letter or digit of a script written with spaces. */
function spacedEdge(token: string, last: boolean): boolean {
  const ch = last ? (Array.from(token).at(-1) ?? "") : String.fromCodePoint(token.codePointAt(0) ?? 32);
  return LETTER_OR_DIGIT.test(ch) && !UNSPACED_SCRIPT.test(ch);
}

const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;
const UNSPACED_SCRIPT = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;

// ---------------------------------------------------------------------------------------
// JSONL

interface Span {
  start: number;
  end: number;
  label: string;
}

/** A JSONL record as read: the text and its checked spans in order. */
interface RawRecord {
  text: string;
  spans: Span[];
  line: number;
}

async function readJsonlSentences(
  path: string,
  given: TextLanguage | undefined,
): Promise<{ sentences: TaggedSentence[]; language: TextLanguage }> {
  const sentences: TaggedSentence[] = [];
  const tags = new TagStrings();
  let language = given;
  // Until the language is known, records wait here.
  let pending: RawRecord[] = [];
  for await (const block of readLineBlocks(path)) {
    const lines = blockLines(block);
    for (let i = 0; i < lines.length; i++) {
      const record = parseJsonlRecord(lines[i], block.firstLine + i, path);
      if (record === null) continue;
      if (language !== undefined) {
        sentences.push(recordSentence(record, language, path, tags));
        continue;
      }
      pending.push(record);
      if (pending.length === LANGUAGE_SAMPLE) {
        language = detectLanguage(pending.map((r) => r.text).join(""));
        for (const r of pending) sentences.push(recordSentence(r, language, path, tags));
        pending = [];
      }
    }
  }
  if (language === undefined) {
    language = detectLanguage(pending.map((r) => r.text).join(""));
    for (const r of pending) sentences.push(recordSentence(r, language, path, tags));
  }
  if (sentences.length === 0) {
    throw new TextkitError(
      "DATA_EMPTY",
      `${path} has no sentences: the file is empty, or holds only blank lines`,
      {
        file: path,
      },
    );
  }
  return { sentences, language };
}

function ownField(record: Record<string, unknown>, name: string): unknown {
  // Own fields only: a record without "text" must not find Object.prototype's members.
  return Object.hasOwn(record, name) ? record[name] : undefined;
}

function parseJsonlRecord(raw: string, line: number, file: string): RawRecord | null {
  const value = parseJsonObjectLine(raw, file, line, '{"text": "...", "entities": [[0, 5, "PER"]]}');
  if (value === null) return null;
  const text = ownField(value, "text");
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
  // Also checked after tokenizing; here it is reported in file order while the language is
  // still being detected.
  if (!HAS_TOKEN.test(text)) throw noTokens(file, line);
  return { text, spans: parseSpans(ownField(value, "entities"), text, line, file), line };
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

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

/** Cuts between the two halves of a character outside the BMP. */
function cutsCharacter(text: string, at: number): boolean {
  return (
    at > 0 &&
    at < text.length &&
    isHighSurrogate(text.charCodeAt(at - 1)) &&
    isLowSurrogate(text.charCodeAt(at))
  );
}

function parseSpans(value: unknown, text: string, line: number, file: string): Span[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    throw badSpan(file, line, `"entities" must be a list of [start, end, label], got ${describeJson(value)}`);
  }
  const spans: Span[] = [];
  let sorted = true;
  for (let k = 0; k < value.length; k++) {
    const item: unknown = value[k];
    let start: unknown;
    let end: unknown;
    let label: unknown;
    if (Array.isArray(item) && item.length === 3) {
      [start, end, label] = item;
    } else if (isRecord(item)) {
      start = ownField(item, "start");
      end = ownField(item, "end");
      label = ownField(item, "label");
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
        `entity ${k + 1} has start ${showJson(start)} and end ${showJson(end)}; both must be whole numbers (UTF-16 offsets into the text)`,
      );
    }
    if (start >= end) {
      throw badSpan(
        file,
        line,
        `the span [${start}, ${end}) is empty: start must be less than end (end is exclusive)`,
      );
    }
    if (start < 0 || end > text.length) {
      throw badSpan(
        file,
        line,
        `the span [${start}, ${end}) is outside the text, which has ${text.length} UTF-16 code units`,
      );
    }
    if (!(typeof label === "string" && label.length > 0 && !SPACE.test(label))) {
      throw badSpan(
        file,
        line,
        `the span [${start}, ${end}) has the label ${showJson(label)}; a label is a non-empty string without whitespace, such as "PER"`,
      );
    }
    const span = { start, end, label };
    const first = text[start];
    const last = text[end - 1];
    if (SPACE.test(first))
      throw badSpan(file, line, `the span ${quoteSpan(text, span)} starts with ${describeSpace(first)}`);
    if (SPACE.test(last))
      throw badSpan(file, line, `the span ${quoteSpan(text, span)} ends with ${describeSpace(last)}`);
    if (cutsCharacter(text, start) || cutsCharacter(text, end)) {
      throw badSpan(
        file,
        line,
        `the span ${quoteSpan(text, span)} cuts a character outside the BMP in two (offsets count UTF-16 code units; such a character is 2)`,
      );
    }
    if (spans.length > 0 && start < spans[spans.length - 1].start) sorted = false;
    spans.push(span);
  }
  if (!sorted) spans.sort((a, b) => a.start - b.start);
  for (let k = 1; k < spans.length; k++) {
    if (spans[k].start < spans[k - 1].end) {
      throw badSpan(
        file,
        line,
        `the spans ${quoteSpan(text, spans[k - 1])} and ${quoteSpan(text, spans[k])} overlap; entities cannot nest or overlap`,
      );
    }
  }
  return spans;
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
  const edgeCount = spans.length * 2;
  const edgeAt = (k: number) => (k % 2 === 0 ? spans[k >> 1].start : spans[k >> 1].end);
  for (const token of found) {
    let from = token.start;
    while (edge < edgeCount && edgeAt(edge) <= from) edge++;
    while (edge < edgeCount && edgeAt(edge) < token.end) {
      const cut = edgeAt(edge);
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
    while (p < tokens.length && starts[p] < span.start) p++;
    const first = p;
    while (p < tokens.length && ends[p] <= span.end) p++;
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
