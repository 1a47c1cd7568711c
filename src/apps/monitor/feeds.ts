/**
 * The RSS/Atom source of the monitor: polls each configured feed on its interval, turns new
 * items into documents and hands them to the pipeline. What it must remember between polls
 * (validators for conditional GET, failures for backoff, when to poll next) lives in the
 * application database, so a restart does not re-read every feed at once, and several
 * server processes sharing PostgreSQL take turns on a feed through a short lease instead of
 * each polling it.
 */
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { type ErrorCode, TextkitError } from "../../core/index.ts";
import type { Database } from "../../store/index.ts";
import type { FeedSourceConfig } from "./config.ts";
import type { DocumentSink, MonitorDocumentInput } from "./document.ts";
import {
  DEFAULT_FEED_MAX_BYTES,
  DEFAULT_FEED_TIMEOUT_MS,
  type FeedFetchSettings,
  fetchFeed,
} from "./feed-fetch.ts";
import { hostOf } from "./feed-parser.ts";
import { type FeedPollEnd, FeedTable, toNumber } from "./feed-state.ts";
import { abortableSleep, describeError, retryDelayMs, type SourceLog } from "./source-errors.ts";

/** Documents handed to the sink in one call. */
export const FEED_SUBMIT_CHUNK = 200;
/** Times one chunk is offered again while the pipeline answers MONITOR_BUSY. */
export const FEED_MAX_BUSY_RETRIES = 20;
/** Longest delay between polls of a failing feed. */
export const FEED_MAX_BACKOFF_MS = 60 * 60_000;
export { DEFAULT_FEED_MAX_BYTES, DEFAULT_FEED_TIMEOUT_MS, FEED_USER_AGENT } from "./feed-fetch.ts";
export { FEED_LEASE_MS } from "./feed-state.ts";

export const FEED_POLL_STATUSES = ["ok", "not_modified", "failed", "leased", "stopped"] as const;
/**
 * ok: fetched and every item submitted; not_modified: the server answered 304; failed: see
 * `error`; leased: another process (or poll) holds the feed now; stopped: `stop()` ended it.
 */
export type FeedPollStatus = (typeof FEED_POLL_STATUSES)[number];

export interface FeedPollResult {
  url: string;
  status: FeedPollStatus;
  /** Items in the fetched document. */
  itemsFound: number;
  /** Items the sink stored as new documents. */
  stored: number;
  /** Items the sink had already. */
  duplicates: number;
  /** Items that could not become documents (no text and no title, a value out of bounds). */
  skipped: number;
  notModified: boolean;
  error: { code: ErrorCode; message: string } | null;
}

export interface FeedStatus {
  url: string;
  /** The configured name, else the feed's own title once it was read, else the URL's host. */
  name: string;
  lastPolledAt: string | null;
  lastStatus: "ok" | "not_modified" | "failed" | null;
  lastError: string | null;
  lastErrorCode: string | null;
  /** Failed polls in a row (the backoff's exponent). */
  failures: number;
  /** Documents this feed added, over all polls. */
  itemsTotal: number;
  nextPollAt: string | null;
}

export interface FeedPollerOptions {
  db: Database;
  sink: DocumentSink;
  feeds: readonly FeedSourceConfig[];
  log?: SourceLog;
  /** Milliseconds since 1970 (tests pass a clock). */
  now?: () => number;
  fetch?: typeof fetch;
  /** This process's name in leases (default: host, process id and a random suffix). */
  owner?: string;
  /** Longest wait for a feed's answer, body included (default 15 s). */
  timeoutMs?: number;
  /** Largest feed document read (default 10 MiB). */
  maxBytes?: number;
}

function iso(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

/**
 * Polls the configured RSS 2.0, RSS 1.0 (RDF) and Atom 1.0 feeds and submits their items.
 * The constructor only stores settings; `start()` creates the table and starts the timers.
 *
 * @example
 * const poller = new FeedPoller({ db, sink: pipeline, feeds: config.feeds, log });
 * await poller.start();
 * await poller.pollOnce("https://example.com/news.xml"); // { status: "ok", itemsFound: 20, stored: 3, ... }
 * await poller.stop();
 */
export class FeedPoller {
  private readonly table: FeedTable;
  private readonly sink: DocumentSink;
  private readonly feeds: ReadonlyMap<string, FeedSourceConfig>;
  private readonly log: SourceLog;
  private readonly now: () => number;
  private readonly owner: string;
  private readonly fetching: FeedFetchSettings;

  private ready: Promise<void> | undefined;
  private running = false;
  private stopping: AbortController | undefined;
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** Timer turns in progress (reading the state, polling), so that stop() can wait for them. */
  private readonly turns = new Set<Promise<void>>();
  /** The poll in progress per feed in this process, so that stop() can wait for it. */
  private readonly inFlight = new Map<string, Promise<FeedPollResult>>();

  constructor(options: FeedPollerOptions) {
    this.sink = options.sink;
    this.feeds = new Map(options.feeds.map((f) => [f.url, f]));
    this.log = options.log ?? (() => undefined);
    this.now = options.now ?? Date.now;
    this.owner = options.owner ?? `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
    this.table = new FeedTable(options.db, this.owner);
    this.fetching = {
      fetch: options.fetch ?? fetch,
      timeoutMs: options.timeoutMs ?? DEFAULT_FEED_TIMEOUT_MS,
      maxBytes: options.maxBytes ?? DEFAULT_FEED_MAX_BYTES,
      log: this.log,
    };
  }

  /** Creates or upgrades the feed table, then polls each feed when it is due and on its interval after. */
  async start(): Promise<void> {
    if (this.running) return;
    await this.prepare();
    this.running = true;
    this.stopping = new AbortController();
    for (const url of this.feeds.keys()) this.schedule(url, 0);
  }

  /** Stops the timers and waits for the polls in progress (which end early: fetches and busy waits are aborted). */
  async stop(): Promise<void> {
    this.running = false;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    this.stopping?.abort();
    // A later pollOnce (a CLI command after stop) gets a fresh signal.
    this.stopping = undefined;
    // Once this resolves nothing of the poller touches the database: the caller may close it.
    await Promise.allSettled([...this.inFlight.values(), ...this.turns]);
  }

  /**
   * Polls one configured feed now, whether or not it is due (another process's lease is
   * still respected: the result is then "leased"). Never throws for a feed's failure; the
   * result and the feed's state say what went wrong.
   */
  async pollOnce(url: string): Promise<FeedPollResult> {
    if (!this.feeds.has(url)) {
      throw new TextkitError(
        "OPTION_INVALID",
        `no feed ${url} is configured; the feeds are ${[...this.feeds.keys()].join(", ") || "none"}`,
        { details: { url } },
      );
    }
    await this.prepare();
    return this.poll(url, false);
  }

  /** Each configured feed's state, in configuration order, for the dashboard. */
  async status(): Promise<FeedStatus[]> {
    await this.prepare();
    const rows = await this.table.rows();
    const byUrl = new Map(rows.map((r) => [r.url, r]));
    return [...this.feeds.values()].map((feed) => {
      const row = byUrl.get(feed.url);
      const status = row?.last_status ?? null;
      return {
        url: feed.url,
        name: feed.name ?? row?.title ?? hostOf(feed.url),
        lastPolledAt: iso(toNumber(row?.last_polled_at ?? null)),
        lastStatus: status === "ok" || status === "not_modified" || status === "failed" ? status : null,
        lastError: row?.last_error ?? null,
        lastErrorCode: row?.last_error_code ?? null,
        failures: Number(row?.failures ?? 0),
        itemsTotal: Number(row?.items_total ?? 0),
        nextPollAt: iso(toNumber(row?.next_poll_at ?? null)),
      };
    });
  }

  private prepare(): Promise<void> {
    this.ready ??= (async () => {
      await this.table.prepare(this.feeds.keys());
    })().catch((error: unknown) => {
      this.ready = undefined;
      throw error;
    });
    return this.ready;
  }

  private schedule(url: string, delayMs: number): void {
    if (!this.running) return;
    const timer = setTimeout(
      () => {
        const turn = this.tick(url).finally(() => this.turns.delete(turn));
        this.turns.add(turn);
      },
      Math.max(0, delayMs),
    );
    timer.unref();
    this.timers.set(url, timer);
  }

  /** One turn of a feed's timer: poll when due (and not leased elsewhere), then set the next turn. */
  private async tick(url: string): Promise<void> {
    this.timers.delete(url);
    if (!this.running) return;
    const intervalMs = this.intervalMs(url);
    let delay = intervalMs;
    try {
      const row = await this.table.row(url);
      const next = toNumber(row?.next_poll_at ?? null);
      if (next === null || next <= this.now()) await this.poll(url, true);
      const after = await this.table.row(url);
      const now = this.now();
      const nextPoll = toNumber(after?.next_poll_at ?? null) ?? now + intervalMs;
      const leaseUntil = toNumber(after?.lease_until ?? null);
      // Another process holds the feed: look again when its lease runs out or it is due.
      delay =
        leaseUntil !== null && leaseUntil > now && after?.lease_owner !== this.owner
          ? Math.min(leaseUntil, Math.max(nextPoll, now + 1000)) - now
          : nextPoll - now;
    } catch (error) {
      // The database failed (a poll itself never throws): try again after one interval.
      this.log("error", `feed ${url}: could not read or write its state`, {
        url,
        error: describeError(error),
      });
    }
    this.schedule(url, Math.max(delay, 10));
  }

  private intervalMs(url: string): number {
    return (this.feeds.get(url)?.intervalMinutes ?? 5) * 60_000;
  }

  /** Polls `url` unless this process polls it already; `dueOnly` also skips a feed not yet due. */
  private poll(url: string, dueOnly: boolean): Promise<FeedPollResult> {
    const running = this.inFlight.get(url);
    if (running !== undefined) return running;
    const promise = this.pollLeased(url, dueOnly).finally(() => this.inFlight.delete(url));
    this.inFlight.set(url, promise);
    return promise;
  }

  private async pollLeased(url: string, dueOnly: boolean): Promise<FeedPollResult> {
    const result: FeedPollResult = {
      url,
      status: "leased",
      itemsFound: 0,
      stored: 0,
      duplicates: 0,
      skipped: 0,
      notModified: false,
      error: null,
    };
    const feed = this.feeds.get(url);
    if (feed === undefined || !(await this.table.lease(url, this.now(), dueOnly))) return result;

    this.stopping ??= new AbortController();
    const stop = this.stopping.signal;
    const row = await this.table.row(url);
    try {
      const fetched = await fetchFeed(
        feed,
        { etag: row?.etag ?? null, lastModified: row?.last_modified ?? null },
        this.fetching,
        stop,
      );
      if (fetched.kind === "not_modified") {
        result.status = "not_modified";
        result.notModified = true;
        await this.finish(url, { status: "not_modified" });
        this.log("info", `feed ${url}: not modified`, { url });
        return result;
      }
      result.itemsFound = fetched.found;
      result.skipped = fetched.skipped;
      const outcome = await this.submitAll(fetched.items, stop);
      result.stored = outcome.stored;
      result.duplicates = outcome.duplicates;
      result.status = "ok";
      // The validators are kept only now: had a chunk failed, the next poll reads the feed again.
      await this.finish(url, {
        status: "ok",
        etag: fetched.etag,
        lastModified: fetched.lastModified,
        title: fetched.title,
        stored: outcome.stored,
      });
      this.log("info", `feed ${url}: ${fetched.found} items, ${outcome.stored} new`, {
        url,
        items: fetched.found,
        stored: outcome.stored,
        duplicates: outcome.duplicates,
        skipped: fetched.skipped,
      });
      return result;
    } catch (error) {
      if (stop.aborted) {
        // Not the feed's fault: leave its schedule, so that the next process start polls it.
        result.status = "stopped";
        await this.table.release(url).catch(() => undefined);
        return result;
      }
      const coded =
        error instanceof TextkitError
          ? error
          : new TextkitError("INTERNAL", `polling ${url} failed: ${describeError(error)}`, { cause: error });
      result.status = "failed";
      result.error = { code: coded.code, message: coded.message };
      const failures = Number(row?.failures ?? 0) + 1;
      const delay = this.backoffMs(url, failures);
      await this.finish(url, { status: "failed", error: coded, failures, delayMs: delay });
      this.log("warn", `feed ${url}: ${coded.message}; next try in ${Math.round(delay / 1000)} s`, {
        url,
        code: coded.code,
        failures,
      });
      return result;
    }
  }

  /** interval x 2^failures, at most an hour (or the interval, when that is longer). */
  private backoffMs(url: string, failures: number): number {
    const interval = this.intervalMs(url);
    return Math.max(interval, Math.min(interval * 2 ** Math.min(failures, 30), FEED_MAX_BACKOFF_MS));
  }

  /** Records a poll's end and frees the lease (when it is still ours; the state is written either way). */
  private finish(url: string, end: FeedPollEnd): Promise<void> {
    return this.table.finish(url, this.now(), this.intervalMs(url), end);
  }

  /** Submits in chunks; MONITOR_BUSY waits the time the pipeline asks for and offers the chunk again. */
  private async submitAll(
    docs: readonly MonitorDocumentInput[],
    stop: AbortSignal,
  ): Promise<{ stored: number; duplicates: number }> {
    let stored = 0;
    let duplicates = 0;
    for (let start = 0; start < docs.length; start += FEED_SUBMIT_CHUNK) {
      const chunk = docs.slice(start, start + FEED_SUBMIT_CHUNK);
      for (let attempt = 0; ; attempt++) {
        stop.throwIfAborted();
        try {
          const outcome = await this.sink.submit(chunk);
          stored += outcome.stored;
          duplicates += outcome.duplicates;
          break;
        } catch (error) {
          if (!(error instanceof TextkitError) || error.code !== "MONITOR_BUSY") throw error;
          if (attempt >= FEED_MAX_BUSY_RETRIES) {
            throw new TextkitError(
              "MONITOR_BUSY",
              `the monitor stayed busy through ${FEED_MAX_BUSY_RETRIES} retries; the feed is read again at its next poll`,
              { cause: error, details: error.details },
            );
          }
          await abortableSleep(retryDelayMs(error), stop);
        }
      }
    }
    return { stored, duplicates };
  }
}
