/**
 * Which rows of the input matrix make up a word. Rows [0, words) are the words themselves;
 * row words + i belongs to the i-th character n-gram bucket that some vocabulary word uses.
 * Giving rows only to used buckets keeps memory proportional to the vocabulary: a bucket no
 * word uses would never be trained, so fastText's dense 2,000,000 rows hold mostly noise.
 */
import { charNgramHashes } from "../../text/index.ts";

export interface SubwordSettings {
  minn: number;
  maxn: number;
  /** 0 turns subwords off. */
  buckets: number;
}

/** Row list of every word: row lists[starts[w], starts[w + 1]) of word w, its own row first. */
export interface SubwordTable {
  starts: Int32Array;
  rows: Int32Array;
}

/** bucket -> index among the used buckets, -1 when no vocabulary word uses it. */
export class BucketRows {
  readonly indexOf: Int32Array;
  readonly used: number[] = [];

  constructor(buckets: number, used: ArrayLike<number> = []) {
    this.indexOf = new Int32Array(buckets).fill(-1);
    for (let i = 0; i < used.length; i++) this.add(used[i]!);
  }

  add(bucket: number): number {
    let index = this.indexOf[bucket]!;
    if (index < 0) {
      index = this.used.length;
      this.indexOf[bucket] = index;
      this.used.push(bucket);
    }
    return index;
  }
}

/**
 * Pushes onto `out` the rows of the character n-grams of `word` (not its own row). With
 * `grow`, a bucket not yet used gets the next row; otherwise its n-gram is skipped.
 */
export function ngramRows(
  word: string,
  settings: SubwordSettings,
  nwords: number,
  buckets: BucketRows,
  grow: boolean,
  hashes: number[],
  out: number[],
): void {
  if (settings.maxn <= 0 || settings.buckets <= 0) return;
  hashes.length = 0;
  charNgramHashes(word, settings.minn, settings.maxn, hashes);
  for (const h of hashes) {
    const bucket = h % settings.buckets;
    const index = grow ? buckets.add(bucket) : buckets.indexOf[bucket]!;
    if (index >= 0) out.push(nwords + index);
  }
}

/** Row lists of all vocabulary words, computed once so that training never hashes. */
export function buildSubwordTable(
  words: readonly string[],
  settings: SubwordSettings,
  buckets: BucketRows,
  grow: boolean,
): SubwordTable {
  const starts = new Int32Array(words.length + 1);
  const rows: number[] = [];
  const hashes: number[] = [];
  for (let w = 0; w < words.length; w++) {
    rows.push(w);
    ngramRows(words[w]!, settings, words.length, buckets, grow, hashes, rows);
    starts[w + 1] = rows.length;
  }
  return { starts, rows: Int32Array.from(rows) };
}
