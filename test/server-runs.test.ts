/**
 * The runs routes on a real server over loopback, with the runs in SQLite and in a real
 * PostgreSQL server: pages filtered and sorted on the server, one run with its curves, a
 * comparison, coded errors for unknown fields and runs of different families.
 */
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type RunningServer, startServer } from "../src/server/index.ts";
import { openDatabase, RunStore } from "../src/store/index.ts";
import { call, errorOf, tempDir } from "./server-helpers.ts";
import { storeTargets } from "./support/postgres.ts";

for (const target of storeTargets()) {
  describe(`runs routes (${target.dialect})`, { skip: target.skip }, () => {
    const dir = tempDir("runs-routes");
    let server: RunningServer;
    before(async () => {
      await target.setup();
      const location = await target.freshLocation();
      const db = await openDatabase(location);
      const runs = await RunStore.open(db, { heartbeatMs: 0 });
      for (let i = 0; i < 12; i++) {
        const run = await runs.start({
          id: `r${String(i).padStart(2, "0")}`,
          family: i < 10 ? "classifier" : "tagger",
          command: "test",
          params: { lr: i / 10, dim: 50 },
          data: [{ role: "train", file: `data/${i % 2 === 0 ? "even" : "odd"}.csv` }],
        });
        for (let e = 1; e <= 3; e++)
          await run.logMetrics(e, { "dev.accuracy": i / 20 + e / 100, "train.loss": 1 / e });
        await run.finish({
          final: {
            dev: {
              report: {
                labels: [
                  { label: "a", f1: i / 20 },
                  { label: "b", f1: 0.5 },
                ],
              },
            },
          },
        });
      }
      await db.close();
      mkdirSync(join(dir.path, "models"));
      server = await startServer({
        modelsDir: join(dir.path, "models"),
        database: location,
        port: 0,
        auth: "off",
        watchIntervalMs: 0,
        logger: false,
      });
    });
    after(async () => {
      await server?.close();
      dir.remove();
      await target.teardown();
    });

    it("pages, filters and sorts on the server", async () => {
      const page = await call(
        `${server.url}/v1/runs?family=classifier&sort=metrics.dev.accuracy&limit=3&offset=1&where=${encodeURIComponent("params.lr>=0.2")}`,
      );
      assert.equal(page.status, 200, JSON.stringify(page.body));
      const body = page.body as {
        runs: { id: string; summary: Record<string, { best: number }> }[];
        total: number;
      };
      assert.equal(body.total, 8);
      assert.deepEqual(
        body.runs.map((r) => r.id),
        ["r08", "r07", "r06"],
      );
      const odd = (await call(`${server.url}/v1/runs?data=odd&limit=100`)).body as { total: number };
      assert.equal(odd.total, 6);
    });

    it("returns one run with its curves, and compares runs", async () => {
      const one = await call(`${server.url}/v1/runs/r03`);
      assert.equal(one.status, 200);
      const detail = one.body as {
        run: { id: string; status: string };
        metrics: { name: string; step: number }[];
      };
      assert.equal(detail.run.status, "finished");
      assert.equal(detail.metrics.filter((m) => m.name === "dev.accuracy").length, 3);
      const compared = await call(`${server.url}/v1/runs/compare?ids=r01,r05`);
      assert.equal(compared.status, 200);
      const c = compared.body as {
        params: { name: string }[];
        perClass: { label: string; delta: number[] }[];
      };
      assert.deepEqual(
        c.params.map((p) => p.name),
        ["lr"],
      );
      assert.ok(Math.abs(c.perClass.find((p) => p.label === "a")!.delta[1]! - 0.2) < 1e-9);
    });

    it("answers coded 4xx errors: unknown field, unknown run, different families", async () => {
      const unknown = await call(`${server.url}/v1/runs?sort=metrics.nope`);
      assert.equal(unknown.status, 400);
      assert.equal(errorOf(unknown).code, "RUN_FIELD_UNKNOWN");
      const missing = await call(`${server.url}/v1/runs/zzz`);
      assert.equal(missing.status, 404);
      assert.equal(errorOf(missing).code, "RUN_NOT_FOUND");
      const across = await call(`${server.url}/v1/runs/compare?ids=r01,r11`);
      assert.equal(across.status, 409);
      assert.equal(errorOf(across).code, "RUN_COMPARE_FAMILIES");
    });
  });
}
