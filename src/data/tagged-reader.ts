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
import { detectLanguage, TEXT_LANGUAGES, type TextLanguage } from "../text/index.ts";
import { readLineBlocks } from "./line-blocks.ts";
import {
  CONLL_DELIMITERS,
  type ConllDelimiter,
  SPAN_END_CONVENTIONS,
  SPAN_OFFSET_UNITS,
  TAGGED_FORMATS,
  type TaggedDataset,
  type TaggedFormat,
  type TaggedReadOptions,
  type TaggedSentence,
  type TagRepairs,
} from "./tagged-example.ts";
import { readJsonlSentences } from "./tagged-jsonl.ts";

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
    const { sentences, language, warnings } = await readJsonlSentences(path, options);
    // Spans carry no scheme: the tags are made in BIO.
    const dataset = taggedDatasetFromSentences(path, format, "bio", language, sentences);
    return warnings.length === 0 ? dataset : { ...dataset, warnings };
  }
  const raw = await readConllRaw(path, options.tagColumn, options.delimiter ?? "space");
  const scheme = options.scheme ?? detectTagScheme(tagsOf(raw));
  const repairs = checkConllTags(path, raw, scheme, options.scheme === undefined, options.repair === true);
  const language = options.language ?? detectLanguage(conllSample(raw));
  const sentences = raw.map((s) => conllSentence(s, scheme, language));
  const dataset = taggedDatasetFromSentences(path, format, scheme, language, sentences);
  return repairs === null ? dataset : { ...dataset, repairs };
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
  checkChoice("delimiter", options.delimiter, CONLL_DELIMITERS);
  checkChoice("offsets", options.offsets, SPAN_OFFSET_UNITS);
  checkChoice("end", options.end, SPAN_END_CONVENTIONS);
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

function checkChoice(name: string, value: string | undefined, choices: readonly string[]): void {
  if (value !== undefined && !choices.includes(value)) {
    throw new TextkitError(
      "OPTION_INVALID",
      `unknown ${name} "${String(value)}"; use one of ${choices.join(", ")}`,
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

function isColumnSpace(code: number, tabOnly: boolean): boolean {
  // Columns are separated by spaces or tabs (or tabs alone); "\r" is what is left of a CRLF.
  return code === 9 || code === 13 || (code === 32 && !tabOnly);
}

function isColumnText(code: number, tabOnly: boolean): boolean {
  return !isColumnSpace(code, tabOnly) && code !== NEWLINE;
}

/** How a tag written in another case reads: `b-per` is B-per, `o` is O; null when it is no tag. */
function tagInAnyCase(written: string): string | null {
  if (written === "o") return "O";
  if (written.length >= 3 && written[1] === "-") {
    const fixed = written[0]!.toUpperCase() + written.slice(1);
    if (parseTag(fixed) !== null) return fixed;
  }
  return null;
}

async function readConllRaw(
  path: string,
  tagColumn: number | undefined,
  delimiter: ConllDelimiter,
): Promise<RawSentence[]> {
  const sentences: RawSentence[] = [];
  // Tags seen so far, each checked once and kept as one string however often it occurs.
  const knownTags = new Map<string, string>();
  const row = new ConllRow(delimiter === "tab", tagColumn);
  let tokens: string[] = [];
  let tags: string[] = [];
  let sentenceLine = 0;
  const columns = { count: 0, line: 0 };
  const endSentence = () => {
    if (tokens.length === 0) return;
    sentences.push({ tokens, tags, line: sentenceLine });
    tokens = [];
    tags = [];
  };
  for await (const block of readLineBlocks(path)) {
    // The block is scanned in place: no string per line, and none per "O" tag.
    const text = block.bytes.toString("utf8");
    let line = block.firstLine;
    let pos = 0;
    while (pos < text.length) {
      pos = row.scan(text, pos);
      if (row.count === 0 || text.startsWith(DOCSTART, row.tokenStart)) {
        endSentence();
        line++;
        continue;
      }
      checkColumns(path, line, row, columns, text, pos);
      if (tokens.length === 0) sentenceLine = line;
      tokens.push(text.slice(row.tokenStart, row.tokenEnd));
      tags.push(rowTag(text, row, knownTags, path, line));
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

/** Where the token and tag columns of one CoNLL line are (reused from line to line). */
class ConllRow {
  count = 0;
  tokenStart = 0;
  tokenEnd = 0;
  tagStart = 0;
  tagEnd = 0;
  readonly tabOnly: boolean;
  readonly tagColumn: number | undefined;

  constructor(tabOnly: boolean, tagColumn: number | undefined) {
    this.tabOnly = tabOnly;
    this.tagColumn = tagColumn;
  }

  /** Scans the line at `pos`; returns the position after its line break. */
  scan(text: string, pos: number): number {
    const { tabOnly, tagColumn } = this;
    const length = text.length;
    this.count = 0;
    for (;;) {
      if (tabOnly) {
        // One tab ends a column; a "\r" before the line break is not part of the last one.
        if (this.count > 0 && pos < length && text.charCodeAt(pos) === 9) pos++;
        while (pos < length && text.charCodeAt(pos) === 13) pos++;
      } else {
        while (pos < length && isColumnSpace(text.charCodeAt(pos), false)) pos++;
      }
      if (pos === length || text.charCodeAt(pos) === NEWLINE) break;
      const start = pos;
      while (pos < length && isColumnText(text.charCodeAt(pos), tabOnly)) pos++;
      if (this.count === 0) {
        this.tokenStart = start;
        this.tokenEnd = pos;
      }
      if (tagColumn === undefined || this.count === tagColumn) {
        this.tagStart = start;
        this.tagEnd = pos;
      }
      this.count++;
    }
    return pos + 1; // past the "\n"
  }
}

/** Every token line has as many columns as the file's first one. */
function checkColumns(
  path: string,
  line: number,
  row: ConllRow,
  columns: { count: number; line: number },
  text: string,
  lineEnd: number,
): void {
  if (row.count === columns.count) return;
  if (columns.count === 0) {
    checkFirstTokenLine(path, line, row.count, row.tagColumn);
    columns.count = row.count;
    columns.line = line;
    return;
  }
  const tabs = !row.tabOnly && text.slice(row.tokenStart, lineEnd).includes("\t");
  throw new TextkitError(
    "DATA_BAD_ROW",
    `line ${line} has ${plural(row.count, "column")}; the file's first token line (line ${columns.line}) has ${columns.count}` +
      (tabs
        ? " (columns are split at spaces and tabs; if only tabs separate them, pass --delimiter tab)"
        : ""),
    { file: path, line, details: { columns: row.count, expected: columns.count } },
  );
}

/** The tag of a scanned line, each distinct spelling checked once (see `knownTags`). */
function rowTag(
  text: string,
  row: ConllRow,
  knownTags: Map<string, string>,
  path: string,
  line: number,
): string {
  if (row.tagEnd - row.tagStart === 1 && text.charCodeAt(row.tagStart) === LETTER_O) return "O";
  const written = text.slice(row.tagStart, row.tagEnd);
  const known = knownTags.get(written);
  if (known !== undefined) return known;
  const read = parseTag(written) === null ? tagInAnyCase(written) : written;
  if (read === null) throw notATag(path, line, written, row.tagColumn);
  knownTags.set(written, read);
  return read;
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
      `--tag-column (tagColumn) is ${tagColumn}, but line ${line}, the first token line, has ${count} columns (0 to ${count - 1})`,
      { file: path, line },
    );
  }
}

function notATag(path: string, line: number, written: string, tagColumn: number | undefined): TextkitError {
  const where =
    tagColumn === undefined
      ? "the tag is read from the last column; name another with --tag-column (tagColumn in the API)"
      : `the tag is read from column ${tagColumn} (0-based), as --tag-column says`;
  return new TextkitError(
    "DATA_BAD_TAG",
    `line ${line}: '${written}' is not a tag; a tag is O, or B-, I-, E-, S- (also L-, U-) and a type such as B-PER, in any case (${where})`,
    {
      file: path,
      line,
      hint:
        tagColumn === undefined
          ? "Fix the tag, or name the column that holds the tags with --tag-column."
          : "Fix the tag, or check --tag-column.",
    },
  );
}

function* tagsOf(sentences: readonly RawSentence[]): Generator<readonly string[]> {
  for (const sentence of sentences) yield sentence.tags;
}

/**
 * Checks every sentence's tags against the scheme. A sentence that breaks it is refused
 * with the count of every violation in the file, or, with `repair`, rewritten as conlleval
 * reads it (the chunks `tagChunks` finds, written back in the scheme). Returns what was
 * repaired, or null when nothing was.
 */
function checkConllTags(
  path: string,
  sentences: RawSentence[],
  scheme: TagScheme,
  detected: boolean,
  repair: boolean,
): TagRepairs | null {
  let first: { line: number; reason: string } | null = null;
  let tags = 0;
  let count = 0;
  const lines: number[] = [];
  for (const sentence of sentences) {
    const violation = findTagViolation(sentence.tags, scheme);
    if (violation === null) continue;
    first ??= { line: sentence.line + violation.index, reason: violation.reason };
    const repaired = convertTags(sentence.tags, scheme, scheme);
    let changed = 0;
    for (let i = 0; i < repaired.length; i++) {
      if (repaired[i] === sentence.tags[i]) continue;
      changed++;
      if (lines.length < 10) lines.push(sentence.line + i);
    }
    tags += Math.max(1, changed);
    count++;
    if (repair) sentence.tags = repaired;
  }
  if (first === null) return null;
  if (repair) return { tags, sentences: count, lines };
  const why = detected ? ` (${whyDetected(sentences, scheme)})` : "";
  const more =
    count === 1 && tags === 1
      ? ""
      : `; the file breaks the scheme at ${plural(tags, "tag")} in ${plural(count, "sentence")} (lines ${lines.join(", ")}${tags > lines.length ? ", ..." : ""})`;
  const repairs: Record<TagScheme, string> = {
    bio: "an I-X that starts an entity becomes B-X",
    iob1: "a B-X that follows no X entity becomes I-X",
    bioes: "an I-X or E-X that starts an entity becomes B-X or S-X, and an entity left open is closed",
  };
  throw new TextkitError("DATA_BAD_TAG", `line ${first.line}: ${first.reason}${why}${more}`, {
    file: path,
    line: first.line,
    details: { scheme, violations: tags, sentences: count },
    hint: `Fix the tags, or pass --repair to read them as conlleval does (${repairs[scheme]}), or pass the file's tag scheme (iob1, bio or bioes) if it was detected wrongly.`,
  });
}

/**
 * Where the evidence for a detected scheme lies, so that a file with one stray tag in
 * another scheme points at that tag rather than only at a tag that is right.
 */
function whyDetected(sentences: readonly RawSentence[], scheme: TagScheme): string {
  for (const sentence of sentences) {
    let prevPrefix = "O";
    let prevType = "";
    for (const [i, tag] of sentence.tags.entries()) {
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
  for (const sentence of sentences.slice(0, LANGUAGE_SAMPLE)) parts.push(sentence.tokens.join(""));
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
