/**
 * The vectors an encoder's unknown words borrow: each word's distinct character n-grams
 * (a Chinese word's characters and character pairs) against the vocabulary's, and the
 * similarity-weighted mean of the few vocabulary words whose n-grams overlap it most.
 */
import { charNgramHashes, fnv1a } from "../../text/index.ts";

/** The encoder options the backoff uses (see `WordVectorEncoderOptions`). */
export interface SubwordSettings {
  subwords: boolean;
  subwordSimilarity: number;
  minn: number;
  maxn: number;
}

/** The vocabulary's character n-grams, for unknown words to find the words they resemble. */
interface SubwordTable {
  /** Buckets − 1 (a power of two minus one). */
  mask: number;
  /** Pairs of bucket b are hashes/words[offsets[b]..offsets[b + 1]). */
  offsets: Int32Array;
  hashes: Uint32Array;
  words: Int32Array;
  /** Distinct n-grams of each vocabulary word. */
  gramCounts: Int32Array;
  /** Scratch: shared n-grams per vocabulary word while one unknown word is looked up. */
  overlap: Int32Array;
}

const HAN_WORD = /^\p{Script=Han}+$/u;
/** Unknown words whose borrowed vectors are remembered; the memory is cleared beyond this. */
const BACKOFF_CACHE_SIZE = 50_000;
/** Vocabulary words an unknown word borrows from, at most. */
const BACKOFF_WORDS = 3;
/** An n-gram held by more vocabulary words than this ("ing>") tells too little to be looked up. */
const MAX_NGRAM_WORDS = 5000;

/**
 * Borrowed vectors of words outside a vocabulary. The n-gram table is built on the first
 * unknown word; looked-up words are remembered. One instance serves every fitted copy of
 * an encoder, since what a word borrows depends on the vocabulary only.
 *
 * @example
 * const backoff = new SubwordBackoff(words, vectors, dim, options);
 * backoff.vectorOf("refunded"); // leans on "refund" and "refunds"
 */
export class SubwordBackoff {
  private table: SubwordTable | null = null;
  private readonly cache = new Map<string, Float32Array | null>();

  private readonly words: readonly string[];
  private readonly vectors: Float32Array;
  private readonly dim: number;
  private readonly settings: SubwordSettings;

  /** `vectors` is `words.length × dim`, row-major, in the words' order. */
  constructor(words: readonly string[], vectors: Float32Array, dim: number, settings: SubwordSettings) {
    this.words = words;
    this.vectors = vectors;
    this.dim = dim;
    this.settings = settings;
  }

  /**
   * The vector of an unknown word: the similarity-weighted mean of the vocabulary words
   * (at most three) whose character n-grams overlap its own most, by Jaccard, when at least
   * `subwordSimilarity`; null when none does.
   */
  vectorOf(word: string): Float32Array | null {
    if (!this.settings.subwords || this.words.length === 0) return null;
    const cached = this.cache.get(word);
    if (cached !== undefined) return cached;
    const table = this.subwordTable();
    const grams: number[] = [];
    this.ngramHashes(word, grams);
    const overlap = table.overlap;
    const touched: number[] = [];
    for (const h of grams) {
      const bucket = h & table.mask;
      const from = table.offsets[bucket]!;
      const to = table.offsets[bucket + 1]!;
      if (to - from > MAX_NGRAM_WORDS) continue;
      for (let p = from; p < to; p++) {
        if (table.hashes[p] !== h) continue;
        const w = table.words[p]!;
        const seen = overlap[w] ?? 0;
        overlap[w] = seen + 1;
        if (seen === 0) touched.push(w);
      }
    }
    const best: { word: number; similarity: number }[] = [];
    for (const w of touched) {
      const shared = overlap[w]!;
      overlap[w] = 0;
      const similarity = shared / (grams.length + table.gramCounts[w]! - shared);
      if (similarity < this.settings.subwordSimilarity) continue;
      best.push({ word: w, similarity });
    }
    // The most alike first; among equals the more frequent (earlier in a .vec file).
    best.sort((a, b) => b.similarity - a.similarity || a.word - b.word);
    let result: Float32Array | null = null;
    if (best.length > 0) {
      const dim = this.dim;
      const v = new Float32Array(dim);
      let total = 0;
      for (const { word: w, similarity } of best.slice(0, BACKOFF_WORDS)) {
        total += similarity;
        for (let j = 0, base = w * dim; j < dim; j++) v[j]! += similarity * this.vectors[base + j]!;
      }
      for (let j = 0; j < dim; j++) v[j]! /= total;
      result = v;
    }
    if (this.cache.size >= BACKOFF_CACHE_SIZE) this.cache.clear();
    this.cache.set(word, result);
    return result;
  }

  /**
   * The distinct character n-grams of a word, as 32-bit hashes: for a Chinese word its
   * characters and character pairs (Chinese words are short, and a character carries
   * meaning); for other words fastText's n-grams of "<word>".
   */
  private ngramHashes(word: string, out: number[]): void {
    const start = out.length;
    if (HAN_WORD.test(word)) {
      const chars = Array.from(word);
      for (let i = 0; i < chars.length; i++) {
        out.push(fnv1a(chars[i]!));
        if (i + 1 < chars.length) out.push(fnv1a(chars[i]! + chars[i + 1]!));
      }
    } else {
      charNgramHashes(word, this.settings.minn, this.settings.maxn, out);
    }
    // A word like "banana" repeats n-grams; each counts once.
    const distinct = [...new Set(out.slice(start))];
    out.length = start;
    for (const h of distinct) out.push(h);
  }

  /**
   * Built on the first unknown word: every (n-gram, vocabulary word) pair, grouped by the
   * n-gram's hash with a counting sort, so an n-gram's words are one contiguous run.
   */
  private subwordTable(): SubwordTable {
    if (this.table !== null) return this.table;
    const n = this.words.length;
    const gramCounts = new Int32Array(n);
    const perWord: number[][] = new Array(n);
    let pairs = 0;
    for (let w = 0; w < n; w++) {
      const grams: number[] = [];
      this.ngramHashes(this.words[w]!, grams);
      perWord[w] = grams;
      gramCounts[w] = grams.length;
      pairs += grams.length;
    }
    let size = 1;
    while (size < pairs) size *= 2;
    const mask = size - 1;
    const offsets = new Int32Array(size + 1);
    for (const grams of perWord) for (const h of grams) offsets[(h & mask) + 1]!++;
    for (let b = 0; b < size; b++) offsets[b + 1]! += offsets[b]!;
    const cursor = offsets.slice(0, size);
    const hashes = new Uint32Array(pairs);
    const words = new Int32Array(pairs);
    for (let w = 0; w < n; w++) {
      for (const h of perWord[w]!) {
        const p = cursor[h & mask]!++;
        hashes[p] = h;
        words[p] = w;
      }
    }
    this.table = { mask, offsets, hashes, words, gramCounts, overlap: new Int32Array(n) };
    return this.table;
  }
}
