/**
 * The data as k-means's loops read it: dense float32 rows or CSR rows, checked, scaled to
 * unit length for the cosine metric, with squared norms and, for k-means++ on sparse rows,
 * a column index.
 */
import { TextkitError } from "../../core/index.ts";

/**
 * Rows in compressed sparse row form: the entries of row `i` are
 * `columns[rowStart[i] .. rowStart[i + 1])` with their `values`. `rowStart` has n + 1 items.
 */
export interface SparseRows {
  rowStart: Int32Array;
  columns: Int32Array;
  values: Float32Array;
}

/** `n × dim` numbers row-major, or sparse rows of `dim` columns. */
export type KMeansData = Float32Array | SparseRows;

/** The data as the loops need it: dense or sparse, scaled for cosine, with squared row norms. */
export interface Rows {
  n: number;
  dim: number;
  dense: Float32Array | null;
  sparse: SparseRows | null;
  /** Squared Euclidean norm of each row (1 or 0 for the cosine metric). */
  norms: Float64Array;
  cosine: boolean;
  /** For sparse rows, the same entries by column, once k-means++ needs them. */
  byColumn: ColumnIndex | null;
}

/**
 * Sparse rows transposed (compressed sparse columns), with scratch: the dot products of
 * one row with all others then cost the entries of the columns it uses, not of all rows.
 */
export interface ColumnIndex {
  columnStart: Int32Array;
  rowsOf: Int32Array;
  valuesOf: Float32Array;
  dots: Float64Array;
  /** Rows with a dot product so far, and a flag per row saying so. */
  touched: Int32Array;
  marked: Uint8Array;
}

export function buildColumnIndex(sparse: SparseRows, n: number, dim: number): ColumnIndex {
  const { rowStart, columns, values } = sparse;
  const nnz = rowStart[n]!;
  const columnStart = new Int32Array(dim + 1);
  for (let p = 0; p < nnz; p++) columnStart[columns[p]! + 1]!++;
  for (let d = 0; d < dim; d++) columnStart[d + 1]! += columnStart[d]!;
  const fill = columnStart.slice(0, dim);
  const rowsOf = new Int32Array(nnz);
  const valuesOf = new Float32Array(nnz);
  for (let i = 0; i < n; i++) {
    for (let p = rowStart[i]!; p < rowStart[i + 1]!; p++) {
      const at = fill[columns[p]!]!++;
      rowsOf[at] = i;
      valuesOf[at] = values[p]!;
    }
  }
  return {
    columnStart,
    rowsOf,
    valuesOf,
    dots: new Float64Array(n),
    touched: new Int32Array(n),
    marked: new Uint8Array(n),
  };
}

export function isSparse(data: KMeansData): data is SparseRows {
  return !(data instanceof Float32Array);
}

export function checkShape(data: KMeansData, n: number, dim: number, what: string): void {
  if (!Number.isInteger(n) || n < 0 || !Number.isInteger(dim) || dim < 1) {
    throw new TextkitError(
      "INPUT_INVALID",
      `${what} needs n >= 0 rows of dim >= 1 numbers, got ${n} × ${dim}`,
    );
  }
  if (isSparse(data)) {
    const { rowStart, columns, values } = data;
    if (rowStart.length !== n + 1 || rowStart[0] !== 0 || columns.length !== values.length) {
      throw new TextkitError("INPUT_INVALID", `${what}: sparse rows must have n + 1 row starts from 0`);
    }
    if (rowStart[n] !== columns.length) {
      throw new TextkitError("INPUT_INVALID", `${what}: the last row start must equal the number of entries`);
    }
    for (let i = 0; i < n; i++) {
      if (rowStart[i + 1]! < rowStart[i]!) {
        throw new TextkitError("INPUT_INVALID", `${what}: row starts must not decrease (row ${i})`);
      }
    }
    for (let p = 0; p < columns.length; p++) {
      const c = columns[p]!;
      if (!(c >= 0 && c < dim)) {
        throw new TextkitError("INPUT_INVALID", `${what}: column ${c} is outside [0, ${dim})`);
      }
      if (!Number.isFinite(values[p]!)) {
        throw new TextkitError("INPUT_INVALID", `${what}: a value in column ${c} is not a finite number`);
      }
    }
    return;
  }
  if (data.length < n * dim) {
    throw new TextkitError(
      "INPUT_INVALID",
      `${what}: ${n} rows of ${dim} need ${n * dim} numbers, got ${data.length}`,
    );
  }
  for (let j = 0; j < n * dim; j++) {
    if (!Number.isFinite(data[j]!)) {
      throw new TextkitError(
        "INPUT_INVALID",
        `${what}: row ${Math.floor(j / dim)}, column ${j % dim} is ${data[j]}, not a finite number`,
      );
    }
  }
}

/** Wraps the data for the loops; for the cosine metric rows are copied at unit length. */
export function prepareRows(data: KMeansData, n: number, dim: number, cosine: boolean): Rows {
  const norms = new Float64Array(n);
  if (isSparse(data)) {
    const { rowStart, values } = data;
    let out = values;
    if (cosine) out = new Float32Array(values.length);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let p = rowStart[i]!; p < rowStart[i + 1]!; p++) s += values[p]! * values[p]!;
      if (cosine) {
        const scale = s > 0 ? 1 / Math.sqrt(s) : 0;
        for (let p = rowStart[i]!; p < rowStart[i + 1]!; p++) out[p] = values[p]! * scale;
        s = s > 0 ? 1 : 0;
      }
      norms[i] = s;
    }
    return {
      n,
      dim,
      dense: null,
      sparse: { rowStart, columns: data.columns, values: out },
      norms,
      cosine,
      byColumn: null,
    };
  }
  let x = data;
  if (cosine) x = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    const off = i * dim;
    let s = 0;
    for (let d = 0; d < dim; d++) s += data[off + d]! * data[off + d]!;
    if (cosine) {
      const scale = s > 0 ? 1 / Math.sqrt(s) : 0;
      for (let d = 0; d < dim; d++) x[off + d] = data[off + d]! * scale;
      s = s > 0 ? 1 : 0;
    }
    norms[i] = s;
  }
  return { n, dim, dense: x, sparse: null, norms, cosine, byColumn: null };
}

/** Mean over features of each feature's variance (population), as scikit-learn's tolerance uses. */
export function meanVariance(rows: Rows): number {
  const { n, dim } = rows;
  if (n === 0) return 0;
  const sum = new Float64Array(dim);
  const sumSq = new Float64Array(dim);
  if (rows.dense !== null) {
    const x = rows.dense;
    for (let i = 0; i < n; i++) for (let d = 0; d < dim; d++) sum[d]! += x[i * dim + d]!;
    for (let d = 0; d < dim; d++) sum[d] = sum[d]! / n;
    // Two passes: the squared deviations, not E[x²] - E[x]², which loses precision.
    for (let i = 0; i < n; i++) {
      for (let d = 0; d < dim; d++) {
        const e = x[i * dim + d]! - sum[d]!;
        sumSq[d]! += e * e;
      }
    }
    let total = 0;
    for (let d = 0; d < dim; d++) total += sumSq[d]! / n;
    return total / dim;
  }
  const { rowStart, columns, values } = rows.sparse!;
  for (let p = 0; p < rowStart[n]!; p++) {
    const v = values[p]!;
    sum[columns[p]!]! += v;
    sumSq[columns[p]!]! += v * v;
  }
  let total = 0;
  for (let d = 0; d < dim; d++) {
    const mean = sum[d]! / n;
    total += Math.max(0, sumSq[d]! / n - mean * mean);
  }
  return total / dim;
}
