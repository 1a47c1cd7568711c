/**
 * The monitor's tables and the time buckets its counts are kept in. Documents are keyed by
 * their deduplication key; the counts behind the trends are kept per minute, hour and day,
 * and the term and entity counts per hour only: a day's or a month's top terms add up the
 * hours at query time, so each document costs one row per term rather than one per term
 * and granularity. Those hourly rows are appended by each batch and rolled up into the keyed
 * tables every few thousand rows (store-rollup.ts).
 */

import type { DatabaseCapabilities } from "../../store/index.ts";

export const GRANULARITIES = ["minute", "hour", "day"] as const;
export type Granularity = (typeof GRANULARITIES)[number];

export const BUCKET_MS: Readonly<Record<Granularity, number>> = Object.freeze({
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
});

/** Granularity of the term and entity counts; longer ranges are sums of these buckets. */
export const TERM_GRANULARITY: Granularity = "hour";

/**
 * The steps every database runs, in order; `monitorMigrations` adds those that depend on the
 * database. Append, never edit.
 */
export const MIGRATIONS = [
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
  // Term and entity counts were also kept per day; the hour rows hold the same counts.
  `DELETE FROM monitor_term_counts WHERE granularity = 'day';
  DELETE FROM monitor_entity_counts WHERE granularity = 'day'`,
  // The language model's probability of a document's language (null: named by its source or
  // decided by textkit's English/Chinese detector).
  "ALTER TABLE monitor_documents ADD COLUMN lang_score DOUBLE PRECISION",
  // Batches append their hourly term and entity counts here, without a key; a roll-up moves
  // them into the keyed tables above (store-rollup.ts). `rolling` marks the rows a roll-up
  // is moving where other connections write meanwhile.
  `CREATE TABLE monitor_term_recent (
    bucket BIGINT NOT NULL,
    topic TEXT NOT NULL,
    sentiment TEXT NOT NULL,
    term TEXT NOT NULL,
    n BIGINT NOT NULL,
    rolling BIGINT NOT NULL DEFAULT 0
  );
  CREATE TABLE monitor_entity_recent (
    bucket BIGINT NOT NULL,
    topic TEXT NOT NULL,
    sentiment TEXT NOT NULL,
    label TEXT NOT NULL,
    entity TEXT NOT NULL,
    n BIGINT NOT NULL,
    rolling BIGINT NOT NULL DEFAULT 0
  )`,
] as const;

/** A keyed count table: its columns (the key's first, `n` last) and its key. */
interface KeyedTable {
  readonly name: string;
  readonly columns: string;
  readonly key: string;
}

/** The keyed count tables, as migration 1 made them. */
const KEYED_COUNTS: readonly KeyedTable[] = [
  {
    name: "monitor_counts",
    columns:
      "granularity TEXT NOT NULL, bucket BIGINT NOT NULL, topic TEXT NOT NULL, sentiment TEXT NOT NULL",
    key: "granularity, bucket, topic, sentiment",
  },
  {
    name: "monitor_term_counts",
    columns:
      "granularity TEXT NOT NULL, bucket BIGINT NOT NULL, topic TEXT NOT NULL, sentiment TEXT NOT NULL, term TEXT NOT NULL",
    key: "granularity, bucket, topic, sentiment, term",
  },
  {
    name: "monitor_entity_counts",
    columns:
      "granularity TEXT NOT NULL, bucket BIGINT NOT NULL, topic TEXT NOT NULL, sentiment TEXT NOT NULL, " +
      "label TEXT NOT NULL, entity TEXT NOT NULL",
    key: "granularity, bucket, topic, sentiment, label, entity",
  },
  {
    name: "monitor_rule_hits",
    columns: "rule_id TEXT NOT NULL, bucket BIGINT NOT NULL, topic TEXT NOT NULL",
    key: "rule_id, bucket, topic",
  },
];

/** Rebuilds a keyed table WITHOUT ROWID (SQLite), its rows copied: one B-tree instead of two. */
function clustered(table: KeyedTable): string {
  const next = `${table.name}_clustered`;
  return `CREATE TABLE ${next} (${table.columns}, n BIGINT NOT NULL, PRIMARY KEY (${table.key})) WITHOUT ROWID;
  INSERT INTO ${next} (${table.key}, n) SELECT ${table.key}, n FROM ${table.name};
  DROP TABLE ${table.name};
  ALTER TABLE ${next} RENAME TO ${table.name}`;
}

/**
 * The monitor's migrations for a database with `capabilities`, the same number on every
 * database. Step 5: where a table can be
 * kept in its key's B-tree alone (SQLite), the keyed count tables are rebuilt that way, so
 * that each new count row (about four a document at a roll-up) is one B-tree insert, not
 * two; elsewhere (PostgreSQL, whose tables are heaps) the step does nothing.
 */
export function monitorMigrations(capabilities: DatabaseCapabilities): string[] {
  return [
    ...MIGRATIONS,
    capabilities.clusteredTables ? KEYED_COUNTS.map(clustered).join(";\n  ") : "SELECT 1",
    // Step 6. Where the database expands JSON in queries (`jsonEach`), a batch appends one row
    // per (hour, topic, sentiment) with its terms' counts as a JSON object, instead of one
    // row per term (store-rollup.ts); elsewhere the table stays empty.
    `CREATE TABLE monitor_term_packed (
    bucket BIGINT NOT NULL,
    topic TEXT NOT NULL,
    sentiment TEXT NOT NULL,
    terms TEXT NOT NULL,
    rolling BIGINT NOT NULL DEFAULT 0
  )`,
  ];
}

/** The start of the bucket of `granularity` that holds `time`. */
export function bucketOf(time: number, granularity: Granularity): number {
  const size = BUCKET_MS[granularity];
  return Math.floor(time / size) * size;
}
