import { TextkitError } from "../../core/index.ts";
import type { WordVectors } from "../../data/index.ts";
import { type NormalizeOptions, normalizeText } from "../../text/index.ts";
import { usesSubwords, type VectorsOptions } from "./options.ts";
import { BucketRows, buildSubwordTable, ngramRows, type SubwordTable } from "./subwords.ts";

/** Trained vectors as plain data, ready to be stored or handed to `new SubwordVectors`. */
export interface SubwordVectorsData {
  /** The options they were trained with; minn, maxn, buckets and lowercase also govern lookups. */
  options: VectorsOptions;
  /** Vocabulary, most frequent first. */
  words: string[];
  /** Row words.length + i of `input` is the vector of character n-gram bucket buckets[i]. */
  buckets: Int32Array;
  /** (words.length + buckets.length) * dim values, row-major. */
  input: Float32Array;
}

export interface Neighbour {
  word: string;
  /** Cosine similarity. */
  score: number;
}

/**
 * Word vectors built from subwords: a word's vector is the average of its own row and the
 * rows of its character n-grams, so a word never seen in training still gets a vector from
 * the n-grams it shares with known words.
 */
export class SubwordVectors {
  readonly dim: number;
  readonly options: VectorsOptions;
  private readonly vocabulary: string[];
  private readonly index = new Map<string, number>();
  private readonly bucketIds: Int32Array;
  private readonly bucketRows: BucketRows;
  private readonly input: Float32Array;
  private readonly table: SubwordTable;
  private readonly normalize: NormalizeOptions;
  /** Unit-length word vectors, built on the first `nearest` call. */
  private unitRows: Float32Array | undefined;

  constructor(data: SubwordVectorsData) {
    const { options, words, buckets, input } = data;
    this.dim = options.dim;
    this.options = options;
    this.vocabulary = words;
    for (let w = 0; w < words.length; w++) this.index.set(words[w]!, w);
    const bucketCount = usesSubwords(options) ? options.buckets : 0;
    for (let i = 0; i < buckets.length; i++) {
      if (!(buckets[i]! >= 0 && buckets[i]! < bucketCount)) {
        throw new TextkitError("INPUT_INVALID", `bucket ${buckets[i]} is outside [0, ${bucketCount})`);
      }
    }
    this.bucketRows = new BucketRows(bucketCount, buckets);
    if (this.bucketRows.used.length !== buckets.length) {
      throw new TextkitError("INPUT_INVALID", "the bucket list names a bucket twice");
    }
    const expected = (words.length + buckets.length) * options.dim;
    if (input.length !== expected) {
      throw new TextkitError(
        "INPUT_INVALID",
        `the input matrix has ${input.length} values; ${words.length} words and ${buckets.length} buckets of ${options.dim} dimensions need ${expected}`,
      );
    }
    this.bucketIds = buckets;
    this.input = input;
    this.table = buildSubwordTable(words, options, this.bucketRows, false);
    this.normalize = { form: "NFKC", lowercase: options.lowercase };
  }

  /** The vocabulary, most frequent first. */
  words(): string[] {
    return this.vocabulary.slice();
  }

  /**
   * The vector of a word, normalised the way training normalised text. A word outside the
   * vocabulary averages the n-grams it shares with the vocabulary; one that shares none gets
   * zeros.
   *
   * @example
   * const v = vectors.vector("unseenable"); // Float32Array of length vectors.dim
   */
  vector(word: string): Float32Array {
    const key = normalizeText(word, this.normalize);
    const id = this.index.get(key);
    const out = new Float32Array(this.dim);
    if (id !== undefined) {
      this.averageRows(this.table.rows, this.table.starts[id]!, this.table.starts[id + 1]!, out, 0);
    } else {
      const rows: number[] = [];
      ngramRows(key, this.options, this.vocabulary.length, this.bucketRows, false, [], rows);
      this.averageRows(rows, 0, rows.length, out, 0);
    }
    return out;
  }

  /**
   * Every vocabulary word with its full (subword-averaged) vector, e.g. to write a `.vec` file
   * or to initialise a classifier's embeddings.
   *
   * @example
   * await writeVecFile("words.vec", vectors.toWordVectors());
   */
  toWordVectors(): WordVectors {
    const n = this.vocabulary.length;
    const vectors = new Float32Array(n * this.dim);
    for (let w = 0; w < n; w++) {
      this.averageRows(
        this.table.rows,
        this.table.starts[w]!,
        this.table.starts[w + 1]!,
        vectors,
        w * this.dim,
      );
    }
    return { dim: this.dim, words: this.vocabulary.slice(), vectors };
  }

  /**
   * The `k` vocabulary words closest to `word` by cosine similarity, best first, the word
   * itself left out. Works for words outside the vocabulary; a word with a zero vector has
   * no neighbours.
   *
   * @example
   * vectors.nearest("paris", 3); // e.g. [{ word: "london", score: 0.71 }, ...]
   */
  nearest(word: string, k: number): Neighbour[] {
    if (!Number.isSafeInteger(k) || k < 0) {
      throw new TextkitError("INPUT_INVALID", `k must be a whole number >= 0, got ${k}`);
    }
    const query = this.vector(word);
    const dim = this.dim;
    let norm = 0;
    for (let i = 0; i < dim; i++) norm += query[i]! * query[i]!;
    norm = Math.sqrt(norm);
    const self = this.index.get(normalizeText(word, this.normalize)) ?? -1;
    const n = this.vocabulary.length;
    const want = Math.min(k, n - (self >= 0 ? 1 : 0));
    if (norm === 0 || want <= 0) return [];
    const unit = this.unitVectors();
    const topScore = new Float64Array(want).fill(Number.NEGATIVE_INFINITY);
    const topId = new Int32Array(want).fill(-1);
    for (let w = 0; w < n; w++) {
      if (w === self) continue;
      let dot = 0;
      for (let i = 0, o = w * dim; i < dim; i++, o++) dot += query[i]! * unit[o]!;
      const score = dot / norm;
      // strictly better only, so that ties keep the more frequent word
      if (score <= topScore[want - 1]!) continue;
      let j = want - 1;
      while (j > 0 && topScore[j - 1]! < score) {
        topScore[j] = topScore[j - 1]!;
        topId[j] = topId[j - 1]!;
        j--;
      }
      topScore[j] = score;
      topId[j] = w;
    }
    const out: Neighbour[] = [];
    for (let j = 0; j < want && topId[j]! >= 0; j++) {
      out.push({ word: this.vocabulary[topId[j]!]!, score: topScore[j]! });
    }
    return out;
  }

  /** The plain data behind these vectors (shared, not copied: do not modify it). */
  toData(): SubwordVectorsData {
    return { options: this.options, words: this.vocabulary, buckets: this.bucketIds, input: this.input };
  }

  private averageRows(
    rows: ArrayLike<number>,
    from: number,
    to: number,
    out: Float32Array,
    at: number,
  ): void {
    if (to <= from) return;
    const dim = this.dim;
    const input = this.input;
    const sum = new Float64Array(dim);
    for (let r = from; r < to; r++) {
      for (let i = 0, o = rows[r]! * dim; i < dim; i++, o++) sum[i] = (sum[i] ?? 0) + (input[o] ?? 0);
    }
    const scale = 1 / (to - from);
    for (let i = 0; i < dim; i++) out[at + i] = sum[i]! * scale;
  }

  private unitVectors(): Float32Array {
    if (this.unitRows === undefined) {
      const { vectors } = this.toWordVectors();
      const dim = this.dim;
      for (let o = 0; o < vectors.length; o += dim) {
        let norm = 0;
        for (let i = o; i < o + dim; i++) norm += vectors[i]! * vectors[i]!;
        if (norm === 0) continue;
        const scale = 1 / Math.sqrt(norm);
        for (let i = o; i < o + dim; i++) vectors[i] = (vectors[i] ?? 0) * scale;
      }
      this.unitRows = vectors;
    }
    return this.unitRows;
  }
}
