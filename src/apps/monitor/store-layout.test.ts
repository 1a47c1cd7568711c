/**
 * The layout of the monitor's count tables, against SQLite and a real PostgreSQL server:
 * every count (minute, hour and day; terms, entities and rule hits per hour and minute)
 * equals a tally made here, on a fresh database and on one the previous layout (migration 4)
 * wrote, which migration 5 converts (on SQLite, into tables without a row id).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { storedDocument } from "../../../test/support/monitor-documents.ts";
import { storeTargets } from "../../../test/support/postgres.ts";
import { type Database, openDatabase } from "../../store/index.ts";
import type { MonitorDocument, MonitorEntity } from "./document.ts";
import { MonitorStore } from "./store.ts";
import { countDocuments, precount } from "./store-counts.ts";
import { rollUpCounts } from "./store-rollup.ts";
import { documentRow, insertRows } from "./store-rows.ts";
import { BUCKET_MS, GRANULARITIES, MIGRATIONS } from "./store-schema.ts";

const HOUR = 3_600_000;
const H = Date.parse("2026-11-30T10:00:00Z");
const TOPICS = ["banking", "travel", "telecom"];
const SENTIMENTS = ["negative", "neutral", "positive"];
const ORG: MonitorEntity = { text: "Norvale Bank", label: "ORG", start: 0, end: 12, score: 0.9 };
const PLACE: MonitorEntity = { text: "Ostia", label: "LOC", start: 0, end: 5, score: 0.8 };

/** Documents over five hours with terms, entities and topics that repeat unevenly. */
function documents(n: number, prefix: string): MonitorDocument[] {
  return Array.from({ length: n }, (_, i) =>
    storedDocument(`${prefix}${i}`, {
      publishedAt: H + ((i * 7919) % (5 * HOUR)),
      topic: TOPICS[i % 3] ?? "banking",
      sentiment: SENTIMENTS[(i >> 1) % 3] ?? "neutral",
      terms: [
        ...Array.from({ length: 1 + (i % 6) }, (_, j) => `t${(i * 3 + j * 11) % 97}`),
        // Terms that JSON and object keys treat specially, kept as they are.
        ...(i % 7 === 0 ? ["__proto__", "银行"] : []),
        ...(i % 11 === 0 ? ['say "hi"\\', "123"] : []),
        ...(i % 13 === 0 ? ["tab\there\n", "😀", "a,b:c}"] : []),
      ],
      entities: i % 4 === 0 ? [ORG, ORG] : i % 5 === 0 ? [PLACE] : [],
    }),
  );
}

const ruleHits = (d: MonitorDocument): string[] => (d.terms.includes("t5") ? ["r5"] : []);

/** What the store should answer, tallied here one document at a time. */
function tally(docs: readonly MonitorDocument[]) {
  const counts = new Map<string, number>();
  const terms = new Map<string, number>();
  const entities = new Map<string, number>();
  const hits = new Map<string, number>();
  const add = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
  for (const d of docs) {
    for (const g of GRANULARITIES) {
      const bucket = Math.floor(d.publishedAt / BUCKET_MS[g]) * BUCKET_MS[g];
      add(counts, `${g} ${bucket} ${d.topic} ${d.sentiment}`);
    }
    for (const t of d.terms) add(terms, `${d.topic} ${t}`);
    for (const e of new Set(d.entities.map((e) => `${e.label} ${e.text}`))) add(entities, e);
    for (const r of ruleHits(d)) add(hits, `${r} ${Math.floor(d.publishedAt / 60_000) * 60_000} ${d.topic}`);
  }
  return { counts, terms, entities, hits };
}

/** The same four tallies, as the store answers them over the whole range. */
async function answers(store: MonitorStore) {
  const range = { from: H - HOUR, to: H + 6 * HOUR };
  const counts = new Map<string, number>();
  for (const g of GRANULARITIES)
    for (const r of await store.counts(g, range))
      counts.set(`${g} ${r.bucket} ${r.topic} ${r.sentiment}`, r.n);
  const terms = new Map<string, number>();
  for (const topic of TOPICS)
    for (const t of await store.topTerms(range, { topic, limit: 1000 }))
      terms.set(`${topic} ${t.term}`, t.count);
  const entities = new Map<string, number>();
  for (const e of await store.topEntities(range, { limit: 100 }))
    entities.set(`${e.label} ${e.text}`, e.count);
  const hits = new Map<string, number>();
  for (const h of await store.ruleHits("r5", range)) hits.set(`r5 ${h.bucket} ${h.topic}`, h.n);
  return { counts, terms, entities, hits };
}

/** Every count the store answers equals the test's tally of `docs`, before and after a roll-up, and each is stored once. */
async function assertExact(store: MonitorStore, docs: readonly MonitorDocument[]): Promise<void> {
  const expected = tally(docs);
  assert.deepEqual(await answers(store), expected);
  await store.rollUp();
  assert.deepEqual(await answers(store), expected);
  assert.equal(await store.documentCount(), docs.length);
}

/** Writes `docs` as the previous layout's store did: document rows and counts, half rolled up. */
async function writeOldLayout(db: Database, docs: readonly MonitorDocument[]): Promise<void> {
  const half = docs.length >> 1;
  for (const [part, roll] of [
    [docs.slice(0, half), true],
    [docs.slice(half), false],
  ] as const) {
    await db.transaction(async (tx) => {
      await insertRows(
        tx,
        `INSERT INTO monitor_documents (doc_key, ext_id, source, title, body, url, lang, topic, topic_score,
           sentiment, sentiment_score, entities, published_at, ingested_at, lang_score)`,
        15,
        part.map(documentRow),
        "",
      );
      await countDocuments(tx, part, ruleHits, { rowLocks: db.capabilities.rowLocks, jsonEach: false });
      if (roll)
        await rollUpCounts(tx, {
          concurrentWriters: db.capabilities.concurrentWriters,
          jsonEach: false,
          repeatedUpserts: false,
        });
    });
  }
}

for (const target of storeTargets()) {
  describe(`MonitorStore count layout (${target.dialect})`, { skip: target.skip }, () => {
    before(() => target.setup());
    after(() => target.teardown());

    it("answers every count as a tally of the documents, across batches and roll-ups", async () => {
      const db = await openDatabase(await target.freshLocation());
      try {
        const store = await MonitorStore.open(db, { rollUpRows: 1000 });
        const docs = documents(900, "d");
        await store.insertDocuments(docs.slice(0, 100), ruleHits);
        // Before any roll-up: where the database expands JSON, a batch appends a row per (hour, topic, sentiment), not per term.
        const packed = await db.query<{ n: number | string }>(
          "SELECT COUNT(*) AS n FROM monitor_term_packed",
        );
        const rows = await db.query<{ n: number | string }>("SELECT COUNT(*) AS n FROM monitor_term_recent");
        assert.equal(Number(packed[0]?.n) > 0, db.capabilities.jsonEach);
        assert.equal(Number(rows[0]?.n) > 0, !db.capabilities.jsonEach);
        for (let i = 100; i < docs.length; i += 100)
          await store.insertDocuments(docs.slice(i, i + 100), ruleHits);
        // Sent again: stored and counted once.
        await store.insertDocuments(docs.slice(0, 150), ruleHits);
        await assertExact(store, docs);
      } finally {
        await db.close();
      }
    });

    it("uses counts made beforehand only for batches stored whole, and stays exact", async () => {
      const db = await openDatabase(await target.freshLocation());
      try {
        const store = await MonitorStore.open(db, { rollUpRows: 700 });
        const docs = documents(1000, "p");
        const made = (batch: MonitorDocument[]) => store.insertDocuments(batch, ruleHits, precount(batch));
        // Alone, and then several at once (one transaction of several batches).
        await made(docs.slice(0, 100));
        await Promise.all([100, 200, 300].map((i) => made(docs.slice(i, i + 100))));
        // A duplicate inside a batch (its counts made with the copy are wrong for the store).
        const inside = [...docs.slice(400, 500), docs[450] as MonitorDocument];
        assert.equal((await made(inside)).size, 100);
        // Duplicates across batches of one transaction, and documents stored before.
        const fresh = await Promise.all([
          made(docs.slice(500, 600)),
          made(docs.slice(550, 650)),
          made([...docs.slice(0, 20), ...docs.slice(650, 700)]),
          store.insertDocuments(docs.slice(700, 800), ruleHits),
        ]);
        assert.deepEqual(
          fresh.map((f) => f.size),
          [100, 50, 50, 100],
        );
        // All stored before: nothing counted again.
        assert.equal((await made(docs.slice(100, 300))).size, 0);
        await Promise.all([made(docs.slice(800, 900)), made(docs.slice(900, 1000))]);
        await assertExact(store, docs);
      } finally {
        await db.close();
      }
    });

    it("leaves nothing of a failing batch with counts made beforehand, and counts the others", async () => {
      const db = await openDatabase(await target.freshLocation());
      try {
        const store = await MonitorStore.open(db);
        const docs = documents(300, "f");
        const bad = docs.slice(100, 200);
        // A document without a topic breaks the table's NOT NULL: the whole batch must fail.
        bad[7] = { ...(bad[7] as MonitorDocument), topic: null as unknown as string };
        const outcomes = await Promise.allSettled(
          [docs.slice(0, 100), bad, docs.slice(200, 300)].map((b) =>
            store.insertDocuments(b, ruleHits, precount(b)),
          ),
        );
        assert.deepEqual(
          outcomes.map((o) => o.status),
          ["fulfilled", "rejected", "fulfilled"],
        );
        assert.deepEqual(await answers(store), tally([...docs.slice(0, 100), ...docs.slice(200, 300)]));
      } finally {
        await db.close();
      }
    });

    it("converts a database of the previous layout and answers the same counts", async () => {
      const db = await openDatabase(await target.freshLocation());
      try {
        await db.migrate("monitor", MIGRATIONS);
        const old = documents(600, "o");
        await writeOldLayout(db, old);
        const store = await MonitorStore.open(db, { rollUpRows: 200 });
        assert.deepEqual(await answers(store), tally(old));
        if (db.capabilities.clusteredTables) {
          const tables = await db.query<{ name: string }>(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE '%WITHOUT ROWID' ORDER BY name",
          );
          assert.deepEqual(
            tables.map((t) => t.name),
            ["monitor_counts", "monitor_entity_counts", "monitor_rule_hits", "monitor_term_counts"],
          );
        }
        const added = documents(300, "n");
        for (let i = 0; i < added.length; i += 100)
          await store.insertDocuments(added.slice(i, i + 100), ruleHits);
        await store.rollUp();
        assert.deepEqual(await answers(store), tally([...old, ...added]));
        assert.equal(await store.documentCount(), old.length + added.length);
      } finally {
        await db.close();
      }
    });
  });
}
