import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { isCodedError, scratchFiles } from "../../../test/support/data-files.ts";
import { plantedData, plantedInteractions } from "../../../test/support/recommend-data.ts";
import { ItemCatalog, leaveLastOut } from "../../data/index.ts";
import { RECOMMENDER_MODELS, type RecommenderModel, type RecommenderOptions } from "./options.ts";
import type { Recommender } from "./recommender.ts";
import { loadRecommender } from "./recommender-load.ts";
import { trainRecommender } from "./recommender-train.ts";

const scratch = scratchFiles("recommender");
const planted = plantedData();
const data = plantedInteractions(planted);
const { train, test } = leaveLastOut(data);

/** Small, quick settings that still find the planted groups. */
const SETTINGS: Record<RecommenderModel, Partial<RecommenderOptions>> = {
  popularity: {},
  knn: {},
  als: { factors: 8, iterations: 8 },
  bpr: { factors: 8, iterations: 40 },
  content: {},
  hybrid: { factors: 8, iterations: 8 },
};

const models = new Map<RecommenderModel, Recommender>();
async function model(name: RecommenderModel): Promise<Recommender> {
  let m = models.get(name);
  if (m === undefined) {
    m = await trainRecommender({ train }, { model: name, ...SETTINGS[name] });
    models.set(name, m);
  }
  return m;
}

/** Share of the top-5 lists of all users that lies in the user's own group. */
function groupPrecision(m: Recommender): number {
  let right = 0;
  let total = 0;
  for (const [user, group] of planted.userGroup) {
    for (const r of m.recommend(user, { k: 5 })) {
      total++;
      if (planted.itemGroup.get(r.item) === group) right++;
    }
  }
  return right / total;
}

describe("recommenders on planted groups", () => {
  for (const name of ["knn", "als", "bpr", "content", "hybrid"] as const) {
    it(`${name} recommends a user's own group and beats popularity`, async () => {
      const m = await model(name);
      assert.ok(groupPrecision(m) >= 0.9, `${name}: ${groupPrecision(m)}`);
      const ndcg = m.evaluate(test, { k: 10 }).ranking.ndcg;
      const baseline = (await model("popularity")).evaluate(test, { k: 10 }).ranking.ndcg;
      assert.ok(ndcg > baseline, `${name} NDCG@10 ${ndcg} vs popularity ${baseline}`);
    });
  }

  it("popularity ranks the same list for everyone, minus what they saw", async () => {
    const m = await model("popularity");
    const a = m.recommend("space-user-1", { k: 40 }).map((r) => r.item);
    const seen = new Set(m.history("space-user-1").map((h) => h.item));
    assert.ok(a.every((item) => !seen.has(item)));
    assert.equal(a.length, 40 - seen.size);
    const reason = m.recommend("space-user-1", { k: 1 })[0]!.reason;
    assert.equal(reason.kind, "popular");
    assert.match(reason.text, /^popular in (space|garden)$/);
  });

  it("explains items by a seen item: liked for kNN and factors, similar for content", async () => {
    const seen = new Set((await model("knn")).history("garden-user-2").map((h) => h.item));
    for (const [name, kind, pattern] of [
      ["knn", "liked", /^because you liked "/],
      ["als", "liked", /^because you liked "/],
      ["content", "similar", /^similar to your interest in "/],
    ] as const) {
      const [first] = (await model(name)).recommend("garden-user-2", { k: 1 });
      assert.equal(first!.reason.kind, kind, name);
      assert.match(first!.reason.text, pattern);
      assert.ok(seen.has(first!.reason.item!), `${name} names a seen item`);
    }
  });

  it("filters by category, and can include seen items", async () => {
    const m = await model("als");
    const garden = m.recommend("space-user-0", { k: 5, category: "garden" });
    assert.equal(garden.length, 5);
    assert.ok(garden.every((r) => r.category === "garden"));
    assert.deepEqual(m.recommend("space-user-0", { k: 5, category: ["nothing"] }), []);
    const seen = new Set(m.history("space-user-0").map((h) => h.item));
    const withSeen = m.recommend("space-user-0", { k: 5, excludeSeen: false });
    assert.ok(
      withSeen.some((r) => seen.has(r.item)),
      "a user's own items rank high when not excluded",
    );
    assert.throws(
      () => m.recommend("space-user-0", { k: 0 }),
      isCodedError("OPTION_INVALID", undefined, undefined, /k must/),
    );
  });
});

describe("similar items", () => {
  it("every model lists items of the item's own group, naming it in the reason", async () => {
    // Not content here: these titles share their numbers across groups ("s1" and "g1" both say 1).
    for (const name of ["knn", "als", "hybrid"] as const) {
      const m = await model(name);
      const similar = m.similar("s1", 4);
      assert.equal(similar.length, 4, name);
      assert.ok(!similar.some((s) => s.item === "s1"), name);
      // Items the model finds alike are of the group; where it has no more evidence (content
      // on few words) popular items fill the list, and say so.
      const alike = similar.filter((s) => s.reason.kind === "similar");
      assert.ok(alike.length >= 2, `${name}: ${JSON.stringify(similar)}`);
      assert.ok(
        alike.every((s) => s.category === "space"),
        `${name}: ${similar.map((s) => s.category).join(" ")}`,
      );
      assert.ok(similar.every((s) => s.reason.kind !== "similar" || s.reason.item === "s1"));
    }
    const m = await model("knn");
    assert.throws(() => m.similar("nope"), isCodedError("DATA_UNKNOWN_ITEM", undefined, undefined, /"nope"/));
    assert.throws(
      () => m.similar("s1", 0),
      isCodedError("OPTION_INVALID", undefined, undefined, /k must be/),
    );
  });
});

describe("without retraining", () => {
  for (const name of ["als", "bpr", "knn", "content", "hybrid"] as const) {
    it(`${name}: a new user gets popular items, then their first events' group`, async () => {
      const m = await trainRecommender({ train }, { model: name, ...SETTINGS[name] });
      const user = `newcomer-${name}`;
      const cold = m.recommend(user, { k: 3 });
      assert.ok(cold.every((r) => r.reason.kind === "popular"));
      assert.equal(m.hasUser(user), false);
      const users = m.users;
      const touched = m.addEvents([
        { user, item: "g1", type: "like", timestamp: "2026-03-01T00:00:00Z" },
        { user, item: "g2", type: "share", timestamp: "2026-03-01T00:01:00Z" },
        { user, item: "g3", type: "view", timestamp: "2026-03-01T00:02:00Z" },
      ]);
      assert.deepEqual(touched, [user]);
      assert.equal(m.users, users + 1);
      const warm = m.recommend(user, { k: 3 });
      assert.ok(
        warm.every((r) => planted.itemGroup.get(r.item) === "garden"),
        JSON.stringify(warm),
      );
      assert.ok(warm.every((r) => !["g1", "g2", "g3"].includes(r.item)));
    });
  }

  it("an existing user's list follows their new events", async () => {
    const m = await trainRecommender({ train }, { model: "als", ...SETTINGS.als });
    const user = "space-user-4";
    // Twenty garden events outweigh the user's space history.
    const events = Array.from({ length: 20 }, (_, e) => ({ user, item: `g${e}`, type: "purchase" }));
    m.addEvents(events);
    const after = m.recommend(user, { k: 5, excludeSeen: false });
    assert.ok(
      after.filter((r) => planted.itemGroup.get(r.item) === "garden").length >= 3,
      JSON.stringify(after),
    );
  });

  it("a bad event refuses the whole batch, naming the event", async () => {
    const m = await model("knn");
    const before = m.history("space-user-3");
    assert.throws(
      () =>
        m.addEvents([
          { user: "space-user-3", item: "s1", type: "view" },
          { user: "space-user-3", item: "nope", type: "view" },
        ]),
      isCodedError("DATA_UNKNOWN_ITEM", undefined, undefined, /event 2: item "nope"/),
    );
    assert.throws(
      () => m.addEvents([{ user: "x", item: "s1", type: "view", timestamp: "soon" }]),
      isCodedError("DATA_BAD_TIMESTAMP", undefined, undefined, /event 1/),
    );
    assert.throws(
      () => m.addEvents([{ user: "x", item: "s1", type: "teleport" }]),
      isCodedError("DATA_UNKNOWN_EVENT_TYPE", undefined, undefined, /"teleport"/),
    );
    assert.deepEqual(m.history("space-user-3"), before);
    assert.equal(m.hasUser("x"), false);
  });

  it("a new item is recommended through its text by content and hybrid models", async () => {
    for (const name of ["content", "hybrid"] as const) {
      const m = await trainRecommender({ train }, { model: name, ...SETTINGS[name] });
      const added = m.addItems([
        {
          id: "s-new",
          title: "rocket orbit galaxy launch",
          description: "rocket orbit galaxy",
          tags: ["space"],
          category: "space",
        },
      ]);
      assert.deepEqual(added, ["s-new"]);
      assert.equal(m.items, 41);
      const found = [...planted.userGroup].filter(
        ([user, group]) => group === "space" && m.recommend(user, { k: 5 }).some((r) => r.item === "s-new"),
      ).length;
      assert.ok(found >= 10, `${name}: the new space item reached ${found} space users`);
      assert.throws(
        () => m.addItems([{ id: "s1" }]),
        isCodedError("DATA_DUPLICATE_ID", undefined, undefined, /"s1"/),
      );
    }
  });
});

describe("artifacts", () => {
  for (const name of RECOMMENDER_MODELS) {
    it(`${name}: loads back with the same recommendations, reasons and state`, async () => {
      const m = await model(name);
      const dir = join(scratch.path, name);
      await m.save(dir);
      const manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8"));
      assert.equal(manifest.family, "recommender");
      assert.equal(manifest.options.model, name);
      const loaded = await loadRecommender(dir);
      assert.equal(loaded.model, name);
      assert.equal(loaded.users, m.users);
      assert.equal(loaded.items, m.items);
      for (const user of ["space-user-0", "garden-user-9", "stranger"]) {
        assert.deepEqual(loaded.recommend(user, { k: 5 }), m.recommend(user, { k: 5 }), `${name} ${user}`);
      }
      assert.deepEqual(loaded.runRecord?.options, m.runRecord?.options);
      // State keeps moving after a load: events fold in the same way.
      const events = [{ user: "later", item: "s3", type: "like", timestamp: 1800000000 }];
      loaded.addEvents(events);
      m.addEvents(events);
      assert.deepEqual(loaded.recommend("later", { k: 3 }), m.recommend("later", { k: 3 }));
    });
  }

  it("the same seed and data give the same files, byte for byte", async () => {
    process.env["SOURCE_DATE_EPOCH"] = "1767225600";
    try {
      const files = async () => {
        const m = await trainRecommender(
          { train },
          { model: "hybrid", ...SETTINGS.hybrid, hybridFactors: "bpr" },
        );
        const parts = m.artifactParts().files;
        delete parts["run.json"];
        return parts;
      };
      assert.deepEqual(await files(), await files());
    } finally {
      delete process.env["SOURCE_DATE_EPOCH"];
    }
  });

  it("refuses a model of another family and a damaged file", async () => {
    const dir = join(scratch.path, "knn");
    await (await model("knn")).save(dir);
    const { writeFileSync } = await import("node:fs");
    writeFileSync(join(dir, "engine.sims.f32"), Buffer.alloc(4));
    await assert.rejects(
      loadRecommender(dir),
      isCodedError("ARTIFACT_CORRUPT", join(dir, "engine.sims.f32"), undefined, /bytes/),
    );
  });
});

describe("training data checks", () => {
  it("reports ratings' RMSE and MAE when there are ratings, and dev metrics per pass", async () => {
    const builderCatalog = new ItemCatalog(planted.items);
    const { InteractionsBuilder } = await import("../../data/index.ts");
    const builder = new InteractionsBuilder(builderCatalog);
    for (const e of planted.events)
      builder.add({ ...e, type: "rating", value: e.item.startsWith("s") ? 5 : 2 });
    const rated = builder.build("ratings");
    const split = leaveLastOut(rated);
    const m = await trainRecommender(
      { train: split.train, dev: split.test },
      { model: "als", ...SETTINGS.als, patience: 2 },
    );
    const evaluation = m.evaluate(split.test);
    assert.ok(evaluation.ratings !== null && evaluation.ratings.rmse < 2, JSON.stringify(evaluation.ratings));
    const epochs = m.runRecord!.epochs;
    assert.ok(epochs.length >= 1 && epochs[0]!.dev!["ndcg"] !== undefined);
  });
});
