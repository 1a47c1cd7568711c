/**
 * The web dashboard end to end: real servers on loopback (startServer), real classifiers
 * trained here, the real bundle, and real Chromium driven with playwright-core.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { fastify } from "fastify";
import type { BrowserContext, Page } from "playwright-core";
import { loadKnowledge, trainAssistant } from "../src/apps/assist/index.ts";
import { Random } from "../src/core/random.ts";
import { datasetFromExamples } from "../src/data/index.ts";
import { trainClassifier } from "../src/models/classifier/index.ts";
import { installErrorHandlers } from "../src/server/error-handler.ts";
import { type RunningServer, startServer } from "../src/server/index.ts";
import { DASHBOARD_CSP, dashboardRoutes } from "../src/server/routes/dashboard.ts";
import { ApiKeyStore } from "../src/store/api-keys.ts";
import { openDatabase } from "../src/store/database.ts";
import { call, errorOf, tempDir, trainTopicModel } from "./server-helpers.ts";
import { writeAssistKnowledge } from "./support/assist-knowledge.ts";
import { chromiumSkipReason, eventually, type LaunchedChromium, launchChromium } from "./support/chromium.ts";
import { CLASSIFIER_TOPICS } from "./support/topic-corpus.ts";

const root = tempDir("dashboard");
const skip = chromiumSkipReason();
const MINUTE = 60_000;
let chromium: LaunchedChromium | null = null;
const servers: RunningServer[] = [];

/** What went wrong inside a page: uncaught errors and Content-Security-Policy violations. */
interface PageProblems {
  errors: string[];
}

const RECORD_CSP_VIOLATIONS = `
  window.__cspViolations = [];
  document.addEventListener("securitypolicyviolation", (e) => {
    window.__cspViolations.push(e.violatedDirective + " " + (e.blockedURI || "inline"));
  });`;

async function openPage(): Promise<{ context: BrowserContext; page: Page; problems: PageProblems }> {
  assert.ok(chromium !== null, "chromium is running");
  const context = await chromium.browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.addInitScript({ content: RECORD_CSP_VIOLATIONS });
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  const problems: PageProblems = { errors: [] };
  page.on("pageerror", (error) => problems.errors.push(error.message));
  return { context, page, problems };
}

/** No uncaught error and no CSP violation happened in the page. */
async function assertNoProblems(page: Page, problems: PageProblems): Promise<void> {
  const violations = await page.evaluate<string[]>("window.__cspViolations ?? []");
  assert.deepEqual(violations, [], "no Content-Security-Policy violations");
  assert.deepEqual(problems.errors, [], "no uncaught errors in the page");
}

/**
 * Polls `check` until it holds. From Node, not with page.waitForFunction: its polling
 * evaluates strings inside the page, which the dashboard's CSP (rightly) forbids.
 */
/** The text of the first element that matches, or null (without waiting for one). */
function textOf(page: Page, selector: string): Promise<string | null> {
  return page.evaluate<string | null>(
    `document.querySelector(${JSON.stringify(selector)})?.textContent ?? null`,
  );
}

/** A GET with the path sent exactly as written (fetch would resolve the dots first). */
function rawGet(url: string, path: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ hostname, port, path, method: "GET" }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        body += chunk;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

async function start(config: Parameters<typeof startServer>[0]): Promise<RunningServer> {
  const server = await startServer(config);
  servers.push(server);
  await server.whenReady();
  return server;
}

before(async () => {
  if (skip === undefined) chromium = await launchChromium();
});

after(async () => {
  await chromium?.close();
  await Promise.all(servers.map((s) => s.close()));
  root.remove();
});

describe("dashboard files", { skip, timeout: 120_000 }, () => {
  let server: RunningServer;
  const modelsDir = join(root.path, "files-models");

  before(async () => {
    mkdirSync(modelsDir, { recursive: true });
    server = await start({ modelsDir, port: 0, auth: "off", logger: false, watchIntervalMs: 0 });
  });

  it("serves the page with a strict CSP and no caching, and / leads to it", async () => {
    const res = await fetch(`${server.url}/dashboard/`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /^text\/html; charset=utf-8/);
    assert.equal(res.headers.get("cache-control"), "no-cache");
    const csp = res.headers.get("content-security-policy") ?? "";
    assert.equal(csp, DASHBOARD_CSP);
    assert.match(csp, /default-src 'self'/);
    assert.match(csp, /script-src 'self'/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    assert.equal(res.headers.get("x-content-type-options"), "nosniff");
    const html = await res.text();
    assert.match(html, /<script type="module" src="main.js"><\/script>/);
    assert.doesNotMatch(html, /<script>|<style|style=/, "no inline script or style");

    const home = await fetch(`${server.url}/`, { redirect: "manual" });
    assert.equal(home.status, 302);
    assert.equal(home.headers.get("location"), "/dashboard/");
    const bare = await fetch(`${server.url}/dashboard`, { redirect: "manual" });
    assert.equal(bare.headers.get("location"), "/dashboard/");
  });

  it("serves its assets with their content types, and a 304 for an unchanged one", async () => {
    const js = await fetch(`${server.url}/dashboard/main.js`);
    assert.equal(js.status, 200);
    assert.match(js.headers.get("content-type") ?? "", /^text\/javascript/);
    assert.ok((await js.text()).length > 10_000, "the bundle includes Chart.js");
    const css = await fetch(`${server.url}/dashboard/style.css`);
    assert.match(css.headers.get("content-type") ?? "", /^text\/css/);
    const etag = css.headers.get("etag");
    assert.ok(etag !== null, "an ETag");
    const again = await fetch(`${server.url}/dashboard/style.css`, { headers: { "if-none-match": etag } });
    assert.equal(again.status, 304);
    const map = await fetch(`${server.url}/dashboard/main.js.map`);
    assert.match(map.headers.get("content-type") ?? "", /^application\/json/);
  });

  it("answers 404 JSON for unknown files and never leaves its folder", async () => {
    const res = await call(`${server.url}/dashboard/nope.js`);
    assert.equal(res.status, 404);
    assert.equal(errorOf(res).code, "NOT_FOUND");
    assert.match(res.headers.get("content-type") ?? "", /application\/json/);
    for (const path of [
      "/dashboard/../package.json",
      "/dashboard/%2e%2e/package.json",
      "/dashboard/..%2fpackage.json",
      "/dashboard/%2e%2e%2f%2e%2e%2fpackage.json",
      "/dashboard/web/index.html",
      "/dashboard/src/main.ts",
    ]) {
      const raw = await rawGet(server.url, path);
      assert.equal(raw.status, 404, path);
      assert.doesNotMatch(raw.body, /devDependencies|"scripts"/, `${path} leaked a file`);
    }
  });

  it("builds the bundle in memory when dist/web is missing or stale, and says how to build it when it cannot", async () => {
    const empty = join(root.path, "no-dist");
    mkdirSync(empty, { recursive: true });
    const built = fastify({ logger: false });
    await built.register(dashboardRoutes, { distDir: empty });
    const js = await built.inject({ method: "GET", url: "/dashboard/main.js" });
    assert.equal(js.statusCode, 200, js.body);
    assert.ok(js.body.length > 10_000);
    await built.close();

    // A build older than the sources is stale: the sources are built instead...
    const dist = join(root.path, "old-dist");
    const sources = join(root.path, "sources");
    mkdirSync(dist, { recursive: true });
    mkdirSync(sources, { recursive: true });
    for (const name of ["index.html", "main.js", "style.css"]) writeFileSync(join(dist, name), `old ${name}`);
    writeFileSync(join(sources, "main.ts"), "// changed");
    const past = new Date(Date.now() - 3_600_000);
    for (const name of ["index.html", "main.js", "style.css"]) utimesSync(join(dist, name), past, past);
    const stale = fastify({ logger: false });
    await stale.register(dashboardRoutes, { distDir: dist, sourceDir: sources });
    assert.notEqual((await stale.inject({ method: "GET", url: "/dashboard/main.js" })).body, "old main.js");
    await stale.close();
    // ...and a build newer than its sources is served as it is.
    utimesSync(
      join(sources, "main.ts"),
      new Date(past.getTime() - 60_000),
      new Date(past.getTime() - 60_000),
    );
    utimesSync(sources, new Date(past.getTime() - 60_000), new Date(past.getTime() - 60_000));
    const fresh = fastify({ logger: false });
    await fresh.register(dashboardRoutes, { distDir: dist, sourceDir: sources });
    assert.equal((await fresh.inject({ method: "GET", url: "/dashboard/main.js" })).body, "old main.js");
    await fresh.close();

    const none = fastify({ logger: false });
    installErrorHandlers(none, { bodyLimitBytes: 1024, maxBatch: 1 });
    await none.register(dashboardRoutes, { distDir: empty, build: null });
    const res = await none.inject({ method: "GET", url: "/dashboard/" });
    assert.equal(res.statusCode, 503);
    const body = JSON.parse(res.body) as { error: { code: string; message: string; hint: string } };
    assert.equal(body.error.code, "DASHBOARD_NOT_BUILT");
    assert.match(body.error.message, /npm run build:web/);
    assert.ok(body.error.hint.length > 0);
    assert.doesNotMatch(res.body, /no-dist|\/tmp\//, "no path of this machine");
    await none.close();
  });
});

describe("dashboard: Models page and API keys", { skip, timeout: 180_000 }, () => {
  const modelsDir = join(root.path, "models");
  let open: RunningServer;
  let secured: RunningServer;
  let predictToken = "";
  let monitorToken = "";

  before(async () => {
    mkdirSync(modelsDir, { recursive: true });
    await (await trainTopicModel(1)).save(join(modelsDir, "topics", "v1"));
    open = await start({ modelsDir, port: 0, auth: "off", logger: false, watchIntervalMs: 0 });
    const db = await openDatabase(join(root.path, "keys.db"));
    const keys = await ApiKeyStore.open(db);
    predictToken = (await keys.create("viewer", ["predict"])).token;
    monitorToken = (await keys.create("watcher", ["monitor"])).token;
    secured = await start({
      modelsDir,
      port: 0,
      database: db,
      auth: "on",
      logger: false,
      watchIntervalMs: 0,
    });
  });

  it("lists the models and shows one's details as JSON text", async () => {
    const { context, page, problems } = await openPage();
    try {
      await page.goto(`${open.url}/dashboard/#/models`);
      const row = page.locator('[data-testid="model"][data-name="topics"]');
      await row.waitFor();
      const cells = await row.locator("td").allTextContents();
      assert.deepEqual(cells.slice(0, 5), ["topics", "classifier", "multiclass", "v1", "3"]);
      await row.click();
      const details = page.getByTestId("model-details");
      await details.waitFor();
      await eventually(
        "the details",
        async () => ((await textOf(page, '[data-testid="model-details"]')) ?? "") !== "",
      );
      const parsed = JSON.parse((await details.textContent()) ?? "") as {
        name: string;
        activeVersion: string;
        manifest: { family: string } | null;
      };
      assert.equal(parsed.name, "topics");
      assert.equal(parsed.activeVersion, "v1");
      assert.equal(parsed.manifest?.family, "classifier");
      assert.equal(
        await page.evaluate<number>(
          `document.querySelector('[data-testid="model-details"]').childElementCount`,
        ),
        0,
        "plain text, no markup",
      );
      await assertNoProblems(page, problems);
    } finally {
      await context.close();
    }
  });

  it("says the monitor is not enabled on a server without one", async () => {
    const { context, page, problems } = await openPage();
    try {
      await page.goto(`${open.url}/dashboard/`);
      const notice = page.getByTestId("monitor-disabled");
      await notice.waitFor({ state: "visible" });
      const text = (await notice.textContent()) ?? "";
      assert.match(text, /not enabled/);
      assert.match(text, /textkit serve --monitor monitor\.json/);
      assert.match(text, /npm run demo/);
      assert.equal(await page.getByTestId("error-banner").isVisible(), false);
      await assertNoProblems(page, problems);
    } finally {
      await context.close();
    }
  });

  it("asks for a key on a 401, shows a 403's message, and sends the key it was given", async () => {
    const { context, page, problems } = await openPage();
    try {
      await page.goto(`${secured.url}/dashboard/#/models`);
      const banner = page.getByTestId("error-banner");
      await banner.waitFor({ state: "visible" });
      assert.match((await banner.textContent()) ?? "", /needs an API key/);
      const input = page.getByTestId("key-input");
      await input.waitFor({ state: "visible" });
      assert.equal(await page.getByLabel("API key", { exact: true }).count(), 1, "the field has a label");

      // A key without the predict scope: the 403's message shows.
      await input.fill(monitorToken);
      await page.getByTestId("key-save").click();
      await eventually("the 403's message", async () =>
        ((await textOf(page, '[data-testid="error-message"]')) ?? "").includes("'predict' scope"),
      );

      await page.getByTestId("key-toggle").click();
      await input.fill(predictToken);
      await page.getByTestId("key-save").click();
      await page.locator('[data-testid="model"][data-name="topics"]').waitFor();
      await banner.waitFor({ state: "hidden" });
      assert.equal(
        await page.evaluate<string | null>(`sessionStorage.getItem("textkit.apiKey")`),
        predictToken,
      );
      await assertNoProblems(page, problems);
    } finally {
      await context.close();
    }
  });
});

// ---- The Monitor page, with the real monitor ----

const SENTIMENT_WORDS: Record<string, string[]> = {
  positive: ["great", "love", "excellent", "happy", "wonderful", "superb", "delighted", "best"],
  neutral: ["announced", "scheduled", "statement", "meeting", "update", "published", "noted", "listed"],
  negative: ["terrible", "awful", "hate", "broken", "angry", "worst", "disaster", "furious"],
};
const TOPICS = Object.keys(CLASSIFIER_TOPICS);
const FILLER = ["the", "a", "today", "news", "about", "new", "we", "see"];

/** A text of one topic and one sentiment: words of each among filler words. */
function monitorText(rng: Random, topic: string, sentiment: string): string {
  const words: string[] = [];
  for (let j = 0; j < 8; j++) {
    const r = rng.next();
    if (r < 0.35) words.push(CLASSIFIER_TOPICS[topic]![rng.int(8)]!);
    else if (r < 0.7) words.push(SENTIMENT_WORDS[sentiment]![rng.int(8)]!);
    else words.push(FILLER[rng.int(FILLER.length)]!);
  }
  words.push(CLASSIFIER_TOPICS[topic]![rng.int(8)]!, SENTIMENT_WORDS[sentiment]![rng.int(8)]!);
  return words.join(" ");
}

/** A small sentiment classifier (labels positive, neutral, negative) that ignores the topic words. */
async function trainSentimentModel(seed: number) {
  const rng = new Random(seed);
  const sentiments = Object.keys(SENTIMENT_WORDS);
  const examples = Array.from({ length: 360 }, (_, i) => {
    const sentiment = sentiments[i % 3]!;
    const topic = TOPICS[rng.int(TOPICS.length)]!;
    return { text: monitorText(rng, topic, sentiment), labels: [sentiment], line: i + 1 };
  });
  return trainClassifier(
    { train: datasetFromExamples("sentiment", examples) },
    { dim: 16, epochs: 10, lr: 0.5, wordNgrams: 1, buckets: 10_000, seed },
  );
}

interface Ingest {
  text: string;
  id: string;
  source: string;
  title?: string;
  publishedAt: string;
}

/**
 * Documents over the past hours with a low negative share, then a surge of negative ones
 * on "money" within the last ten minutes.
 */
function monitorDocuments(now: number): Ingest[] {
  const rng = new Random(11);
  const docs: Ingest[] = [];
  const add = (topic: string, sentiment: string, at: number, title?: string) => {
    docs.push({
      id: `doc-${docs.length}`,
      source: docs.length % 2 === 0 ? "wire" : "forum",
      text: monitorText(rng, topic, sentiment),
      ...(title === undefined ? {} : { title }),
      publishedAt: new Date(at).toISOString(),
    });
  };
  // Hours 2 to 12 ago: a few documents per topic and hour, for the trend lines.
  for (let hour = 2; hour <= 12; hour++) {
    for (const topic of TOPICS) {
      for (let k = 0; k < 3; k++)
        add(topic, k === 0 ? "neutral" : "positive", now - hour * 60 * MINUTE - k * 7 * MINUTE);
    }
  }
  // The six ten-minute baseline windows before the current one: 8 per topic, 0-2 negative.
  const negatives = [1, 2, 1, 0, 2, 1];
  for (let w = 1; w <= 6; w++) {
    for (const topic of TOPICS) {
      for (let k = 0; k < 8; k++) {
        const sentiment = k < negatives[w - 1]! ? "negative" : k % 2 === 0 ? "positive" : "neutral";
        add(topic, sentiment, now - (w * 10 + 4) * MINUTE + k * 20_000);
      }
    }
  }
  // The surge: 16 documents on money in the last ten minutes, all but one negative.
  for (let k = 0; k < 16; k++) {
    add(
      "money",
      k === 0 ? "neutral" : "negative",
      now - 7 * MINUTE + k * 20_000,
      `Bank outage report ${k + 1}`,
    );
  }
  return docs;
}

interface ChartData {
  topicTrend: { label: string; data: number[] }[] | null;
  sentiment: { label: string; data: number[] }[] | null;
}

const READ_CHARTS = `(() => {
  const charts = window.__textkitCharts;
  const pick = (chart) =>
    chart == null ? null : chart.data.datasets.map((d) => ({ label: d.label, data: Array.from(d.data) }));
  return { topicTrend: pick(charts?.topicTrend), sentiment: pick(charts?.sentiment) };
})()`;

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

interface CurveData {
  labels: string[];
  lines: {
    label: string;
    data: number[];
    /** Pixel y of each point and of its Bézier control points (before and after it). */
    points: { y: number; cp1y: number | null; cp2y: number | null }[];
    segments: { start: number; end: number; dash: number[] }[];
  }[];
  /** The sentiment bars' colours, one per bucket, per series. */
  bars: string[][];
}

/** What Chart.js laid out for the volume curves and the sentiment bars. */
const READ_CURVES = `(() => {
  const charts = window.__textkitCharts;
  const chart = charts?.topicTrend;
  if (chart == null || charts.sentiment == null) return null;
  const num = (v) => (typeof v === "number" ? v : null);
  return {
    labels: chart.data.labels.map(String),
    lines: chart.data.datasets.map((d, i) => {
      const meta = chart.getDatasetMeta(i);
      return {
        label: d.label,
        data: Array.from(d.data),
        points: meta.data.map((p) => ({ y: p.y, cp1y: num(p.cp1y), cp2y: num(p.cp2y) })),
        segments: meta.dataset.segments.map((s) => ({
          start: s.start,
          end: s.end,
          dash: Array.from(s.style?.borderDash ?? meta.dataset.options.borderDash ?? []),
        })),
      };
    }),
    bars: charts.sentiment.data.datasets.map((d) =>
      Array.isArray(d.backgroundColor) ? d.backgroundColor.map(String) : [String(d.backgroundColor)],
    ),
  };
})()`;

describe("dashboard: Monitor page", { skip, timeout: 240_000 }, () => {
  const modelsDir = join(root.path, "monitor-models");
  let server: RunningServer;
  let stored = 0;
  const shots = tempDir("dashboard-shots");

  before(async () => {
    mkdirSync(modelsDir, { recursive: true });
    await (await trainTopicModel(3)).save(join(modelsDir, "monitor-topic"));
    await (await trainSentimentModel(5)).save(join(modelsDir, "monitor-sentiment"));
    server = await start({
      modelsDir,
      dataDir: join(root.path, "monitor-data"),
      port: 0,
      auth: "off",
      logger: false,
      watchIntervalMs: 0,
      monitor: {
        config: {
          models: { topic: "monitor-topic", sentiment: "monitor-sentiment" },
          rules: [{ id: "neg", kind: "negative_share", window: "10m", baseline: 6, z: 2, minDocs: 10 }],
        },
      },
    });
    const documents = monitorDocuments(Date.now());
    const ingest = await call(`${server.url}/v1/monitor/documents`, { body: { documents } });
    assert.equal(ingest.status, 200, ingest.text);
    stored = (ingest.body as { stored: number }).stored;
    assert.equal(stored, documents.length);

    // Rules run after ingestion and every few seconds; wait for the surge's alert.
    const deadline = Date.now() + 60_000;
    for (;;) {
      const res = await call(`${server.url}/v1/monitor/alerts?status=open`);
      assert.equal(res.status, 200, res.text);
      if ((res.body as { alerts: unknown[] }).alerts.length > 0) break;
      assert.ok(Date.now() < deadline, "an alert within 60 s of ingesting the surge");
      await sleep(250);
    }
  });

  after(() => shots.remove());

  it("shows the summary, both charts, the alert (and acknowledges it) and the documents", async () => {
    const { context, page, problems } = await openPage();
    try {
      await page.goto(`${server.url}/dashboard/#/monitor`);
      assert.equal(await page.getByTestId("range").inputValue(), "24h");

      // Summary: every document is within the default 24 hours.
      await eventually(
        "the document count",
        async () => (await textOf(page, '[data-testid="summary-documents"] .tile-value')) === String(stored),
      );
      const summary = (await page.getByTestId("summary").textContent()) ?? "";
      assert.match(summary, /Negative share/);
      assert.match(summary, /Open alerts/);
      assert.match(summary, /Last document/);
      assert.equal(
        await page.locator('[data-testid="summary-alerts"] .tile-value').textContent(),
        "1",
        "one open alert",
      );
      const topicOptions = await page.getByTestId("topic-filter").locator("option").allTextContents();
      assert.deepEqual([...topicOptions].sort(), ["All topics", ...TOPICS].sort());

      // Charts: one line per topic, each with documents; three sentiment series.
      const charts = await page.evaluate<ChartData>(READ_CHARTS);
      assert.ok(charts.topicTrend !== null && charts.sentiment !== null, "both charts are exposed");
      assert.deepEqual(charts.topicTrend.map((d) => d.label).sort(), [...TOPICS].sort());
      for (const line of charts.topicTrend) assert.ok(sum(line.data) > 0, `${line.label} has documents`);
      assert.equal(sum(charts.topicTrend.map((d) => sum(d.data))), stored);
      assert.deepEqual(
        charts.sentiment.map((d) => d.label),
        ["negative", "neutral", "positive"],
      );
      assert.ok(sum(charts.sentiment.find((d) => d.label === "negative")!.data) >= 15);
      for (const id of ["topic-trend-chart", "sentiment-chart"]) {
        const label = await page.locator(`[data-testid="${id}"] canvas`).getAttribute("aria-label");
        assert.ok(label !== null && label.length > 0, `${id} has an aria-label`);
      }

      // Top terms and entities are there (no entity model here: an empty list says so).
      await page.locator('[data-testid="terms"] li').first().waitFor();
      assert.ok((await page.locator('[data-testid="terms"] li').count()) > 0);
      assert.ok((await page.locator('[data-testid="entities"] li').count()) > 0);

      // The alert, open, then acknowledged.
      const alert = page.locator('[data-testid="alert"][data-status="open"]').first();
      await alert.waitFor();
      const id = await alert.getAttribute("data-id");
      assert.ok(id !== null);
      const alertText = (await alert.textContent()) ?? "";
      assert.match(alertText, /neg/);
      assert.match(alertText, /money/);
      await page.screenshot({ path: join(shots.path, "monitor.png"), fullPage: true });

      await alert.getByTestId("ack").click();
      await page.locator(`[data-testid="alert"][data-id="${id}"][data-status="acknowledged"]`).waitFor();
      assert.equal(
        await page.locator(`[data-testid="alert"][data-id="${id}"] [data-testid="ack"]`).count(),
        0,
      );
      const listed = await call(`${server.url}/v1/monitor/alerts?status=all`);
      const acked = (
        listed.body as { alerts: { id: string; status: string; acknowledgedBy: string | null }[] }
      ).alerts.find((a) => a.id === id);
      assert.equal(acked?.status, "acknowledged");
      assert.equal(acked?.acknowledgedBy, "dashboard");

      // Documents: newest first; a click shows the full text.
      const rows = page.getByTestId("document");
      await rows.first().waitFor();
      assert.ok((await rows.count()) > 0);
      const api = await call(`${server.url}/v1/monitor/documents`);
      const newest = (api.body as { documents: { key: string; text: string }[] }).documents[0]!;
      const first = rows.first();
      assert.equal(await first.getAttribute("data-key"), newest.key);
      await first.click();
      const text = page.getByTestId("document-text");
      await text.waitFor({ state: "visible" });
      assert.equal(await text.textContent(), newest.text);
      assert.equal(await first.getAttribute("aria-expanded"), "true");

      // The topic filter narrows the documents to one topic, and the alerts too: the surge
      // was on money, so weather has none.
      await page.getByTestId("topic-filter").selectOption("weather");
      await eventually("weather documents only", async () => {
        const topics = await page.locator('[data-testid="document"] td:nth-child(4)').allTextContents();
        return topics.length > 0 && topics.every((t) => t.startsWith("weather"));
      });
      assert.match(page.url(), /topic=weather/);
      await eventually(
        "no money alert under weather",
        async () => (await page.getByTestId("alert").count()) === 0,
      );
      assert.match((await page.getByTestId("alerts").textContent()) ?? "", /No alerts have fired on weather/);
      assert.equal(await textOf(page, '[data-testid="summary-alerts"] .tile-value'), "0");

      await page.screenshot({ path: join(shots.path, "monitor-weather.png"), fullPage: true });
      await page.getByTestId("topic-filter").selectOption("money");
      await page.locator('[data-testid="alert"]').first().waitFor();
      const moneyAlerts = await page.locator('[data-testid="alert"] h3').allTextContents();
      assert.ok(
        moneyAlerts.length > 0 && moneyAlerts.every((t) => t.includes("money")),
        moneyAlerts.join("; "),
      );
      for (const name of ["monitor.png", "monitor-weather.png"]) {
        const file = join(shots.path, name);
        assert.ok(existsSync(file));
        assert.ok(statSync(file).size > 10_000, `${name} is a real picture`);
        assert.deepEqual([...readFileSync(file).subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47], "a PNG");
      }
      await assertNoProblems(page, problems);
    } finally {
      await context.close();
    }
  });

  it("draws curves that stay within their data, and the hour under way apart from the others", async () => {
    const { context, page, problems } = await openPage();
    try {
      await page.goto(`${server.url}/dashboard/#/monitor`);
      await eventually(
        "the document count",
        async () => (await textOf(page, '[data-testid="summary-documents"] .tile-value')) === String(stored),
      );
      const curves = await page.evaluate<CurveData | null>(READ_CURVES);
      assert.ok(curves !== null);
      const last = curves.labels.length - 1;
      // Hourly buckets over 24 hours: the last one is the hour under way.
      assert.match(curves.labels[last]!, /\(so far\)$/);
      assert.ok(curves.labels.slice(0, last).every((l) => !l.includes("so far")));
      for (const line of curves.lines) {
        // Each segment's control points lie between its two ends (monotone): no dip below
        // zero, no overshoot above a peak.
        for (let i = 0; i + 1 < line.points.length; i++) {
          const a = line.points[i]!;
          const b = line.points[i + 1]!;
          const lo = Math.min(a.y, b.y) - 0.5;
          const hi = Math.max(a.y, b.y) + 0.5;
          for (const cp of [a.cp2y, b.cp1y]) {
            assert.ok(cp !== null && cp >= lo && cp <= hi, `${line.label} ${i}: ${cp} outside ${lo}..${hi}`);
          }
        }
        const into = line.segments.find((s) => s.end === last);
        assert.ok(into !== undefined && into.start === last - 1, JSON.stringify(line.segments));
        assert.ok(into.dash.length > 0, `${line.label}: the segment into the hour under way is dashed`);
        const before = line.segments.filter((s) => s.end < last);
        assert.ok(
          before.length > 0 && before.every((s) => s.dash.length === 0),
          JSON.stringify(line.segments),
        );
      }
      for (const colours of curves.bars) {
        assert.equal(colours.length, curves.labels.length);
        assert.notEqual(colours[last], colours[0], "the bar of the hour under way is faded");
        assert.ok(colours.slice(0, last).every((c) => c === colours[0]));
      }
      await assertNoProblems(page, problems);
    } finally {
      await context.close();
    }
  });
});

// ---- The Assistant page, with a real assistant trained here ----

const BALANCE_ANSWER = "You have $1,204.50 in checking.";
const HANDOVER_TEXT = "Let me pass you to a colleague.";

interface TurnsResponse {
  id: string;
  turns: { id: string; seq: number; message: string; path: string; intent: string | null }[];
}

describe("dashboard: Assistant page", { skip, timeout: 180_000 }, () => {
  const modelsDir = join(root.path, "assist-models");
  const emptyModelsDir = join(root.path, "assist-empty-models");
  let server: RunningServer;
  let bare: RunningServer;
  const shots = tempDir("dashboard-assist-shots");
  const conversationKey = "textkit.assist.conversation.helpdesk";

  before(async () => {
    const knowledgeDir = writeAssistKnowledge(join(root.path, "helpdesk-knowledge"));
    mkdirSync(modelsDir, { recursive: true });
    mkdirSync(emptyModelsDir, { recursive: true });
    const assistant = await trainAssistant({ knowledge: await loadKnowledge(knowledgeDir) });
    await assistant.save(join(modelsDir, "helpdesk"));
    // A classifier beside it: the page lists assistants only.
    await (await trainTopicModel(2)).save(join(modelsDir, "topics"));
    server = await start({
      modelsDir,
      dataDir: join(root.path, "assist-data"),
      port: 0,
      auth: "off",
      logger: false,
      watchIntervalMs: 0,
    });
    bare = await start({
      modelsDir: emptyModelsDir,
      port: 0,
      auth: "off",
      logger: false,
      watchIntervalMs: 0,
    });
  });

  after(() => shots.remove());

  /** Sends a message with Enter and returns the assistant's bubble that answers it. */
  async function ask(page: Page, message: string) {
    const replies = page.locator('[data-testid="message"][data-role="assistant"]');
    const before = await replies.count();
    const input = page.getByTestId("chat-input");
    await input.fill(message);
    await input.press("Enter");
    const reply = replies.nth(before);
    await reply.waitFor();
    return reply;
  }

  const conversationOf = (page: Page) => page.getByTestId("chat").getAttribute("data-conversation");

  async function turnsOf(id: string): Promise<TurnsResponse["turns"]> {
    const res = await call(`${server.url}/v1/models/helpdesk/conversations/${id}`);
    assert.equal(res.status, 200, res.text);
    return (res.body as TurnsResponse).turns;
  }

  it("says how to make an assistant on a server without one", async () => {
    const { context, page, problems } = await openPage();
    try {
      await page.goto(`${bare.url}/dashboard/#/assist`);
      const notice = page.getByTestId("assist-empty");
      await notice.waitFor({ state: "visible" });
      const text = (await notice.textContent()) ?? "";
      assert.match(text, /textkit assist train --knowledge samples\/assist --out models\/assistant/);
      assert.match(text, /textkit serve/);
      assert.equal(await page.getByTestId("chat").isVisible(), false);
      assert.equal(await page.getByTestId("error-banner").isVisible(), false);
      await assertNoProblems(page, problems);
    } finally {
      await context.close();
    }
  });

  it("chats (intent, slot over two turns, FAQ, document, handover), takes feedback and keeps the conversation over a reload", async () => {
    const { context, page, problems } = await openPage();
    try {
      await page.goto(`${server.url}/dashboard/#/assist`);
      const select = page.getByTestId("assistant-select");
      await eventually(
        "the assistant to be selected",
        async () => (await select.inputValue()) === "helpdesk",
      );
      assert.deepEqual(await select.locator("option").allTextContents(), ["helpdesk"], "assistants only");
      assert.equal(await page.getByLabel("Assistant", { exact: true }).count(), 1, "the select has a label");
      assert.equal(await page.getByLabel("Message", { exact: true }).count(), 1, "the input has a label");
      assert.equal(
        await page.locator('nav a[data-route="/assist"]').getAttribute("aria-current"),
        "page",
        "the nav link is current",
      );
      assert.equal(await conversationOf(page), null, "no conversation yet");

      // An intent: its answer, with the path and why.
      const balance = await ask(page, "what is my balance");
      assert.equal(await balance.getByTestId("reply-text").textContent(), BALANCE_ANSWER);
      assert.match((await balance.getByTestId("path").textContent()) ?? "", /^intent · balance \d\.\d\d$/);
      const userBubbles = page.locator('[data-testid="message"][data-role="user"]');
      assert.equal(await userBubbles.first().locator("p").textContent(), "what is my balance");
      await balance.locator("summary").click();
      assert.match((await balance.getByTestId("why-text").textContent()) ?? "", /intent "balance"/);
      assert.match(
        (await balance.getByTestId("why").textContent()) ?? "",
        /vs threshold \d\.\d\d \(accepted\)/,
      );
      const conversation = await conversationOf(page);
      assert.ok(conversation !== null && conversation.length > 0, "the conversation's id");
      assert.equal(
        await page.evaluate<string | null>(`sessionStorage.getItem("${conversationKey}")`),
        conversation,
      );

      // A slot: the prompt, then the number completes the intent in the same conversation.
      const prompt = await ask(page, "i want to transfer money to savings");
      assert.equal(
        await prompt.getByTestId("reply-text").textContent(),
        "How much would you like to transfer?",
      );
      assert.equal(await prompt.getByTestId("path").textContent(), "slot · amount");
      const done = await ask(page, "250");
      assert.equal(
        await done.getByTestId("reply-text").textContent(),
        "Done, 250 dollars are on their way to your savings.",
      );
      assert.match((await done.getByTestId("path").textContent()) ?? "", /^intent · transfer \d\.\d\d$/);
      assert.equal(await conversationOf(page), conversation);
      const turns = await turnsOf(conversation);
      assert.deepEqual(
        turns.map((t) => [t.seq, t.path, t.intent]),
        [
          [1, "intent", "balance"],
          [2, "slot", "transfer"],
          [3, "intent", "transfer"],
        ],
      );
      assert.equal(turns[2]!.message, "250");

      // The FAQ and a document.
      const faq = await ask(page, "when are your branches open?");
      assert.match((await faq.getByTestId("path").textContent()) ?? "", /^FAQ · opening-hours \d\.\d\d$/);
      assert.equal(
        await faq.getByTestId("reply-text").textContent(),
        "Our branches are open 9 to 5, Monday to Friday.",
      );
      const passage = await ask(page, "what is a fixed-rate mortgage");
      assert.match(
        (await passage.getByTestId("path").textContent()) ?? "",
        /^document · mortgages\.md \d\.\d\d$/,
      );
      const passageText = (await passage.getByTestId("reply-text").textContent()) ?? "";
      assert.match(passageText, /^From our help pages:\n\nA fixed-rate mortgage/);
      // biome-ignore lint/performance/useDomNodeTextContent: the rendered text shows whether the newlines are kept.
      const shown = await passage.getByTestId("reply-text").innerText();
      assert.equal(shown, passageText, "its newlines are shown");

      // Out of scope: handed over, and listed in the Handovers panel.
      const handover = await ask(page, "who painted the mona lisa");
      assert.equal(await handover.getByTestId("path").textContent(), "handover");
      assert.equal(await handover.getByTestId("reply-text").textContent(), HANDOVER_TEXT);
      const item = page.locator(`[data-testid="handover"][data-conversation="${conversation}"]`);
      await item.waitFor();
      assert.match((await item.getByTestId("handover-reason").textContent()) ?? "", /nothing answers it/);
      assert.equal(await item.getByTestId("this-conversation").count(), 1);
      const so = item.getByTestId("handover-turns");
      assert.equal(await so.getAttribute("open"), null, "the conversation is collapsed");
      assert.match((await so.locator("summary").textContent()) ?? "", /6 turns/);
      await so.locator("summary").click();
      assert.match((await so.textContent()) ?? "", /Customer: who painted the mona lisa/);

      await page.screenshot({ path: join(shots.path, "assist.png"), fullPage: true });
      const png = join(shots.path, "assist.png");
      assert.ok(statSync(png).size > 10_000, "a real picture");
      assert.deepEqual([...readFileSync(png).subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47], "a PNG");

      await item.getByTestId("close-handover").click();
      await item.waitFor({ state: "detached" });
      const open = await call(`${server.url}/v1/models/helpdesk/handovers?status=open`);
      assert.deepEqual((open.body as { handovers: unknown[] }).handovers, []);
      const closed = await call(`${server.url}/v1/models/helpdesk/handovers?status=closed`);
      assert.equal((closed.body as { handovers: unknown[] }).handovers.length, 1);
      await page.locator(".handover-list li.empty").waitFor();

      // "Wrong answer": an intent the server does not know is refused in the banner...
      await faq.getByTestId("wrong").click();
      const form = faq.getByTestId("feedback-form");
      await form.waitFor();
      assert.deepEqual(await form.getByTestId("feedback-intent").locator("option").allTextContents(), [
        "—",
        "balance",
        "transfer",
        "lost_card",
        "out of scope",
      ]);
      await page.evaluate(
        `document.querySelector('[data-testid="feedback-intent"]').add(new Option("nope", "nope"))`,
      );
      await form.getByTestId("feedback-intent").selectOption("nope");
      await form.getByTestId("feedback-send").click();
      const banner = page.getByTestId("error-banner");
      await banner.waitFor({ state: "visible" });
      assert.match((await page.getByTestId("error-message").textContent()) ?? "", /\/intent "nope"/);
      await page.getByRole("button", { name: "Dismiss" }).click();

      // ...and a known one is noted.
      await form.getByTestId("feedback-intent").selectOption("balance");
      const [response] = await Promise.all([
        page.waitForResponse((r) => r.url().endsWith("/v1/models/helpdesk/feedback")),
        form.getByTestId("feedback-send").click(),
      ]);
      assert.equal(response.status(), 200);
      const feedback = ((await response.json()) as { feedback: { turnId: string; intent: string } }).feedback;
      assert.equal(feedback.intent, "balance");
      assert.equal(feedback.turnId, await faq.getAttribute("data-turn"));
      assert.equal(await faq.getByTestId("feedback-done").textContent(), "Thanks, noted");
      assert.equal(await faq.getByTestId("wrong").isVisible(), false);

      // The right answer as text, on another reply.
      await passage.getByTestId("wrong").click();
      await passage.getByTestId("feedback-answer").fill("A fixed-rate mortgage keeps its rate.");
      const [answered] = await Promise.all([
        page.waitForResponse((r) => r.url().endsWith("/v1/models/helpdesk/feedback")),
        passage.getByTestId("feedback-send").click(),
      ]);
      assert.equal(answered.status(), 200);
      assert.equal(
        ((await answered.json()) as { feedback: { answer: string } }).feedback.answer,
        "A fixed-rate mortgage keeps its rate.",
      );
      await passage.getByTestId("feedback-done").waitFor();

      // From the keyboard: Enter opens the form (its select focused), Escape closes it again.
      const wrong = balance.getByTestId("wrong");
      await wrong.focus();
      await page.keyboard.press("Enter");
      await balance.getByTestId("feedback-form").waitFor();
      assert.equal(await wrong.getAttribute("aria-expanded"), "true");
      assert.equal(
        await page.evaluate<string | undefined>(`document.activeElement?.dataset.testid`),
        "feedback-intent",
      );
      await page.keyboard.press("Escape");
      await balance.getByTestId("feedback-form").waitFor({ state: "detached" });
      assert.equal(
        await page.evaluate<string | undefined>(`document.activeElement?.dataset.testid`),
        "wrong",
      );

      // A reload continues the conversation: its transcript comes back, the next turn joins it.
      await page.reload();
      await eventually(
        "the restored transcript",
        async () => (await page.getByTestId("message").count()) === 12,
      );
      assert.equal(await conversationOf(page), conversation);
      const restored = page.locator('[data-testid="message"][data-role="assistant"]');
      assert.match((await restored.nth(0).getByTestId("path").textContent()) ?? "", /^intent · balance/);
      assert.equal(await restored.nth(5).getByTestId("path").textContent(), "handover");
      assert.equal(await restored.nth(0).getByTestId("reply-text").textContent(), BALANCE_ANSWER);
      const again = await ask(page, "check my balance");
      assert.match((await again.getByTestId("path").textContent()) ?? "", /^intent · balance/);
      assert.equal((await turnsOf(conversation)).length, 7);

      // A new conversation: a fresh id; a lost card is answered and handed over.
      await page.getByTestId("new-conversation").click();
      assert.equal(await page.getByTestId("message").count(), 0);
      assert.equal(await conversationOf(page), null);
      assert.equal(await page.evaluate<string | null>(`sessionStorage.getItem("${conversationKey}")`), null);
      const lost = await ask(page, "i lost my card");
      assert.match((await lost.getByTestId("path").textContent()) ?? "", /^intent · lost_card/);
      const second = await conversationOf(page);
      assert.ok(second !== null && second !== conversation, "another conversation");
      await page.locator(`[data-testid="handover"][data-conversation="${second}"]`).waitFor();
      await assertNoProblems(page, problems);
    } finally {
      await context.close();
    }
  });
});
