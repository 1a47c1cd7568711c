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
