/**
 * The recommend application's store against both adapters, SQLite and a real PostgreSQL
 * server: the same tests for each. Impressions and their clicks give CTR per version,
 * variant and position; bad events are counted and reported, never lost, never doubled.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { storeTargets } from "../../../test/support/postgres.ts";
import { isTextkitError } from "../../core/index.ts";
import { openDatabase } from "../../store/index.ts";
import { RecommendStore } from "./store.ts";

const T0 = Date.parse("2026-12-01T08:00:00Z");
const SPLIT = { control: "shop-als", treatment: "shop-hybrid", share: 0.5 };
const known = (item: string) => item.startsWith("a");

for (const target of storeTargets()) {
  describe(`RecommendStore (${target.dialect})`, { skip: target.skip }, () => {
    before(() => target.setup());
    after(() => target.teardown());

    async function fresh(): Promise<{ store: RecommendStore; clock: { t: number }; close(): Promise<void> }> {
      const db = await openDatabase(await target.freshLocation());
      const clock = { t: T0 };
      const store = await RecommendStore.open(db, { now: () => clock.t });
      return { store, clock, close: () => db.close() };
    }

    it("keeps the split, and refuses a share outside [0, 1] without changing it", async () => {
      const { store, close } = await fresh();
      try {
        const fallback = { control: "shop", treatment: null, share: 0 };
        assert.deepEqual(await store.split("shop", fallback), fallback);
        await store.setSplit("shop", SPLIT);
        assert.deepEqual(await store.split("shop", fallback), SPLIT);
        await assert.rejects(
          store.setSplit("shop", { ...SPLIT, share: 1.2 }),
          (e) => isTextkitError(e) && e.code === "OPTION_INVALID",
        );
        assert.deepEqual(await store.split("shop", fallback), SPLIT);
      } finally {
        await close();
      }
    });

    it("gives CTR and conversion per version, variant and position with intervals", async () => {
      const { store, clock, close } = await fresh();
      try {
        const shownA = await store.logImpressions(
          "shop",
          { model: "shop-als", version: "v1", variant: "control", user: "u1" },
          [
            { item: "a1", position: 1 },
            { item: "a2", position: 2 },
          ],
        );
        const shownB = await store.logImpressions(
          "shop",
          { model: "shop-hybrid", version: "v3", variant: "treatment", user: "u2" },
          [
            { item: "a1", position: 1 },
            { item: "a3", position: 2 },
          ],
        );
        clock.t += 60_000;
        const result = await store.intake(
          "shop",
          [
            { user: "u1", item: "a1", type: "click", impression: shownA[0]!.id, timestamp: T0 / 1000 + 60 },
            // No impression id: attributed to u2's latest impression of a3.
            { user: "u2", item: "a3", type: "click", timestamp: T0 / 1000 + 61 },
            { user: "u2", item: "a3", type: "purchase", timestamp: T0 / 1000 + 62 },
            // A second click on the same impression is one click.
            { user: "u2", item: "a3", type: "click", timestamp: T0 / 1000 + 63 },
          ],
          known,
        );
        assert.equal(result.clicks, 2);
        assert.equal(result.conversions, 1);
        assert.equal(result.accepted.length, 4);
        assert.deepEqual(result.newUsers, ["u1", "u2"]);
        const stats = await store.stats("shop", SPLIT);
        assert.deepEqual(
          stats.byVersion.map((v) => [
            v.model,
            v.version,
            v.variant,
            v.impressions,
            v.ctr.count,
            v.conversion.count,
          ]),
          [
            ["shop-als", "v1", "control", 2, 1, 0],
            ["shop-hybrid", "v3", "treatment", 2, 1, 1],
          ],
        );
        assert.deepEqual(
          stats.byPosition.map((p) => [p.variant, p.position, p.impressions, p.ctr.count]),
          [
            ["control", 1, 1, 1],
            ["control", 2, 1, 0],
            ["treatment", 1, 1, 0],
            ["treatment", 2, 1, 1],
          ],
        );
        const d = stats.difference!;
        assert.equal(d.ctr.estimate, 0);
        assert.ok(d.ctr.low < 0 && d.ctr.high > 0 && !d.ctr.significant);
        assert.equal(d.conversion.estimate, 0.5);
        assert.equal(shownB.length, 2);
      } finally {
        await close();
      }
    });

    it("counts duplicates, unknown items and late events, keeping every event once", async () => {
      const { store, close } = await fresh();
      try {
        const t = T0 / 1000;
        const first = await store.intake(
          "shop",
          [
            { id: "e1", user: "u1", item: "a1", type: "view", timestamp: t + 100 },
            { id: "e1", user: "u1", item: "a1", type: "view", timestamp: t + 100 },
            { user: "u1", item: "zz9", type: "view", timestamp: t + 101 },
            { user: "u1", item: "a2", type: "like", timestamp: t + 50 },
            { user: "u1", item: "a2", type: "like", timestamp: t + 50 },
          ],
          known,
        );
        assert.equal(first.duplicates, 2);
        assert.deepEqual(first.unknownItems, [{ index: 2, item: "zz9" }]);
        assert.equal(first.outOfOrder, 1);
        assert.deepEqual(
          first.accepted.map((e) => e.item),
          ["a1", "a2"],
        );
        // Sent again (a client retrying): nothing new.
        const again = await store.intake(
          "shop",
          [{ id: "e1", user: "u1", item: "a1", type: "view", timestamp: t + 100 }],
          known,
        );
        assert.equal(again.accepted.length, 0);
        assert.equal(again.duplicates, 1);
        const stats = await store.stats("shop", { control: "shop", treatment: null, share: 0 });
        assert.equal(stats.difference, null);
        assert.deepEqual(
          { ...stats.events, unknownItems: stats.events.unknownItems },
          {
            applied: 2,
            duplicates: 3,
            unknownItem: 1,
            outOfOrder: 1,
            users: 1,
            unknownItems: [{ item: "zz9", events: 1 }],
          },
        );
        assert.deepEqual(
          (await store.userEvents("shop", "u1")).map((e) => [e.item, e.type]),
          [
            ["a2", "like"],
            ["a1", "view"],
          ],
        );
      } finally {
        await close();
      }
    });

    it("refuses a whole batch with a bad timestamp or a foreign impression, and one whose apply fails", async () => {
      const { store, close } = await fresh();
      try {
        await assert.rejects(
          store.intake("shop", [{ user: "u1", item: "a1", type: "view", timestamp: "yesterday" }], known),
          (e) => isTextkitError(e) && e.code === "DATA_BAD_TIMESTAMP",
        );
        await assert.rejects(
          store.intake("shop", [{ user: "u1", item: "a1", type: "click", impression: "nope" }], known),
          (e) => isTextkitError(e) && e.code === "DATA_UNKNOWN_IMPRESSION",
        );
        await assert.rejects(
          store.intake("shop", [{ id: "x", user: "u1", item: "a1", type: "view" }], known, () => {
            throw new Error("model refused");
          }),
          /model refused/,
        );
        const stats = await store.stats("shop", SPLIT);
        assert.equal(stats.events.applied, 0);
        const retry = await store.intake("shop", [{ id: "x", user: "u1", item: "a1", type: "view" }], known);
        assert.equal(retry.accepted.length, 1);
      } finally {
        await close();
      }
    });
  });
}
