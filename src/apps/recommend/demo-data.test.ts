/**
 * The demo data: bilingual, well-formed, deterministic, and with tastes a recommender
 * trained on it finds (the point of planting them).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isTextkitError } from "../../core/index.ts";
import { trainRecommender } from "../../models/recommender/index.ts";
import { DEMO_SUBJECTS, demoInteractions, generateDemoData } from "./demo-data.ts";

const HAN = /\p{Script=Han}/u;

describe("recommend demo data", () => {
  const demo = generateDemoData({ items: 800, users: 120, seed: 3 });

  it("has Chinese and English items on every subject, unique ids and events in time order", () => {
    assert.equal(demo.items.length, 800);
    assert.equal(new Set(demo.items.map((i) => i.id)).size, 800);
    for (const s of DEMO_SUBJECTS) {
      const items = demo.items.filter((i) => i.category === s.id);
      assert.ok(
        items.some((i) => HAN.test(i.title) && HAN.test(i.description)),
        s.id,
      );
      assert.ok(
        items.some((i) => !HAN.test(i.title) && i.tags.includes(s.enTags[0]!)),
        s.id,
      );
    }
    for (let e = 1; e < demo.events.length; e++) {
      assert.ok(demo.events[e]!.timestamp >= demo.events[e - 1]!.timestamp);
    }
    const types = new Set(demo.events.map((e) => e.type));
    assert.deepEqual([...types].sort(), ["click", "like", "purchase", "share", "view"]);
    assert.deepEqual(generateDemoData({ items: 800, users: 120, seed: 3 }), demo);
  });

  it("users mostly read their planted primary subject", () => {
    const subjectOf = new Map(demo.items.map((i) => [i.id, i.category]));
    const primary = new Map(demo.tastes.map((t) => [t.user, t.primary]));
    const views = demo.events.filter((e) => e.type === "view");
    const onPrimary = views.filter((e) => subjectOf.get(e.item) === primary.get(e.user)).length;
    assert.ok(onPrimary / views.length > 0.7, `${onPrimary / views.length}`);
  });

  it("a recommender trained on it recommends each user's planted subject first", async () => {
    const model = await trainRecommender(
      { train: demoInteractions(demo) },
      {
        model: "hybrid",
        factors: 16,
        iterations: 8,
      },
    );
    let first = 0;
    for (const taste of demo.tastes) {
      const top = model.recommend(taste.user, { k: 5 });
      if (top[0]?.category === taste.primary) first++;
    }
    assert.ok(first / demo.tastes.length > 0.85, `${first} of ${demo.tastes.length}`);
    // A new reader of three astronomy pieces gets astronomy first, with a reason naming one.
    const astronomy = demo.items.filter((i) => i.category === "astronomy").slice(0, 3);
    model.addEvents(astronomy.map((i) => ({ user: "newcomer", item: i.id, type: "like" })));
    const top = model.recommend("newcomer", { k: 3 });
    assert.equal(top[0]!.category, "astronomy");
  });

  it("refuses a catalogue whose ids collide, naming the line", () => {
    const clash = { ...demo, items: [...demo.items.slice(0, 10), { ...demo.items[3]! }] };
    assert.throws(
      () => demoInteractions(clash),
      (e) => isTextkitError(e) && e.code === "DATA_DUPLICATE_ID" && e.line === 11,
    );
  });
});
