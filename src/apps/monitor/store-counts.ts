/**
 * The counts behind the trends, added for the documents a batch stored: per minute, hour
 * and day and topic and sentiment; per hour and term and entity; per minute and keyword
 * rule. Each batch adds up its own counts first, so one upsert per distinct key goes to
 * the database, not one per document.
 */
import type { Queryable, SqlValue } from "../../store/index.ts";
import type { MonitorDocument } from "./document.ts";
import { insertRows } from "./store-rows.ts";
import { bucketOf, GRANULARITIES, TERM_GRANULARITY } from "./store-schema.ts";

/** Separates the parts of a tally key; no value holds it. */
const SEP = "\u0000";

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

  /**
   * The rows, in key order when `lockOrder` (see countDocuments), else as first seen:
   * sorting costs as much as the upserts on a database that locks the whole file anyway.
   */
  list(lockOrder: boolean): SqlValue[][] {
    if (!lockOrder) return [...this.rows.values()];
    const keys = [...this.rows.keys()].sort();
    const out: SqlValue[][] = new Array(keys.length);
    for (let i = 0; i < keys.length; i++) out[i] = this.rows.get(keys[i] as string) as SqlValue[];
    return out;
  }
}

/** The tallies of a batch's new documents. */
interface BatchCounts {
  counts: Tally;
  terms: Tally;
  entities: Tally;
  hits: Tally;
  latest: number;
}

function tally(
  docs: Iterable<MonitorDocument>,
  ruleHits: (doc: MonitorDocument) => readonly string[],
): BatchCounts {
  const out: BatchCounts = {
    counts: new Tally(),
    terms: new Tally(),
    entities: new Tally(),
    hits: new Tally(),
    latest: 0,
  };
  for (const d of docs) {
    out.latest = Math.max(out.latest, d.ingestedAt);
    const { topic, sentiment } = d;
    for (const g of GRANULARITIES) {
      const b = bucketOf(d.publishedAt, g);
      out.counts.add(`${g}${SEP}${b}${SEP}${topic}${SEP}${sentiment}`, () => [g, b, topic, sentiment]);
    }
    const g = TERM_GRANULARITY;
    const b = bucketOf(d.publishedAt, g);
    const prefix = `${b}${SEP}${topic}${SEP}${sentiment}${SEP}`;
    for (const t of d.terms) out.terms.add(prefix + t, () => [g, b, topic, sentiment, t]);
    const seen = new Set<string>();
    for (const e of d.entities) {
      const key = `${prefix}${e.label}${SEP}${e.text}`;
      // An entity named three times in one document is one mention of it.
      if (seen.has(key)) continue;
      seen.add(key);
      out.entities.add(key, () => [g, b, topic, sentiment, e.label, e.text]);
    }
    const minute = bucketOf(d.publishedAt, "minute");
    for (const rule of ruleHits(d))
      out.hits.add(`${rule}${SEP}${minute}${SEP}${topic}`, () => [rule, minute, topic]);
  }
  return out;
}

/**
 * Adds the counts of `docs` (documents this transaction stored) inside `tx`. With
 * `lockOrder`, rows go in key order: two transactions that count the same keys then lock
 * them in the same order, so that on a database with row locks (PostgreSQL) they wait for
 * each other instead of deadlocking.
 */
export async function countDocuments(
  tx: Queryable,
  docs: Iterable<MonitorDocument>,
  ruleHits: (doc: MonitorDocument) => readonly string[],
  lockOrder: boolean,
): Promise<void> {
  const { counts, terms, entities, hits, latest } = tally(docs, ruleHits);
  await insertRows(
    tx,
    "INSERT INTO monitor_counts (granularity, bucket, topic, sentiment, n)",
    5,
    counts.list(lockOrder),
    "ON CONFLICT (granularity, bucket, topic, sentiment) DO UPDATE SET n = monitor_counts.n + excluded.n",
  );
  await insertRows(
    tx,
    "INSERT INTO monitor_term_counts (granularity, bucket, topic, sentiment, term, n)",
    6,
    terms.list(lockOrder),
    "ON CONFLICT (granularity, bucket, topic, sentiment, term) DO UPDATE SET n = monitor_term_counts.n + excluded.n",
  );
  await insertRows(
    tx,
    "INSERT INTO monitor_entity_counts (granularity, bucket, topic, sentiment, label, entity, n)",
    7,
    entities.list(lockOrder),
    "ON CONFLICT (granularity, bucket, topic, sentiment, label, entity) DO UPDATE SET n = monitor_entity_counts.n + excluded.n",
  );
  await insertRows(
    tx,
    "INSERT INTO monitor_rule_hits (rule_id, bucket, topic, n)",
    4,
    hits.list(lockOrder),
    "ON CONFLICT (rule_id, bucket, topic) DO UPDATE SET n = monitor_rule_hits.n + excluded.n",
  );
  await tx.run(
    `INSERT INTO monitor_state (name, value) VALUES ('last_ingest_at', ?)
     ON CONFLICT (name) DO UPDATE SET value = CASE WHEN excluded.value > monitor_state.value
       THEN excluded.value ELSE monitor_state.value END`,
    [latest],
  );
}
