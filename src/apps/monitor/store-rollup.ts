/**
 * The hourly term and entity counts, written in two steps. A batch appends its counts to a
 * "recent" table that has no key and no index (monitor_term_recent, monitor_entity_recent):
 * an append costs a third of an upsert into the keyed table, whose rows are mostly new
 * (bench:monitor: 2,700 distinct (hour, topic, sentiment, term) keys in a batch of 500
 * documents, 72% of them not seen before). Every few thousand rows a roll-up moves the recent
 * rows into the keyed counts (monitor_term_counts, monitor_entity_counts) with one
 * `INSERT ... SELECT ... GROUP BY` in key order: the same key from several batches becomes
 * one upsert, and the upserts walk the B-tree in order instead of jumping around it. Where
 * one upsert may meet a key twice (`capabilities.repeatedUpserts`: SQLite) the rows go in
 * as they are, unsorted: sorting them cost more than the upserts it saved.
 *
 * Where the database expands JSON in queries (`capabilities.jsonEach`: SQLite), a batch appends
 * its term counts packed instead: one row per (hour, topic, sentiment) holding its terms'
 * counts as a JSON object (monitor_term_packed), a few dozen rows a batch instead of
 * thousands; the roll-up and the readers expand them with `json_each`.
 *
 * Readers add both tables up (`hourlyCounts`), so an answer never depends on whether the
 * roll-up has run. The roll-up runs inside an insert's transaction; where other connections
 * write at the same time (PostgreSQL) it first marks the rows it moves, so that rows another
 * transaction commits between its two statements are neither counted nor deleted: they stay
 * for the next roll-up.
 */
import type { DatabaseCapabilities, Queryable, SqlValue } from "../../store/index.ts";
import { TERM_GRANULARITY } from "./store-schema.ts";

/** Rows appended since the last roll-up after which an insert rolls them up. */
export const ROLLUP_ROWS = 16_384;

/** The capabilities the roll-up and the readers choose by. */
export type RollUpCapabilities = Pick<
  DatabaseCapabilities,
  "concurrentWriters" | "jsonEach" | "repeatedUpserts"
>;

/** One family of hourly counts: the keyed table, its recent table, and the key columns after the bucket. */
export interface HourlyFamily {
  readonly counts: string;
  readonly recent: string;
  readonly keys: readonly string[];
  /**
   * Where the database has `jsonEach`: the table batches append to instead, one row per
   * bucket and the keys but the last, `column` holding a JSON object from the last key to n.
   */
  readonly packed?: { readonly table: string; readonly column: string };
}

export const TERM_FAMILY: HourlyFamily = Object.freeze({
  counts: "monitor_term_counts",
  recent: "monitor_term_recent",
  keys: Object.freeze(["topic", "sentiment", "term"]),
  packed: Object.freeze({ table: "monitor_term_packed", column: "terms" }),
});

export const ENTITY_FAMILY: HourlyFamily = Object.freeze({
  counts: "monitor_entity_counts",
  recent: "monitor_entity_recent",
  keys: Object.freeze(["topic", "sentiment", "label", "entity"]),
});

/** The head of the multi-row INSERT that appends rows (bucket, keys..., n) to a family's recent table. */
export function appendHead(family: HourlyFamily): string {
  return `INSERT INTO ${family.recent} (bucket, ${family.keys.join(", ")}, n)`;
}

/** The family's packed table where `capabilities` let it be used, else undefined. */
export function packedTable(
  family: HourlyFamily,
  capabilities: Pick<DatabaseCapabilities, "jsonEach">,
): { readonly table: string; readonly column: string } | undefined {
  return capabilities.jsonEach ? family.packed : undefined;
}

/**
 * A family's appended counts as one row source: `columns` (from the bucket and the keys)
 * and `n` of the recent rows and, where used, of the packed rows expanded; `where` (on the
 * bucket, the keys but the last, and `rolling`) applies to each part.
 */
function appendedRows(
  family: HourlyFamily,
  capabilities: RollUpCapabilities,
  columns: readonly string[],
  where: string,
): { sql: string; parts: number } {
  const rows = `SELECT ${columns.join(", ")}, n FROM ${family.recent} WHERE ${where}`;
  const packed = packedTable(family, capabilities);
  if (packed === undefined) return { sql: rows, parts: 1 };
  const item = family.keys.at(-1);
  const expanded = columns.map((c) => (c === item ? `j.key AS ${c}` : `p.${c}`)).join(", ");
  return {
    sql: `${rows} UNION ALL SELECT ${expanded}, j.value AS n FROM ${packed.table} AS p, json_each(p.${packed.column}) AS j
      WHERE ${where}`,
    parts: 2,
  };
}

/**
 * Moves a family's recent rows into its keyed counts, in `tx`. `concurrentWriters`: other
 * connections may commit rows to the recent table meanwhile (see the file header).
 */
async function rollUpFamily(
  tx: Queryable,
  family: HourlyFamily,
  capabilities: RollUpCapabilities,
): Promise<void> {
  const keys = family.keys.join(", ");
  const packed = packedTable(family, capabilities);
  const tables = packed === undefined ? [family.recent] : [family.recent, packed.table];
  let which = "rolling = 0";
  if (capabilities.concurrentWriters) {
    for (const table of tables) await tx.run(`UPDATE ${table} SET rolling = 1 WHERE rolling = 0`);
    which = "rolling = 1";
  }
  const source = appendedRows(family, capabilities, ["bucket", ...family.keys], which);
  // Where one upsert may meet a key twice, each appended row is upserted as it comes: adding
  // them up first would sort every appended row (bench:monitor: 1.4 rows a key), which costs
  // more than the extra upserts. Elsewhere (PostgreSQL) they are added up, in key order.
  const rows = capabilities.repeatedUpserts
    ? `SELECT '${TERM_GRANULARITY}', bucket, ${keys}, n FROM (${source.sql}) AS appended WHERE 1 = 1`
    : `SELECT '${TERM_GRANULARITY}', bucket, ${keys}, SUM(n) FROM (${source.sql}) AS appended WHERE 1 = 1
     GROUP BY bucket, ${keys} ORDER BY bucket, ${keys}`;
  // SQLite needs a WHERE before an upsert's ON CONFLICT after a SELECT (a parsing ambiguity).
  await tx.run(
    `INSERT INTO ${family.counts} (granularity, bucket, ${keys}, n) ${rows}
     ON CONFLICT (granularity, bucket, ${keys}) DO UPDATE SET n = ${family.counts}.n + excluded.n`,
  );
  // With one writer at a time every row was moved, and a DELETE without WHERE empties a table at once.
  for (const table of tables)
    await tx.run(
      capabilities.concurrentWriters ? `DELETE FROM ${table} WHERE ${which}` : `DELETE FROM ${table}`,
    );
}

/** Moves the recent term and entity counts into the keyed tables, in `tx`. */
export async function rollUpCounts(tx: Queryable, capabilities: RollUpCapabilities): Promise<void> {
  for (const family of [TERM_FAMILY, ENTITY_FAMILY]) await rollUpFamily(tx, family, capabilities);
}

/**
 * A family's hourly counts in a range as one row source for a query: the keyed rows and the
 * appended ones, `columns` (some of the keys) and `n` of each. `where` (bucket range and
 * filters, on the bucket and the keys but the last) and its `params` apply to each part, so
 * the params come back once per part.
 */
export function hourlyCounts(
  family: HourlyFamily,
  capabilities: RollUpCapabilities,
  columns: readonly string[],
  where: string,
  params: readonly SqlValue[],
): { source: string; params: SqlValue[] } {
  const appended = appendedRows(family, capabilities, columns, where);
  const out: SqlValue[] = [...params];
  for (let i = 0; i < appended.parts; i++) out.push(...params);
  return {
    source: `(SELECT ${columns.join(", ")}, n FROM ${family.counts} WHERE granularity = '${TERM_GRANULARITY}' AND ${where}
      UNION ALL ${appended.sql}) AS hourly`,
    params: out,
  };
}
