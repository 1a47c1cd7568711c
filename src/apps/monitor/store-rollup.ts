/**
 * The hourly term and entity counts, written in two steps. A batch appends its counts to a
 * "recent" table that has no key and no index (monitor_term_recent, monitor_entity_recent):
 * an append costs a third of an upsert into the keyed table, whose rows are mostly new
 * (bench:monitor: 2,700 distinct (hour, topic, sentiment, term) keys in a batch of 500
 * documents, 72% of them not seen before). Every few thousand rows a roll-up moves the recent
 * rows into the keyed counts (monitor_term_counts, monitor_entity_counts) with one
 * `INSERT ... SELECT ... GROUP BY` in key order: the same key from several batches becomes
 * one upsert, and the upserts walk the B-tree in order instead of jumping around it.
 *
 * Readers add both tables up (`hourlyCounts`), so an answer never depends on whether the
 * roll-up has run. The roll-up runs inside an insert's transaction; where other connections
 * write at the same time (PostgreSQL) it first marks the rows it moves, so that rows another
 * transaction commits between its two statements are neither counted nor deleted: they stay
 * for the next roll-up.
 */
import type { Queryable, SqlValue } from "../../store/index.ts";
import { TERM_GRANULARITY } from "./store-schema.ts";

/** Rows appended since the last roll-up after which an insert rolls them up. */
export const ROLLUP_ROWS = 16_384;

/** One family of hourly counts: the keyed table, its recent table, and the key columns after the bucket. */
export interface HourlyFamily {
  readonly counts: string;
  readonly recent: string;
  readonly keys: readonly string[];
}

export const TERM_FAMILY: HourlyFamily = Object.freeze({
  counts: "monitor_term_counts",
  recent: "monitor_term_recent",
  keys: Object.freeze(["topic", "sentiment", "term"]),
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

/**
 * Moves a family's recent rows into its keyed counts, in `tx`. `concurrentWriters`: other
 * connections may commit rows to the recent table meanwhile (see the file header).
 */
async function rollUpFamily(tx: Queryable, family: HourlyFamily, concurrentWriters: boolean): Promise<void> {
  const keys = family.keys.join(", ");
  let which = "WHERE rolling = 0";
  if (concurrentWriters) {
    await tx.run(`UPDATE ${family.recent} SET rolling = 1 WHERE rolling = 0`);
    which = "WHERE rolling = 1";
  }
  // SQLite needs the WHERE before an upsert's ON CONFLICT after a SELECT (a parsing ambiguity).
  await tx.run(
    `INSERT INTO ${family.counts} (granularity, bucket, ${keys}, n)
     SELECT '${TERM_GRANULARITY}', bucket, ${keys}, SUM(n) FROM ${family.recent} ${which}
     GROUP BY bucket, ${keys} ORDER BY bucket, ${keys}
     ON CONFLICT (granularity, bucket, ${keys}) DO UPDATE SET n = ${family.counts}.n + excluded.n`,
  );
  // With one writer at a time every row was moved, and a DELETE without WHERE empties the table at once.
  await tx.run(concurrentWriters ? `DELETE FROM ${family.recent} ${which}` : `DELETE FROM ${family.recent}`);
}

/** Moves the recent term and entity counts into the keyed tables, in `tx`. */
export async function rollUpCounts(tx: Queryable, concurrentWriters: boolean): Promise<void> {
  for (const family of [TERM_FAMILY, ENTITY_FAMILY]) await rollUpFamily(tx, family, concurrentWriters);
}

/**
 * A family's hourly counts in a range as one row source for a query: the keyed rows and the
 * recent ones, `columns` and `n` of each. `where` (bucket range and filters, on columns both
 * tables have) and its `params` apply to both halves, so the params come back twice.
 */
export function hourlyCounts(
  family: HourlyFamily,
  columns: string,
  where: string,
  params: readonly SqlValue[],
): { source: string; params: SqlValue[] } {
  return {
    source: `(SELECT ${columns}, n FROM ${family.counts} WHERE granularity = '${TERM_GRANULARITY}' AND ${where}
      UNION ALL SELECT ${columns}, n FROM ${family.recent} WHERE ${where}) AS hourly`,
    params: [...params, ...params],
  };
}
