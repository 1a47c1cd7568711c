import { TextkitError } from "../core/index.ts";

/** The file formats textkit reads labelled text from. */
export const DATA_FORMATS = ["csv", "tsv", "jsonl", "fasttext"] as const;
export type DataFormat = (typeof DATA_FORMATS)[number];

/** One labelled text. */
export interface Example {
  /** The text with surrounding whitespace removed; never empty. */
  text: string;
  /** Trimmed, non-empty, without repeats, in the order the file gives them; `[]` only when labels are optional. */
  labels: string[];
  /** 1-based line of the file where the record starts. */
  line: number;
}

/** How to read a data file. Every field is optional. */
export interface ReadOptions {
  /**
   * The file's format; by default from its extension (see `detectFormat`). CSV follows RFC
   * 4180 (double quotes may hold delimiters, quotes written twice, and line breaks). TSV has
   * no quoting, as in GLUE's SST-2: a field ends at a tab or a line break, and a quote is a
   * plain character.
   */
  format?: DataFormat;
  /**
   * CSV/TSV column or JSONL field that holds the text; default "text". No other name is
   * guessed. Without a header row, a 1-based column number such as "2". Several columns
   * separated by commas ("title,description") are joined, in that order, with
   * `TEXT_COLUMN_JOINER` between them; a column whose own name has a comma is still found.
   */
  textColumn?: string;
  /**
   * CSV/TSV column or JSONL field that holds the label(s); by default "label", else "labels".
   * Without a header row, a 1-based column number such as "1".
   */
  labelColumn?: string;
  /** Separates several labels in one CSV/TSV cell; default "|". (JSONL uses an array.) */
  labelSeparator?: string;
  /** CSV/TSV: whether the first row names the columns; default true. */
  header?: boolean;
  /** Default true. False for prediction input: a missing or empty label gives `labels: []`. */
  requireLabels?: boolean;
  /**
   * Skip records whose text is empty instead of throwing DATA_EMPTY_TEXT; default false.
   * For published data sets with a few empty rows (ChnSentiCorp has one).
   */
  skipEmptyText?: boolean;
  /** Told the line of each record `skipEmptyText` skipped, so that a caller can count them. */
  onSkippedText?: (line: number) => void;
  /**
   * The file's character encoding, as TextDecoder names it ("utf-8", "latin1", "gbk",
   * "shift_jis", ...); default UTF-8. Encodings that write a line break as more than the
   * byte 0x0A (UTF-16) are refused.
   */
  encoding?: string;
  /** CSV/TSV field delimiter; default "," for CSV and a tab for TSV. */
  delimiter?: string;
  /** Longest line or CSV record accepted, in bytes; default 8 MiB (DATA_LINE_TOO_LONG beyond it). */
  maxRecordBytes?: number;
}

/**
 * Cleans the labels of one record: trims them, drops empty ones and repeats. Returns the
 * same array when it is already clean, which is the common case.
 */
export function cleanLabels(labels: string[]): string[] {
  let clean = true;
  for (const [i, label] of labels.entries()) {
    if (label.length === 0 || label.trim() !== label || labels.indexOf(label) !== i) {
      clean = false;
      break;
    }
  }
  if (clean) return labels;
  const out: string[] = [];
  for (const label of labels) {
    const trimmed = label.trim();
    if (trimmed.length > 0 && !out.includes(trimmed)) out.push(trimmed);
  }
  return out;
}

/** Between the texts of several text columns joined into one (see `textColumn`). */
export const TEXT_COLUMN_JOINER = "\n";

/**
 * The names in a `textColumn` option: the one name, or several separated by commas.
 *
 * @example
 * textColumnNames("title, description"); // ["title", "description"]
 */
export function textColumnNames(textColumn: string): string[] {
  if (!textColumn.includes(",")) return [textColumn];
  return textColumn.split(",").map((name) => name.trim());
}

/**
 * The canonical name of a character encoding for TextDecoder, or OPTION_INVALID for one it
 * does not know or one the line readers cannot split (UTF-16).
 *
 * @example
 * checkEncoding("latin1"); // "windows-1252" (what WHATWG decoders read Latin-1 as)
 */
export function checkEncoding(encoding: string): string {
  let name: string;
  try {
    name = new TextDecoder(encoding).encoding;
  } catch (error) {
    throw new TextkitError(
      "OPTION_INVALID",
      `encoding "${encoding}" is not one this runtime can decode; use e.g. utf-8, latin1, windows-1252, gbk, big5, shift_jis`,
      { cause: error },
    );
  }
  if (name.startsWith("utf-16")) {
    throw new TextkitError(
      "OPTION_INVALID",
      `encoding "${encoding}" (${name}) is not supported: convert the file to UTF-8 (e.g. iconv -f UTF-16 -t UTF-8)`,
    );
  }
  return name;
}

/** Throws OPTION_INVALID for option values TypeScript cannot rule out. */
export function checkReadOptions(options: ReadOptions): void {
  const fail = (message: string) => new TextkitError("OPTION_INVALID", message);
  if (options.format !== undefined && !DATA_FORMATS.includes(options.format)) {
    throw new TextkitError(
      "DATA_UNKNOWN_FORMAT",
      `unknown format "${String(options.format)}"; use one of ${DATA_FORMATS.join(", ")}`,
    );
  }
  if (options.labelSeparator !== undefined && options.labelSeparator.length === 0) {
    throw fail("labelSeparator must not be empty");
  }
  if (options.delimiter !== undefined && options.delimiter.length === 0) {
    throw fail("delimiter must not be empty");
  }
  if (
    options.maxRecordBytes !== undefined &&
    !(Number.isInteger(options.maxRecordBytes) && options.maxRecordBytes > 0)
  ) {
    throw fail(`maxRecordBytes must be a positive integer, got ${options.maxRecordBytes}`);
  }
  if (options.encoding !== undefined) checkEncoding(options.encoding);
  if (options.textColumn !== undefined && textColumnNames(options.textColumn).some((n) => n.length === 0)) {
    throw fail(`textColumn "${options.textColumn}" has an empty name between its commas`);
  }
}
