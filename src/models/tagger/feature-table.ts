/**
 * Maps the 32-bit hashes of features seen in training to weight rows: an open-addressing
 * table on typed arrays, so a lookup allocates nothing and a model of a million features
 * loads in milliseconds.
 */

/** Hashes in row order; row r's hash is keys[r]. */
export class FeatureTable {
  readonly keys: Uint32Array;
  private readonly slots: Int32Array;
  private readonly mask: number;

  constructor(keys: Uint32Array) {
    this.keys = keys;
    let size = 16;
    while (size < keys.length * 2) size *= 2;
    this.slots = new Int32Array(size);
    this.mask = size - 1;
    for (let row = 0; row < keys.length; row++) {
      let slot = scramble(keys[row]!) & this.mask;
      while (this.slots[slot] !== 0) slot = (slot + 1) & this.mask;
      this.slots[slot] = row + 1;
    }
  }

  get rows(): number {
    return this.keys.length;
  }

  /** The row of a hash, or -1 when the feature was never seen. */
  row(hash: number): number {
    let slot = scramble(hash) & this.mask;
    for (;;) {
      const entry = this.slots[slot]!;
      if (entry === 0) return -1;
      if (this.keys[entry - 1] === hash) return entry - 1;
      slot = (slot + 1) & this.mask;
    }
  }
}

/** FNV low bits cluster; a multiply-shift spreads them over the table. */
function scramble(h: number): number {
  return Math.imul(h ^ (h >>> 16), 0x45d9f3b) >>> 0;
}
