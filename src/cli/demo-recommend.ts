/**
 * The recommend application's part of `textkit demo`: generated shop data (bilingual items,
 * simulated users with planted tastes), two recommenders trained on it (the hybrid as
 * `shop`, ALS as `shop-als`), an A/B split between them, and, while serving, simulated
 * shoppers who ask for recommendations and click what suits their taste, so that the
 * Recommend page's online figures move as one watches.
 */
import { join } from "node:path";
import {
  type DemoData,
  demoInteractions,
  generateDemoData,
  RecommendStore,
} from "../apps/recommend/index.ts";
import { Random } from "../core/index.ts";
import { type Recommender, trainRecommender } from "../models/recommender/index.ts";
import { defaultDatabaseLocation, type RunningServer } from "../server/index.ts";
import { openDatabase } from "../store/index.ts";
import type { CliIo } from "./io.ts";

/** The application and model names of the demo shop. */
export const DEMO_SHOP = "shop";
export const DEMO_SHOP_TREATMENT = "shop-als";
/** The demo's A/B split: half the users on each model. */
const DEMO_SHARE = 0.5;
/** A simulated shopper asks for recommendations this often while the demo serves. */
const SHOPPER_INTERVAL_MS = 1500;

/** Share of users whose first recommendation is on their planted primary subject. */
function tasteRecall(model: Recommender, demo: DemoData): number {
  let hits = 0;
  for (const taste of demo.tastes)
    if (model.recommend(taste.user, { k: 1 })[0]?.category === taste.primary) hits++;
  return hits / Math.max(1, demo.tastes.length);
}

/**
 * Trains the demo shop's two models into `<modelsDir>/shop` and `<modelsDir>/shop-als`;
 * returns the report to print.
 */
export async function trainDemoShop(modelsDir: string, seed = 1): Promise<string> {
  const demo = generateDemoData({ seed });
  const train = demoInteractions(demo, "demo shop (generated)");
  const lines = [
    `${demo.items.length} items (Chinese and English), ${demo.tastes.length} simulated users, ${train.length} events`,
  ];
  for (const [name, options] of [
    [DEMO_SHOP, { model: "hybrid", factors: 32, reg: 1, seed }],
    [DEMO_SHOP_TREATMENT, { model: "als", factors: 32, reg: 1, seed }],
  ] as const) {
    const t0 = performance.now();
    const model = await trainRecommender({ train }, options);
    const seconds = (performance.now() - t0) / 1000;
    await model.save(join(modelsDir, name));
    lines.push(
      `${name} (${options.model}): trained in ${seconds.toFixed(1)} s; ` +
        `${(100 * tasteRecall(model, demo)).toFixed(0)}% of users get their planted subject first`,
    );
  }
  return `${lines.join("\n")}\n`;
}

/** Stores the demo's A/B split in the server's database unless one is there already. */
export async function setDemoSplit(dataDir: string): Promise<void> {
  const db = await openDatabase(defaultDatabaseLocation(dataDir));
  try {
    const store = await RecommendStore.open(db);
    const none = { control: DEMO_SHOP, treatment: null, share: 0 };
    const current = await store.split(DEMO_SHOP, none);
    if (current.treatment === null) {
      await store.setSplit(DEMO_SHOP, {
        control: DEMO_SHOP,
        treatment: DEMO_SHOP_TREATMENT,
        share: DEMO_SHARE,
      });
    }
  } finally {
    await db.close();
  }
}

interface ShownItem {
  item: string;
  category: string;
  impression: string;
}

/**
 * Simulated shoppers: every SHOPPER_INTERVAL_MS one of the demo's users asks for ten
 * items and clicks those on their subjects (more often near the top), sometimes liking
 * one. Returns the function that stops them. They stop by themselves, with a message, once
 * the server wants a key.
 */
export function simulateShoppers(server: RunningServer, io: CliIo, seed = 1): () => void {
  const demo = generateDemoData({ seed });
  const rng = new Random(seed + 1);
  const base = `${server.url}/v1/recommend/${DEMO_SHOP}`;
  const post = async (path: string, body: unknown): Promise<Response> =>
    fetch(`${base}/${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  let stopped = false;
  const step = async (): Promise<void> => {
    const taste = demo.tastes[rng.int(demo.tastes.length)]!;
    const res = await post("recommend", { user: taste.user, k: 10 });
    if (res.status === 401 || res.status === 403) {
      stopped = true;
      io.stderr.write("recommend: the simulated shoppers stopped: the server now wants an API key\n");
      return;
    }
    if (!res.ok) return;
    const { items } = (await res.json()) as { items: ShownItem[] };
    const events: Record<string, unknown>[] = [];
    items.forEach((shown, i) => {
      const keen = shown.category === taste.primary ? 0.35 : shown.category === taste.secondary ? 0.15 : 0.02;
      if (rng.next() < keen / Math.sqrt(i + 1)) {
        events.push({ user: taste.user, item: shown.item, type: "click", impression: shown.impression });
        if (rng.next() < 0.3)
          events.push({ user: taste.user, item: shown.item, type: "like", impression: shown.impression });
      }
    });
    if (events.length > 0) await post("events", { events });
  };
  const timer = setInterval(() => {
    if (stopped) return;
    step().catch((error: unknown) => {
      io.stderr.write(`recommend: a simulated shopper failed: ${String(error)}\n`);
    });
  }, SHOPPER_INTERVAL_MS);
  timer.unref();
  io.stderr.write(
    `recommend: a simulated shopper every ${SHOPPER_INTERVAL_MS / 1000} s (A/B: ${DEMO_SHOP} against ${DEMO_SHOP_TREATMENT})\n`,
  );
  return () => clearInterval(timer);
}
