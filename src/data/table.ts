/**
 * Tables of typed columns, for models that learn from numbers and categories rather than
 * text (regression, forecasting). Cells come from table-records (CSV through csv-parse,
 * TSV, JSONL); here each column becomes numbers or categories, and every cell that does
 * not fit its column is refused with the file, line and column name.
 */
import { compareCodePoints, TextkitError } from "../core/index.ts";
import { type CellLocator, TableBuilder } from "./table-builder.ts";
import { type Cell, readTableRecords } from "./table-records.ts";
import {
  type CategoricalColumn,
  type ColumnKind,
  TABLE_CHUNK_ROWS,
  type Table,
  type TableColumn,
  type TableOptions,
} from "./table-types.ts";

export type { CellLocator } from "./table-builder.ts";
export { TableBuilder } from "./table-builder.ts";
export type {
  CategoricalColumn,
  ColumnKind,
  ImputeStrategy,
  NumericColumn,
  Table,
  TableColumn,
  TableOptions,
} from "./table-types.ts";
export {
  COLUMN_KINDS,
  IMPUTE_STRATEGIES,
  MISSING_MARKERS,
  parseNumberCell,
  TABLE_CHUNK_ROWS,
} from "./table-types.ts";

/** Sorts a categorical column's levels in code point order, renumbering its codes. */
function sortLevels(column: CategoricalColumn): CategoricalColumn {
  const order = column.levels
    .map((_, i) => i)
    .sort((a, b) => compareCodePoints(column.levels[a]!, column.levels[b]!));
  const newCode = new Int32Array(order.length);
  for (let i = 0; i < order.length; i++) newCode[order[i]!] = i;
  const codes = new Int32Array(column.codes.length);
  for (let i = 0; i < codes.length; i++) {
    const code = column.codes[i]!;
    codes[i] = code < 0 ? -1 : newCode[code]!;
  }
  return { ...column, codes, levels: order.map((i) => column.levels[i]!) };
}

function readColumnsOf(options: TableOptions): string[] | undefined {
  if (options.columns !== undefined) return [...options.columns];
  if (options.features === undefined) return undefined;
  return options.target === undefined ? [...options.features] : [options.target, ...options.features];
}

/**
 * Reads a whole CSV/TSV/JSONL table into typed columns: numeric columns as Float64Array,
 * categorical ones as codes into sorted levels. See `TableOptions` for how kinds are
 * decided and missing values handled. Every error names the file, line and column.
 *
 * @example
 * const table = await loadTable("houses.csv", { target: "price", categorical: ["city"] });
 * table.rows; // 1200
 * table.columns.map((c) => c.kind); // ["numeric", "numeric", "categorical"]
 */
export async function loadTable(path: string, options: TableOptions = {}): Promise<Table> {
  const builder = new TableBuilder(path, options);
  const columns = readColumnsOf(options);
  for await (const batch of readTableRecords(path, {
    ...options,
    ...(columns === undefined ? {} : { columns }),
  })) {
    builder.add(batch);
  }
  builder.finish();
  const table = builder.take();
  return { ...table, columns: table.columns.map((c) => (c.kind === "categorical" ? sortLevels(c) : c)) };
}

/**
 * Streams a table in chunks of `TABLE_CHUNK_ROWS` rows (the last may be shorter), never
 * holding the whole file. Without `options.kinds`, kinds are decided as `loadTable` decides
 * them, with one difference: a column whose first chunk holds only missing values reads as
 * numeric there. The returned `kinds()` gives the kinds decided over the whole read once it
 * has ended (and runs `TableBuilder.finish`'s checks).
 *
 * @example
 * const chunks = readTableChunks("big.csv", { target: "y" });
 * for await (const chunk of chunks.rows) console.log(chunk.rows);
 * chunks.kinds(); // { x1: "numeric", city: "categorical" }
 */
export function readTableChunks(
  path: string,
  options: TableOptions = {},
  chunkRows: number = TABLE_CHUNK_ROWS,
): { rows: AsyncGenerator<Table>; kinds: () => Record<string, ColumnKind> } {
  const builder = new TableBuilder(path, options);
  const columns = readColumnsOf(options);
  let finished: Record<string, ColumnKind> | null = null;
  async function* rows(): AsyncGenerator<Table> {
    for await (const batch of readTableRecords(path, {
      ...options,
      ...(columns === undefined ? {} : { columns }),
    })) {
      // Cut batches so that chunk boundaries do not depend on how the file was read in blocks.
      let start = 0;
      while (start < batch.rows.length) {
        const take = Math.min(chunkRows - builder.pending, batch.rows.length - start);
        builder.add({
          names: batch.names,
          rows: batch.rows.slice(start, start + take),
          lines: batch.lines.slice(start, start + take),
        });
        start += take;
        if (builder.pending === chunkRows) yield builder.take();
      }
    }
    finished = builder.finish();
    if (builder.pending > 0) yield builder.take();
  }
  return {
    rows: rows(),
    kinds: () => {
      if (finished === null) {
        throw new TextkitError("INTERNAL", "readTableChunks: kinds() asked for before the rows were read");
      }
      return finished;
    },
  };
}

/**
 * A table from rows of named values already in memory (a request's JSON rows). Values are
 * numbers, strings, booleans, or null/absent for missing; `fieldOf(i, column)` names a
 * cell in errors (default `/inputs/<i>/<column>`).
 *
 * @example
 * const table = tableFromRecords("request", [{ area: 70, city: "Lyon" }], { features: ["area", "city"] });
 */
export function tableFromRecords(
  source: string,
  records: readonly Record<string, unknown>[],
  options: TableOptions & { features: readonly string[] },
  fieldOf: (row: number, column: string) => string = (row, column) => `/inputs/${row}/${column}`,
): Table {
  const names = options.target === undefined ? [...options.features] : [options.target, ...options.features];
  const locate: CellLocator = {
    describe: (line, column) => fieldOf(line - 1, column),
    options: (line, column) => ({ column, details: { field: fieldOf(line - 1, column) } }),
  };
  const builder = new TableBuilder(source, options, locate);
  const rows: Cell[][] = new Array(records.length);
  const lines: number[] = new Array(records.length);
  for (let i = 0; i < records.length; i++) {
    const record = records[i]!;
    const row: Cell[] = new Array(names.length);
    for (let c = 0; c < names.length; c++) {
      const name = names[c]!;
      const value = Object.hasOwn(record, name) ? record[name] : null;
      if (value !== null && value !== undefined && typeof value === "object") {
        throw new TextkitError(
          "INPUT_INVALID",
          `${fieldOf(i, name)} must be a number, a string, a boolean or null`,
          { column: name, details: { field: fieldOf(i, name) } },
        );
      }
      row[c] = (value ?? null) as Cell;
    }
    rows[i] = row;
    lines[i] = i + 1;
  }
  if (records.length > 0) builder.add({ names, rows, lines });
  else builder.add({ names, rows: [], lines: [] });
  return builder.take();
}

/**
 * The rows at `indices` of a table, in that order (a split, a shuffle).
 *
 * @example
 * const head = selectRows(table, Int32Array.from([0, 1, 2]));
 */
export function selectRows(table: Table, indices: Int32Array, source: string = table.source): Table {
  const pick = (values: Float64Array): Float64Array => {
    const out = new Float64Array(indices.length);
    for (let i = 0; i < indices.length; i++) out[i] = values[indices[i]!]!;
    return out;
  };
  const lines = new Int32Array(indices.length);
  for (let i = 0; i < indices.length; i++) lines[i] = table.lines[indices[i]!]!;
  const columns = table.columns.map((column): TableColumn => {
    if (column.kind === "numeric") {
      const values = pick(column.values);
      let missing = 0;
      for (const v of values) if (Number.isNaN(v)) missing++;
      return { ...column, values, missing };
    }
    const codes = new Int32Array(indices.length);
    let missing = 0;
    for (let i = 0; i < indices.length; i++) {
      codes[i] = column.codes[indices[i]!]!;
      if (codes[i]! < 0) missing++;
    }
    return { ...column, codes, missing };
  });
  const target =
    table.target === null ? null : { ...table.target, values: pick(table.target.values), missing: 0 };
  return { source, rows: indices.length, lines, columns, target };
}
