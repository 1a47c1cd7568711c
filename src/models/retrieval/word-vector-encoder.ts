/**
 * textkit's own text encoder: word vectors from a .vec file (those `textkit vectors train`
 * writes, or fastText's), averaged the way the SIF paper does it (Arora, Liang and Ma,
 * "A simple but tough-to-beat baseline for sentence embeddings", ICLR 2017):
 *
 * 1. v(s) = (1/|s|) Σ a / (a + p(w)) · v(w): frequent words weigh little, with p(w) the
 *    share of word w among all words of the indexed texts and a = 1e-3;
 * 2. the first principal component u of the indexed texts' vectors is removed from every
 *    vector, v(s) − (u·v(s)) u: it is what all texts share (frequency, syntax), not what
 *    tells them apart.
 *
 * A word the .vec lacks borrows the vectors of the few vocabulary words whose character
 * n-grams it shares most ("refunded" leans on "refund" and "refunds", a typo on the word it
 * misspells, an unknown Chinese word on the words with its characters); a word that is
 * like none of them is skipped. The first principal component is removed only when the
 * index is large enough for it to be what texts share rather than one of their topics.
 */
import { createHash } from "node:crypto";
import { bytesOf, float32FromBuffer, int32FromBuffer } from "../../artifact/index.ts";
import { compareCodePoints, TextkitError } from "../../core/index.ts";
import { readVecFile, type WordVectors } from "../../data/index.ts";
import { firstComponent } from "./first-component.ts";
import { SubwordBackoff } from "./subword-backoff.ts";
import { RetrievalTokenizer } from "./terms.ts";
import type { EncoderArtifact, PassageEncoder } from "./vector-index.ts";

export const WORD_VECTOR_ENCODER_KIND = "word-vectors";

export interface WordVectorEncoderOptions {
  /** SIF's a: the word frequency at which a word's weight halves (default 1e-3). */
  sifA: number;
  /** Remove the first principal component of the indexed texts (default true; see minComponentTexts). */
  removeComponent: boolean;
  /** Fewest indexed texts the component is estimated from; with fewer it is not removed (default 100). */
  minComponentTexts: number;
  /** Unknown words borrow the vectors of vocabulary words with the same character n-grams (default true). */
  subwords: boolean;
  /** Least n-gram overlap (Jaccard) of a vocabulary word an unknown word borrows from (default 0.3). */
  subwordSimilarity: number;
  /** Shortest and longest character n-gram of spaced scripts (default 3 and 5). */
  minn: number;
  maxn: number;
}

export const DEFAULT_WORD_VECTOR_ENCODER_OPTIONS: Readonly<WordVectorEncoderOptions> = Object.freeze({
  sifA: 1e-3,
  removeComponent: true,
  minComponentTexts: 100,
  subwords: true,
  subwordSimilarity: 0.3,
  minn: 3,
  maxn: 5,
});

export interface VecFileEncoderOptions extends Partial<WordVectorEncoderOptions> {
  /** Read at most this many words, the first of the file (fastText sorts them by frequency). */
  limit?: number;
  /** Refuse the file with DATA_BAD_VECTORS unless its vectors have this dimension. */
  expectedDim?: number;
}

/** What `fit` learns: word counts of the indexed texts and the common component. */
interface Fitted {
  counts: Map<string, number>;
  total: number;
  component: Float32Array | null;
}

/** What the tokenizer can give as one word: letters, marks and digits, with inner apostrophes. */
const ONE_WORD = /^[\p{L}\p{M}\p{N}]+(?:['’][\p{L}\p{N}]+)*$/u;
function resolveOptions(partial: Partial<WordVectorEncoderOptions>): WordVectorEncoderOptions {
  const o = { ...DEFAULT_WORD_VECTOR_ENCODER_OPTIONS, ...partial };
  if (!(Number.isFinite(o.sifA) && o.sifA > 0)) {
    throw new TextkitError("OPTION_INVALID", `sifA must be a number > 0, got ${o.sifA}`);
  }
  if (!(Number.isInteger(o.minComponentTexts) && o.minComponentTexts >= 2)) {
    throw new TextkitError(
      "OPTION_INVALID",
      `minComponentTexts must be a whole number >= 2, got ${o.minComponentTexts}`,
    );
  }
  if (!(o.subwordSimilarity > 0 && o.subwordSimilarity <= 1)) {
    throw new TextkitError(
      "OPTION_INVALID",
      `subwordSimilarity must be a number in (0, 1], got ${o.subwordSimilarity}`,
    );
  }
  if (typeof o.removeComponent !== "boolean" || typeof o.subwords !== "boolean") {
    throw new TextkitError("OPTION_INVALID", "removeComponent and subwords must be true or false");
  }
  if (!(Number.isInteger(o.minn) && Number.isInteger(o.maxn) && o.minn >= 1 && o.maxn >= o.minn)) {
    throw new TextkitError("OPTION_INVALID", `minn and maxn must be whole numbers, 1 <= minn <= maxn`);
  }
  return o;
}

/**
 * Word vectors as a `PassageEncoder`. Make one with `fromVecFile` or `fromWordVectors`;
 * `buildRetrievalIndex` fits it on the texts it indexes (SIF's word frequencies and common
 * component) and stores it with the index.
 */
export class WordVectorEncoder implements PassageEncoder {
  readonly id: string;
  readonly dim: number;
  readonly options: WordVectorEncoderOptions;
  /** The vocabulary, normalised as texts are (NFKC, lower case), in the file's order. */
  readonly words: readonly string[];
  /** words.length × dim. */
  readonly vectors: Float32Array;
  private readonly index = new Map<string, number>();
  private readonly fitted: Fitted;
  private readonly tokenizer = new RetrievalTokenizer();
  private readonly backoff: SubwordBackoff;
  private readonly sum: Float64Array;

  private constructor(
    words: readonly string[],
    vectors: Float32Array,
    dim: number,
    options: WordVectorEncoderOptions,
    fitted: Fitted,
    shared?: { id: string; backoff: SubwordBackoff },
  ) {
    this.words = words;
    this.vectors = vectors;
    this.dim = dim;
    this.options = options;
    this.fitted = fitted;
    for (let w = 0; w < words.length; w++) this.index.set(words[w]!, w);
    this.sum = new Float64Array(dim);
    this.id = shared?.id ?? vectorsId(words, vectors, dim);
    this.backoff = shared?.backoff ?? new SubwordBackoff(words, vectors, dim, options);
  }

  /**
   * Reads a .vec file (fastText's format, with or without the "count dim" header).
   *
   * @example
   * const encoder = await WordVectorEncoder.fromVecFile("vectors/en.vec", { limit: 200_000 });
   * const index = await buildRetrievalIndex(passages, {}, encoder);
   */
  static async fromVecFile(path: string, options: VecFileEncoderOptions = {}): Promise<WordVectorEncoder> {
    const { limit, expectedDim, ...rest } = options;
    const resolved = resolveOptions(rest);
    const wv = await readVecFile(path, limit === undefined ? {} : { limit });
    if (expectedDim !== undefined && wv.dim !== expectedDim) {
      throw new TextkitError(
        "DATA_BAD_VECTORS",
        `${path} holds vectors of dimension ${wv.dim}; dimension ${expectedDim} is needed`,
        { file: path },
      );
    }
    return WordVectorEncoder.fromWordVectors(wv, resolved);
  }

  /**
   * An encoder of word vectors in memory. Words are normalised as texts are; when two
   * become one ("The", "the"), the first keeps its vector. What no text can have as a word
   * (punctuation, "</s>", "new_york") is left out.
   *
   * @example
   * const encoder = WordVectorEncoder.fromWordVectors({ dim: 2, words: ["card", "pin"], vectors: Float32Array.of(1, 0, 0, 1) });
   */
  static fromWordVectors(
    wv: WordVectors,
    options: Partial<WordVectorEncoderOptions> = {},
  ): WordVectorEncoder {
    const resolved = resolveOptions(options);
    const { dim } = wv;
    if (!(Number.isInteger(dim) && dim >= 1) || wv.vectors.length !== wv.words.length * dim) {
      throw new TextkitError(
        "DATA_BAD_VECTORS",
        `${wv.words.length} words of dimension ${dim} need ${wv.words.length * dim} values, got ${wv.vectors.length}`,
      );
    }
    const tokenizer = new RetrievalTokenizer();
    const words: string[] = [];
    const keep: number[] = [];
    const seen = new Set<string>();
    for (let w = 0; w < wv.words.length; w++) {
      const key = tokenizer.normalize(wv.words[w]!);
      if (seen.has(key) || !ONE_WORD.test(key)) continue;
      seen.add(key);
      words.push(key);
      keep.push(w);
    }
    const vectors = new Float32Array(words.length * dim);
    for (let i = 0; i < keep.length; i++) {
      vectors.set(wv.vectors.subarray(keep[i]! * dim, (keep[i]! + 1) * dim), i * dim);
    }
    for (let i = 0; i < vectors.length; i++) {
      if (!Number.isFinite(vectors[i]!)) {
        throw new TextkitError(
          "DATA_BAD_VECTORS",
          `the vector of '${words[Math.floor(i / dim)]}' holds ${vectors[i]}`,
        );
      }
    }
    return new WordVectorEncoder(words, vectors, dim, resolved, {
      counts: new Map(),
      total: 0,
      component: null,
    });
  }

  /** Whether `fit` has run (SIF weights and common component learnt). */
  get isFitted(): boolean {
    return this.fitted.total > 0;
  }

  /** The common component removed from every vector, or null. */
  get component(): Float32Array | null {
    return this.fitted.component;
  }

  /**
   * The same vectors fitted to the texts about to be indexed: word counts for SIF's
   * weights, and the first principal component of those texts' weighted means.
   *
   * @example
   * const fitted = encoder.fit(passages.map((p) => p.text));
   */
  fit(texts: readonly string[]): WordVectorEncoder {
    const counts = new Map<string, number>();
    let total = 0;
    for (const text of texts) {
      for (const word of this.tokenizer.words(text)) {
        counts.set(word, (counts.get(word) ?? 0) + 1);
        total++;
      }
    }
    const weighted = new WordVectorEncoder(
      this.words,
      this.vectors,
      this.dim,
      this.options,
      { counts, total, component: null },
      { id: this.id, backoff: this.backoff },
    );
    const component =
      this.options.removeComponent && texts.length >= this.options.minComponentTexts
        ? firstComponent(weighted.encode(texts), this.dim)
        : null;
    return new WordVectorEncoder(
      this.words,
      this.vectors,
      this.dim,
      this.options,
      { counts, total, component },
      { id: this.id, backoff: this.backoff },
    );
  }

  /**
   * SIF weight of a word: a / (a + p(w)), 1 for a word the indexed texts never used (and
   * for every word before `fit`).
   *
   * @example
   * encoder.fit(texts).weightOf("the"); // e.g. 0.02
   */
  weightOf(word: string): number {
    const { total, counts } = this.fitted;
    if (total === 0) return 1;
    const a = this.options.sifA;
    return a / (a + (counts.get(word) ?? 0) / total);
  }

  /**
   * The vector a word (normalised already) gets: its own, or one borrowed from its
   * character n-grams, or null when it has neither.
   */
  wordVector(word: string): Float32Array | null {
    const id = this.index.get(word);
    if (id !== undefined) return this.vectors.subarray(id * this.dim, (id + 1) * this.dim);
    return this.backoff.vectorOf(word);
  }

  /**
   * One SIF vector per text, row-major (texts.length × dim). A text without a known word
   * is a row of zeros.
   *
   * @example
   * encoder.encode(["lost my card", "reset the pin"]); // Float32Array(2 * encoder.dim)
   */
  encode(texts: readonly string[]): Float32Array {
    const dim = this.dim;
    const out = new Float32Array(texts.length * dim);
    const sum = this.sum;
    const vectors = this.vectors;
    const component = this.fitted.component;
    for (let i = 0; i < texts.length; i++) {
      sum.fill(0);
      let used = 0;
      for (const word of this.tokenizer.words(texts[i]!)) {
        const weight = this.weightOf(word);
        const id = this.index.get(word);
        if (id !== undefined) {
          for (let j = 0, base = id * dim; j < dim; j++) sum[j]! += weight * vectors[base + j]!;
        } else {
          const v = this.backoff.vectorOf(word);
          if (v === null) continue;
          for (let j = 0; j < dim; j++) sum[j]! += weight * v[j]!;
        }
        used++;
      }
      if (used === 0) continue;
      if (component !== null) {
        let dot = 0;
        for (let j = 0; j < dim; j++) dot += component[j]! * sum[j]!;
        for (let j = 0; j < dim; j++) sum[j]! -= dot * component[j]!;
      }
      for (let j = 0, base = i * dim; j < dim; j++) out[base + j] = sum[j]! / used;
    }
    return out;
  }

  /** The encoder's state for the index's artifact (vectors, word counts, component). */
  toArtifact(): EncoderArtifact {
    const countWords = [...this.fitted.counts.keys()].sort(compareCodePoints);
    const counts = Int32Array.from(countWords, (w) => this.fitted.counts.get(w)!);
    const files: Record<string, Uint8Array> = {
      "words.txt": Buffer.from(this.words.join("\n"), "utf8"),
      "vectors.f32": bytesOf(this.vectors),
      "sif-words.txt": Buffer.from(countWords.join("\n"), "utf8"),
      "sif-counts.i32": bytesOf(counts),
    };
    if (this.fitted.component !== null) files["component.f32"] = bytesOf(this.fitted.component);
    return { kind: WORD_VECTOR_ENCODER_KIND, options: { ...this.options, dim: this.dim }, files };
  }

  /**
   * Rebuilds an encoder from `toArtifact`'s files; ARTIFACT_CORRUPT naming `where` when they
   * do not fit together.
   */
  static fromArtifact(artifact: EncoderArtifact, where: string): WordVectorEncoder {
    const bad = (why: string) =>
      new TextkitError("ARTIFACT_CORRUPT", `the word vectors in ${where} are damaged: ${why}`, {
        file: where,
      });
    const { dim: rawDim, ...rest } = artifact.options;
    const dim = Number(rawDim);
    let options: WordVectorEncoderOptions;
    try {
      options = resolveOptions(rest as Partial<WordVectorEncoderOptions>);
    } catch (cause) {
      throw bad(cause instanceof Error ? cause.message : String(cause));
    }
    const file = (name: string): Buffer => {
      const data = artifact.files[name];
      if (data === undefined) throw bad(`${name} is missing`);
      return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
    };
    const lines = (name: string): string[] => {
      const text = file(name).toString("utf8");
      return text.length === 0 ? [] : text.split("\n");
    };
    const words = lines("words.txt");
    const vectors = float32FromBuffer(file("vectors.f32"));
    if (!(Number.isInteger(dim) && dim >= 1) || vectors.length !== words.length * dim) {
      throw bad(`${words.length} words of dimension ${rawDim} do not fit ${vectors.length} values`);
    }
    const countWords = lines("sif-words.txt");
    const countValues = int32FromBuffer(file("sif-counts.i32"));
    if (countValues.length !== countWords.length) throw bad("the word counts do not fit their words");
    const counts = new Map<string, number>();
    let total = 0;
    for (let i = 0; i < countWords.length; i++) {
      counts.set(countWords[i]!, countValues[i]!);
      total += countValues[i]!;
    }
    let component: Float32Array | null = null;
    if (artifact.files["component.f32"] !== undefined) {
      component = float32FromBuffer(file("component.f32"));
      if (component.length !== dim) throw bad(`the component has ${component.length} values, not ${dim}`);
    }
    return new WordVectorEncoder(words, vectors, dim, options, { counts, total, component });
  }
}

/** A short name of these exact vectors: dimension, size and a hash of words and values. */
function vectorsId(words: readonly string[], vectors: Float32Array, dim: number): string {
  const hash = createHash("sha256");
  hash.update(words.join("\n"));
  hash.update(bytesOf(vectors));
  return `${WORD_VECTOR_ENCODER_KIND}:${dim}x${words.length}:${hash.digest("hex").slice(0, 16)}`;
}
