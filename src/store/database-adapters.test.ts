/**
 * What only one database adapter has: SQLite's locations and locks, a PostgreSQL server
 * that cannot be reached, and the PostgreSQL adapter's placeholders and URL redaction.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { rejectsWith } from "../../test/support/store-tests.ts";
import { openDatabase } from "./database.ts";
import { numberPlaceholders, redactUrl } from "./postgres-database.ts";

describe("openDatabase: SQLite locations", () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "textkit-db-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("creates the directory, and uses WAL mode with foreign keys on", async () => {
    const db = await openDatabase(join(dir, "a", "b", "textkit.db"));
    try {
      assert.deepEqual(await db.query("PRAGMA journal_mode"), [{ journal_mode: "wal" }]);
      assert.deepEqual(await db.query("PRAGMA foreign_keys"), [{ foreign_keys: 1 }]);
      assert.deepEqual(db.capabilities, {
        sharedAcrossHosts: false,
        concurrentWriters: false,
        rowLocks: false,
        clusteredTables: true,
        jsonEach: true,
        repeatedUpserts: true,
      });
    } finally {
      await db.close();
    }
  });

  it("opens :memory: as a private database", async () => {
    const db = await openDatabase(":memory:");
    await db.migrate("m", ["CREATE TABLE t (id TEXT)"]);
    assert.deepEqual(await db.query("SELECT COUNT(*) AS n FROM t"), [{ n: 0 }]);
    await db.close();
  });

  it("refuses a bad location with STORE_UNAVAILABLE", async () => {
    const file = join(dir, "plain.txt");
    writeFileSync(
      file,
      "this is not a database, just some text that is long enough to have a header".repeat(20),
    );
    await rejectsWith(openDatabase(""), "STORE_UNAVAILABLE");
    await rejectsWith(openDatabase(join(file, "under-a-file.db")), "STORE_UNAVAILABLE");
    await rejectsWith(openDatabase(file), "STORE_UNAVAILABLE");
    await rejectsWith(openDatabase(dir), "STORE_UNAVAILABLE");
  });

  it("gives up on another handle's long write lock with STORE_BUSY", async () => {
    const location = join(dir, "busy.db");
    const a = await openDatabase(location);
    const b = await openDatabase(location, { busyTimeoutMs: 100 });
    try {
      await a.migrate("m", ["CREATE TABLE t (id TEXT)"]);
      let release!: () => void;
      const held = a.transaction(async (tx) => {
        await tx.run("INSERT INTO t (id) VALUES (?)", ["a"]);
        await new Promise<void>((resolve) => {
          release = resolve;
        });
      });
      await sleep(5);
      const began = Date.now();
      await rejectsWith(b.run("INSERT INTO t (id) VALUES (?)", ["b"]), "STORE_BUSY");
      assert.ok(Date.now() - began < 2000);
      // Reads go on meanwhile (WAL), without the uncommitted row.
      assert.deepEqual(await b.query("SELECT id FROM t"), []);
      release();
      await held;
      await b.run("INSERT INTO t (id) VALUES (?)", ["b"]);
      assert.deepEqual(await b.query("SELECT id FROM t ORDER BY id"), [{ id: "a" }, { id: "b" }]);
    } finally {
      await a.close();
      await b.close();
    }
  });
});

describe("openDatabase: PostgreSQL that cannot be reached", () => {
  let silent: Server;
  let silentPort: number;
  const sockets: Socket[] = [];
  before(async () => {
    // Accepts connections and never answers: only the connect timeout ends the wait.
    silent = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const address = silent.address();
    silentPort = typeof address === "object" && address !== null ? address.port : 0;
  });
  after(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => silent.close(() => resolve()));
  });

  it("reports a refused connection as STORE_UNAVAILABLE, at once and without the password", async () => {
    // A port that was free a moment ago: nothing listens there.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const address = probe.address();
    const port = typeof address === "object" && address !== null ? address.port : 0;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const began = Date.now();
    const error = await rejectsWith(
      openDatabase(`postgres://someone:s3cret@127.0.0.1:${port}/textkit`),
      "STORE_UNAVAILABLE",
    );
    assert.ok(Date.now() - began < 3000);
    assert.ok(!error.message.includes("s3cret"), error.message);
    assert.ok(!JSON.stringify(error.toJSON()).includes("s3cret"));
    assert.equal(error.status, 503);
  });

  it("gives up on a server that does not answer after the connect timeout", async () => {
    const began = Date.now();
    await rejectsWith(
      openDatabase(`postgresql://someone@127.0.0.1:${silentPort}/textkit`, { connectTimeoutMs: 300 }),
      "STORE_UNAVAILABLE",
    );
    const took = Date.now() - began;
    assert.ok(took >= 250 && took < 3000, `took ${took} ms`);
  });

  it("refuses a URL it cannot parse", async () => {
    await rejectsWith(openDatabase("postgres://[not a host/db"), "STORE_UNAVAILABLE");
  });
});

describe("numberPlaceholders", () => {
  it("numbers ? outside literals, identifiers, dollar quotes and comments", () => {
    assert.equal(numberPlaceholders("SELECT ?, ?"), "SELECT $1, $2");
    assert.equal(
      numberPlaceholders(`SELECT '?', 'it''s ?', ?, "a?b", "x""?", ? -- ?\n, ? /* ? /* ? */ ? */ , ?`),
      `SELECT '?', 'it''s ?', $1, "a?b", "x""?", $2 -- ?\n, $3 /* ? /* ? */ ? */ , $4`,
    );
    assert.equal(numberPlaceholders("SELECT E'\\'?', ?"), "SELECT E'\\'?', $1");
    assert.equal(
      numberPlaceholders("SELECT $$ ? $$, $fn$ ? $$ ? $fn$, ?, $1"),
      "SELECT $$ ? $$, $fn$ ? $$ ? $fn$, $1, $1",
    );
    assert.equal(numberPlaceholders("SELECT 'unterminated ?"), "SELECT 'unterminated ?");
    assert.equal(numberPlaceholders("SELECT a$b, ?"), "SELECT a$b, $1");
  });

  it("redacts the password of a URL", () => {
    assert.equal(redactUrl("postgres://u:p%40ss@h:5432/db"), "postgres://u:***@h:5432/db");
    assert.equal(redactUrl("postgres://u@h/db"), "postgres://u@h/db");
  });
});
