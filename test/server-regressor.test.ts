/**
 * Regressors and cluster models in the server's one registry: a regressor and a numeric
 * cluster model take rows of named values, a text cluster model takes texts; bad values
 * are 400s that name the field, never a 500.
 */
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { tableFromRecords } from "../src/data/table.ts";
import { trainNumericClusters, trainTextClusters } from "../src/models/cluster/index.ts";
import { trainRegressor } from "../src/models/regressor/index.ts";
import { type RunningServer, startServer } from "../src/server/index.ts";
import { call, errorOf, tempDir } from "./server-helpers.ts";
import { topicCorpus } from "./support/topic-corpus.ts";

const root = tempDir("server-regressor");
const modelsDir = join(root.path, "models");
let server: RunningServer;

/** price = 1000 + 30 × area + 500 for Lyon, exactly. */
function flats(): Record<string, unknown>[] {
  const rows: Record<string, unknown>[] = [];
  for (let i = 0; i < 60; i++) {
    const area = 20 + ((i * 7) % 90);
    const city = ["Lyon", "Lille", "Nantes"][i % 3]!;
    rows.push({ price: 1000 + 30 * area + (city === "Lyon" ? 500 : 0), area, city });
  }
  return rows;
}

before(async () => {
  mkdirSync(modelsDir, { recursive: true });
  const table = tableFromRecords("flats", flats(), {
    target: "price",
    features: ["area", "city"],
    kinds: { city: "categorical" },
  });
  await (await trainRegressor({ train: table }, { method: "ols" })).save(join(modelsDir, "prices"));

  const points: number[] = [];
  for (let i = 0; i < 40; i++) points.push(i % 2 === 0 ? 0 + (i % 5) * 0.1 : 10 + (i % 5) * 0.1, i % 3);
  const numeric = await trainNumericClusters(
    {
      source: "points",
      columns: ["x", "y"],
      n: 40,
      dim: 2,
      values: Float32Array.from(points),
      lines: Int32Array.from({ length: 40 }, (_, i) => i + 2),
    },
    { k: 2, seed: 0 },
  );
  await numeric.save(join(modelsDir, "groups"));

  const texts = topicCorpus("en", 30).map((t) => t.text);
  await (await trainTextClusters(texts, { k: 3, seed: 0 })).save(join(modelsDir, "topics"));

  server = await startServer({ modelsDir, port: 0, auth: "off", watchIntervalMs: 0, logger: false });
  await server.whenReady();
});

after(async () => {
  await server.close();
  root.remove();
});

describe("a regressor in the server", () => {
  it("predicts from rows of named values, numbers as strings included", async () => {
    const res = await call(`${server.url}/v1/models/prices/predict`, {
      body: {
        inputs: [
          { area: 50, city: "Lyon" },
          { area: "10", city: "Lille" },
        ],
      },
    });
    assert.equal(res.status, 200, res.text);
    const out = (res.body as { predictions: { prediction: number }[] }).predictions;
    assert.equal(out.length, 2);
    assert.ok(Math.abs(out[0]!.prediction - 3000) < 1e-6, JSON.stringify(out));
    assert.ok(Math.abs(out[1]!.prediction - 1300) < 1e-6, JSON.stringify(out));
  });

  it("shows its target, features and fit", async () => {
    const res = await call(`${server.url}/v1/models/prices`);
    assert.equal(res.status, 200, res.text);
    const text = JSON.stringify(res.body);
    assert.match(text, /"family":"regressor"/);
    assert.match(text, /"target":"price"/);
  });

  it("answers a 400 naming the field for a value that is not a number, and for a text", async () => {
    const bad = await call(`${server.url}/v1/models/prices/predict`, {
      body: {
        inputs: [
          { area: 50, city: "Lyon" },
          { area: "big", city: "Lyon" },
        ],
      },
    });
    assert.equal(bad.status, 400, bad.text);
    const error = errorOf(bad);
    assert.equal(error.field, "/inputs/1/area");
    assert.doesNotMatch(bad.text, /at .*\.ts:\d+/);

    const text = await call(`${server.url}/v1/models/prices/predict`, {
      body: { text: "fifty square metres" },
    });
    assert.equal(text.status, 400, text.text);
  });
});

describe("cluster models in the server", () => {
  it("a numeric model assigns rows to the nearest of its two groups", async () => {
    const res = await call(`${server.url}/v1/models/groups/predict`, {
      body: {
        inputs: [
          { x: 0.2, y: 1 },
          { x: "10.1", y: 0 },
        ],
      },
    });
    assert.equal(res.status, 200, res.text);
    const [a, b] = (res.body as { predictions: { cluster: number; distance: number }[] }).predictions;
    assert.notEqual(a!.cluster, b!.cluster);
    assert.ok(a!.distance < 2 && b!.distance < 2, res.text);
  });

  it("a numeric model refuses a missing column with a 400 naming it", async () => {
    const res = await call(`${server.url}/v1/models/groups/predict`, { body: { inputs: [{ x: 1 }] } });
    assert.equal(res.status, 400, res.text);
    assert.equal(errorOf(res).field, "/inputs/0/y");
  });

  it("a text model gives each text its cluster and that cluster's top terms", async () => {
    const res = await call(`${server.url}/v1/models/topics/predict`, {
      body: { inputs: ["the coach said the team played a great match", "bake the dough in the oven"] },
    });
    assert.equal(res.status, 200, res.text);
    const [sport, cake] = (res.body as { predictions: { cluster: number; topTerms: string[] }[] })
      .predictions;
    assert.notEqual(sport!.cluster, cake!.cluster);
    assert.ok(sport!.topTerms.some((t) => ["team", "match", "coach", "football", "goal"].includes(t)));
    assert.ok(cake!.topTerms.some((t) => ["oven", "bake", "dough", "flour", "recipe"].includes(t)));
  });
});
