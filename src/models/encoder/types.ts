/**
 * The pretrained-encoder contract (issue 12): what a loaded Hugging Face encoder offers to
 * the rest of textkit. `loader.ts` (ONNX runtime + tokenizer) implements it; heads,
 * retrieval, clustering, the tagger and the server use only this interface.
 */

/** How token vectors become one sentence vector (sentence-transformers' pooling modes). */
export const POOLING_MODES = ["mean", "cls", "max"] as const;
export type PoolingMode = (typeof POOLING_MODES)[number];

/** Options for loading an encoder folder (Hugging Face layout). */
export interface LoadEncoderOptions {
  /** Intra-op threads of the ONNX runtime; default: the machine's cores. */
  threads?: number;
  /** Truncate longer inputs to this many tokens (never above the model's own maximum). */
  maxLength?: number;
  /** Folder of the on-disk embedding cache (keyed by the encoder's checksum and the text); none when absent. */
  cacheDir?: string;
  /** Pool this way instead of what modules.json says (mean when the folder has none). */
  pooling?: PoolingMode;
  /** Scale sentence vectors to unit length (default: whether modules.json has a Normalize module). */
  normalize?: boolean;
  /** Prefer onnx/model_quantized.onnx when the folder has both. */
  quantized?: boolean;
  /** The name in `id` and `info.name` (default: the folder's name). */
  name?: string;
}

import type { WordEncodeOptions } from "../../core/index.ts";

export interface EncodeProgress {
  done: number;
  total: number;
}

export interface EncodeOptions {
  /** Texts per forward pass (inputs are sorted by length before batching); default 32. */
  batchSize?: number;
  onProgress?: (progress: EncodeProgress) => void;
}

/** Pooled sentence embeddings: row i (`dim` values, row-major) belongs to texts[i]. */
export interface EncodedTexts {
  vectors: Float32Array;
  dim: number;
  /** How many texts were longer than the maximum and were truncated. */
  truncated: number;
  /** How many rows came from the embedding cache. */
  cached: number;
  /** Per row, 1 where the text was truncated / came from the cache (loadEncoder's encoders fill it in). */
  rows?: { truncated: Uint8Array; cached: Uint8Array };
}

/**
 * Contextual vectors per word, for taggers: `words[i]` is sentence i split into words (or
 * characters, for Chinese); `vectors[i]` holds `words[i].length × dim` values, each word's
 * vector being its first sub-word piece's last hidden state (or the mean of its pieces).
 * Sentences longer than the maximum run as overlapping windows, so no word is left out.
 */
export interface EncodedWords {
  vectors: Float32Array[];
  dim: number;
  /** Always 0: long sentences are windowed, not cut (kept for the WordEncoder contract). */
  truncated: number;
  /** Sentences that took more than one window. */
  windowed: number;
  /** Sentences whose word vectors all came from the embedding cache. */
  cached: number;
}

/** What the folder said about the model, after checking it against the ONNX graph. */
export interface EncoderInfo {
  /** Folder name or the hub id the files came from. */
  name: string;
  /** "bert" | "xlm-roberta" | ... from config.json's model_type. */
  modelType: string;
  tokenizer: "wordpiece" | "unigram" | "bpe";
  pooling: PoolingMode;
  normalize: boolean;
  hiddenSize: number;
  maxLength: number;
  layers: number;
  /** The ONNX file the weights came from. */
  onnxFile: string;
  /** Intra-op threads the runtime uses. */
  threads: number;
}

export interface PretrainedEncoder {
  /** `NAME@CHECKSUM12`: names the weights; a head trained on one refuses another. */
  readonly id: string;
  /** SHA-256 over the ONNX file, the tokenizer files and the pooling configuration. */
  readonly checksum: string;
  readonly dim: number;
  readonly info: EncoderInfo;
  embed(texts: readonly string[], options?: EncodeOptions): Promise<EncodedTexts>;
  embedWords(words: readonly (readonly string[])[], options?: WordEncodeOptions): Promise<EncodedWords>;
  close(): Promise<void>;
}
