/**
 * The allowed transitions of a tag set (tag-set.ts) laid out for fast lattice loops.
 *
 * Most targets take the same wide predecessor list (`TagSet.widePrev`): in BIO every tag
 * may precede O and B-x; in BIOES the tags that may end an entity (O, E-x, S-x) precede O,
 * B-x and S-x. With K types those "dense" targets hold about 99 % of the allowed pairs.
 * Their weights sit in one block, a row per dense target over the wide list in its order,
 * so a lattice step is a plain matrix-vector product over contiguous rows (no index per
 * pair). The few "sparse" targets (I-x, and E-x in BIOES: predecessors B-x and I-x) keep a
 * short predecessor list each.
 *
 * Pairs are numbered in that layout: dense target d and wide predecessor j is pair
 * d · W + j; sparse pair k (in `sparsePrev`) is D · W + k.
 */
import type { TagSet } from "./tag-set.ts";

/** The dense/sparse split of a tag set's allowed transitions, computed once per tag set. */
export interface ChainLayout {
  /** Tags. */
  T: number;
  /** The wide predecessor list (W tags), the columns of the dense block. */
  wide: Int32Array;
  /** Targets whose predecessors are exactly `wide` (D tags), the rows of the dense block. */
  dense: Int32Array;
  /** The other targets; their predecessors are sparsePrev[sparseStart[s] .. sparseStart[s + 1]). */
  sparse: Int32Array;
  sparseStart: Int32Array;
  sparsePrev: Int32Array;
  /** D · W: the first sparse pair's number. */
  denseSize: number;
  /** Allowed pairs (D · W + the sparse lists' total). */
  pairs: number;
  /** Per pair: its cell prev · T + cur in T × T transition matrices. */
  pairAt: Int32Array;
  /** Per pair: its previous and current tag. */
  pairPrev: Int32Array;
  pairCur: Int32Array;
}

const layouts = new WeakMap<TagSet, ChainLayout>();

/** The layout of `set`'s allowed transitions (built on first use, then cached). */
export function chainLayout(set: TagSet): ChainLayout {
  const known = layouts.get(set);
  if (known !== undefined) return known;
  const layout = buildLayout(set);
  layouts.set(set, layout);
  return layout;
}

function buildLayout(set: TagSet): ChainLayout {
  const T = set.tags.length;
  const wide = set.widePrev.slice();
  const dense: number[] = [];
  const sparse: number[] = [];
  for (let t = 0; t < T; t++) (set.wide[t] === 1 ? dense : sparse).push(t);
  const sparseStart = new Int32Array(sparse.length + 1);
  const sparsePrev: number[] = [];
  for (const [s, cur] of sparse.entries()) {
    sparseStart[s] = sparsePrev.length;
    for (let k = set.prevStart[cur] ?? 0; k < (set.prevStart[cur + 1] ?? 0); k++) {
      sparsePrev.push(set.prevTag[k] ?? 0);
    }
  }
  sparseStart[sparse.length] = sparsePrev.length;
  const W = wide.length;
  const denseSize = dense.length * W;
  const pairs = denseSize + sparsePrev.length;
  const pairPrev = new Int32Array(pairs);
  const pairCur = new Int32Array(pairs);
  for (const [d, cur] of dense.entries()) {
    for (const [j, prev] of wide.entries()) {
      pairPrev[d * W + j] = prev;
      pairCur[d * W + j] = cur;
    }
  }
  for (const [s, cur] of sparse.entries()) {
    for (let k = sparseStart[s] ?? 0; k < (sparseStart[s + 1] ?? 0); k++) {
      pairPrev[denseSize + k] = sparsePrev[k] ?? 0;
      pairCur[denseSize + k] = cur;
    }
  }
  const pairAt = new Int32Array(pairs);
  for (let p = 0; p < pairs; p++) pairAt[p] = (pairPrev[p] ?? 0) * T + (pairCur[p] ?? 0);
  return {
    T,
    wide,
    dense: Int32Array.from(dense),
    sparse: Int32Array.from(sparse),
    sparseStart,
    sparsePrev: Int32Array.from(sparsePrev),
    denseSize,
    pairs,
    pairAt,
    pairPrev,
    pairCur,
  };
}
