/**
 * Recommenders in the server: lists with reasons for a user, events that change them at
 * once, stored in the database so that a restart and a second server sharing it see them.
 */
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { trainRecommender } from "../src/models/recommender/index.ts";
import { type RunningServer, startServer } from "../src/server/index.ts";
import { call, errorOf, tempDir, trainTopicModel } from "./server-helpers.ts";
import { plantedData, plantedInteractions } from "./support/recommend-data.ts";

const root = tempDir("server-recommender");
const modelsDir = join(root.path, "models");
const dataDir = join(root.path, "data");
let server: RunningServer;

interface Item {
  item: string;
  score: number;
  category: string;
  reason: { kind: string; text: string };
}

function start(): Promise<RunningServer> {
  return startServer({ modelsDir, dataDir, port: 0, auth: "off", watchIntervalMs: 0, logger: false });
}

async function recommend(s: RunningServer, body: Record<string, unknown>): Promise<Item[]> {
  const res = await call(`${s.url}/v1/models/shop/recommend`, { body });
  assert.equal(res.status, 200, res.text);
  return (res.body as { items: Item[] }).items;
}

before(async () => {
  mkdirSync(modelsDir, { recursive: true });
  const data = plantedData();
  const model = await trainRecommender({ train: plantedInteractions(data) }, { model: "knn" });
  await model.save(join(modelsDir, "shop"));
  await (await trainTopicModel(1)).save(join(modelsDir, "topics"));
  server = await start();
  await server.whenReady();
});

after(async () => {
  await server.close();
  root.remove();
});

describe("a recommender in the server", () => {
  it("recommends a user's own group first, with a reason, leaving out what they have seen", async () => {
    const items = await recommend(server, { user: "space-user-0", k: 5 });
    assert.equal(items.length, 5);
    assert.ok(
      items.every((i) => i.category === "space"),
      JSON.stringify(items),
    );
    assert.ok(items.every((i) => i.reason.text.length > 0));
    const garden = await recommend(server, { user: "space-user-0", k: 3, category: "garden" });
    assert.ok(garden.every((i) => i.category === "garden"));
  });

  it("takes events at once, keeps them across a restart, and shares them with a second server", async () => {
    // A new user with two garden events gets garden items.
    const res = await call(`${server.url}/v1/models/shop/events`, {
      body: {
        events: [
          { user: "newcomer", item: "g1", type: "like" },
          { user: "newcomer", item: "g2", type: "view", timestamp: "2026-11-25T10:00:00Z" },
        ],
      },
    });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual((res.body as { recorded: number; users: string[] }).users, ["newcomer"]);
    const first = await recommend(server, { user: "newcomer", k: 3 });
    assert.ok(
      first.every((i) => i.category === "garden" && i.item !== "g1" && i.item !== "g2"),
      JSON.stringify(first),
    );

    // A second server on the same database answers with the events the first one took.
    const second = await start();
    try {
      await second.whenReady();
      const shared = await recommend(second, { user: "newcomer", k: 3 });
      assert.deepEqual(
        shared.map((i) => i.item),
        first.map((i) => i.item),
      );
      // Asking twice applies nothing twice.
      const again = await recommend(second, { user: "newcomer", k: 3 });
      assert.deepEqual(again, shared);
    } finally {
      await second.close();
    }
  });

  it("refuses a batch with an unknown item whole, storing nothing", async () => {
    const res = await call(`${server.url}/v1/models/shop/events`, {
      body: {
        events: [
          { user: "careful", item: "g3", type: "like" },
          { user: "careful", item: "no-such-item", type: "like" },
        ],
      },
    });
    assert.equal(res.status, 400, res.text);
    assert.match(errorOf(res).message ?? "", /no-such-item/);
    assert.equal(errorOf(res).code, "DATA_UNKNOWN_ITEM");
    assert.ok(!res.text.includes(root.path), `the answer names no path of the server's: ${res.text}`);
    assert.doesNotMatch(res.text, /catalog\.jsonl/);
    // careful has no events: popular items of both groups, nothing seen left out.
    const items = await recommend(server, { user: "careful", k: 40 });
    assert.ok(items.some((i) => i.item === "g3"));
  });

  it("answers 422 for a model that is not a recommender, and 400 for a bad body", async () => {
    let res = await call(`${server.url}/v1/models/topics/recommend`, { body: { user: "u" } });
    assert.equal(res.status, 422, res.text);
    assert.equal(errorOf(res).code, "MODEL_FAMILY_UNSUPPORTED");
    res = await call(`${server.url}/v1/models/shop/events`, {
      body: { events: [{ user: "u", item: "g1" }] },
    });
    assert.equal(res.status, 400, res.text);
    res = await call(`${server.url}/v1/models/shop/recommend`, { body: { user: "u", k: 0 } });
    assert.equal(res.status, 400, res.text);
  });

  it("predict takes user ids and answers their items", async () => {
    const res = await call(`${server.url}/v1/models/shop/predict`, {
      body: { inputs: ["garden-user-1"], k: 2 },
    });
    assert.equal(res.status, 200, res.text);
    const [p] = (res.body as { predictions: { items: Item[] }[] }).predictions;
    assert.equal(p?.items.length, 2);
    assert.ok(p?.items.every((i) => i.category === "garden"));
  });
});
