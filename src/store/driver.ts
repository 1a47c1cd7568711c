/**
 * What the database and both of its adapters share: the dialects, the plain types of
 * statements and results, the defaults of the connection options, and the interface an
 * adapter implements. It sits apart from database.ts so that the adapters, which
 * database.ts loads on demand, do not import database.ts back (as Kysely keeps
 * `driver/driver.ts` apart from its dialects).
 */
export const DIALECTS = ["sqlite", "postgres"] as const;
export type Dialect = (typeof DIALECTS)[number];

/** A value a placeholder can take. Booleans are not portable (SQLite has none): use 0 and 1. */
export type SqlValue = string | number | bigint | null;

/** A row as the driver returns it: BIGINT and COUNT(*) come back as numbers on both adapters. */
export type Row = Record<string, unknown>;

export interface RunResult {
  /** Rows the statement inserted, updated or deleted (for a statement that returns rows: their number). */
  changes: number;
}

/** What runs statements: the database itself, or the `tx` of a transaction. */
export interface Queryable {
  /** Runs one statement and returns its rows (none for a statement that returns no rows). */
  query<T extends object = Row>(sql: string, params?: readonly SqlValue[]): Promise<T[]>;
  /** Runs one statement for its effect. */
  run(sql: string, params?: readonly SqlValue[]): Promise<RunResult>;
  /**
   * Runs one statement once for each of `rows` (its values), in order, and returns each
   * run's changes. Only inside a transaction of an adapter that runs statements in this
   * process (SQLite), where one prepared statement run per row costs less than a statement
   * of many rows; undefined elsewhere.
   */
  readonly runEach?: ((sql: string, rows: readonly (readonly SqlValue[])[]) => Promise<number[]>) | undefined;
}

/** What an adapter can do, for the few places where portable SQL is not enough. */
export interface DatabaseCapabilities {
  /** Processes on several machines can share the database (a server, not a local file). */
  readonly sharedAcrossHosts: boolean;
  /** Transactions of other connections write at the same time (row locks, not one lock on the whole file). */
  readonly concurrentWriters: boolean;
  /** `SELECT ... FOR UPDATE` locks the rows it reads until the transaction ends. */
  readonly rowLocks: boolean;
  /**
   * A table can be kept in its primary key's B-tree alone (SQLite's `WITHOUT ROWID`), so that
   * a row costs one B-tree insert rather than two (the table and its key's index).
   */
  readonly clusteredTables: boolean;
  /**
   * `json_each(column)` in a FROM clause expands a JSON object held as TEXT into rows of its
   * `key` and `value` (SQLite's JSON functions; PostgreSQL names its own differently).
   */
  readonly jsonEach: boolean;
  /**
   * One `INSERT ... ON CONFLICT DO UPDATE` may meet the same key in two of its rows: the
   * second updates the row the first wrote (SQLite). PostgreSQL refuses such a statement
   * ("cannot affect row a second time"), so there the rows must be added up first.
   */
  readonly repeatedUpserts: boolean;
}

export interface OpenDatabaseOptions {
  /** PostgreSQL: how long to wait for a connection (default 5000 ms). */
  connectTimeoutMs?: number;
  /** PostgreSQL: the most connections this process opens (default 10). */
  maxConnections?: number;
  /** SQLite: how long a writer waits for another writer's lock (default 5000 ms). */
  busyTimeoutMs?: number;
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 5000;
export const DEFAULT_MAX_CONNECTIONS = 10;
export const DEFAULT_BUSY_TIMEOUT_MS = 5000;

/**
 * What an adapter implements: statements, transactions and closing, with the driver's
 * errors turned into TextkitErrors. `openDatabase` adds the rest (migrations, the guards
 * against misuse) once for both.
 */
export interface DatabaseDriver extends Queryable {
  readonly dialect: Dialect;
  readonly capabilities: DatabaseCapabilities;
  readonly location: string;
  /**
   * Runs `fn` in a transaction. An `exclusive` one first waits until no other exclusive
   * transaction runs on the database, in any process (migrations take this lock).
   */
  transaction<T>(fn: (tx: DriverTransaction) => Promise<T>, exclusive: boolean): Promise<T>;
  close(): Promise<void>;
}

/** A transaction as an adapter sees it: it also runs scripts of several statements. */
export interface DriverTransaction extends Queryable {
  exec(script: string): Promise<void>;
}
