/**
 * The recommender event store against both adapters: SQLite and a real PostgreSQL server.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { storeTargets } from "../../test/support/postgres.ts";
import { openDatabase } from "./database.ts";
import { RecommenderEventStore } from "./recommender-events.ts";

for (const target of storeTargets()) {
  describe(`RecommenderEventStore (${target.dialect})`, { skip: target.skip }, () => {
    before(() => target.setup());
    after(() => target.teardown());

    it("keeps events per model and user, oldest first, and finds those since a time", async () => {
      const db = await openDatabase(await target.freshLocation());
      try {
        let clock = 1_000;
        const events = await RecommenderEventStore.open(db, { now: () => clock });
        await events.record("movies", [
          { user: "u1", item: "m1", type: "view" },
          { user: "u2", item: "m2", type: "rating", value: 4.5, timestamp: 1_700_000_000 },
        ]);
        clock = 2_000;
        await events.record("movies", [
          { user: "u1", item: "m3", type: "like", timestamp: "2026-11-25T10:00:00Z" },
        ]);
        await events.record("books", [{ user: "u1", item: "b1", type: "like" }]);
        const all = await events.since("movies", "u1", 0);
        assert.deepEqual(
          all.map((e) => [e.item, e.type, e.timestamp, e.receivedAt]),
          [
            ["m1", "view", null, 1_000],
            ["m3", "like", "2026-11-25T10:00:00Z", 2_000],
          ],
        );
        assert.deepEqual(
          (await events.since("movies", "u1", 1_500)).map((e) => e.item),
          ["m3"],
        );
        const [rated] = await events.since("movies", "u2", 0);
        assert.equal(rated?.value, 4.5);
        assert.equal(rated?.timestamp, "1700000000");
        // Opening again (another process, a restart) finds the same events.
        const again = await RecommenderEventStore.open(db);
        assert.equal((await again.since("movies", "u1", 0)).length, 2);
      } finally {
        await db.close();
      }
    });

    it("keeps nothing of a batch the model refuses", async () => {
      const db = await openDatabase(await target.freshLocation());
      try {
        const events = await RecommenderEventStore.open(db);
        await assert.rejects(
          events.record("movies", [{ user: "u9", item: "m1", type: "view" }], () => {
            throw new Error("unknown item m1");
          }),
          /unknown item/,
        );
        assert.deepEqual(await events.since("movies", "u9", 0), []);
      } finally {
        await db.close();
      }
    });
  });
}
