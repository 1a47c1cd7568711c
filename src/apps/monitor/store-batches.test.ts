/**
 * Several batches in one transaction (store-batches.ts): how waiting batches are grouped,
 * and, against SQLite and a real PostgreSQL server, that batches handed to the store at
 * once are each answered with their own new keys, counted exactly, and that one failing
 * batch fails alone and leaves nothing of itself behind.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { storedDocument } from "../../../test/support/monitor-documents.ts";
import { storeTargets } from "../../../test/support/postgres.ts";
import { isTextkitError } from "../../core/index.ts";
import { openDatabase } from "../../store/index.ts";
import type { MonitorDocument } from "./document.ts";
import { MonitorStore } from "./store.ts";
import { BatchGrouper, type InsertBatch } from "./store-batches.ts";

const H = Date.parse("2026-11-30T10:00:00Z");
const noRules = (): string[] => [];

function docs(prefix: string, n: number, from = 0): MonitorDocument[] {
  return Array.from({ length: n }, (_, i) =>
    storedDocument(`${prefix}${from + i}`, {
      publishedAt: H + (from + i) * 1000,
      terms: ["outage", `w${i % 5}`],
    }),
  );
}

describe("BatchGrouper", () => {
  it("starts a batch at once and groups the ones that wait, up to the document limit", async () => {
    const groups: string[][] = [];
    const grouper = new BatchGrouper(async (batches) => {
      groups.push(batches.map((b) => b.docs[0]?.key ?? ""));
      await new Promise((resolve) => setTimeout(resolve, 5));
      return batches.map((b) => new Set(b.docs.map((d) => d.key)));
    }, 25);
    const batch = (key: string, n: number): InsertBatch => ({ docs: docs(key, n), ruleHits: noRules });
    const answers = await Promise.all([
      grouper.submit(batch("a", 10)),
      grouper.submit(batch("b", 10)),
      grouper.submit(batch("c", 10)),
      grouper.submit(batch("d", 30)),
      grouper.submit(batch("e", 5)),
    ]);
    assert.deepEqual(groups, [["a0"], ["b0", "c0"], ["d0"], ["e0"]]);
    assert.deepEqual(
      answers.map((a) => a.size),
      [10, 10, 10, 30, 5],
    );
    assert.ok(answers[1]?.has("b9") && !answers[1]?.has("c0"));
  });

  it("inserts each batch of a failed group again alone, so that only the bad one fails", async () => {
    const groups: number[] = [];
    const grouper = new BatchGrouper(async (batches) => {
      groups.push(batches.length);
      await new Promise((resolve) => setTimeout(resolve, 5));
      if (batches.some((b) => b.docs[0]?.key === "bad0")) throw new Error("bad batch");
      return batches.map((b) => new Set(b.docs.map((d) => d.key)));
    }, 1000);
    const submit = (key: string) => grouper.submit({ docs: docs(key, 3), ruleHits: noRules });
    const outcomes = await Promise.allSettled([
      submit("first"),
      submit("good"),
      submit("bad"),
      submit("last"),
    ]);
    assert.deepEqual(
      outcomes.map((o) => o.status),
      ["fulfilled", "fulfilled", "rejected", "fulfilled"],
    );
    // first alone; good, bad, last together (failed); then each alone.
    assert.deepEqual(groups, [1, 3, 1, 1, 1]);
  });
});

for (const target of storeTargets()) {
  describe(`MonitorStore batches in one transaction (${target.dialect})`, { skip: target.skip }, () => {
    before(() => target.setup());
    after(() => target.teardown());

    it("answers each batch with its own new keys and counts every document once", async () => {
      const db = await openDatabase(await target.freshLocation());
      try {
        const store = await MonitorStore.open(db);
        const a = docs("k", 40);
        const b = docs("k", 40, 20); // k20..k39 also in a
        const c = docs("k", 30, 60);
        const hits = (d: MonitorDocument) => (d.key.endsWith("5") ? ["five"] : []);
        // The first batch goes in alone; the four after it wait and go in together.
        const [, fa, fb, fc, again] = await Promise.all([
          store.insertDocuments(docs("z", 3)),
          store.insertDocuments(a, hits),
          store.insertDocuments(b, hits),
          store.insertDocuments(c, () => []),
          // In the same group as a: every key is a's.
          store.insertDocuments(docs("k", 10, 0), hits),
        ]);
        assert.equal(again?.size, 0);
        assert.equal(fa?.size, 40);
        assert.deepEqual(
          [...(fb ?? [])].sort(),
          docs("k", 20, 40)
            .map((d) => d.key)
            .sort(),
        );
        assert.equal(fc?.size, 30);
        assert.equal(await store.documentCount(), 93);
        const range = { from: H, to: H + 3_600_000 };
        assert.deepEqual(await store.topTerms(range, { limit: 1 }), [{ term: "outage", count: 93 }]);
        // k5 .. k55 from a and b (rule "five"), not k65 .. k85 from c, whose batch has no rules.
        const five = await store.ruleHits("five", range);
        assert.equal(
          five.reduce((n, r) => n + r.n, 0),
          6,
        );
      } finally {
        await db.close();
      }
    });

    it("fails a batch alone when it fails in a transaction with others, leaving none of it", async () => {
      const db = await openDatabase(await target.freshLocation());
      try {
        const store = await MonitorStore.open(db);
        const bad = docs("bad", 5);
        // A document without a topic breaks the table's NOT NULL: the whole batch must fail.
        bad[3] = { ...storedDocument("bad3"), topic: null as unknown as string };
        const outcomes = await Promise.allSettled([
          store.insertDocuments(docs("one", 5)),
          store.insertDocuments(docs("two", 5)),
          store.insertDocuments(bad),
          store.insertDocuments(docs("three", 5)),
        ]);
        assert.deepEqual(
          outcomes.map((o) => o.status),
          ["fulfilled", "fulfilled", "rejected", "fulfilled"],
        );
        const failure = outcomes[2];
        assert.ok(failure?.status === "rejected" && isTextkitError(failure.reason));
        assert.equal(await store.documentCount(), 15);
        const stored = await store.documents({ from: 0, to: H + 86_400_000, limit: 100 });
        assert.ok(stored.documents.every((d) => !d.key.startsWith("bad")));
        assert.equal(stored.documents.length, 15);
      } finally {
        await db.close();
      }
    });
  });
}
