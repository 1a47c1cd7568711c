/**
 * The dashboard's Recommend page end to end: a real server on loopback with two
 * recommenders under an A/B split, the real bundle, and real Chromium. A user's history
 * sits beside their recommendations with reasons; a Like from the page changes the next
 * list at once; a new visitor's typed interests give recommendations on that subject;
 * similar items and the online figures show. TEXTKIT_SCREENSHOTS=<dir> keeps the picture
 * (docs/dashboard-recommend.png was taken so).
 */
import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Page } from "playwright-core";
import { demoInteractions, generateDemoData } from "../src/apps/recommend/index.ts";
import { trainRecommender } from "../src/models/recommender/index.ts";
import { type RunningServer, startServer } from "../src/server/index.ts";
import { call, tempDir } from "./server-helpers.ts";
import { chromiumSkipReason, eventually, type LaunchedChromium, launchChromium } from "./support/chromium.ts";

const root = tempDir("dashboard-recommend");
const skip = chromiumSkipReason();
const demo = generateDemoData({ items: 400, users: 80, seed: 11 });
let chromium: LaunchedChromium | null = null;
let server: RunningServer | null = null;

/** Polls `check` from Node (the page's CSP forbids evaluating strings for polling). */
function attributes(page: Page, selector: string, name: string): Promise<string[]> {
  return page
    .locator(selector)
    .evaluateAll((elements, attribute) => elements.map((e) => e.getAttribute(attribute) ?? ""), name);
}

before(async () => {
  if (skip !== undefined) return;
  const modelsDir = join(root.path, "models");
  mkdirSync(modelsDir, { recursive: true });
  const train = demoInteractions(demo);
  await (await trainRecommender({ train }, { model: "knn" })).save(join(modelsDir, "shop"));
  await (await trainRecommender({ train }, { model: "als", factors: 16, iterations: 6, reg: 1 })).save(
    join(modelsDir, "shop-als"),
  );
  server = await startServer({
    modelsDir,
    dataDir: join(root.path, "data"),
    port: 0,
    auth: "off",
    logger: false,
    watchIntervalMs: 0,
  });
  await server.whenReady();
  const split = await call(`${server.url}/v1/recommend/shop/split`, {
    method: "PUT",
    body: { control: "shop", treatment: "shop-als", share: 0.5 },
  });
  assert.equal(split.status, 200, split.text);
  chromium = await launchChromium();
});

after(async () => {
  await chromium?.close();
  await server?.close();
  root.remove();
});

describe("dashboard: Recommend page", { skip, timeout: 180_000 }, () => {
  it("shows history beside reasoned recommendations, takes a Like at once, serves a new visitor, and the figures", async () => {
    assert.ok(chromium !== null && server !== null);
    const context = await chromium.browser.newContext({ viewport: { width: 1280, height: 1000 } });
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    const taste = demo.tastes[0]!;
    await page.goto(`${server.url}/dashboard/#/recommend?app=shop&user=${taste.user}`);
    await page.locator('[data-testid="rec"]').first().waitFor();
    assert.ok((await page.locator('[data-testid="history-table"] tbody tr').count()) > 3);
    const categories = await attributes(
      page,
      '[data-testid="recommendations"] [data-testid="rec"]',
      "data-category",
    );
    assert.equal(categories.length, 10);
    assert.ok(
      categories.filter((c) => c === taste.primary).length >= 6,
      `${taste.primary}: ${categories.join(" ")}`,
    );
    const reasons = await page
      .locator('[data-testid="recommendations"] [data-testid="reason"]')
      .allTextContents();
    assert.ok(reasons.every((r) => r.length > 0));
    assert.match(
      (await page.getByTestId("served-by").first().textContent()) ?? "",
      /Ranked by shop(-als)? \((knn|als)/,
    );

    // A new user starts with popular items; a Like of the first one changes the next list at once.
    await page.getByTestId("user-input").fill("page-user");
    await page.getByTestId("show-user").click();
    await page.locator('[data-testid="history"] p').waitFor();
    await eventually(
      "page-user's list",
      async () => (await page.locator('[data-testid="recommendations"] [data-testid="rec"]').count()) === 10,
    );
    const before = await attributes(page, '[data-testid="recommendations"] [data-testid="rec"]', "data-item");
    await page.locator('[data-testid="recommendations"] [data-testid="like"]').first().click();
    await page.locator('[data-testid="history-table"]').waitFor();
    const after = await attributes(page, '[data-testid="recommendations"] [data-testid="rec"]', "data-item");
    assert.ok(!after.includes(before[0]!), "the liked item is seen now, so it leaves the list");
    assert.notDeepEqual(after, before.slice(1, 11));
    assert.match((await page.getByTestId("history-table").textContent()) ?? "", new RegExp(before[0]!));

    // A new visitor types interests and gets that subject.
    await page.getByTestId("interests-input").fill("telescope comets 星系");
    await page.getByTestId("cold-start").click();
    await page.locator('[data-testid="visitor"] [data-testid="rec"]').first().waitFor();
    const visitor = await attributes(page, '[data-testid="visitor"] [data-testid="rec"]', "data-category");
    assert.ok(visitor.filter((c) => c === "astronomy").length >= 7, visitor.join(" "));

    // Similar items of a recommendation.
    await page.locator('[data-testid="recommendations"] [data-testid="similar-button"]').first().click();
    await page.locator('[data-testid="similar-table"] tbody tr').first().waitFor();

    // The figures: the A/B split, impressions per variant, and the page's like counted as a conversion.
    await eventually(
      "the figures",
      async () => (await page.locator('[data-testid="variant-table"] tbody tr').count()) > 0,
    );
    assert.match((await page.getByTestId("split").textContent()) ?? "", /50\.0% of users on shop-als/);
    const stats = (await call(`${server.url}/v1/recommend/shop/stats`)).body as {
      byVariant: { conversion: { count: number } }[];
    };
    assert.equal(
      stats.byVariant.reduce((s, v) => s + v.conversion.count, 0),
      1,
    );
    assert.deepEqual(errors, []);
    const png = join(root.path, "dashboard-recommend.png");
    await page.screenshot({ path: png, fullPage: true });
    assert.ok(statSync(png).size > 10_000, "a real picture");
    assert.deepEqual([...readFileSync(png).subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47], "a PNG");
    const keep = process.env["TEXTKIT_SCREENSHOTS"];
    if (keep !== undefined && keep !== "") copyFileSync(png, join(keep, "dashboard-recommend.png"));
    await context.close();
  });
});
