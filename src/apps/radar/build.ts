/**
 * Builds the radar from documents: counts (counter.ts), then for each period from the first
 * one with a full window, every technology's signals and score; then the ring pass with its
 * hysteresis and overrides (rings.ts), movement against the previous snapshot, and for the
 * latest snapshot the forecasts, discovery candidates and alert findings. The result is
 * plain data (JSON-safe), what the store keeps and the API and dashboard show.
 */

import { type Evidence, type PeriodCounts, RadarCounter } from "./counter.ts";
import type { RadarDictionary, Technology } from "./dictionary.ts";
import { type Candidate, discoverCandidates } from "./discovery.ts";
import type { RadarDocument } from "./document.ts";
import { forecastMentions, type MentionForecast } from "./forecast.ts";
import { RISK_CATEGORIES } from "./lexicon.ts";
import { addPeriods, type Period, periodLabel } from "./periods.ts";
import {
  DEFAULT_RING_SETTINGS,
  type Movement,
  type RingOverride,
  type RingSettings,
  ringHistory,
} from "./rings.ts";
import {
  DEFAULT_SIGNAL_SETTINGS,
  type GrowthSignal,
  growthSignal,
  type MarketSignal,
  marketSignal,
  type RiskSignal,
  riskSignal,
  type SignalSettings,
} from "./signals.ts";

export interface RadarSettings extends SignalSettings, RingSettings {
  period: Period;
  /** Periods forecast ahead (default 4). */
  horizon: number;
  /** Monte Carlo paths of the forecast (default 500). */
  forecastPaths: number;
  /** Recency-weighted slope (log share per period) from which a blip is "rising fast" (default 0.15). */
  risingSlope: number;
  /** Rise of r from one period to the next that raises an alert (default 0.1). */
  riskJump: number;
}

export const DEFAULT_RADAR_SETTINGS: Readonly<RadarSettings> = Object.freeze({
  ...DEFAULT_SIGNAL_SETTINGS,
  ...DEFAULT_RING_SETTINGS,
  period: "week",
  horizon: 4,
  forecastPaths: 500,
  risingSlope: 0.15,
  riskJump: 0.1,
});

/** One technology in one snapshot. */
export interface Blip {
  technology: string;
  quadrant: string;
  /** "insufficient": too few periods or mentions in the window to score honestly. */
  status: "scored" | "insufficient";
  reason: string | null;
  /** Documents mentioning it in the window. */
  mentions: number;
  g: number | null;
  m: number | null;
  r: number | null;
  /** g·m·(1 − r), what the rings follow. */
  score: number | null;
  growth: GrowthSignal | null;
  market: MarketSignal | null;
  risk: RiskSignal | null;
  sentiment: { negative: number; positive: number; rated: number };
  ring: string | null;
  previousRing: string | null;
  movement: Movement;
  periodsInRing: number;
  override: RingOverride | null;
  forecast: MentionForecast | null;
}

export interface Snapshot {
  period: number;
  label: string;
  documents: number;
  blips: Blip[];
}

/** What raises an alert in the latest snapshot. */
export interface RadarFinding {
  kind: "ring_moved" | "rising_fast" | "risk_jumped";
  technology: string;
  message: string;
  value: number;
  previous: number | null;
}

export interface RadarBuild {
  builtAt: number;
  settings: RadarSettings;
  quadrants: string[];
  rings: RadarDictionary["rings"];
  technologies: Pick<Technology, "name" | "quadrant" | "aliases" | "links" | "description" | "effortHours">[];
  periods: { start: number; label: string; documents: number }[];
  /** Per technology (dictionary order), documents mentioning it per period. */
  series: number[][];
  snapshots: Snapshot[];
  /** Co-mention strengths above 0 (the knowledge graph). */
  graph: { a: string; b: string; strength: number; documents: number }[];
  evidence: Record<string, Evidence[]>;
  discovery: Candidate[];
  findings: RadarFinding[];
  documents: number;
}

function windowOf<T>(periods: readonly T[], end: number, length: number): T[] {
  return periods.slice(Math.max(0, end - length + 1), end + 1);
}

interface ScoreInput {
  counter: RadarCounter;
  periods: PeriodCounts[];
  index: number;
  settings: RadarSettings;
  p0: number;
  maxMentions: number;
}

function unscored(tech: Technology, mentions: number, reason: string): Blip {
  return {
    technology: tech.name,
    quadrant: tech.quadrant,
    status: "insufficient",
    reason,
    mentions,
    g: null,
    m: null,
    r: null,
    score: null,
    growth: null,
    market: null,
    risk: null,
    sentiment: { negative: 0, positive: 0, rated: 0 },
    ring: null,
    previousRing: null,
    movement: "none",
    periodsInRing: 0,
    override: null,
    forecast: null,
  };
}

/** Why a technology with `total` mentions over `window` is not scored, or null when it is. */
function insufficientReason(
  window: readonly PeriodCounts[],
  total: number,
  settings: RadarSettings,
): string | null {
  const withData = window.filter((p) => p.documents > 0).length;
  if (withData < settings.minPeriods)
    return `${withData} of the last ${settings.window} periods have documents; scoring needs ${settings.minPeriods}`;
  if (total < settings.minMentions)
    return `${total} mentions in the last ${window.length} periods; scoring needs ${settings.minMentions}`;
  return null;
}

/** Technology `t`'s risk over the risk window ending at period `index`: weight, documents and sources per category. */
function riskOf(periods: PeriodCounts[], index: number, t: number, settings: RadarSettings): RiskSignal {
  const riskWindow = windowOf(periods, index, settings.riskWindow);
  const perCategory = RISK_CATEGORIES.map((_, c) => {
    const key = t * RISK_CATEGORIES.length + c;
    let sources: Set<string> | undefined;
    let weight = 0;
    let documents = 0;
    for (const p of riskWindow) {
      if (p.riskDocuments[key] === 0) continue;
      weight += p.riskWeight[key]!;
      documents += p.riskDocuments[key]!;
      sources ??= new Set();
      for (const s of p.riskSources.get(key) ?? []) sources.add(s);
    }
    return { weight, documents, sources: sources?.size ?? 0 };
  });
  const riskMentions = riskWindow.reduce((a, p) => a + p.mentions[t]!, 0);
  return riskSignal(perCategory, riskMentions, settings.riskPrior);
}

function scoreBlip(tech: Technology, input: ScoreInput): Blip {
  const { periods, index, settings } = input;
  const t = tech.id;
  const from = Math.max(0, index - settings.window + 1);
  let total = 0;
  for (let k = from; k <= index; k++) total += periods[k]!.mentions[t]!;
  if (total === 0) return unscored(tech, 0, `no mentions in the last ${index - from + 1} periods`);
  const window = periods.slice(from, index + 1);
  const mentions = window.map((p) => p.mentions[t]!);
  const sentiment = { negative: 0, positive: 0, rated: 0 };
  for (const p of window) {
    sentiment.negative += p.negative[t]!;
    sentiment.positive += p.positive[t]!;
    sentiment.rated += p.rated[t]!;
  }
  const base = {
    technology: tech.name,
    quadrant: tech.quadrant,
    mentions: total,
    sentiment,
    ring: null,
    previousRing: null,
    movement: "none" as Movement,
    periodsInRing: 0,
    override: null,
    forecast: null,
  };
  const reason = insufficientReason(window, total, settings);
  if (reason !== null) {
    return {
      ...base,
      status: "insufficient",
      reason,
      g: null,
      m: null,
      r: null,
      score: null,
      growth: null,
      market: null,
      risk: null,
    };
  }
  const growth = growthSignal(
    mentions,
    window.map((p) => p.documents),
    settings,
  );
  const market = marketSignal(
    window.map((p) => p.market[t]!),
    mentions,
    input.p0,
    input.maxMentions,
    settings,
  );
  const risk = riskOf(periods, index, t, settings);
  const score = growth.g * market.m * (1 - risk.r);
  return {
    ...base,
    status: "scored",
    reason: null,
    g: growth.g,
    m: market.m,
    r: risk.r,
    score,
    growth,
    market,
    risk,
  };
}

/** Market share of mentions over the window, and the most mentions of any technology. */
function corpusFigures(
  periods: PeriodCounts[],
  index: number,
  settings: RadarSettings,
): { p0: number; maxMentions: number } {
  const window = windowOf(periods, index, settings.window);
  const size = window[0]?.mentions.length ?? 0;
  let market = 0;
  let all = 0;
  let maxMentions = 0;
  for (let t = 0; t < size; t++) {
    let x = 0;
    for (const p of window) {
      x += p.mentions[t]!;
      market += p.market[t]!;
    }
    all += x;
    maxMentions = Math.max(maxMentions, x);
  }
  return { p0: all === 0 ? 0 : market / all, maxMentions };
}

export interface BuildOptions {
  settings?: Partial<RadarSettings>;
  overrides?: readonly RingOverride[];
  now?: number;
}

/** Counts documents into a counter (what `buildRadar` does first; exposed for streaming sources). */
export async function countDocuments(
  documents: Iterable<RadarDocument> | AsyncIterable<RadarDocument>,
  dictionary: RadarDictionary,
  period: Period,
): Promise<RadarCounter> {
  const counter = new RadarCounter(dictionary, period);
  for await (const doc of documents) counter.add(doc);
  return counter;
}

/**
 * Builds the radar.
 *
 * @example
 * const radar = await buildRadar(documents, readDictionary("tech.yaml"), { settings: { period: "month" } });
 * radar.snapshots.at(-1)?.blips.map((b) => [b.technology, b.ring]);
 */
export async function buildRadar(
  documents: Iterable<RadarDocument> | AsyncIterable<RadarDocument>,
  dictionary: RadarDictionary,
  options: BuildOptions = {},
): Promise<RadarBuild> {
  const settings: RadarSettings = { ...DEFAULT_RADAR_SETTINGS, ...options.settings };
  const counter = await countDocuments(documents, dictionary, settings.period);
  return radarFromCounts(counter, dictionary, settings, options.overrides ?? [], options.now ?? Date.now());
}

/** The rest of the build, once the documents are counted. */
export function radarFromCounts(
  counter: RadarCounter,
  dictionary: RadarDictionary,
  settings: RadarSettings,
  overrides: readonly RingOverride[],
  now: number,
): RadarBuild {
  const periods = counter.periods();
  const snapshots: Snapshot[] = [];
  for (let i = Math.max(0, settings.minPeriods - 1); i < periods.length; i++) {
    const figures = corpusFigures(periods, i, settings);
    const input: ScoreInput = { counter, periods, index: i, settings, ...figures };
    snapshots.push({
      period: periods[i]!.start,
      label: periodLabel(periods[i]!.start, settings.period),
      documents: periods[i]!.documents,
      blips: dictionary.technologies.map((tech) => scoreBlip(tech, input)),
    });
  }
  applyRings(snapshots, dictionary, settings, overrides);
  const last = snapshots[snapshots.length - 1];
  if (last !== undefined) addForecasts(last, periods, dictionary, settings);
  const names = dictionary.technologies.map((t) => t.name);
  const graph: RadarBuild["graph"] = [];
  for (const [key, both] of counter.pairs) {
    const a = Math.floor(key / names.length);
    const b = key % names.length;
    graph.push({ a: names[a]!, b: names[b]!, strength: counter.strength(a, b), documents: both });
  }
  graph.sort((x, y) => y.strength - x.strength || x.a.localeCompare(y.a) || x.b.localeCompare(y.b));
  return {
    builtAt: now,
    settings,
    quadrants: [...dictionary.quadrants],
    rings: dictionary.rings.map((r) => ({ ...r })),
    technologies: dictionary.technologies.map(
      ({ name, quadrant, aliases, links, description, effortHours }) => ({
        name,
        quadrant,
        aliases,
        links,
        description,
        effortHours,
      }),
    ),
    periods: periods.map((p) => ({
      start: p.start,
      label: periodLabel(p.start, settings.period),
      documents: p.documents,
    })),
    series: dictionary.technologies.map((t) => periods.map((p) => p.mentions[t.id]!)),
    snapshots,
    graph,
    evidence: Object.fromEntries(dictionary.technologies.map((t) => [t.name, counter.evidence[t.id]!])),
    discovery: discoverCandidates(
      counter.candidates,
      periods.map((p) => p.start),
      settings.window,
    ),
    findings: findingsOf(snapshots, settings),
    documents: counter.documents,
  };
}

/** (Re)runs the ring pass over the snapshots' scores: after a build, and after an override. */
export function applyRings(
  snapshots: Snapshot[],
  dictionary: {
    rings: readonly RadarDictionary["rings"][number][];
    technologies: readonly { name: string }[];
  },
  settings: RingSettings & { period: Period },
  overrides: readonly RingOverride[],
): void {
  const ends = snapshots.map((s) => addPeriods(s.period, settings.period, 1));
  dictionary.technologies.forEach((tech, t) => {
    const mine = overrides.filter((o) => o.technology === tech.name);
    const history = ringHistory(
      snapshots.map((s) => s.blips[t]!.score),
      ends,
      mine,
      dictionary.rings,
      settings,
    );
    history.forEach((state, k) => {
      const blip = snapshots[k]!.blips[t]!;
      blip.ring = state.ring === null ? null : dictionary.rings[state.ring]!.name;
      blip.previousRing = state.previousRing === null ? null : dictionary.rings[state.previousRing]!.name;
      blip.movement = state.movement;
      blip.periodsInRing = state.periodsInRing;
      blip.override = state.override;
    });
  });
}

function addForecasts(
  last: Snapshot,
  periods: PeriodCounts[],
  dictionary: RadarDictionary,
  settings: RadarSettings,
): void {
  const window = windowOf(periods, periods.length - 1, settings.window);
  const ahead = Array.from({ length: settings.horizon }, (_, k) =>
    addPeriods(last.period, settings.period, k + 1),
  );
  const ringIndex = new Map(dictionary.rings.map((r, i) => [r.name, i]));
  last.blips.forEach((blip, t) => {
    if (blip.status !== "scored") return;
    const forecast = forecastMentions(
      {
        mentions: window.map((p) => p.mentions[t]!),
        documents: window.map((p) => p.documents),
        ahead,
        m: blip.m!,
        r: blip.r!,
        ring: blip.ring === null ? null : ringIndex.get(blip.ring)!,
        periodsInRing: blip.periodsInRing,
      },
      dictionary.rings,
      settings,
      settings,
      settings.forecastPaths,
    );
    blip.forecast = forecast;
  });
}

/** What the latest snapshot says that deserves an alert, against the one before. */
export function findingsOf(
  snapshots: readonly Snapshot[],
  settings: Pick<RadarSettings, "risingSlope" | "riskJump">,
): RadarFinding[] {
  const last = snapshots[snapshots.length - 1];
  if (last === undefined) return [];
  const before = snapshots[snapshots.length - 2];
  const out: RadarFinding[] = [];
  last.blips.forEach((blip, t) => {
    const prev = before?.blips[t];
    if ((blip.movement === "in" || blip.movement === "out") && blip.ring !== null) {
      out.push({
        kind: "ring_moved",
        technology: blip.technology,
        message: `${blip.technology} moved ${blip.movement === "in" ? "in" : "out"} from ${blip.previousRing} to ${blip.ring} in ${last.label}`,
        value: blip.score ?? 0,
        previous: prev?.score ?? null,
      });
    }
    if (blip.growth !== null && blip.growth.weightedSlope >= settings.risingSlope) {
      out.push({
        kind: "rising_fast",
        technology: blip.technology,
        message: `${blip.technology} is rising fast: its share of documents grows ${(100 * (Math.exp(blip.growth.weightedSlope) - 1)).toFixed(0)}% a period (recency-weighted)`,
        value: blip.growth.weightedSlope,
        previous: prev?.growth?.weightedSlope ?? null,
      });
    }
    if (
      blip.r !== null &&
      prev?.r !== null &&
      prev?.r !== undefined &&
      blip.r - prev.r >= settings.riskJump
    ) {
      out.push({
        kind: "risk_jumped",
        technology: blip.technology,
        message: `risk of ${blip.technology} jumped from ${prev.r.toFixed(2)} to ${blip.r.toFixed(2)} (${blip.risk!.worst}) in ${last.label}`,
        value: blip.r,
        previous: prev.r,
      });
    }
  });
  return out;
}
