import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { isCodedError, scratchFiles } from "../../../test/support/data-files.ts";
import { Random, TextkitError } from "../../core/index.ts";
import {
  addSteps,
  fitGrowth,
  forecastSeries,
  formatTime,
  loadSeries,
  parseIsoTime,
  percentileOfSorted,
  seriesFromValues,
  simulateGrowth,
} from "./index.ts";

const scratch = scratchFiles("forecast");
const DAY = 86_400_000;
/** A log-linear fit by numpy.polyfit (test/fixtures/regression/make_fixtures.py). */
const GROWTH = JSON.parse(
  readFileSync(new URL("../../../test/fixtures/regression/regression.json", import.meta.url), "utf8"),
).growth;

function dailyCsv(values: readonly number[], start = Date.UTC(2024, 0, 1)): string {
  let csv = "date,price\n";
  values.forEach((v, i) => {
    csv += `${new Date(start + i * DAY).toISOString().slice(0, 10)},${v}\n`;
  });
  return csv;
}

/** An AR(1) series around 100 with a weekend dip: lags and the day of week predict it. */
function weeklySeries(points: number, seed: number): number[] {
  const rng = new Random(seed);
  const out: number[] = [];
  let level = 0;
  for (let i = 0; i < points; i++) {
    level = 0.8 * level + rng.uniform(-1, 1);
    const day = new Date(Date.UTC(2024, 0, 1) + i * DAY).getUTCDay();
    out.push(Number((100 + level + (day === 0 || day === 6 ? -5 : 0)).toFixed(3)));
  }
  return out;
}

describe("times and series", () => {
  it("parses ISO dates and date-times, refusing days that do not exist", () => {
    assert.equal(parseIsoTime("2024-02-29"), Date.UTC(2024, 1, 29));
    assert.equal(parseIsoTime("2024-03"), Date.UTC(2024, 2, 1));
    assert.equal(parseIsoTime("2024-03-01T09:30:00Z"), Date.UTC(2024, 2, 1, 9, 30));
    assert.equal(parseIsoTime("2024-03-01 09:30+08:00"), Date.UTC(2024, 2, 1, 1, 30));
    assert.ok(Number.isNaN(parseIsoTime("2023-02-29")));
    assert.ok(Number.isNaN(parseIsoTime("2024-13-01")));
    assert.ok(Number.isNaN(parseIsoTime("03/01/2024")));
  });

  it("infers daily and monthly steps and continues them", async () => {
    const daily = await loadSeries(scratch.write(".csv", dailyCsv([1, 2, 3, 4])), {
      timeColumn: "date",
      valueColumn: "price",
    });
    assert.deepEqual(daily.step, { unit: "day", size: 1 });
    assert.equal(daily.gaps, 0);
    const monthly = await loadSeries(
      scratch.write(".csv", "m,v\n2024-01-31,1\n2024-02-29,2\n2024-03-31,3\n2024-04-30,4\n"),
      {
        timeColumn: "m",
        valueColumn: "v",
      },
    );
    assert.deepEqual(monthly.step, { unit: "month", size: 1 });
    assert.equal(formatTime(monthly, addSteps(monthly.step, monthly.times[3]!, 1)), "2024-05-30");
    const numeric = await loadSeries(
      scratch.write(".jsonl", '{"year": 2001, "n": 5}\n{"year": 2002, "n": 7}\n'),
      {
        timeColumn: "year",
        valueColumn: "n",
      },
    );
    assert.equal(numeric.timeKind, "number");
    assert.deepEqual(numeric.step, { unit: "number", size: 1 });
  });

  it("refuses out-of-order and repeated times, naming both lines", async () => {
    const unsorted = scratch.write(".csv", "date,price\n2024-01-01,1\n2024-01-03,2\n2024-01-02,3\n");
    await assert.rejects(
      loadSeries(unsorted, { timeColumn: "date", valueColumn: "price" }),
      isCodedError(
        "DATA_BAD_TIME",
        unsorted,
        4,
        /time 2024-01-02 comes before 2024-01-03 on line 3; sort the rows/,
      ),
    );
    const repeated = scratch.write(".csv", "date,price\n2024-01-01,1\n2024-01-01,2\n");
    await assert.rejects(
      loadSeries(repeated, { timeColumn: "date", valueColumn: "price" }),
      isCodedError("DATA_BAD_TIME", repeated, 3, /repeats the time of line 2/),
    );
    const badTime = scratch.write(".csv", "date,price\n2024-01-01,1\n2024-02-30,2\n");
    await assert.rejects(
      loadSeries(badTime, { timeColumn: "date", valueColumn: "price" }),
      isCodedError("DATA_BAD_TIME", badTime, 3, /"2024-02-30" in column "date" is not an ISO date/),
    );
  });

  it("refuses missing and non-numeric values, and unknown columns", async () => {
    const gap = scratch.write(".csv", "date,price\n2024-01-01,1\n2024-01-02,\n");
    await assert.rejects(
      loadSeries(gap, { timeColumn: "date", valueColumn: "price" }),
      isCodedError("DATA_MISSING_VALUE", gap, 3, /"price" is empty/),
    );
    const text = scratch.write(".csv", "date,price\n2024-01-01,1\n2024-01-02,n/k\n");
    await assert.rejects(
      loadSeries(text, { timeColumn: "date", valueColumn: "price" }),
      isCodedError("DATA_NOT_NUMERIC", text, 3, /"n\/k", which is not a number/),
    );
    await assert.rejects(
      loadSeries(text, { timeColumn: "day", valueColumn: "price" }),
      isCodedError("DATA_MISSING_COLUMN", text, undefined, /no column named "day" \(the time column\)/),
    );
  });
});

describe("growth", () => {
  it("fits log-linear growth as numpy.polyfit does", () => {
    const fit = fitGrowth(GROWTH.values);
    for (const key of ["intercept", "slope", "growth_rate", "doubling_time", "r2"] as const) {
      const ours = {
        intercept: fit.intercept,
        slope: fit.slope,
        growth_rate: fit.growthRate,
        doubling_time: fit.doublingTime!,
        r2: fit.r2,
      }[key];
      assert.ok(
        Math.abs(ours - GROWTH[key]) <= 1e-8 * Math.abs(GROWTH[key]),
        `${key}: ${ours} vs ${GROWTH[key]}`,
      );
    }
    assert.ok(Math.abs(fitGrowth([100, 110, 121, 133.1]).growthRate - 0.1) < 1e-12);
  });

  it("refuses values at or below zero and too few points", () => {
    assert.throws(
      () => fitGrowth([3, 0, 4], { file: "counts.csv", lines: [2, 3, 4] }),
      isCodedError(
        "DATA_BAD_ROW",
        "counts.csv",
        3,
        /line 3 is 0; exponential growth is fitted on logarithms/,
      ),
    );
    assert.throws(
      () => fitGrowth([1, 2]),
      (e: unknown) => e instanceof TextkitError && e.code === "DATA_SERIES_TOO_SHORT",
    );
  });

  it("simulates seeded paths whose percentile bands are ordered and widen", () => {
    const fit = fitGrowth(GROWTH.values);
    const sim = simulateGrowth(fit, { horizon: 24, paths: 2000, seed: 7 });
    const again = simulateGrowth(fit, { horizon: 24, paths: 2000, seed: 7 });
    assert.deepEqual(
      sim.bands.map((b) => Array.from(b)),
      again.bands.map((b) => Array.from(b)),
    );
    const [p5, p50, p95] = sim.bands as [Float64Array, Float64Array, Float64Array];
    for (let h = 0; h < 24; h++) assert.ok(p5[h]! < p50[h]! && p50[h]! < p95[h]!);
    assert.ok(p95[23]! - p5[23]! > p95[0]! - p5[0]!, "parameter uncertainty widens the bands");
    // The median path follows the fitted curve.
    const curve = Math.exp(fit.intercept + fit.slope * (fit.points - 1 + 24));
    assert.ok(Math.abs(p50[23]! / curve - 1) < 0.05, `${p50[23]} vs ${curve}`);
    assert.equal(percentileOfSorted(Float64Array.of(1, 2, 3, 4), 50), 2.5);
  });
});

describe("forecastSeries", () => {
  it("beats the naive forecast on a series with memory and a weekly pattern, with intervals per step", async () => {
    const path = scratch.write(".csv", dailyCsv(weeklySeries(300, 4)));
    const series = await loadSeries(path, { timeColumn: "date", valueColumn: "price" });
    const result = await forecastSeries(series, { lags: [1, 7], horizon: 14, test: 60 });
    assert.ok(result.features.includes("day_of_week=Sat"));
    assert.ok(!result.features.some((f) => f.startsWith("month=")), "less than two years: no month feature");
    const wf = result.walkForward!;
    assert.equal(wf.origins, 60);
    assert.ok(wf.refits <= 20);
    assert.equal(wf.horizons[0]!.forecasts, 60);
    assert.equal(wf.horizons[13]!.forecasts, 47);
    assert.ok(wf.horizons[0]!.ratio < 0.8, `one step ahead: ${wf.horizons[0]!.ratio} of the naive MAE`);
    assert.ok(wf.overall.ratio < 0.8, `all horizons: ${wf.overall.ratio}`);
    assert.equal(result.forecast.length, 14);
    assert.equal(result.forecast[0]!.time, formatTime(series, series.times[299]! + DAY));
    for (const p of result.forecast) {
      assert.ok(p.lower < p.upper);
      assert.equal(p.intervalFrom, "walk-forward");
    }
  });

  it("says how many points the lags, the fit and the test need", async () => {
    const series = seriesFromValues(weeklySeries(30, 1), {
      start: Date.UTC(2024, 0, 1),
      step: { unit: "day", size: 1 },
    });
    await assert.rejects(forecastSeries(series, { lags: [1, 7, 14], test: 10 }), (error: unknown) => {
      assert.ok(error instanceof TextkitError && error.code === "DATA_SERIES_TOO_SHORT");
      assert.match(
        error.message,
        /has 30 points, too few: lags up to 14 .* holds out 10, so at least 34 points are needed/,
      );
      assert.deepEqual(error.details, { points: 30, needed: 34 });
      return true;
    });
    const ok = await forecastSeries(series, { lags: [1], test: 0, horizon: 3 });
    assert.equal(ok.walkForward, null);
    assert.ok(ok.forecast.every((p) => p.intervalFrom === "residuals"));
  });

  it("refuses settings that cannot forecast", async () => {
    const series = seriesFromValues(weeklySeries(60, 2));
    await assert.rejects(forecastSeries(series, { lags: [0] }), /lags must be whole numbers/);
    await assert.rejects(forecastSeries(series, { test: 1.5 }), /test must be a fraction/);
    await assert.rejects(forecastSeries(series, { interval: 1 }), /interval must be in/);
  });
});
