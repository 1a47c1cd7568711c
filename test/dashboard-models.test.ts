/**
 * The dashboard's Models page in real Chromium, against a real server on loopback whose
 * models were trained in setup with their runs recorded: a classifier with two versions and
 * a tagger. The versions show readable dates and the run that made each; a rollback, once
 * confirmed, changes the active version and the next prediction is answered by it; the "try
 * it" box draws top-k bars for the classifier and marks the tagger's entities in the text.
 * TEXTKIT_UPDATE_SCREENSHOTS=1 writes docs/dashboard-models.png.
 */
import assert from "node:assert/strict";
import { copyFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { RunningServer } from "../src/server/index.ts";
import { tempDir } from "./server-helpers.ts";
import { chromiumSkipReason, eventually, type LaunchedChromium, launchChromium } from "./support/chromium.ts";
import { runCli } from "./support/cli-run.ts";
import { startTestServer } from "./support/test-server.ts";

const skip = chromiumSkipReason();
const root = tempDir("dashboard-models");
const INTENTS = "samples/intents";
const NER = "samples/ner-en";

async function train(args: string[]): Promise<void> {
  const r = await runCli([...args, "-q", "--runs-db", join(root.path, "data", "textkit.db")]);
  assert.equal(r.code, 0, r.stderr);
}

async function predictVersion(server: RunningServer, text: string): Promise<string> {
  const res = await fetch(`${server.url}/v1/models/intents/predict`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ text }),
  });
  assert.equal(res.status, 200);
  return ((await res.json()) as { version: string }).version;
}

describe("dashboard: Models page", { skip, timeout: 240_000 }, () => {
  let chromium: LaunchedChromium;
  let server: RunningServer;
  const models = join(root.path, "models");

  before(async () => {
    chromium = await launchChromium();
    const intents = ["classify", "train", "--train", `${INTENTS}/train.csv`, "--dev", `${INTENTS}/dev.csv`];
    await train([...intents, "--epochs", "4", "--dim", "16", "--out", join(models, "intents", "1")]);
    await train([...intents, "--epochs", "8", "--dim", "24", "--out", join(models, "intents", "2")]);
    await train([
      "tag",
      "train",
      "--train",
      `${NER}/train.conll`,
      "--dev",
      `${NER}/dev.conll`,
      "--epochs",
      "8",
      "--out",
      join(models, "ner", "1"),
    ]);
    server = await startTestServer({
      modelsDir: models,
      dataDir: join(root.path, "data"),
    });
  });
  after(async () => {
    await server?.close();
    await chromium?.close();
    root.remove();
  });

  it("lists versions with their runs, rolls back after a confirmation, and tries the models", async () => {
    const context = await chromium.browser.newContext({ viewport: { width: 1280, height: 1500 } });
    const errors: string[] = [];
    try {
      const page = await context.newPage();
      page.setDefaultTimeout(20_000);
      page.on("pageerror", (error) => errors.push(error.message));
      await page.goto(`${server.url}/dashboard/#/models`);
      await page.locator('[data-testid="model"][data-name="intents"]').click();
      await page.locator('[data-testid="version"]').nth(1).waitFor();

      // Newest first, with readable dates (not ISO) and the run that made each version.
      const versions = page.locator('[data-testid="version"]');
      assert.deepEqual(
        await versions.evaluateAll((rows) => rows.map((r) => r.getAttribute("data-version"))),
        ["2", "1"],
      );
      const created = await page.locator('[data-testid="version-created"]').allTextContents();
      for (const text of created) {
        assert.doesNotMatch(text, /\d{4}-\d{2}-\d{2}T/, `a raw ISO time: ${text}`);
        assert.match(text, /\d/, text);
      }
      await eventually(
        "both versions' runs",
        async () => (await page.locator('[data-testid="version-run-id"]').count()) === 2,
      );
      assert.equal(await versions.first().getAttribute("data-state"), "active");

      // The active version's report (one row per intent) and its curves.
      await page.locator('[data-testid="model-report"] tbody tr').first().waitFor();
      const classes = await page.locator('[data-testid="model-report"] tbody tr').count();
      assert.equal(classes, 20, "a row per intent of the dev report");
      assert.ok((await page.locator(".version-run figure.curve").count()) >= 2, "loss and dev curves");

      // Try it: top-k bars for the classifier, answered by version 2.
      await page.getByTestId("try-input").fill("I lost my card, please block it");
      await page.getByTestId("try-send").click();
      await page.locator('[data-testid="try-bar"]').first().waitFor();
      assert.equal(await page.locator('[data-testid="try-bar"]').count(), 5);
      assert.match((await page.getByTestId("try-version").textContent()) ?? "", /version 2/);

      // Roll back to 1: cancelling changes nothing; confirming makes 1 active and pinned.
      await page.locator('[data-testid="version-activate"][data-version="1"]').click();
      assert.match(
        (await page.getByTestId("confirm-dialog").textContent()) ?? "",
        /Roll back intents to version 1/,
      );
      await page.getByTestId("confirm-no").click();
      assert.equal(await predictVersion(server, "where is my card"), "2");
      await page.locator('[data-testid="version-activate"][data-version="1"]').click();
      await page.getByTestId("confirm-yes").click();
      await eventually(
        "version 1 active",
        async () =>
          (await page.locator('[data-testid="version"][data-version="1"][data-state="active"]').count()) ===
          1,
      );
      assert.equal(await predictVersion(server, "where is my card"), "1");
      assert.equal(readFileSync(join(models, "intents", "ACTIVE"), "utf8").trim(), "1");
      await page.getByTestId("try-send").click();
      await eventually("an answer from version 1", async () =>
        /version 1/.test((await page.getByTestId("try-version").textContent()) ?? ""),
      );
      await page.locator('[data-testid="version-pinned"]').waitFor();
      if (process.env["TEXTKIT_UPDATE_SCREENSHOTS"] === "1") {
        const shot = join(root.path, "models.png");
        await page.screenshot({ path: shot, fullPage: true });
        copyFileSync(shot, "docs/dashboard-models.png");
        assert.ok(readFileSync(shot).length > 10_000);
      }

      // The run link opens the run on the Runs page.
      const href = (await page.getByTestId("version-run-link").getAttribute("href")) ?? "";
      assert.match(href, /^#\/runs\?run=/);

      // The tagger: entities marked inline.
      await page.locator('[data-testid="model"][data-name="ner"]').click();
      await page.getByTestId("try-input").fill("Angela Merkel visited Paris on Monday with Siemens.");
      await page.getByTestId("try-send").click();
      await page.locator('[data-testid="try-tagged"]').waitFor();
      const marked = await page
        .locator('[data-testid="try-entity"]')
        .evaluateAll((els) => els.map((e) => e.getAttribute("data-label")));
      assert.ok(marked.length >= 1, "at least one entity marked");
      // Without the labels after the marks, the text is the input: the offsets were right.
      const plain = await page.evaluate<string | null>(`(() => {
        const copy = document.querySelector('[data-testid="try-tagged"]').cloneNode(true);
        for (const label of copy.querySelectorAll(".entity-label")) label.remove();
        return copy.textContent;
      })()`);
      assert.equal(plain, "Angela Merkel visited Paris on Monday with Siemens.");

      await page.goto(`${server.url}/dashboard/${href}`);
      await page.locator('[data-testid="run"]').first().waitFor();
      assert.equal(await page.locator('[data-testid="run"]').count(), 1, "the table filtered to the run");
      await page.locator("[data-testid=run-curves] figure").first().waitFor();
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
});
