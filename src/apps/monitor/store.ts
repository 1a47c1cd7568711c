/**
 * The monitor's tables, in the application database (SQLite by default, PostgreSQL for
 * several processes). Documents are inserted with their deduplication key as primary key,
 * and the counts behind the trends (per minute, hour and day; per term and entity per hour)
 * are added in the same transaction for the documents that were new: a document sent
 * twice, replayed after a crash or inserted by two processes at once is stored and counted
 * once. Alerts and their webhook deliveries are written together (store-alerts.ts).
 */
import { TextkitError } from "../../core/index.ts";
import type { Database, Queryable, SqlValue } from "../../store/index.ts";
import type { MonitorDocument } from "./document.ts";
import { AlertOutbox } from "./store-alerts.ts";
import { BatchGrouper, type InsertBatch } from "./store-batches.ts";
import { type BatchPrecount, countDocuments, type Precounted } from "./store-counts.ts";
import { ENTITY_FAMILY, hourlyCounts, ROLLUP_ROWS, rollUpCounts, TERM_FAMILY } from "./store-rollup.ts";
import { type DocumentRow, documentOf, documentRow, insertRows, num } from "./store-rows.ts";
import { bucketOf, type Granularity, monitorMigrations, TERM_GRANULARITY } from "./store-schema.ts";
import type {
  AlertDraft,
  AlertRecord,
  CountRow,
  Delivery,
  DocumentFilter,
  RankedEntity,
  RankedTerm,
  TimeRange,
} from "./store-types.ts";

export { documentRow } from "./store-rows.ts";
export { BUCKET_MS, GRANULARITIES, type Granularity } from "./store-schema.ts";
export {
  type AlertDraft,
  type AlertRecord,
  type CountRow,
  DELIVERY_STATUSES,
  type Delivery,
  type DeliveryStatus,
  type DocumentFilter,
  type RankedEntity,
  type RankedTerm,
  type TimeRange,
} from "./store-types.ts";

/** The most documents one transaction of several waiting batches takes (store-batches.ts). */
const MAX_GROUP_DOCS = 4000;

/** Encodes the position of the last document of a page. */
function encodeCursor(publishedAt: number, key: string): string {
  return Buffer.from(JSON.stringify([publishedAt, key]), "utf8").toString("base64url");
}

function decodeCursor(cursor: string): [number, string] {
  try {
    const value = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as unknown;
    if (Array.isArray(value) && typeof value[0] === "number" && typeof value[1] === "string") {
      return [value[0], value[1]];
    }
  } catch {
    // Falls through to the error below.
  }
  throw new TextkitError("INPUT_INVALID", "cursor is not one this server gave out; start again without it", {
    details: { field: "/cursor" },
  });
}

const INSERT_DOCUMENT = `INSERT INTO monitor_documents (doc_key, ext_id, source, title, body, url, lang, topic,
  topic_score, sentiment, sentiment_score, entities, published_at, ingested_at, lang_score)`;

/**
 * Inserts the rows of `docs` (distinct keys) unless their key is stored, in `tx`, and returns
 * the keys that were new. Where the adapter runs a statement per row cheaply (`runEach`:
 * SQLite), one prepared single-row INSERT runs per document and its changes tell whether it
 * was new (better-sqlite3 alone, 20,000 documents: 5.6 CPU µs a document against 8.4 for
 * 200-row statements with RETURNING);
 * elsewhere, multi-row statements return the new keys.
 */
async function insertDocumentRows(tx: Queryable, docs: readonly MonitorDocument[]): Promise<Set<string>> {
  const rows = docs.map(documentRow);
  const keys = new Set<string>();
  if (tx.runEach !== undefined) {
    const changes = await tx.runEach(
      `${INSERT_DOCUMENT} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (doc_key) DO NOTHING`,
      rows,
    );
    for (const [i, d] of docs.entries()) if (changes[i] === 1) keys.add(d.key);
    return keys;
  }
  const inserted = await insertRows(
    tx,
    INSERT_DOCUMENT,
    15,
    rows,
    "ON CONFLICT (doc_key) DO NOTHING RETURNING doc_key",
    true,
  );
  for (const r of inserted) keys.add(String(r["doc_key"]));
  return keys;
}

/**
 * The stored documents (`ordered` whose key is in `keys`) split into the batches whose
 * counts were made beforehand and that were stored whole (every document new and the first
 * of its key), and the rest, which the store counts itself.
 */
function splitPrecounted(
  batches: readonly InsertBatch[],
  ordered: readonly MonitorDocument[],
  keys: ReadonlySet<string>,
  owner: ReadonlyMap<MonitorDocument, number>,
): { rest: MonitorDocument[]; precounted: Precounted[] } {
  const stored = ordered.filter((d) => keys.has(d.key));
  if (batches.every((b) => b.counts === undefined)) return { rest: stored, precounted: [] };
  const fresh = new Array<number>(batches.length).fill(0);
  for (const d of stored) {
    const at = owner.get(d);
    if (at !== undefined) fresh[at] = (fresh[at] ?? 0) + 1;
  }
  const whole = batches.map((b, at) => b.counts !== undefined && fresh[at] === b.docs.length);
  const precounted: Precounted[] = [];
  for (const [at, b] of batches.entries())
    if (whole[at] === true && b.counts !== undefined) precounted.push({ docs: b.docs, counts: b.counts });
  if (precounted.length === 0) return { rest: stored, precounted };
  return { rest: stored.filter((d) => whole[owner.get(d) ?? -1] !== true), precounted };
}

/**
 * The monitor's data.
 *
 * @example
 * const store = await MonitorStore.open(await openDatabase("data/textkit.db"));
 * const stored = await store.insertDocuments(docs);
 * const rows = await store.counts("hour", { from: Date.now() - 86_400_000, to: Date.now() });
 */
export class MonitorStore {
  private readonly outbox: AlertOutbox;
  /**
   * Term and entity rows this store appended since its last roll-up (store-rollup.ts). Only
   * the moment of the next roll-up depends on it, so a transaction that rolls back after
   * changing it merely moves that moment.
   */
  private appended = 0;
  private readonly batches: BatchGrouper;

  private constructor(
    readonly db: Database,
    private readonly rollUpRows: number,
  ) {
    this.outbox = new AlertOutbox(db);
    this.batches = new BatchGrouper((batches) => this.insertBatches(batches), MAX_GROUP_DOCS);
  }

  /**
   * Opens the store, creating or upgrading its tables. `rollUpRows`: after how many appended
   * term and entity rows an insert rolls them up (default ROLLUP_ROWS; answers do not depend
   * on it, only how the work is spread).
   */
  static async open(db: Database, options: { rollUpRows?: number } = {}): Promise<MonitorStore> {
    const rollUpRows = options.rollUpRows ?? ROLLUP_ROWS;
    if (!Number.isInteger(rollUpRows) || rollUpRows < 1) {
      throw new TextkitError(
        "INPUT_INVALID",
        `rollUpRows must be a whole number of at least 1, not ${rollUpRows}`,
        {
          details: { field: "rollUpRows" },
        },
      );
    }
    await db.migrate("monitor", monitorMigrations(db.capabilities));
    return new MonitorStore(db, rollUpRows);
  }

  /**
   * Inserts documents and counts the new ones, in one transaction. `ruleHits` names, for a
   * document, the keyword rules it matches. Returns the keys that were new (a set of this
   * call's own, which the caller may change); the others were
   * stored before (by this process or another) and are left as they were. Batches handed
   * over while another is being inserted go in together, in one transaction
   * (store-batches.ts); a batch that fails fails alone. `counts`: `precount(docs)`, made
   * beforehand (a pipeline worker makes it); it is used when every document of the batch
   * turns out new, else the store counts the new ones itself.
   */
  insertDocuments(
    docs: readonly MonitorDocument[],
    ruleHits: (doc: MonitorDocument) => readonly string[] = () => [],
    counts?: BatchPrecount,
  ): Promise<Set<string>> {
    if (docs.length === 0) return Promise.resolve(new Set());
    return this.batches.submit({ docs, ruleHits, counts });
  }

  /** Inserts `batches` in one transaction; each one's new keys (a key in two: the first one's). */
  private async insertBatches(batches: readonly InsertBatch[]): Promise<Set<string>[]> {
    // The same key twice: the first one counts, for the batch it came in.
    const owner = new Map<MonitorDocument, number>();
    const unique = new Map<string, MonitorDocument>();
    for (const [at, batch] of batches.entries()) {
      for (const d of batch.docs) {
        if (unique.has(d.key)) continue;
        unique.set(d.key, d);
        owner.set(d, at);
      }
    }
    // With row locks, rows in key order: two transactions that insert the same keys then lock
    // them in the same order, so that on PostgreSQL they wait for each other instead of deadlocking.
    const ordered = [...unique.values()];
    if (this.db.capabilities.rowLocks) ordered.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const fresh = await this.db.transaction(async (tx) => {
      const keys = await insertDocumentRows(tx, ordered);
      if (keys.size === 0) return keys;
      const { rest, precounted } = splitPrecounted(batches, ordered, keys, owner);
      const ruleHits = (d: MonitorDocument) => batches[owner.get(d) ?? -1]?.ruleHits(d) ?? [];
      this.appended += await countDocuments(tx, rest, ruleHits, this.db.capabilities, precounted);
      // After countDocuments, whose last statement locks the one monitor_state row every
      // insert writes: on PostgreSQL two inserts never roll up at once (a roll-up is exact
      // either way, see store-rollup.ts; this only keeps them from waiting on each other).
      if (this.appended >= this.rollUpRows) {
        this.appended = 0;
        await rollUpCounts(tx, this.db.capabilities);
      }
      return keys;
    });
    const out = batches.map(() => new Set<string>());
    for (const key of fresh) {
      const d = unique.get(key);
      const at = d === undefined ? undefined : owner.get(d);
      if (at !== undefined) out[at]?.add(key);
    }
    return out;
  }

  /**
   * Moves the term and entity counts that batches appended into the keyed hourly tables,
   * now (inserts do it every few thousand rows; answers are the same before and after).
   */
  async rollUp(): Promise<void> {
    await this.db.transaction((tx) => rollUpCounts(tx, this.db.capabilities));
    this.appended = 0;
  }

  /**
   * Removes every document, count, alert and delivery (the schema stays). For a fresh start,
   * such as the demo's; there is no undo.
   */
  async clear(): Promise<void> {
    await this.db.transaction(async (tx) => {
      for (const table of [
        "monitor_documents",
        "monitor_counts",
        "monitor_term_counts",
        "monitor_term_recent",
        "monitor_term_packed",
        "monitor_entity_counts",
        "monitor_entity_recent",
        "monitor_rule_hits",
        "monitor_state",
        "monitor_alert_state",
        "monitor_alerts",
        "monitor_deliveries",
      ]) {
        await tx.run(`DELETE FROM ${table}`);
      }
    });
  }

  /** Document counts per bucket, topic and sentiment in a range (buckets that start in it). */
  async counts(granularity: Granularity, range: TimeRange, topic?: string): Promise<CountRow[]> {
    const params: SqlValue[] = [granularity, bucketOf(range.from, granularity), range.to];
    let sql =
      "SELECT bucket, topic, sentiment, n FROM monitor_counts WHERE granularity = ? AND bucket >= ? AND bucket < ?";
    if (topic !== undefined) {
      sql += " AND topic = ?";
      params.push(topic);
    }
    const rows = await this.db.query<{
      bucket: number | string;
      topic: string;
      sentiment: string;
      n: number | string;
    }>(`${sql} ORDER BY bucket`, params);
    return rows.map((r) => ({ bucket: num(r.bucket), topic: r.topic, sentiment: r.sentiment, n: num(r.n) }));
  }

  /** Keyword-rule matches per minute and topic in a range. */
  async ruleHits(rule: string, range: TimeRange): Promise<{ bucket: number; topic: string; n: number }[]> {
    const rows = await this.db.query<{ bucket: number | string; topic: string; n: number | string }>(
      "SELECT bucket, topic, n FROM monitor_rule_hits WHERE rule_id = ? AND bucket >= ? AND bucket < ? ORDER BY bucket",
      [rule, bucketOf(range.from, "minute"), range.to],
    );
    return rows.map((r) => ({ bucket: num(r.bucket), topic: r.topic, n: num(r.n) }));
  }

  private termFilter(
    range: TimeRange,
    filter: { topic?: string; sentiment?: string },
  ): { where: string; params: SqlValue[] } {
    const params: SqlValue[] = [bucketOf(range.from, TERM_GRANULARITY), range.to];
    let where = "bucket >= ? AND bucket < ?";
    if (filter.topic !== undefined) {
      where += " AND topic = ?";
      params.push(filter.topic);
    }
    if (filter.sentiment !== undefined) {
      where += " AND sentiment = ?";
      params.push(filter.sentiment);
    }
    return { where, params };
  }

  /** The most counted content words in a range (the hours that start in it, added up). */
  async topTerms(
    range: TimeRange,
    filter: { topic?: string; sentiment?: string; limit: number },
  ): Promise<RankedTerm[]> {
    const filtered = this.termFilter(range, filter);
    const { source, params } = hourlyCounts(
      TERM_FAMILY,
      this.db.capabilities,
      ["term"],
      filtered.where,
      filtered.params,
    );
    const rows = await this.db.query<{ term: string; count: number | string }>(
      `SELECT term, SUM(n) AS count FROM ${source} GROUP BY term ORDER BY SUM(n) DESC, term LIMIT ?`,
      [...params, filter.limit],
    );
    return rows.map((r) => ({ term: r.term, count: num(r.count) }));
  }

  /** The most mentioned entities in a range (documents that mention each). */
  async topEntities(
    range: TimeRange,
    filter: { topic?: string; sentiment?: string; label?: string; limit: number },
  ): Promise<RankedEntity[]> {
    const filtered = this.termFilter(range, filter);
    if (filter.label !== undefined) {
      filtered.where += " AND label = ?";
      filtered.params.push(filter.label);
    }
    const { source, params } = hourlyCounts(
      ENTITY_FAMILY,
      this.db.capabilities,
      ["entity", "label"],
      filtered.where,
      filtered.params,
    );
    const rows = await this.db.query<{ entity: string; label: string; count: number | string }>(
      `SELECT entity, label, SUM(n) AS count FROM ${source}
       GROUP BY entity, label ORDER BY SUM(n) DESC, entity, label LIMIT ?`,
      [...params, filter.limit],
    );
    return rows.map((r) => ({ text: r.entity, label: r.label, count: num(r.count) }));
  }

  /** Documents in a range, newest first, a page at a time. */
  async documents(
    filter: DocumentFilter,
  ): Promise<{ documents: MonitorDocument[]; nextCursor: string | null }> {
    const params: SqlValue[] = [filter.from, filter.to];
    let sql = `SELECT doc_key, ext_id, source, title, body, url, lang, topic, topic_score, sentiment, sentiment_score,
      entities, published_at, ingested_at, lang_score FROM monitor_documents WHERE published_at >= ? AND published_at < ?`;
    if (filter.topic !== undefined) {
      sql += " AND topic = ?";
      params.push(filter.topic);
    }
    if (filter.sentiment !== undefined) {
      sql += " AND sentiment = ?";
      params.push(filter.sentiment);
    }
    if (filter.cursor !== undefined) {
      const [time, key] = decodeCursor(filter.cursor);
      sql += " AND (published_at < ? OR (published_at = ? AND doc_key < ?))";
      params.push(time, time, key);
    }
    sql += " ORDER BY published_at DESC, doc_key DESC LIMIT ?";
    params.push(filter.limit + 1);
    const rows = await this.db.query<DocumentRow>(sql, params);
    const page = rows.slice(0, filter.limit).map(documentOf);
    const last = page.at(-1);
    return {
      documents: page,
      nextCursor:
        rows.length > filter.limit && last !== undefined ? encodeCursor(last.publishedAt, last.key) : null,
    };
  }

  /** Every document counted (from the day counts, so it costs nothing on a big table). */
  async documentCount(): Promise<number> {
    const rows = await this.db.query<{ n: number | string | null }>(
      "SELECT SUM(n) AS n FROM monitor_counts WHERE granularity = 'day'",
    );
    return num(rows[0]?.n ?? 0);
  }

  /** The topics seen, by how many documents have each. */
  async topics(): Promise<string[]> {
    const rows = await this.db.query<{ topic: string }>(
      "SELECT topic FROM monitor_counts WHERE granularity = 'day' GROUP BY topic ORDER BY SUM(n) DESC, topic",
    );
    return rows.map((r) => r.topic);
  }

  /** When the newest document was stored, or null. */
  async lastIngestAt(): Promise<number | null> {
    const rows = await this.db.query<{ value: number | string }>(
      "SELECT value FROM monitor_state WHERE name = 'last_ingest_at'",
    );
    return rows[0] === undefined ? null : num(rows[0].value);
  }

  /**
   * Fires an alert unless the same rule fired for the same key within `cooldownMs`, and
   * queues one delivery per target, all in one transaction (see AlertOutbox.fireAlert).
   * Returns the alert, or null when it was quiet.
   */
  fireAlert(
    draft: AlertDraft,
    key: string,
    cooldownMs: number,
    targets: readonly string[],
  ): Promise<AlertRecord | null> {
    return this.outbox.fireAlert(draft, key, cooldownMs, targets);
  }

  /** Alerts, newest first. */
  alerts(filter: {
    status?: "open" | "acknowledged";
    limit: number;
    since?: number;
  }): Promise<AlertRecord[]> {
    return this.outbox.alerts(filter);
  }

  alert(id: string): Promise<AlertRecord> {
    return this.outbox.alert(id);
  }

  openAlertCount(): Promise<number> {
    return this.outbox.openAlertCount();
  }

  /** Marks an alert acknowledged (a second acknowledgement keeps the first one's time and person). */
  acknowledge(id: string, by: string | null, note: string | null, now: number): Promise<AlertRecord> {
    return this.outbox.acknowledge(id, by, note, now);
  }

  /** Pending deliveries whose time has come and that no process holds, oldest first. */
  dueDeliveries(now: number, limit: number): Promise<Delivery[]> {
    return this.outbox.dueDeliveries(now, limit);
  }

  /** Takes a delivery for `leaseMs`; false when another process took it first. */
  claimDelivery(id: string, now: number, leaseMs: number): Promise<boolean> {
    return this.outbox.claimDelivery(id, now, leaseMs);
  }

  /** Records an attempt: delivered, another try at `retryAt`, or given up (`retryAt` null). */
  recordAttempt(
    id: string,
    outcome: { delivered: true; at: number } | { delivered: false; error: string; retryAt: number | null },
  ): Promise<void> {
    return this.outbox.recordAttempt(id, outcome);
  }
}
