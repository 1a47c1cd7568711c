/**
 * Alert rules over the per-minute counts. A rule looks at the last `window` minutes (up to
 * and including the minute under way) and, for the baseline kinds, at the `baseline`
 * windows of the same length before it:
 *
 * - negative_share: the window's share of negative documents p (of n documents) against the
 *   baseline's pooled share p0 (all negative documents of the baseline windows over all their
 *   documents, smoothed by one of each so that it is never 0 or 1). The deviation expected of
 *   p is the sampling noise at the window's own volume, p0(1 - p0)/n, plus the variation of
 *   the true share between windows, tau², estimated from the baseline by the method of
 *   moments (DerSimonian-Laird): tau² = max(0, (sum n_i (p_i - p0)² - (k - 1) p0(1 - p0)) /
 *   (N - sum n_i² / N)). So a quiet hour with one negative post out of two does not make the
 *   baseline look wild, and a busy hour is held to its tighter noise. z = (p - p0) / sd,
 *   with sd at least 0.02.
 * - volume_spike: the window's number of documents against the baseline windows' counts
 *   (empty windows count as zero); the deviation used is at least sqrt(mean) (Poisson
 *   noise) and 1.
 * - keyword: documents that mention one of the rule's words within the window.
 *
 * A baseline rule needs history before it may fire: at least `minBaselineWindows` of its
 * baseline windows must hold documents on the topic, and `minBaselineDocs` documents in all.
 * Without that, a monitor that has just started (or a database that has just been filled by
 * an import, all of it stamped "now") would compare its first documents with an empty past
 * and call them a surge of z = count.
 *
 * A rule fires when the window has at least `minDocs` documents (matches, for keywords) and
 * its z-score reaches `z`; then it stays quiet for that topic for `cooldown` (see the store).
 */
import type { AlertRule } from "./config.ts";
import type { MonitorDocument } from "./document.ts";
import type { AlertDraft, CountRow, TimeRange } from "./store.ts";

const MINUTE = 60_000;
const SHARE_STD_FLOOR = 0.02;

export interface RuleWindows {
  /** The window watched: [from, to), `to` the end of the minute under way. */
  current: TimeRange;
  /** From the oldest baseline window's start to the current window's end. */
  span: TimeRange;
}

/** The windows a rule reads at `now`. */
export function ruleWindows(rule: AlertRule, now: number): RuleWindows {
  const to = Math.floor(now / MINUTE) * MINUTE + MINUTE;
  const length = rule.windowMinutes * MINUTE;
  const baseline = rule.kind === "keyword" ? 0 : rule.baselineWindows;
  return { current: { from: to - length, to }, span: { from: to - (baseline + 1) * length, to } };
}

interface WindowCounts {
  total: number;
  negative: number;
}

/** Per topic, the counts of window 0 (current), 1 (the one before), ..., `windows`. */
function perWindow(
  rows: readonly CountRow[],
  end: number,
  length: number,
  windows: number,
): Map<string, WindowCounts[]> {
  const out = new Map<string, WindowCounts[]>();
  for (const r of rows) {
    const w = Math.floor((end - 1 - r.bucket) / length);
    if (w < 0 || w > windows) continue;
    let list = out.get(r.topic);
    if (list === undefined) {
      list = Array.from({ length: windows + 1 }, () => ({ total: 0, negative: 0 }));
      out.set(r.topic, list);
    }
    list[w]!.total += r.n;
    if (r.sentiment === "negative") list[w]!.negative += r.n;
  }
  return out;
}

function meanStd(values: readonly number[]): { mean: number; std: number } {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance =
    values.length < 2 ? 0 : values.reduce((a, v) => a + (v - mean) ** 2, 0) / (values.length - 1);
  return { mean, std: Math.sqrt(variance) };
}

function percent(x: number): string {
  return `${(x * 100).toFixed(x < 0.1 ? 1 : 0)}%`;
}

function span(minutes: number): string {
  return minutes % 60 === 0 ? `${minutes / 60} h` : `${minutes} min`;
}

/** A draft alert and the key its cooldown is kept under (the topic, or "*"). */
export interface RuleFinding {
  key: string;
  draft: AlertDraft;
}

/**
 * What a baseline rule finds in the counts of its span (rows of minute buckets, as
 * `MonitorStore.counts("minute", span)` returns them).
 *
 * @example
 * const { span } = ruleWindows(rule, now);
 * evaluateCounts(rule, await store.counts("minute", span), now); // [{ key: "banking", draft }]
 */
export function evaluateCounts(rule: AlertRule, rows: readonly CountRow[], now: number): RuleFinding[] {
  const { current } = ruleWindows(rule, now);
  const length = rule.windowMinutes * MINUTE;
  const byTopic = perWindow(rows, current.to, length, rule.baselineWindows);
  const out: RuleFinding[] = [];
  for (const [topic, windows] of byTopic) {
    if (rule.topic !== "*" && topic !== rule.topic) continue;
    const now0 = windows[0]!;
    if (now0.total < rule.minDocs) continue;
    const baseline = windows.slice(1);
    const withDocs = baseline.filter((w) => w.total > 0);
    if (withDocs.length < rule.minBaselineWindows) continue;
    if (withDocs.reduce((a, w) => a + w.total, 0) < rule.minBaselineDocs) continue;
    let value: number;
    let mean: number;
    let std: number;
    let used: number;
    let z: number;
    let message: string;
    if (rule.kind === "negative_share") {
      const N = withDocs.reduce((a, w) => a + w.total, 0);
      const p0 = (withDocs.reduce((a, w) => a + w.negative, 0) + 1) / (N + 2);
      const q = p0 * (1 - p0);
      const spread = withDocs.reduce((a, w) => a + w.total * (w.negative / w.total - p0) ** 2, 0);
      const denominator = N - withDocs.reduce((a, w) => a + w.total * w.total, 0) / N;
      const tau2 = denominator > 0 ? Math.max(0, (spread - (withDocs.length - 1) * q) / denominator) : 0;
      mean = p0;
      value = now0.negative / now0.total;
      std = Math.max(Math.sqrt(q / now0.total + tau2), SHARE_STD_FLOOR);
      z = (value - mean) / std;
      used = withDocs.length;
      message =
        `negative share of "${topic}" is ${percent(value)} over the last ${span(rule.windowMinutes)} ` +
        `(${now0.negative} of ${now0.total} documents), against ${percent(mean)} in the ${used} windows before, ` +
        `where ±${percent(std)} is usual at this volume (z = ${z.toFixed(1)})`;
    } else {
      const counts = meanStd(baseline.map((w) => w.total));
      mean = counts.mean;
      // The deviation the z-score uses, so the message shows what the alert was measured against.
      std = Math.max(counts.std, Math.sqrt(mean), 1);
      value = now0.total;
      z = (value - mean) / std;
      used = baseline.length;
      message =
        `${value} documents on "${topic}" over the last ${span(rule.windowMinutes)}, against ` +
        `${mean.toFixed(1)} ± ${std.toFixed(1)} in the ${used} windows before (z = ${z.toFixed(1)})`;
    }
    if (!(z >= rule.z)) continue;
    out.push({
      key: topic,
      draft: {
        rule: rule.id,
        kind: rule.kind,
        topic,
        message,
        firedAt: now,
        window: current,
        value,
        baseline: { mean, std, windows: used },
        z,
        count: now0.total,
      },
    });
  }
  return out;
}

/**
 * What a keyword rule finds in its matches per minute and topic.
 *
 * @example
 * evaluateKeywordHits(rule, await store.ruleHits(rule.id, ruleWindows(rule, now).current), now);
 */
export function evaluateKeywordHits(
  rule: AlertRule,
  hits: readonly { bucket: number; topic: string; n: number }[],
  now: number,
): RuleFinding[] {
  const { current } = ruleWindows(rule, now);
  const counts = new Map<string, number>();
  for (const h of hits) {
    if (h.bucket < current.from || h.bucket >= current.to) continue;
    const key = rule.topic === "*" ? "*" : h.topic;
    if (rule.topic !== "*" && h.topic !== rule.topic) continue;
    counts.set(key, (counts.get(key) ?? 0) + h.n);
  }
  const out: RuleFinding[] = [];
  for (const [key, n] of counts) {
    if (n < rule.minDocs) continue;
    const words = rule.keywords.map((k) => `"${k}"`).join(", ");
    const where = key === "*" ? "" : ` on "${key}"`;
    out.push({
      key,
      draft: {
        rule: rule.id,
        kind: "keyword",
        topic: key,
        message: `${n} document${n === 1 ? "" : "s"}${where} mention ${words} in the last ${span(rule.windowMinutes)}`,
        firedAt: now,
        window: current,
        value: n,
        baseline: { mean: null, std: null, windows: 0 },
        z: null,
        count: n,
      },
    });
  }
  return out;
}

/** Escapes a text for use inside a regular expression. */
function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * A test for one keyword: words in a spaced script match whole words only ("ai" does not
 * match "rain"); Chinese has no spaces between words, so it matches anywhere.
 */
function keywordTest(keyword: string): (text: string) => boolean {
  if (/\p{Script=Han}/u.test(keyword)) return (text) => text.includes(keyword);
  const pattern = new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegExp(keyword)}(?![\\p{L}\\p{N}])`, "u");
  return (text) => pattern.test(text);
}

/**
 * Which keyword rules a document matches: one of the words in its title or text (folded to
 * lower case), of the rule's sentiment when it has one, and of its topic unless "*".
 */
export function keywordMatcher(rules: readonly AlertRule[]): (doc: MonitorDocument) => string[] {
  const keywordRules = rules
    .filter((r) => r.kind === "keyword")
    .map((rule) => ({ rule, tests: rule.keywords.map(keywordTest) }));
  if (keywordRules.length === 0) return () => [];
  return (doc) => {
    const text = `${doc.title ?? ""}\n${doc.text}`.toLowerCase();
    const out: string[] = [];
    for (const { rule, tests } of keywordRules) {
      if (rule.sentiment !== null && doc.sentiment !== rule.sentiment) continue;
      if (rule.topic !== "*" && doc.topic !== rule.topic) continue;
      if (tests.some((test) => test(text))) out.push(rule.id);
    }
    return out;
  };
}
