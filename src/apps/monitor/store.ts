/**
 * The monitor's tables, in the application database (SQLite by default, PostgreSQL for
 * several processes). Documents are inserted with their deduplication key as primary key,
 * and the counts behind the trends (per minute, hour and day; per term and entity per hour
 * and day) are added in the same transaction for the documents that were new: a document
 * sent twice, replayed after a crash or inserted by two processes at once is stored and
 * counted once. Alerts and their webhook deliveries are written together (an outbox), so
 * an alert is never fired without its deliveries being queued.
 */
import { randomUUID } from "node:crypto";
import { TextkitError } from "../../core/index.ts";
import type { Database, Queryable, SqlValue } from "../../store/index.ts";
import type { AlertKind } from "./config.ts";
import type { MonitorDocument, MonitorEntity } from "./document.ts";

export const GRANULARITIES = ["minute", "hour", "day"] as const;
export type Granularity = (typeof GRANULARITIES)[number];

export const BUCKET_MS: Readonly<Record<Granularity, number>> = Object.freeze({
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
});

/** Granularities of the term and entity counts (per minute would cost too many rows). */
const TERM_GRANULARITIES: readonly Granularity[] = ["hour", "day"];

/** Append, never edit. */
const MIGRATIONS = [
  `CREATE TABLE monitor_documents (
    doc_key TEXT PRIMARY KEY,
    ext_id TEXT,
    source TEXT NOT NULL,
    title TEXT,
    body TEXT NOT NULL,
    url TEXT,
    lang TEXT NOT NULL,
    topic TEXT NOT NULL,
    topic_score DOUBLE PRECISION,
    sentiment TEXT NOT NULL,
    sentiment_score DOUBLE PRECISION,
    entities TEXT NOT NULL,
    published_at BIGINT NOT NULL,
    ingested_at BIGINT NOT NULL
  );
  CREATE INDEX monitor_documents_time ON monitor_documents (published_at, doc_key);
  CREATE TABLE monitor_counts (
    granularity TEXT NOT NULL,
    bucket BIGINT NOT NULL,
    topic TEXT NOT NULL,
    sentiment TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (granularity, bucket, topic, sentiment)
  );
  CREATE TABLE monitor_term_counts (
    granularity TEXT NOT NULL,
    bucket BIGINT NOT NULL,
    topic TEXT NOT NULL,
    sentiment TEXT NOT NULL,
    term TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (granularity, bucket, topic, sentiment, term)
  );
  CREATE TABLE monitor_entity_counts (
    granularity TEXT NOT NULL,
    bucket BIGINT NOT NULL,
    topic TEXT NOT NULL,
    sentiment TEXT NOT NULL,
    label TEXT NOT NULL,
    entity TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (granularity, bucket, topic, sentiment, label, entity)
  );
  CREATE TABLE monitor_rule_hits (
    rule_id TEXT NOT NULL,
    bucket BIGINT NOT NULL,
    topic TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (rule_id, bucket, topic)
  );
  CREATE TABLE monitor_state (name TEXT PRIMARY KEY, value BIGINT NOT NULL);
  CREATE TABLE monitor_alert_state (
    rule_id TEXT NOT NULL,
    alert_key TEXT NOT NULL,
    last_fired_at BIGINT NOT NULL,
    PRIMARY KEY (rule_id, alert_key)
  );
  CREATE TABLE monitor_alerts (
    id TEXT PRIMARY KEY,
    rule_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    topic TEXT NOT NULL,
    message TEXT NOT NULL,
    fired_at BIGINT NOT NULL,
    window_from BIGINT NOT NULL,
    window_to BIGINT NOT NULL,
    value DOUBLE PRECISION NOT NULL,
    baseline_mean DOUBLE PRECISION,
    baseline_std DOUBLE PRECISION,
    baseline_windows BIGINT NOT NULL,
    z DOUBLE PRECISION,
    doc_count BIGINT NOT NULL,
    status TEXT NOT NULL,
    acknowledged_at BIGINT,
    acknowledged_by TEXT,
    note TEXT
  );
  CREATE INDEX monitor_alerts_time ON monitor_alerts (fired_at);
  CREATE TABLE monitor_deliveries (
    id TEXT PRIMARY KEY,
    alert_id TEXT NOT NULL,
    target TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts BIGINT NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    lease_until BIGINT,
    last_error TEXT,
    delivered_at BIGINT
  );
  CREATE INDEX monitor_deliveries_alert ON monitor_deliveries (alert_id);
  CREATE INDEX monitor_deliveries_due ON monitor_deliveries (status, next_attempt_at)`,
  // The language model's probability of a document's language (null: named by its source or
  // decided by textkit's English/Chinese detector).
  "ALTER TABLE monitor_documents ADD COLUMN lang_score DOUBLE PRECISION",
] as const;

/** Rows per multi-row INSERT: well under SQLite's 32,766 and PostgreSQL's 65,535 placeholders. */
const INSERT_ROWS = 200;

export interface TimeRange {
  /** Inclusive, ms since 1970. */
  from: number;
  /** Exclusive. */
  to: number;
}

export interface CountRow {
  bucket: number;
  topic: string;
  sentiment: string;
  n: number;
}

export interface RankedTerm {
  term: string;
  count: number;
}

export interface RankedEntity {
  text: string;
  label: string;
  count: number;
}

export interface DocumentFilter extends TimeRange {
  topic?: string;
  sentiment?: string;
  limit: number;
  /** From a previous page's `nextCursor`. */
  cursor?: string;
}

export const DELIVERY_STATUSES = ["pending", "delivered", "failed"] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export interface Delivery {
  id: string;
  alertId: string;
  target: string;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: number;
  lastError: string | null;
  deliveredAt: number | null;
}

export interface AlertRecord {
  id: string;
  rule: string;
  kind: AlertKind;
  topic: string;
  message: string;
  firedAt: number;
  window: TimeRange;
  value: number;
  baseline: { mean: number | null; std: number | null; windows: number };
  z: number | null;
  count: number;
  status: "open" | "acknowledged";
  acknowledgedAt: number | null;
  acknowledgedBy: string | null;
  note: string | null;
  deliveries: Delivery[];
}

/** What fires: an alert without its id, status and deliveries (the store adds them). */
export type AlertDraft = Omit<
  AlertRecord,
  "id" | "status" | "acknowledgedAt" | "acknowledgedBy" | "note" | "deliveries"
>;

interface DocumentRow {
  doc_key: string;
  ext_id: string | null;
  source: string;
  title: string | null;
  body: string;
  url: string | null;
  lang: string;
  lang_score: number | null;
  topic: string;
  topic_score: number | null;
  sentiment: string;
  sentiment_score: number | null;
  entities: string;
  published_at: number | string;
  ingested_at: number | string;
}

interface AlertRow {
  id: string;
  rule_id: string;
  kind: string;
  topic: string;
  message: string;
  fired_at: number | string;
  window_from: number | string;
  window_to: number | string;
  value: number;
  baseline_mean: number | null;
  baseline_std: number | null;
  baseline_windows: number | string;
  z: number | null;
  doc_count: number | string;
  status: string;
  acknowledged_at: number | string | null;
  acknowledged_by: string | null;
  note: string | null;
}

interface DeliveryRow {
  id: string;
  alert_id: string;
  target: string;
  status: string;
  attempts: number | string;
  next_attempt_at: number | string;
  last_error: string | null;
  delivered_at: number | string | null;
}

const num = (v: number | string): number => Number(v);
const numOrNull = (v: number | string | null): number | null => (v === null ? null : Number(v));

function bucketOf(time: number, granularity: Granularity): number {
  const size = BUCKET_MS[granularity];
  return Math.floor(time / size) * size;
}

/**
 * Counts per key within one batch: each key's row (its columns, then the count last) is
 * made once, when the key is first seen, and only its count changes after.
 */
class Tally {
  private readonly rows = new Map<string, SqlValue[]>();

  /** Adds one under the key `key`, whose row is `columns()` the first time. */
  add(key: string, columns: () => SqlValue[]): void {
    const row = this.rows.get(key);
    if (row === undefined) this.rows.set(key, [...columns(), 1]);
    else (row[row.length - 1] as number)++;
  }

  /** The rows in key order (see insertDocuments on lock order). */
  sorted(): SqlValue[][] {
    return [...this.rows.keys()].sort().map((key) => this.rows.get(key)!);
  }
}

/** Separates the parts of a tally key; no value holds it. */
const SEP = "\u0000";

const statementCache = new Map<string, string>();

/** `head VALUES (?, ...), ... tail` for `count` rows of `width` values, made once per shape. */
function multiRowSql(head: string, width: number, count: number, tail: string): string {
  const key = `${count}\u0000${width}\u0000${head}\u0000${tail}`;
  let sql = statementCache.get(key);
  if (sql === undefined) {
    const one = `(${new Array(width).fill("?").join(", ")})`;
    sql = `${head} VALUES ${new Array(count).fill(one).join(", ")} ${tail}`;
    statementCache.set(key, sql);
  }
  return sql;
}

/**
 * A document as the values of a monitor_documents row, in the table's column order
 * (doc_key, ext_id, source, title, body, url, lang, topic, topic_score, sentiment,
 * sentiment_score, entities, published_at, ingested_at, lang_score).
 */
export function documentRow(d: MonitorDocument): SqlValue[] {
  return [
    d.key,
    d.id,
    d.source,
    d.title,
    d.text,
    d.url,
    d.lang,
    d.topic,
    d.topicScore,
    d.sentiment,
    d.sentimentScore,
    JSON.stringify(d.entities),
    d.publishedAt,
    d.ingestedAt,
    d.langScore,
  ];
}

/** Runs a multi-row statement in chunks: `head` VALUES (...), (...) `tail`. */
async function insertRows(
  tx: Queryable,
  head: string,
  width: number,
  rows: readonly SqlValue[][],
  tail: string,
  returning = false,
): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  for (let start = 0; start < rows.length; start += INSERT_ROWS) {
    const count = Math.min(INSERT_ROWS, rows.length - start);
    const params: SqlValue[] = new Array(count * width);
    for (let r = 0; r < count; r++) {
      const row = rows[start + r]!;
      for (let c = 0; c < width; c++) params[r * width + c] = row[c]!;
    }
    const sql = multiRowSql(head, width, count, tail);
    if (returning) out.push(...(await tx.query(sql, params)));
    else await tx.run(sql, params);
  }
  return out;
}

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

/**
 * The monitor's data.
 *
 * @example
 * const store = await MonitorStore.open(await openDatabase("data/textkit.db"));
 * const stored = await store.insertDocuments(docs);
 * const rows = await store.counts("hour", { from: Date.now() - 86_400_000, to: Date.now() });
 */
export class MonitorStore {
  private constructor(readonly db: Database) {}

  /** Opens the store, creating or upgrading its tables. */
  static async open(db: Database): Promise<MonitorStore> {
    await db.migrate("monitor", MIGRATIONS);
    return new MonitorStore(db);
  }

  /**
   * Inserts documents and counts the new ones, in one transaction. `ruleHits` names, for a
   * document, the keyword rules it matches. Returns the keys that were new; the others were
   * stored before (by this process or another) and are left as they were.
   */
  async insertDocuments(
    docs: readonly MonitorDocument[],
    ruleHits: (doc: MonitorDocument) => readonly string[] = () => [],
  ): Promise<Set<string>> {
    if (docs.length === 0) return new Set();
    // The same key twice in one batch: the first one counts.
    const unique = new Map<string, MonitorDocument>();
    for (const d of docs) if (!unique.has(d.key)) unique.set(d.key, d);
    // Rows in key order: two transactions that insert the same keys then lock them in the
    // same order, so that on PostgreSQL they wait for each other instead of deadlocking.
    const ordered = [...unique.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const rows = ordered.map(documentRow);
    return this.db.transaction(async (tx) => {
      const inserted = await insertRows(
        tx,
        `INSERT INTO monitor_documents (doc_key, ext_id, source, title, body, url, lang, topic, topic_score,
           sentiment, sentiment_score, entities, published_at, ingested_at, lang_score)`,
        15,
        rows,
        "ON CONFLICT (doc_key) DO NOTHING RETURNING doc_key",
        true,
      );
      const fresh = new Set(inserted.map((r) => String(r["doc_key"])));
      if (fresh.size === 0) return fresh;
      const counts = new Tally();
      const terms = new Tally();
      const entities = new Tally();
      const hits = new Tally();
      let latest = 0;
      for (const d of unique.values()) {
        if (!fresh.has(d.key)) continue;
        latest = Math.max(latest, d.ingestedAt);
        const { topic, sentiment } = d;
        for (const g of GRANULARITIES) {
          const b = bucketOf(d.publishedAt, g);
          counts.add(`${g}${SEP}${b}${SEP}${topic}${SEP}${sentiment}`, () => [g, b, topic, sentiment]);
        }
        for (const g of TERM_GRANULARITIES) {
          const b = bucketOf(d.publishedAt, g);
          const prefix = `${g}${SEP}${b}${SEP}${topic}${SEP}${sentiment}${SEP}`;
          for (const t of d.terms) terms.add(prefix + t, () => [g, b, topic, sentiment, t]);
          const seen = new Set<string>();
          for (const e of d.entities) {
            const key = `${prefix}${e.label}${SEP}${e.text}`;
            // An entity named three times in one document is one mention of it.
            if (seen.has(key)) continue;
            seen.add(key);
            entities.add(key, () => [g, b, topic, sentiment, e.label, e.text]);
          }
        }
        const minute = bucketOf(d.publishedAt, "minute");
        for (const rule of ruleHits(d))
          hits.add(`${rule}${SEP}${minute}${SEP}${topic}`, () => [rule, minute, topic]);
      }
      await insertRows(
        tx,
        "INSERT INTO monitor_counts (granularity, bucket, topic, sentiment, n)",
        5,
        counts.sorted(),
        "ON CONFLICT (granularity, bucket, topic, sentiment) DO UPDATE SET n = monitor_counts.n + excluded.n",
      );
      await insertRows(
        tx,
        "INSERT INTO monitor_term_counts (granularity, bucket, topic, sentiment, term, n)",
        6,
        terms.sorted(),
        "ON CONFLICT (granularity, bucket, topic, sentiment, term) DO UPDATE SET n = monitor_term_counts.n + excluded.n",
      );
      await insertRows(
        tx,
        "INSERT INTO monitor_entity_counts (granularity, bucket, topic, sentiment, label, entity, n)",
        7,
        entities.sorted(),
        "ON CONFLICT (granularity, bucket, topic, sentiment, label, entity) DO UPDATE SET n = monitor_entity_counts.n + excluded.n",
      );
      await insertRows(
        tx,
        "INSERT INTO monitor_rule_hits (rule_id, bucket, topic, n)",
        4,
        hits.sorted(),
        "ON CONFLICT (rule_id, bucket, topic) DO UPDATE SET n = monitor_rule_hits.n + excluded.n",
      );
      await tx.run(
        `INSERT INTO monitor_state (name, value) VALUES ('last_ingest_at', ?)
         ON CONFLICT (name) DO UPDATE SET value = CASE WHEN excluded.value > monitor_state.value
           THEN excluded.value ELSE monitor_state.value END`,
        [latest],
      );
      return fresh;
    });
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
        "monitor_entity_counts",
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

  /** Granularity of the term and entity counts for a range: hours up to a week, days beyond. */
  private termGranularity(range: TimeRange): Granularity {
    return range.to - range.from <= 7 * BUCKET_MS.day ? "hour" : "day";
  }

  private termFilter(
    range: TimeRange,
    filter: { topic?: string; sentiment?: string },
  ): { where: string; params: SqlValue[] } {
    const g = this.termGranularity(range);
    const params: SqlValue[] = [g, bucketOf(range.from, g), range.to];
    let where = "granularity = ? AND bucket >= ? AND bucket < ?";
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

  /** The most counted content words in a range (counted per hour, or per day beyond a week). */
  async topTerms(
    range: TimeRange,
    filter: { topic?: string; sentiment?: string; limit: number },
  ): Promise<RankedTerm[]> {
    const { where, params } = this.termFilter(range, filter);
    const rows = await this.db.query<{ term: string; count: number | string }>(
      `SELECT term, SUM(n) AS count FROM monitor_term_counts WHERE ${where}
       GROUP BY term ORDER BY SUM(n) DESC, term LIMIT ?`,
      [...params, filter.limit],
    );
    return rows.map((r) => ({ term: r.term, count: num(r.count) }));
  }

  /** The most mentioned entities in a range (documents that mention each). */
  async topEntities(
    range: TimeRange,
    filter: { topic?: string; sentiment?: string; label?: string; limit: number },
  ): Promise<RankedEntity[]> {
    const { where, params } = this.termFilter(range, filter);
    let sql = `SELECT entity, label, SUM(n) AS count FROM monitor_entity_counts WHERE ${where}`;
    if (filter.label !== undefined) {
      sql += " AND label = ?";
      params.push(filter.label);
    }
    const rows = await this.db.query<{ entity: string; label: string; count: number | string }>(
      `${sql} GROUP BY entity, label ORDER BY SUM(n) DESC, entity, label LIMIT ?`,
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
   * queues one delivery per target, all in one transaction. The cooldown check is one
   * conditional UPDATE, so two processes evaluating the same rule fire it once. Returns the
   * alert, or null when it was quiet.
   */
  async fireAlert(
    draft: AlertDraft,
    key: string,
    cooldownMs: number,
    targets: readonly string[],
  ): Promise<AlertRecord | null> {
    const now = draft.firedAt;
    return this.db.transaction(async (tx) => {
      await tx.run(
        `INSERT INTO monitor_alert_state (rule_id, alert_key, last_fired_at) VALUES (?, ?, ?)
         ON CONFLICT (rule_id, alert_key) DO NOTHING`,
        [draft.rule, key, Number.MIN_SAFE_INTEGER],
      );
      const claimed = await tx.run(
        "UPDATE monitor_alert_state SET last_fired_at = ? WHERE rule_id = ? AND alert_key = ? AND last_fired_at <= ?",
        [now, draft.rule, key, now - cooldownMs],
      );
      if (claimed.changes !== 1) return null;
      const id = randomUUID();
      await tx.run(
        `INSERT INTO monitor_alerts (id, rule_id, kind, topic, message, fired_at, window_from, window_to, value,
           baseline_mean, baseline_std, baseline_windows, z, doc_count, status)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open')`,
        [
          id,
          draft.rule,
          draft.kind,
          draft.topic,
          draft.message,
          now,
          draft.window.from,
          draft.window.to,
          draft.value,
          draft.baseline.mean,
          draft.baseline.std,
          draft.baseline.windows,
          draft.z,
          draft.count,
        ],
      );
      const deliveries: Delivery[] = targets.map((target) => ({
        id: randomUUID(),
        alertId: id,
        target,
        status: "pending",
        attempts: 0,
        nextAttemptAt: now,
        lastError: null,
        deliveredAt: null,
      }));
      for (const d of deliveries) {
        await tx.run(
          `INSERT INTO monitor_deliveries (id, alert_id, target, status, attempts, next_attempt_at)
           VALUES (?, ?, ?, 'pending', 0, ?)`,
          [d.id, d.alertId, d.target, d.nextAttemptAt],
        );
      }
      return {
        ...draft,
        id,
        status: "open",
        acknowledgedAt: null,
        acknowledgedBy: null,
        note: null,
        deliveries,
      };
    });
  }

  /** Alerts, newest first. */
  async alerts(filter: {
    status?: "open" | "acknowledged";
    limit: number;
    since?: number;
  }): Promise<AlertRecord[]> {
    const params: SqlValue[] = [];
    let sql = "SELECT * FROM monitor_alerts WHERE 1 = 1";
    if (filter.status !== undefined) {
      sql += " AND status = ?";
      params.push(filter.status);
    }
    if (filter.since !== undefined) {
      sql += " AND fired_at >= ?";
      params.push(filter.since);
    }
    sql += " ORDER BY fired_at DESC, id LIMIT ?";
    params.push(filter.limit);
    const rows = await this.db.query<AlertRow>(sql, params);
    return this.withDeliveries(rows);
  }

  async alert(id: string): Promise<AlertRecord> {
    const rows = await this.db.query<AlertRow>("SELECT * FROM monitor_alerts WHERE id = ?", [id]);
    if (rows.length === 0) {
      throw new TextkitError("ALERT_NOT_FOUND", `there is no alert with id '${id}'`, {
        details: { field: "/id" },
      });
    }
    return (await this.withDeliveries(rows))[0]!;
  }

  async openAlertCount(): Promise<number> {
    const rows = await this.db.query<{ n: number | string }>(
      "SELECT COUNT(*) AS n FROM monitor_alerts WHERE status = 'open'",
    );
    return num(rows[0]?.n ?? 0);
  }

  /** Marks an alert acknowledged (a second acknowledgement keeps the first one's time and person). */
  async acknowledge(id: string, by: string | null, note: string | null, now: number): Promise<AlertRecord> {
    await this.alert(id);
    await this.db.run(
      `UPDATE monitor_alerts SET status = 'acknowledged', acknowledged_at = ?, acknowledged_by = ?, note = ?
       WHERE id = ? AND status = 'open'`,
      [now, by, note, id],
    );
    return this.alert(id);
  }

  private async withDeliveries(rows: AlertRow[]): Promise<AlertRecord[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    const deliveries = await this.db.query<DeliveryRow>(
      `SELECT id, alert_id, target, status, attempts, next_attempt_at, last_error, delivered_at
       FROM monitor_deliveries WHERE alert_id IN (${ids.map(() => "?").join(", ")}) ORDER BY target, id`,
      ids,
    );
    const byAlert = new Map<string, Delivery[]>();
    for (const d of deliveries) {
      const list = byAlert.get(d.alert_id) ?? [];
      list.push(deliveryOf(d));
      byAlert.set(d.alert_id, list);
    }
    return rows.map((r) => ({
      id: r.id,
      rule: r.rule_id,
      kind: r.kind as AlertKind,
      topic: r.topic,
      message: r.message,
      firedAt: num(r.fired_at),
      window: { from: num(r.window_from), to: num(r.window_to) },
      value: Number(r.value),
      baseline: {
        mean: r.baseline_mean === null ? null : Number(r.baseline_mean),
        std: r.baseline_std === null ? null : Number(r.baseline_std),
        windows: num(r.baseline_windows),
      },
      z: r.z === null ? null : Number(r.z),
      count: num(r.doc_count),
      status: r.status === "acknowledged" ? "acknowledged" : "open",
      acknowledgedAt: numOrNull(r.acknowledged_at),
      acknowledgedBy: r.acknowledged_by,
      note: r.note,
      deliveries: byAlert.get(r.id) ?? [],
    }));
  }

  /** Pending deliveries whose time has come and that no process holds, oldest first. */
  async dueDeliveries(now: number, limit: number): Promise<Delivery[]> {
    const rows = await this.db.query<DeliveryRow>(
      `SELECT id, alert_id, target, status, attempts, next_attempt_at, last_error, delivered_at FROM monitor_deliveries
       WHERE status = 'pending' AND next_attempt_at <= ? AND (lease_until IS NULL OR lease_until < ?)
       ORDER BY next_attempt_at, id LIMIT ?`,
      [now, now, limit],
    );
    return rows.map(deliveryOf);
  }

  /** Takes a delivery for `leaseMs`; false when another process took it first. */
  async claimDelivery(id: string, now: number, leaseMs: number): Promise<boolean> {
    const r = await this.db.run(
      `UPDATE monitor_deliveries SET lease_until = ? WHERE id = ? AND status = 'pending'
       AND (lease_until IS NULL OR lease_until < ?)`,
      [now + leaseMs, id, now],
    );
    return r.changes === 1;
  }

  /** Records an attempt: delivered, another try at `retryAt`, or given up (`retryAt` null). */
  async recordAttempt(
    id: string,
    outcome: { delivered: true; at: number } | { delivered: false; error: string; retryAt: number | null },
  ): Promise<void> {
    if (outcome.delivered) {
      await this.db.run(
        `UPDATE monitor_deliveries SET status = 'delivered', attempts = attempts + 1, delivered_at = ?,
         lease_until = NULL, last_error = NULL WHERE id = ?`,
        [outcome.at, id],
      );
      return;
    }
    await this.db.run(
      `UPDATE monitor_deliveries SET status = ?, attempts = attempts + 1, next_attempt_at = COALESCE(?, next_attempt_at),
       lease_until = NULL, last_error = ? WHERE id = ?`,
      [outcome.retryAt === null ? "failed" : "pending", outcome.retryAt, outcome.error.slice(0, 2000), id],
    );
  }
}

function deliveryOf(r: DeliveryRow): Delivery {
  return {
    id: r.id,
    alertId: r.alert_id,
    target: r.target,
    status: (DELIVERY_STATUSES as readonly string[]).includes(r.status)
      ? (r.status as DeliveryStatus)
      : "pending",
    attempts: num(r.attempts),
    nextAttemptAt: num(r.next_attempt_at),
    lastError: r.last_error,
    deliveredAt: numOrNull(r.delivered_at),
  };
}

function documentOf(r: DocumentRow): MonitorDocument {
  let entities: MonitorEntity[] = [];
  try {
    entities = JSON.parse(r.entities) as MonitorEntity[];
  } catch {
    // A row written by hand with broken JSON shows no entities rather than failing the page.
  }
  return {
    key: r.doc_key,
    id: r.ext_id,
    source: r.source,
    title: r.title,
    text: r.body,
    url: r.url,
    lang: r.lang,
    langScore: r.lang_score === null || r.lang_score === undefined ? null : Number(r.lang_score),
    publishedAt: num(r.published_at),
    ingestedAt: num(r.ingested_at),
    topic: r.topic,
    topicScore: r.topic_score === null ? null : Number(r.topic_score),
    sentiment: r.sentiment,
    sentimentScore: r.sentiment_score === null ? null : Number(r.sentiment_score),
    entities,
    terms: [],
  };
}
