/**
 * Tables of typed columns, for models that learn from numbers and categories rather than
 * text (regression, forecasting). Cells come from table-records (CSV through csv-parse,
 * TSV, JSONL); here each column becomes numbers or categories, and every cell that does
 * not fit its column is refused with the file, line and column name.
 */
import { compareCodePoints, TextkitError, type TextkitErrorOptions } from "../core/index.ts";
import { type Cell, type RecordBatch, readTableRecords, type TableRecordOptions } from "./table-records.ts";

/** How missing feature values are handled: refused, or filled (see `TableOptions.impute`). */
export const IMPUTE_STRATEGIES = ["none", "mean", "median", "mode"] as const;
export type ImputeStrategy = (typeof IMPUTE_STRATEGIES)[number];

export const COLUMN_KINDS = ["numeric", "categorical"] as const;
export type ColumnKind = (typeof COLUMN_KINDS)[number];

/**
 * Cell texts that mean "no value" (after trimming), besides JSON null and an absent JSONL
 * key: the markers pandas and R write most often, and "?" of the UCI repository's files.
 */
export const MISSING_MARKERS: readonly string[] = Object.freeze([
  "",
  "NA",
  "N/A",
  "n/a",
  "NaN",
  "nan",
  "null",
  "NULL",
  "None",
  "?",
]);

export interface NumericColumn {
  kind: "numeric";
  name: string;
  /** One value per row; NaN where the value is missing (only when missing values are allowed). */
  values: Float64Array;
  /** How many values are missing. */
  missing: number;
}

export interface CategoricalColumn {
  kind: "categorical";
  name: string;
  /** Index into `levels` per row; -1 where the value is missing. */
  codes: Int32Array;
  /** The distinct values (trimmed text). `loadTable` sorts them in code point order. */
  levels: readonly string[];
  missing: number;
}

export type TableColumn = NumericColumn | CategoricalColumn;

/** Rows of typed columns in memory. */
export interface Table {
  /** Where the rows came from, usually the file path; errors name it. */
  source: string;
  rows: number;
  /** 1-based line of the file where each row starts. */
  lines: Int32Array;
  /** The feature columns, in the order asked for (by default the file's order). */
  columns: readonly TableColumn[];
  /** The target column, when one was asked for; it never has missing values. */
  target: NumericColumn | null;
}

export interface TableOptions extends TableRecordOptions {
  /** Column the model learns to predict: it must hold a number in every row. */
  target?: string;
  /** Columns to read as features, in this order; default every column but the target. */
  features?: readonly string[];
  /**
   * Feature columns to read as categories even when they hold numbers (zip codes, years as
   * labels). Any other column is numeric when its first value is a number, and categorical
   * otherwise; a numeric column with a value that is not a number is an error that names it
   * (DATA_NOT_NUMERIC), and so is a categorical column most of whose values are numbers.
   */
  categorical?: readonly string[];
  /**
   * "none" (default): an empty feature cell, or one of MISSING_MARKERS, is an error
   * (DATA_MISSING_VALUE) naming its file, line and column. Any other strategy keeps such
   * cells as missing (NaN, or code -1), for a model to fill with values it learns from its
   * training data: the column's mean, median or most frequent value for numeric columns,
   * and always the most frequent level for categorical ones. The target is never filled.
   */
  impute?: ImputeStrategy;
  /** Fixed kinds per column (a trained model's): nothing is inferred for these. */
  kinds?: Readonly<Record<string, ColumnKind>>;
}

/** Rows a streamed table yields at a time (`readTableChunks`). */
export const TABLE_CHUNK_ROWS = 8192;

const MISSING = new Set(MISSING_MARKERS);

/**
 * The number a cell's text stands for (surrounding whitespace ignored), or NaN when it is
 * not a plain decimal number: no thousands separators, hex or "Infinity". A decimal too
 * large for a double gives ±Infinity, which callers refuse as "not a finite number".
 *
 * @example
 * parseNumberCell(" -1.5e3 "); // -1500
 * parseNumberCell("1,000"); // NaN
 */
export function parseNumberCell(text: string): number {
  // Number() is fast and strict about trailing junk; what it accepts beyond plain decimals
  // (blank text, 0x/0o/0b prefixes, "Infinity") is ruled out here.
  const n = Number(text);
  if (Number.isNaN(n)) return n;
  const trimmed = text.trim();
  if (trimmed.length === 0) return Number.NaN;
  const first = trimmed.charCodeAt(0);
  if (first === 48 && trimmed.length > 1) {
    const second = trimmed.charCodeAt(1) | 32;
    if (second === 120 || second === 111 || second === 98) return Number.NaN; // x, o, b
  }
  if (!Number.isFinite(n) && /[Ii]nfinity/.test(trimmed)) return Number.NaN;
  return n;
}

class GrowableF64 {
  data = new Float64Array(1024);
  length = 0;
  push(value: number): void {
    if (this.length === this.data.length) {
      const next = new Float64Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = value;
  }
  take(): Float64Array {
    const out = this.data.slice(0, this.length);
    this.length = 0;
    return out;
  }
}

class GrowableI32 {
  data = new Int32Array(1024);
  length = 0;
  push(value: number): void {
    if (this.length === this.data.length) {
      const next = new Int32Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = value;
  }
  take(): Int32Array {
    const out = this.data.slice(0, this.length);
    this.length = 0;
    return out;
  }
}

interface ColumnState {
  name: string;
  /** Position in the record. */
  index: number;
  isTarget: boolean;
  /** Kind fixed by the caller (the target is always numeric). */
  fixed: ColumnKind | null;
  /** Kind decided so far; null while every value seen was missing. */
  kind: ColumnKind | null;
  values: GrowableF64;
  codes: GrowableI32;
  dictionary: Map<string, number>;
  levels: string[];
  /** Missing values in the rows not yet taken. */
  missing: number;
  /** Over the whole read: values present, and of a categorical column those that are numbers. */
  present: number;
  numbersInCategories: number;
  /** Where the column's kind was decided: its first value. */
  firstLine: number;
  firstText: string;
}

function cellText(cell: Cell): string | null {
  if (cell === null || cell === undefined) return null;
  if (typeof cell === "string") {
    const text = cell.trim();
    return MISSING.has(text) ? null : text;
  }
  if (typeof cell === "number") return Number.isFinite(cell) ? String(cell) : null;
  return String(cell);
}

function quoteNames(names: readonly string[]): string {
  return names.map((name) => JSON.stringify(name)).join(", ");
}

/** Shown in a message about one cell's text. */
function shorten(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 37)}...` : text);
}

/** Where a cell is, for messages and the error's location. */
export interface CellLocator {
  describe(line: number, column: string): string;
  options(line: number, column: string): TextkitErrorOptions;
}

function fileLocator(file: string): CellLocator {
  return {
    describe: (line, column) => `line ${line}: column "${column}"`,
    options: (line, column) => ({ file, line, column }),
  };
}

/**
 * Builds typed columns from rows of cells, in chunks: kinds and category dictionaries carry
 * over from one chunk to the next, so every chunk of one read agrees on them.
 */
export class TableBuilder {
  private readonly source: string;
  private readonly options: TableOptions;
  private readonly locate: CellLocator;
  private columns: ColumnState[] | null = null;
  private target: ColumnState | null = null;
  private lines = new GrowableI32();
  private rows = 0;

  constructor(source: string, options: TableOptions, locate: CellLocator = fileLocator(source)) {
    this.source = source;
    this.options = options;
    this.locate = locate;
    if (options.impute !== undefined && !IMPUTE_STRATEGIES.includes(options.impute)) {
      throw new TextkitError(
        "OPTION_INVALID",
        `impute must be one of ${IMPUTE_STRATEGIES.join(", ")}, got '${String(options.impute)}'`,
      );
    }
  }

  /** Rows added since the last `take`. */
  get pending(): number {
    return this.rows;
  }

  private resolve(names: readonly string[]): void {
    const { target, features, categorical = [], kinds = {} } = this.options;
    const position = (name: string): number => names.indexOf(name);
    const missing = (name: string, what: "the target" | "a feature"): TextkitError =>
      new TextkitError(
        "DATA_MISSING_COLUMN",
        `${this.source} has no column named "${name}" (${what}); its columns: ${quoteNames(names)}`,
        {
          file: this.source,
          column: name,
          hint:
            what === "the target"
              ? "Pass --target with a column of the file's header."
              : "Pass --features with columns of the file's header (or leave it out to use every other column).",
        },
      );
    const state = (
      name: string,
      index: number,
      isTarget: boolean,
      fixed: ColumnKind | null,
    ): ColumnState => ({
      name,
      index,
      isTarget,
      fixed,
      kind: fixed,
      values: new GrowableF64(),
      codes: new GrowableI32(),
      dictionary: new Map(),
      levels: [],
      missing: 0,
      present: 0,
      numbersInCategories: 0,
      firstLine: 0,
      firstText: "",
    });
    if (target !== undefined) {
      const index = position(target);
      if (index === -1) throw missing(target, "the target");
      if (categorical.includes(target)) {
        throw new TextkitError(
          "OPTION_INVALID",
          `"${target}" is the target, which must be numeric; it cannot also be categorical`,
        );
      }
      this.target = state(target, index, true, "numeric");
    }
    const featureNames = features ?? names.filter((name) => name !== target);
    if (featureNames.length === 0) {
      throw new TextkitError(
        "DATA_MISSING_COLUMN",
        `${this.source} has no feature columns besides the target "${target}"`,
        { file: this.source },
      );
    }
    const seen = new Set<string>();
    this.columns = featureNames.map((name) => {
      if (seen.has(name)) throw new TextkitError("OPTION_INVALID", `feature "${name}" is named twice`);
      seen.add(name);
      if (name === target) {
        throw new TextkitError("OPTION_INVALID", `"${name}" is the target; it cannot also be a feature`);
      }
      const index = position(name);
      if (index === -1) throw missing(name, "a feature");
      const fixed = Object.hasOwn(kinds, name)
        ? kinds[name]!
        : categorical.includes(name)
          ? "categorical"
          : null;
      return state(name, index, false, fixed);
    });
    for (const name of categorical) {
      if (!seen.has(name)) {
        throw new TextkitError(
          "OPTION_INVALID",
          `categorical column "${name}" is not among the features (${quoteNames(featureNames)})`,
        );
      }
    }
  }

  /** Adds rows; throws at the first cell that does not fit its column, in file order. */
  add(batch: RecordBatch): void {
    if (this.columns === null) this.resolve(batch.names);
    const columns = this.columns!;
    const target = this.target;
    const impute = this.options.impute ?? "none";
    const { rows, lines } = batch;
    for (let r = 0; r < rows.length; r++) {
      const row = rows[r]!;
      const line = lines[r]!;
      if (target !== null) this.addCell(target, row[target.index] ?? null, line, "none");
      for (let c = 0; c < columns.length; c++) {
        const column = columns[c]!;
        this.addCell(column, row[column.index] ?? null, line, impute);
      }
      this.lines.push(line);
      this.rows++;
    }
  }

  private addCell(column: ColumnState, cell: Cell, line: number, impute: ImputeStrategy): void {
    const text = cellText(cell);
    if (text === null) {
      if (impute === "none") throw this.missingValue(column, line);
      column.missing++;
      if (column.kind === "categorical") column.codes.push(-1);
      else column.values.push(Number.NaN);
      return;
    }
    if (column.kind === null) {
      // The first value decides: the rows before it were all missing.
      column.firstLine = line;
      column.firstText = text;
      const isNumber = typeof cell === "number" || !Number.isNaN(parseNumberCell(text));
      if (!isNumber) {
        column.kind = "categorical";
        const before = column.values.length;
        column.values.length = 0;
        for (let i = 0; i < before; i++) column.codes.push(-1);
      } else {
        column.kind = "numeric";
      }
    }
    column.present++;
    if (column.kind === "numeric") {
      const value = typeof cell === "number" ? cell : parseNumberCell(text);
      if (Number.isNaN(value)) throw this.notNumeric(column, text, line);
      if (!Number.isFinite(value)) throw this.notNumeric(column, text, line);
      column.values.push(value);
      return;
    }
    if (column.fixed === null && !Number.isNaN(parseNumberCell(text))) column.numbersInCategories++;
    let code = column.dictionary.get(text);
    if (code === undefined) {
      code = column.levels.length;
      column.levels.push(text);
      column.dictionary.set(text, code);
    }
    column.codes.push(code);
  }

  private missingValue(column: ColumnState, line: number): TextkitError {
    const message = column.isTarget
      ? `${this.locate.describe(line, column.name)} has no value, and the target is never filled in; remove the row or give it a value`
      : `${this.locate.describe(line, column.name)} has no value; fill it in, or let the model fill gaps (impute: mean, median or mode)`;
    return new TextkitError("DATA_MISSING_VALUE", message, this.locate.options(line, column.name));
  }

  private notNumeric(column: ColumnState, text: string, line: number): TextkitError {
    const where = this.locate.describe(line, column.name);
    const reason = column.isTarget
      ? "the target must be a number in every row"
      : column.fixed === "numeric"
        ? "the model learnt this column as numbers"
        : `the column's first value (line ${column.firstLine}) is a number, so every value must be one; if it holds categories, declare it categorical`;
    const what = Number.isNaN(parseNumberCell(text)) ? "is not a number" : "is not a finite number";
    return new TextkitError(
      "DATA_NOT_NUMERIC",
      `${where} holds ${shorten(text)}, which ${what}: ${reason}`,
      this.locate.options(line, column.name),
    );
  }

  /**
   * The rows added since the last call, as a table; the builder keeps its kinds and
   * category dictionaries for the rows that follow. Levels are in order of appearance.
   */
  take(): Table {
    const columns = this.columns ?? [];
    const out: TableColumn[] = columns.map((column) => this.takeColumn(column));
    const target = this.target === null ? null : (this.takeColumn(this.target) as NumericColumn);
    const table: Table = {
      source: this.source,
      rows: this.rows,
      lines: this.lines.take(),
      columns: out,
      target,
    };
    this.rows = 0;
    return table;
  }

  private takeColumn(column: ColumnState): TableColumn {
    const missing = column.missing;
    column.missing = 0;
    if (column.kind === "categorical") {
      return {
        kind: "categorical",
        name: column.name,
        codes: column.codes.take(),
        levels: column.levels.slice(),
        missing,
      };
    }
    return { kind: "numeric", name: column.name, values: column.values.take(), missing };
  }

  /**
   * The kind of every feature column as decided over all rows added. Throws when a column
   * had no value at all, or when a column read as categories holds mostly numbers (a typo
   * in its first value is far likelier than a category column of numbers).
   */
  finish(): Record<string, ColumnKind> {
    if (this.columns === null) {
      throw new TextkitError(
        "DATA_EMPTY",
        `${this.source} has no rows: the file is empty, or holds only a header`,
        { file: this.source },
      );
    }
    const kinds: Record<string, ColumnKind> = {};
    for (const column of this.columns) {
      if (column.kind === null) {
        throw new TextkitError(
          "DATA_MISSING_VALUE",
          `column "${column.name}" has no value in any row of ${this.source}; leave it out of the features`,
          { file: this.source, column: column.name },
        );
      }
      if (
        column.kind === "categorical" &&
        column.fixed === null &&
        column.numbersInCategories * 2 > column.present
      ) {
        throw new TextkitError(
          "DATA_NOT_NUMERIC",
          `${this.locate.describe(column.firstLine, column.name)} holds ${shorten(column.firstText)}, which is not a number, yet ${column.numbersInCategories} of the column's ${column.present} values are numbers; fix that value, or declare the column categorical if it holds categories`,
          this.locate.options(column.firstLine, column.name),
        );
      }
      kinds[column.name] = column.kind;
    }
    return kinds;
  }
}

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
