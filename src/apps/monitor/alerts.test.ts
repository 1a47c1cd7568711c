/**
 * Alert rules on counts small enough to check by hand.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { evaluateCounts, evaluateKeywordHits, keywordMatcher, ruleWindows } from "./alerts.ts";
import { type AlertRule, resolveMonitorConfig } from "./config.ts";
import type { MonitorDocument } from "./document.ts";
import type { CountRow } from "./store.ts";

const MIN = 60_000;
/** 10:00:30 on 30 November 2026: the minute under way is 10:00. */
const NOW = Date.parse("2026-11-30T10:00:30Z");
const END = Date.parse("2026-11-30T10:01:00Z");

function rule(over: Record<string, unknown>): AlertRule {
  return resolveMonitorConfig({ rules: [{ id: "r", ...over }] }).rules[0]!;
}

/** `negative` of `total` documents in window w (0 = current) of `length` minutes, on one topic. */
function windowRows(topic: string, length: number, windows: [number, number][]): CountRow[] {
  const rows: CountRow[] = [];
  windows.forEach(([total, negative], w) => {
    const bucket = END - (w + 1) * length * MIN;
    if (negative > 0) rows.push({ bucket, topic, sentiment: "negative", n: negative });
    if (total - negative > 0) rows.push({ bucket, topic, sentiment: "neutral", n: total - negative });
  });
  return rows;
}

describe("ruleWindows", () => {
  it("ends at the end of the minute under way and reaches back over the baseline", () => {
    const { current, span } = ruleWindows(rule({ kind: "negative_share", window: "10m", baseline: 3 }), NOW);
    assert.deepEqual(current, { from: END - 10 * MIN, to: END });
    assert.deepEqual(span, { from: END - 40 * MIN, to: END });
  });
});

describe("negative_share", () => {
  const r = rule({ kind: "negative_share", window: "10m", baseline: 4, z: 3, minDocs: 10 });

  it("fires when the share is far above the baseline's, with the numbers in the message", () => {
    // Baseline 6 negative of 40: p0 = (6 + 1) / (40 + 2) = 1/6. Its windows vary less than
    // binomial noise would (sum n (p - p0)^2 = 0.111 < (k - 1) p0 (1 - p0) = 0.417), so tau^2 = 0
    // and the deviation is sqrt(p0 (1 - p0) / 10) = 0.1179. Now 6 of 10: z = (0.6 - 1/6) / 0.1179 = 3.68.
    const rows = windowRows("banking", 10, [
      [10, 6],
      [10, 1],
      [10, 2],
      [10, 1],
      [10, 2],
    ]);
    const [f] = evaluateCounts(r, rows, NOW);
    assert.ok(f !== undefined);
    assert.equal(f.key, "banking");
    assert.equal(f.draft.value, 0.6);
    const p0 = 7 / 42;
    assert.ok(Math.abs(f.draft.baseline.mean! - p0) < 1e-12);
    const sd = Math.sqrt((p0 * (1 - p0)) / 10);
    assert.ok(Math.abs(f.draft.baseline.std! - sd) < 1e-12, String(f.draft.baseline.std));
    assert.ok(Math.abs(f.draft.z! - (0.6 - p0) / sd) < 1e-9, String(f.draft.z));
    assert.equal(f.draft.count, 10);
    assert.match(
      f.draft.message,
      /negative share of "banking" is 60% over the last 10 min \(6 of 10 documents\)/,
    );
  });

  it("holds a sparse baseline to its pooled share, not to the wild shares of near-empty windows", () => {
    // One or two documents an hour, a third of them negative: shares of 0, 0.5 and 1 that a
    // plain standard deviation would call a spread of 0.4. A surge of 45 of 46 still fires.
    const sparse: [number, number][] = [[46, 45]];
    for (let w = 0; w < 4; w++) sparse.push([1, 0], [2, 1], [1, 1], [2, 0]);
    const rows = windowRows("banking", 10, sparse);
    const wide = rule({ kind: "negative_share", window: "10m", baseline: 16, z: 3, minDocs: 10 });
    const [f] = evaluateCounts(wide, rows, NOW);
    assert.ok(f !== undefined && f.draft.z! > 8, JSON.stringify(f?.draft));
    // Windows that truly differ (0 of 20 and 20 of 20) widen the deviation: 15 of 20 is then usual.
    const varied = windowRows("banking", 10, [
      [20, 15],
      [20, 0],
      [20, 20],
      [20, 0],
      [20, 20],
    ]);
    assert.deepEqual(evaluateCounts(r, varied, NOW), []);
  });

  it("stays quiet below the z threshold, with too few documents, or without a baseline", () => {
    // 4 of 10 against p0 = 1/6: z = (0.4 - 1/6) / 0.1179 = 1.98.
    const rows = windowRows("banking", 10, [
      [10, 4],
      [10, 1],
      [10, 2],
      [10, 1],
      [10, 2],
    ]);
    assert.deepEqual(evaluateCounts(r, rows, NOW), []);
    const few = windowRows("banking", 10, [
      [9, 9],
      [10, 1],
      [10, 1],
    ]);
    assert.deepEqual(evaluateCounts(r, few, NOW), []);
    const noBaseline = windowRows("banking", 10, [
      [20, 20],
      [0, 0],
      [0, 0],
      [5, 0],
    ]);
    assert.deepEqual(evaluateCounts(r, noBaseline, NOW), []);
  });

  it("watches each topic on its own with '*', and only the named topic otherwise", () => {
    const rows = [
      ...windowRows("banking", 10, [
        [10, 8],
        [10, 1],
        [10, 1],
      ]),
      ...windowRows("markets", 10, [
        [10, 1],
        [10, 1],
        [10, 1],
      ]),
    ];
    assert.deepEqual(
      evaluateCounts(r, rows, NOW).map((f) => f.key),
      ["banking"],
    );
    const markets = rule({
      kind: "negative_share",
      topic: "markets",
      window: "10m",
      baseline: 4,
      minDocs: 10,
    });
    assert.deepEqual(evaluateCounts(markets, rows, NOW), []);
  });
});

describe("volume_spike", () => {
  it("compares the window's count with the baseline counts, empty windows included", () => {
    const r = rule({ kind: "volume_spike", window: "10m", baseline: 4, z: 3, minDocs: 5 });
    // Baseline 4, 0, 6, 2: mean 3, sample std 2.58; sqrt(mean) 1.73. Now 20: z = 17 / 2.58 = 6.6.
    const rows = windowRows("markets", 10, [
      [20, 0],
      [4, 0],
      [0, 0],
      [6, 0],
      [2, 0],
    ]);
    const [f] = evaluateCounts(r, rows, NOW);
    assert.ok(f !== undefined);
    assert.ok(Math.abs(f.draft.z! - 17 / Math.sqrt(20 / 3)) < 1e-9, String(f.draft.z));
    assert.match(f.draft.message, /^20 documents on "markets" over the last 10 min/);
    const calm = windowRows("markets", 10, [
      [7, 0],
      [4, 0],
      [0, 0],
      [6, 0],
      [2, 0],
    ]);
    assert.deepEqual(evaluateCounts(r, calm, NOW), []);
  });
});

describe("the minimum history of a baseline rule", () => {
  it("fires nothing against an empty or thin baseline, whatever the window holds", () => {
    for (const kind of ["volume_spike", "negative_share"]) {
      const r = rule({ kind, window: "10m", baseline: 8, z: 3, minDocs: 10 });
      // An import into an empty database: everything in the window under way.
      const empty = windowRows("banking", 10, [[57, 57]]);
      assert.deepEqual(evaluateCounts(r, empty, NOW), [], kind);
      // Data in one baseline window only (the default asks for a quarter of 8, at least 2).
      const one = windowRows("banking", 10, [
        [57, 57],
        [0, 0],
        [30, 1],
      ]);
      assert.deepEqual(evaluateCounts(r, one, NOW), [], kind);
      // Two windows with documents, but 4 documents in all, under minBaselineDocs (10).
      const few = windowRows("banking", 10, [
        [57, 57],
        [2, 0],
        [2, 0],
      ]);
      assert.deepEqual(evaluateCounts(r, few, NOW), [], kind);
      const enough = windowRows("banking", 10, [
        [57, 57],
        [6, 1],
        [6, 0],
      ]);
      assert.equal(evaluateCounts(r, enough, NOW).length, 1, kind);
    }
  });

  it("takes its minimum from the rule", () => {
    const rows = windowRows("banking", 10, [
      [57, 0],
      [6, 0],
      [6, 0],
      [6, 0],
    ]);
    const strict = rule({ kind: "volume_spike", window: "10m", baseline: 8, minBaselineWindows: 4 });
    assert.deepEqual(evaluateCounts(strict, rows, NOW), []);
    const docs = rule({ kind: "volume_spike", window: "10m", baseline: 8, minBaselineDocs: 19 });
    assert.deepEqual(evaluateCounts(docs, rows, NOW), []);
    const loose = rule({ kind: "volume_spike", window: "10m", baseline: 8, minBaselineWindows: 3 });
    assert.equal(evaluateCounts(loose, rows, NOW).length, 1);
  });

  it("shows the deviation a volume spike was measured against, never 0.0 ± 0.0", () => {
    // A baseline of 3 documents in each of its windows: a standard deviation of 0, so the
    // z-score uses Poisson noise, sqrt(3) = 1.7: (57 - 3) / 1.732 = 31.2.
    const r = rule({ kind: "volume_spike", window: "10m", baseline: 4, z: 3, minDocs: 10 });
    const rows = windowRows("markets", 10, [
      [57, 0],
      [3, 0],
      [3, 0],
      [3, 0],
      [3, 0],
    ]);
    const [f] = evaluateCounts(r, rows, NOW);
    assert.ok(f !== undefined);
    assert.match(f.draft.message, /against 3\.0 ± 1\.7 in the 4 windows before \(z = 31\.2\)/);
    assert.ok(Math.abs(f.draft.baseline.std! - Math.sqrt(3)) < 1e-12);
  });
});

describe("keyword rules", () => {
  const doc = (text: string, over: Partial<MonitorDocument> = {}): MonitorDocument => ({
    key: text,
    id: null,
    source: "api",
    title: null,
    text,
    url: null,
    lang: "en",
    langScore: null,
    publishedAt: NOW,
    ingestedAt: NOW,
    topic: "banking",
    topicScore: null,
    sentiment: "negative",
    sentimentScore: null,
    entities: [],
    terms: [],
    ...over,
  });

  it("match whole words in spaced scripts, anywhere in Chinese, with the rule's sentiment and topic", () => {
    const rules = resolveMonitorConfig({
      rules: [
        { id: "ai", kind: "keyword", keywords: ["AI"] },
        {
          id: "outage",
          kind: "keyword",
          keywords: ["outage", "宕机"],
          sentiment: "negative",
          topic: "banking",
        },
      ],
    }).rules;
    const match = keywordMatcher(rules);
    assert.deepEqual(match(doc("The AI boom")), ["ai"]);
    assert.deepEqual(match(doc("Rain in Spain")), []);
    assert.deepEqual(match(doc("App OUTAGE again")), ["outage"]);
    assert.deepEqual(match(doc("北岸银行系统宕机", { lang: "zh" })), ["outage"]);
    assert.deepEqual(match(doc("outage fixed", { sentiment: "positive" })), []);
    assert.deepEqual(match(doc("outage", { topic: "technology" })), []);
  });

  it("fire when the window holds minDocs matches, summed over topics for '*'", () => {
    const r = rule({ kind: "keyword", keywords: ["recall"], window: "10m", minDocs: 3 });
    const hits = [
      { bucket: END - 2 * MIN, topic: "consumer", n: 2 },
      { bucket: END - 5 * MIN, topic: "technology", n: 1 },
      { bucket: END - 30 * MIN, topic: "consumer", n: 9 },
    ];
    const [f] = evaluateKeywordHits(r, hits, NOW);
    assert.equal(f?.key, "*");
    assert.equal(f?.draft.count, 3);
    assert.match(f!.draft.message, /^3 documents mention "recall" in the last 10 min/);
    assert.deepEqual(evaluateKeywordHits({ ...r, minDocs: 4 }, hits, NOW), []);
  });
});
