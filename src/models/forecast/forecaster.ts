/**
 * Forecasting a series with a linear model on its own past: lag features (the value 1, 7,
 * ... steps back) and calendar features (day of week, month) feed the regressor; forecasts
 * further ahead than one step feed each prediction back as the next step's lag.
 *
 * Honest evaluation: the last part of the series is held out and walked forward. From
 * every origin in it the model, fitted only on points before the origin (refitted at most
 * `refits` times), forecasts up to `horizon` steps; the naive forecast repeats the last
 * known value. Errors per horizon give MAE and RMSE beside the naive ones, their ratio,
 * and MASE (MAE over the in-sample one-step naive MAE). The same errors give the
 * prediction intervals of the final forecast (their empirical quantiles per horizon).
 */
import { TextkitError, withDefaults } from "../../core/index.ts";
import type { CategoricalColumn, NumericColumn, Table } from "../../data/index.ts";
import {
  type LinearRegressor,
  type RegressionSummary,
  type RegressorOptions,
  trainRegressor,
} from "../regressor/index.ts";
import { percentileOfSorted } from "./growth.ts";
import { addSteps, describeStep, formatTime, type TimeSeries } from "./series.ts";

export interface ForecastOptions {
  /** Lags used as features, in steps (default [1]). */
  lags: number[];
  /** Day-of-week and month features where the series supports them (default true; see calendarFeatures). */
  calendar: boolean;
  /** Steps to forecast after the last point (default 1). */
  horizon: number;
  /** Points held out for the walk-forward test: a fraction below 1, or a count (default 0.2; 0 = none). */
  test: number;
  /** Coverage of the prediction intervals (default 0.9: from the 5th to the 95th percentile). */
  interval: number;
  /** The regression under the features (default ridge, which tolerates constant or collinear lags). */
  method: "ols" | "ridge";
  /** Ridge penalty (default 1, on standardised features). */
  alpha: number | null;
  /** Most refits in the walk-forward test (default 20). */
  refits: number;
}

export const DEFAULT_FORECAST_OPTIONS: Readonly<ForecastOptions> = Object.freeze({
  lags: [1],
  calendar: true,
  horizon: 1,
  test: 0.2,
  interval: 0.9,
  method: "ridge",
  alpha: null,
  refits: 20,
});

/** Rows a model needs at least to fit. */
export const MIN_FIT_ROWS = 10;
/** Walk-forward errors a horizon needs before its interval comes from them rather than from residuals. */
const MIN_INTERVAL_ERRORS = 10;

export interface HorizonScore {
  /** Steps ahead (0 for all horizons pooled). */
  horizon: number;
  forecasts: number;
  mae: number;
  rmse: number;
  naiveMae: number;
  naiveRmse: number;
  /** mae / naiveMae: below 1 beats the naive forecast. */
  ratio: number;
  /** mae over the in-sample MAE of the one-step naive forecast. */
  mase: number;
}

export interface WalkForwardReport {
  origins: number;
  refits: number;
  /** Index of the first held-out point, and its time. */
  firstOrigin: number;
  firstTime: string;
  horizons: HorizonScore[];
  overall: HorizonScore;
}

export interface ForecastPoint {
  step: number;
  time: string;
  value: number;
  lower: number;
  upper: number;
  /** Where the interval comes from: walk-forward errors at this horizon, or in-sample residuals × √h. */
  intervalFrom: "walk-forward" | "residuals";
}

export interface ForecastResult {
  series: { source: string; points: number; first: string; last: string; step: string; gaps: number };
  options: ForecastOptions;
  /** The design columns of the final model. */
  features: string[];
  model: RegressionSummary;
  walkForward: WalkForwardReport | null;
  interval: number;
  forecast: ForecastPoint[];
}

const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/**
 * Which calendar features a series supports: day of week for steps shorter than a week;
 * month for steps up to a month, once the series spans two years (with less, a month
 * feature only learns the level of the months seen, which a trend makes useless).
 */
export function calendarFeatures(
  series: TimeSeries,
  enabled: boolean,
): { dayOfWeek: boolean; month: boolean } {
  if (!enabled || series.timeKind === "number" || series.times.length === 0)
    return { dayOfWeek: false, month: false };
  const { unit, size } = series.step;
  const dayOfWeek = (unit === "day" && size < 7) || (unit === "ms" && size < 7 * 86_400_000);
  const span = series.times[series.times.length - 1]! - series.times[0]!;
  const twoYears = 2 * 365 * 86_400_000;
  const month = (unit === "day" || unit === "week" || unit === "month" || unit === "ms") && span >= twoYears;
  return { dayOfWeek, month };
}

/** Fills in defaults and refuses values that cannot forecast. */
export function resolveForecastOptions(partial: Partial<ForecastOptions> = {}): ForecastOptions {
  const o = withDefaults(DEFAULT_FORECAST_OPTIONS, partial);
  o.lags = [...(partial.lags ?? [1])];
  const fail = (message: string) => new TextkitError("OPTION_INVALID", message);
  if (o.lags.length === 0 || !o.lags.every((l) => Number.isInteger(l) && l >= 1 && l <= 100_000)) {
    throw fail(`lags must be whole numbers from 1 to 100000, got ${o.lags.join(",")}`);
  }
  o.lags = [...new Set(o.lags)].sort((a, b) => a - b);
  if (!(Number.isInteger(o.horizon) && o.horizon >= 1 && o.horizon <= 100_000)) {
    throw fail(`horizon must be a whole number from 1 to 100000, got ${o.horizon}`);
  }
  if (!(o.test >= 0 && (o.test < 1 || Number.isInteger(o.test)))) {
    throw fail(`test must be a fraction in [0, 1) or a whole number of points, got ${o.test}`);
  }
  if (!(o.interval > 0 && o.interval < 1)) throw fail(`interval must be in (0, 1), got ${o.interval}`);
  if (o.method !== "ols" && o.method !== "ridge")
    throw fail(`method must be ols or ridge, got '${String(o.method)}'`);
  if (!(Number.isInteger(o.refits) && o.refits >= 1))
    throw fail(`refits must be a whole number >= 1, got ${o.refits}`);
  if (o.method === "ols" && o.alpha !== null) throw fail("alpha is ridge's penalty; method ols takes none");
  return o;
}

/**
 * Rows `rows` of the lag/calendar table of `values` (observed, then forecast) at `times`.
 * The target column is the value itself (NaN for rows still to forecast).
 */
function lagTable(
  values: ArrayLike<number>,
  times: ArrayLike<number>,
  rows: Int32Array,
  lags: readonly number[],
  calendar: { dayOfWeek: boolean; month: boolean },
  source: string,
): Table {
  const columns: (NumericColumn | CategoricalColumn)[] = lags.map((lag) => {
    const column = new Float64Array(rows.length);
    for (let i = 0; i < rows.length; i++) column[i] = values[rows[i]! - lag]!;
    return { kind: "numeric", name: `lag_${lag}`, values: column, missing: 0 };
  });
  if (calendar.dayOfWeek) {
    const codes = new Int32Array(rows.length);
    for (let i = 0; i < rows.length; i++) codes[i] = new Date(times[rows[i]!]!).getUTCDay();
    columns.push({ kind: "categorical", name: "day_of_week", codes, levels: DAYS, missing: 0 });
  }
  if (calendar.month) {
    const codes = new Int32Array(rows.length);
    for (let i = 0; i < rows.length; i++) codes[i] = new Date(times[rows[i]!]!).getUTCMonth();
    columns.push({ kind: "categorical", name: "month", codes, levels: MONTHS, missing: 0 });
  }
  const target = new Float64Array(rows.length);
  for (let i = 0; i < rows.length; i++) target[i] = values[rows[i]!]!;
  const lines = Int32Array.from(rows, (r) => r + 1);
  return {
    source,
    rows: rows.length,
    lines,
    columns,
    target: { kind: "numeric", name: "value", values: target, missing: 0 },
  };
}

function range(from: number, to: number): Int32Array {
  const out = new Int32Array(Math.max(0, to - from));
  for (let i = 0; i < out.length; i++) out[i] = from + i;
  return out;
}

/** Times of points `0 .. n + horizon`: the series' own, then its step continued. */
function extendTimes(series: TimeSeries, horizon: number): Float64Array {
  const n = series.times.length;
  const times = new Float64Array(n + horizon);
  times.set(series.times);
  for (let h = 1; h <= horizon; h++) times[n - 1 + h] = addSteps(series.step, series.times[n - 1]!, h);
  return times;
}

async function fit(
  series: TimeSeries,
  end: number,
  options: ForecastOptions,
  calendar: { dayOfWeek: boolean; month: boolean },
): Promise<LinearRegressor> {
  const maxLag = options.lags[options.lags.length - 1]!;
  const table = lagTable(
    series.values,
    series.times,
    range(maxLag, end),
    options.lags,
    calendar,
    series.source,
  );
  const regressor: Partial<RegressorOptions> = {
    method: options.method,
    ...(options.method === "ridge" && options.alpha !== null ? { alpha: options.alpha } : {}),
    unknownCategory: "ignore",
  };
  return trainRegressor({ train: table }, regressor);
}

/**
 * Forecasts `steps` steps after point `origin - 1` from the values before `origin`,
 * feeding predictions back as lags. `history` is scratch of length ≥ origin + steps.
 */
function recursive(
  model: LinearRegressor,
  series: TimeSeries,
  times: Float64Array,
  origin: number,
  steps: number,
  options: ForecastOptions,
  calendar: { dayOfWeek: boolean; month: boolean },
  history: Float64Array,
): Float64Array {
  history.set(series.values.subarray(0, origin));
  const out = new Float64Array(steps);
  for (let h = 0; h < steps; h++) {
    const row = Int32Array.of(origin + h);
    const table = lagTable(history, times, row, options.lags, calendar, series.source);
    const value = model.predict(table)[0]!;
    history[origin + h] = value;
    out[h] = value;
  }
  return out;
}

function quantile(values: number[], q: number): number {
  const sorted = Float64Array.from(values).sort();
  return percentileOfSorted(sorted, q * 100);
}

function score(horizon: number, model: number[], naive: number[], scale: number): HorizonScore {
  const n = model.length;
  let mae = 0;
  let mse = 0;
  let naiveMae = 0;
  let naiveMse = 0;
  for (let i = 0; i < n; i++) {
    mae += Math.abs(model[i]!);
    mse += model[i]! ** 2;
    naiveMae += Math.abs(naive[i]!);
    naiveMse += naive[i]! ** 2;
  }
  mae /= n;
  naiveMae /= n;
  return {
    horizon,
    forecasts: n,
    mae,
    rmse: Math.sqrt(mse / n),
    naiveMae,
    naiveRmse: Math.sqrt(naiveMse / n),
    ratio: naiveMae > 0 ? mae / naiveMae : Number.NaN,
    mase: scale > 0 ? mae / scale : Number.NaN,
  };
}

/** Points held out by `test` (a fraction, or a count). */
export function testPoints(points: number, test: number): number {
  return test < 1 ? Math.round(test * points) : test;
}

/**
 * Walk-forward evaluation against the naive forecast, then the final forecast of
 * `horizon` steps with prediction intervals. Throws DATA_SERIES_TOO_SHORT, saying how many
 * points are needed, when the series cannot fill the lags, fit and test.
 *
 * @example
 * const series = await loadSeries("prices.csv", { timeColumn: "date", valueColumn: "price" });
 * const result = await forecastSeries(series, { lags: [1, 7], horizon: 30 });
 * result.walkForward?.overall.ratio; // 0.82: 18% lower MAE than repeating the last value
 */
export async function forecastSeries(
  series: TimeSeries,
  partialOptions: Partial<ForecastOptions> = {},
): Promise<ForecastResult> {
  const options = resolveForecastOptions(partialOptions);
  const n = series.values.length;
  const held = checkLength(series, options);
  const horizon = options.horizon;
  const run: ForecastRun = {
    ...{ series, options, calendar: calendarFeatures(series, options.calendar) },
    ...{ times: extendTimes(series, horizon), history: new Float64Array(n + horizon) },
  };
  const errors: number[][] = Array.from({ length: horizon }, () => []);
  const walkForward = held > 0 ? await walkForwardTest(run, held, errors) : null;
  // The final model, on every point.
  const final = await fit(series, n, options, run.calendar);
  return {
    series: {
      source: series.source,
      points: n,
      first: formatTime(series, series.times[0] ?? 0),
      last: formatTime(series, series.times[n - 1] ?? 0),
      step: describeStep(series.step),
      gaps: series.gaps,
    },
    options,
    features: [...final.encoder.names],
    model: final.summary,
    walkForward,
    interval: options.interval,
    forecast: finalForecast(run, final, errors),
  };
}

/** What walk-forward and the final forecast share. */
interface ForecastRun {
  series: TimeSeries;
  options: ForecastOptions;
  calendar: { dayOfWeek: boolean; month: boolean };
  /** The series' times, extended by `horizon` steps. */
  times: Float64Array;
  /** Scratch for the recursive forecast: the series, then its forecasts. */
  history: Float64Array;
}

/** The points the walk-forward test holds out; DATA_SERIES_TOO_SHORT when the series cannot fill lags, fit and test. */
function checkLength(series: TimeSeries, options: ForecastOptions): number {
  const n = series.values.length;
  const maxLag = options.lags.at(-1) ?? 0;
  const held = testPoints(n, options.test);
  const needed = maxLag + MIN_FIT_ROWS + held;
  if (n < needed) {
    throw new TextkitError(
      "DATA_SERIES_TOO_SHORT",
      `${series.source} has ${n} points, too few: lags up to ${maxLag} use the first ${maxLag} points only as lags, the model needs at least ${MIN_FIT_ROWS} rows to fit${held > 0 ? `, and the walk-forward test holds out ${held}` : ""}, so at least ${needed} points are needed`,
      { file: series.source, details: { points: n, needed } },
    );
  }
  return held;
}

/**
 * Walks forward over the last `held` points, refitting `refits` times, and scores each
 * horizon against the naive forecast. The model's errors per horizon go into `errors`.
 */
async function walkForwardTest(
  run: ForecastRun,
  held: number,
  errors: number[][],
): Promise<WalkForwardReport> {
  const { series, options, calendar } = run;
  const values = series.values;
  const n = values.length;
  const horizon = options.horizon;
  const firstOrigin = n - held;
  const naiveErrors: number[][] = Array.from({ length: horizon }, () => []);
  let scale = 0;
  for (let t = 1; t < firstOrigin; t++) scale += Math.abs((values[t] ?? 0) - (values[t - 1] ?? 0));
  scale /= firstOrigin - 1;
  const refitEvery = Math.ceil(held / options.refits);
  let fitted: LinearRegressor | null = null;
  let refits = 0;
  for (let origin = firstOrigin; origin < n; origin++) {
    if (fitted === null || (origin - firstOrigin) % refitEvery === 0) {
      fitted = await fit(series, origin, options, calendar);
      refits++;
    }
    const steps = Math.min(horizon, n - origin);
    const predicted = recursive(fitted, series, run.times, origin, steps, options, calendar, run.history);
    const last = values[origin - 1] ?? 0;
    for (let h = 0; h < steps; h++) {
      const actual = values[origin + h] ?? 0;
      errors[h]?.push(actual - (predicted[h] ?? 0));
      naiveErrors[h]?.push(actual - last);
    }
  }
  const horizons: HorizonScore[] = [];
  for (const [h, own] of errors.entries()) {
    if (own.length > 0) horizons.push(score(h + 1, own, naiveErrors[h] ?? [], scale));
  }
  return {
    origins: held,
    refits,
    firstOrigin,
    firstTime: formatTime(series, series.times[firstOrigin] ?? 0),
    horizons,
    overall: score(0, errors.flat(), naiveErrors.flat(), scale),
  };
}

/**
 * The forecast of `horizon` steps after the series, each with its prediction interval:
 * from the walk-forward errors at that horizon when there are enough, otherwise from the
 * in-sample residuals widened by √h.
 */
function finalForecast(run: ForecastRun, final: LinearRegressor, errors: number[][]): ForecastPoint[] {
  const { series, options, calendar, times } = run;
  const n = series.values.length;
  const horizon = options.horizon;
  const predicted = recursive(final, series, times, n, horizon, options, calendar, run.history);
  const maxLag = options.lags.at(-1) ?? 0;
  const inSample = lagTable(
    series.values,
    series.times,
    range(maxLag, n),
    options.lags,
    calendar,
    series.source,
  );
  const fittedValues = final.predict(inSample);
  const targets = inSample.target?.values ?? new Float64Array(0);
  const residuals: number[] = [];
  for (let i = 0; i < inSample.rows; i++) residuals.push((targets[i] ?? 0) - (fittedValues[i] ?? 0));
  const lowerQ = (1 - options.interval) / 2;
  const upperQ = 1 - lowerQ;
  const residualLower = quantile(residuals, lowerQ);
  const residualUpper = quantile(residuals, upperQ);
  const forecast: ForecastPoint[] = [];
  for (let h = 1; h <= horizon; h++) {
    const value = predicted[h - 1] ?? 0;
    const own = errors[h - 1] ?? [];
    const fromWalk = own.length >= MIN_INTERVAL_ERRORS;
    const lower = fromWalk ? quantile(own, lowerQ) : residualLower * Math.sqrt(h);
    const upper = fromWalk ? quantile(own, upperQ) : residualUpper * Math.sqrt(h);
    forecast.push({
      step: h,
      time: formatTime(series, times[n - 1 + h] ?? 0),
      value,
      lower: value + lower,
      upper: value + upper,
      intervalFrom: fromWalk ? "walk-forward" : "residuals",
    });
  }
  return forecast;
}
