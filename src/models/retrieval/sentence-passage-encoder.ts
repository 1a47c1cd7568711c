/**
 * A pretrained sentence encoder (issue 12) as a retrieval passage encoder: passages and
 * queries become the encoder's pooled embeddings. The encoder itself sorts texts by length
 * into forward passes and keeps its on-disk cache; this adapter adds a small in-memory cache
 * of recent texts, so that repeated queries (an assistant's common questions, a dashboard
 * refreshing) cost no forward pass.
 */
import type { SentenceEncoder } from "../../core/index.ts";
import type { AsyncPassageEncoder } from "./vector-index.ts";

export interface SentencePassageEncoderOptions {
  /** The encoder's folder, recorded in the index as a hint for loaders (the checksum decides). */
  path?: string | null;
  /** Texts whose vectors are kept in memory, least recently used dropped first (default 1024; 0: none). */
  cacheSize?: number;
  /** Texts per forward pass (default: the encoder's). */
  batchSize?: number;
}

/** See the file's header. */
export class SentencePassageEncoder implements AsyncPassageEncoder {
  readonly id: string;
  readonly dim: number;
  readonly checksum: string;
  readonly path: string | null;
  readonly #encoder: SentenceEncoder;
  readonly #cacheSize: number;
  readonly #batchSize: number | undefined;
  readonly #recent = new Map<string, Float32Array>();

  /**
   * @example
   * const encoder = await loadEncoder("models/minilm");
   * const passages = new SentencePassageEncoder(encoder, { path: "models/minilm" });
   * const index = await buildRetrievalIndex(items, {}, passages);
   */
  constructor(encoder: SentenceEncoder, options: SentencePassageEncoderOptions = {}) {
    this.#encoder = encoder;
    this.id = encoder.id;
    this.dim = encoder.dim;
    this.checksum = encoder.checksum;
    this.path = options.path ?? null;
    this.#cacheSize = Math.max(0, Math.floor(options.cacheSize ?? 1024));
    this.#batchSize = options.batchSize;
  }

  /** Texts whose vectors are in the in-memory cache now. */
  get cached(): number {
    return this.#recent.size;
  }

  /** Row i of the result is the embedding of texts[i]; repeated and recent texts are not encoded again. */
  async encodeAsync(texts: readonly string[]): Promise<Float32Array> {
    const dim = this.dim;
    const out = new Float32Array(texts.length * dim);
    const missing: string[] = [];
    const wanted = new Map<string, number[]>();
    texts.forEach((text, i) => {
      const hit = this.#recent.get(text);
      if (hit !== undefined) {
        // Touch it: a Map iterates in insertion order, so the oldest entry comes first.
        this.#recent.delete(text);
        this.#recent.set(text, hit);
        out.set(hit, i * dim);
        return;
      }
      const rows = wanted.get(text);
      if (rows === undefined) {
        wanted.set(text, [i]);
        missing.push(text);
      } else rows.push(i);
    });
    if (missing.length === 0) return out;
    const { vectors } = await this.#encoder.embed(
      missing,
      this.#batchSize === undefined ? {} : { batchSize: this.#batchSize },
    );
    missing.forEach((text, m) => {
      const vector = vectors.slice(m * dim, (m + 1) * dim);
      for (const i of wanted.get(text) ?? []) out.set(vector, i * dim);
      this.#remember(text, vector);
    });
    return out;
  }

  #remember(text: string, vector: Float32Array): void {
    if (this.#cacheSize === 0) return;
    this.#recent.set(text, vector);
    while (this.#recent.size > this.#cacheSize) {
      const oldest = this.#recent.keys().next();
      if (oldest.done === true) break;
      this.#recent.delete(oldest.value);
    }
  }
}
