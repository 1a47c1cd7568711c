/**
 * A fast Chinese word segmenter over a word list with counts (a unigram language model).
 * A run of Han characters is split where the product of the words' probabilities is
 * largest: dynamic programming over the run, best[j] = max over words w = run[i..j) of
 * best[i] + log(count(w) / total). A character that starts no dictionary word is a word of
 * its own at a fixed penalty, below any word's score, so the split never fails.
 *
 * Why not Intl.Segmenter: it costs ~1 µs a character, as much as a whole fastText
 * prediction. Here the words live in a trie keyed on UTF-16 code units (a direct table for
 * the first character, an open-addressed hash of (node, code unit) for the rest), the DP
 * uses typed scratch arrays, and the only strings made are the tokens themselves.
 */

import { fnv1a } from "./hash.ts";

/** Longest word kept, in UTF-16 code units: bounds the DP's inner walk. */
export const MAX_WORD_UNITS = 16;

const EMPTY = -1;

/** True for a code unit of a kana or Hangul block: such runs are left to Intl.Segmenter. */
function isKanaOrHangul(c: number): boolean {
  return (
    (c >= 0x3040 && c <= 0x30ff) ||
    (c >= 0x31f0 && c <= 0x31ff) ||
    (c >= 0x1100 && c <= 0x11ff) ||
    (c >= 0x3130 && c <= 0x318f) ||
    (c >= 0xa960 && c <= 0xa97f) ||
    (c >= 0xac00 && c <= 0xd7ff) ||
    (c >= 0xff66 && c <= 0xffdc)
  );
}

const HAN_WORD = /^\p{Script=Han}+$/u;

/** True when `token` is made of Han characters only (the words a dictionary keeps). */
export function isHanWord(token: string): boolean {
  return HAN_WORD.test(token);
}

/**
 * A segmentation dictionary: words and counts, with the trie built from them.
 *
 * @example
 * const seg = DictionarySegmenter.fromCounts(new Map([["北京", 5], ["天气", 4], ["的", 9]]));
 * seg.segment("北京的天气"); // ["北京", "的", "天气"]
 */
export class DictionarySegmenter {
  /** The words, in the order they were given (the order they are saved in). */
  readonly words: readonly string[];
  readonly counts: readonly number[];
  /** log of the probability of a character no word covers. */
  readonly unknownLogProb: number;
  /** Child of the root for each first code unit, EMPTY when none. */
  private readonly rootChild = new Int32Array(65536).fill(EMPTY);
  /** log(count/total) of the word ending at a node; -Infinity when no word ends there. */
  private readonly logProb: Float64Array;
  private readonly slotParent: Int32Array;
  private readonly slotCode: Uint16Array;
  private readonly slotChild: Int32Array;
  private readonly mask: number;
  private best = new Float64Array(64);
  private back = new Int32Array(64);
  /** 1 where the best path reached a position through a lone unknown character. */
  private lone = new Uint8Array(64);
  /** Token boundaries of the last `cut`, as offsets into the text: cuts[0..count]. */
  cuts = new Int32Array(64);
  private hash: string | null = null;
  /** Of the last `cut`'s words: 1 where word k is a character no dictionary word covers. */
  unknown = new Uint8Array(64);

  /** Words with their counts (positive integers); words longer than MAX_WORD_UNITS are dropped. */
  constructor(words: readonly string[], counts: readonly number[]) {
    const kept: string[] = [];
    const keptCounts: number[] = [];
    let total = 0;
    let units = 0;
    for (const [i, word] of words.entries()) {
      const count = counts[i] ?? 0;
      if (word.length === 0 || word.length > MAX_WORD_UNITS || !(count > 0)) continue;
      kept.push(word);
      keptCounts.push(count);
      total += count;
      units += word.length;
    }
    this.words = kept;
    this.counts = keptCounts;
    this.unknownLogProb = Math.log(0.5 / Math.max(total, 1));
    let size = 16;
    while (size < units * 2) size *= 2;
    this.mask = size - 1;
    this.slotParent = new Int32Array(size).fill(EMPTY);
    this.slotCode = new Uint16Array(size);
    this.slotChild = new Int32Array(size);
    this.logProb = new Float64Array(units + 1).fill(Number.NEGATIVE_INFINITY);
    let nodes = 0;
    for (const [i, word] of kept.entries()) {
      let node = -1;
      for (let j = 0; j < word.length; j++) {
        const code = word.charCodeAt(j);
        let next = node < 0 ? (this.rootChild[code] ?? EMPTY) : this.child(node, code);
        if (next === EMPTY) {
          next = nodes++;
          if (node < 0) this.rootChild[code] = next;
          else this.addChild(node, code, next);
        }
        node = next;
      }
      this.logProb[node] = Math.log((keptCounts[i] ?? 1) / total);
    }
  }

  /** A dictionary from word counts (e.g. counted over a training set's segmented text). */
  static fromCounts(counts: ReadonlyMap<string, number>): DictionarySegmenter {
    return new DictionarySegmenter([...counts.keys()], [...counts.values()]);
  }

  /**
   * The dictionary of the Han words in tokenised texts (e.g. a training set split by
   * Intl.Segmenter), each counted once per occurrence; words seen fewer than `minCount`
   * times are left out. Returns null when the texts hold no Han word.
   *
   * @example
   * DictionarySegmenter.fromTokens([["北京", "的", "天气"], ["北京", "!"]])?.counts; // [2, 1, 1]
   */
  static fromTokens(tokenLists: Iterable<readonly string[]>, minCount = 1): DictionarySegmenter | null {
    const counts = new Map<string, number>();
    for (const tokens of tokenLists) {
      for (const token of tokens) {
        const seen = counts.get(token);
        if (seen !== undefined) counts.set(token, seen + 1);
        else if (isHanWord(token)) counts.set(token, 1);
      }
    }
    for (const [word, count] of counts) if (count < minCount) counts.delete(word);
    return counts.size === 0 ? null : DictionarySegmenter.fromCounts(counts);
  }

  /**
   * A short hash of the words and counts, computed once: two dictionaries with the same
   * fingerprint split alike (a classifier's tokenization key carries it).
   */
  get fingerprint(): string {
    if (this.hash === null) {
      let h = fnv1a(String(this.words.length));
      for (const [i, word] of this.words.entries()) {
        h = Math.imul(h ^ fnv1a(word), 0x01000193) >>> 0;
        h = Math.imul(h ^ (this.counts[i] ?? 0), 0x01000193) >>> 0;
      }
      this.hash = h.toString(16).padStart(8, "0");
    }
    return this.hash;
  }

  get size(): number {
    return this.words.length;
  }

  /** The words of `text` (a run of Han characters), most probable split first. */
  segment(text: string): string[] {
    const out: string[] = [];
    const n = this.cut(text, 0, text.length);
    const cuts = this.cuts;
    for (let k = 0; k < n; k++) out.push(text.slice(cuts[k] ?? 0, cuts[k + 1] ?? 0));
    return out;
  }

  /**
   * Splits text[start, end) into words; returns their number n, with the boundaries in
   * `cuts[0..n]` (cuts[0] = start, cuts[n] = end). Returns -1, and splits nothing, when the
   * range holds kana or Hangul (a Japanese or Korean run, for Intl.Segmenter).
   */
  cut(text: string, start: number, end: number): number {
    const n = end - start;
    for (let i = start; i < end; i++) if (isKanaOrHangul(text.charCodeAt(i))) return -1;
    if (this.best.length <= n) this.grow(n + 1);
    const best = this.best;
    const back = this.back;
    const lone = this.lone;
    best.fill(Number.NEGATIVE_INFINITY, 0, n + 1);
    best[0] = 0;
    const unknown = this.unknownLogProb;
    const logProb = this.logProb;
    for (let i = 0; i < n; i++) {
      const base = best[i] ?? Number.NEGATIVE_INFINITY;
      if (base === Number.NEGATIVE_INFINITY) continue;
      const code = text.charCodeAt(start + i);
      // A lone character: a whole surrogate pair, never half of one.
      const step = code >= 0xd800 && code <= 0xdbff && i + 1 < n ? 2 : 1;
      if (base + unknown > (best[i + step] ?? 0)) {
        best[i + step] = base + unknown;
        back[i + step] = i;
        lone[i + step] = 1;
      }
      let node = this.rootChild[code] ?? EMPTY;
      const limit = Math.min(n, i + MAX_WORD_UNITS);
      for (let j = i + 1; node !== EMPTY; j++) {
        const score = base + (logProb[node] ?? Number.NEGATIVE_INFINITY);
        if (score > (best[j] ?? 0)) {
          best[j] = score;
          back[j] = i;
          lone[j] = 0;
        }
        if (j >= limit) break;
        node = this.child(node, text.charCodeAt(start + j));
      }
    }
    return this.backtrack(start, n);
  }

  /** Writes the boundaries of the best split into `cuts`, first to last; returns the word count. */
  private backtrack(start: number, n: number): number {
    let count = 0;
    for (let j = n; j > 0; j = this.back[j] ?? 0) count++;
    if (this.cuts.length <= count) {
      this.cuts = new Int32Array(Math.max(count + 1, this.cuts.length * 2));
      this.unknown = new Uint8Array(this.cuts.length);
    }
    const cuts = this.cuts;
    let k = count;
    for (let j = n; j > 0; j = this.back[j] ?? 0) {
      this.unknown[k - 1] = this.lone[j] ?? 0;
      cuts[k--] = start + j;
    }
    cuts[0] = start;
    return count;
  }

  private grow(size: number): void {
    let length = this.best.length;
    while (length < size) length *= 2;
    this.best = new Float64Array(length);
    this.back = new Int32Array(length);
    this.lone = new Uint8Array(length);
  }

  private slotOf(node: number, code: number): number {
    return (Math.imul(node + 1, 0x9e3779b1) ^ Math.imul(code, 0x85ebca6b)) >>> 0;
  }

  private child(node: number, code: number): number {
    const mask = this.mask;
    for (let s = this.slotOf(node, code) & mask; ; s = (s + 1) & mask) {
      const parent = this.slotParent[s] ?? EMPTY;
      if (parent === EMPTY) return EMPTY;
      if (parent === node && this.slotCode[s] === code) return this.slotChild[s] ?? EMPTY;
    }
  }

  private addChild(node: number, code: number, child: number): void {
    const mask = this.mask;
    let s = this.slotOf(node, code) & mask;
    while (this.slotParent[s] !== EMPTY) s = (s + 1) & mask;
    this.slotParent[s] = node;
    this.slotCode[s] = code;
    this.slotChild[s] = child;
  }
}
