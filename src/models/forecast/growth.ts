/**
 * Exponential growth: the log-linear fit log(y_t) = a + b·t (t = 0, 1, ... in steps of the
 * series) by least squares, its growth rate per step e^b - 1 and doubling time ln 2 / b;
 * and Monte Carlo scenarios of the future drawn from that fit.
 *
 * The scenarios are a residual bootstrap: each path refits a and b on the fitted curve
 * plus residuals drawn with replacement (so the paths carry the uncertainty of the growth
 * rate), then adds freshly drawn residuals to its own curve for every future step (the
 * noise around the trend). Residuals are drawn independently; a series whose deviations
 * from the trend persist over many steps will have wider real uncertainty than the bands.
 */
import { Random, TextkitError } from "../../core/index.ts";
import { QrAccumulator } from "../numeric/index.ts";

export interface GrowthFit {
  /** log(y) at t = 0. */
  intercept: number;
  /** Growth of log(y) per step. */
  slope: number;
  slopeStandardError: number;
  /** e^slope - 1: 0.035 means +3.5% per step. */
  growthRate: number;
  /** Steps for the value to double (ln 2 / slope); for a shrinking series, negative: the steps to halve. Null when flat. */
  doublingTime: number | null;
  /** R² of the fit on the log scale. */
  r2: number;
  /** log(y_t) - (a + b·t). */
  residuals: Float64Array;
  points: number;
}

/**
 * Fits exponential growth to positive values, one per step.
 *
 * @example
 * fitGrowth([100, 110, 121, 133.1]).growthRate; // 0.1 (to rounding)
 */
export function fitGrowth(
  values: ArrayLike<number>,
  where?: { file: string; lines: ArrayLike<number> },
): GrowthFit {
  const n = values.length;
  if (n < 3) {
    throw new TextkitError(
      "DATA_SERIES_TOO_SHORT",
      `a growth fit needs at least 3 points to say anything about its error; the series has ${n}`,
      where === undefined ? {} : { file: where.file },
    );
  }
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  for (let t = 0; t < n; t++) {
    const v = values[t]!;
    if (!(v > 0)) {
      throw new TextkitError(
        "DATA_BAD_ROW",
        `${where === undefined ? `value ${t + 1}` : `line ${where.lines[t]}`} is ${v}; exponential growth is fitted on logarithms, so every value must be above 0`,
        where === undefined ? {} : { file: where.file, line: where.lines[t]! },
      );
    }
    x[t] = t;
    y[t] = Math.log(v);
  }
  const qr = new QrAccumulator(1);
  qr.add(x, y, n);
  const { beta, covariance, rss } = qr.solve(["t"]);
  const a = beta[0]!;
  const b = beta[1]!;
  let mean = 0;
  for (let t = 0; t < n; t++) mean += y[t]!;
  mean /= n;
  let tss = 0;
  const residuals = new Float64Array(n);
  for (let t = 0; t < n; t++) {
    tss += (y[t]! - mean) ** 2;
    residuals[t] = y[t]! - (a + b * t);
  }
  return {
    intercept: a,
    slope: b,
    slopeStandardError: Math.sqrt(covariance[3]!),
    growthRate: Math.expm1(b),
    doublingTime: b === 0 ? null : Math.LN2 / b,
    r2: tss > 0 ? 1 - rss / tss : 1,
    residuals,
    points: n,
  };
}

export interface SimulationOptions {
  /** Paths drawn (default 1000). */
  paths?: number;
  /** Steps after the last point. */
  horizon: number;
  /** Percentiles reported per step, 0..100 (default 5, 50, 95). */
  percentiles?: readonly number[];
  seed?: number;
}

export interface GrowthSimulation {
  paths: number;
  horizon: number;
  percentiles: number[];
  /** bands[j][h - 1]: percentile `percentiles[j]` of the paths' values h steps after the last point. */
  bands: Float64Array[];
  /** Mean of the paths' values per step. */
  mean: Float64Array;
}

/**
 * Linear-interpolation percentile (numpy's default) of sorted values, q in 0..100.
 *
 * @example
 * percentileOfSorted(Float64Array.of(1, 2, 3, 4), 50); // 2.5
 */
export function percentileOfSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const pos = ((n - 1) * q) / 100;
  const lo = Math.floor(pos);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/**
 * Monte Carlo scenarios of a growth fit: `paths` futures of `horizon` steps (see the file
 * header), summarised as percentile bands. The same seed gives the same bands.
 *
 * @example
 * const sim = simulateGrowth(fitGrowth(values), { horizon: 12, paths: 1000, seed: 1 });
 * sim.bands[2][11]; // the 95th percentile 12 steps ahead
 */
export function simulateGrowth(fit: GrowthFit, options: SimulationOptions): GrowthSimulation {
  const paths = options.paths ?? 1000;
  const horizon = options.horizon;
  const percentiles = [...(options.percentiles ?? [5, 50, 95])];
  if (!(Number.isInteger(paths) && paths >= 1 && paths <= 10_000_000)) {
    throw new TextkitError("OPTION_INVALID", `paths must be a whole number from 1 to 10000000, got ${paths}`);
  }
  if (!(Number.isInteger(horizon) && horizon >= 1)) {
    throw new TextkitError("OPTION_INVALID", `horizon must be a whole number >= 1, got ${horizon}`);
  }
  for (const q of percentiles) {
    if (!(q >= 0 && q <= 100))
      throw new TextkitError("OPTION_INVALID", `percentiles must be from 0 to 100, got ${q}`);
  }
  const rng = new Random(options.seed ?? 1);
  const n = fit.points;
  const residuals = fit.residuals;
  const tMean = (n - 1) / 2;
  let tss = 0;
  for (let t = 0; t < n; t++) tss += (t - tMean) ** 2;
  const values = new Float64Array(paths * horizon);
  for (let p = 0; p < paths; p++) {
    // Refit on the fitted curve plus resampled residuals: a draw of (a, b).
    let sy = 0;
    let sty = 0;
    for (let t = 0; t < n; t++) {
      const y = fit.intercept + fit.slope * t + residuals[rng.int(n)]!;
      sy += y;
      sty += (t - tMean) * y;
    }
    const b = sty / tss;
    const a = sy / n - b * tMean;
    for (let h = 1; h <= horizon; h++) {
      const t = n - 1 + h;
      values[h - 1 + p * horizon] = Math.exp(a + b * t + residuals[rng.int(n)]!);
    }
  }
  const bands = percentiles.map(() => new Float64Array(horizon));
  const mean = new Float64Array(horizon);
  const column = new Float64Array(paths);
  for (let h = 0; h < horizon; h++) {
    let sum = 0;
    for (let p = 0; p < paths; p++) {
      column[p] = values[h + p * horizon]!;
      sum += column[p]!;
    }
    mean[h] = sum / paths;
    column.sort();
    percentiles.forEach((q, j) => {
      bands[j]![h] = percentileOfSorted(column, q);
    });
  }
  return { paths, horizon, percentiles, bands, mean };
}
