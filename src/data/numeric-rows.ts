/**
 * Rows of numbers from a CSV/TSV file with a header (or JSONL objects), for models that
 * take dense vectors, such as k-means on embeddings. Every chosen column must hold a
 * number in every row: an empty cell is DATA_MISSING_VALUE and any other text
 * DATA_NOT_NUMERIC, each naming the file, line and column.
 */
import { TextkitError } from "../core/index.ts";
import { MISSING_MARKERS, parseNumberCell } from "./table.ts";
import { type Cell, readTableRecords, type TableFormat } from "./table-records.ts";

/** Dense rows in memory. */
export interface NumericRows {
  /** Where the rows came from, usually the file path. */
  source: string;
  /** Names of the columns, in row order. */
  columns: string[];
  n: number;
  dim: number;
  /** n × dim values, row-major. */
  values: Float32Array;
  /** 1-based line of each row in the file. */
  lines: Int32Array;
}

export interface NumericRowsOptions {
  /** Default: from the extension (.csv, .tsv, .jsonl). */
  format?: TableFormat;
  /** The columns to read, in this order; default all of them. */
  columns?: readonly string[];
  delimiter?: string;
}

const MISSING = new Set(MISSING_MARKERS);
/** Beyond this a number has no 32-bit float. */
const FLOAT32_MAX = 3.4028234663852886e38;

function describeCell(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 37)}...` : text);
}

/**
 * Reads every row of a table of numbers.
 *
 * @example
 * const rows = await readNumericRows("embeddings.csv");
 * rows.values.subarray(0, rows.dim); // the first row
 */
export async function readNumericRows(path: string, options: NumericRowsOptions = {}): Promise<NumericRows> {
  let columns: string[] | null = null;
  let positions: number[] = [];
  let values = new Float32Array(4096);
  let length = 0;
  const lines: number[] = [];
  for await (const batch of readTableRecords(path, {
    ...(options.format === undefined ? {} : { format: options.format }),
    ...(options.delimiter === undefined ? {} : { delimiter: options.delimiter }),
    ...(options.columns === undefined ? {} : { columns: options.columns }),
  })) {
    if (columns === null) {
      const names = [...batch.names];
      const firstLine = batch.lines[0] ?? 1;
      if (names.length > 0 && names.every((name) => !Number.isNaN(parseNumberCell(name)))) {
        throw new TextkitError(
          "DATA_BAD_ROW",
          `the first line of ${path} holds numbers, not column names; add a header row (e.g. x1,x2,...) before line ${firstLine}`,
          { file: path, line: Math.max(1, firstLine - 1) },
        );
      }
      columns = options.columns === undefined ? names : [...options.columns];
      positions = columns.map((name) => {
        const at = names.indexOf(name);
        if (at === -1) {
          throw new TextkitError(
            "DATA_MISSING_COLUMN",
            `${path} has no column named "${name}"; its columns: ${names.map((c) => JSON.stringify(c)).join(", ")}`,
            { file: path, column: name, hint: "Pass --columns with columns of the file's header." },
          );
        }
        return at;
      });
      if (columns.length === 0)
        throw new TextkitError("DATA_EMPTY", `${path} has no columns`, { file: path });
    }
    const dim = columns.length;
    for (let r = 0; r < batch.rows.length; r++) {
      const row = batch.rows[r]!;
      const line = batch.lines[r]!;
      if (length + dim > values.length) {
        const grown = new Float32Array(Math.max(values.length * 2, length + dim));
        grown.set(values.subarray(0, length));
        values = grown;
      }
      for (let c = 0; c < dim; c++) {
        values[length++] = cellNumber(row[positions[c]!] ?? null, path, line, columns[c]!, c, dim);
      }
      lines.push(line);
    }
  }
  if (columns === null || lines.length === 0) {
    throw new TextkitError("DATA_EMPTY", `${path} has no rows of numbers (only a header, or nothing)`, {
      file: path,
    });
  }
  return {
    source: path,
    columns,
    n: lines.length,
    dim: columns.length,
    values: values.slice(0, length),
    lines: Int32Array.from(lines),
  };
}

function cellNumber(
  cell: Cell,
  file: string,
  line: number,
  column: string,
  index: number,
  width: number,
): number {
  const where = `line ${line}, column "${column}" (${index + 1} of ${width})`;
  const text = cell === null ? null : typeof cell === "string" ? cell.trim() : cell;
  if (text === null || (typeof text === "string" && MISSING.has(text))) {
    throw new TextkitError(
      "DATA_MISSING_VALUE",
      `${where} has no value${typeof text === "string" && text !== "" ? ` (${describeCell(text)})` : ""}; every cell must hold a number: fill it in or remove the row`,
      { file, line, column },
    );
  }
  const value =
    typeof text === "number" ? text : typeof text === "string" ? parseNumberCell(text) : Number.NaN;
  if (!Number.isFinite(value) || Math.abs(value) > FLOAT32_MAX) {
    const shown = typeof text === "string" ? describeCell(text) : String(text);
    throw new TextkitError(
      "DATA_NOT_NUMERIC",
      `${where} holds ${shown}, which is not ${Number.isNaN(value) ? "a number" : "a finite 32-bit number"}; every cell must hold a plain decimal number such as -1.5 or 2e-3`,
      { file, line, column },
    );
  }
  return value;
}
