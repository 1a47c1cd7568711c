/**
 * The Runs and Models pages in real Chromium against a server whose database is a real
 * PostgreSQL server (the SQLite case is dashboard-runs and dashboard-models): two versions of
 * a classifier trained with their runs recorded there; the Runs page lists both and diffs
 * their parameters, and the Models page links each version to the run that made it.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { RunningServer } from "../src/server/index.ts";
import { tempDir } from "./server-helpers.ts";
import { chromiumSkipReason, eventually, type LaunchedChromium, launchChromium } from "./support/chromium.ts";
import { runCli } from "./support/cli-run.ts";
import { storeTargets } from "./support/postgres.ts";
import { startTestServer } from "./support/test-server.ts";

const postgres = storeTargets().find((t) => t.dialect === "postgres");
const skip = chromiumSkipReason() ?? postgres?.skip ?? "no PostgreSQL target";
const root = tempDir("dashboard-runs-pg");
const INTENTS = "samples/intents";

describe("dashboard: Runs and Models pages on PostgreSQL", { skip, timeout: 240_000 }, () => {
  let chromium: LaunchedChromium | null = null;
  let server: RunningServer | null = null;
  const models = join(root.path, "models");

  before(async () => {
    assert.ok(postgres !== undefined);
    await postgres.setup();
    const location = await postgres.freshLocation();
    chromium = await launchChromium();
    const intents = ["classify", "train", "--train", `${INTENTS}/train.csv`, "--dev", `${INTENTS}/dev.csv`];
    for (const [version, epochs] of [
      ["1", "3"],
      ["2", "6"],
    ] as const) {
      const out = join(models, "intents", version);
      const r = await runCli([
        ...intents,
        "--epochs",
        epochs,
        "--dim",
        "16",
        "--out",
        out,
        "-q",
        "--runs-db",
        location,
      ]);
      assert.equal(r.code, 0, r.stderr);
    }
    server = await startTestServer({
      modelsDir: models,
      dataDir: join(root.path, "data"),
      database: location,
    });
  });
  after(async () => {
    await server?.close();
    await chromium?.close();
    await postgres?.teardown();
    root.remove();
  });

  it("lists both runs, diffs their parameters, and links each model version to its run", async () => {
    assert.ok(chromium !== null && server !== null);
    const context = await chromium.browser.newContext({ viewport: { width: 1280, height: 1200 } });
    const errors: string[] = [];
    try {
      const page = await context.newPage();
      page.setDefaultTimeout(20_000);
      page.on("pageerror", (error) => errors.push(error.message));
      await page.goto(`${server.url}/dashboard/#/runs`);
      await eventually(
        "both runs in the table",
        async () => (await page.locator('[data-testid="run"]').count()) === 2,
      );
      const rows = page.locator('[data-testid="run"]');
      for (let i = 0; i < 2; i++) await rows.nth(i).locator('input[type="checkbox"]').check();
      await page.locator('[data-testid="param-diff"]').waitFor();
      const diff = await page.locator('[data-testid="param-diff"] tbody th').allTextContents();
      assert.ok(diff.includes("epochs"), diff.join(", "));
      assert.ok(!diff.includes("dim"), "only the differences by default");

      await page.goto(`${server.url}/dashboard/#/models`);
      await page.locator('[data-testid="model"][data-name="intents"]').click();
      await eventually(
        "both versions' runs",
        async () => (await page.locator('[data-testid="version-run-id"]').count()) === 2,
      );
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
});
