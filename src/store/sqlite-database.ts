/**
 * The SQLite adapter: one connection to a file in WAL mode (readers never wait for the
 * writer), with foreign keys on. better-sqlite3 is synchronous, so a statement that waited
 * for another connection's lock inside SQLite would stop the whole event loop, including
 * the transaction that holds the lock when both connections live in this process. Waiting
 * therefore happens here instead: SQLite answers "busy" at once and the statement is tried
 * again after a short sleep, until `busyTimeoutMs` has passed.
 */
import { mkdir } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { TextkitError } from "../core/index.ts";
import {
  type DatabaseCapabilities,
  type DatabaseDriver,
  DEFAULT_BUSY_TIMEOUT_MS,
  type Dialect,
  type DriverTransaction,
  type OpenDatabaseOptions,
  type Row,
  type RunResult,
  type SqlValue,
} from "./driver.ts";

/** The part of a better-sqlite3 statement this adapter uses. */
interface SqliteStatement {
  readonly reader: boolean;
  all(...params: unknown[]): unknown[];
  run(...params: unknown[]): { changes: number };
}

/** The part of a better-sqlite3 connection this adapter uses. */
interface SqliteConnection {
  readonly inTransaction: boolean;
  prepare(sql: string): SqliteStatement;
  exec(sql: string): unknown;
  pragma(source: string): unknown;
  close(): unknown;
}

const MEMORY = ":memory:";
/** Prepared statements kept per connection; applications use a few dozen distinct ones. */
const STATEMENT_CACHE_SIZE = 256;

function errorCode(error: unknown): string {
  if (typeof error === "object" && error !== null && "code" in error && typeof error.code === "string") {
    return error.code;
  }
  return "";
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function isBusy(error: unknown): boolean {
  const code = errorCode(error);
  return code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED");
}

const UNAVAILABLE = ["SQLITE_CANTOPEN", "SQLITE_NOTADB", "SQLITE_CORRUPT", "SQLITE_READONLY"];
const UNAVAILABLE_EXACT = ["SQLITE_IOERR", "SQLITE_FULL", "SQLITE_PERM", "SQLITE_AUTH"];

/** Turns better-sqlite3's errors into TextkitErrors by their SQLite result code. */
function storeError(error: unknown, location: string, sql?: string): TextkitError {
  if (error instanceof TextkitError) return error;
  const code = errorCode(error);
  const message = messageOf(error);
  const details = { location, ...(code === "" ? {} : { driverCode: code }), ...(sql ? { sql } : {}) };
  if (isBusy(error)) {
    return new TextkitError("STORE_BUSY", `the database ${location} is locked by another writer`, {
      cause: error,
      details,
    });
  }
  if (code.startsWith("SQLITE_CONSTRAINT")) {
    return new TextkitError("STORE_CONFLICT", message, { cause: error, details });
  }
  if (UNAVAILABLE.some((c) => code.startsWith(c)) || UNAVAILABLE_EXACT.some((c) => code.startsWith(c))) {
    return new TextkitError("STORE_UNAVAILABLE", `cannot use the SQLite database ${location}: ${message}`, {
      cause: error,
      details,
    });
  }
  return new TextkitError("STORE_QUERY_FAILED", `SQLite: ${message}`, { cause: error, details });
}

/**
 * The application database in one SQLite file.
 *
 * @example
 * const driver = await SqliteDatabase.open("data/textkit.db"); // openDatabase wraps this
 */
export class SqliteDatabase implements DatabaseDriver {
  readonly dialect: Dialect = "sqlite";
  readonly capabilities: DatabaseCapabilities = Object.freeze({
    sharedAcrossHosts: false,
    concurrentWriters: false,
    rowLocks: false,
    clusteredTables: true,
    jsonEach: true,
    repeatedUpserts: true,
  });
  private readonly statements = new Map<string, SqliteStatement>();
  // The connection runs one transaction at a time: while one is open, every other use waits
  // here, or its statements would run inside that transaction.
  private locked = false;
  private readonly waiting: (() => void)[] = [];

  private constructor(
    private readonly connection: SqliteConnection,
    readonly location: string,
    private readonly busyTimeoutMs: number,
  ) {}

  /** Opens (and creates) the file at `location`, or an in-memory database for `:memory:`. */
  static async open(location: string, options: OpenDatabaseOptions = {}): Promise<SqliteDatabase> {
    const busyTimeoutMs = options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
    const path = location === MEMORY ? MEMORY : resolve(location);
    if (path !== MEMORY) {
      try {
        await mkdir(dirname(path), { recursive: true });
      } catch (error) {
        throw new TextkitError(
          "STORE_UNAVAILABLE",
          `cannot create the directory of the SQLite database ${path}: ${messageOf(error)}`,
          { cause: error, details: { location: path } },
        );
      }
    }
    const { default: Sqlite } = await import("better-sqlite3");
    let connection: SqliteConnection;
    try {
      connection = new Sqlite(path);
    } catch (error) {
      throw new TextkitError(
        "STORE_UNAVAILABLE",
        `cannot open the SQLite database ${path}: ${messageOf(error)}`,
        {
          cause: error,
          details: { location: path },
        },
      );
    }
    try {
      // While opening, SQLite itself waits for a lock (another process may be switching the
      // file to WAL); afterwards the adapter waits, without blocking (see the file header).
      connection.pragma(`busy_timeout = ${Math.max(0, Math.floor(busyTimeoutMs))}`);
      connection.pragma("journal_mode = WAL");
      connection.pragma("foreign_keys = ON");
      connection.pragma("busy_timeout = 0");
    } catch (error) {
      connection.close();
      const mapped = storeError(error, path);
      if (mapped.code !== "STORE_QUERY_FAILED") throw mapped;
      throw new TextkitError(
        "STORE_UNAVAILABLE",
        `cannot open the SQLite database ${path}: ${mapped.message}`,
        {
          cause: error,
          details: { location: path },
        },
      );
    }
    return new SqliteDatabase(connection, path, busyTimeoutMs);
  }

  async query<T extends object = Row>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    return this.locking(() => this.retrying(() => this.queryNow<T>(sql, params)));
  }

  async run(sql: string, params: readonly SqlValue[] = []): Promise<RunResult> {
    return this.locking(() => this.retrying(() => this.runNow(sql, params)));
  }

  async transaction<T>(fn: (tx: DriverTransaction) => Promise<T>, _exclusive: boolean): Promise<T> {
    // BEGIN IMMEDIATE takes the file's one write lock at once, so every transaction is
    // exclusive already, and none fails halfway for want of the lock.
    return this.locking(async () => {
      await this.retrying(() => this.connection.exec("BEGIN IMMEDIATE"));
      const tx: DriverTransaction = {
        query: async <R extends object = Row>(sql: string, params: readonly SqlValue[] = []) =>
          this.queryNow<R>(sql, params),
        run: async (sql, params = []) => this.runNow(sql, params),
        runEach: async (sql, rows) => this.runEachNow(sql, rows),
        exec: async (script) => {
          try {
            this.connection.exec(script);
          } catch (error) {
            throw storeError(error, this.location, script);
          }
        },
      };
      let result: T;
      try {
        result = await fn(tx);
      } catch (error) {
        this.rollback();
        throw error;
      }
      try {
        this.connection.exec("COMMIT");
      } catch (error) {
        this.rollback();
        throw storeError(error, this.location, "COMMIT");
      }
      return result;
    });
  }

  async close(): Promise<void> {
    await this.lock();
    this.statements.clear();
    this.connection.close();
    // Stays locked: nothing may use the connection again.
  }

  private queryNow<T extends object>(sql: string, params: readonly SqlValue[]): T[] {
    try {
      const statement = this.prepare(sql);
      if (statement.reader) return statement.all(...params) as T[];
      statement.run(...params);
      return [];
    } catch (error) {
      throw storeError(error, this.location, sql);
    }
  }

  private runNow(sql: string, params: readonly SqlValue[]): RunResult {
    try {
      const statement = this.prepare(sql);
      // A statement with RETURNING (or a SELECT) counts the rows it returns, as PostgreSQL does.
      if (statement.reader) return { changes: statement.all(...params).length };
      return { changes: statement.run(...params).changes };
    } catch (error) {
      throw storeError(error, this.location, sql);
    }
  }

  private runEachNow(sql: string, rows: readonly (readonly SqlValue[])[]): number[] {
    try {
      const statement = this.prepare(sql);
      const out = new Array<number>(rows.length);
      for (const [i, row] of rows.entries()) out[i] = statement.run(...row).changes;
      return out;
    } catch (error) {
      throw storeError(error, this.location, sql);
    }
  }

  private prepare(sql: string): SqliteStatement {
    const cached = this.statements.get(sql);
    if (cached !== undefined) {
      // Most recently used last, so that the oldest is the first key.
      this.statements.delete(sql);
      this.statements.set(sql, cached);
      return cached;
    }
    const statement = this.connection.prepare(sql);
    if (this.statements.size >= STATEMENT_CACHE_SIZE) {
      const oldest = this.statements.keys().next().value;
      if (oldest !== undefined) this.statements.delete(oldest);
    }
    this.statements.set(sql, statement);
    return statement;
  }

  private rollback(): void {
    try {
      if (this.connection.inTransaction) this.connection.exec("ROLLBACK");
    } catch {
      // The transaction is gone already (SQLite rolls back by itself on some errors).
    }
  }

  /** Runs `op` until SQLite stops answering busy, sleeping in between, for up to busyTimeoutMs. */
  private async retrying<T>(op: () => T): Promise<T> {
    const deadline = Date.now() + this.busyTimeoutMs;
    for (let pause = 1; ; pause = Math.min(pause * 2, 25)) {
      try {
        return op();
      } catch (error) {
        const busy = error instanceof TextkitError ? error.code === "STORE_BUSY" : isBusy(error);
        if (!busy || Date.now() >= deadline) throw storeError(error, this.location);
      }
      await sleep(pause);
    }
  }

  private async locking<T>(fn: () => Promise<T>): Promise<T> {
    await this.lock();
    try {
      return await fn();
    } finally {
      this.unlock();
    }
  }

  private lock(): Promise<void> {
    if (!this.locked) {
      this.locked = true;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  private unlock(): void {
    const next = this.waiting.shift();
    if (next === undefined) this.locked = false;
    else next();
  }
}
