/**
 * The dashboard's Runs page in real Chromium: the demo's trainings (and one more, recorded
 * into the same database) appear in the table of the server the demo would start; selecting
 * two runs draws their curves, smoothed within the data's range, the parameter diff and the
 * F1 of each class side by side. TEXTKIT_UPDATE_SCREENSHOTS=1 writes docs/dashboard-runs.png.
 */
import assert from "node:assert/strict";
import { copyFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { RunningServer } from "../src/server/index.ts";
import { smooth } from "../web/src/smooth.ts";
import { tempDir } from "./server-helpers.ts";
import { chromiumSkipReason, eventually, type LaunchedChromium, launchChromium } from "./support/chromium.ts";
import { runCli } from "./support/cli-run.ts";
import { startTestServer } from "./support/test-server.ts";

const skip = chromiumSkipReason();
const root = tempDir("dashboard-runs");

describe("smooth", () => {
  it("removes the start-up bias and never leaves the range of the values so far", () => {
    const values = [1, 0, 1, 0, 5, -2, 3];
    for (const weight of [0, 0.5, 0.9, 0.95]) {
      const out = smooth(values, weight);
      assert.equal(out[0], 1, "the first value as it is");
      out.forEach((v, i) => {
        const seen = values.slice(0, i + 1);
        assert.ok(
          v >= Math.min(...seen) - 1e-12 && v <= Math.max(...seen) + 1e-12,
          `${weight}: ${v} at ${i}`,
        );
      });
    }
    assert.deepEqual(smooth(values, 0), values);
  });
});

describe("dashboard: Runs page", { skip, timeout: 240_000 }, () => {
  let chromium: LaunchedChromium;
  let server: RunningServer;
  const out = join(root.path, "demo");

  before(async () => {
    chromium = await launchChromium();
    const demo = await runCli(["demo", "--only", "intents", "--out", out, "--quiet"]);
    assert.equal(demo.code, 0, demo.stderr);
    const again = await runCli([
      "classify",
      "train",
      "--train",
      "samples/intents/train.csv",
      "--dev",
      "samples/intents/dev.csv",
      "--epochs",
      "6",
      "--dim",
      "20",
      "--out",
      join(root.path, "small"),
      "-q",
      "--runs-db",
      join(out, "data", "textkit.db"),
    ]);
    assert.equal(again.code, 0, again.stderr);
    // As 'textkit demo --serve' serves it: the models, and the database beside them.
    server = await startTestServer({
      modelsDir: join(out, "models"),
      dataDir: join(out, "data"),
    });
  });
  after(async () => {
    await server?.close();
    await chromium?.close();
    root.remove();
  });

  it("lists the demo's runs, overlays two runs' curves, diffs their parameters and per-class F1", async () => {
    const context = await chromium.browser.newContext({ viewport: { width: 1280, height: 1400 } });
    const errors: string[] = [];
    try {
      const page = await context.newPage();
      page.setDefaultTimeout(20_000);
      page.on("pageerror", (error) => errors.push(error.message));
      await page.goto(`${server.url}/dashboard/#/runs`);
      await page.locator('[data-testid="run"]').first().waitFor();
      const families = await page.locator('[data-testid="run"] td:nth-child(3)').allTextContents();
      assert.ok(families.includes("demo"), families.join(", "));
      assert.ok(families.includes("└ classifier"), "the demo's model as its child run");
      assert.ok(families.includes("classifier"), "the run recorded beside it");
      const header = await page.locator('[data-testid="runs"] thead').textContent();
      assert.match(header ?? "", /dev\.accuracy best \(last\)/);

      // Filter on the server: only classifier runs with more than 10 epochs (the demo's).
      await page.getByTestId("runs-where").fill("params.epochs>10");
      await page.getByTestId("runs-where").press("Enter");
      await page.getByTestId("runs-where").dispatchEvent("change");
      await eventually(
        "the filtered table",
        async () => (await page.locator('[data-testid="run"]').count()) === 1,
      );
      await page.getByTestId("runs-where").fill("");
      await page.getByTestId("runs-where").dispatchEvent("change");
      await eventually(
        "the whole table",
        async () => (await page.locator('[data-testid="run"]').count()) === 3,
      );

      // Sort by a metric's best value, from the column's header.
      await page.locator('button[data-sort="metrics.dev.accuracy"]').click();
      await eventually(
        "the sorted table",
        async () => (await page.locator('button[data-sort="metrics.dev.accuracy"].active').count()) === 1,
      );

      const rows = page.locator('[data-testid="run"]');
      for (let i = 0; i < 3; i++) {
        const text = (await rows.nth(i).locator("td:nth-child(3)").textContent()) ?? "";
        if (text.includes("classifier")) await rows.nth(i).locator('input[type="checkbox"]').check();
      }
      await page.locator('[data-testid="param-diff"]').waitFor();
      const diff = await page.locator('[data-testid="param-diff"] tbody th').allTextContents();
      assert.ok(diff.includes("epochs") && diff.includes("dim"), diff.join(", "));
      const f1 = await page.locator('[data-testid="class-f1"] tbody tr').count();
      assert.equal(f1, 40, "every intent of the dev report, and of the test report the demo has");
      // The dev confusion matrices side by side and their difference, cut to the labels most
      // confused (20 intents > 15); every cell of the difference is B's share minus A's.
      const dev = page.locator('[data-testid="confusion"][data-report="dev"]');
      await dev.waitFor();
      assert.equal(await dev.locator('[data-testid="confusion-run"]').count(), 2);
      assert.equal(await dev.locator('[data-testid="confusion-diff"]').count(), 1);
      assert.equal(
        await dev.locator('[data-testid="confusion-run"]').first().locator("tbody tr").count(),
        15,
      );
      assert.match((await dev.textContent()) ?? "", /15 labels most involved in confusions, of 20/);
      const deltas = await dev
        .locator('[data-testid="confusion-diff"] td')
        .evaluateAll((cells) => cells.map((c) => Number(c.getAttribute("data-delta"))));
      assert.equal(deltas.length, 15 * 15);
      assert.ok(deltas.every((d) => Number.isFinite(d) && d >= -1 && d <= 1));

      await page.getByTestId("runs-smoothing").fill("0.9");
      await eventually("the smoothed curves", async () =>
        page.evaluate<boolean>("(window.__textkitRunCharts ?? []).length >= 2"),
      );
      const within = await page.evaluate<boolean>(`(() => {
        return window.__textkitRunCharts.every((chart) => chart.data.datasets.every((d) => d.data.length > 1));
      })()`);
      assert.ok(within);
      if (process.env["TEXTKIT_UPDATE_SCREENSHOTS"] === "1") {
        const shot = join(root.path, "runs.png");
        await page.screenshot({ path: shot, fullPage: true });
        copyFileSync(shot, "docs/dashboard-runs.png");
        assert.ok(readFileSync(shot).length > 10_000);
      }
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
});
