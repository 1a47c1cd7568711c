/**
 * The monitor's front door: documents from every source wait here and are classified and
 * stored in batches (one transaction for many small submissions: group commit). The queue
 * holds at most `maxPending` documents; beyond that `submit` refuses at once with
 * MONITOR_BUSY and an estimate of when to come back, so a source faster than
 * classification is slowed down instead of filling memory.
 */
import { TextkitError } from "../../core/index.ts";
import type { DocumentSink, IngestOutcome, IngestResult, MonitorDocumentInput } from "./document.ts";

/** Classifies and stores one batch; one result per document, in order. */
export type BatchProcessor = (documents: readonly MonitorDocumentInput[]) => Promise<IngestResult[]>;

export interface IngestQueueOptions {
  process: BatchProcessor;
  /** Documents per batch (default 500). */
  batchSize?: number;
  /** Documents waiting at most (default 20,000). */
  maxPending?: number;
  /**
   * Batches processed at once (default 1). With classification in worker threads, 2 or more
   * let one batch be stored while the next is classified.
   */
  concurrency?: number;
}

interface Submission {
  documents: readonly MonitorDocumentInput[];
  /** Documents of this submission handed to a batch so far. */
  taken: number;
  results: IngestResult[];
  done: number;
  failed: boolean;
  resolve(outcome: IngestOutcome): void;
  reject(error: unknown): void;
}

const MIN_RETRY_MS = 500;
const MAX_RETRY_MS = 30_000;

/**
 * @example
 * const queue = new IngestQueue({ process: (docs) => monitor.processBatch(docs) });
 * const outcome = await queue.submit([{ text: "Acme shares jump 12%" }]); // { stored: 1, duplicates: 0, ... }
 */
export class IngestQueue implements DocumentSink {
  private readonly processBatch: BatchProcessor;
  private readonly batchSize: number;
  readonly capacity: number;
  private readonly waiting: Submission[] = [];
  private pendingDocs = 0;
  private readonly concurrency: number;
  private running = 0;
  private scheduled = false;
  private idle: (() => void)[] = [];
  private closed = false;
  /** Documents per millisecond lately, for the Retry-After estimate. */
  private rate = 0;

  constructor(options: IngestQueueOptions) {
    this.processBatch = options.process;
    this.batchSize = options.batchSize ?? 500;
    this.capacity = options.maxPending ?? 20_000;
    this.concurrency = Math.max(1, options.concurrency ?? 1);
  }

  /** Documents accepted and not yet stored. */
  get pending(): number {
    return this.pendingDocs;
  }

  /** See DocumentSink: resolves once every document is stored or known as a duplicate. */
  submit(documents: readonly MonitorDocumentInput[]): Promise<IngestOutcome> {
    if (this.closed) {
      return Promise.reject(
        new TextkitError("MONITOR_BUSY", "the monitor is shutting down; send the documents again later", {
          details: { retryAfterMs: MAX_RETRY_MS },
        }),
      );
    }
    if (documents.length === 0) return Promise.resolve({ stored: 0, duplicates: 0, results: [] });
    // A submission larger than the whole queue is let in when the queue is empty, or it never would be.
    if (this.pendingDocs > 0 && this.pendingDocs + documents.length > this.capacity) {
      const retryAfterMs = Math.round(
        Math.min(MAX_RETRY_MS, Math.max(MIN_RETRY_MS, this.rate > 0 ? this.pendingDocs / this.rate : 1000)),
      );
      return Promise.reject(
        new TextkitError(
          "MONITOR_BUSY",
          `the monitor has ${this.pendingDocs} documents waiting to be classified (at most ${this.capacity}); try again in ${Math.ceil(retryAfterMs / 1000)} s`,
          { details: { retryAfterMs, pending: this.pendingDocs, capacity: this.capacity } },
        ),
      );
    }
    return new Promise<IngestOutcome>((resolve, reject) => {
      this.waiting.push({
        documents,
        taken: 0,
        results: new Array(documents.length),
        done: 0,
        failed: false,
        resolve,
        reject,
      });
      this.pendingDocs += documents.length;
      this.schedule();
    });
  }

  /** Refuses new documents and waits until those accepted are stored. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.running === 0 && this.untaken() === 0) return;
    await new Promise<void>((resolve) => this.idle.push(resolve));
  }

  /** Documents accepted that no batch has taken yet. */
  private untaken(): number {
    let n = 0;
    for (const s of this.waiting) n += s.documents.length - s.taken;
    return n;
  }

  /** Starts batches while there are documents no batch has taken and a slot is free. */
  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    // Let the submissions of this turn of the event loop join the same batch.
    setImmediate(() => {
      this.scheduled = false;
      while (this.running < this.concurrency && this.untaken() > 0) {
        this.running++;
        void this.runBatch().finally(() => {
          this.running--;
          if (this.untaken() > 0) this.schedule();
          else if (this.running === 0) for (const resolve of this.idle.splice(0)) resolve();
        });
      }
    });
  }

  private async runBatch(): Promise<void> {
    const parts: { submission: Submission; start: number; count: number }[] = [];
    const batch: MonitorDocumentInput[] = [];
    for (const submission of this.waiting) {
      if (batch.length >= this.batchSize) break;
      const count = Math.min(submission.documents.length - submission.taken, this.batchSize - batch.length);
      if (count === 0) continue;
      parts.push({ submission, start: submission.taken, count });
      for (let i = 0; i < count; i++) batch.push(submission.documents[submission.taken + i]!);
      submission.taken += count;
    }
    const started = performance.now();
    try {
      const results = await this.processBatch(batch);
      const ms = Math.max(performance.now() - started, 0.001);
      this.rate = this.rate === 0 ? batch.length / ms : 0.8 * this.rate + (0.2 * batch.length) / ms;
      let offset = 0;
      for (const { submission, start, count } of parts) {
        for (let i = 0; i < count; i++) submission.results[start + i] = results[offset + i]!;
        offset += count;
        submission.done += count;
      }
    } catch (error) {
      for (const { submission } of parts) {
        if (!submission.failed) {
          submission.failed = true;
          submission.reject(error);
        }
        // The rest of a failed submission is not processed.
        this.pendingDocs -= submission.documents.length - submission.taken;
        submission.done = submission.documents.length;
        submission.taken = submission.documents.length;
      }
    } finally {
      this.pendingDocs -= batch.length;
    }
    for (let i = this.waiting.length - 1; i >= 0; i--) {
      const s = this.waiting[i]!;
      if (s.done < s.documents.length) continue;
      this.waiting.splice(i, 1);
      if (s.failed) continue;
      let stored = 0;
      for (const r of s.results) if (r.status === "stored") stored++;
      s.resolve({ stored, duplicates: s.results.length - stored, results: s.results });
    }
  }
}
