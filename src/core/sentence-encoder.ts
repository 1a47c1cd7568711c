/**
 * What model families need of a pretrained sentence encoder, as a plain type every layer
 * shares. The encoder family (`src/models/encoder/`, `PretrainedEncoder`) implements it;
 * the classifier's heads, retrieval, clustering, the recommender and the tagger take any
 * object of this shape, so no family imports another.
 */

export interface SentenceEncodeOptions {
  /** Texts per forward pass; default the encoder's. */
  batchSize?: number;
  onProgress?: (progress: { done: number; total: number }) => void;
}

/** Pooled embeddings: row i (`dim` values) belongs to texts[i]. */
export interface SentenceVectors {
  vectors: Float32Array;
  dim: number;
  /** Texts cut to the encoder's maximum length. */
  truncated: number;
  /** Rows that came from the embedding cache. */
  cached: number;
}

export interface SentenceEncoder {
  /** `NAME@CHECKSUM12`. */
  readonly id: string;
  /** Names the weights, tokenizer and pooling: a model trained on one refuses another. */
  readonly checksum: string;
  readonly dim: number;
  embed(texts: readonly string[], options?: SentenceEncodeOptions): Promise<SentenceVectors>;
}

/**
 * How a word split into several sub-word pieces gets one vector: its first piece's (what
 * BERT-NER trains on) or the mean of its pieces.
 */
export const WORD_VECTOR_MODES = ["first", "mean"] as const;
export type WordVectorMode = (typeof WORD_VECTOR_MODES)[number];

export interface WordEncodeOptions extends SentenceEncodeOptions {
  /** Default "first". */
  wordVector?: WordVectorMode;
}

/**
 * An encoder that also gives one contextual vector per word, for taggers. A sentence
 * longer than the encoder's maximum is run as overlapping windows, so every word gets one.
 */
export interface WordEncoder extends SentenceEncoder {
  embedWords(
    words: readonly (readonly string[])[],
    options?: WordEncodeOptions,
  ): Promise<{ vectors: Float32Array[]; dim: number; truncated: number; windowed?: number }>;
}

/** How a model names the encoder it was trained on: by checksum, with the folder it came from. */
export interface EncoderRef {
  id: string;
  checksum: string;
  dim: number;
  /** The folder it was loaded from at training time, or null (bundled, or given in code). */
  path: string | null;
}

/**
 * The encoder reference in a stored value (`{ id, checksum, dim, path }`), or null when the
 * value is not one; each model family turns null into its own ARTIFACT_CORRUPT message.
 */
export function readEncoderRef(value: unknown): EncoderRef | null {
  if (value === null || typeof value !== "object") return null;
  const id = Reflect.get(value, "id");
  const checksum = Reflect.get(value, "checksum");
  const dim = Reflect.get(value, "dim");
  const path = Reflect.get(value, "path");
  if (typeof id !== "string" || typeof checksum !== "string") return null;
  if (typeof dim !== "number" || !Number.isInteger(dim) || dim < 1) return null;
  if (path !== null && typeof path !== "string") return null;
  return { id, checksum, dim, path };
}
