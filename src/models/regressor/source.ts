/**
 * Where a regressor's rows come from: a table in memory, or a file read again on every
 * pass (for data too big for memory). Both give the same chunks, so every solver and the
 * training-data fingerprint see the same rows the same way.
 */
import {
  type ColumnKind,
  type ImputeStrategy,
  readTableChunks,
  TABLE_CHUNK_ROWS,
  type Table,
  type TableOptions,
} from "../../data/index.ts";

export interface SourceReadOptions {
  impute: ImputeStrategy;
  /** Kinds decided by an earlier pass; without them the pass decides. */
  kinds?: Record<string, ColumnKind>;
}

export interface SourcePass {
  rows: AsyncIterable<Table>;
  /** The kinds decided over the pass, once it has ended. */
  kinds(): Record<string, ColumnKind>;
}

/** Rows with a target, in chunks of at most TABLE_CHUNK_ROWS. */
export interface RegressionSource {
  /** Names the data in errors and run records, usually its path. */
  readonly name: string;
  /** The whole table when it is in memory (then SGD shuffles all rows each epoch). */
  readonly table: Table | null;
  pass(options: SourceReadOptions): SourcePass;
}

/** Views of rows start..end of a table (no copy). */
export function sliceTable(table: Table, start: number, end: number): Table {
  return {
    source: table.source,
    rows: end - start,
    lines: table.lines.subarray(start, end),
    columns: table.columns.map((column) =>
      column.kind === "numeric"
        ? {
            ...column,
            values: column.values.subarray(start, end),
            missing: countNaN(column.values, start, end),
          }
        : {
            ...column,
            codes: column.codes.subarray(start, end),
            missing: countNegative(column.codes, start, end),
          },
    ),
    target:
      table.target === null ? null : { ...table.target, values: table.target.values.subarray(start, end) },
  };
}

function countNaN(values: Float64Array, start: number, end: number): number {
  let n = 0;
  for (let i = start; i < end; i++) if (Number.isNaN(values[i]!)) n++;
  return n;
}

function countNegative(codes: Int32Array, start: number, end: number): number {
  let n = 0;
  for (let i = start; i < end; i++) if (codes[i]! < 0) n++;
  return n;
}

/**
 * A table in memory as a source.
 *
 * @example
 * const model = await trainRegressor({ train: tableSource(await loadTable("d.csv", { target: "y" })) });
 */
export function tableSource(table: Table): RegressionSource {
  const kinds = Object.fromEntries(table.columns.map((c) => [c.name, c.kind]));
  return {
    name: table.source,
    table,
    pass: () => ({
      rows: (async function* () {
        for (let start = 0; start < table.rows; start += TABLE_CHUNK_ROWS) {
          yield sliceTable(table, start, Math.min(table.rows, start + TABLE_CHUNK_ROWS));
        }
      })(),
      kinds: () => kinds,
    }),
  };
}

/**
 * A CSV/TSV/JSONL file as a source, read in chunks on every pass and never held whole.
 * `options` say which columns to read (target, features, categorical, format); the trainer
 * sets `impute` and, after the first pass, the kinds.
 *
 * @example
 * const model = await trainRegressor({ train: fileSource("big.csv", { target: "y" }) }, { method: "sgd" });
 */
export function fileSource(path: string, options: TableOptions): RegressionSource {
  return {
    name: path,
    table: null,
    pass: (read) => {
      const chunks = readTableChunks(path, {
        ...options,
        impute: read.impute,
        ...(read.kinds === undefined ? {} : { kinds: { ...options.kinds, ...read.kinds } }),
      });
      return { rows: chunks.rows, kinds: chunks.kinds };
    },
  };
}
