/**
 * The Redis Streams source of the monitor: one consumer of a consumer group, so that
 * ingestion scales by starting more processes. An entry is acknowledged only after the
 * pipeline has stored its document, and entries that are not documents go to a dead-letter
 * stream with the reason, so that nothing is lost silently and nothing blocks the stream.
 *
 * Takeover: a live consumer refreshes the idle time of the entries it works on (a
 * heartbeat every claimIdleMs/4), so entries idle longer than `claimIdleMs` belong to a
 * consumer that died, and the others take them over at their next scan (at most a second
 * apart). A batch a live consumer has held 12 claimIdle without storing it (a hung sink) is
 * let go to the others too. A dead consumer's name, once it holds nothing, is removed from
 * the group after `removeIdleMs`.
 */
import { hostname } from "node:os";
import { TextkitError } from "../../core/index.ts";
import type { RedisStreamConfig } from "./config.ts";
import type { DocumentSink } from "./document.ts";
import {
  handleEntries,
  nextBackoff,
  type RedisStreamCounts,
  settlesWithin,
  waitForAny,
} from "./redis-stream-batch.ts";
import {
  autoClaim,
  type Client,
  ensureGroup,
  makeClient,
  pendingIds,
  readGroup,
  redact,
  removeIdleConsumers,
  type StreamEntry,
  touchEntries,
} from "./redis-stream-commands.ts";
import { abortableSleep, describeError, type SourceLog } from "./source-errors.ts";

/**
 * Longest blocking read (shorter when claimIdleMs is shorter, so that claims are not late).
 * It bounds how long `stop()` waits for a read in progress; an idle consumer costs Redis one
 * empty read a second.
 */
export const DEFAULT_BLOCK_MS = 1000;
export const DEFAULT_STOP_TIMEOUT_MS = 10_000;
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
/**
 * Batches in the sink at once; each is acknowledged when it is stored. Two let one batch be
 * stored while the next is classified; 4 measured no faster in bench:monitor-scaleout (on a
 * shared 2-core machine), and hold more entries that a crash leaves to be taken over.
 */
const READ_AHEAD = 2;
/**
 * A live consumer keeps its entries fresh for at most this many claimIdle (1 minute by
 * default); a batch its sink has not stored by then is taken over as if it had died.
 */
const HOLD_LIMIT_IDLES = 12;
/** Longest pause between two looks for entries other consumers left idle. */
const MAX_SCAN_INTERVAL_MS = 1000;
/** Connection errors repeat on every reconnection attempt; the log gets one per this many ms. */
const ERROR_LOG_INTERVAL_MS = 30_000;

/** How often the loop scans for idle entries, keeps its own fresh, and removes idle consumers. */
interface LoopTiming {
  claimEveryMs: number;
  heartbeatEveryMs: number;
  removeEveryMs: number;
}

/** What the read loop carries from one turn to the next. */
interface LoopState {
  /** The batches in the sink. */
  inFlight: Set<Promise<void>>;
  /** Where the reading of this consumer's own pending entries is; null once they are all read. */
  ownCursor: string | null;
  claimCursor: string;
  lastClaimAt: number;
  lastPendingAt: number;
  lastHeartbeatAt: number;
  lastRemoveAt: number;
  needGroup: boolean;
  /**
   * Pauses after an error of Redis, and after a failed batch: a batch that keeps failing
   * backs off even while reads succeed, so that its entries age and another consumer takes them.
   */
  backoff: number;
  batchBackoff: number;
  failure: { error: unknown } | null;
  ackedSinceRefresh: boolean;
}

export interface RedisStreamStatus {
  stream: string;
  group: string;
  consumer: string;
  connected: boolean;
  lastReadAt: string | null;
  /** Entries whose documents the sink took (stored or duplicate) and that were acknowledged. */
  processed: number;
  /** Of those, documents the sink had already. */
  duplicates: number;
  /** Entries moved to the dead-letter stream. */
  deadLettered: number;
  /** Entries of the group read but not yet acknowledged (by any consumer), as last seen; null before the first look. */
  pending: number | null;
  lastError: string | null;
}

export interface RedisStreamConsumerOptions {
  config: RedisStreamConfig;
  sink: DocumentSink;
  log?: SourceLog;
  /** Milliseconds since 1970 (tests pass a clock). */
  now?: () => number;
  /** Longest wait of one blocking read (default 1000 ms, at most claimIdleMs). */
  blockMs?: number;
  /** How long `stop()` waits for the batch in hand before it drops the connection (default 10 s). */
  stopTimeoutMs?: number;
  /** How long `start()` waits for Redis (default 10 s). */
  connectTimeoutMs?: number;
}

/**
 * Reads the configured stream as one consumer of its group and submits the entries'
 * documents. The constructor only stores settings; `start()` connects.
 *
 * An entry holds either a field `doc` with a JSON object, or flat fields (text, title, id,
 * source, url, lang, publishedAt); a document without a source gets the stream's name.
 *
 * @example
 * const consumer = new RedisStreamConsumer({ config: config.redis, sink: pipeline, log });
 * await consumer.start();
 * consumer.status(); // { stream: "posts", group: "textkit-monitor", processed: 120, ... }
 * await consumer.stop();
 */
export class RedisStreamConsumer {
  private readonly config: RedisStreamConfig;
  private readonly sink: DocumentSink;
  private readonly log: SourceLog;
  private readonly now: () => number;
  private readonly consumer: string;
  private readonly blockMs: number;
  private readonly stopTimeoutMs: number;
  private readonly connectTimeoutMs: number;

  private client: Client | undefined;
  private loop: Promise<void> | undefined;
  private stopping: AbortController | undefined;
  private lastReadAt: number | null = null;
  private readonly counts: RedisStreamCounts = { processed: 0, duplicates: 0, deadLettered: 0 };
  private pending: number | null = null;
  private lastError: string | null = null;
  private lastErrorLoggedAt = Number.NEGATIVE_INFINITY;
  /** Entries read and not yet acknowledged or given up by this process, with when they were taken. */
  private readonly inHand = new Map<string, number>();

  constructor(options: RedisStreamConsumerOptions) {
    this.config = options.config;
    this.sink = options.sink;
    this.log = options.log ?? (() => undefined);
    this.now = options.now ?? Date.now;
    this.consumer = options.config.consumer ?? `${hostname()}-${process.pid}`;
    this.blockMs = Math.max(10, Math.min(options.blockMs ?? DEFAULT_BLOCK_MS, options.config.claimIdleMs));
    this.stopTimeoutMs = options.stopTimeoutMs ?? DEFAULT_STOP_TIMEOUT_MS;
    this.connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  }

  /**
   * Connects, creates the consumer group (and the stream) when they do not exist, and starts
   * the read loop in the background. Throws SOURCE_UNAVAILABLE when Redis cannot be reached
   * within connectTimeoutMs; once running, connection losses are logged and retried.
   */
  async start(): Promise<void> {
    if (this.loop !== undefined) return;
    const { url, stream, group } = this.config;
    const client = makeClient(url, this.connectTimeoutMs);
    // Without a listener an 'error' event would end the process.
    client.on("error", (error: unknown) => this.noteError(`redis ${redact(url)}: ${describeError(error)}`));
    client.on("ready", () => this.log("info", `redis stream ${stream}: connected`, { stream, group }));

    const connecting = client.connect();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), this.connectTimeoutMs);
    });
    try {
      const outcome = await Promise.race([connecting.then(() => "ok" as const), timedOut]);
      if (outcome === "timeout") {
        throw new TextkitError(
          "SOURCE_UNAVAILABLE",
          `could not connect to Redis at ${redact(url)} within ${this.connectTimeoutMs} ms${this.lastError === null ? "" : ` (${this.lastError})`}`,
          { details: { url: redact(url), stream } },
        );
      }
      await this.ensureGroup(client);
    } catch (error) {
      connecting.catch(() => undefined);
      client.destroy();
      if (error instanceof TextkitError) throw error;
      throw new TextkitError(
        "SOURCE_UNAVAILABLE",
        `could not set up the consumer group ${group} on the Redis stream ${stream}: ${describeError(error)}`,
        { cause: error, details: { url: redact(url), stream, group } },
      );
    } finally {
      clearTimeout(timer);
    }
    this.client = client;
    this.stopping = new AbortController();
    this.loop = this.run(client, this.stopping.signal);
  }

  /**
   * Stops reading, lets the batch in hand be submitted and acknowledged (for at most
   * stopTimeoutMs), then disconnects. Returns also when Redis is gone.
   */
  async stop(): Promise<void> {
    const client = this.client;
    const loop = this.loop;
    if (client === undefined || loop === undefined) return;
    this.stopping?.abort();
    const finished = await settlesWithin(loop, this.stopTimeoutMs);
    if (!finished) {
      this.log(
        "warn",
        `redis stream ${this.config.stream}: the batch in hand did not finish; it stays pending`,
        {
          stream: this.config.stream,
        },
      );
    }
    // A graceful close sends what is queued (the last acknowledgements); destroy ends whatever is left.
    if (finished && client.isReady) await settlesWithin(client.close(), 2000);
    client.destroy();
    this.client = undefined;
    this.loop = undefined;
    this.stopping = undefined;
  }

  /** What the dashboard shows; `pending` is as last seen by the loop, so this never waits on Redis. */
  status(): RedisStreamStatus {
    return {
      stream: this.config.stream,
      group: this.config.group,
      consumer: this.consumer,
      connected: this.client?.isReady ?? false,
      lastReadAt: this.lastReadAt === null ? null : new Date(this.lastReadAt).toISOString(),
      ...this.counts,
      pending: this.pending,
      lastError: this.lastError,
    };
  }

  private noteError(message: string): void {
    this.lastError = message;
    const now = this.now();
    if (now - this.lastErrorLoggedAt >= ERROR_LOG_INTERVAL_MS) {
      this.lastErrorLoggedAt = now;
      this.log("warn", message, { stream: this.config.stream });
    }
  }

  private async ensureGroup(client: Client): Promise<void> {
    const { stream, group, startFrom } = this.config;
    if (await ensureGroup(client, this.config)) {
      this.log("info", `redis stream ${stream}: created consumer group ${group}`, {
        stream,
        group,
        startFrom,
      });
    }
  }

  /**
   * The loop: this consumer's own pending entries first (left by a crash or a failed batch),
   * then, in turn, entries idle too long elsewhere and new entries. Up to READ_AHEAD batches
   * are in the sink at once, so that one consumer keeps the ingest queue's workers busy; the
   * sink's MONITOR_BUSY holds the batches back, and with them the reading.
   */
  private async run(client: Client, stop: AbortSignal): Promise<void> {
    const { claimIdleMs, removeIdleMs } = this.config;
    const timing: LoopTiming = {
      claimEveryMs: Math.max(50, Math.min(claimIdleMs / 4, MAX_SCAN_INTERVAL_MS)),
      heartbeatEveryMs: Math.max(25, claimIdleMs / 4),
      removeEveryMs: Math.max(100, Math.min(removeIdleMs / 2, 60_000)),
    };
    const s: LoopState = {
      inFlight: new Set(),
      ownCursor: "0",
      claimCursor: "0-0",
      lastClaimAt: Number.NEGATIVE_INFINITY,
      lastPendingAt: Number.NEGATIVE_INFINITY,
      lastHeartbeatAt: this.now(),
      lastRemoveAt: Number.NEGATIVE_INFINITY,
      needGroup: false,
      backoff: 0,
      batchBackoff: 0,
      failure: null,
      ackedSinceRefresh: false,
    };
    while (!stop.aborted) {
      let batchFailed = false;
      try {
        if (s.failure !== null) {
          const { error } = s.failure;
          s.failure = null;
          batchFailed = true;
          throw error;
        }
        if (await this.turn(client, stop, s, timing)) s.backoff = 0;
      } catch (error) {
        if (stop.aborted) break;
        await this.recover(error, batchFailed, s, stop);
      }
    }
    // stop(): the batches in the sink are acknowledged when they are stored (stop bounds the wait).
    await Promise.allSettled([...s.inFlight]);
  }

  /** One turn of the loop; false when it only waited for a batch in the sink. */
  private async turn(client: Client, stop: AbortSignal, s: LoopState, timing: LoopTiming): Promise<boolean> {
    if (s.needGroup) {
      await this.ensureGroup(client);
      s.needGroup = false;
    }
    if (s.inFlight.size > 0 && this.now() - s.lastHeartbeatAt >= timing.heartbeatEveryMs) {
      s.lastHeartbeatAt = this.now();
      await this.heartbeat(client);
    }
    if (this.now() - s.lastRemoveAt >= timing.removeEveryMs) {
      s.lastRemoveAt = this.now();
      await this.removeIdleConsumers(client);
    }
    if (s.inFlight.size >= READ_AHEAD) {
      await waitForAny(s.inFlight, timing.heartbeatEveryMs);
      return false;
    }
    // Reading the pending list again returns the batches still in the sink: those are not submitted twice.
    const entries = (await this.nextEntries(client, s, timing)).filter((e) => !this.inHand.has(e.id));
    this.lastReadAt = this.now();
    if (entries.length > 0) this.startBatch(client, entries, stop, s);
    else if (s.inFlight.size > 0)
      await waitForAny(s.inFlight, Math.min(this.blockMs, timing.heartbeatEveryMs));
    // Pending as Redis sees it: after acknowledgements, while it is not zero, and now and then.
    const sinceRefresh = this.now() - s.lastPendingAt;
    if (
      s.ackedSinceRefresh ||
      (this.pending !== 0 && entries.length === 0 && sinceRefresh >= Math.min(this.blockMs, 1000)) ||
      sinceRefresh > 5000
    ) {
      s.ackedSinceRefresh = false;
      s.lastPendingAt = this.now();
      await this.refreshPending(client);
    }
    return true;
  }

  /** This consumer's own pending entries, else (in turn) entries idle elsewhere, else new ones. */
  private async nextEntries(client: Client, s: LoopState, timing: LoopTiming): Promise<StreamEntry[]> {
    if (s.ownCursor !== null) {
      const entries = await this.read(client, s.ownCursor, false);
      s.ownCursor = entries.at(-1)?.id ?? null;
      return entries;
    }
    if (this.now() - s.lastClaimAt >= timing.claimEveryMs && !this.holdsStuckBatch()) {
      const claimed = await this.claim(client, s.claimCursor);
      s.claimCursor = claimed.next;
      // A scan that has not reached the end goes on at once.
      s.lastClaimAt = s.claimCursor === "0-0" ? this.now() : Number.NEGATIVE_INFINITY;
      const entries = claimed.entries.filter((e) => !this.inHand.has(e.id));
      if (entries.length > 0) {
        this.log("info", `redis stream ${this.config.stream}: took over ${entries.length} idle entries`, {
          stream: this.config.stream,
          entries: entries.length,
        });
      }
      return entries;
    }
    // A blocking read would hold the connection, and with it the acknowledgements of the batches in the sink.
    return this.read(client, ">", s.inFlight.size === 0);
  }

  /** Hands a batch to the sink in the background; a failure is kept for the loop to back off on. */
  private startBatch(client: Client, entries: StreamEntry[], stop: AbortSignal, s: LoopState): void {
    const takenAt = this.now();
    for (const e of entries) this.inHand.set(e.id, takenAt);
    const target = { config: this.config, client, sink: this.sink, log: this.log };
    const batch: Promise<void> = handleEntries(target, entries, this.counts, stop)
      .then(() => {
        s.ackedSinceRefresh = true;
        s.batchBackoff = 0;
      })
      .catch((error: unknown) => {
        // Its entries stay in this consumer's pending list: the loop reads them again after a pause.
        s.failure ??= { error };
      })
      .finally(() => {
        for (const e of entries) this.inHand.delete(e.id);
        s.inFlight.delete(batch);
      });
    s.inFlight.add(batch);
  }

  /** After an error: a lost group is made again, the own pending entries read again, after a pause. */
  private async recover(
    error: unknown,
    batchFailed: boolean,
    s: LoopState,
    stop: AbortSignal,
  ): Promise<void> {
    // NOGROUP: Redis lost the group (a restart without persistence): make it again.
    if (error instanceof Error && error.message.startsWith("NOGROUP")) s.needGroup = true;
    // A failed batch stays in this consumer's pending list: read it again after the pause.
    s.ownCursor = "0";
    if (batchFailed) s.batchBackoff = nextBackoff(s.batchBackoff);
    else s.backoff = nextBackoff(s.backoff);
    const pause = batchFailed ? s.batchBackoff : s.backoff;
    this.lastError = describeError(error);
    this.log("warn", `redis stream ${this.config.stream}: ${this.lastError}; retrying in ${pause} ms`, {
      stream: this.config.stream,
    });
    await abortableSleep(pause, stop).catch(() => undefined);
  }

  /**
   * True while a batch in hand is older than the hold limit: this consumer's sink is stuck,
   * so it takes over nothing (its scans would also claim, and so refresh, its own stuck
   * entries, which are meant for the others).
   */
  private holdsStuckBatch(): boolean {
    const limit = this.now() - HOLD_LIMIT_IDLES * this.config.claimIdleMs;
    for (const takenAt of this.inHand.values()) if (takenAt <= limit) return true;
    return false;
  }

  /**
   * Keeps the entries in hand from looking idle, so that a batch that takes longer than
   * claimIdleMs (a busy sink, a slow database) is not taken over by another consumer while
   * this one is alive. Only entries this consumer still owns are touched: XCLAIM would take
   * back an entry another consumer has already claimed.
   */
  private async heartbeat(client: Client): Promise<void> {
    if (this.inHand.size === 0) return;
    // A batch stuck this long (a sink that hangs while the process lives) is let go to the others.
    const heldSince = this.now() - HOLD_LIMIT_IDLES * this.config.claimIdleMs;
    const owned = await pendingIds(
      client,
      this.config,
      this.consumer,
      this.inHand.size + READ_AHEAD * this.config.batchSize,
    );
    const ids = owned.filter((id) => {
      const takenAt = this.inHand.get(id);
      return takenAt !== undefined && takenAt > heldSince;
    });
    await touchEntries(client, this.config, this.consumer, ids);
  }

  /**
   * Removes from the group the consumers that hold nothing and have been idle longer than
   * removeIdleMs: each process that was restarted left one under its old name.
   */
  private async removeIdleConsumers(client: Client): Promise<void> {
    const { stream, group } = this.config;
    const removed = await removeIdleConsumers(client, this.config, this.consumer);
    if (removed.length > 0) {
      this.log("info", `redis stream ${stream}: removed ${removed.length} idle consumers from ${group}`, {
        stream,
        group,
        consumers: removed,
      });
    }
  }

  private read(client: Client, id: string, block: boolean): Promise<StreamEntry[]> {
    return readGroup(client, this.config, this.consumer, id, block ? this.blockMs : null);
  }

  private claim(client: Client, cursor: string): Promise<{ next: string; entries: StreamEntry[] }> {
    return autoClaim(client, this.config, this.consumer, cursor);
  }

  private async refreshPending(client: Client): Promise<void> {
    try {
      const summary = await client.xPending(this.config.stream, this.config.group);
      this.pending = Number(summary.pending);
    } catch {
      // Only for the dashboard; the next batch tries again.
    }
  }
}
