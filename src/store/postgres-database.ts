/**
 * The PostgreSQL adapter, on a node-postgres pool. It rewrites the portable `?`
 * placeholders to `$1..$n`, returns BIGINT (and COUNT(*)) as numbers as SQLite does, and
 * keeps passwords out of every message.
 */
import { TextkitError } from "../core/index.ts";
import {
  type DatabaseCapabilities,
  type DatabaseDriver,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_MAX_CONNECTIONS,
  type Dialect,
  type DriverTransaction,
  type OpenDatabaseOptions,
  type Row,
  type RunResult,
  type SqlValue,
} from "./driver.ts";

/** The part of a node-postgres result this adapter uses. */
interface PostgresResult {
  rows: unknown[];
  rowCount: number | null;
  command: string;
}

/** The part of a node-postgres client (a connection taken from the pool) this adapter uses. */
interface PostgresClient {
  query(sql: string, params?: unknown[]): Promise<PostgresResult>;
  release(destroy?: boolean): void;
}

/** The part of a node-postgres pool this adapter uses. */
interface PostgresPool {
  query(sql: string, params?: unknown[]): Promise<PostgresResult>;
  connect(): Promise<PostgresClient>;
  end(): Promise<void>;
  on(event: "error", listener: (error: Error) => void): unknown;
}

/** OID of int8 (BIGINT, and the type of COUNT(*)), which node-postgres returns as a string. */
const INT8_OID = 20;
/** Key of the advisory lock that exclusive transactions (migrations) take. */
const EXCLUSIVE_LOCK_KEY = 7_305_861_442_019;
// Characters of an identifier (and of a dollar-quote tag).
const IDENTIFIER_START = /[A-Za-z_\u0080-\uffff]/;
const IDENTIFIER_PART = /[A-Za-z0-9_\u0080-\uffff]/;

/**
 * Rewrites `?` placeholders to PostgreSQL's `$1..$n`, leaving alone those inside string
 * literals, quoted identifiers, dollar-quoted strings and comments.
 *
 * @example
 * numberPlaceholders("SELECT * FROM t WHERE a = ? AND b = '?'"); // "SELECT * FROM t WHERE a = $1 AND b = '?'"
 */
export function numberPlaceholders(sql: string): string {
  let out = "";
  let n = 0;
  let i = 0;
  const copyUntil = (end: number): void => {
    out += sql.slice(i, end);
    i = end;
  };
  while (i < sql.length) {
    const c = sql[i]!;
    const next = sql[i + 1];
    if (c === "?") {
      out += `$${++n}`;
      i++;
    } else if (c === "'") {
      // E'...' strings take backslash escapes; all strings double a quote to escape it.
      const escapes = i > 0 && /[eE]/.test(sql[i - 1]!) && !IDENTIFIER_PART.test(sql[i - 2] ?? " ");
      let j = i + 1;
      while (j < sql.length) {
        if (escapes && sql[j] === "\\") j += 2;
        else if (sql[j] === "'" && sql[j + 1] === "'") j += 2;
        else if (sql[j] === "'") break;
        else j++;
      }
      copyUntil(Math.min(j + 1, sql.length));
    } else if (c === '"') {
      let j = i + 1;
      while (j < sql.length && !(sql[j] === '"' && sql[j + 1] !== '"')) j += sql[j] === '"' ? 2 : 1;
      copyUntil(Math.min(j + 1, sql.length));
    } else if (c === "-" && next === "-") {
      const end = sql.indexOf("\n", i);
      copyUntil(end === -1 ? sql.length : end);
    } else if (c === "/" && next === "*") {
      // Block comments nest in PostgreSQL.
      let depth = 1;
      let j = i + 2;
      while (j < sql.length && depth > 0) {
        if (sql[j] === "/" && sql[j + 1] === "*") {
          depth++;
          j += 2;
        } else if (sql[j] === "*" && sql[j + 1] === "/") {
          depth--;
          j += 2;
        } else j++;
      }
      copyUntil(j);
    } else if (c === "$" && !IDENTIFIER_PART.test(sql[i - 1] ?? " ")) {
      // $tag$...$tag$ (the tag may be empty); $1 is a parameter, not a quote.
      let j = i + 1;
      if (sql[j] !== "$" && !IDENTIFIER_START.test(sql[j] ?? "")) {
        copyUntil(i + 1);
        continue;
      }
      while (j < sql.length && IDENTIFIER_PART.test(sql[j]!)) j++;
      if (sql[j] !== "$") {
        copyUntil(j);
        continue;
      }
      const tag = sql.slice(i, j + 1);
      const close = sql.indexOf(tag, j + 1);
      copyUntil(close === -1 ? sql.length : close + tag.length);
    } else {
      copyUntil(i + 1);
    }
  }
  return out;
}

/** The URL with its password replaced, for messages and logs. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z]+:\/\/[^/@:]*):[^/@]*@/i, "$1:***@");
}

function field(error: unknown, name: string): unknown {
  return typeof error === "object" && error !== null && name in error
    ? (error as Record<string, unknown>)[name]
    : undefined;
}

// SQLSTATE classes: https://www.postgresql.org/docs/current/errcodes-appendix.html
const BUSY = new Set(["40001", "40P01", "55P03", "57014"]);
const UNAVAILABLE_CLASSES = new Set(["08", "28", "3D", "53", "57"]);

/**
 * Turns node-postgres errors into TextkitErrors: errors the server sent by their SQLSTATE;
 * anything else the driver throws (refused, timed out, cut off) means the server is out of reach.
 */
function storeError(error: unknown, location: string, sql?: string): TextkitError {
  if (error instanceof TextkitError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const code = field(error, "code");
  const fromServer = typeof field(error, "severity") === "string" && typeof code === "string";
  const details = {
    location,
    ...(typeof code === "string" ? { driverCode: code } : {}),
    ...(sql === undefined ? {} : { sql }),
  };
  if (!fromServer) {
    return new TextkitError("STORE_UNAVAILABLE", `cannot reach PostgreSQL at ${location}: ${message}`, {
      cause: error,
      details,
    });
  }
  const sqlState = code as string;
  if (sqlState.startsWith("23"))
    return new TextkitError("STORE_CONFLICT", message, { cause: error, details });
  if (BUSY.has(sqlState)) {
    return new TextkitError("STORE_BUSY", `PostgreSQL: ${message}`, { cause: error, details });
  }
  if (UNAVAILABLE_CLASSES.has(sqlState.slice(0, 2))) {
    return new TextkitError("STORE_UNAVAILABLE", `PostgreSQL at ${location}: ${message}`, {
      cause: error,
      details,
    });
  }
  return new TextkitError("STORE_QUERY_FAILED", `PostgreSQL: ${message}`, { cause: error, details });
}

function parseInt8(value: string): number {
  return Number(value);
}

/**
 * The application database on a PostgreSQL server, shared by every process that opens the
 * same URL.
 *
 * @example
 * const driver = await PostgresDatabase.open("postgres://textkit@db:5432/textkit"); // openDatabase wraps this
 */
export class PostgresDatabase implements DatabaseDriver {
  readonly dialect: Dialect = "postgres";
  readonly capabilities: DatabaseCapabilities = Object.freeze({
    sharedAcrossHosts: true,
    concurrentWriters: true,
    rowLocks: true,
    clusteredTables: false,
    jsonEach: false,
    repeatedUpserts: false,
  });

  private constructor(
    private readonly pool: PostgresPool,
    readonly location: string,
  ) {}

  /** Connects to the server at `url` and checks that it answers. */
  static async open(url: string, options: OpenDatabaseOptions = {}): Promise<PostgresDatabase> {
    const location = redactUrl(url);
    try {
      new URL(url);
    } catch (error) {
      throw new TextkitError("STORE_UNAVAILABLE", `${location} is not a valid PostgreSQL URL`, {
        cause: error,
        details: { location },
      });
    }
    const { Pool, TypeOverrides } = await import("pg");
    const types = new TypeOverrides();
    types.setTypeParser(INT8_OID, parseInt8);
    let pool: PostgresPool;
    try {
      pool = new Pool({
        connectionString: url,
        connectionTimeoutMillis: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
        max: options.maxConnections ?? DEFAULT_MAX_CONNECTIONS,
        idleTimeoutMillis: 10_000,
        // An idle pool does not keep a finished command (or test) alive.
        allowExitOnIdle: true,
        application_name: "textkit",
        types,
      });
    } catch (error) {
      throw storeError(error, location);
    }
    // An idle connection that the server drops emits 'error' on the pool, which would end
    // the process unheard; the next statement takes a new connection, or reports the outage.
    pool.on("error", () => undefined);
    try {
      await pool.query("SELECT 1");
    } catch (error) {
      await pool.end().catch(() => undefined);
      throw storeError(error, location);
    }
    return new PostgresDatabase(pool, location);
  }

  async query<T extends object = Row>(sql: string, params: readonly SqlValue[] = []): Promise<T[]> {
    return (await this.send(this.pool, sql, params)).rows as T[];
  }

  async run(sql: string, params: readonly SqlValue[] = []): Promise<RunResult> {
    return { changes: (await this.send(this.pool, sql, params)).rowCount ?? 0 };
  }

  async transaction<T>(fn: (tx: DriverTransaction) => Promise<T>, exclusive: boolean): Promise<T> {
    let client: PostgresClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw storeError(error, this.location);
    }
    let healthy = true;
    try {
      await this.send(client, "BEGIN");
      if (exclusive) await this.send(client, `SELECT pg_advisory_xact_lock(${EXCLUSIVE_LOCK_KEY})`);
      const tx: DriverTransaction = {
        query: async <R extends object = Row>(sql: string, params: readonly SqlValue[] = []) =>
          (await this.send(client, sql, params)).rows as R[],
        run: async (sql, params = []) => ({ changes: (await this.send(client, sql, params)).rowCount ?? 0 }),
        exec: async (script) => {
          await this.send(client, script);
        },
      };
      let result: T;
      try {
        result = await fn(tx);
      } catch (error) {
        healthy = await client.query("ROLLBACK").then(
          () => true,
          () => false,
        );
        throw error;
      }
      const committed = await this.send(client, "COMMIT");
      // COMMIT of a transaction that an error has aborted rolls back, without an error.
      if (committed.command === "ROLLBACK") {
        throw new TextkitError(
          "STORE_QUERY_FAILED",
          "the transaction was rolled back: a statement in it failed and the error was caught",
          { details: { location: this.location } },
        );
      }
      return result;
    } catch (error) {
      if (healthy && error instanceof TextkitError && error.code === "STORE_UNAVAILABLE") healthy = false;
      throw error;
    } finally {
      // A connection in an unknown state is closed rather than handed to the next caller.
      client.release(!healthy);
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  /** Runs one statement with parameters or, without them, a script (the simple protocol). */
  private async send(
    target: PostgresPool | PostgresClient,
    sql: string,
    params?: readonly SqlValue[],
  ): Promise<PostgresResult> {
    try {
      return params === undefined
        ? await target.query(sql)
        : await target.query(numberPlaceholders(sql), [...params]);
    } catch (error) {
      throw storeError(error, this.location, sql);
    }
  }
}
