/**
 * The recommend application's routes on a real server whose database is a real PostgreSQL
 * server (SQLite is covered by server-recommend-app.test.ts): events posted over HTTP are
 * stored there, recommendations come with their reasons and impressions, the A/B figures
 * move as clicks arrive, and everything is still there after the server restarts on the
 * same database.
 */
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { demoInteractions, generateDemoData } from "../src/apps/recommend/index.ts";
import { trainRecommender } from "../src/models/recommender/index.ts";
import { type RunningServer, startServer } from "../src/server/index.ts";
import { call, errorOf, tempDir } from "./server-helpers.ts";
import { storeTargets } from "./support/postgres.ts";

interface Served {
  variant: string;
  model: string;
  items: { item: string; category: string; position: number; impression: string; reason: { text: string } }[];
}

interface Stats {
  byVariant: { variant: string; impressions: number; ctr: { count: number; rate: number } }[];
  byPosition: { variant: string; position: number; ctr: { count: number } }[];
  difference: { ctr: { low: number; high: number } } | null;
  events: { duplicates: number; unknownItem: number };
}

const target = storeTargets().find((t) => t.dialect === "postgres");
if (target === undefined) throw new Error("storeTargets() lists no PostgreSQL target");

describe("the recommend application on PostgreSQL", { skip: target.skip }, () => {
  const root = tempDir("server-recommend-app-pg");
  const modelsDir = join(root.path, "models");
  const demo = generateDemoData({ items: 240, users: 40, seed: 11 });
  let location = "";
  let server: RunningServer | undefined;
  let url = "";
  const variantBefore = new Map<string, string>();

  const boot = async (): Promise<void> => {
    server = await startServer({
      modelsDir,
      dataDir: join(root.path, "data"),
      database: location,
      port: 0,
      auth: "off",
      watchIntervalMs: 0,
      logger: false,
    });
    await server.whenReady();
    url = `${server.url}/v1/recommend/shop`;
  };
  const recommend = async (user: string): Promise<Served> => {
    const res = await call(`${url}/recommend`, { body: { user, k: 5 } });
    assert.equal(res.status, 200, res.text);
    return res.body as Served;
  };
  const events = async (list: Record<string, unknown>[]): Promise<Record<string, unknown>> => {
    const res = await call(`${url}/events`, { body: { events: list } });
    assert.equal(res.status, 200, res.text);
    return res.body as Record<string, unknown>;
  };
  const stats = async (): Promise<Stats> => {
    const res = await call(`${url}/stats`);
    assert.equal(res.status, 200, res.text);
    return res.body as Stats;
  };
  const clicksOf = (s: Stats): number => s.byVariant.reduce((n, v) => n + v.ctr.count, 0);
  const impressionsOf = (s: Stats): number => s.byVariant.reduce((n, v) => n + v.impressions, 0);

  before(async () => {
    await target.setup();
    location = await target.freshLocation();
    mkdirSync(modelsDir, { recursive: true });
    const train = demoInteractions(demo);
    await (await trainRecommender({ train }, { model: "knn" })).save(join(modelsDir, "shop"));
    await (await trainRecommender({ train }, { model: "popularity" })).save(join(modelsDir, "shop-pop"));
    await boot();
  });

  after(async () => {
    await server?.close();
    await target.teardown();
    root.remove();
  });

  it("stores posted events, answers with reasons, and the A/B figures move as clicks arrive", async () => {
    const split = await call(`${url}/split`, {
      method: "PUT",
      body: { control: "shop", treatment: "shop-pop", share: 0.5 },
    });
    assert.equal(split.status, 200, split.text);
    const start = await stats();
    assert.equal(impressionsOf(start), 0);
    let clicked = 0;
    const clicksByVariant = new Map<string, number>();
    const variants = new Set<string>();
    for (const taste of demo.tastes.slice(0, 16)) {
      const list = await recommend(taste.user);
      variants.add(list.variant);
      variantBefore.set(taste.user, list.variant);
      assert.equal(list.model, list.variant === "control" ? "shop" : "shop-pop");
      assert.deepEqual(
        list.items.map((i) => i.position),
        [1, 2, 3, 4, 5],
      );
      for (const item of list.items) assert.ok(item.reason.text.length > 0, JSON.stringify(item));
      const first = list.items[0];
      if (first === undefined) continue;
      const done = await events([
        { user: taste.user, item: first.item, type: "click", impression: first.impression },
      ]);
      assert.equal(done["clicks"], 1);
      clicked++;
      clicksByVariant.set(list.variant, (clicksByVariant.get(list.variant) ?? 0) + 1);
      const now = await stats();
      assert.equal(clicksOf(now), clicked, "each click shows in the figures at once");
    }
    assert.equal(variants.size, 2, "both variants have users");
    const end = await stats();
    assert.equal(impressionsOf(end), 16 * 5);
    for (const [variant, n] of clicksByVariant) {
      assert.equal(end.byVariant.find((v) => v.variant === variant)?.ctr.count, n);
      assert.equal(end.byPosition.find((p) => p.variant === variant && p.position === 1)?.ctr.count, n);
    }
    assert.equal(
      end.byPosition.filter((p) => p.position !== 1).reduce((n, p) => n + p.ctr.count, 0),
      0,
    );
    assert.ok(end.difference !== null && end.difference.ctr.low <= end.difference.ctr.high);
    for (const v of end.byVariant) assert.ok(v.ctr.rate > 0 && v.ctr.rate <= 1, JSON.stringify(v));
  });

  it("counts a duplicate and an unknown item, and refuses a bad timestamp with a 400", async () => {
    const item = demo.items[0]?.id ?? "";
    const done = await events([
      { id: "pg-ev-1", user: "pg-user", item, type: "view" },
      { id: "pg-ev-1", user: "pg-user", item, type: "view" },
      { user: "pg-user", item: "no-such-item", type: "view" },
    ]);
    assert.equal(done["accepted"], 1);
    assert.equal(done["duplicates"], 1);
    const bad = await call(`${url}/events`, {
      body: { events: [{ user: "pg-user", item, type: "view", timestamp: "last tuesday" }] },
    });
    assert.equal(bad.status, 400, bad.text);
    assert.equal(errorOf(bad).code, "DATA_BAD_TIMESTAMP");
    const now = await stats();
    assert.equal(now.events.unknownItem, 1);
    assert.ok(now.events.duplicates >= 1);
  });

  it("keeps the split, the history and the figures in PostgreSQL across a restart", async () => {
    const before = await stats();
    await server?.close();
    server = undefined;
    await boot();
    const after = await stats();
    assert.equal(impressionsOf(after), impressionsOf(before));
    assert.equal(clicksOf(after), clicksOf(before));
    const user = await call(`${url}/users/pg-user`);
    assert.equal(user.status, 200, user.text);
    const history = (user.body as { history: { item: string }[] }).history;
    assert.deepEqual(
      history.map((h) => h.item),
      [demo.items[0]?.id],
    );
    const user0 = demo.tastes[0]?.user ?? "";
    assert.equal(
      (await recommend(user0)).variant,
      variantBefore.get(user0),
      "the split survives the restart",
    );
  });
});
