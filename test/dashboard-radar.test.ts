/**
 * The dashboard's Radar page in real Chromium, on the demo's radar built into a temporary
 * SQLite database (and, for the drawing and the history, into a real PostgreSQL server) and
 * served by a real server over loopback: every blip sits in its ring's
 * band at the place its name gives (the same on two renders), the planted riser (Quillstack)
 * is drawn further in at the last date than at an early one (moved there with the slider),
 * a clicked blip's breakdown holds E = g·m·(1 − r)·l with the API's numbers, a profile gets
 * its suggestions, the risk matrix places each technology in its worst cell, and the radar
 * downloads and imports as Build-Your-Own-Radar CSV. TEXTKIT_UPDATE_SCREENSHOTS=1 writes
 * docs/dashboard-radar.png.
 */
import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Page } from "playwright-core";
import {
  buildRadar,
  DEMO_DICTIONARY_YAML,
  demoCorpus,
  parseDictionary,
  type RadarBuild,
  RadarStore,
} from "../src/apps/radar/index.ts";
import { type RunningServer, startServer } from "../src/server/index.ts";
import { openDatabase } from "../src/store/index.ts";
import { blipPosition, RADAR_SIZE, ringBand } from "../web/src/radar-geometry.ts";
import { call, tempDir } from "./server-helpers.ts";
import { chromiumSkipReason, eventually, type LaunchedChromium, launchChromium } from "./support/chromium.ts";
import { storeTargets } from "./support/postgres.ts";

const root = tempDir("dashboard-radar");
const skip = chromiumSkipReason();
let chromium: LaunchedChromium | null = null;
let server: RunningServer | null = null;
let radar: RadarBuild | null = null;

interface ApiBlip {
  technology: string;
  quadrant: string;
  ring: string | null;
  g: number | null;
  m: number | null;
  r: number | null;
  risk: { worst: string; cells: { category: string; likelihoodLevel: number; impactLevel: number }[] } | null;
}
interface ApiRadar {
  quadrants: string[];
  rings: { name: string }[];
  snapshots: { period: string; label: string }[];
  snapshot: { label: string; blips: ApiBlip[] };
}
interface DrawnBlip {
  technology: string;
  ring: string;
  x: number;
  y: number;
}

function drawn(page: Page): Promise<DrawnBlip[]> {
  return page.locator('[data-testid="blip"]').evaluateAll((elements) =>
    elements.map((e) => ({
      technology: e.getAttribute("data-technology") ?? "",
      ring: e.getAttribute("data-ring") ?? "",
      x: Number(e.getAttribute("data-x")),
      y: Number(e.getAttribute("data-y")),
    })),
  );
}

/** Moves the date slider to snapshot `index` and waits for the radar of that date. */
async function slideTo(page: Page, index: number, label: string): Promise<void> {
  // The range input's value is set as a person dragging it would leave it, then its events fire.
  await page.getByTestId("radar-slider").evaluate((el, value) => {
    el.setAttribute("value", value);
    Object.assign(el, { value });
    el.dispatchEvent(new Event("input", { bubbles: true }));
    el.dispatchEvent(new Event("change", { bubbles: true }));
  }, String(index));
  await eventually(
    `the radar of ${label}`,
    async () => (await page.getByTestId("radar-date").getAttribute("data-label")) === label,
  );
}

/** `value`, failing the test with `what` when it is missing. */
function found<T>(value: T | undefined | null, what: string): T {
  assert.ok(value !== undefined && value !== null, `no ${what}`);
  return value;
}

const radiusOf = (b: DrawnBlip) => Math.hypot(b.x - RADAR_SIZE / 2, b.y - RADAR_SIZE / 2);

/**
 * Every blip with a ring is drawn in its band, where its name puts it (the others are listed);
 * the slider moves the riser from assess in December 2025 to adopt at the end, further in,
 * and two renders of one date put every blip at the same place.
 */
async function checkRadarAndHistory(page: Page, api: ApiRadar): Promise<void> {
  const ringNames = api.rings.map((r) => r.name);
  await page.locator('[data-testid="blip"]').first().waitFor();
  // Every blip with a ring is drawn in its band, where its name puts it; the others are listed.
  const latest = await drawn(page);
  const withRing = api.snapshot.blips.filter((b) => b.ring !== null);
  assert.ok(withRing.length >= 8, `${withRing.length} blips with a ring`);
  assert.deepEqual(latest.map((b) => b.technology).sort(), withRing.map((b) => b.technology).sort());
  for (const blip of withRing) {
    const shown = found(
      latest.find((b) => b.technology === blip.technology),
      `drawn ${blip.technology}`,
    );
    const j = ringNames.indexOf(found(blip.ring, "ring"));
    assert.equal(shown.ring, blip.ring);
    const { inner, outer } = ringBand(j, ringNames.length);
    const radius = radiusOf(shown);
    assert.ok(radius > inner && radius < outer, `${blip.technology} at ${radius} outside ${inner}-${outer}`);
    const place = blipPosition(
      blip.technology,
      api.quadrants.indexOf(blip.quadrant),
      j,
      api.quadrants.length,
      ringNames.length,
    );
    assert.ok(Math.abs(place.x - shown.x) < 0.01 && Math.abs(place.y - shown.y) < 0.01);
  }
  const unplaced = api.snapshot.blips.filter((b) => b.ring === null).map((b) => b.technology);
  for (const name of unplaced)
    assert.match((await page.getByTestId("no-ring").textContent()) ?? "", new RegExp(name));

  // The riser is further in at the last date than in December 2025, via the slider.
  const early = api.snapshots.findIndex((s) => s.label === "2025-W49");
  assert.ok(early > 0);
  await slideTo(page, early, "2025-W49");
  const then = found(
    (await drawn(page)).find((b) => b.technology === "Quillstack"),
    "Quillstack then",
  );
  assert.equal(then.ring, "assess");
  await slideTo(page, api.snapshots.length - 1, api.snapshot.label);
  const again = await drawn(page);
  const now = found(
    again.find((b) => b.technology === "Quillstack"),
    "Quillstack now",
  );
  assert.equal(now.ring, "adopt");
  assert.ok(radiusOf(now) < radiusOf(then), `${radiusOf(now)} < ${radiusOf(then)}`);
  assert.deepEqual(again, latest, "two renders of one date put every blip at the same place");
}

before(async () => {
  if (skip !== undefined) return;
  const location = join(root.path, "radar.db");
  const dictionary = parseDictionary("demo.yaml", DEMO_DICTIONARY_YAML);
  radar = await buildRadar(demoCorpus(), dictionary, { now: Date.UTC(2027, 0, 4) });
  const db = await openDatabase(location);
  await (await RadarStore.open(db)).save(radar);
  await db.close();
  mkdirSync(join(root.path, "models"), { recursive: true });
  server = await startServer({
    modelsDir: join(root.path, "models"),
    dataDir: root.path,
    database: location,
    port: 0,
    auth: "off",
    logger: false,
    watchIntervalMs: 0,
  });
  await server.whenReady();
  chromium = await launchChromium();
});

after(async () => {
  await chromium?.close();
  await server?.close();
  root.remove();
});

describe("dashboard: Radar page", { skip, timeout: 180_000 }, () => {
  it("draws the radar, moves through its history, explains a blip, suggests, exports and imports", async () => {
    assert.ok(chromium !== null && server !== null);
    const base = server.url;
    const context = await chromium.browser.newContext({
      viewport: { width: 1400, height: 1100 },
      acceptDownloads: true,
    });
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    try {
      const api = (await call(`${base}/v1/radar`)).body as ApiRadar;
      await page.goto(`${base}/dashboard/#/radar`);

      await checkRadarAndHistory(page, api);

      // A profile's suggestions, ranked by E, as the API ranks them.
      await page.getByTestId("profile-skills").fill("TypeScript:4, React:3");
      await page.getByTestId("profile-hours").fill("6");
      await page.getByTestId("suggest-button").click();
      await page.locator('[data-testid="suggestion"]').first().waitFor();
      const shown = await page
        .locator('[data-testid="suggestion"]')
        .evaluateAll((els) =>
          els.map((e) => [e.getAttribute("data-technology"), Number(e.getAttribute("data-e"))]),
        );
      const expected = (
        (
          await call(`${base}/v1/radar/suggest`, {
            body: {
              profile: {
                hoursPerWeek: 6,
                skills: [
                  { name: "TypeScript", level: 4 },
                  { name: "React", level: 3 },
                ],
              },
              limit: 10,
            },
          })
        ).body as { suggestions: { technology: string; e: number; l: number }[] }
      ).suggestions;
      assert.ok(shown.length >= 3);
      assert.deepEqual(
        shown.map((s) => s[0]),
        expected.map((s) => s.technology),
      );
      assert.match((await page.getByTestId("suggestions").textContent()) ?? "", /weeks to proficiency/);

      // Clicking a blip explains it: E = g·m·(1 − r)·l from the numbers shown.
      await page.locator('[data-testid="blip"][data-technology="Quillstack"] .blip-mark').click();
      const table = page.locator('[data-testid="breakdown"]');
      await table.waitFor();
      const number = async (name: string) => Number(await table.getAttribute(`data-${name}`));
      const [g, m, r, l, e] = [
        await number("g"),
        await number("m"),
        await number("r"),
        await number("l"),
        await number("e"),
      ];
      const blip = found(
        api.snapshot.blips.find((b) => b.technology === "Quillstack"),
        "Quillstack's blip",
      );
      assert.deepEqual([g, m, r], [blip.g, blip.m, blip.r]);
      assert.ok(Math.abs(e - g * m * (1 - r) * l) < 1e-12, `${e} vs ${g}·${m}·(1 − ${r})·${l}`);
      assert.equal(
        l,
        found(
          expected.find((s) => s.technology === "Quillstack"),
          "Quillstack's suggestion",
        ).l,
      );
      const text = (await table.textContent()) ?? "";
      for (const value of [g, m, r, l]) assert.ok(text.includes(value.toFixed(3)), `${value} shown`);
      const detail = page.getByTestId("blip-detail");
      assert.equal(await detail.getAttribute("data-technology"), "Quillstack");
      await page.locator('[data-testid="forecast-band"]').waitFor();
      assert.ok((await page.locator('[data-testid="evidence"] a[href]').count()) > 0, "evidence links");
      assert.match((await page.getByTestId("related").textContent()) ?? "", /TypeScript/);
      assert.match((await detail.textContent()) ?? "", /likelihood \d × impact \d/);

      // The risk matrix places each scored technology in the cell of its worst category.
      const chips = await page
        .locator('[data-testid="risk-chip"]')
        .evaluateAll((els) =>
          els.map((e) => [
            e.getAttribute("data-technology"),
            e.getAttribute("data-likelihood"),
            e.getAttribute("data-impact"),
          ]),
        );
      const scored = api.snapshot.blips.filter((b) => b.risk !== null);
      assert.equal(chips.length, scored.length);
      for (const b of scored) {
        const risk = found(b.risk, "risk");
        const cell = found(
          risk.cells.find((c) => c.category === risk.worst),
          "worst cell",
        );
        assert.deepEqual(
          chips.find((c) => c[0] === b.technology),
          [b.technology, String(cell.likelihoodLevel), String(cell.impactLevel)],
        );
      }

      // A pasted profile naming an unknown skill is refused, naming the skill's place in it.
      await page
        .getByTestId("profile-text")
        .fill("hoursPerWeek: 5\nskills:\n  - { name: COBOL, level: 2 }\n");
      await page.getByTestId("suggest-button").click();
      await eventually("the error banner", async () =>
        /COBOL/.test((await page.getByTestId("error-banner").textContent()) ?? ""),
      );
      assert.match(
        (await page.getByTestId("error-banner").textContent()) ?? "",
        /skills\[0\]\.name: 'COBOL' is not a technology of the radar.*RADAR_PROFILE_INVALID/,
      );
      await page.getByTestId("profile-text").fill("");

      // Build-Your-Own-Radar: download the CSV, then import an edited copy.
      const [download] = await Promise.all([
        page.waitForEvent("download"),
        page.getByTestId("export-csv").click(),
      ]);
      assert.equal(download.suggestedFilename(), `radar-${api.snapshot.label}.csv`);
      const csv = readFileSync(found(await download.path(), "downloaded file"), "utf8");
      assert.match(csv, /^name,ring,quadrant,isNew,description\n/);
      assert.match(csv, /\nQuillstack,adopt,/);
      const edited = csv.replace(/\nQuillstack,adopt,/, "\nQuillstack,hold,");
      await page.getByTestId("import-file").setInputFiles({
        name: "theirs.csv",
        mimeType: "text/csv",
        buffer: Buffer.from(edited),
      });
      const row = page.locator('[data-testid="import-row"][data-technology="Quillstack"]');
      await row.waitFor();
      assert.match((await row.textContent()) ?? "", /hold\s*adopt\s*-3/);

      if (process.env["TEXTKIT_UPDATE_SCREENSHOTS"] === "1") {
        await page.locator('[data-testid="blip"][data-technology="Quillstack"] .blip-mark').click();
        await page.getByTestId("error-banner").evaluate((el) => el.setAttribute("hidden", ""));
        const shot = join(root.path, "radar.png");
        await page.screenshot({ path: shot, fullPage: true });
        copyFileSync(shot, "docs/dashboard-radar.png");
        assert.ok(readFileSync(shot).length > 10_000);
      }
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
});

const postgres = storeTargets().find((t) => t.dialect === "postgres");
describe("dashboard: Radar page on PostgreSQL", {
  skip: skip ?? postgres?.skip ?? "no PostgreSQL target",
  timeout: 120_000,
}, () => {
  let pgServer: RunningServer | null = null;
  before(async () => {
    assert.ok(postgres !== undefined && radar !== null);
    await postgres.setup();
    const location = await postgres.freshLocation();
    const db = await openDatabase(location);
    await (await RadarStore.open(db)).save(radar);
    await db.close();
    pgServer = await startServer({
      modelsDir: join(root.path, "models"),
      dataDir: root.path,
      database: location,
      port: 0,
      auth: "off",
      logger: false,
      watchIntervalMs: 0,
    });
    await pgServer.whenReady();
  });
  after(async () => {
    await pgServer?.close();
    await postgres?.teardown();
  });

  it("draws the same radar from PostgreSQL and moves through its history", async () => {
    assert.ok(chromium !== null && pgServer !== null);
    const context = await chromium.browser.newContext({ viewport: { width: 1400, height: 1100 } });
    const page = await context.newPage();
    page.setDefaultTimeout(20_000);
    try {
      const api = (await call(`${pgServer.url}/v1/radar`)).body as ApiRadar;
      await page.goto(`${pgServer.url}/dashboard/#/radar`);
      await checkRadarAndHistory(page, api);
    } finally {
      await context.close();
    }
  });
});
