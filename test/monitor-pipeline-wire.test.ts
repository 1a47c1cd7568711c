/**
 * The monitor's pipeline on worker threads gives exactly what it gives on the main thread
 * (issue 17, item 1: the batch crosses to the workers and back as columns). Real models
 * (topic, sentiment, and a tagger) from files, the monitor's own sample texts in English and
 * Chinese with titles, documents with and without ids, languages and times, duplicates:
 * every document the pool returns equals the main thread's, field by field and in the same
 * key order, and each label equals the model's own prediction of the text. Stored through
 * Monitor.submit, the documents, term counts and entity counts agree with and without workers.
 */
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  DocumentPipeline,
  loadDirectoryModels,
  Monitor,
  type MonitorDocument,
  type MonitorDocumentInput,
  resolveMonitorConfig,
} from "../src/apps/monitor/index.ts";
import { PipelinePool } from "../src/apps/monitor/pipeline-pool.ts";
import { loadTaggedDataset } from "../src/data/index.ts";
import { loadClassifier } from "../src/models/classifier/index.ts";
import { trainTagger } from "../src/models/tagger/index.ts";
import { openDatabase } from "../src/store/index.ts";
import { tempDir } from "./server-helpers.ts";
import { writeMonitorModels } from "./support/monitor-data.ts";

const root = tempDir("monitor-pipeline-wire");
const models = join(root.path, "models");
const T0 = Date.parse("2026-11-30T08:00:00Z");

/** Sentences naming a company (ORG) and a city (LOC), for a small real tagger. */
const COMPANIES = ["Norvale Bank", "Emberly", "Sunmill Coffee", "Harbor Telecom"];
const CITIES = ["Paris", "Leeds", "Osaka", "Denver"];

async function writeTagger(): Promise<void> {
  const rows: string[] = [];
  for (let i = 0; i < 48; i++) {
    const org = COMPANIES[i % COMPANIES.length] ?? "";
    const city = CITIES[(i * 3) % CITIES.length] ?? "";
    const text = i % 2 === 0 ? `${org} opened an office in ${city} today` : `In ${city} , ${org} cut prices`;
    const o = text.indexOf(org);
    const c = text.indexOf(city);
    rows.push(
      JSON.stringify({
        text,
        entities: [
          [o, o + org.length, "ORG"],
          [c, c + city.length, "LOC"],
        ],
      }),
    );
  }
  const path = join(root.path, "tagged.jsonl");
  writeFileSync(path, `${rows.join("\n")}\n`);
  const tagger = await trainTagger({ train: await loadTaggedDataset(path) }, { epochs: 10, seed: 1 });
  await tagger.save(join(models, "places"));
}

/** The monitor's sample stream (titles, English and Chinese) and variations of it. */
function documents(): MonitorDocumentInput[] {
  const lines = readFileSync(join(import.meta.dirname, "..", "samples", "monitor", "stream.jsonl"), "utf8")
    .trim()
    .split("\n")
    .slice(0, 120);
  const out: MonitorDocumentInput[] = [];
  lines.forEach((line, i) => {
    const d = JSON.parse(line) as { title: string; text: string; source: string; lang: string };
    const doc: MonitorDocumentInput = { text: d.text };
    // Every other document has an id; every third a title; every fourth names its language.
    if (i % 2 === 0) doc.id = `s${i}`;
    if (i % 3 === 0) doc.title = d.title;
    if (i % 4 === 0) doc.lang = d.lang;
    if (i % 5 !== 0) doc.source = d.source;
    if (i % 6 !== 0) doc.publishedAt = T0 + i * 60_000;
    if (i % 7 === 0) doc.url = `https://example.com/${i}`;
    out.push(doc);
  });
  out.push({ text: `${COMPANIES[0]} opened an office in ${CITIES[1]} today`, id: "e1" });
  out.push({ text: "Le gouvernement a annoncé une réforme des retraites.", lang: "fr" });
  // A duplicate of the first document, in the same batch.
  const first = out[0];
  if (first !== undefined) out.push({ ...first });
  return out;
}

const settings = {
  models: { topic: "topic", sentiment: "sentiment", entities: "places" },
  termsPerDocument: 6,
};
const config = resolveMonitorConfig(settings);

before(async () => {
  mkdirSync(models, { recursive: true });
  await writeMonitorModels(models);
  await writeTagger();
});
after(() => root.remove());

/** Ingests DOCS with `workers` pipeline workers; answers the stored documents, terms and entities. */
async function ingest(workers: number) {
  const resolved = resolveMonitorConfig({ ...settings, workers });
  const db = await openDatabase(join(root.path, `w${workers}.db`));
  const monitor = await Monitor.open({
    db,
    config: resolved,
    models: await loadDirectoryModels(models, resolved),
    sources: false,
    now: () => T0 + 3_600_000,
  });
  try {
    const docs = documents();
    const outcome = await monitor.submit(docs);
    const range = { from: 0, to: T0 + 86_400_000 };
    const stored = (await monitor.documents({ ...range, limit: 1000 })).documents;
    const terms = await monitor.store.topTerms({ from: 0, to: T0 + 86_400_000 }, { limit: 1000 });
    const entities = await monitor.store.topEntities({ from: 0, to: T0 + 86_400_000 }, { limit: 1000 });
    return { outcome, stored, terms, entities };
  } finally {
    await monitor.stop();
    await db.close();
  }
}

describe("the monitor's pipeline across worker threads", () => {
  it("returns, through the pool, exactly the main thread's documents, labelled as the models predict", async () => {
    const source = await loadDirectoryModels(models, config);
    const inputs = documents();
    const main = await new DocumentPipeline(config, source).enrich(inputs, T0);
    const pool = new PipelinePool(config, source, 2);
    let pooled: MonitorDocument[][];
    try {
      // Two batches at once, so both workers answer.
      pooled = await Promise.all([pool.enrich(inputs, T0), pool.enrich(inputs.slice(7), T0)]);
    } finally {
      await pool.close();
    }
    assert.equal(pooled[0]?.length, inputs.length);
    assert.deepStrictEqual(pooled[0], main);
    assert.deepStrictEqual(pooled[1], main.slice(7));
    for (const [i, doc] of (pooled[0] ?? []).entries())
      assert.deepEqual(Object.keys(doc), Object.keys(main[i] ?? {}), `key order of document ${i}`);
    // The labels are the models' own predictions of title and text.
    const topic = await loadClassifier(join(models, "topic"));
    const sentiment = await loadClassifier(join(models, "sentiment"));
    const texts = inputs.map((d) => (d.title === undefined ? d.text : `${d.title}\n${d.text}`));
    const topics = topic.predict(texts, { k: 1 });
    const sentiments = sentiment.predict(texts, { k: 1 });
    for (const [i, doc] of main.entries()) {
      assert.equal(doc.topic, topics[i]?.labels[0]);
      assert.equal(doc.topicScore, topics[i]?.scores[0]);
      assert.equal(doc.sentiment, sentiments[i]?.labels[0]);
      assert.equal(doc.sentimentScore, sentiments[i]?.scores[0]);
    }
    assert.ok(
      main.some((d) => d.entities.length > 0),
      "the tagger found entities",
    );
    assert.ok(main.some((d) => d.langScore === null) && main.some((d) => d.lang === "zh"));
    assert.ok(main.every((d) => d.terms.length > 0 || d.lang === "fr"));
  });

  it("stores the same documents, term counts and entity counts with and without workers", async () => {
    const without = await ingest(0);
    const withWorkers = await ingest(1);
    assert.equal(without.outcome.stored, documents().length - 1);
    assert.equal(without.outcome.duplicates, 1);
    assert.deepStrictEqual(withWorkers.outcome, without.outcome);
    assert.deepStrictEqual(withWorkers.stored, without.stored);
    assert.ok(without.terms.length > 20 && without.entities.length > 0);
    assert.deepStrictEqual(withWorkers.terms, without.terms);
    assert.deepStrictEqual(withWorkers.entities, without.entities);
  });
});
