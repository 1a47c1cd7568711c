/**
 * The radar's store against both adapters, SQLite and a real PostgreSQL server: a build
 * saved and read back whole, the snapshot in force at a date, and an override that moves a
 * blip at once and survives the next build.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { storeTargets } from "../../../test/support/postgres.ts";
import { isTextkitError } from "../../core/index.ts";
import { openDatabase } from "../../store/index.ts";
import { buildRadar, type RadarBuild } from "./build.ts";
import { DEMO_DICTIONARY_YAML, DEMO_START, demoCorpus } from "./demo-corpus.ts";
import { parseDictionary } from "./dictionary.ts";
import { RadarStore } from "./store.ts";

const dictionary = parseDictionary("demo.yaml", DEMO_DICTIONARY_YAML);
const WEEK = 7 * 86_400_000;

for (const target of storeTargets()) {
  describe(`RadarStore (${target.dialect})`, { skip: target.skip }, () => {
    let radar: RadarBuild;
    before(async () => {
      await target.setup();
      radar = await buildRadar(demoCorpus({ weeks: 30, scale: 1 }), dictionary, { now: 1 });
    });
    after(() => target.teardown());

    it("keeps a build, finds the snapshot of a date, and applies an override at once and after a rebuild", async () => {
      const db = await openDatabase(await target.freshLocation());
      try {
        const store = await RadarStore.open(db);
        await assert.rejects(
          store.summary(),
          (e: unknown) => isTextkitError(e) && e.code === "RADAR_NOT_BUILT",
        );
        await store.save(radar);
        assert.deepEqual(await store.load(), radar);
        const mid = radar.snapshots[10]!;
        assert.deepEqual(await store.snapshotAt(mid.period + 3 * 86_400_000), mid);
        assert.deepEqual(await store.snapshotAt(), radar.snapshots.at(-1));
        await assert.rejects(
          store.snapshotAt(DEMO_START),
          (e: unknown) => isTextkitError(e) && e.code === "RADAR_NOT_BUILT",
        );

        const t = radar.snapshots.at(-1)!.blips.findIndex((b) => b.technology === "Ledgerline");
        const at = radar.snapshots.at(-4)!.period;
        await store.addOverride(
          { technology: "Ledgerline", ring: "hold", by: "ana", why: "vendor ended support", at },
          5,
        );
        const moved = await store.load();
        assert.equal(moved.snapshots.at(-1)!.blips[t]!.ring, "hold");
        assert.equal(moved.snapshots.at(-1)!.blips[t]!.override?.why, "vendor ended support");
        assert.equal(moved.snapshots.at(-6)!.blips[t]!.ring, radar.snapshots.at(-6)!.blips[t]!.ring);
        const overrides = await store.overrides();
        assert.deepEqual(
          overrides.map((o) => [o.technology, o.ring, o.by, o.at, o.createdAt]),
          [["Ledgerline", "hold", "ana", at, 5]],
        );
        const rebuilt = await buildRadar(demoCorpus({ weeks: 30, scale: 1 }), dictionary, {
          now: 2,
          overrides,
        });
        await store.save(rebuilt);
        assert.equal((await store.snapshotAt()).blips[t]!.ring, "hold");

        await assert.rejects(
          store.addOverride({ technology: "COBOL", ring: "hold", by: "x", why: "y", at }, 6),
          (e: unknown) => isTextkitError(e) && e.code === "RADAR_UNKNOWN_TECHNOLOGY",
        );
        await assert.rejects(
          store.addOverride({ technology: "Ledgerline", ring: "maybe", by: "x", why: "y", at: at + WEEK }, 6),
          (e: unknown) => isTextkitError(e) && e.code === "INPUT_INVALID",
        );
      } finally {
        await db.close();
      }
    });
  });
}
