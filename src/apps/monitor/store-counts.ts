/**
 * The counts behind the trends, added for the documents a batch stored: per minute, hour
 * and day and topic and sentiment; per hour and term and entity (appended, see
 * store-rollup.ts); per minute and keyword rule. Each batch adds up its own counts first,
 * so one row per distinct key goes to the database, not one per document.
 */
import type { Queryable, SqlValue } from "../../store/index.ts";
import type { MonitorDocument } from "./document.ts";
import { appendHead, ENTITY_FAMILY, TERM_FAMILY } from "./store-rollup.ts";
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

/**
 * Counts per (hour, topic, sentiment) group and then per item within it, for the hourly term
 * and entity counts: a document finds its group once, and each of its terms costs one
 * lookup, with no key string made per term. Rows are (bucket, topic, sentiment, ...item, n).
 */
class GroupedTally {
  private readonly groups = new Map<string, Map<string, SqlValue[]>>();
  size = 0;

  /** The items of the group `key` (made with `bucket`, `topic`, `sentiment` the first time). */
  group(key: string): Map<string, SqlValue[]> {
    let items = this.groups.get(key);
    if (items === undefined) {
      items = new Map();
      this.groups.set(key, items);
    }
    return items;
  }

  /** Adds one to `item` of `items`, whose row is `row` (count last, 1) the first time. */
  add(items: Map<string, SqlValue[]>, item: string, row: () => SqlValue[]): void {
    const found = items.get(item);
    if (found === undefined) {
      items.set(item, row());
      this.size++;
    } else (found[found.length - 1] as number)++;
  }

  /** Every row, group after group. */
  list(): SqlValue[][] {
    const out: SqlValue[][] = [];
    for (const items of this.groups.values()) for (const row of items.values()) out.push(row);
    return out;
  }
}

/** The tallies of a batch's new documents. */
interface BatchCounts {
  counts: Tally;
  terms: GroupedTally;
  entities: GroupedTally;
  hits: Tally;
  latest: number;
}

function tally(
  docs: Iterable<MonitorDocument>,
  ruleHits: (doc: MonitorDocument) => readonly string[],
): BatchCounts {
  const out: BatchCounts = {
    counts: new Tally(),
    terms: new GroupedTally(),
    entities: new GroupedTally(),
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
    const b = bucketOf(d.publishedAt, TERM_GRANULARITY);
    const group = `${b}${SEP}${topic}${SEP}${sentiment}`;
    if (d.terms.length > 0) {
      const terms = out.terms.group(group);
      for (const t of d.terms) out.terms.add(terms, t, () => [b, topic, sentiment, t, 1]);
    }
    if (d.entities.length > 0) {
      const entities = out.entities.group(group);
      const seen = new Set<string>();
      for (const e of d.entities) {
        const item = `${e.label}${SEP}${e.text}`;
        // An entity named three times in one document is one mention of it.
        if (seen.has(item)) continue;
        seen.add(item);
        out.entities.add(entities, item, () => [b, topic, sentiment, e.label, e.text, 1]);
      }
    }
    const minute = bucketOf(d.publishedAt, "minute");
    for (const rule of ruleHits(d))
      out.hits.add(`${rule}${SEP}${minute}${SEP}${topic}`, () => [rule, minute, topic]);
  }
  return out;
}

/**
 * Adds the counts of `docs` (documents this transaction stored) inside `tx`, and returns
 * how many rows it appended to the recent term and entity tables (see store-rollup.ts).
 * With `lockOrder`, keyed rows go in key order: two transactions that count the same keys
 * then lock them in the same order, so that on a database with row locks (PostgreSQL) they
 * wait for each other instead of deadlocking. Appended rows lock nothing another
 * transaction waits for, so they go in any order.
 */
export async function countDocuments(
  tx: Queryable,
  docs: Iterable<MonitorDocument>,
  ruleHits: (doc: MonitorDocument) => readonly string[],
  lockOrder: boolean,
): Promise<number> {
  const { counts, terms, entities, hits, latest } = tally(docs, ruleHits);
  await insertRows(
    tx,
    "INSERT INTO monitor_counts (granularity, bucket, topic, sentiment, n)",
    5,
    counts.list(lockOrder),
    "ON CONFLICT (granularity, bucket, topic, sentiment) DO UPDATE SET n = monitor_counts.n + excluded.n",
  );
  await insertRows(tx, appendHead(TERM_FAMILY), 5, terms.list(), "");
  await insertRows(tx, appendHead(ENTITY_FAMILY), 6, entities.list(), "");
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
  return terms.size + entities.size;
}
