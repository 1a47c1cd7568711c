/**
 * Families beside the classifier in one registry: taggers answer entities with offsets
 * into each input; families that predict from rows of values (regressors) take objects.
 */
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { loadTaggedDataset } from "../src/data/index.ts";
import { trainTagger } from "../src/models/tagger/index.ts";
import { type FamilyLoader, type RunningServer, startServer } from "../src/server/index.ts";
import { call, errorOf, tempDir, trainTopicModel, writeTestArtifact } from "./server-helpers.ts";

const EN = fileURLToPath(new URL("../samples/ner-en/", import.meta.url));
const root = tempDir("server-tagger");
const modelsDir = join(root.path, "models");
let server: RunningServer;

/** Test family "test-rows": the sum of each row's numeric values. */
const rowsFamily: FamilyLoader = async () => ({
  predict() {
    throw new Error("a row model is never asked to predict texts");
  },
  predictRows: (rows) =>
    rows.map((row) => ({
      value: Object.values(row).reduce<number>((sum, v) => sum + (typeof v === "number" ? v : 0), 0),
    })),
});

interface Entity {
  text: string;
  label: string;
  start: number;
  end: number;
}

before(async () => {
  mkdirSync(modelsDir, { recursive: true });
  const train = await loadTaggedDataset(join(EN, "train.conll"));
  const tagger = await trainTagger({ train }, { epochs: 6 });
  await tagger.save(join(modelsDir, "entities"));
  await (await trainTopicModel(1)).save(join(modelsDir, "topics"));
  await writeTestArtifact(join(modelsDir, "sums"), "test-rows");
  server = await startServer({
    modelsDir,
    port: 0,
    auth: "off",
    watchIntervalMs: 0,
    logger: false,
    families: { "test-rows": rowsFamily },
  });
  await server.whenReady();
});

after(async () => {
  await server.close();
  root.remove();
});

describe("a tagger in the server", () => {
  it("answers entities with offsets into each input, one answer per input", async () => {
    const inputs = [
      "Maria Lopez flew to Berlin on Friday to meet Siemens.",
      "no names here",
      "Tim Cook 在北京",
    ];
    const res = await call(`${server.url}/v1/models/entities/predict`, { body: { inputs } });
    assert.equal(res.status, 200, res.text);
    const body = res.body as { model: string; predictions: { entities: Entity[] }[] };
    assert.equal(body.model, "entities");
    assert.equal(body.predictions.length, 3);
    for (let i = 0; i < inputs.length; i++) {
      for (const e of body.predictions[i]!.entities) assert.equal(inputs[i]!.slice(e.start, e.end), e.text);
    }
    assert.ok(body.predictions[0]!.entities.length > 0, res.text);
  });

  it("lists the tagger with its family and entity types, beside the classifier", async () => {
    const res = await call(`${server.url}/v1/models`);
    const models = (res.body as { models: { name: string; family: string; labelCount: number }[] }).models;
    const entities = models.find((m) => m.name === "entities");
    assert.equal(entities?.family, "tagger");
    assert.equal(entities?.labelCount, 6);
    assert.equal(models.find((m) => m.name === "topics")?.family, "classifier");
    const detail = await call(`${server.url}/v1/models/entities`);
    const details = (detail.body as { details: { language: string; features: number } }).details;
    assert.equal(details.language, "en");
    assert.ok(details.features > 0);
  });

  it("refuses an empty text with a 400 naming the field", async () => {
    const res = await call(`${server.url}/v1/models/entities/predict`, { body: { inputs: ["ok", ""] } });
    assert.equal(res.status, 400);
    assert.equal(errorOf(res).code, "INPUT_INVALID");
  });
});

describe("a model that predicts from rows of values", () => {
  it("takes objects in inputs and answers one prediction per row", async () => {
    const res = await call(`${server.url}/v1/models/sums/predict`, {
      body: {
        inputs: [
          { a: 1, b: 2 },
          { a: 10, city: "Lyon" },
        ],
      },
    });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual((res.body as { predictions: unknown[] }).predictions, [{ value: 3 }, { value: 10 }]);
  });

  it("refuses texts with a 400 naming the field", async () => {
    let res = await call(`${server.url}/v1/models/sums/predict`, { body: { text: "hello" } });
    assert.equal(res.status, 400, res.text);
    assert.equal(errorOf(res).field, "/text");
    res = await call(`${server.url}/v1/models/sums/predict`, { body: { inputs: [{ a: 1 }, "hello"] } });
    assert.equal(res.status, 400, res.text);
    assert.equal(errorOf(res).field, "/inputs/1");
  });

  it("a text model refuses a row with a 400 naming the field", async () => {
    const res = await call(`${server.url}/v1/models/topics/predict`, {
      body: { inputs: ["a goal", { a: 1 }] },
    });
    assert.equal(res.status, 400, res.text);
    assert.equal(errorOf(res).code, "INPUT_INVALID");
    assert.equal(errorOf(res).field, "/inputs/1");
  });
});
