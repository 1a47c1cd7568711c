/**
 * The radar's signals, each scaled to [0, 1]; docs/radar.md states every formula with an
 * example computed by hand, and signals.test.ts checks these functions against them.
 *
 * - g (growth): an exponential fit of the technology's share of documents over the window,
 *   log s_t = a + b·t, plus the same fit with weights halving every `halfLife` periods back
 *   (b_w, the recency-weighted slope); g = 1 / (1 + e^(−b_w / growthScale)).
 * - m (market impact): the regression through the origin, weighted by 1/x_t, of its market
 *   mentions y_t on its mentions x_t (β = Σy / Σx), shrunk toward the corpus's market share
 *   p0 with `marketPrior` pseudo-mentions, times its relative presence v; m = √(β̃ · v).
 *   Monte Carlo: the periods of the window drawn with replacement give m's P10 and P90.
 * - r (risk): per category, likelihood L = Σ w_d / (n + riskPrior) over the documents with
 *   a risk term (w_d by sentiment), impact I = 1 − e^(−sources / 2); r_c = L·I, and
 *   r = 1 − Π(1 − r_c).
 * - l (learning effect): see `learningEffect`.
 */
import { Random, TextkitError } from "../../core/index.ts";
import { fitGrowth, type GrowthFit } from "../../models/forecast/index.ts";
import { RISK_CATEGORIES, type RiskCategory } from "./lexicon.ts";

export interface SignalSettings {
  /** Periods the growth and market signals look back over (default 12). */
  window: number;
  /** Periods of data (documents) the window needs, else "not enough data" (default 6). */
  minPeriods: number;
  /** Mentions in the window a technology needs, else "not enough data" (default 8). */
  minMentions: number;
  /** Periods after which a period's weight in the recency-weighted growth halves (default 4). */
  halfLife: number;
  /** Slope of log share per period that maps to g = 0.73 (default 0.15, i.e. +16% a period). */
  growthScale: number;
  /** Pseudo-mentions pulling a technology's market share toward the corpus's (default 5). */
  marketPrior: number;
  /** Monte Carlo draws of m (default 100). */
  marketDraws: number;
  /** Periods the risk looks back over (default 3), shorter than the window so incidents show soon. */
  riskWindow: number;
  /** Pseudo-documents in the likelihood's denominator (default 2). */
  riskPrior: number;
  seed: number;
}

export const DEFAULT_SIGNAL_SETTINGS: Readonly<SignalSettings> = Object.freeze({
  window: 12,
  minPeriods: 6,
  minMentions: 8,
  halfLife: 4,
  growthScale: 0.15,
  marketPrior: 5,
  marketDraws: 100,
  riskWindow: 3,
  riskPrior: 2,
  seed: 1,
});

export interface GrowthSignal {
  g: number;
  /** Slope of the unweighted exponential fit of the share, per period. */
  slope: number;
  slopeStandardError: number;
  /** e^slope − 1. */
  growthRate: number;
  doublingTime: number | null;
  r2: number;
  /** The recency-weighted slope g is made from. */
  weightedSlope: number;
}

/** Smoothed share of documents: (x + 0.5) / (n + 1), so that a period without mentions has a logarithm. */
export function smoothedShare(mentions: number, documents: number): number {
  return (mentions + 0.5) / (documents + 1);
}

/** Least-squares slope of y on t = 0..n−1 with weights w. */
export function weightedSlope(y: ArrayLike<number>, w: ArrayLike<number>): number {
  let sw = 0;
  let st = 0;
  let sy = 0;
  for (let t = 0; t < y.length; t++) {
    sw += w[t]!;
    st += w[t]! * t;
    sy += w[t]! * y[t]!;
  }
  const tm = st / sw;
  const ym = sy / sw;
  let num = 0;
  let den = 0;
  for (let t = 0; t < y.length; t++) {
    num += w[t]! * (t - tm) * (y[t]! - ym);
    den += w[t]! * (t - tm) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

/** Recency weights 2^(−(n−1−t)/halfLife), the last period weighing 1. */
export function recencyWeights(n: number, halfLife: number): Float64Array {
  const w = new Float64Array(n);
  for (let t = 0; t < n; t++) w[t] = 2 ** (-(n - 1 - t) / halfLife);
  return w;
}

/**
 * g from the mentions and documents of the window's periods (oldest first).
 *
 * @example
 * growthSignal([1, 2, 4, 8], [10, 10, 10, 10], settings).g; // near 1: the share doubles every period
 */
export function growthSignal(
  mentions: ArrayLike<number>,
  documents: ArrayLike<number>,
  settings: Pick<SignalSettings, "halfLife" | "growthScale">,
): GrowthSignal {
  const n = mentions.length;
  if (n < 3) throw new TextkitError("DATA_SERIES_TOO_SHORT", `growth needs at least 3 periods, got ${n}`);
  const shares = Array.from({ length: n }, (_, t) => smoothedShare(mentions[t]!, documents[t]!));
  const fit: GrowthFit = fitGrowth(shares);
  const logs = shares.map((s) => Math.log(s));
  const bw = weightedSlope(logs, recencyWeights(n, settings.halfLife));
  return {
    g: 1 / (1 + Math.exp(-bw / settings.growthScale)),
    slope: fit.slope,
    slopeStandardError: fit.slopeStandardError,
    growthRate: fit.growthRate,
    doublingTime: fit.doublingTime,
    r2: fit.r2,
    weightedSlope: bw,
  };
}

export interface MarketSignal {
  m: number;
  /** β̃: the shrunk share of its mentions that speak of the market. */
  share: number;
  /** v: log(1 + its mentions) / log(1 + the most mentions of any technology), in the window. */
  presence: number;
  p10: number;
  p50: number;
  p90: number;
}

function marketValue(y: number, x: number, p0: number, prior: number, maxMentions: number): number {
  const share = (y + prior * p0) / (x + prior);
  const presence = maxMentions <= 0 ? 0 : Math.log1p(x) / Math.log1p(maxMentions);
  return Math.sqrt(share * Math.min(1, presence));
}

/**
 * m from the window's market mentions and mentions per period, the corpus's market share of
 * mentions p0 and the most mentions any technology had in the window.
 *
 * @example
 * marketSignal([5, 5], [10, 10], 0.2, 20, settings).share; // (10 + 5·0.2) / (20 + 5) = 0.44
 */
export function marketSignal(
  market: ArrayLike<number>,
  mentions: ArrayLike<number>,
  p0: number,
  maxMentions: number,
  settings: Pick<SignalSettings, "marketPrior" | "marketDraws" | "seed">,
): MarketSignal {
  const n = mentions.length;
  let y = 0;
  let x = 0;
  for (let t = 0; t < n; t++) {
    y += market[t]!;
    x += mentions[t]!;
  }
  const prior = settings.marketPrior;
  const share = (y + prior * p0) / (x + prior);
  const presence = maxMentions <= 0 ? 0 : Math.min(1, Math.log1p(x) / Math.log1p(maxMentions));
  const draws = new Float64Array(settings.marketDraws);
  const rng = new Random(settings.seed);
  for (let d = 0; d < draws.length; d++) {
    let yd = 0;
    let xd = 0;
    for (let k = 0; k < n; k++) {
      const t = rng.int(n);
      yd += market[t]!;
      xd += mentions[t]!;
    }
    draws[d] = marketValue(yd, xd, p0, prior, maxMentions);
  }
  draws.sort();
  const q = (p: number) =>
    draws.length === 0 ? Number.NaN : draws[Math.min(draws.length - 1, Math.floor(p * draws.length))]!;
  return { m: Math.sqrt(share * presence), share, presence, p10: q(0.1), p50: q(0.5), p90: q(0.9) };
}

export interface RiskCell {
  category: RiskCategory;
  likelihood: number;
  impact: number;
  /** L·I. */
  score: number;
  /** Cell of the 5 × 5 matrix, 1..5 each. */
  likelihoodLevel: number;
  impactLevel: number;
  documents: number;
  sources: number;
}

export interface RiskSignal {
  r: number;
  cells: RiskCell[];
  /** The category with the highest L·I. */
  worst: RiskCategory;
}

/** Level 1..5 of a value in [0, 1] on the risk matrix. */
export function matrixLevel(value: number): number {
  return Math.min(5, Math.max(1, Math.ceil(value * 5)));
}

/**
 * r from, per category, the weighted risk documents, their number and their distinct sources,
 * and the technology's mentions over the risk window.
 *
 * @example
 * riskSignal([{ weight: 3, documents: 3, sources: 2 }, ...], 10, 2).r;
 */
export function riskSignal(
  perCategory: readonly { weight: number; documents: number; sources: number }[],
  mentions: number,
  prior: number,
): RiskSignal {
  let keep = 1;
  const cells = RISK_CATEGORIES.map((category, c) => {
    const k = perCategory[c] ?? { weight: 0, documents: 0, sources: 0 };
    const likelihood = k.weight / (mentions + prior);
    const impact = 1 - Math.exp(-k.sources / 2);
    const score = likelihood * impact;
    keep *= 1 - score;
    return {
      category,
      likelihood,
      impact,
      score,
      likelihoodLevel: matrixLevel(likelihood),
      impactLevel: matrixLevel(impact),
      documents: k.documents,
      sources: k.sources,
    };
  });
  const worst = cells.reduce((a, b) => (b.score > a.score ? b : a));
  return { r: 1 - keep, cells, worst: worst.category };
}

/** A known skill of a profile, for the learning effect. */
export interface LearningInput {
  /** Hours a newcomer needs to become proficient in the technology. */
  effortHours: number;
  /** The learner's level in the technology itself, 0..5. */
  ownLevel: number;
  hoursPerWeek: number;
  /** Σ over known skills of (level / 5) · co-mention strength with the technology, capped at 1. */
  related: number;
  /** Weeks over which the learning is valued (default 12). */
  horizonWeeks: number;
}

export interface LearningSignal {
  l: number;
  /** 1 + 2·related: how much faster related skills make it. */
  speed: number;
  /** Weeks to proficiency (80% of the curve) from the learner's level. */
  weeks: number;
}

/**
 * l: the learning curve p(t) = 1 − e^(−λt) with λ = ln 5 · hoursPerWeek · speed / effortHours
 * (so a newcomer reaches 80% after effortHours of study), speed = 1 + 2·related; l is the gap
 * still to learn, (1 − ownLevel/5), times p(horizon).
 *
 * @example
 * learningEffect({ effortHours: 60, ownLevel: 0, hoursPerWeek: 5, related: 0, horizonWeeks: 12 }).l; // 0.8
 */
export function learningEffect(input: LearningInput): LearningSignal {
  const speed = 1 + 2 * Math.min(1, Math.max(0, input.related));
  const lambda = (Math.log(5) * input.hoursPerWeek * speed) / input.effortHours;
  const gap = 1 - Math.min(5, Math.max(0, input.ownLevel)) / 5;
  const weeks = (gap * input.effortHours) / (input.hoursPerWeek * speed);
  return { l: gap * (1 - Math.exp(-lambda * input.horizonWeeks)), speed, weeks };
}
