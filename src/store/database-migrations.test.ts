/**
 * The database conformance suite, continued (see database.test.ts): migrations, and several
 * handles on one database at once, on SQLite and on a real PostgreSQL server.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { storeTargets } from "../../test/support/postgres.ts";
import { NOTES, rejectsWith } from "../../test/support/store-tests.ts";
import { MIGRATIONS_TABLE, openDatabase } from "./database.ts";

for (const target of storeTargets()) {
  describe(`Database conformance: migrations and handles (${target.dialect})`, { skip: target.skip }, () => {
    before(() => target.setup());
    after(() => target.teardown());
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
  });
}
