/**
 * The conformance suite of the application database: the same tests against SQLite and a
 * real PostgreSQL server (test/support/postgres.ts). Here: statements, values and
 * transactions; migrations and several handles are in database-migrations.test.ts, what
 * only one adapter has in database-adapters.test.ts.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { storeTargets } from "../../test/support/postgres.ts";
import { notesDatabase, rejectsWith } from "../../test/support/store-tests.ts";
import { isTextkitError } from "../core/index.ts";
import { type Database, openDatabase } from "./database.ts";

for (const target of storeTargets()) {
  describe(`Database conformance (${target.dialect})`, { skip: target.skip }, () => {
    before(() => target.setup());
    after(() => target.teardown());
    const notes = (): Promise<Database> => notesDatabase(target);

    it("opens with the dialect's name and capabilities", async () => {
      const db = await openDatabase(await target.freshLocation());
      try {
        assert.equal(db.dialect, target.dialect);
        assert.equal(typeof db.capabilities.concurrentWriters, "boolean");
        assert.equal(typeof db.capabilities.sharedAcrossHosts, "boolean");
        assert.equal(typeof db.capabilities.rowLocks, "boolean");
        assert.equal(db.capabilities.clusteredTables, target.dialect === "sqlite");
        assert.equal(db.capabilities.jsonEach, target.dialect === "sqlite");
        if (db.capabilities.jsonEach) {
          assert.deepEqual(
            await db.query("SELECT j.key, j.value FROM json_each(?) AS j ORDER BY j.key", ['{"b":2,"a":1}']),
            [
              { key: "a", value: 1 },
              { key: "b", value: 2 },
            ],
          );
        }
      } finally {
        await db.close();
      }
    });

    it("reports whether one upsert may meet the same key twice (repeatedUpserts)", async () => {
      const db = await notes();
      try {
        const upsert = () =>
          db.run(
            `INSERT INTO notes (id, body, weight) SELECT id, 'x', weight FROM (SELECT 'k' AS id, 2 AS weight
             UNION ALL SELECT 'k', 5) AS two WHERE 1 = 1 ON CONFLICT (id) DO UPDATE SET weight = notes.weight + excluded.weight`,
          );
        if (db.capabilities.repeatedUpserts) {
          await upsert();
          const rows = await db.query<{ id: string; weight: number | string }>(
            "SELECT id, weight FROM notes",
          );
          assert.deepEqual(
            rows.map((r) => [r.id, Number(r.weight)]),
            [["k", 7]],
          );
        } else await rejectsWith(upsert(), "STORE_QUERY_FAILED");
        assert.equal(db.capabilities.repeatedUpserts, target.dialect === "sqlite");
      } finally {
        await db.close();
      }
    });

    it("runs a statement once a row in a transaction where runEach exists (SQLite), with each run's changes", async () => {
      const db = await notes();
      try {
        const sql = "INSERT INTO notes (id, body, weight) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING";
        await db.run("INSERT INTO notes (id, body) VALUES ('b', 'before')");
        const changes = await db.transaction(async (tx) => {
          assert.equal(tx.runEach !== undefined, target.dialect === "sqlite");
          if (tx.runEach === undefined) return null;
          return tx.runEach(sql, [
            ["a", "x", 1],
            ["b", "x", 2],
            ["c", "x", 3],
            ["a", "y", 4],
          ]);
        });
        if (changes === null) return;
        assert.deepEqual(changes, [1, 0, 1, 0]);
        const rows = await db.query<{ id: string; body: string }>("SELECT id, body FROM notes ORDER BY id");
        assert.deepEqual(
          rows.map((r) => `${r.id}:${r.body}`),
          ["a:x", "b:before", "c:x"],
        );
        // A failing row fails the statement and the transaction: nothing of it stays.
        await rejectsWith(
          db.transaction(async (tx) =>
            tx.runEach?.(sql, [
              ["d", "x", 1],
              ["e", null, 1],
            ]),
          ),
          "STORE_CONFLICT",
        );
        assert.deepEqual(await db.query("SELECT id FROM notes WHERE id IN ('d', 'e')"), []);
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
