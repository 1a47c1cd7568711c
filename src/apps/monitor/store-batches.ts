/**
 * Several batches in one transaction. While the store inserts a batch, the batches that
 * callers hand it meanwhile (the monitor stores one batch while its workers classify the
 * next ones) wait, and then go in together: one transaction, one tally whose keys several
 * batches share (minutes, hours, terms), fewer rows. Each caller still gets its own answer,
 * and a batch that fails fails alone: when a transaction of several batches fails, each of
 * them is inserted again in a transaction of its own.
 */
import type { MonitorDocument } from "./document.ts";
import type { BatchPrecount } from "./store-counts.ts";

/** A batch of documents with the keyword rules that match each, and its counts if made beforehand. */
export interface InsertBatch {
  readonly docs: readonly MonitorDocument[];
  readonly ruleHits: (doc: MonitorDocument) => readonly string[];
  readonly counts?: BatchPrecount | undefined;
}

/** Inserts batches in one transaction and returns each one's new keys, in order. */
export type InsertBatches = (batches: readonly InsertBatch[]) => Promise<Set<string>[]>;

interface Waiting extends InsertBatch {
  resolve(fresh: Set<string>): void;
  reject(error: unknown): void;
}

/**
 * Hands the batches given to `submit` to `insert`, one group at a time: a batch given while
 * no group is being inserted starts at once, alone; those given meanwhile form the next
 * group, up to `maxDocs` documents (a batch bigger than that is a group of its own).
 */
export class BatchGrouper {
  private readonly waiting: Waiting[] = [];
  private draining = false;

  constructor(
    private readonly insert: InsertBatches,
    private readonly maxDocs: number,
  ) {}

  /** Inserts `batch` (with any others waiting) and resolves with its new keys. */
  submit(batch: InsertBatch): Promise<Set<string>> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ ...batch, resolve, reject });
      if (!this.draining) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.draining = true;
    try {
      for (let group = this.take(); group.length > 0; group = this.take()) await this.run(group);
    } finally {
      this.draining = false;
    }
  }

  /** The next group: waiting batches, oldest first, up to maxDocs documents (at least one batch). */
  private take(): Waiting[] {
    let docs = 0;
    let count = 0;
    for (const w of this.waiting) {
      if (count > 0 && docs + w.docs.length > this.maxDocs) break;
      docs += w.docs.length;
      count++;
    }
    return this.waiting.splice(0, count);
  }

  /** Inserts a group and answers its callers; never throws. */
  private async run(group: readonly Waiting[]): Promise<void> {
    let fresh: Set<string>[];
    try {
      fresh = await this.insert(group);
    } catch (error) {
      if (group.length === 1) {
        for (const w of group) w.reject(error);
        return;
      }
      // The transaction rolled back every batch of the group: each again on its own, so that
      // only the one that fails fails.
      for (const w of group) await this.run([w]);
      return;
    }
    for (const [i, w] of group.entries()) w.resolve(fresh[i] ?? new Set());
  }
}
