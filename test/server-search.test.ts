/**
 * Retrieval indexes in the server: POST /v1/models/{name}/search over a real server on
 * loopback, the predict route on an index, and the errors a client can cause.
 */
import assert from "node:assert/strict";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { buildRetrievalIndex, WordVectorEncoder } from "../src/models/retrieval/index.ts";
import { type RunningServer, startServer } from "../src/server/index.ts";
import { call, errorOf, tempDir, trainTopicModel } from "./server-helpers.ts";
import { helpItems, tinyVec } from "./support/retrieval-data.ts";

const root = tempDir("server-search");
const modelsDir = join(root.path, "models");
let server: RunningServer;

interface Hit {
  id: string;
  score: number;
  bm25: number;
  vector: number | null;
  title: string | null;
  text: string;
  source: string | null;
  meta: Record<string, unknown> | null;
}

async function search(name: string, body: Record<string, unknown>): Promise<Hit[]> {
  const res = await call(`${server.url}/v1/models/${name}/search`, { body });
  assert.equal(res.status, 200, res.text);
  return (res.body as { hits: Hit[] }).hits;
}

before(async () => {
  mkdirSync(modelsDir, { recursive: true });
  const vec = join(root.path, "tiny.vec");
  writeFileSync(vec, tinyVec());
  const encoder = await WordVectorEncoder.fromVecFile(vec);
  await (await buildRetrievalIndex(helpItems(), {}, encoder)).save(join(modelsDir, "help"));
  await (await buildRetrievalIndex(helpItems())).save(join(modelsDir, "lexical"));
  await (await trainTopicModel(1)).save(join(modelsDir, "topics"));
  server = await startServer({ modelsDir, port: 0, auth: "off", watchIntervalMs: 0, logger: false });
  await server.whenReady();
});

after(async () => {
  await server.close();
  root.remove();
});

describe("POST /v1/models/{name}/search", () => {
  it("answers the best items with their scores and fields, hybrid by default", async () => {
    const res = await call(`${server.url}/v1/models/help/search`, {
      body: { query: "my card was stolen", k: 3 },
    });
    assert.equal(res.status, 200, res.text);
    const body = res.body as { model: string; version: string; hits: Hit[]; truncated: boolean };
    assert.equal(body.model, "help");
    assert.equal(body.truncated, false);
    assert.ok(body.hits.length >= 1 && body.hits.length <= 3);
    const [top] = body.hits;
    assert.equal(top!.id, "lost-card");
    assert.equal(top!.title, "Cards > Lost card");
    assert.equal(top!.text, "If your card is lost, block it in the app.");
    assert.equal(top!.source, "help.md");
    assert.ok(top!.vector !== null && Math.abs(top!.score - (top!.vector + top!.bm25) / 2) < 1e-9);
    for (const h of body.hits) assert.ok(h.score >= 0 && h.score <= 1, JSON.stringify(h));
  });

  it("takes the mode, k and a threshold; Chinese too", async () => {
    const lexical = await search("help", { query: "stolen", mode: "bm25" });
    assert.deepEqual(lexical, []);
    const dense = await search("help", { query: "stolen", mode: "vector", k: 1 });
    assert.equal(dense.length, 1);
    assert.equal(dense[0]!.bm25, 0);
    const zh = await search("help", { query: "信用 卡 挂失", k: 2 });
    assert.equal(zh[0]!.id, "zh-card");
    assert.deepEqual(zh[0]!.meta, { lang: "zh" });
    const strict = await search("help", { query: "my card was stolen", threshold: 0.99 });
    assert.deepEqual(strict, []);
    const bm25Only = await search("lexical", { query: "lost card" });
    assert.equal(bm25Only[0]!.id, "lost-card");
    assert.equal(bm25Only[0]!.vector, null);
  });

  it("answers 400 naming the field for a bad body", async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{}, "/query"],
      [{ query: "" }, "/query"],
      [{ query: "card", k: 0 }, "/k"],
      [{ query: "card", mode: "fuzzy" }, "/mode"],
      [{ query: "card", threshold: 2 }, "/threshold"],
      [{ query: "card", colour: "red" }, "/colour"],
    ];
    for (const [body, field] of cases) {
      const res = await call(`${server.url}/v1/models/help/search`, { body });
      assert.equal(res.status, 400, `${JSON.stringify(body)}: ${res.text}`);
      const error = errorOf(res);
      assert.equal(error.code, "INPUT_INVALID");
      assert.equal(error.field, field, JSON.stringify(error));
    }
  });

  it("answers 404 for an unknown model and 422 for a model that is not an index", async () => {
    const missing = await call(`${server.url}/v1/models/nothing/search`, { body: { query: "card" } });
    assert.equal(missing.status, 404, missing.text);
    assert.equal(errorOf(missing).code, "MODEL_NOT_FOUND");
    const classifier = await call(`${server.url}/v1/models/topics/search`, { body: { query: "card" } });
    assert.equal(classifier.status, 422, classifier.text);
    assert.equal(errorOf(classifier).code, "MODEL_FAMILY_UNSUPPORTED");
    const noVectors = await call(`${server.url}/v1/models/lexical/search`, {
      body: { query: "card", mode: "vector" },
    });
    assert.equal(noVectors.status, 422, noVectors.text);
    assert.equal(errorOf(noVectors).code, "RETRIEVAL_NO_VECTORS");
    assert.doesNotMatch(noVectors.text, /at .*\.ts:\d+/);
  });
});

describe("a retrieval index through the other model routes", () => {
  it("predict answers { hits } per input, k from the request", async () => {
    const res = await call(`${server.url}/v1/models/help/predict`, {
      body: { inputs: ["lost card", "忘记密码"], k: 1 },
    });
    assert.equal(res.status, 200, res.text);
    const predictions = (res.body as { predictions: { hits: Hit[] }[] }).predictions;
    assert.equal(predictions.length, 2);
    assert.equal(predictions[0]!.hits.length, 1);
    assert.equal(predictions[0]!.hits[0]!.id, "lost-card");
    assert.equal(predictions[1]!.hits[0]!.id, "zh-password");
  });

  it("GET /v1/models/{name} describes the index", async () => {
    const res = await call(`${server.url}/v1/models/help`);
    assert.equal(res.status, 200, res.text);
    const body = res.body as { family: string; details: Record<string, unknown> };
    assert.equal(body.family, "retrieval");
    assert.equal(body.details["items"], 5);
    assert.equal(body.details["vectors"], true);
    assert.equal(body.details["defaultMode"], "hybrid");
  });
});
