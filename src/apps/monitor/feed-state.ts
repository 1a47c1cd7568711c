/**
 * What the feed poller remembers between polls, in the application database: one row per
 * feed with its validators, failures, next poll and the lease that lets one process at a
 * time poll it. SQLite and PostgreSQL alike (numbers may come back as strings from pg).
 */
import type { TextkitError } from "../../core/index.ts";
import type { Database } from "../../store/index.ts";

const MIGRATIONS = [
  `CREATE TABLE monitor_feeds (
    url TEXT PRIMARY KEY,
    title TEXT,
    etag TEXT,
    last_modified TEXT,
    next_poll_at BIGINT,
    failures BIGINT NOT NULL DEFAULT 0,
    lease_owner TEXT,
    lease_until BIGINT,
    last_polled_at BIGINT,
    last_status TEXT,
    last_error TEXT,
    last_error_code TEXT,
    items_total BIGINT NOT NULL DEFAULT 0
  )`,
] as const;

/**
 * How a process holds a feed against the others while it polls. Longer than any poll should
 * take (fetch timeout plus busy retries); a process that dies holding one frees the feed after it.
 */
export const FEED_LEASE_MS = 5 * 60_000;

/** A feed's row as the database returns it. */
export interface FeedRow {
  url: string;
  title: string | null;
  etag: string | null;
  last_modified: string | null;
  next_poll_at: number | string | null;
  failures: number | string;
  lease_owner: string | null;
  lease_until: number | string | null;
  last_polled_at: number | string | null;
  last_status: string | null;
  last_error: string | null;
  last_error_code: string | null;
  items_total: number | string;
}

/** A number column, which PostgreSQL's BIGINT returns as a string. */
export function toNumber(value: number | string | null): number | null {
  return value === null ? null : Number(value);
}

/** How a poll ended, as recorded. */
export type FeedPollEnd =
  | { status: "not_modified" }
  | { status: "ok"; etag: string | null; lastModified: string | null; title: string | null; stored: number }
  | { status: "failed"; error: TextkitError; failures: number; delayMs: number };

/**
 * The monitor_feeds table, seen by one process (`owner` in leases).
 *
 * @example
 * const table = new FeedTable(db, "host-12-ab12cd34");
 * await table.prepare(["https://example.com/news.xml"]);
 * if (await table.lease(url, Date.now(), false)) { ... await table.finish(url, Date.now(), 300_000, { status: "not_modified" }); }
 */
export class FeedTable {
  constructor(
    private readonly db: Database,
    private readonly owner: string,
  ) {}

  /** Creates or upgrades the table and adds a row for each feed it lacks. */
  async prepare(urls: Iterable<string>): Promise<void> {
    await this.db.migrate("monitor_feeds", MIGRATIONS);
    for (const url of urls) {
      await this.db.run(
        "INSERT INTO monitor_feeds (url, failures, items_total) VALUES (?, 0, 0) ON CONFLICT (url) DO NOTHING",
        [url],
      );
    }
  }

  async rows(): Promise<FeedRow[]> {
    return this.db.query<FeedRow>("SELECT * FROM monitor_feeds");
  }

  async row(url: string): Promise<FeedRow | undefined> {
    const rows = await this.db.query<FeedRow>("SELECT * FROM monitor_feeds WHERE url = ?", [url]);
    return rows[0];
  }

  /** Takes the feed's lease when no one holds it (and, with `dueOnly`, when it is due); true when taken. */
  async lease(url: string, now: number, dueOnly: boolean): Promise<boolean> {
    const lease = await this.db.run(
      `UPDATE monitor_feeds SET lease_owner = ?, lease_until = ?
       WHERE url = ? AND (lease_until IS NULL OR lease_until < ?)${dueOnly ? " AND (next_poll_at IS NULL OR next_poll_at <= ?)" : ""}`,
      dueOnly
        ? [this.owner, now + FEED_LEASE_MS, url, now, now]
        : [this.owner, now + FEED_LEASE_MS, url, now],
    );
    return lease.changes === 1;
  }

  async release(url: string): Promise<void> {
    await this.db.run(
      "UPDATE monitor_feeds SET lease_owner = NULL, lease_until = NULL WHERE url = ? AND lease_owner = ?",
      [url, this.owner],
    );
  }

  /** Records a poll's end and frees the lease (when it is still ours; the state is written either way). */
  async finish(url: string, now: number, intervalMs: number, end: FeedPollEnd): Promise<void> {
    const lease =
      "lease_owner = CASE WHEN lease_owner = ? THEN NULL ELSE lease_owner END, " +
      "lease_until = CASE WHEN lease_owner = ? THEN NULL ELSE lease_until END";
    if (end.status === "failed") {
      await this.db.run(
        `UPDATE monitor_feeds SET last_polled_at = ?, last_status = 'failed', last_error = ?, last_error_code = ?,
         failures = ?, next_poll_at = ?, ${lease} WHERE url = ?`,
        [
          now,
          end.error.message,
          end.error.code,
          end.failures,
          now + end.delayMs,
          this.owner,
          this.owner,
          url,
        ],
      );
      return;
    }
    const next = now + intervalMs;
    if (end.status === "not_modified") {
      await this.db.run(
        `UPDATE monitor_feeds SET last_polled_at = ?, last_status = 'not_modified', last_error = NULL,
         last_error_code = NULL, failures = 0, next_poll_at = ?, ${lease} WHERE url = ?`,
        [now, next, this.owner, this.owner, url],
      );
      return;
    }
    await this.db.run(
      `UPDATE monitor_feeds SET last_polled_at = ?, last_status = 'ok', last_error = NULL, last_error_code = NULL,
       failures = 0, next_poll_at = ?, etag = ?, last_modified = ?, title = ?, items_total = items_total + ?,
       ${lease} WHERE url = ?`,
      [now, next, end.etag, end.lastModified, end.title, end.stored, this.owner, this.owner, url],
    );
  }
}
