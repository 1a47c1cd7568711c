/**
 * Turns text into the row indices of the embedding matrix: in-vocabulary words, then
 * hashed character n-grams and word n-grams. Rows [0, words) are words; a hashed bucket
 * gets a row only if training saw it, so memory follows the data and an n-gram never seen
 * in training contributes nothing (rather than a random vector).
 */
import {
  charNgramHashes,
  combineHash,
  type DictionarySegmenter,
  fastTextCharNgrams,
  fastTextHash,
  fastTextWordNgrams,
  fastTextWords,
  fnv1a,
  normalizeText,
  Tokenizer,
  type TokenSink,
} from "../../text/index.ts";
import type { ClassifierOptions } from "./options.ts";

/**
 * Ends every text, as fastText's `</s>`: a feature every example has (a learned bias in
 * the average) and the right edge of the last word bigram. The tokenizer splits `<`, `/`
 * and `>` apart, so no text can produce it.
 */
export const END_OF_TEXT = "</s>";

/**
 * Tokens whose feature rows a frozen featurizer remembers. Text is Zipfian: a few thousand
 * words make most tokens, so prediction seldom hashes a word's n-grams twice. The cache is
 * emptied when full rather than kept in order (cheaper, and a hot word comes straight back).
 */
const TOKEN_CACHE_SIZE = 50_000;

/** Slots of the frozen row index kept at most half full; above it, three quarters. */
const SPARSE_SLOTS = 1 << 22;

export interface TokenFeatures {
  /** The token's own rows: its word row, then its character n-gram rows, as computed uncached. */
  rows: Int32Array;
  /** fnv1a of the token, for the word n-grams. */
  hash: number;
}

export type FeatureOptions = Pick<
  ClassifierOptions,
  "wordNgrams" | "minn" | "maxn" | "buckets" | "lowercase" | "normalization" | "compat"
>;

export class Featurizer {
  readonly options: FeatureOptions;
  readonly words: readonly string[];
  private readonly wordIndex: Map<string, number>;
  /** bucket -> row, -1 when the bucket has no row. */
  private readonly bucketRow: Int32Array;
  private readonly bucketList: number[];
  /** The Chinese segmentation dictionary learned in training; null: Intl.Segmenter splits Han runs. */
  readonly dictionary: DictionarySegmenter | null;
  private readonly tokenizer: Tokenizer;
  private readonly hashScratch: number[] = [];
  private readonly ngramScratch: number[] = [];
  private readonly rowScratch: number[] = [];
  private readonly tokenCache = new Map<string, TokenFeatures>();
  private frozen: boolean;
  /**
   * bucket -> row once frozen, as an open-addressing table of [bucket, row] pairs (bucket -1:
   * empty slot) at most three quarters full (linear probing stays within a cache line or two,
   * and the table is half the size a half-full one takes): a few hundred KiB, where `bucketRow`
   * spends 4 bytes on every possible bucket (8 MiB for 2M) and costs a cache miss per n-gram.
   */
  private frozenRows: Int32Array | null = null;
  private frozenMask = 0;

  constructor(
    options: FeatureOptions,
    words: readonly string[],
    buckets: ArrayLike<number> = [],
    frozen = true,
    dictionary: DictionarySegmenter | null = null,
  ) {
    this.options = options;
    this.dictionary = dictionary;
    this.tokenizer = new Tokenizer("zh", dictionary);
    this.words = words;
    this.wordIndex = new Map();
    for (let i = 0; i < words.length; i++) this.wordIndex.set(words[i]!, i);
    this.bucketRow = new Int32Array(this.usesBuckets ? options.buckets : 0).fill(-1);
    this.bucketList = [];
    for (let i = 0; i < buckets.length; i++) {
      this.bucketRow[buckets[i]!] = words.length + i;
      this.bucketList.push(buckets[i]!);
    }
    this.frozen = frozen;
    if (frozen) this.indexFrozenRows();
  }

  get usesBuckets(): boolean {
    return this.options.wordNgrams > 1 || this.options.maxn > 0;
  }

  /** Number of embedding rows: words plus buckets that have a row. */
  get rows(): number {
    return this.words.length + this.bucketList.length;
  }

  /** Bucket ids in row order (row = words.length + index). */
  get buckets(): Int32Array {
    return Int32Array.from(this.bucketList);
  }

  /** Whether the rows are fixed: no new bucket gets a row any more. */
  get isFrozen(): boolean {
    return this.frozen;
  }

  /** After freezing, unseen buckets are ignored instead of getting a new row. */
  freeze(): void {
    this.frozen = true;
    this.indexFrozenRows();
  }

  wordId(word: string): number {
    return this.wordIndex.get(word) ?? -1;
  }

  normalize(text: string): string {
    if (this.options.compat === "fasttext") return text;
    return normalizeText(text, { form: this.options.normalization, lowercase: this.options.lowercase });
  }

  tokens(text: string): string[] {
    if (this.options.compat === "fasttext") return fastTextWords(text);
    return this.tokenizer.tokenize(this.normalize(text));
  }

  /** The same tokens as `tokens`, put into `sink` (see TokenIds.internTexts). */
  tokensInto(text: string, sink: TokenSink): void {
    if (this.options.compat === "fasttext") {
      for (const token of fastTextWords(text)) sink.token(token);
      return;
    }
    this.tokenizer.tokenizeInto(this.normalize(text), sink);
  }

  /** The tokens the model sees: the text's tokens, then END_OF_TEXT. */
  modelTokens(text: string): string[] {
    const tokens = this.tokens(text);
    tokens.push(END_OF_TEXT);
    return tokens;
  }

  /** Appends the rows of `text`'s features to `out`; returns the number of tokens. */
  features(text: string, out: number[]): number {
    const tokens = this.tokens(text);
    this.featuresOfTokens(tokens, out, true);
    return tokens.length + 1;
  }

  /**
   * Appends the rows of the features of `tokens` to `out`; with `withEnd`, as if END_OF_TEXT
   * followed them (the same rows as for `[...tokens, END_OF_TEXT]`, without the copy).
   */
  featuresOfTokens(tokens: readonly string[], out: number[], withEnd = false): void {
    const { wordNgrams, maxn } = this.options;
    const compat = this.options.compat === "fasttext";
    const hashes = this.hashScratch;
    hashes.length = 0;
    const count = withEnd ? tokens.length + 1 : tokens.length;
    for (let i = 0; i < count; i++) {
      const token = i === tokens.length ? END_OF_TEXT : (tokens[i] as string);
      // Without n-grams (and outside fastText's hashing) a token's rows are one vocabulary
      // lookup: nothing to save by keeping them.
      if (!compat && !(this.frozen && maxn > 0)) {
        this.tokenRows(token, out);
        if (wordNgrams > 1) hashes.push(fnv1a(token));
        continue;
      }
      const own = this.tokenFeatures(token);
      const rows = own.rows;
      for (let j = 0; j < rows.length; j++) out.push(rows[j] as number);
      hashes.push(own.hash);
    }
    this.wordNgramRows(hashes, out);
  }

  /**
   * A token's own rows (its word row, then its character n-gram rows) and its hash for the
   * word n-grams. A frozen featurizer remembers them: its rows never change.
   */
  tokenFeatures(token: string): TokenFeatures {
    const remember = this.frozen && (this.options.compat === "fasttext" || this.options.maxn > 0);
    let own = remember ? this.tokenCache.get(token) : undefined;
    if (own !== undefined) return own;
    const rows = this.rowScratch;
    rows.length = 0;
    if (this.options.compat === "fasttext") {
      const { minn, maxn, buckets } = this.options;
      const id = this.wordIndex.get(token);
      if (id !== undefined) rows.push(id);
      if (maxn > 0 && token !== END_OF_TEXT) {
        const ngrams = this.ngramScratch;
        ngrams.length = 0;
        fastTextCharNgrams(token, minn, maxn, buckets, ngrams);
        for (let j = 0; j < ngrams.length; j++) this.pushBucket(ngrams[j] as number, rows);
      }
      own = { rows: Int32Array.from(rows), hash: fastTextHash(token) };
    } else {
      this.tokenRows(token, rows);
      own = { rows: Int32Array.from(rows), hash: fnv1a(token) };
    }
    if (remember) {
      if (this.tokenCache.size >= TOKEN_CACHE_SIZE) this.tokenCache.clear();
      this.tokenCache.set(token, own);
    }
    return own;
  }

  /** Appends the rows of the word n-grams over token hashes (nothing when wordNgrams is 1). */
  wordNgramRows(hashes: readonly number[], out: number[]): void {
    const { wordNgrams, buckets } = this.options;
    if (wordNgrams <= 1) return;
    if (this.options.compat === "fasttext") {
      const ngrams = this.ngramScratch;
      ngrams.length = 0;
      fastTextWordNgrams(hashes, wordNgrams, buckets, ngrams);
      for (let j = 0; j < ngrams.length; j++) this.pushBucket(ngrams[j] as number, out);
      return;
    }
    for (let i = 0; i < hashes.length; i++) {
      let h = hashes[i] as number;
      for (let j = i + 1; j < hashes.length && j < i + wordNgrams; j++) {
        h = combineHash(h, hashes[j] as number);
        this.pushBucket(h % buckets, out);
      }
    }
  }

  /**
   * @internal The rows `wordNgramRows` appends for `hashes[0 .. count)`, written to `out`
   * (room for count · (wordNgrams - 1) rows); returns how many. For the frozen path of the
   * hidden vector: typed arrays in and out, and the bucket table probed inline. The hashes may
   * be stored as int32: the n-gram hash mixes them modulo 2^32, so only their bits count.
   */
  wordNgramRowsInto(hashes: Int32Array, count: number, out: Int32Array): number {
    const { wordNgrams, buckets } = this.options;
    if (wordNgrams <= 1) return 0;
    const table = this.frozenRows;
    if (table === null || this.options.compat === "fasttext") {
      const rows: number[] = [];
      this.wordNgramRows(Array.from(hashes.subarray(0, count)), rows);
      out.set(rows);
      return rows.length;
    }
    const mask = this.frozenMask;
    let n = 0;
    for (let i = 0; i < count; i++) {
      let h = hashes[i] as number;
      const end = Math.min(count, i + wordNgrams);
      for (let j = i + 1; j < end; j++) {
        h = combineHash(h, hashes[j] as number);
        const bucket = h % buckets;
        for (let at = bucket & mask; ; at = (at + 1) & mask) {
          const key = table[2 * at] as number;
          if (key === bucket) {
            out[n++] = table[2 * at + 1] as number;
            break;
          }
          if (key === -1) break;
        }
      }
    }
    return n;
  }

  /** Appends a token's own rows: its word row, then its character n-gram rows. */
  private tokenRows(token: string, out: number[]): void {
    const { minn, maxn, buckets } = this.options;
    const id = this.wordIndex.get(token);
    if (id !== undefined) out.push(id);
    if (maxn > 0 && token !== END_OF_TEXT) {
      const ngrams = this.ngramScratch;
      ngrams.length = 0;
      charNgramHashes(token, minn, maxn, ngrams);
      for (let j = 0; j < ngrams.length; j++) this.pushBucket(ngrams[j]! % buckets, out);
    }
  }

  private indexFrozenRows(): void {
    // At most half full (three quarters above 2^22 slots, 32 MiB): most word n-grams of new
    // text have no row, and a miss walks the run of filled slots, which fullness lengthens
    // fast (about 8 probes on average at 3/4 full, 2.5 at 1/2).
    const rows = this.bucketList.length;
    let slots = 16;
    while (slots < 2 * rows && (slots < SPARSE_SLOTS || 3 * slots < 4 * rows)) slots *= 2;
    const table = new Int32Array(2 * slots).fill(-1);
    const mask = slots - 1;
    const base = this.words.length;
    for (const [i, bucket] of this.bucketList.entries()) {
      let at = bucket & mask;
      while (table[2 * at] !== -1) at = (at + 1) & mask;
      table[2 * at] = bucket;
      table[2 * at + 1] = base + i;
    }
    this.frozenRows = table;
    this.frozenMask = mask;
  }

  private pushBucket(bucket: number, out: number[]): void {
    const table = this.frozenRows;
    if (table !== null) {
      const mask = this.frozenMask;
      for (let at = bucket & mask; ; at = (at + 1) & mask) {
        const key = table[2 * at] as number;
        if (key === bucket) {
          out.push(table[2 * at + 1] as number);
          return;
        }
        if (key === -1) return;
      }
    }
    let row = this.bucketRow[bucket]!;
    if (row < 0) {
      if (this.frozen) return;
      row = this.words.length + this.bucketList.length;
      this.bucketRow[bucket] = row;
      this.bucketList.push(bucket);
    }
    out.push(row);
  }
}
