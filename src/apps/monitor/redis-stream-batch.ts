/**
 * One batch of a Redis stream's entries: what is not a document goes to the dead-letter
 * stream with the reason, the rest is submitted to the sink as one batch (waiting while it
 * answers MONITOR_BUSY), and both are acknowledged. Also the waits of the read loop.
 */
import { TextkitError } from "../../core/index.ts";
import type { RedisStreamConfig } from "./config.ts";
import type { DocumentSink, IngestOutcome, MonitorDocumentInput } from "./document.ts";
import { type Client, entryDocument, type StreamEntry } from "./redis-stream-commands.ts";
import { abortableSleep, describeError, retryDelayMs, type SourceLog } from "./source-errors.ts";

/** Longest pause of the read loop after an error. */
const MAX_ERROR_BACKOFF_MS = 10_000;

/** What a consumer has done, for its status. */
export interface RedisStreamCounts {
  processed: number;
  duplicates: number;
  deadLettered: number;
}

/** Where a batch goes: the stream's settings, the connection, the sink and the log. */
export interface BatchTarget {
  config: RedisStreamConfig;
  client: Client;
  sink: DocumentSink;
  log: SourceLog;
}

/** Moves the entries that are not documents to the dead-letter stream and acknowledges them. */
async function deadLetter(
  target: BatchTarget,
  dead: readonly { id: string; fields: Record<string, string>; error: string }[],
): Promise<void> {
  const { client, config, log } = target;
  const { stream, group, deadLetterStream } = config;
  for (const { id, fields, error } of dead) {
    await client.xAdd(deadLetterStream, "*", { ...fields, error, entry: id });
  }
  await client.xAck(
    stream,
    group,
    dead.map((d) => d.id),
  );
  for (const { id, error } of dead) {
    log("warn", `redis stream ${stream}: entry ${id} is not a document; moved to ${deadLetterStream}`, {
      stream,
      entry: id,
      error,
    });
  }
}

/**
 * Dead-letters what is not a document, submits the rest as one batch, and acknowledges both;
 * `counts` goes up as each step is done.
 *
 * @example
 * await handleEntries({ config, client, sink, log }, entries, counts, signal);
 */
export async function handleEntries(
  target: BatchTarget,
  entries: readonly StreamEntry[],
  counts: RedisStreamCounts,
  stop: AbortSignal,
): Promise<void> {
  const { stream, group } = target.config;
  const docs: MonitorDocumentInput[] = [];
  const docIds: string[] = [];
  const gone: string[] = [];
  const dead: { id: string; fields: Record<string, string>; error: string }[] = [];
  for (const entry of entries) {
    if (entry.fields === null) {
      gone.push(entry.id);
      continue;
    }
    try {
      docs.push(entryDocument(entry.fields, { field: `${stream}/${entry.id}` }, stream));
      docIds.push(entry.id);
    } catch (error) {
      const message = error instanceof TextkitError ? error.describe() : describeError(error);
      dead.push({ id: entry.id, fields: entry.fields, error: message });
    }
  }
  if (gone.length > 0) await target.client.xAck(stream, group, gone);
  if (dead.length > 0) {
    await deadLetter(target, dead);
    counts.deadLettered += dead.length;
  }
  if (docs.length === 0) return;
  const outcome = await submitUntilTaken(target.sink, docs, stop);
  await target.client.xAck(stream, group, docIds);
  counts.processed += docIds.length;
  counts.duplicates += outcome.duplicates;
}

/** Submits until the sink takes the batch: MONITOR_BUSY waits as asked (and `stop` ends the wait). */
async function submitUntilTaken(
  sink: DocumentSink,
  docs: readonly MonitorDocumentInput[],
  stop: AbortSignal,
): Promise<IngestOutcome> {
  for (;;) {
    try {
      return await sink.submit(docs);
    } catch (error) {
      if (!(error instanceof TextkitError) || error.code !== "MONITOR_BUSY") throw error;
      await abortableSleep(retryDelayMs(error), stop);
    }
  }
}

/** The pause after `ms`: 200 ms, then doubling, at most MAX_ERROR_BACKOFF_MS. */
export function nextBackoff(ms: number): number {
  return Math.min(ms === 0 ? 200 : ms * 2, MAX_ERROR_BACKOFF_MS);
}

/** Resolves when one of `promises` settles or after `ms`, whichever is first. */
export async function waitForAny(promises: ReadonlySet<Promise<void>>, ms: number): Promise<void> {
  await settlesWithin(Promise.race(promises), ms);
}

/** True when `promise` settles (either way) within `ms`. */
export async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([
      promise.then(
        () => true,
        () => true,
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
