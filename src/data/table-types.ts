/**
 * The shapes of a table of typed columns (numbers, categories), the options that decide
 * them, and how a cell's text reads as a number or as "no value".
 */
import type { TableRecordOptions } from "./table-records.ts";

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
