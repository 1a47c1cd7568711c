/**
 * Experiment tracking from the command line on a real PostgreSQL server as well as a SQLite
 * file: two trainings record their runs through `--runs-db <location>`, and `textkit runs
 * list`, `show` and `compare` read them back from that database (the server's /v1/runs routes,
 * which the Runs and Models pages read, have their own two-database suite in server-runs).
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { runCli } from "./support/cli-run.ts";
import { storeTargets } from "./support/postgres.ts";

interface ListedRun {
  id: string;
  family: string;
  status: string;
  params: Record<string, unknown>;
}

for (const target of storeTargets()) {
  describe(`textkit runs (${target.dialect})`, { skip: target.skip, timeout: 120_000 }, () => {
    const root = mkdtempSync(join(tmpdir(), "textkit-runs-db-"));
    let database: string;

    before(async () => {
      await target.setup();
      database = await target.freshLocation();
    });

    after(async () => {
      await target.teardown();
      rmSync(root, { recursive: true, force: true });
    });

    /** `textkit ARGS --runs-db <this database>`, which must succeed. */
    async function ok(args: string[]): Promise<string> {
      const r = await runCli([...args, "--runs-db", database]);
      assert.equal(r.code, 0, r.stderr);
      return r.stdout;
    }

    it("records two trainings there and lists, shows and compares them", async () => {
      for (const [name, epochs] of [
        ["a", "3"],
        ["b", "5"],
      ] as const) {
        await ok([
          "classify",
          "train",
          "--train",
          "samples/intents/train.csv",
          "--dev",
          "samples/intents/dev.csv",
          "--epochs",
          epochs,
          "--out",
          join(root, name),
          "-q",
        ]);
      }
      const listed = JSON.parse(await ok(["runs", "list", "--family", "classifier", "--json"])) as {
        runs: ListedRun[];
      };
      assert.equal(listed.runs.length, 2);
      assert.deepEqual(listed.runs.map((r) => r.status).sort(), ["finished", "finished"]);
      assert.deepEqual(listed.runs.map((r) => r.params["epochs"]).sort(), [3, 5]);
      const [first, second] = listed.runs;
      assert.ok(first !== undefined && second !== undefined);

      const shown = await ok(["runs", "show", first.id]);
      assert.match(shown, /dev\.accuracy/);

      const compare = JSON.parse(await ok(["runs", "compare", first.id, second.id, "--json"])) as {
        params: { name: string; differs: boolean }[];
      };
      // Only the differing parameters by default: the epochs, and nothing the two runs share.
      assert.ok(compare.params.some((p) => p.name === "epochs" && p.differs));
      assert.ok(compare.params.every((p) => p.differs));
    });
  });
}
