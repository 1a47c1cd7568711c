/**
 * The statistics of online measurement: a rate (click-through, conversion) with a Wilson
 * score interval, and the difference of two rates (an A/B test's treatment minus control)
 * with Newcombe's hybrid score interval (Newcombe 1998, method 10). Both behave where the
 * plain normal (Wald) interval does not: few impressions, and rates near 0 or 1, which is
 * where click-through rates live.
 */

/** The normal quantile of a two-sided 95% interval. */
export const Z_95 = 1.959963984540054;

/** A rate with its interval. */
export interface Rate {
  /** Successes (clicks, conversions). */
  count: number;
  /** Trials (impressions). */
  of: number;
  /** count / of; 0 when there are no trials. */
  rate: number;
  /** The 95% Wilson interval; [0, 1] when there are no trials. */
  low: number;
  high: number;
}

/** The difference of two rates, b − a, with its 95% interval. */
export interface RateDifference {
  estimate: number;
  low: number;
  high: number;
  /** True when the interval excludes 0. */
  significant: boolean;
}

/**
 * A rate with its Wilson score interval.
 *
 * @example
 * rateOf(12, 400); // { count: 12, of: 400, rate: 0.03, low: 0.0172..., high: 0.0518... }
 */
export function rateOf(count: number, of: number, z = Z_95): Rate {
  if (of <= 0) return { count, of, rate: 0, low: 0, high: 1 };
  const p = count / of;
  const z2 = z * z;
  const centre = (p + z2 / (2 * of)) / (1 + z2 / of);
  const half = (z / (1 + z2 / of)) * Math.sqrt((p * (1 - p)) / of + z2 / (4 * of * of));
  return { count, of, rate: p, low: Math.max(0, centre - half), high: Math.min(1, centre + half) };
}

/**
 * The difference b − a of two rates with Newcombe's hybrid score interval, built from each
 * rate's Wilson interval.
 *
 * @example
 * rateDifference(rateOf(30, 1000), rateOf(50, 1000)); // { estimate: 0.02, low: 0.0035..., high: 0.0367..., significant: true }
 */
export function rateDifference(a: Rate, b: Rate): RateDifference {
  const d = b.rate - a.rate;
  if (a.of <= 0 || b.of <= 0) return { estimate: d, low: -1, high: 1, significant: false };
  const low = d - Math.sqrt((b.rate - b.low) ** 2 + (a.high - a.rate) ** 2);
  const high = d + Math.sqrt((b.high - b.rate) ** 2 + (a.rate - a.low) ** 2);
  return { estimate: d, low, high, significant: low > 0 || high < 0 };
}
