/**
 * CSV through csv-parse. csv-parse's own line counter counts a CRLF inside a quoted
 * field twice, so lines are counted here from byte offsets instead: the parser reports
 * where each record ends, this file knows where every "\n" it fed lies, and a record starts
 * as many lines before its last line as its fields hold line breaks.
 */
import { CsvError, Parser } from "csv-parse";
import { TextkitError } from "../core/index.ts";
import type { Example } from "./example.ts";
import { readLineBlocks } from "./line-blocks.ts";
import { RecordExamples, type TableOptions } from "./table-columns.ts";

const NEWLINE = 10;

/** Maps byte offsets of the fed stream to 1-based lines, for offsets that never decrease. */
class LineIndex {
  private offsets: number[] = [];
  private head = 0;
  private dropped = 0;

  add(bytes: Buffer, base: number): void {
    let at = bytes.indexOf(NEWLINE);
    while (at !== -1) {
      this.offsets.push(base + at);
      at = bytes.indexOf(NEWLINE, at + 1);
    }
  }

  lineAt(offset: number): number {
    const offsets = this.offsets;
    let head = this.head;
    for (let at = offsets[head]; at !== undefined && at < offset; at = offsets[head]) head++;
    // Drop what was passed now and then, so the index holds only the unread part of the file.
    if (head > 4096 && head * 2 > offsets.length) {
      this.offsets = offsets.slice(head);
      this.dropped += head;
      head = 0;
    }
    this.head = head;
    return 1 + this.dropped + head;
  }
}

function lineBreaksIn(record: string[]): number {
  let count = 0;
  for (const field of record) {
    let at = field.indexOf("\n");
    while (at !== -1) {
      count++;
      at = field.indexOf("\n", at + 1);
    }
  }
  return count;
}

function describeCsvError(error: CsvError, line: number, options: CsvRecordOptions): string {
  switch (error.code) {
    case "CSV_QUOTE_NOT_CLOSED":
      return `the record that starts on line ${line} opens a double quote that is never closed; inside a quoted field write a quote as ""`;
    case "CSV_MAX_RECORD_SIZE":
      return `the record that starts on line ${line} is longer than ${options.maxRecordBytes} bytes; most likely a double quote opened there is never closed`;
    default:
      return `cannot parse the record that starts on line ${line}: ${error.message}`;
  }
}

function write(parser: Parser, bytes: Buffer): Promise<Error | null> {
  return new Promise((resolve) => {
    parser.write(bytes, (error) => resolve(error ?? null));
  });
}

function finish(parser: Parser): Promise<Error | null> {
  return new Promise((resolve) => {
    parser.end((error?: Error | null) => resolve(error ?? null));
  });
}

/** Records of a CSV file as parsed, each with the 1-based line it starts on. */
export interface CsvRecords {
  records: string[][];
  lines: number[];
}

export interface CsvRecordOptions {
  delimiter: string;
  maxRecordBytes: number;
  /** As TextDecoder names it; default UTF-8. */
  encoding?: string;
}

/**
 * Streams the records of a CSV file (RFC 4180 quoting) in batches, one batch per block read,
 * the header row included; blank lines are skipped. Throws DATA_BAD_ROW naming the line of a
 * record that cannot be parsed.
 *
 * @example
 * for await (const { records, lines } of readCsvRecords("prices.csv", { delimiter: ",", maxRecordBytes: 1 << 26 })) {
 *   console.log(lines[0], records[0]);
 * }
 */
export async function* readCsvRecords(path: string, options: CsvRecordOptions): AsyncGenerator<CsvRecords> {
  const records: string[][] = [];
  const ends: number[] = [];
  const parser = new Parser({
    delimiter: options.delimiter,
    // Named rather than discovered: csv-parse discovers the record delimiter by allocating
    // three buffers at every byte until the first line ends, which made a long first line
    // cost about a microsecond a byte (issue 15). line-blocks splits lines at "\n" too.
    record_delimiter: ["\r\n", "\n"],
    bom: false, // line-blocks removes it, and counts bytes without it
    relax_column_count: true, // checked by the callers, to word the error and keep file order
    relax_quotes: true, // a quote inside an unquoted field is a plain character, as in spreadsheets
    skip_empty_lines: true,
    max_record_size: options.maxRecordBytes,
    on_record: (record: string[], context) => {
      records.push(record);
      ends.push(context.bytes);
      return null; // keep records out of the stream's buffer: they are taken from `records`
    },
  });
  // Errors are taken from the write and end callbacks; without a listener they would also crash.
  parser.on("error", () => {});

  const index = new LineIndex();
  let fed = 0;
  let lastEnd = 0;

  const takeRecords = (): CsvRecords => {
    // on_record pushes a record and its end together, so both lists have the same length
    const lines = records.map((record, r) => {
      const end = ends[r] ?? lastEnd;
      lastEnd = end;
      // end - 1 is the record's own "\n" (or its last byte at the end of the file).
      return index.lineAt(end - 1) - lineBreaksIn(record);
    });
    const batch = { records: records.splice(0), lines };
    ends.length = 0;
    return batch;
  };

  const fail = (error: Error): Error => {
    if (!(error instanceof CsvError)) return error;
    const line = index.lineAt(lastEnd);
    return new TextkitError("DATA_BAD_ROW", describeCsvError(error, line, options), {
      file: path,
      line,
      cause: error,
    });
  };

  try {
    for await (const block of readLineBlocks(path, options.maxRecordBytes, options.encoding)) {
      index.add(block.bytes, fed);
      fed += block.bytes.length;
      const error = await write(parser, block.bytes);
      const batch = takeRecords();
      if (batch.records.length > 0) yield batch;
      if (error !== null) throw fail(error);
    }
    const error = await finish(parser);
    const batch = takeRecords();
    if (batch.records.length > 0) yield batch;
    if (error !== null) throw fail(error);
  } finally {
    parser.destroy();
  }
}

/** Streams the examples of a CSV file (RFC 4180 quoting) in batches, one batch per block read. */
export async function* readCsvBatches(path: string, options: TableOptions): AsyncGenerator<Example[]> {
  const advice = `; a text that contains "${options.delimiter}" must be in double quotes`;
  const rows = new RecordExamples(path, options, advice);
  for await (const { records, lines } of readCsvRecords(path, options)) {
    const batch: Example[] = [];
    for (const [r, record] of records.entries()) {
      rows.add(record, lines[r] ?? 0, batch);
    }
    if (batch.length > 0) yield batch;
  }
}
