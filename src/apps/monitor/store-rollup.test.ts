/**
 * The appended hourly term and entity counts and their roll-up, against SQLite and a real
 * PostgreSQL server: answers are the same before and after a roll-up, at the edges of an
 * hour, on a database an older store made, and after writers race with roll-ups between.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { storedDocument } from "../../../test/support/monitor-documents.ts";
import { storeTargets } from "../../../test/support/postgres.ts";
import { isTextkitError } from "../../core/index.ts";
import { openDatabase } from "../../store/index.ts";
import type { MonitorDocument, MonitorEntity } from "./document.ts";
import { MonitorStore } from "./store.ts";
import { MIGRATIONS } from "./store-schema.ts";

const HOUR = 3_600_000;
/** The start of an hour (UTC; buckets are whole hours since 1970, with no time zone). */
const H = Date.parse("2026-11-30T10:00:00Z");

function doc(
  key: string,
  publishedAt: number,
  terms: string[],
  entities: MonitorEntity[] = [],
): MonitorDocument {
  return storedDocument(key, { publishedAt, ingestedAt: publishedAt + 1000, terms, entities });
}

const ORG: MonitorEntity = { text: "Norvale Bank", label: "ORG", start: 0, end: 12, score: 0.9 };

async function rowCount(store: MonitorStore, table: string): Promise<number> {
  const rows = await store.db.query<{ n: number | string }>(`SELECT COUNT(*) AS n FROM ${table}`);
  return Number(rows[0]?.n);
}

for (const target of storeTargets()) {
  describe(`MonitorStore hourly roll-up (${target.dialect})`, { skip: target.skip }, () => {
    before(() => target.setup());
    after(() => target.teardown());

    it("counts a document in the hour it falls in, before and after a roll-up", async () => {
      const db = await openDatabase(await target.freshLocation());
      try {
        const store = await MonitorStore.open(db);
        await store.insertDocuments([
          doc("before", H - 1, ["edge"], [ORG]),
          doc("first", H, ["edge", "outage"], [ORG]),
          doc("last", H + HOUR - 1, ["edge"]),
          doc("next", H + HOUR, ["edge"], [ORG]),
        ]);
        const hour = { from: H, to: H + HOUR };
        const terms = [
          { term: "edge", count: 2 },
          { term: "outage", count: 1 },
        ];
        const entities = [{ text: "Norvale Bank", label: "ORG", count: 1 }];
        assert.deepEqual(await store.topTerms(hour, { limit: 10 }), terms);
        assert.deepEqual(await store.topEntities(hour, { limit: 10 }), entities);
        await store.rollUp();
        assert.equal(await rowCount(store, "monitor_term_recent"), 0);
        assert.equal(await rowCount(store, "monitor_entity_recent"), 0);
        assert.deepEqual(await store.topTerms(hour, { limit: 10 }), terms);
        assert.deepEqual(await store.topEntities(hour, { limit: 10 }), entities);
        // Half rolled up, half appended: the two are added up, and a roll-up adds into the keyed row.
        await store.insertDocuments([doc("again", H + 30 * 60_000, ["edge"], [ORG])]);
        const both = await store.topTerms(hour, { limit: 1 });
        assert.deepEqual(both, [{ term: "edge", count: 3 }]);
        await store.rollUp();
        assert.deepEqual(await store.topTerms(hour, { limit: 1 }), both);
        assert.deepEqual(await store.topEntities(hour, { limit: 10 }), [
          { text: "Norvale Bank", label: "ORG", count: 2 },
        ]);
        const keyed = await db.query<{ n: number | string }>(
          "SELECT n FROM monitor_term_counts WHERE bucket = ? AND term = 'edge'",
          [H],
        );
        assert.deepEqual(
          keyed.map((r) => Number(r.n)),
          [3],
        );
        // The three hours around it, each its own bucket.
        assert.deepEqual(await store.topTerms({ from: H - HOUR, to: H + 2 * HOUR }, { limit: 1 }), [
          { term: "edge", count: 5 },
        ]);
      } finally {
        await db.close();
      }
    });

    it("opens a database the previous version made, keeps its counts and adds to them", async () => {
      const db = await openDatabase(await target.freshLocation());
      try {
        await db.migrate("monitor", MIGRATIONS.slice(0, 3));
        await db.run(
          "INSERT INTO monitor_term_counts (granularity, bucket, topic, sentiment, term, n) VALUES (?, ?, ?, ?, ?, ?)",
          ["hour", H, "banking", "negative", "outage", 7],
        );
        await db.run(
          `INSERT INTO monitor_entity_counts (granularity, bucket, topic, sentiment, label, entity, n)
           VALUES (?, ?, ?, ?, ?, ?, ?)`,
          ["hour", H, "banking", "negative", "ORG", "Norvale Bank", 3],
        );
        await db.run(
          "INSERT INTO monitor_counts (granularity, bucket, topic, sentiment, n) VALUES (?, ?, ?, ?, ?)",
          ["day", H - 10 * HOUR, "banking", "negative", 7],
        );
        const store = await MonitorStore.open(db);
        const hour = { from: H, to: H + HOUR };
        assert.deepEqual(await store.topTerms(hour, { limit: 5 }), [{ term: "outage", count: 7 }]);
        assert.equal(await store.documentCount(), 7);
        await store.insertDocuments([doc("new", H + 60_000, ["outage", "app"], [ORG])]);
        assert.equal(await store.documentCount(), 8);
        const after = [
          { term: "outage", count: 8 },
          { term: "app", count: 1 },
        ];
        assert.deepEqual(await store.topTerms(hour, { limit: 5 }), after);
        await store.rollUp();
        assert.deepEqual(await store.topTerms(hour, { limit: 5 }), after);
        assert.deepEqual(await store.topEntities(hour, { limit: 5 }), [
          { text: "Norvale Bank", label: "ORG", count: 4 },
        ]);
        assert.equal(await rowCount(store, "monitor_term_counts"), 2);
      } finally {
        await db.close();
      }
    });

    it("counts every term exactly when writers race and roll up between their batches", async () => {
      const db1 = await openDatabase(await target.freshLocation());
      const db2 = target.dialect === "postgres" ? db1 : await openDatabase(db1.location);
      try {
        const s1 = await MonitorStore.open(db1, { rollUpRows: 300 });
        const s2 = await MonitorStore.open(db2, { rollUpRows: 450 });
        const docs = Array.from({ length: 1200 }, (_, i) =>
          doc(
            `k${i}`,
            H + (i % 7) * HOUR + i,
            Array.from({ length: 5 }, (_, j) => `t${(i * 5 + j) % 173}`),
            i % 3 === 0 ? [ORG] : [],
          ),
        );
        const expected = new Map<string, number>();
        for (const d of docs) for (const t of d.terms) expected.set(t, (expected.get(t) ?? 0) + 1);
        // Four writers, two on each store, each sending every document (in its own order) in batches of 100.
        const orders = [docs, [...docs].reverse(), docs.slice(600).concat(docs.slice(0, 600)), docs];
        const writer = async (store: MonitorStore, order: MonitorDocument[]) => {
          let fresh = 0;
          for (let i = 0; i < order.length; i += 100)
            fresh += (await store.insertDocuments(order.slice(i, i + 100))).size;
          return fresh;
        };
        const fresh = await Promise.all(orders.map((o, w) => writer(w % 2 === 0 ? s1 : s2, o)));
        assert.equal(
          fresh.reduce((a, b) => a + b, 0),
          docs.length,
        );
        const range = { from: H, to: H + 8 * HOUR };
        const counted = async () =>
          new Map((await s1.topTerms(range, { limit: 1000 })).map((t) => [t.term, t.count] as const));
        assert.deepEqual(await counted(), expected);
        assert.equal(await s1.documentCount(), docs.length);
        assert.deepEqual(await s2.topEntities(range, { limit: 5 }), [
          { text: "Norvale Bank", label: "ORG", count: 400 },
        ]);
        await s2.rollUp();
        assert.equal(await rowCount(s1, "monitor_term_recent"), 0);
        assert.deepEqual(await counted(), expected);
      } finally {
        if (db2 !== db1) await db2.close();
        await db1.close();
      }
    });

    it("refuses a roll-up threshold that is not a whole number of rows", async () => {
      const db = await openDatabase(await target.freshLocation());
      try {
        await assert.rejects(
          MonitorStore.open(db, { rollUpRows: 0 }),
          (e: unknown) => isTextkitError(e) && e.code === "INPUT_INVALID",
        );
      } finally {
        await db.close();
      }
    });
  });
}
