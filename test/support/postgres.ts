/**
 * A real, throw-away PostgreSQL server for the store's conformance suites, and the list of
 * dialects those suites loop over. The server is a fresh cluster in a temporary directory,
 * on a free loopback port, with its socket in that directory; it is stopped and removed
 * afterwards. When PostgreSQL is not installed its half of a suite is skipped, with a
 * message, unless TEXTKIT_REQUIRE_POSTGRES=1 (CI), where it fails.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import pg from "pg";
import type { Dialect } from "../../src/store/driver.ts";
import { freePort } from "./free-port.ts";

const INSTALL_HINT = "apt-get install -y --no-install-recommends postgresql";
const START_TIMEOUT_MS = 30_000;
const SUPERUSER = "textkit";

export interface PostgresBinaries {
  initdb: string;
  postgres: string;
}

/**
 * Finds initdb and postgres: in $TEXTKIT_POSTGRES_BIN alone when it is set, else in the
 * newest /usr/lib/postgresql/<version>/bin (Debian and Ubuntu), else on PATH.
 */
export function findPostgresBinaries(env: NodeJS.ProcessEnv = process.env): PostgresBinaries | null {
  const override = env["TEXTKIT_POSTGRES_BIN"];
  const dirs: string[] = override !== undefined && override !== "" ? [override] : searchDirs(env);
  for (const dir of dirs) {
    const initdb = join(dir, "initdb");
    const postgres = join(dir, "postgres");
    if (existsSync(initdb) && existsSync(postgres)) return { initdb, postgres };
  }
  return null;
}

function searchDirs(env: NodeJS.ProcessEnv): string[] {
  const dirs: string[] = [];
  const root = "/usr/lib/postgresql";
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((v) => /^\d+(\.\d+)?$/.test(v))
      .sort((a, b) => Number(b) - Number(a));
    dirs.push(...versions.map((v) => join(root, v, "bin")));
  }
  dirs.push(...(env["PATH"] ?? "").split(delimiter).filter((d) => d !== ""));
  return dirs;
}

/** How to run a PostgreSQL program: as the `postgres` user when we are root, which it refuses. */
interface RunAs {
  wrap(program: string, args: string[]): [string, string[]];
  own(path: string): void;
}

function runAs(): RunAs {
  if (process.getuid?.() !== 0) return { wrap: (program, args) => [program, args], own: () => undefined };
  const id = (flag: string): number => {
    const out = spawnSync("id", [flag, "postgres"], { encoding: "utf8" });
    if (out.status !== 0) {
      throw new Error(
        "PostgreSQL refuses to run as root and there is no 'postgres' user to run it as; " +
          `install the distribution's package (${INSTALL_HINT}), which creates it`,
      );
    }
    return Number(out.stdout.trim());
  };
  const uid = id("-u");
  const gid = id("-g");
  return {
    wrap: (program, args) => ["runuser", ["-u", "postgres", "--", program, ...args]],
    own: (path) => chownSync(path, uid, gid),
  };
}

export interface PostgresServer {
  /** URL of the server's `postgres` database, as its superuser. */
  readonly url: string;
  /** Creates an empty database and returns its URL. */
  createDatabase(): Promise<string>;
  /** Stops the server and removes its directory. */
  stop(): Promise<void>;
}

/**
 * Initialises a cluster in a temporary directory and starts it on a free loopback port.
 *
 * @example
 * const server = await startPostgres();
 * const db = await openDatabase(await server.createDatabase());
 */
export async function startPostgres(bins: PostgresBinaries): Promise<PostgresServer> {
  const as = runAs();
  const dir = mkdtempSync(join(tmpdir(), "textkit-pg-"));
  const data = join(dir, "data");
  const sockets = join(dir, "sockets");
  mkdirSync(sockets);
  as.own(dir);
  as.own(sockets);
  const env = { PATH: process.env["PATH"] ?? "/usr/bin:/bin", LC_ALL: "C", LANG: "C" };

  const [initdb, initArgs] = as.wrap(bins.initdb, [
    "-D",
    data,
    "-U",
    SUPERUSER,
    "--auth=trust",
    "--encoding=UTF8",
    "--locale=C",
    "--no-sync",
  ]);
  const init = spawnSync(initdb, initArgs, { cwd: dir, env, encoding: "utf8" });
  if (init.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`initdb failed (exit ${init.status}):\n${init.stderr || init.stdout}`);
  }

  const port = await freePort();
  const [postgres, args] = as.wrap(bins.postgres, [
    "-D",
    data,
    "-p",
    String(port),
    "-k",
    sockets,
    "-c",
    "listen_addresses=127.0.0.1",
    // A test server: durability is not wanted, speed is.
    "-c",
    "fsync=off",
    "-c",
    "synchronous_commit=off",
    "-c",
    "full_page_writes=off",
  ]);
  const child: ChildProcess = spawn(postgres, args, { cwd: dir, env, stdio: ["ignore", "ignore", "pipe"] });
  let log = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    log += chunk.toString("utf8");
  });
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once("exit", resolve)).then(() => {
    exited = true;
  });
  // Should the test process end without stop(), the server must not outlive it.
  const killOnExit = (): void => {
    const pid = postmasterPid(data);
    try {
      if (pid === null) child.kill("SIGKILL");
      else process.kill(pid, "SIGKILL");
    } catch {
      // Gone already.
    }
  };
  process.once("exit", killOnExit);

  const url = `postgres://${SUPERUSER}@127.0.0.1:${port}/postgres`;
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    process.removeListener("exit", killOnExit);
    if (!exited) {
      // SIGINT is PostgreSQL's fast shutdown; it goes to the server itself, not to runuser.
      const pid = postmasterPid(data);
      if (pid === null) child.kill("SIGINT");
      else process.kill(pid, "SIGINT");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exit;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (exited) {
      await stop();
      throw new Error(`postgres exited while starting:\n${log}`);
    }
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
    try {
      await client.connect();
      await client.end();
      break;
    } catch {
      await client.end().catch(() => undefined);
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`postgres did not accept connections within ${START_TIMEOUT_MS} ms:\n${log}`);
      }
      await sleep(100);
    }
  }

  let databases = 0;
  return {
    url,
    async createDatabase(): Promise<string> {
      const name = `test_${++databases}`;
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${name}`);
      } finally {
        await client.end();
      }
      return `postgres://${SUPERUSER}@127.0.0.1:${port}/${name}`;
    },
    stop,
  };
}

function postmasterPid(data: string): number | null {
  try {
    const pid = Number(readFileSync(join(data, "postmaster.pid"), "utf8").split("\n")[0]);
    return Number.isSafeInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** One dialect as a conformance suite sees it. */
export interface StoreTarget {
  readonly dialect: Dialect;
  /** Why this dialect's tests are skipped, or false. */
  readonly skip: string | false;
  /** Starts what the dialect needs; call in `before`. Throws when it cannot. */
  setup(): Promise<void>;
  /** The location of a new, empty database. */
  freshLocation(): Promise<string>;
  /** Stops and removes everything `setup` made; call in `after`. */
  teardown(): Promise<void>;
}

function sqliteTarget(): StoreTarget {
  let dir: string | undefined;
  let count = 0;
  return {
    dialect: "sqlite",
    skip: false,
    async setup() {
      dir = mkdtempSync(join(tmpdir(), "textkit-sqlite-"));
    },
    async freshLocation() {
      if (dir === undefined) throw new Error("setup() first");
      return join(dir, `db-${++count}`, "textkit.db");
    },
    async teardown() {
      if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
    },
  };
}

function postgresTarget(env: NodeJS.ProcessEnv): StoreTarget {
  const bins = findPostgresBinaries(env);
  const required = env["TEXTKIT_REQUIRE_POSTGRES"] === "1";
  let server: PostgresServer | undefined;
  return {
    dialect: "postgres",
    skip:
      bins === null && !required
        ? `PostgreSQL is not installed (no initdb and postgres under /usr/lib/postgresql/*/bin or on PATH); ${INSTALL_HINT} to run these tests`
        : false,
    async setup() {
      if (bins === null) {
        throw new Error(
          "TEXTKIT_REQUIRE_POSTGRES=1 but PostgreSQL is not installed: no initdb and postgres under " +
            `/usr/lib/postgresql/*/bin or on PATH (set TEXTKIT_POSTGRES_BIN to their directory); ${INSTALL_HINT}`,
        );
      }
      server = await startPostgres(bins);
    },
    async freshLocation() {
      if (server === undefined) throw new Error("setup() first");
      return server.createDatabase();
    },
    async teardown() {
      await server?.stop();
    },
  };
}

/**
 * The dialects every store suite runs against: SQLite always, PostgreSQL when it is
 * installed (or required).
 *
 * @example
 * for (const target of storeTargets()) {
 *   describe(`thing (${target.dialect})`, { skip: target.skip }, () => {
 *     before(() => target.setup());
 *     after(() => target.teardown());
 *   });
 * }
 */
export function storeTargets(env: NodeJS.ProcessEnv = process.env): StoreTarget[] {
  return [sqliteTarget(), postgresTarget(env)];
}
