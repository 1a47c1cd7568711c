/**
 * Sparse interaction matrices in compressed sparse row (CSR) form, built in linear time by
 * two counting sorts, and the top-k selection every model ranks with.
 */
import { TextkitError } from "../../core/index.ts";

/** Row r holds columns indices[indptr[r] .. indptr[r+1]), in increasing order, with values in data. */
export interface CsrMatrix {
  rows: number;
  cols: number;
  indptr: Int32Array;
  indices: Int32Array;
  data: Float32Array;
}

/** One row of a CSR matrix: a user's items and weights (or an item's users). */
export interface SparseRow {
  indices: Int32Array;
  data: Float32Array;
}

export const EMPTY_ROW: SparseRow = Object.freeze({ indices: new Int32Array(0), data: new Float32Array(0) });

export function rowOf(m: CsrMatrix, r: number): SparseRow {
  if (r < 0 || r >= m.rows) return EMPTY_ROW;
  const a = m.indptr[r]!;
  const b = m.indptr[r + 1]!;
  return { indices: m.indices.subarray(a, b), data: m.data.subarray(a, b) };
}

/**
 * The matrix of `n` coordinate entries (row[i], col[i], value[i]): duplicates are summed,
 * and entries whose sum is not positive are dropped (a dislike that outweighs the rest
 * leaves no interaction). O(n + rows + cols).
 *
 * @example
 * const m = csrFromEntries(2, 3, Int32Array.of(1, 0, 1), Int32Array.of(2, 1, 2), Float32Array.of(1, 2, 3));
 * // row 0: col 1 = 2; row 1: col 2 = 4
 */
export function csrFromEntries(
  rows: number,
  cols: number,
  row: Int32Array,
  col: Int32Array,
  value: Float32Array,
  n: number = row.length,
): CsrMatrix {
  // Counting sort by column, then a stable one by row: rows come out with sorted columns.
  const byCol = new Int32Array(n);
  const colStart = new Int32Array(cols + 1);
  for (let i = 0; i < n; i++) {
    const c = col[i]!;
    const r = row[i]!;
    if (c < 0 || c >= cols || r < 0 || r >= rows) {
      throw new TextkitError("INTERNAL", `entry (${r}, ${c}) is outside a ${rows} x ${cols} matrix`);
    }
    colStart[c + 1]!++;
  }
  for (let c = 0; c < cols; c++) colStart[c + 1]! += colStart[c]!;
  for (let i = 0; i < n; i++) byCol[colStart[col[i]!]!++] = i;
  const rowStart = new Int32Array(rows + 1);
  for (let i = 0; i < n; i++) rowStart[row[i]! + 1]!++;
  for (let r = 0; r < rows; r++) rowStart[r + 1]! += rowStart[r]!;
  const order = new Int32Array(n);
  const fill = rowStart.slice(0, rows);
  for (let p = 0; p < n; p++) {
    const i = byCol[p]!;
    order[fill[row[i]!]!++] = i;
  }
  // Merge duplicates within each row.
  const indptr = new Int32Array(rows + 1);
  const indices = new Int32Array(n);
  const data = new Float32Array(n);
  let out = 0;
  for (let r = 0; r < rows; r++) {
    let p = rowStart[r]!;
    const end = rowStart[r + 1]!;
    while (p < end) {
      const c = col[order[p]!]!;
      let sum = 0;
      while (p < end && col[order[p]!] === c) sum += value[order[p++]!]!;
      if (sum > 0) {
        indices[out] = c;
        data[out] = sum;
        out++;
      }
    }
    indptr[r + 1] = out;
  }
  return { rows, cols, indptr, indices: indices.slice(0, out), data: data.slice(0, out) };
}

/** The transpose (items × users from users × items), rows again with sorted columns. */
export function transpose(m: CsrMatrix): CsrMatrix {
  const nnz = m.indices.length;
  const indptr = new Int32Array(m.cols + 1);
  for (let p = 0; p < nnz; p++) indptr[m.indices[p]! + 1]!++;
  for (let c = 0; c < m.cols; c++) indptr[c + 1]! += indptr[c]!;
  const fill = indptr.slice(0, m.cols);
  const indices = new Int32Array(nnz);
  const data = new Float32Array(nnz);
  for (let r = 0; r < m.rows; r++) {
    for (let p = m.indptr[r]!; p < m.indptr[r + 1]!; p++) {
      const at = fill[m.indices[p]!]!++;
      indices[at] = r;
      data[at] = m.data[p]!;
    }
  }
  return { rows: m.cols, cols: m.rows, indptr, indices, data };
}

/** Binary search for `value` in the sorted `indices[from..to)`: its position, or -1. */
export function findSorted(indices: Int32Array, value: number, from = 0, to = indices.length): number {
  let lo = from;
  let hi = to - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = indices[mid]!;
    if (v === value) return mid;
    if (v < value) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}

/**
 * The indices of the `k` highest scores among the allowed ones (`allowed[i] === 1`, or all
 * when null), best first; ties go to the lower index, and -Infinity or NaN never counts.
 * Writes them to `out` and returns how many there are. O(n log k).
 *
 * @example
 * const out = new Int32Array(2);
 * topK(Float32Array.of(0.1, 0.9, 0.5), null, 2, out); // 2; out = [1, 2]
 */
export function topK(scores: Float32Array, allowed: Uint8Array | null, k: number, out: Int32Array): number {
  // A min-heap of the best k so far: heap[0] is the weakest kept.
  const heap = out;
  let size = 0;
  const worse = (a: number, b: number): boolean => {
    const sa = scores[a]!;
    const sb = scores[b]!;
    return sa < sb || (sa === sb && a > b);
  };
  const n = scores.length;
  for (let i = 0; i < n; i++) {
    if (allowed !== null && allowed[i] !== 1) continue;
    const s = scores[i]!;
    if (!(s > Number.NEGATIVE_INFINITY)) continue;
    if (size < k) {
      let at = size++;
      heap[at] = i;
      while (at > 0) {
        const parent = (at - 1) >> 1;
        if (!worse(heap[at]!, heap[parent]!)) break;
        const t = heap[at]!;
        heap[at] = heap[parent]!;
        heap[parent] = t;
        at = parent;
      }
    } else if (worse(heap[0]!, i)) {
      heap[0] = i;
      let at = 0;
      for (;;) {
        const l = 2 * at + 1;
        const r = l + 1;
        let m = at;
        if (l < size && worse(heap[l]!, heap[m]!)) m = l;
        if (r < size && worse(heap[r]!, heap[m]!)) m = r;
        if (m === at) break;
        const t = heap[at]!;
        heap[at] = heap[m]!;
        heap[m] = t;
        at = m;
      }
    }
  }
  // Pop the weakest to the back until the heap is empty: best first.
  for (let end = size - 1; end > 0; end--) {
    const t = heap[0]!;
    heap[0] = heap[end]!;
    heap[end] = t;
    let at = 0;
    for (;;) {
      const l = 2 * at + 1;
      const r = l + 1;
      let m = at;
      if (l < end && worse(heap[l]!, heap[m]!)) m = l;
      if (r < end && worse(heap[r]!, heap[m]!)) m = r;
      if (m === at) break;
      const u = heap[at]!;
      heap[at] = heap[m]!;
      heap[m] = u;
      at = m;
    }
  }
  return size;
}
