/**
 * The recommend application in a real server on loopback: the A/B split sends each user to
 * one model for good, shown items are logged as impressions, clicks count for them (in the
 * stats and in /metrics), bad events are counted and reported, a new visitor gets
 * recommendations from typed interests or picked items at once, and a like changes the
 * next list.
 */
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { demoInteractions, generateDemoData } from "../src/apps/recommend/index.ts";
import { trainRecommender } from "../src/models/recommender/index.ts";
import { type RunningServer, startServer } from "../src/server/index.ts";
import { call, errorOf, tempDir } from "./server-helpers.ts";

const root = tempDir("server-recommend-app");
const modelsDir = join(root.path, "models");
const demo = generateDemoData({ items: 400, users: 80, seed: 7 });
const subjectOf = new Map(demo.items.map((i) => [i.id, i.category]));
let server: RunningServer;
let url: string;

interface Served {
  variant: string;
  model: string;
  items: { item: string; category: string; position: number; impression: string; reason: { text: string } }[];
}

async function recommend(user: string, k = 5): Promise<Served> {
  const res = await call(`${url}/v1/recommend/shop/recommend`, { body: { user, k } });
  assert.equal(res.status, 200, res.text);
  return res.body as Served;
}

async function events(list: Record<string, unknown>[]): Promise<Record<string, unknown>> {
  const res = await call(`${url}/v1/recommend/shop/events`, { body: { events: list } });
  assert.equal(res.status, 200, res.text);
  return res.body as Record<string, unknown>;
}

before(async () => {
  mkdirSync(modelsDir, { recursive: true });
  const train = demoInteractions(demo);
  await (await trainRecommender({ train }, { model: "knn" })).save(join(modelsDir, "shop"));
  await (await trainRecommender({ train }, { model: "als", factors: 16, iterations: 6, reg: 1 })).save(
    join(modelsDir, "shop-als"),
  );
  server = await startServer({
    modelsDir,
    dataDir: join(root.path, "data"),
    port: 0,
    auth: "off",
    watchIntervalMs: 0,
    logger: false,
  });
  await server.whenReady();
  url = server.url;
});

after(async () => {
  await server.close();
  root.remove();
});

describe("the recommend application in the server", () => {
  it("serves everyone from the app's model until a split is set; refuses a share outside [0, 1]", async () => {
    const first = await recommend("u0001");
    assert.equal(first.variant, "control");
    assert.equal(first.model, "shop");
    const bad = await call(`${url}/v1/recommend/shop/split`, {
      method: "PUT",
      body: { control: "shop", treatment: "shop-als", share: 1.5 },
    });
    assert.equal(bad.status, 400, bad.text);
    assert.equal(errorOf(bad).code, "OPTION_INVALID");
    const missing = await call(`${url}/v1/recommend/shop/split`, {
      method: "PUT",
      body: { control: "shop", treatment: "nope", share: 0.5 },
    });
    assert.equal(missing.status, 404, missing.text);
    const ok = await call(`${url}/v1/recommend/shop/split`, {
      method: "PUT",
      body: { control: "shop", treatment: "shop-als", share: 0.5 },
    });
    assert.equal(ok.status, 200, ok.text);
  });

  it("sends each user to one variant for good, and counts clicks per version, variant and position", async () => {
    const before = (await call(`${url}/v1/recommend/shop/stats`)).body as {
      byVariant: { impressions: number }[];
    };
    const shownBefore = before.byVariant.reduce((s, v) => s + v.impressions, 0);
    const seen = new Map<string, string>();
    for (const taste of demo.tastes.slice(0, 30)) {
      const a = await recommend(taste.user);
      const b = await recommend(taste.user);
      assert.equal(a.variant, b.variant);
      assert.equal(a.model, a.variant === "control" ? "shop" : "shop-als");
      assert.deepEqual(
        a.items.map((i) => i.position),
        [1, 2, 3, 4, 5],
      );
      seen.set(taste.user, a.variant);
      // Readers click their first item when it is on their planted subject.
      if (a.items[0]!.category === taste.primary) {
        const done = await events([
          { user: taste.user, item: a.items[0]!.item, type: "click", impression: a.items[0]!.impression },
        ]);
        assert.equal(done["clicks"], 1);
      }
    }
    assert.ok(new Set(seen.values()).size === 2, "both variants have users");
    const res = await call(`${url}/v1/recommend/shop/stats`);
    assert.equal(res.status, 200, res.text);
    const stats = res.body as {
      byVariant: {
        variant: string;
        impressions: number;
        ctr: { count: number; rate: number; low: number; high: number };
      }[];
      byPosition: { position: number; ctr: { count: number } }[];
      difference: { ctr: { low: number; high: number } };
    };
    const impressions = stats.byVariant.reduce((s, v) => s + v.impressions, 0);
    assert.equal(impressions - shownBefore, 30 * 2 * 5);
    const clicks = stats.byVariant.reduce((s, v) => s + v.ctr.count, 0);
    assert.ok(clicks > 10, `${clicks}`);
    for (const v of stats.byVariant) assert.ok(v.ctr.low <= v.ctr.rate && v.ctr.rate <= v.ctr.high);
    assert.equal(
      stats.byPosition.filter((p) => p.position !== 1).reduce((s, p) => s + p.ctr.count, 0),
      0,
    );
    assert.ok(stats.difference.ctr.low <= stats.difference.ctr.high);
    const metrics = await fetch(`${url}/metrics`).then((r) => r.text());
    assert.match(
      metrics,
      /textkit_recommend_impressions_total\{app="shop",model="shop",version="[^"]+",variant="control"\} \d+/,
    );
    assert.match(
      metrics,
      /textkit_recommend_clicks_total\{app="shop",model="shop[^"]*",version="[^"]+",variant="\w+"\} \d+/,
    );
  });

  it("counts duplicates, unknown items and late events, and keeps a batch with a bad timestamp out whole", async () => {
    const item = demo.items[0]!.id;
    const done = await events([
      { id: "ev-1", user: "late-user", item, type: "view", timestamp: "2026-12-05T10:00:00Z" },
      { id: "ev-1", user: "late-user", item, type: "view", timestamp: "2026-12-05T10:00:00Z" },
      { user: "late-user", item: "no-such-item", type: "view" },
      { user: "late-user", item, type: "like", timestamp: "2026-11-01T10:00:00Z" },
    ]);
    assert.equal(done["accepted"], 2);
    assert.equal(done["duplicates"], 1);
    assert.deepEqual(done["unknownItems"], [{ index: 2, item: "no-such-item" }]);
    assert.equal(done["outOfOrder"], 1);
    const bad = await call(`${url}/v1/recommend/shop/events`, {
      body: { events: [{ user: "late-user", item, type: "view", timestamp: "last tuesday" }] },
    });
    assert.equal(bad.status, 400);
    assert.equal(errorOf(bad).code, "DATA_BAD_TIMESTAMP");
    const stats = (await call(`${url}/v1/recommend/shop/stats`)).body as {
      events: { duplicates: number; unknownItem: number; unknownItems: { item: string }[] };
    };
    assert.equal(stats.events.unknownItem, 1);
    assert.equal(stats.events.unknownItems[0]!.item, "no-such-item");
    assert.ok(stats.events.duplicates >= 1);
  });

  it("a new visitor gets recommendations from typed interests, and a like changes the next list", async () => {
    const res = await call(`${url}/v1/recommend/shop/cold-start`, {
      body: { visitor: "visitor-a", interests: "telescope comets 星系", k: 5 },
    });
    assert.equal(res.status, 200, res.text);
    const cold = res.body as Served & { seeds: string[] };
    assert.ok(
      cold.seeds.length > 0 && cold.seeds.every((s) => subjectOf.get(s) === "astronomy"),
      JSON.stringify(cold.seeds),
    );
    const onSubject = cold.items.filter((i) => i.category === "astronomy").length;
    assert.ok(onSubject >= 4, JSON.stringify(cold.items));
    // Likes of cooking items move the visitor's next list towards cooking.
    const cooking = demo.items.filter((i) => i.category === "cooking").slice(0, 4);
    await events(cooking.map((i) => ({ user: "visitor-a", item: i.id, type: "like" })));
    const next = await recommend("visitor-a", 5);
    assert.ok(
      next.items.some((i) => i.category === "cooking"),
      JSON.stringify(next.items),
    );
    const user = (await call(`${url}/v1/recommend/shop/users/visitor-a`)).body as {
      history: { item: string }[];
    };
    assert.ok(cooking.every((c) => user.history.some((h) => h.item === c.id)));
  });

  it("gives similar items and a catalogue to pick from; an unknown pick is a 400", async () => {
    const item = demo.items.find((i) => i.category === "gardening")!.id;
    const res = await call(`${url}/v1/recommend/shop/items/${item}/similar?k=5`);
    assert.equal(res.status, 200, res.text);
    const similar = (res.body as { items: { item: string; category: string }[] }).items;
    assert.equal(similar.length, 5);
    assert.ok(similar.filter((s) => s.category === "gardening").length >= 4, JSON.stringify(similar));
    const catalog = await call(
      `${url}/v1/recommend/shop/catalog?q=${encodeURIComponent("足球 联赛")}&limit=5`,
    );
    assert.equal(catalog.status, 200, catalog.text);
    const found = (catalog.body as { items: { category: string }[] }).items;
    assert.ok(found.length > 0 && found.every((f) => f.category === "football"), JSON.stringify(found));
    const bad = await call(`${url}/v1/recommend/shop/cold-start`, { body: { items: ["nope"] } });
    assert.equal(bad.status, 400);
    assert.equal(errorOf(bad).code, "DATA_UNKNOWN_ITEM");
  });
});
