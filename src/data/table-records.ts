/**
 * Rows of named cells from a CSV, TSV or JSONL file, before any column is typed: what
 * `loadTable` and the streamed readers of tabular data build on. CSV goes through
 * csv-reader (csv-parse), TSV and JSONL through line-blocks, so the BOM, UTF-8, line and
 * quoting rules are the ones every other reader in this folder follows.
 */
import { TextkitError } from "../core/index.ts";
import { readCsvRecords } from "./csv-reader.ts";
import { detectFormat } from "./detect-format.ts";
import { describeJson, parseJsonObjectLine } from "./json-line.ts";
import { blockLines, DEFAULT_MAX_RECORD_BYTES, readLineBlocks } from "./line-blocks.ts";

/** The formats a table is read from. */
export const TABLE_FORMATS = ["csv", "tsv", "jsonl"] as const;
export type TableFormat = (typeof TABLE_FORMATS)[number];

/** One cell as the file gives it: text (CSV/TSV), or a JSON scalar (JSONL); null when absent. */
export type Cell = string | number | boolean | null;

/** Rows in file order, each aligned with `names`. */
export interface RecordBatch {
  /** The column names: a CSV/TSV header, or the keys of the first JSONL object (or those asked for). */
  names: readonly string[];
  rows: Cell[][];
  /** 1-based line where each row starts. */
  lines: number[];
}

export interface TableRecordOptions {
  /** Default: from the file's extension (.csv, .tsv, .jsonl/.ndjson). */
  format?: TableFormat;
  /** CSV/TSV field delimiter; default "," for CSV and a tab for TSV. */
  delimiter?: string;
  /** Longest line or CSV record, in bytes; default 8 MiB (DATA_LINE_TOO_LONG beyond it). */
  maxRecordBytes?: number;
  /**
   * JSONL: the keys to read from every object, in this order (a key an object lacks is an
   * absent cell). Default: the keys of the first object.
   */
  columns?: readonly string[];
}

/**
 * The table format of `path`: the one asked for, else from the extension. A fastText file
 * is refused: it holds texts, not columns.
 *
 * @example
 * tableFormat("houses.tsv"); // "tsv"
 */
export function tableFormat(path: string, asked?: TableFormat): TableFormat {
  if (asked !== undefined) {
    if (!TABLE_FORMATS.includes(asked)) {
      throw new TextkitError(
        "DATA_UNKNOWN_FORMAT",
        `unknown table format "${String(asked)}"; use one of ${TABLE_FORMATS.join(", ")}`,
      );
    }
    return asked;
  }
  const format = detectFormat(path);
  if (format === "fasttext") {
    throw new TextkitError(
      "DATA_UNKNOWN_FORMAT",
      `${path} looks like a fastText text file; a table must be .csv, .tsv or .jsonl (or pass the format)`,
      { file: path },
    );
  }
  return format;
}

function checkHeader(names: string[], line: number, path: string): void {
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) {
      throw new TextkitError(
        "DATA_BAD_ROW",
        `the header on line ${line} names column "${name}" twice; give every column its own name`,
        { file: path, line, column: name },
      );
    }
    seen.add(name);
  }
}

function widthError(path: string, line: number, got: number, width: number, advice: string): TextkitError {
  return new TextkitError(
    "DATA_BAD_ROW",
    `line ${line} has ${got} fields but the header has ${width}${advice}`,
    { file: path, line },
  );
}

async function* csvRecords(
  path: string,
  delimiter: string,
  maxRecordBytes: number,
): AsyncGenerator<RecordBatch> {
  const advice = `; a value that contains "${delimiter}" must be in double quotes`;
  let names: string[] | null = null;
  for await (const { records, lines } of readCsvRecords(path, { delimiter, maxRecordBytes })) {
    let start = 0;
    if (names === null) {
      names = records[0]!.map((name) => name.trim());
      checkHeader(names, lines[0]!, path);
      start = 1;
    }
    const width = names.length;
    const rows: Cell[][] = [];
    const rowLines: number[] = [];
    for (let r = start; r < records.length; r++) {
      const record = records[r]!;
      if (record.length !== width) {
        throw widthError(path, lines[r]!, record.length, width, advice);
      }
      rows.push(record);
      rowLines.push(lines[r]!);
    }
    if (rows.length > 0) yield { names, rows, lines: rowLines };
  }
}

async function* tsvRecords(
  path: string,
  delimiter: string,
  maxRecordBytes: number,
): AsyncGenerator<RecordBatch> {
  const advice = delimiter === "\t" ? "; TSV values cannot contain tabs" : "";
  let names: string[] | null = null;
  for await (const block of readLineBlocks(path, maxRecordBytes)) {
    const texts = blockLines(block);
    const rows: Cell[][] = [];
    const lines: number[] = [];
    for (let i = 0; i < texts.length; i++) {
      let raw = texts[i]!;
      if (raw.length > 0 && raw.charCodeAt(raw.length - 1) === 13) raw = raw.slice(0, -1);
      if (raw.trim().length === 0) continue;
      const line = block.firstLine + i;
      const fields = raw.split(delimiter);
      if (names === null) {
        names = fields.map((name) => name.trim());
        checkHeader(names, line, path);
        continue;
      }
      if (fields.length !== names.length) throw widthError(path, line, fields.length, names.length, advice);
      rows.push(fields);
      lines.push(line);
    }
    if (names !== null && rows.length > 0) yield { names, rows, lines };
  }
}

async function* jsonlRecords(
  path: string,
  maxRecordBytes: number,
  columns: readonly string[] | undefined,
): AsyncGenerator<RecordBatch> {
  let names: readonly string[] | null = columns ?? null;
  for await (const block of readLineBlocks(path, maxRecordBytes)) {
    const texts = blockLines(block);
    const rows: Cell[][] = [];
    const lines: number[] = [];
    for (let i = 0; i < texts.length; i++) {
      const line = block.firstLine + i;
      const object = parseJsonObjectLine(texts[i]!, path, line, '{"price": 12.5, "city": "Lyon"}');
      if (object === null) continue;
      if (names === null) names = Object.keys(object);
      const row: Cell[] = new Array(names.length);
      for (let c = 0; c < names.length; c++) {
        const name = names[c]!;
        const cell = Object.hasOwn(object, name) ? object[name] : null;
        if (cell !== null && typeof cell === "object") {
          throw new TextkitError(
            "DATA_BAD_ROW",
            `line ${line}: field "${name}" is ${describeJson(cell)}; a table cell must be a number, a string, a boolean or null`,
            { file: path, line, column: name },
          );
        }
        row[c] = cell as Cell;
      }
      rows.push(row);
      lines.push(line);
    }
    if (names !== null && rows.length > 0) yield { names, rows, lines };
  }
}

/**
 * Streams the rows of a CSV/TSV file with a header row, or of a JSONL file of objects, in
 * batches, in file order, never holding the whole file. Blank lines are skipped. Throws
 * TextkitError (DATA_*) naming the file and line of the first bad record.
 *
 * @example
 * for await (const batch of readTableRecords("houses.csv")) console.log(batch.names, batch.rows.length);
 */
export async function* readTableRecords(
  path: string,
  options: TableRecordOptions = {},
): AsyncGenerator<RecordBatch> {
  const format = tableFormat(path, options.format);
  const maxRecordBytes = options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
  if (options.delimiter !== undefined && options.delimiter.length === 0) {
    throw new TextkitError("OPTION_INVALID", "delimiter must not be empty");
  }
  if (format === "csv") yield* csvRecords(path, options.delimiter ?? ",", maxRecordBytes);
  else if (format === "tsv") yield* tsvRecords(path, options.delimiter ?? "\t", maxRecordBytes);
  else yield* jsonlRecords(path, maxRecordBytes, options.columns);
}

export interface TableFileOptions {
  /** Default: from the extension (.csv, .tsv, .jsonl/.ndjson). */
  format?: TableFormat;
  /** CSV/TSV field delimiter (default "," and a tab). */
  delimiter?: string;
}

/** A batch of rows as objects of field name to value, each with the line it starts on. */
export interface ObjectBatch {
  /** The header's names (CSV/TSV), or null for JSONL where each object has its own. */
  names: readonly string[] | null;
  rows: Record<string, unknown>[];
  lines: number[];
}

/**
 * Streams a CSV/TSV file with a header, or a JSONL file, as objects of field name to value
 * (JSONL objects may each have their own fields), with the line each starts on. Throws
 * DATA_BAD_JSON naming the line of a JSONL line that is not an object.
 *
 * @example
 * for await (const batch of readObjects("posts.jsonl", {})) console.log(batch.rows[0], batch.lines[0]);
 */
export async function* readObjects(path: string, options: TableFileOptions): AsyncGenerator<ObjectBatch> {
  const format = tableFormat(path, options.format);
  if (format === "jsonl") {
    for await (const block of readLineBlocks(path, DEFAULT_MAX_RECORD_BYTES)) {
      const texts = blockLines(block);
      const rows: Record<string, unknown>[] = [];
      const lines: number[] = [];
      for (let i = 0; i < texts.length; i++) {
        const line = block.firstLine + i;
        const object = parseJsonObjectLine(texts[i]!, path, line);
        if (object === null) continue;
        rows.push(object);
        lines.push(line);
      }
      if (rows.length > 0) yield { names: null, rows, lines };
    }
    return;
  }
  for await (const batch of readTableRecords(path, {
    format,
    ...(options.delimiter === undefined ? {} : { delimiter: options.delimiter }),
  })) {
    const names = batch.names;
    const rows = batch.rows.map((cells: Cell[]) => {
      const row: Record<string, unknown> = {};
      for (let c = 0; c < names.length; c++) row[names[c]!] = cells[c];
      return row;
    });
    yield { names, rows, lines: batch.lines };
  }
}
