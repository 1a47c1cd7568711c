/**
 * The conformance suite of the application database: the same tests against SQLite and a
 * real PostgreSQL server (test/support/postgres.ts), then what only one adapter has.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { storeTargets } from "../../test/support/postgres.ts";
import { isTextkitError, type TextkitError } from "../core/index.ts";
import { type Database, MIGRATIONS_TABLE, openDatabase } from "./database.ts";
import { numberPlaceholders, redactUrl } from "./postgres-database.ts";

/** Asserts that `promise` rejects with a TextkitError of `code`, and returns it. */
async function rejectsWith(promise: Promise<unknown>, code: string): Promise<TextkitError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(isTextkitError(error), `expected a TextkitError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    return error;
  }
  assert.fail(`expected ${code}, but it resolved`);
}

const NOTES = [
  "CREATE TABLE notes (id TEXT PRIMARY KEY, body TEXT NOT NULL, weight BIGINT NOT NULL DEFAULT 0)",
];

for (const target of storeTargets()) {
  describe(`Database conformance (${target.dialect})`, { skip: target.skip }, () => {
    before(() => target.setup());
    after(() => target.teardown());

    /** A fresh database with the notes table. */
    async function notes(): Promise<Database> {
      const db = await openDatabase(await target.freshLocation());
      await db.migrate("notes", NOTES);
      return db;
    }

    it("opens with the dialect's name and capabilities", async () => {
      const db = await openDatabase(await target.freshLocation());
      try {
        assert.equal(db.dialect, target.dialect);
        assert.equal(typeof db.capabilities.concurrentWriters, "boolean");
        assert.equal(typeof db.capabilities.sharedAcrossHosts, "boolean");
        assert.equal(typeof db.capabilities.rowLocks, "boolean");
      } finally {
        await db.close();
      }
    });

    it("binds ? placeholders in order and leaves ? in strings, identifiers and comments alone", async () => {
      const db = await notes();
      try {
        await db.run("INSERT INTO notes (id, body, weight) VALUES (?, ?, ?)", ["a", "what? why?", 3]);
        await db.run("INSERT INTO notes (id, body, weight) VALUES (?, ?, ?)", ["b", "?", 5n]);
        const rows = await db.query<{ id: string; body: string; mark: string }>(
          `SELECT id, body, '?' AS mark -- a comment? yes
           FROM notes /* another? */ WHERE weight >= ? AND body <> 'it''s ?' ORDER BY id`,
          [3],
        );
        assert.deepEqual(rows, [
          { id: "a", body: "what? why?", mark: "?" },
          { id: "b", body: "?", mark: "?" },
        ]);
        const none = await db.query("SELECT id FROM notes WHERE id = ?", ["zzz"]);
        assert.deepEqual(none, []);
        // PostgreSQL infers a placeholder's type from where it stands; alone, it needs a CAST.
        const nulls = await db.query<{ n: number }>(
          "SELECT COUNT(*) AS n FROM notes WHERE CAST(? AS TEXT) IS NULL OR id = ?",
          [null, "a"],
        );
        assert.deepEqual(nulls, [{ n: 2 }]);
      } finally {
        await db.close();
      }
    });

    it("returns BIGINT and COUNT(*) as numbers", async () => {
      const db = await notes();
      try {
        await db.run("INSERT INTO notes (id, body, weight) VALUES (?, ?, ?)", ["a", "x", 2 ** 40]);
        const [row] = await db.query<{ weight: unknown; n: unknown }>(
          "SELECT weight, (SELECT COUNT(*) FROM notes) AS n FROM notes",
        );
        assert.deepEqual(row, { weight: 2 ** 40, n: 1 });
      } finally {
        await db.close();
      }
    });

    it("counts the rows a statement changed", async () => {
      const db = await notes();
      try {
        for (const id of ["a", "b", "c"]) {
          assert.deepEqual(await db.run("INSERT INTO notes (id, body) VALUES (?, ?)", [id, id]), {
            changes: 1,
          });
        }
        assert.equal((await db.run("UPDATE notes SET weight = 1 WHERE id <> ?", ["a"])).changes, 2);
        assert.equal((await db.run("DELETE FROM notes WHERE id = ?", ["none"])).changes, 0);
        assert.equal((await db.run("DELETE FROM notes WHERE weight = 1 RETURNING id")).changes, 2);
        const inserted = await db.query<{ id: string }>(
          "INSERT INTO notes (id, body) VALUES (?, ?) RETURNING id",
          ["d", "d"],
        );
        assert.deepEqual(inserted, [{ id: "d" }]);
      } finally {
        await db.close();
      }
    });

    it("commits a transaction and returns its value", async () => {
      const db = await notes();
      try {
        const value = await db.transaction(async (tx) => {
          await tx.run("INSERT INTO notes (id, body) VALUES (?, ?)", ["a", "x"]);
          await tx.run("INSERT INTO notes (id, body) VALUES (?, ?)", ["b", "y"]);
          return (await tx.query<{ n: number }>("SELECT COUNT(*) AS n FROM notes"))[0]!.n;
        });
        assert.equal(value, 2);
        assert.deepEqual(await db.query("SELECT id FROM notes ORDER BY id"), [{ id: "a" }, { id: "b" }]);
      } finally {
        await db.close();
      }
    });

    it("rolls a transaction back when its function throws, and passes the error on", async () => {
      const db = await notes();
      try {
        await db.run("INSERT INTO notes (id, body) VALUES (?, ?)", ["kept", "x"]);
        const boom = new Error("boom");
        await assert.rejects(
          db.transaction(async (tx) => {
            await tx.run("INSERT INTO notes (id, body) VALUES (?, ?)", ["lost", "y"]);
            await tx.run("UPDATE notes SET body = ? WHERE id = ?", ["changed", "kept"]);
            throw boom;
          }),
          (error) => error === boom,
        );
        // A failing statement rolls back too, with the store's error.
        await rejectsWith(
          db.transaction(async (tx) => {
            await tx.run("INSERT INTO notes (id, body) VALUES (?, ?)", ["lost", "y"]);
            await tx.run("INSERT INTO notes (id, body) VALUES (?, ?)", ["kept", "dup"]);
          }),
          "STORE_CONFLICT",
        );
        assert.deepEqual(await db.query("SELECT id, body FROM notes"), [{ id: "kept", body: "x" }]);
        // The database is usable afterwards.
        await db.transaction((tx) => tx.run("INSERT INTO notes (id, body) VALUES (?, ?)", ["after", "z"]));
        assert.equal((await db.query("SELECT id FROM notes")).length, 2);
      } finally {
        await db.close();
      }
    });

    it("rolls back a transaction whose function caught a statement's error", async () => {
      const db = await notes();
      try {
        await db.run("INSERT INTO notes (id, body) VALUES (?, ?)", ["kept", "x"]);
        let afterwards: unknown;
        await rejectsWith(
          db.transaction(async (tx) => {
            await tx.run("INSERT INTO notes (id, body) VALUES (?, ?)", ["lost", "y"]);
            await tx
              .run("INSERT INTO notes (id, body) VALUES (?, ?)", ["kept", "dup"])
              .catch(() => undefined);
            afterwards = await tx.query("SELECT id FROM notes").catch((error: unknown) => error);
            return "carried on";
          }),
          "STORE_QUERY_FAILED",
        );
        assert.ok(isTextkitError(afterwards) && afterwards.code === "STORE_QUERY_FAILED", String(afterwards));
        assert.deepEqual(await db.query("SELECT id FROM notes"), [{ id: "kept" }]);
      } finally {
        await db.close();
      }
    });

    it("refuses statements on the database inside its own transaction, and on a finished tx", async () => {
      const db = await notes();
      try {
        await rejectsWith(
          db.transaction(async () => db.query("SELECT 1 AS one")),
          "INTERNAL",
        );
        let leaked: { query: (sql: string) => Promise<unknown> } | undefined;
        await db.transaction(async (tx) => {
          leaked = tx;
        });
        await rejectsWith(leaked!.query("SELECT 1 AS one"), "INTERNAL");
        // Neither left the database stuck.
        assert.deepEqual(await db.query("SELECT COUNT(*) AS n FROM notes"), [{ n: 0 }]);
      } finally {
        await db.close();
      }
    });

    it("reports a duplicate key or a broken foreign key as STORE_CONFLICT", async () => {
      const db = await openDatabase(await target.freshLocation());
      try {
        await db.migrate("fk", [
          "CREATE TABLE parents (id TEXT PRIMARY KEY);" +
            "CREATE TABLE children (id TEXT PRIMARY KEY, parent TEXT NOT NULL REFERENCES parents (id))",
        ]);
        await db.run("INSERT INTO parents (id) VALUES (?)", ["p"]);
        await rejectsWith(db.run("INSERT INTO parents (id) VALUES (?)", ["p"]), "STORE_CONFLICT");
        await rejectsWith(
          db.run("INSERT INTO children (id, parent) VALUES (?, ?)", ["c", "nobody"]),
          "STORE_CONFLICT",
        );
      } finally {
        await db.close();
      }
    });

    it("reports broken SQL as STORE_QUERY_FAILED", async () => {
      const db = await openDatabase(await target.freshLocation());
      try {
        const error = await rejectsWith(db.query("SELEC nothing"), "STORE_QUERY_FAILED");
        assert.equal(error.details?.["sql"], "SELEC nothing");
        await rejectsWith(db.query("SELECT * FROM no_such_table"), "STORE_QUERY_FAILED");
      } finally {
        await db.close();
      }
    });

    it("runs each migration step once and records it in schema_migrations", async () => {
      const location = await target.freshLocation();
      const steps = [
        "CREATE TABLE things (id TEXT PRIMARY KEY)",
        "ALTER TABLE things ADD COLUMN label TEXT;" + "CREATE INDEX things_label ON things (label)",
      ];
      let db = await openDatabase(location);
      try {
        assert.equal(await db.migrate("things", steps.slice(0, 1)), 1);
        assert.equal(await db.migrate("things", steps.slice(0, 1)), 0);
        assert.equal(await db.migrate("things", steps), 1);
        assert.equal(await db.migrate("things", steps), 0);
        // Another name has its own versions.
        assert.equal(await db.migrate("other", ["CREATE TABLE other_things (id TEXT)"]), 1);
      } finally {
        await db.close();
      }
      db = await openDatabase(location);
      try {
        assert.equal(await db.migrate("things", steps), 0);
        await db.run("INSERT INTO things (id, label) VALUES (?, ?)", ["t", "label"]);
        const recorded = await db.query<{ name: string; version: number; applied_at: string }>(
          `SELECT name, version, applied_at FROM ${MIGRATIONS_TABLE} ORDER BY name, version`,
        );
        assert.deepEqual(
          recorded.map((r) => [r.name, r.version]),
          [
            ["other", 1],
            ["things", 1],
            ["things", 2],
          ],
        );
        for (const r of recorded) assert.ok(!Number.isNaN(Date.parse(r.applied_at)), r.applied_at);
      } finally {
        await db.close();
      }
    });

    it("rolls a failing migration back whole and runs it again next time", async () => {
      const db = await openDatabase(await target.freshLocation());
      try {
        await db.migrate("before", ["CREATE TABLE before_table (id TEXT)"]);
        const good = "CREATE TABLE first_table (id TEXT PRIMARY KEY)";
        await rejectsWith(db.migrate("m", [good, "CREATE TABLE broken ("]), "STORE_QUERY_FAILED");
        assert.deepEqual(await db.query(`SELECT version FROM ${MIGRATIONS_TABLE} WHERE name = ?`, ["m"]), []);
        await rejectsWith(db.query("SELECT id FROM first_table"), "STORE_QUERY_FAILED");
        assert.equal(await db.migrate("m", [good, "CREATE TABLE second_table (id TEXT)"]), 2);
      } finally {
        await db.close();
      }
    });

    it("refuses a schema newer than the steps it is given", async () => {
      const db = await openDatabase(await target.freshLocation());
      try {
        await db.migrate("m", ["CREATE TABLE a (id TEXT)", "CREATE TABLE b (id TEXT)"]);
        const error = await rejectsWith(db.migrate("m", ["CREATE TABLE a (id TEXT)"]), "STORE_SCHEMA_NEWER");
        assert.deepEqual(error.details, { name: "m", version: 2, known: 1 });
      } finally {
        await db.close();
      }
    });

    it("lets several handles open, migrate and write the same database at once", async () => {
      const location = await target.freshLocation();
      const handles = await Promise.all([1, 2, 3, 4].map(() => openDatabase(location)));
      try {
        const applied = await Promise.all(handles.map((db) => db.migrate("notes", NOTES)));
        assert.equal(
          applied.reduce((a, b) => a + b, 0),
          1,
        );
        await Promise.all(
          handles.map(async (db, h) => {
            for (let i = 0; i < 10; i++) {
              await db.transaction(async (tx) => {
                await tx.run("INSERT INTO notes (id, body) VALUES (?, ?)", [`${h}-${i}`, "x"]);
                await sleep(1);
                await tx.run("UPDATE notes SET weight = weight + 1 WHERE id = ?", [`${h}-${i}`]);
              });
            }
          }),
        );
        const [row] = await handles[0]!.query<{ n: number; total: number }>(
          "SELECT COUNT(*) AS n, SUM(weight) AS total FROM notes",
        );
        assert.equal(row!.n, 40);
        assert.equal(Number(row!.total), 40);
        const recorded = await handles[0]!.query(`SELECT version FROM ${MIGRATIONS_TABLE}`);
        assert.equal(recorded.length, 1);
      } finally {
        await Promise.all(handles.map((db) => db.close()));
      }
    });

    it("lets a writer on another handle proceed while a transaction waits", async () => {
      const location = await target.freshLocation();
      const a = await openDatabase(location);
      const b = await openDatabase(location);
      try {
        await a.migrate("notes", NOTES);
        const order: string[] = [];
        await Promise.all([
          a.transaction(async (tx) => {
            await tx.run("INSERT INTO notes (id, body) VALUES (?, ?)", ["a", "x"]);
            await sleep(50);
            order.push("a");
          }),
          (async () => {
            await sleep(10);
            await b.run("INSERT INTO notes (id, body) VALUES (?, ?)", ["b", "y"]);
            order.push("b");
          })(),
        ]);
        assert.deepEqual((await b.query("SELECT id FROM notes ORDER BY id")).length, 2);
        assert.equal(order.length, 2);
      } finally {
        await a.close();
        await b.close();
      }
    });

    it("refuses use after close, and closes twice quietly", async () => {
      const db = await openDatabase(await target.freshLocation());
      await db.close();
      await db.close();
      await rejectsWith(db.query("SELECT 1 AS one"), "STORE_UNAVAILABLE");
      await rejectsWith(
        db.transaction(async () => undefined),
        "STORE_UNAVAILABLE",
      );
    });
  });
}

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
