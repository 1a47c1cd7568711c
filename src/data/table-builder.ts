/**
 * Builds typed columns from rows of cells, chunk by chunk: each column's kind decided by its
 * first value (or fixed by the caller), categories coded through a dictionary, and every
 * cell that does not fit its column refused with the file, line and column name.
 */
import { TextkitError, type TextkitErrorOptions } from "../core/index.ts";
import type { Cell, RecordBatch } from "./table-records.ts";
import {
  type ColumnKind,
  IMPUTE_STRATEGIES,
  type ImputeStrategy,
  MISSING_MARKERS,
  type NumericColumn,
  parseNumberCell,
  type Table,
  type TableColumn,
  type TableOptions,
} from "./table-types.ts";

const MISSING = new Set(MISSING_MARKERS);

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

/** A column's state before any row. */
function columnState(name: string, index: number, isTarget: boolean, fixed: ColumnKind | null): ColumnState {
  return {
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
  };
}

/** DATA_MISSING_COLUMN for a target or feature the file's header (`names`) lacks. */
function missingColumn(
  source: string,
  names: readonly string[],
  name: string,
  what: "the target" | "a feature",
): TextkitError {
  return new TextkitError(
    "DATA_MISSING_COLUMN",
    `${source} has no column named "${name}" (${what}); its columns: ${quoteNames(names)}`,
    {
      file: source,
      column: name,
      hint:
        what === "the target"
          ? "Pass --target with a column of the file's header."
          : "Pass --features with columns of the file's header (or leave it out to use every other column).",
    },
  );
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
      missingColumn(this.source, names, name, what);
    if (target !== undefined) {
      const index = position(target);
      if (index === -1) throw missing(target, "the target");
      if (categorical.includes(target)) {
        throw new TextkitError(
          "OPTION_INVALID",
          `"${target}" is the target, which must be numeric; it cannot also be categorical`,
        );
      }
      this.target = columnState(target, index, true, "numeric");
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
      return columnState(name, index, false, fixed);
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
