/**
 * The pretrained encoders a server has loaded: one per checksum, shared by every model that
 * uses it (a head, a retrieval index), whatever folder each model names it from. Calls
 * from concurrent requests go through one dynamic batcher per encoder (a short wait
 * window, as TorchServe and Triton do), and each batch's time feeds the metrics.
 *
 * An encoder stays loaded until the server closes: a hot swap to a new version of a model
 * on the same encoder finds it loaded, and the swap costs no second copy of its weights.
 */
import type { WordEncoder } from "../core/index.ts";
import { type BatchStats, EncoderBatcher, loadEncoder, type OnnxEncoder } from "../models/encoder/index.ts";

export interface EncoderPoolOptions {
  /** Threads of each encoder's runtime (default: every core). */
  threads?: number;
  /** Most texts in one forward pass (default 32). */
  maxBatch?: number;
  /** How long an idle encoder waits for company before a batch, in ms (default 5). */
  waitMs?: number;
  /** Texts each encoder may have waiting; beyond it a call is ENCODER_BUSY (default 1024). */
  maxQueue?: number;
  /** Told of every batch, with the encoder's id: for latency histograms. */
  onBatch?: (encoder: string, stats: BatchStats) => void;
}

interface Loaded {
  encoder: OnnxEncoder;
  batcher: EncoderBatcher;
  shared: WordEncoder;
}

/** See the file's header. */
export class EncoderPool {
  readonly #options: EncoderPoolOptions;
  readonly #loaded = new Map<string, Promise<Loaded>>();

  constructor(options: EncoderPoolOptions = {}) {
    this.#options = options;
  }

  /** Encoders loaded (or loading). */
  get size(): number {
    return this.#loaded.size;
  }

  /**
   * The encoder whose checksum is `checksum`, loaded from `dir` the first time it is asked
   * for. The caller checks the checksum of what it gets (a folder may hold another one).
   * Taggers take its word vectors too: those run on the loaded encoder directly (the
   * dynamic batcher gathers sentence embeddings only), so a tagger and a head on the same
   * encoder share one copy of it.
   */
  acquire(dir: string, checksum: string): Promise<WordEncoder> {
    let entry = this.#loaded.get(checksum);
    if (entry === undefined) {
      entry = this.#load(dir);
      this.#loaded.set(checksum, entry);
      // A failed load is forgotten, so that a model version fixed later can try again.
      entry.catch(() => this.#loaded.delete(checksum));
    }
    return entry.then((loaded) => loaded.shared);
  }

  async #load(dir: string): Promise<Loaded> {
    const { threads, maxBatch, waitMs, maxQueue, onBatch } = this.#options;
    const encoder = await loadEncoder(dir, threads === undefined ? {} : { threads });
    const batcher = new EncoderBatcher(encoder, {
      ...(maxBatch === undefined ? {} : { maxBatch }),
      ...(waitMs === undefined ? {} : { waitMs }),
      ...(maxQueue === undefined ? {} : { maxQueue }),
      ...(onBatch === undefined ? {} : { onBatch: (stats: BatchStats) => onBatch(encoder.id, stats) }),
    });
    const shared: WordEncoder = {
      id: encoder.id,
      checksum: encoder.checksum,
      dim: encoder.dim,
      embed: (texts) => batcher.embed(texts),
      embedWords: (words, options) => encoder.embedWords(words, options),
    };
    return { encoder, batcher, shared };
  }

  /** Waits for the batches under way, then releases every encoder. */
  async close(): Promise<void> {
    const entries = [...this.#loaded.values()];
    this.#loaded.clear();
    for (const entry of entries) {
      const loaded = await entry.catch(() => null);
      if (loaded === null) continue;
      await loaded.batcher.close();
      await loaded.encoder.close();
    }
  }
}
