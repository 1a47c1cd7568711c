/**
 * The counts behind the trends, added for the documents a batch stored: per minute, hour
 * and day and topic and sentiment; per hour and term and entity (appended, see
 * store-rollup.ts); per minute and keyword rule. Each batch adds up its own counts first,
 * so one row per distinct key goes to the database, not one per document.
 */
import type { DatabaseCapabilities, Queryable, SqlValue } from "../../store/index.ts";
import type { MonitorDocument } from "./document.ts";
import { appendHead, ENTITY_FAMILY, packedTable, TERM_FAMILY } from "./store-rollup.ts";
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

  /** Adds `n` (default one) under the key `key`, whose row is `columns()` the first time. */
  add(key: string, columns: () => SqlValue[], n = 1): void {
    const row = this.rows.get(key);
    if (row === undefined) this.rows.set(key, [...columns(), n]);
    else (row[row.length - 1] as number) += n;
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

/** One (hour, topic, sentiment) group of a GroupedTally: its columns and its items' counts. */
interface Group {
  readonly columns: SqlValue[];
  readonly items: Map<string, number>;
}

/**
 * Counts per (hour, topic, sentiment) group and then per item within it, for the hourly term
 * and entity counts: a document finds its group once, and each of its terms costs one
 * lookup, with no key string or row made per term.
 */
class GroupedTally {
  private readonly groups = new Map<string, Group>();
  /** Distinct (group, item) pairs. */
  size = 0;

  /** The items of the group `key`, whose columns are `columns()` the first time. */
  group(key: string, columns: () => SqlValue[]): Map<string, number> {
    let group = this.groups.get(key);
    if (group === undefined) {
      group = { columns: columns(), items: new Map() };
      this.groups.set(key, group);
    }
    return group.items;
  }

  /** Adds one to `item` of `items`. */
  add(items: Map<string, number>, item: string): void {
    const n = items.get(item);
    if (n === undefined) {
      items.set(item, 1);
      this.size++;
    } else items.set(item, n + 1);
  }

  /** A row per item, group after group: the group's columns, `itemColumns(item)`, the count. */
  list(itemColumns: (item: string) => SqlValue[]): SqlValue[][] {
    const out: SqlValue[][] = [];
    for (const { columns, items } of this.groups.values())
      for (const [item, n] of items) out.push([...columns, ...itemColumns(item), n]);
    return out;
  }

  /**
   * A row per group: its columns and a JSON object from each item to its count. The object is
   * written from the map as text: building a JavaScript object of a few hundred keys first
   * (a dictionary, each key interned, sorted again by JSON.stringify) cost several times more.
   */
  packed(): SqlValue[][] {
    const out: SqlValue[][] = [];
    for (const { columns, items } of this.groups.values()) {
      let json = "";
      for (const [item, n] of items) json += `,${JSON.stringify(item)}:${n}`;
      out.push([...columns, `{${json.slice(1)}}`]);
    }
    return out;
  }
}

/** An entity item's (label, text). */
const splitEntity = (item: string): SqlValue[] => {
  const at = item.indexOf(SEP);
  return [item.slice(0, at), item.slice(at + 1)];
};

/** The tallies of a batch's new documents. */
interface BatchCounts {
  counts: Tally;
  terms: GroupedTally;
  entities: GroupedTally;
  hits: Tally;
  latest: number;
}

/** A batch's documents of one (minute, topic, sentiment): their count and their hour's term and entity groups. */
interface MinuteEntry {
  readonly row: SqlValue[];
  readonly group: string;
  readonly columns: () => SqlValue[];
  terms?: Map<string, number>;
  entities?: Map<string, number>;
}

/**
 * A batch's minute entries, found by minute, then topic, then sentiment: no key string is
 * made and hashed per document (the strings are the documents' own, hashed once).
 */
class MinuteEntries {
  private readonly byMinute = new Map<number, Map<string | null, Map<string | null, MinuteEntry>>>();
  /** Every entry, as first seen. */
  readonly all: MinuteEntry[] = [];

  /** The entry of (`minute`, `topic`, `sentiment`), made the first time. */
  entry(minute: number, topic: string | null, sentiment: string | null): MinuteEntry {
    let byTopic = this.byMinute.get(minute);
    if (byTopic === undefined) {
      byTopic = new Map();
      this.byMinute.set(minute, byTopic);
    }
    let bySentiment = byTopic.get(topic);
    if (bySentiment === undefined) {
      bySentiment = new Map();
      byTopic.set(topic, bySentiment);
    }
    let entry = bySentiment.get(sentiment);
    if (entry === undefined) {
      const b = bucketOf(minute, TERM_GRANULARITY);
      entry = {
        row: ["minute", minute, topic, sentiment, 0],
        group: `${b}${SEP}${topic}${SEP}${sentiment}`,
        columns: () => [b, topic, sentiment],
      };
      bySentiment.set(sentiment, entry);
      this.all.push(entry);
    }
    return entry;
  }
}

/**
 * The minute counts and, added up from them (a few hundred rows a batch rather than a key
 * a document), the hour and day counts.
 */
function bucketCounts(minutes: Iterable<MinuteEntry>): Tally {
  const counts = new Tally();
  for (const { row } of minutes) {
    const [, minute, topic, sentiment, n] = row as [string, number, string, string, number];
    for (const g of GRANULARITIES) {
      const b = g === "minute" ? minute : bucketOf(minute, g);
      counts.add(`${g}${SEP}${b}${SEP}${topic}${SEP}${sentiment}`, () => [g, b, topic, sentiment], n);
    }
  }
  return counts;
}

function tally(
  docs: Iterable<MonitorDocument>,
  ruleHits: (doc: MonitorDocument) => readonly string[],
): BatchCounts {
  const terms = new GroupedTally();
  const entities = new GroupedTally();
  const hits = new Tally();
  const minutes = new MinuteEntries();
  let latest = 0;
  for (const d of docs) {
    latest = Math.max(latest, d.ingestedAt);
    // One entry a document: its minute entry leads to its hour's groups.
    const entry = minutes.entry(bucketOf(d.publishedAt, "minute"), d.topic, d.sentiment);
    const minute = entry.row[1] as number;
    const { topic } = d;
    (entry.row[4] as number)++;
    if (d.terms.length > 0) {
      entry.terms ??= terms.group(entry.group, entry.columns);
      for (const t of d.terms) terms.add(entry.terms, t);
    }
    if (d.entities.length > 0) {
      entry.entities ??= entities.group(entry.group, entry.columns);
      const seen = new Set<string>();
      for (const e of d.entities) {
        const item = `${e.label}${SEP}${e.text}`;
        // An entity named three times in one document is one mention of it.
        if (seen.has(item)) continue;
        seen.add(item);
        entities.add(entry.entities, item);
      }
    }
    for (const rule of ruleHits(d))
      hits.add(`${rule}${SEP}${minute}${SEP}${topic}`, () => [rule, minute, topic]);
  }
  return { counts: bucketCounts(minutes.all), terms, entities, hits, latest };
}

/**
 * A batch's counts made before anyone knows which of its documents are new (a pipeline
 * worker makes them beside the batch, off the main thread): every count but the keyword-rule
 * hits, as rows. They are right only when every document of the batch is stored; the store
 * uses them only then (see MonitorStore.insertDocuments).
 */
export interface BatchPrecount {
  /** Rows (granularity, bucket, topic, sentiment, n) for every granularity. */
  readonly counts: SqlValue[][];
  /** Rows (hour, topic, sentiment, JSON object from term to n). */
  readonly terms: SqlValue[][];
  /** Rows (hour, topic, sentiment, JSON object from "label\u0000text" to n). */
  readonly entities: SqlValue[][];
  /** Distinct (hour, topic, sentiment, item) pairs of the terms and entities. */
  readonly items: number;
  /** The latest time of arrival. */
  readonly latest: number;
}

/** The counts of `docs`, all of them counted as new (see BatchPrecount). */
export function precount(docs: readonly MonitorDocument[]): BatchPrecount {
  const { counts, terms, entities, latest } = tally(docs, () => []);
  return {
    counts: counts.list(false),
    terms: terms.packed(),
    entities: entities.packed(),
    items: terms.size + entities.size,
    latest,
  };
}

/** A batch whose documents were all stored, with its counts made beforehand. */
export interface Precounted {
  readonly docs: readonly MonitorDocument[];
  readonly counts: BatchPrecount;
}

/** Packed rows (columns, JSON object) as a row per item: the columns, `itemColumns(item)`, the count. */
function unpacked(rows: readonly SqlValue[][], itemColumns: (item: string) => SqlValue[]): SqlValue[][] {
  const out: SqlValue[][] = [];
  for (const row of rows) {
    const columns = row.slice(0, -1);
    const counts = JSON.parse(String(row.at(-1))) as Record<string, number>;
    for (const [item, n] of Object.entries(counts)) out.push([...columns, ...itemColumns(item), n]);
  }
  return out;
}

/** The rows of a transaction's counts: those it tallied and those batches brought made. */
interface CountRows {
  counts: SqlValue[][];
  /** Packed rows (hour, topic, sentiment, JSON) where `packed`, else rows (hour, topic, sentiment, term, n). */
  terms: SqlValue[][];
  /** Rows (hour, topic, sentiment, label, entity, n). */
  entities: SqlValue[][];
  hits: SqlValue[][];
  latest: number;
  /** Distinct items of the terms and entities, per batch, added up. */
  items: number;
}

/**
 * The count rows of `docs` tallied here and of the `precounted` batches (whose rule hits
 * only are tallied here). Count rows of both are added up by key: an upsert must not meet
 * the same key twice on PostgreSQL. Term and entity rows are appended to tables without a
 * key, so they go as they are.
 */
function countRows(
  docs: Iterable<MonitorDocument>,
  ruleHits: (doc: MonitorDocument) => readonly string[],
  precounted: readonly Precounted[],
  options: { lockOrder: boolean; packed: boolean },
): CountRows {
  const { counts, terms, entities, hits, latest } = tally(docs, ruleHits);
  const out: CountRows = {
    counts: [],
    terms: options.packed ? terms.packed() : terms.list((t) => [t]),
    entities: entities.list(splitEntity),
    hits: [],
    latest,
    items: terms.size + entities.size,
  };
  for (const { docs: batch, counts: made } of precounted) {
    for (const row of made.counts) {
      const [g, b, topic, sentiment, n] = row as [string, number, string, string, number];
      counts.add(`${g}${SEP}${b}${SEP}${topic}${SEP}${sentiment}`, () => [g, b, topic, sentiment], n);
    }
    out.terms.push(...(options.packed ? made.terms : unpacked(made.terms, (t) => [t])));
    if (made.entities.length > 0) out.entities.push(...unpacked(made.entities, splitEntity));
    out.items += made.items;
    out.latest = Math.max(out.latest, made.latest);
    for (const d of batch) {
      const rules = ruleHits(d);
      if (rules.length === 0) continue;
      const minute = bucketOf(d.publishedAt, "minute");
      for (const rule of rules)
        hits.add(`${rule}${SEP}${minute}${SEP}${d.topic}`, () => [rule, minute, d.topic]);
    }
  }
  out.counts = counts.list(options.lockOrder);
  out.hits = hits.list(options.lockOrder);
  return out;
}

/**
 * Adds the counts of `docs` (documents this transaction stored) and of the `precounted`
 * batches (stored whole, their counts made beforehand: see BatchPrecount) inside `tx`, and
 * returns how many term and entity counts it appended (see store-rollup.ts; packed ones
 * count one for each item). With `capabilities.rowLocks`, keyed rows go in key order: two
 * transactions that count the same keys then lock them in the same order, so that on a
 * database with row locks (PostgreSQL) they wait for each other instead of deadlocking.
 * Appended rows lock nothing another transaction waits for, so they go in any order.
 */
export async function countDocuments(
  tx: Queryable,
  docs: Iterable<MonitorDocument>,
  ruleHits: (doc: MonitorDocument) => readonly string[],
  capabilities: Pick<DatabaseCapabilities, "rowLocks" | "jsonEach">,
  precounted: readonly Precounted[] = [],
): Promise<number> {
  const packed = packedTable(TERM_FAMILY, capabilities);
  const rows = countRows(docs, ruleHits, precounted, {
    lockOrder: capabilities.rowLocks,
    packed: packed !== undefined,
  });
  await insertRows(
    tx,
    "INSERT INTO monitor_counts (granularity, bucket, topic, sentiment, n)",
    5,
    rows.counts,
    "ON CONFLICT (granularity, bucket, topic, sentiment) DO UPDATE SET n = monitor_counts.n + excluded.n",
  );
  if (packed === undefined) await insertRows(tx, appendHead(TERM_FAMILY), 5, rows.terms, "");
  else
    await insertRows(
      tx,
      `INSERT INTO ${packed.table} (bucket, topic, sentiment, ${packed.column})`,
      4,
      rows.terms,
      "",
    );
  await insertRows(tx, appendHead(ENTITY_FAMILY), 6, rows.entities, "");
  await insertRows(
    tx,
    "INSERT INTO monitor_rule_hits (rule_id, bucket, topic, n)",
    4,
    rows.hits,
    "ON CONFLICT (rule_id, bucket, topic) DO UPDATE SET n = monitor_rule_hits.n + excluded.n",
  );
  await tx.run(
    `INSERT INTO monitor_state (name, value) VALUES ('last_ingest_at', ?)
     ON CONFLICT (name) DO UPDATE SET value = CASE WHEN excluded.value > monitor_state.value
       THEN excluded.value ELSE monitor_state.value END`,
    [rows.latest],
  );
  return rows.items;
}
