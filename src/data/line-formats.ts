/**
 * The formats with one record per line: JSON Lines and fastText. Each block of lines is
 * decoded once and split natively; the per-line work is one parse and a few slices.
 */
import { TextkitError } from "../core/index.ts";
import { cleanLabels, type Example, TEXT_COLUMN_JOINER, textColumnNames } from "./example.ts";
import { describeJson, parseJsonObjectLine } from "./json-line.ts";
import { blockLines, readLineBlocks } from "./line-blocks.ts";

/** What fastText itself puts before a label. */
export const FASTTEXT_LABEL_PREFIX = "__label__";

export interface LineFormatOptions {
  requireLabels: boolean;
  skipEmptyText: boolean;
  onSkippedText?: (line: number) => void;
  maxRecordBytes: number;
  encoding?: string;
  /** JSONL only: the text field. */
  textField: string;
  /** JSONL only: the label field, or undefined for "label", else "labels". */
  labelField: string | undefined;
}

type LineParser = (raw: string, line: number, file: string, options: LineFormatOptions) => Example | null;

async function* readLineRecords(
  path: string,
  parseLine: LineParser,
  options: LineFormatOptions,
): AsyncGenerator<Example[]> {
  for await (const block of readLineBlocks(path, options.maxRecordBytes, options.encoding)) {
    const lines = blockLines(block);
    const batch: Example[] = [];
    for (const [i, text] of lines.entries()) {
      const example = parseLine(text, block.firstLine + i, path, options);
      if (example !== null) batch.push(example);
    }
    if (batch.length > 0) yield batch;
  }
}

/** Streams the examples of a JSON Lines file in batches. */
export function readJsonlBatches(path: string, options: LineFormatOptions): AsyncGenerator<Example[]> {
  return readLineRecords(path, parseJsonlLine, options);
}

/** Streams the examples of a fastText file in batches. */
export function readFastTextBatches(path: string, options: LineFormatOptions): AsyncGenerator<Example[]> {
  return readLineRecords(path, parseFastTextLine, options);
}

function isSpace(code: number): boolean {
  // fastText splits on ASCII whitespace only; "\r" covers CRLF files.
  return code === 32 || code === 9 || code === 13 || code === 11 || code === 12;
}

/**
 * `__label__a __label__b some text`: the leading `__label__` tokens are labels, the rest is
 * the text. (fastText's program also takes labels later in a line; here those stay text.)
 */
function parseFastTextLine(
  raw: string,
  line: number,
  file: string,
  options: LineFormatOptions,
): Example | null {
  const length = raw.length;
  let labels: string[] = [];
  let pos = 0;
  for (;;) {
    while (pos < length && isSpace(raw.charCodeAt(pos))) pos++;
    if (!raw.startsWith(FASTTEXT_LABEL_PREFIX, pos)) break;
    let end = pos + FASTTEXT_LABEL_PREFIX.length;
    while (end < length && !isSpace(raw.charCodeAt(end))) end++;
    labels.push(raw.slice(pos + FASTTEXT_LABEL_PREFIX.length, end));
    pos = end;
  }
  const text = pos === 0 ? raw.trim() : raw.slice(pos).trim();
  if (text.length === 0 && labels.length === 0) return null;
  if (labels.length > 0) labels = cleanLabels(labels);
  if (text.length === 0) {
    if (options.skipEmptyText) {
      options.onSkippedText?.(line);
      return null;
    }
    throw new TextkitError("DATA_EMPTY_TEXT", `line ${line} has labels but no text after them`, {
      file,
      line,
    });
  }
  if (labels.length === 0 && options.requireLabels) {
    throw new TextkitError(
      "DATA_NO_LABEL",
      `line ${line} has no label: a fastText line starts with ${FASTTEXT_LABEL_PREFIX}<name>, e.g. "${FASTTEXT_LABEL_PREFIX}positive great film"`,
      { file, line },
    );
  }
  return { text, labels, line };
}

function listKeys(record: Record<string, unknown>): string {
  const keys = Object.keys(record);
  return keys.length === 0 ? "it has none" : `it has ${keys.map((k) => JSON.stringify(k)).join(", ")}`;
}

function parseJsonlLine(raw: string, line: number, file: string, options: LineFormatOptions): Example | null {
  const value = parseJsonObjectLine(raw, file, line, '{"text": "...", "label": "..."}');
  if (value === null) return null;
  const textField = options.textField;
  // A field whose own name has a comma wins over the list of fields that name would be.
  const fields = Object.hasOwn(value, textField) ? [textField] : textColumnNames(textField);
  const parts: string[] = [];
  for (const field of fields) {
    const part = jsonTextField(value, field, line, file);
    if (part.length > 0) parts.push(part);
  }
  const text = parts.join(TEXT_COLUMN_JOINER);
  if (text.length === 0) {
    if (options.skipEmptyText) {
      options.onSkippedText?.(line);
      return null;
    }
    throw new TextkitError("DATA_EMPTY_TEXT", `line ${line}: field "${textField}" is empty`, {
      file,
      line,
      column: textField,
    });
  }
  const labelField =
    options.labelField ??
    (value["label"] === undefined && value["labels"] !== undefined ? "labels" : "label");
  const labelValue = Object.hasOwn(value, labelField) ? value[labelField] : undefined;
  const labels = jsonLabels(labelValue, line, file, labelField);
  if (labels.length === 0 && options.requireLabels) {
    const where =
      labelValue === undefined
        ? `has no field "${labelField}" (${listKeys(value)}); choose the label field with --label-column`
        : `has an empty "${labelField}"`;
    throw new TextkitError("DATA_NO_LABEL", `line ${line} ${where}`, { file, line, column: labelField });
  }
  return { text, labels, line };
}

/** The trimmed string in one text field of a JSONL record. */
function jsonTextField(value: Record<string, unknown>, field: string, line: number, file: string): string {
  // Own fields only: a record without "text" must not find Object.prototype's members.
  const textValue = Object.hasOwn(value, field) ? value[field] : undefined;
  if (textValue === undefined) {
    throw new TextkitError(
      "DATA_MISSING_COLUMN",
      `line ${line} has no field "${field}" (${listKeys(value)}); choose the text field with --text-column`,
      { file, line, column: field, hint: "Pass --text-column with a field the records have." },
    );
  }
  if (typeof textValue !== "string") {
    throw new TextkitError(
      "DATA_BAD_ROW",
      `line ${line}: field "${field}" must be a string, got ${describeJson(textValue)}`,
      { file, line, column: field },
    );
  }
  return textValue.trim();
}

function jsonLabels(value: unknown, line: number, file: string, field: string): string[] {
  if (value === undefined || value === null) return [];
  if (typeof value === "string") {
    const label = value.trim();
    return label.length === 0 ? [] : [label];
  }
  if (typeof value === "number") return [String(value)];
  if (Array.isArray(value)) {
    const labels: string[] = [];
    for (const item of value) {
      if (typeof item === "string") labels.push(item);
      else if (typeof item === "number") labels.push(String(item));
      else {
        throw new TextkitError(
          "DATA_BAD_ROW",
          `line ${line}: "${field}" must hold strings or numbers, but it holds ${describeJson(item)}`,
          { file, line, column: field },
        );
      }
    }
    return cleanLabels(labels);
  }
  throw new TextkitError(
    "DATA_BAD_ROW",
    `line ${line}: "${field}" must be a string, a number or an array of them, got ${describeJson(value)}`,
    { file, line, column: field },
  );
}
