/**
 * What every user has engaged with: the training matrix's rows, and on top of them the
 * rows of users whose events arrived after training (addEvents), merged on arrival.
 */

import type { History } from "./engine.ts";
import { type CsrMatrix, EMPTY_ROW, rowOf } from "./matrix.ts";

export class Histories {
  private readonly base: CsrMatrix;
  private readonly changed = new Map<number, History>();
  private count: number;

  constructor(base: CsrMatrix) {
    this.base = base;
    this.count = base.rows;
  }

  /** Users with a row (trained or added). */
  get users(): number {
    return this.count;
  }

  get(user: number): History {
    if (user < 0) return EMPTY_ROW;
    return this.changed.get(user) ?? rowOf(this.base, user);
  }

  /**
   * Adds weights to a user's items (the user may be new: the next index, or beyond);
   * an item whose total weight drops to zero or below leaves the history.
   */
  add(user: number, items: readonly number[], weights: readonly number[]): History {
    const merged = new Map<number, number>();
    const old = this.get(user);
    for (let p = 0; p < old.indices.length; p++) merged.set(old.indices[p]!, old.data[p]!);
    for (let e = 0; e < items.length; e++) merged.set(items[e]!, (merged.get(items[e]!) ?? 0) + weights[e]!);
    const kept = [...merged.entries()].filter(([, w]) => w > 0).sort((a, b) => a[0] - b[0]);
    const row: History = {
      indices: Int32Array.from(kept, ([i]) => i),
      data: Float32Array.from(kept, ([, w]) => w),
    };
    this.changed.set(user, row);
    if (user >= this.count) this.count = user + 1;
    return row;
  }

  /** All rows as one matrix over `items` columns, for saving. */
  toMatrix(items: number): CsrMatrix {
    if (this.changed.size === 0 && this.base.cols === items) return this.base;
    const indptr = new Int32Array(this.count + 1);
    let nnz = 0;
    for (let u = 0; u < this.count; u++) {
      nnz += this.get(u).indices.length;
      indptr[u + 1] = nnz;
    }
    const indices = new Int32Array(nnz);
    const data = new Float32Array(nnz);
    for (let u = 0; u < this.count; u++) {
      const row = this.get(u);
      indices.set(row.indices, indptr[u]!);
      data.set(row.data, indptr[u]!);
    }
    return { rows: this.count, cols: items, indptr, indices, data };
  }
}
