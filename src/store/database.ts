/**
 * The application data store: one small async interface with two adapters, SQLite (a file
 * under the data directory, the default) and PostgreSQL (several processes or machines
 * sharing one database). Applications write portable SQL with `?` placeholders (TEXT,
 * BIGINT, DOUBLE PRECISION; ids made in TypeScript, no AUTOINCREMENT), and ask the
 * adapter's `capabilities` rather than its dialect when they need to choose.
 *
 * Two habits keep SQL portable: PostgreSQL types a placeholder from where it stands, so one
 * that stands alone (`SELECT ?`, `? IS NULL`) needs a `CAST(? AS TEXT)`; and on PostgreSQL
 * a failed statement spoils the rest of its transaction, and both adapters hold to that:
 * after one, the transaction's statements fail and it rolls back, even if the error was caught.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { TextkitError } from "../core/index.ts";
import type {
  DatabaseCapabilities,
  DatabaseDriver,
  Dialect,
  DriverTransaction,
  OpenDatabaseOptions,
  Queryable,
  Row,
  RunResult,
  SqlValue,
} from "./driver.ts";

/**
 * Application data: statements, transactions and versioned migrations.
 *
 * @example
 * const db = await openDatabase("data/textkit.db");
 * await db.migrate("notes", ["CREATE TABLE notes (id TEXT PRIMARY KEY, body TEXT NOT NULL)"]);
 * await db.run("INSERT INTO notes (id, body) VALUES (?, ?)", ["n1", "hello"]);
 * const rows = await db.query<{ body: string }>("SELECT body FROM notes WHERE id = ?", ["n1"]);
 * await db.close();
 */
export interface Database extends Queryable {
  /** Which adapter this is, for messages and logs; code asks `capabilities` instead. */
  readonly dialect: Dialect;
  readonly capabilities: DatabaseCapabilities;
  /** The location without its password, for messages. */
  readonly location: string;
  /**
   * Runs `fn` in one transaction: committed when `fn` resolves, rolled back when it throws
   * (and the error passed on). Inside `fn` run statements on `tx`, never on the database
   * itself, which waits for the transaction to end.
   */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /**
   * Brings the schema of `name` (an application, e.g. "api_keys") up to date: step `i`
   * (version i + 1) runs once, in order, and is recorded in `schema_migrations`. Steps are
   * appended, never edited; one step may hold several statements. Concurrent callers (other
   * processes included) wait for each other. Returns the number of steps this call ran.
   */
  migrate(name: string, steps: readonly string[]): Promise<number>;
  /** Waits for running work, then releases the file or the connections. Safe to call twice. */
  close(): Promise<void>;
}

const POSTGRES_URL = /^postgres(ql)?:\/\//i;

/** True for a location `openDatabase` hands to the PostgreSQL adapter. */
export function isPostgresUrl(location: string): boolean {
  return POSTGRES_URL.test(location);
}

/**
 * Opens the application database: a `postgres://` or `postgresql://` URL opens PostgreSQL,
 * anything else is the path of a SQLite file (its directory is created; `:memory:` is a
 * database that lives as long as the handle). A bad location or a server that cannot be
 * reached throws STORE_UNAVAILABLE. Each adapter loads its driver only when it is used.
 *
 * @example
 * const db = await openDatabase(process.env.DATABASE_URL ?? "data/textkit.db");
 */
export async function openDatabase(location: string, options: OpenDatabaseOptions = {}): Promise<Database> {
  if (location.trim() === "") {
    throw new TextkitError("STORE_UNAVAILABLE", "no database location given", { details: { location } });
  }
  if (isPostgresUrl(location)) {
    const { PostgresDatabase } = await import("./postgres-database.ts");
    return new GuardedDatabase(await PostgresDatabase.open(location, options));
  }
  const { SqliteDatabase } = await import("./sqlite-database.ts");
  return new GuardedDatabase(await SqliteDatabase.open(location, options));
}

/** The table where `migrate` records the steps it ran. */
export const MIGRATIONS_TABLE = "schema_migrations";

async function applyMigrations(
  tx: DriverTransaction,
  name: string,
  steps: readonly string[],
): Promise<number> {
  await tx.exec(
    `CREATE TABLE IF NOT EXISTS ${MIGRATIONS_TABLE} (` +
      "name TEXT NOT NULL, version BIGINT NOT NULL, applied_at TEXT NOT NULL, PRIMARY KEY (name, version))",
  );
  const rows = await tx.query<{ version: number | null }>(
    `SELECT MAX(version) AS version FROM ${MIGRATIONS_TABLE} WHERE name = ?`,
    [name],
  );
  const current = Number(rows[0]?.version ?? 0);
  if (current > steps.length) {
    throw new TextkitError(
      "STORE_SCHEMA_NEWER",
      `the schema of '${name}' in the database is at version ${current}; this textkit knows ${steps.length}`,
      { details: { name, version: current, known: steps.length } },
    );
  }
  for (let version = current + 1; version <= steps.length; version++) {
    await tx.exec(steps[version - 1]!);
    await tx.run(`INSERT INTO ${MIGRATIONS_TABLE} (name, version, applied_at) VALUES (?, ?, ?)`, [
      name,
      version,
      new Date().toISOString(),
    ]);
  }
  return steps.length - current;
}

/**
 * The `tx` handed to the function of a transaction. It refuses statements once the
 * transaction has ended, and once one of its statements has failed: PostgreSQL refuses them
 * then, and SQLite, which would go on, is held to the same rule so that code tested on one
 * behaves the same on the other.
 */
class TransactionHandle implements DriverTransaction {
  ended = false;
  failure: unknown = undefined;
  readonly runEach: DriverTransaction["runEach"];
  constructor(private readonly tx: DriverTransaction) {
    const each = tx.runEach;
    this.runEach = each === undefined ? undefined : (sql, rows) => this.guard(() => each(sql, rows));
  }

  query<T extends object = Row>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    return this.guard(() => this.tx.query<T>(sql, params));
  }

  run(sql: string, params: readonly SqlValue[] = []): Promise<RunResult> {
    return this.guard(() => this.tx.run(sql, params));
  }

  exec(script: string): Promise<void> {
    return this.guard(() => this.tx.exec(script));
  }

  private async guard<T>(statement: () => Promise<T>): Promise<T> {
    if (this.ended) {
      throw new TextkitError("INTERNAL", "this transaction has ended; run statements inside its function");
    }
    if (this.failure !== undefined) throw failedEarlier(this.failure);
    try {
      return await statement();
    } catch (error) {
      this.failure = error;
      throw error;
    }
  }
}

function failedEarlier(cause: unknown): TextkitError {
  return new TextkitError(
    "STORE_QUERY_FAILED",
    "a statement of this transaction failed, so the transaction was rolled back; let the error end it",
    { cause },
  );
}

/**
 * A driver with the guards every adapter needs: no use after close, and no statement on the
 * database from inside its own transaction (on SQLite that would wait for itself forever).
 */
class GuardedDatabase implements Database {
  readonly dialect: Dialect;
  readonly capabilities: DatabaseCapabilities;
  readonly location: string;
  private closed = false;
  // Marks the async context of a running transaction's function.
  private readonly inTransaction = new AsyncLocalStorage<true>();

  constructor(private readonly driver: DatabaseDriver) {
    this.dialect = driver.dialect;
    this.capabilities = driver.capabilities;
    this.location = driver.location;
  }

  async query<T extends object = Row>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    this.check();
    return this.driver.query<T>(sql, params);
  }

  async run(sql: string, params: readonly SqlValue[] = []): Promise<RunResult> {
    this.check();
    return this.driver.run(sql, params);
  }

  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.inside(fn, false);
  }

  async migrate(name: string, steps: readonly string[]): Promise<number> {
    if (name.trim() === "") throw new TextkitError("INTERNAL", "a migration needs a name");
    return this.inside((tx) => applyMigrations(tx, name, steps), true);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.driver.close();
  }

  private async inside<T>(fn: (tx: DriverTransaction) => Promise<T>, exclusive: boolean): Promise<T> {
    this.check();
    return this.driver.transaction(async (tx) => {
      const handle = new TransactionHandle(tx);
      try {
        const result = await this.inTransaction.run(true, () => fn(handle));
        // The function caught a statement's error and carried on: roll back all the same.
        if (handle.failure !== undefined) throw failedEarlier(handle.failure);
        return result;
      } finally {
        handle.ended = true;
      }
    }, exclusive);
  }

  private check(): void {
    if (this.closed) {
      throw new TextkitError("STORE_UNAVAILABLE", `the database ${this.location} is closed`, {
        details: { location: this.location },
      });
    }
    if (this.inTransaction.getStore() === true) {
      throw new TextkitError(
        "INTERNAL",
        "a statement ran on the database inside its own transaction; use the transaction's tx argument",
      );
    }
  }
}
