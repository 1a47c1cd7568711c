/**
 * Where a technology's mentions go next: the forecasting module's exponential fit and Monte
 * Carlo scenarios (`simulateGrowth`) over the window's mentions, as P10/P50/P90 bands for
 * `horizon` periods; and the probability that its ring changes next period, from 100
 * equally likely next-period values (the scenarios' percentiles 0.5, 1.5, ..., 99.5) each
 * put through the growth signal and the ring rules with m and r held.
 */
import { fitGrowth, simulateGrowth } from "../../models/forecast/index.ts";
import type { RingDefinition } from "./dictionary.ts";
import { nextRing, type RingSettings } from "./rings.ts";
import { growthSignal, type SignalSettings } from "./signals.ts";

export interface MentionForecast {
  /** Period starts of the forecast steps. */
  periods: number[];
  p10: number[];
  p50: number[];
  p90: number[];
  /** Probability (0..1) that the blip is in another ring next period. */
  ringChange: number;
  /** The ring most scenarios lead to next period. */
  likelyRing: number | null;
}

const EQUAL_QUANTILES = Array.from({ length: 100 }, (_, k) => k + 0.5);

export interface ForecastInput {
  mentions: readonly number[];
  documents: readonly number[];
  /** Period starts of the steps ahead. */
  ahead: readonly number[];
  m: number;
  r: number;
  ring: number | null;
  periodsInRing: number;
}

/**
 * The forecast of one blip; mentions are shifted by 0.5 for the logarithm and back.
 *
 * @example
 * forecastMentions({ mentions: [4, 6, 9, 13, 20, 30], documents: [100, 100, 100, 100, 100, 100], ahead: [1, 2], m: 0.5, r: 0, ring: 1, periodsInRing: 3 }, ...);
 */
export function forecastMentions(
  input: ForecastInput,
  rings: readonly RingDefinition[],
  signals: Pick<SignalSettings, "halfLife" | "growthScale" | "seed">,
  ringSettings: RingSettings,
  paths: number,
): MentionForecast {
  const fit = fitGrowth(input.mentions.map((x) => x + 0.5));
  const horizon = input.ahead.length;
  const sim = simulateGrowth(fit, { horizon, paths, percentiles: [10, 50, 90], seed: signals.seed });
  const band = (j: number) => Array.from(sim.bands[j]!, (v) => Math.max(0, v - 0.5));
  const next = simulateGrowth(fit, {
    horizon: 1,
    paths,
    percentiles: EQUAL_QUANTILES,
    seed: signals.seed + 1,
  });
  const docsNext = input.documents[input.documents.length - 1]!;
  const votes = new Map<number, number>();
  let changed = 0;
  for (const q of next.bands) {
    const value = Math.max(0, q[0]! - 0.5);
    const mentions = [...input.mentions.slice(1), value];
    const documents = [...input.documents.slice(1), docsNext];
    const g = growthSignal(mentions, documents, signals).g;
    const ring = nextRing(g * input.m * (1 - input.r), input.ring, input.periodsInRing, rings, ringSettings);
    votes.set(ring, (votes.get(ring) ?? 0) + 1);
    if (ring !== input.ring) changed++;
  }
  let likelyRing: number | null = null;
  let best = -1;
  for (const [ring, n] of votes) if (n > best) [likelyRing, best] = [ring, n];
  return {
    periods: [...input.ahead],
    p10: band(0),
    p50: band(1),
    p90: band(2),
    ringChange: changed / next.bands.length,
    likelyRing,
  };
}
