/**
 * The monitor's store against both adapters, SQLite and a real PostgreSQL server: the
 * same tests for each. Counts follow only the documents that were new, whoever sent them
 * again and whenever; alerts fire once per cooldown, also when two processes race.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { storedDocument, T0 } from "../../../test/support/monitor-documents.ts";
import { storeTargets } from "../../../test/support/postgres.ts";
import { isTextkitError } from "../../core/index.ts";
import { openDatabase } from "../../store/index.ts";
import { type AlertDraft, MonitorStore } from "./store.ts";
import { MIGRATIONS } from "./store-schema.ts";

const HOUR = 3_600_000;

const doc = storedDocument;

function draft(firedAt: number): AlertDraft {
  return {
    rule: "neg",
    kind: "negative_share",
    topic: "banking",
    message: "negative share of banking is high",
    firedAt,
    window: { from: firedAt - HOUR, to: firedAt },
    value: 0.6,
    baseline: { mean: 0.1, std: 0.05, windows: 24 },
    z: 10,
    count: 40,
  };
}

for (const target of storeTargets()) {
  describe(`MonitorStore (${target.dialect})`, { skip: target.skip }, () => {
    before(() => target.setup());
    after(() => target.teardown());

    async function fresh(): Promise<{ store: MonitorStore; close(): Promise<void> }> {
      const db = await openDatabase(await target.freshLocation());
      const store = await MonitorStore.open(db);
      return { store, close: () => db.close() };
    }

    it("stores a document once and counts it once, however often it is sent", async () => {
      const { store, close } = await fresh();
      try {
        const first = await store.insertDocuments([
          doc("a"),
          doc("b", { sentiment: "positive", publishedAt: T0 + 2 * HOUR }),
          doc("a"),
        ]);
        assert.deepEqual([...first].sort(), ["a", "b"]);
        const again = await store.insertDocuments([doc("a"), doc("c", { topic: "markets" })]);
        assert.deepEqual([...again], ["c"]);
        assert.equal(await store.documentCount(), 3);
        const day = await store.counts("day", { from: T0 - HOUR, to: T0 + 3 * HOUR });
        const total = day.reduce((s, r) => s + r.n, 0);
        assert.equal(total, 3);
        const hours = await store.counts("hour", { from: T0, to: T0 + 3 * HOUR }, "banking");
        assert.deepEqual(
          hours.map((r) => [r.bucket, r.sentiment, r.n]),
          [
            [T0, "negative", 1],
            [T0 + 2 * HOUR, "positive", 1],
          ],
        );
        assert.deepEqual(await store.topics(), ["banking", "markets"]);
        assert.equal(await store.lastIngestAt(), T0 + 1000);
      } finally {
        await close();
      }
    });

    it("two writers racing with the same documents store and count each once", async () => {
      const db1 = await openDatabase(await target.freshLocation());
      const location = target.dialect === "postgres" ? null : db1.location;
      const db2 = location === null ? db1 : await openDatabase(location);
      try {
        const s1 = await MonitorStore.open(db1);
        const s2 = await MonitorStore.open(db2);
        const docs = Array.from({ length: 300 }, (_, i) => doc(`k${i}`, { publishedAt: T0 + i * 1000 }));
        const [a, b] = await Promise.all([s1.insertDocuments(docs), s2.insertDocuments([...docs].reverse())]);
        assert.equal(a.size + b.size, 300);
        assert.equal(await s1.documentCount(), 300);
        const minutes = await s1.counts("minute", { from: T0, to: T0 + HOUR });
        assert.equal(
          minutes.reduce((s, r) => s + r.n, 0),
          300,
        );
      } finally {
        if (db2 !== db1) await db2.close();
        await db1.close();
      }
    });

    it("ranks terms and entities over a range, by topic and sentiment", async () => {
      const { store, close } = await fresh();
      try {
        const org = { text: "Norvale Bank", label: "ORG", start: 0, end: 12, score: 0.9 };
        await store.insertDocuments([
          doc("1", { terms: ["outage", "app"], entities: [org, { ...org, start: 20, end: 32 }] }),
          doc("2", { terms: ["outage"], entities: [org] }),
          doc("3", { terms: ["rally"], topic: "markets", sentiment: "positive" }),
          doc("4", { terms: ["outage"], publishedAt: T0 + 30 * 24 * HOUR }),
        ]);
        const range = { from: T0 - HOUR, to: T0 + HOUR };
        assert.deepEqual(await store.topTerms(range, { limit: 10 }), [
          { term: "outage", count: 2 },
          { term: "app", count: 1 },
          { term: "rally", count: 1 },
        ]);
        assert.deepEqual(await store.topTerms(range, { topic: "markets", limit: 10 }), [
          { term: "rally", count: 1 },
        ]);
        assert.deepEqual(await store.topTerms(range, { sentiment: "positive", limit: 10 }), [
          { term: "rally", count: 1 },
        ]);
        // An entity named twice in one document is one mention.
        assert.deepEqual(await store.topEntities(range, { limit: 5 }), [
          { text: "Norvale Bank", label: "ORG", count: 2 },
        ]);
        assert.deepEqual(await store.topEntities(range, { label: "PER", limit: 5 }), []);
      } finally {
        await close();
      }
    });

    it("counts terms per hour and adds the hours up over a range of weeks", async () => {
      const { store, close } = await fresh();
      try {
        const days = (n: number) => T0 + n * 24 * HOUR;
        await store.insertDocuments([
          doc("1", { terms: ["outage", "app"] }),
          doc("2", { terms: ["outage"], publishedAt: days(12) }),
          doc("3", { terms: ["outage", "rally"], publishedAt: days(40) + 5 * HOUR }),
          doc("4", { terms: ["app"], publishedAt: days(40) + 5 * HOUR + 60_000 }),
        ]);
        assert.deepEqual(await store.topTerms({ from: T0, to: days(41) }, { limit: 10 }), [
          { term: "outage", count: 3 },
          { term: "app", count: 2 },
          { term: "rally", count: 1 },
        ]);
        const later = [
          { term: "outage", count: 2 },
          { term: "app", count: 1 },
          { term: "rally", count: 1 },
        ];
        assert.deepEqual(await store.topTerms({ from: days(1), to: days(41) }, { limit: 10 }), later);
        // Rolled up into the keyed hourly rows, the answers stay the same.
        await store.rollUp();
        assert.deepEqual(await store.topTerms({ from: days(1), to: days(41) }, { limit: 10 }), later);
        const recent = await store.db.query<{ n: number | string }>(
          "SELECT COUNT(*) AS n FROM monitor_term_recent",
        );
        assert.equal(Number(recent[0]?.n), 0);
        const granularities = await store.db.query<{ granularity: string; n: number | string }>(
          "SELECT granularity, COUNT(*) AS n FROM monitor_term_counts GROUP BY granularity",
        );
        assert.deepEqual(
          granularities.map((r) => [r.granularity, Number(r.n)]),
          [["hour", 6]],
        );
      } finally {
        await close();
      }
    });

    it("drops the per-day term and entity rows an older store kept, keeping the hours", async () => {
      const db = await openDatabase(await target.freshLocation());
      try {
        const first = MIGRATIONS[0];
        await db.migrate("monitor", [first]);
        for (const g of ["hour", "day"]) {
          await db.run(
            "INSERT INTO monitor_term_counts (granularity, bucket, topic, sentiment, term, n) VALUES (?, ?, ?, ?, ?, ?)",
            [g, T0, "banking", "negative", "outage", 4],
          );
          await db.run(
            `INSERT INTO monitor_entity_counts (granularity, bucket, topic, sentiment, label, entity, n)
             VALUES (?, ?, ?, ?, ?, ?, ?)`,
            [g, T0, "banking", "negative", "ORG", "Norvale Bank", 2],
          );
        }
        const store = await MonitorStore.open(db);
        const range = { from: T0 - 30 * 24 * HOUR, to: T0 + HOUR };
        assert.deepEqual(await store.topTerms(range, { limit: 5 }), [{ term: "outage", count: 4 }]);
        assert.deepEqual(await store.topEntities(range, { limit: 5 }), [
          { text: "Norvale Bank", label: "ORG", count: 2 },
        ]);
        const left = await db.query<{ n: number | string }>(
          "SELECT COUNT(*) AS n FROM monitor_term_counts WHERE granularity = 'day'",
        );
        assert.equal(Number(left[0]?.n), 0);
      } finally {
        await db.close();
      }
    });

    it("pages documents newest first with a cursor, and refuses a forged cursor", async () => {
      const { store, close } = await fresh();
      try {
        await store.insertDocuments(
          Array.from({ length: 7 }, (_, i) => doc(`d${i}`, { publishedAt: T0 + (i % 3) * 1000 })),
        );
        const seen: string[] = [];
        let cursor: string | undefined;
        for (let page = 0; page < 5; page++) {
          const result = await store.documents({
            from: T0,
            to: T0 + HOUR,
            limit: 3,
            ...(cursor === undefined ? {} : { cursor }),
          });
          seen.push(...result.documents.map((d) => d.key));
          if (result.nextCursor === null) break;
          cursor = result.nextCursor;
        }
        assert.equal(seen.length, 7);
        assert.equal(new Set(seen).size, 7);
        assert.deepEqual(seen.slice(0, 3), ["d5", "d2", "d4"]);
        await assert.rejects(
          store.documents({ from: T0, to: T0 + HOUR, limit: 3, cursor: "not-a-cursor" }),
          (e) => isTextkitError(e) && e.code === "INPUT_INVALID",
        );
      } finally {
        await close();
      }
    });

    it("fires an alert once per cooldown, with one queued delivery per target", async () => {
      const { store, close } = await fresh();
      try {
        const targets = ["http://127.0.0.1:9/a", "http://127.0.0.1:9/b"];
        const alert = await store.fireAlert(draft(T0), "banking", HOUR, targets);
        assert.ok(alert !== null);
        assert.equal(alert.deliveries.length, 2);
        assert.equal(await store.fireAlert(draft(T0 + HOUR / 2), "banking", HOUR, targets), null);
        assert.notEqual(await store.fireAlert(draft(T0 + 30_000), "markets", HOUR, targets), null);
        const later = await store.fireAlert(draft(T0 + HOUR), "banking", HOUR, targets);
        assert.ok(later !== null);
        const listed = await store.alerts({ limit: 10 });
        assert.equal(listed.length, 3);
        assert.equal(listed[0]!.id, later.id);
        assert.equal(await store.openAlertCount(), 3);
        const acked = await store.acknowledge(alert.id, "ops", "looking into it", T0 + 5);
        assert.equal(acked.status, "acknowledged");
        assert.equal(acked.acknowledgedBy, "ops");
        assert.equal((await store.alerts({ status: "open", limit: 10 })).length, 2);
        await assert.rejects(
          store.acknowledge("nope", null, null, T0),
          (e) => isTextkitError(e) && e.code === "ALERT_NOT_FOUND",
        );
      } finally {
        await close();
      }
    });

    it("fires once when two evaluators race for the same rule and topic", async () => {
      const db1 = await openDatabase(await target.freshLocation());
      const db2 = target.dialect === "postgres" ? db1 : await openDatabase(db1.location);
      try {
        const s1 = await MonitorStore.open(db1);
        const s2 = await MonitorStore.open(db2);
        const results = await Promise.all(
          Array.from({ length: 6 }, (_, i) =>
            (i % 2 === 0 ? s1 : s2).fireAlert(draft(T0 + i), "banking", HOUR, []),
          ),
        );
        assert.equal(results.filter((r) => r !== null).length, 1);
      } finally {
        if (db2 !== db1) await db2.close();
        await db1.close();
      }
    });

    it("hands a due delivery to one claimant and records retries, success and giving up", async () => {
      const { store, close } = await fresh();
      try {
        const alert = await store.fireAlert(draft(T0), "banking", HOUR, ["http://127.0.0.1:9/hook"]);
        const [d] = await store.dueDeliveries(T0, 10);
        assert.ok(d !== undefined && d.alertId === alert!.id);
        assert.equal(await store.claimDelivery(d.id, T0, 10_000), true);
        assert.equal(await store.claimDelivery(d.id, T0 + 1, 10_000), false);
        assert.deepEqual(await store.dueDeliveries(T0 + 1, 10), []);
        await store.recordAttempt(d.id, { delivered: false, error: "HTTP 503", retryAt: T0 + 5_000 });
        assert.deepEqual(await store.dueDeliveries(T0 + 1_000, 10), []);
        const [retry] = await store.dueDeliveries(T0 + 5_000, 10);
        assert.equal(retry!.attempts, 1);
        assert.equal(retry!.lastError, "HTTP 503");
        await store.recordAttempt(d.id, { delivered: true, at: T0 + 6_000 });
        const [shown] = (await store.alert(alert!.id)).deliveries;
        assert.deepEqual([shown!.status, shown!.attempts, shown!.deliveredAt], ["delivered", 2, T0 + 6_000]);
        const other = await store.fireAlert(draft(T0 + 2 * HOUR), "banking", HOUR, [
          "http://127.0.0.1:9/hook",
        ]);
        const [d2] = await store.dueDeliveries(T0 + 2 * HOUR, 10);
        await store.recordAttempt(d2!.id, { delivered: false, error: "HTTP 410", retryAt: null });
        assert.equal((await store.alert(other!.id)).deliveries[0]!.status, "failed");
        assert.deepEqual(await store.dueDeliveries(T0 + 3 * HOUR, 10), []);
      } finally {
        await close();
      }
    });
  });
}
