/**
 * Dynamic batching for a server: concurrent `embed` calls are gathered into one forward
 * pass, as TorchServe's batch_size/max_batch_delay and Triton's dynamic batcher do.
 *
 * Semantics: one batch runs at a time (the runtime already uses every thread it was given;
 * two batches at once would only fight over them). A request waits at most `waitMs` for
 * company while the encoder is idle; a batch starts at once when `maxBatch` texts are
 * waiting; requests that arrive while a batch runs form the next one. A request is never
 * split across batches, and one larger than `maxBatch` runs alone. Bad texts are refused
 * when a request is made, so one caller's empty text never fails another caller's batch.
 *
 * The queue is bounded: a call that would take the texts waiting past `maxQueue` is refused
 * at once with ENCODER_BUSY (429 in the server), its `details.retryAfterMs` estimated from
 * the speed of the last batch, rather than waiting without end while memory grows. A call
 * larger than `maxQueue` is still taken when nothing waits, so no request is refused for
 * its size alone (the server's maxBatch bounds that).
 */
import { checkInt, TextkitError } from "../../core/index.ts";
import { checkTexts } from "./texts.ts";
import type { EncodedTexts, PretrainedEncoder } from "./types.ts";

export interface BatcherOptions {
  /** Most texts in one forward pass (default 32). */
  maxBatch?: number;
  /** How long an idle encoder waits for more requests before it runs a batch, in ms (default 5). */
  waitMs?: number;
  /** Most texts waiting for a batch (default 1024); see the file's header. */
  maxQueue?: number;
  /** Called after each batch: for latency histograms and batch-size metrics. */
  onBatch?: (stats: BatchStats) => void;
}

export interface BatchStats {
  texts: number;
  requests: number;
  /** Time the forward pass (tokenising and pooling included) took. */
  seconds: number;
  /** Longest time a request of this batch waited before the batch started. */
  waitedSeconds: number;
}

interface Pending {
  texts: readonly string[];
  since: number;
  resolve: (value: EncodedTexts) => void;
  reject: (error: unknown) => void;
}

/** Gathers concurrent calls into batches; see the file's header. */
export class EncoderBatcher {
  readonly encoder: PretrainedEncoder;
  readonly maxBatch: number;
  readonly waitMs: number;
  readonly maxQueue: number;
  /** Texts per second of the last batch, for the retry estimate. */
  #speed = 0;
  readonly #onBatch: ((stats: BatchStats) => void) | undefined;
  readonly #queue: Pending[] = [];
  #queuedTexts = 0;
  #busy = false;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;
  #idle: Array<() => void> = [];

  constructor(encoder: PretrainedEncoder, options: BatcherOptions = {}) {
    this.maxBatch = options.maxBatch ?? 32;
    this.waitMs = options.waitMs ?? 5;
    checkInt("maxBatch", this.maxBatch, 1, 65_536);
    checkInt("waitMs", this.waitMs, 0, 60_000);
    this.maxQueue = options.maxQueue ?? 1024;
    checkInt("maxQueue", this.maxQueue, 1, 1 << 24);
    this.encoder = encoder;
    this.#onBatch = options.onBatch;
  }

  /** Texts waiting for a batch. */
  get queued(): number {
    return this.#queuedTexts;
  }

  /** Embeds `texts` in a batch shared with whatever other calls arrive meanwhile. */
  embed(texts: readonly string[]): Promise<EncodedTexts> {
    if (this.#closed) {
      return Promise.reject(
        new TextkitError("MODEL_UNAVAILABLE", `encoder ${this.encoder.id} is shutting down`),
      );
    }
    try {
      checkTexts(texts);
    } catch (error) {
      return Promise.reject(error);
    }
    if (texts.length === 0) {
      return Promise.resolve({
        vectors: new Float32Array(0),
        dim: this.encoder.dim,
        truncated: 0,
        cached: 0,
      });
    }
    if (this.#queuedTexts > 0 && this.#queuedTexts + texts.length > this.maxQueue) {
      return Promise.reject(this.#busyError(texts.length));
    }
    return new Promise<EncodedTexts>((resolve, reject) => {
      this.#queue.push({ texts, since: performance.now(), resolve, reject });
      this.#queuedTexts += texts.length;
      this.#schedule();
    });
  }

  /** ENCODER_BUSY, with the time the texts waiting should take (1 s when no batch has run yet). */
  #busyError(asked: number): TextkitError {
    const ahead = this.#queuedTexts;
    const ms = this.#speed > 0 ? (1000 * ahead) / this.#speed : 1000;
    const retryAfterMs = Math.min(60_000, Math.max(100, Math.ceil(ms)));
    return new TextkitError(
      "ENCODER_BUSY",
      `encoder ${this.encoder.id} has ${ahead} texts waiting (at most ${this.maxQueue}); ${asked} more do not fit: retry in ${Math.ceil(retryAfterMs / 1000)} s`,
      { details: { queued: ahead, maxQueue: this.maxQueue, retryAfterMs } },
    );
  }

  /** Refuses new calls and resolves once every queued call has been answered. */
  async close(): Promise<void> {
    this.#closed = true;
    if (!this.#busy && this.#queue.length === 0) return;
    const idle = new Promise<void>((resolve) => this.#idle.push(resolve));
    // What waits for its window runs now.
    this.#schedule();
    await idle;
  }

  #schedule(): void {
    if (this.#busy || this.#queue.length === 0) return;
    const oldest = (this.#queue[0] as Pending).since;
    const due = oldest + this.waitMs - performance.now();
    if (this.#queuedTexts >= this.maxBatch || due <= 0 || this.#closed) {
      if (this.#timer !== undefined) clearTimeout(this.#timer);
      this.#timer = undefined;
      void this.#run();
    } else if (this.#timer === undefined) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        this.#schedule();
      }, due);
    }
  }

  #take(): Pending[] {
    const batch: Pending[] = [];
    let size = 0;
    while (this.#queue.length > 0) {
      const next = this.#queue[0] as Pending;
      if (batch.length > 0 && size + next.texts.length > this.maxBatch) break;
      batch.push(next);
      size += next.texts.length;
      this.#queue.shift();
    }
    this.#queuedTexts -= size;
    return batch;
  }

  async #run(): Promise<void> {
    this.#busy = true;
    const batch = this.#take();
    const started = performance.now();
    const waited = (started - Math.min(...batch.map((p) => p.since))) / 1000;
    const texts = batch.flatMap((p) => p.texts);
    try {
      const out = await this.encoder.embed(texts, { batchSize: Math.max(this.maxBatch, texts.length) });
      const seconds = (performance.now() - started) / 1000;
      if (seconds > 0) this.#speed = texts.length / seconds;
      this.#onBatch?.({
        texts: texts.length,
        requests: batch.length,
        seconds: (performance.now() - started) / 1000,
        waitedSeconds: waited,
      });
      let row = 0;
      for (const pending of batch) {
        pending.resolve(slice(out, row, pending.texts.length, batch.length === 1));
        row += pending.texts.length;
      }
    } catch (error) {
      for (const pending of batch) pending.reject(error);
    } finally {
      this.#busy = false;
      if (this.#queue.length > 0) this.#schedule();
      else for (const resolve of this.#idle.splice(0)) resolve();
    }
  }
}

/** Rows `from .. from + count` of a batch's result, with their own counts. */
function slice(out: EncodedTexts, from: number, count: number, whole: boolean): EncodedTexts {
  if (whole) return out;
  const rows = out.rows;
  const countOf = (flags: Uint8Array | undefined): number => {
    let n = 0;
    if (flags !== undefined) for (let i = from; i < from + count; i++) n += flags[i] as number;
    return n;
  };
  return {
    vectors: out.vectors.slice(from * out.dim, (from + count) * out.dim),
    dim: out.dim,
    truncated: countOf(rows?.truncated),
    cached: countOf(rows?.cached),
    ...(rows === undefined
      ? {}
      : {
          rows: {
            truncated: rows.truncated.slice(from, from + count),
            cached: rows.cached.slice(from, from + count),
          },
        }),
  };
}
