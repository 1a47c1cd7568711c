/**
 * Documents cut into passages for retrieval: a passage should answer one question, so it
 * follows the document's own structure (sections, then paragraphs), keeps the headings
 * above it as its title (a paragraph that says "Call us to block it" means little without
 * "Cards > Lost card"), is cut at sentence ends when a paragraph is too long, and absorbs
 * neighbours that are too short to stand alone.
 */
import { TextkitError } from "../../core/index.ts";
import { decodeHtmlEntities, htmlBlocks } from "../../text/index.ts";

export const PASSAGE_FORMATS = ["markdown", "html", "text"] as const;
export type PassageFormat = (typeof PASSAGE_FORMATS)[number];

export interface SplitDocumentOptions {
  format: PassageFormat;
  /** Names the document (a file name); passages get ids `<source>#1`, `<source>#2`, ... */
  source: string;
  /** Longest passage in UTF-16 code units (default 800); longer paragraphs are cut at sentence ends. */
  maxChars?: number;
  /** Paragraphs shorter than this join a neighbour of the same section when the two fit maxChars (default 80). */
  minChars?: number;
}

export interface Passage {
  id: string;
  /** Plain text: Markdown markup and HTML tags removed, entities decoded. */
  text: string;
  /** The headings above the passage, outermost first, joined by " > "; null when there are none. */
  title: string | null;
  source: string;
  /**
   * Where the passage lies in the document, end exclusive (UTF-16 offsets). For plain text
   * `text` is exactly that slice; for Markdown the slice is the passage with its markup;
   * for HTML it spans the elements the passage comes from.
   */
  start: number;
  end: number;
}

/** A paragraph (or fenced code block) of the document, before cutting and merging. */
interface Block {
  title: string | null;
  start: number;
  end: number;
  /** What is cut when the block is too long: the source slice, or (HTML) the decoded text. */
  raw: string;
  /** Whether a position in `raw` is `start` plus that position in the document. */
  exact: boolean;
  clean: (raw: string) => string;
}

interface Piece {
  title: string | null;
  start: number;
  end: number;
  text: string;
}

/** Path of headings: slot i holds the current heading of level i + 1. */
class HeadingPath {
  private readonly levels: (string | undefined)[] = [];

  set(level: number, text: string): void {
    this.levels.length = level - 1;
    this.levels[level - 1] = text;
  }

  get title(): string | null {
    const parts = this.levels.filter((t): t is string => t !== undefined && t.length > 0);
    return parts.length === 0 ? null : parts.join(" > ");
  }
}

function checkOptions(text: string, options: SplitDocumentOptions): { maxChars: number; minChars: number } {
  if (typeof text !== "string") throw new TextkitError("INPUT_INVALID", "the document must be a string");
  if (!PASSAGE_FORMATS.includes(options.format)) {
    throw new TextkitError(
      "OPTION_INVALID",
      `format must be one of ${PASSAGE_FORMATS.join(", ")}, got '${String(options.format)}'`,
    );
  }
  const maxChars = options.maxChars ?? 800;
  const minChars = options.minChars ?? 80;
  if (!(Number.isInteger(maxChars) && maxChars >= 1)) {
    throw new TextkitError("OPTION_INVALID", `maxChars must be a whole number >= 1, got ${maxChars}`);
  }
  if (!(Number.isInteger(minChars) && minChars >= 0 && minChars <= maxChars)) {
    throw new TextkitError(
      "OPTION_INVALID",
      `minChars must be a whole number from 0 to maxChars (${maxChars}), got ${minChars}`,
    );
  }
  return { maxChars, minChars };
}

/**
 * Splits a Markdown, HTML or plain-text document into passages, in document order.
 *
 * @example
 * splitDocument("# Cards\n\n## Lost card\n\nCall us at once: we block the card.", { format: "markdown", source: "help.md" });
 * // [{ id: "help.md#1", text: "Call us at once: we block the card.", title: "Cards > Lost card",
 * //    source: "help.md", start: 23, end: 58 }]
 */
export function splitDocument(text: string, options: SplitDocumentOptions): Passage[] {
  const { maxChars, minChars } = checkOptions(text, options);
  const blocks =
    options.format === "markdown"
      ? markdownBlocks(text)
      : options.format === "html"
        ? htmlDocumentBlocks(text)
        : plainBlocks(text);
  const pieces: Piece[] = [];
  for (const block of blocks) cutBlock(block, maxChars, pieces);
  const merged = mergePieces(pieces, maxChars, minChars, options.format === "text" ? text : null);
  return merged.map((p, i) => ({
    id: `${options.source}#${i + 1}`,
    text: p.text,
    title: p.title,
    source: options.source,
    start: p.start,
    end: p.end,
  }));
}

/** Lines of a text with the offset each starts at (without its line break; a CR dropped). */
function linesOf(text: string): { line: string; start: number }[] {
  const out: { line: string; start: number }[] = [];
  let start = 0;
  while (start <= text.length) {
    const newline = text.indexOf("\n", start);
    const end = newline < 0 ? text.length : newline;
    const line = text.slice(start, end);
    out.push({ line: line.endsWith("\r") ? line.slice(0, -1) : line, start });
    if (newline < 0) break;
    start = newline + 1;
  }
  return out;
}

/** A paragraph being collected: the source range of its non-blank lines. */
interface OpenParagraph {
  start: number;
  end: number;
  lines: string[];
  code: boolean;
}

const ATX_HEADING = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/;
const SETEXT_UNDERLINE = /^ {0,3}(=+|-+)[ \t]*$/;
const THEMATIC_BREAK = /^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$/;
const FENCE = /^ {0,3}(`{3,}|~{3,})/;
const HEADING_ATTRIBUTES = /\s*\{#[^}]*\}\s*$/;

function markdownBlocks(text: string): Block[] {
  const scanner = new MarkdownScanner(text);
  const lines = linesOf(text);
  for (const { line, start } of lines.slice(frontMatterEnd(lines))) scanner.line(line, start);
  scanner.flush();
  return scanner.blocks;
}

/** The first line after YAML front matter (which says things about the document, not in it); 0 when there is none. */
function frontMatterEnd(lines: readonly { line: string }[]): number {
  if (lines.length <= 1 || lines[0]?.line.trim() !== "---") return 0;
  const close = lines.findIndex((l, i) => i > 0 && (l.line.trim() === "---" || l.line.trim() === "..."));
  return close > 0 ? close + 1 : 0;
}

/** Reads Markdown line by line into blocks: paragraphs and fenced code under their heading path. */
class MarkdownScanner {
  readonly blocks: Block[] = [];
  private readonly path = new HeadingPath();
  private open: OpenParagraph | null = null;
  /** The opening fence of the code block being read, or null outside one. */
  private fence: string | null = null;

  constructor(private readonly text: string) {}

  /** Ends the open paragraph, if any, as a block. */
  flush(): void {
    const open = this.open;
    if (open !== null) {
      this.blocks.push({
        title: this.path.title,
        start: open.start,
        end: open.end,
        raw: this.text.slice(open.start, open.end),
        exact: true,
        clean: open.code ? cleanCode : cleanMarkdown,
      });
    }
    this.open = null;
  }

  private extend(line: string, lineStart: number, code: boolean): void {
    const lead = line.length - line.trimStart().length;
    const end = lineStart + line.trimEnd().length;
    if (this.open === null) this.open = { start: lineStart + lead, end, lines: [line], code };
    else {
      this.open.end = end;
      this.open.lines.push(line);
    }
  }

  /** A line inside a fenced block: kept as code; a matching fence closes the block. */
  private fencedLine(line: string, start: number, fence: string): void {
    this.extend(line, start, true);
    const close = FENCE.exec(line)?.[1];
    if (
      close !== undefined &&
      close[0] === fence[0] &&
      close.length >= fence.length &&
      line.trim() === close
    ) {
      this.fence = null;
      this.flush();
    }
  }

  /** One line of the document, starting at offset `start`. */
  line(line: string, start: number): void {
    if (this.fence !== null) {
      this.fencedLine(line, start, this.fence);
      return;
    }
    const opening = FENCE.exec(line)?.[1];
    if (opening !== undefined) {
      this.flush();
      this.fence = opening;
      this.extend(line, start, true);
    } else if (line.trim().length === 0 || THEMATIC_BREAK.test(line)) {
      if (line.trim().length > 0 && this.heading(line)) return;
      this.flush();
    } else if (!this.heading(line)) {
      this.extend(line, start, false);
    }
  }

  /** Takes an ATX heading, or a setext underline below a paragraph, into the heading path; false when `line` is neither. */
  private heading(line: string): boolean {
    const atx = ATX_HEADING.exec(line);
    if (atx !== null) {
      this.flush();
      const level = atx[1]?.length ?? 1;
      this.path.set(level, cleanMarkdown((atx[2] ?? "").replace(HEADING_ATTRIBUTES, "")));
      return true;
    }
    const underline = SETEXT_UNDERLINE.exec(line)?.[1];
    if (underline !== undefined && this.open !== null && !this.open.code) {
      const heading = cleanMarkdown(this.open.lines.join(" "));
      this.open = null;
      this.path.set(underline[0] === "=" ? 1 : 2, heading.replace(/\s+/g, " "));
      return true;
    }
    return false;
  }
}

function plainBlocks(text: string): Block[] {
  const blocks: Block[] = [];
  let start = -1;
  let end = -1;
  const flush = (): void => {
    if (start >= 0) {
      blocks.push({ title: null, start, end, raw: text.slice(start, end), exact: true, clean: (s) => s });
    }
    start = -1;
  };
  for (const { line, start: at } of linesOf(text)) {
    if (line.trim().length === 0) {
      flush();
      continue;
    }
    if (start < 0) start = at + (line.length - line.trimStart().length);
    end = at + line.trimEnd().length;
  }
  flush();
  return blocks;
}

function htmlDocumentBlocks(html: string): Block[] {
  const blocks: Block[] = [];
  const path = new HeadingPath();
  for (const block of htmlBlocks(html)) {
    if (block.kind === "heading") path.set(block.level, block.text);
    else {
      blocks.push({
        title: path.title,
        start: block.start,
        end: block.end,
        raw: block.text,
        exact: false,
        clean: (s) => s,
      });
    }
  }
  return blocks;
}

const LIST_MARKER = /^\s*(?:[-*+]|\d{1,9}[.)])\s+(?:\[[ xX]\]\s+)?/;
const BLOCKQUOTE = /^\s*(?:>\s?)+/;
const TABLE_RULE = /^\s*\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?\s*$/;
const LINK_DEFINITION = /^\s*\[[^\]]+\]:\s*\S+/;

/** Markdown prose to plain text: block markers, inline markup and entities go, words stay. */
function cleanMarkdown(raw: string): string {
  const lines: string[] = [];
  for (const original of raw.split("\n")) {
    if (TABLE_RULE.test(original) || LINK_DEFINITION.test(original)) continue;
    let line = original.replace(/\r$/, "").replace(BLOCKQUOTE, "").replace(LIST_MARKER, "");
    if (/^\s*\|.*\|\s*$/.test(line))
      line = line
        .trim()
        .slice(1, -1)
        .replace(/\s*\|\s*/g, " | ");
    lines.push(line);
  }
  const text = lines
    .join("\n")
    .replace(/<!--[\s\S]*?(?:-->|$)/g, "")
    .replace(/!\[([^\]]*)\]\((?:[^()]|\([^)]*\))*\)/g, "$1")
    .replace(/\[([^\]]+)\]\((?:[^()]|\([^)]*\))*\)/g, "$1")
    .replace(/\[([^\]]+)\]\[[^\]]*\]/g, "$1")
    .replace(/<((?:https?|mailto):[^>\s]+)>/g, "$1")
    .replace(/<\/?[a-zA-Z][^>]*>/g, "")
    .replace(/(`+)(.+?)\1/g, "$2")
    .replace(/(\*\*|__)(?=\S)(.+?)(?<=\S)\1/g, "$2")
    .replace(/(?<![\p{L}\p{N}*])\*(?=\S)(.+?)(?<=\S)\*(?![\p{L}\p{N}*])/gu, "$1")
    .replace(/(?<![\p{L}\p{N}_])_(?=\S)(.+?)(?<=\S)_(?![\p{L}\p{N}_])/gu, "$1")
    .replace(/~~(.+?)~~/g, "$1")
    .replace(/\\([\\`*_{}[\]()#+\-.!|>~])/g, "$1");
  return decodeHtmlEntities(text)
    .split("\n")
    .map((l) => l.replace(/[ \t]+/g, " ").trim())
    .filter((l) => l.length > 0)
    .join("\n");
}

/** A fenced code block: its lines without the fences. */
function cleanCode(raw: string): string {
  const lines = raw.split("\n").map((l) => l.replace(/\r$/, ""));
  if (lines.length > 0 && FENCE.test(lines[0]!)) lines.shift();
  if (lines.length > 0 && FENCE.test(lines[lines.length - 1]!)) lines.pop();
  return lines.join("\n").trim();
}

/**
 * Where a long paragraph may be cut: after a sentence end (. ! ? followed by a space, or
 * 。！？, closing quotes and brackets included) and at line breaks; the position is that
 * of the next sentence's first character.
 */
const SENTENCE_END = /[.!?]+["'”’)\]]*\s+|[。！？]+[”’」』）)]*\s*|\n\s*/g;

/** Cuts a block into pieces of at most maxChars of text, preferring sentence ends. */
function cutBlock(block: Block, maxChars: number, out: Piece[]): void {
  const whole = block.clean(block.raw);
  if (whole.length === 0) return;
  if (whole.length <= maxChars) {
    out.push({ title: block.title, start: block.start, end: block.end, text: whole });
    return;
  }
  const raw = block.raw;
  const cuts: number[] = [];
  const pattern = new RegExp(SENTENCE_END.source, SENTENCE_END.flags);
  for (let m = pattern.exec(raw); m !== null; m = pattern.exec(raw)) cuts.push(m.index + m[0].length);
  let a = 0;
  let next = 0;
  while (a < raw.length) {
    let b: number;
    if (raw.length - a <= maxChars) b = raw.length;
    else {
      while (next < cuts.length && cuts[next]! <= a) next++;
      let best = -1;
      for (let j = next; j < cuts.length && cuts[j]! <= a + maxChars; j++) best = cuts[j]!;
      b = best > a ? best : hardCut(raw, a, maxChars);
    }
    const piece = raw.slice(a, b);
    const lead = piece.length - piece.trimStart().length;
    const text = block.clean(piece.trim());
    if (text.length > 0) {
      out.push(
        block.exact
          ? {
              title: block.title,
              start: block.start + a + lead,
              end: block.start + a + piece.trimEnd().length,
              text,
            }
          : { title: block.title, start: block.start, end: block.end, text },
      );
    }
    a = b;
  }
}

/** A sentence longer than maxChars: cut at its last space that fits, else at maxChars. */
function hardCut(raw: string, a: number, maxChars: number): number {
  const limit = a + maxChars;
  const space = raw.lastIndexOf(" ", limit);
  if (space > a) return space + 1;
  const code = raw.charCodeAt(limit - 1);
  // Never between the two halves of a surrogate pair.
  return code >= 0xd800 && code <= 0xdbff ? limit - 1 : limit;
}

/**
 * Joins a piece shorter than minChars with its neighbour of the same title while the two
 * fit in maxChars. With `source` (plain text) a joined passage is its exact slice.
 */
function mergePieces(
  pieces: readonly Piece[],
  maxChars: number,
  minChars: number,
  source: string | null,
): Piece[] {
  const out: Piece[] = [];
  for (const piece of pieces) {
    const last = out[out.length - 1];
    if (
      last !== undefined &&
      last.title === piece.title &&
      (last.text.length < minChars || piece.text.length < minChars)
    ) {
      const text = source !== null ? source.slice(last.start, piece.end) : `${last.text}\n\n${piece.text}`;
      if (text.length <= maxChars) {
        out[out.length - 1] = { title: last.title, start: last.start, end: piece.end, text };
        continue;
      }
    }
    out.push({ ...piece });
  }
  return out;
}
