import { type Command, Option } from "commander";
import { TextkitError } from "../core/index.ts";
import {
  addSteps,
  describeStep,
  type ForecastResult,
  fitGrowth,
  forecastSeries,
  formatTime,
  type GrowthFit,
  type GrowthSimulation,
  loadSeries,
  resolveForecastOptions,
  simulateGrowth,
} from "../models/forecast/index.ts";
import { type CliIo, writeAll } from "./io.ts";
import { parseChoice, parseInteger, parseNumber } from "./parse-options.ts";
import { addTableFormatOptions, formatColumns, formatNumber, parseNumberList } from "./regress-options.ts";

interface ForecastFlags {
  input: string;
  timeColumn: string;
  valueColumn: string;
  horizon: number;
  lags: number[];
  test: number;
  interval: number;
  calendar: boolean;
  method: "ols" | "ridge";
  alpha?: number;
  paths: number;
  percentiles: number[];
  seed: number;
  format?: "csv" | "tsv" | "jsonl";
  delimiter?: string;
  json?: boolean;
}

/** Steps shown in the text tables: a few early ones, round ones, and the last. */
export function shownSteps(horizon: number): number[] {
  const steps = [1, 2, 3, 7, 14, 30, 60, 90, 180, 365].filter((h) => h < horizon);
  steps.push(horizon);
  return steps;
}

function pct(x: number): string {
  return `${(x * 100).toFixed(3).replace(/\.?0+$/, "")}%`;
}

function formatReport(
  flags: ForecastFlags,
  result: ForecastResult,
  growth: GrowthFit | { skipped: string },
  simulation: GrowthSimulation | null,
  futureTimes: string[],
): string {
  const s = result.series;
  const show = new Set(shownSteps(flags.horizon));
  let out = `series: ${s.points} points, ${s.first} .. ${s.last}, step ${s.step}${s.gaps > 0 ? `, ${s.gaps} gaps (lags count rows, not time)` : ""} (${s.source})\n`;
  out += `model: ${result.options.method} on ${result.features.length} design columns (${result.options.lags.map((l) => `lag ${l}`).join(", ")}${result.features.some((f) => f.startsWith("day_of_week=")) ? ", day of week" : ""}${result.features.some((f) => f.startsWith("month=")) ? ", month" : ""}); in-sample R² ${result.model.train.r2.toFixed(4)}\n\n`;
  const wf = result.walkForward;
  if (wf !== null) {
    out += `walk-forward test: the last ${wf.origins} points (from ${wf.firstTime}), each an origin; ${wf.refits} refits on the points before them\n`;
    const rows = wf.horizons
      .filter((h) => show.has(h.horizon))
      .concat([wf.overall])
      .map((h) => [
        h.horizon === 0 ? "all" : String(h.horizon),
        String(h.forecasts),
        formatNumber(h.mae),
        formatNumber(h.naiveMae),
        Number.isFinite(h.ratio) ? h.ratio.toFixed(3) : "n/a",
        formatNumber(h.rmse),
        formatNumber(h.naiveRmse),
        Number.isFinite(h.mase) ? h.mase.toFixed(3) : "n/a",
      ]);
    out += formatColumns(
      ["horizon", "forecasts", "MAE", "naive MAE", "MAE/naive", "RMSE", "naive RMSE", "MASE"],
      rows,
    );
    out +=
      "(naive: the last known value; MAE/naive below 1 beats it; MASE scales MAE by the in-sample one-step naive MAE)\n\n";
  }
  const level = Math.round(result.interval * 100);
  out += `forecast, ${level}% prediction intervals\n`;
  out += formatColumns(
    ["step", "time", "value", "lower", "upper", "interval from"],
    result.forecast
      .filter((p) => show.has(p.step))
      .map((p) => [
        String(p.step),
        p.time,
        formatNumber(p.value),
        formatNumber(p.lower),
        formatNumber(p.upper),
        p.intervalFrom,
      ]),
  );
  out += "\n";
  if ("skipped" in growth) {
    out += `growth fit skipped: ${growth.skipped}\n`;
    return out;
  }
  const unit = s.step;
  const doubling =
    growth.doublingTime === null
      ? "flat: no doubling time"
      : growth.doublingTime > 0
        ? `doubling time ${formatNumber(growth.doublingTime)} steps`
        : `halving time ${formatNumber(-growth.doublingTime)} steps`;
  out += `growth (log-linear fit): ${growth.growthRate >= 0 ? "+" : ""}${pct(growth.growthRate)} per step (${unit}), ±${pct(1.96 * growth.slopeStandardError)} (95%, on the log scale); ${doubling}; R² ${growth.r2.toFixed(4)} on the log scale\n`;
  if (simulation !== null) {
    out += `Monte Carlo: ${simulation.paths} paths from the growth fit with bootstrapped residuals (seed ${flags.seed})\n`;
    const header = ["step", "time", ...simulation.percentiles.map((q) => `p${q}`), "mean"];
    const rows = shownSteps(flags.horizon).map((h) => [
      String(h),
      futureTimes[h - 1]!,
      ...simulation.bands.map((band) => formatNumber(band[h - 1]!)),
      formatNumber(simulation.mean[h - 1]!),
    ]);
    out += formatColumns(header, rows);
  }
  return out;
}

async function runForecast(flags: ForecastFlags, io: CliIo): Promise<void> {
  // Refuse bad settings before reading any data.
  const options = resolveForecastOptions({
    lags: flags.lags,
    horizon: flags.horizon,
    test: flags.test,
    interval: flags.interval,
    calendar: flags.calendar,
    method: flags.method,
    ...(flags.alpha === undefined ? {} : { alpha: flags.alpha }),
  });
  for (const q of flags.percentiles) {
    if (q > 100) throw new TextkitError("OPTION_INVALID", `--percentiles must be from 0 to 100, got ${q}`);
  }
  const series = await loadSeries(flags.input, {
    timeColumn: flags.timeColumn,
    valueColumn: flags.valueColumn,
    ...(flags.format === undefined ? {} : { format: flags.format }),
    ...(flags.delimiter === undefined ? {} : { delimiter: flags.delimiter }),
  });
  const result = await forecastSeries(series, options);
  let growth: GrowthFit | { skipped: string };
  try {
    growth = fitGrowth(series.values, { file: series.source, lines: series.lines });
  } catch (error) {
    // Counts with zeros have no exponential fit; the forecast above still stands.
    if (!(error instanceof TextkitError)) throw error;
    growth = { skipped: error.message };
  }
  const simulation =
    "skipped" in growth || flags.paths === 0
      ? null
      : simulateGrowth(growth, {
          horizon: flags.horizon,
          paths: flags.paths,
          percentiles: flags.percentiles,
          seed: flags.seed,
        });
  const last = series.times[series.times.length - 1]!;
  const futureTimes = Array.from({ length: flags.horizon }, (_, i) =>
    formatTime(series, addSteps(series.step, last, i + 1)),
  );
  if (flags.json) {
    const json = {
      ...result,
      growth:
        "skipped" in growth
          ? { skipped: growth.skipped }
          : {
              intercept: growth.intercept,
              slope: growth.slope,
              slopeStandardError: growth.slopeStandardError,
              growthRate: growth.growthRate,
              doublingTime: growth.doublingTime,
              r2: growth.r2,
              points: growth.points,
              step: describeStep(series.step),
            },
      simulation:
        simulation === null
          ? null
          : {
              paths: simulation.paths,
              seed: flags.seed,
              percentiles: simulation.percentiles,
              steps: futureTimes.map((time, h) => ({
                step: h + 1,
                time,
                mean: simulation.mean[h]!,
                ...Object.fromEntries(
                  simulation.percentiles.map((q, j) => [`p${q}`, simulation.bands[j]![h]!]),
                ),
              })),
            },
    };
    await writeAll(io.stdout, `${JSON.stringify(json, null, 2)}\n`);
    return;
  }
  await writeAll(io.stdout, formatReport(flags, result, growth, simulation, futureTimes));
}

/**
 * `textkit forecast`.
 *
 * @example
 * registerForecast(program, io);
 */
export function registerForecast(program: Command, io: CliIo): Command {
  const command = program
    .command("forecast")
    .summary("forecast a time series, test it against the naive forecast, fit its growth")
    .description(
      "Forecast a time series (prices, counts) from a table with a time column and a value column: " +
        "a linear model on lags and calendar features, tested by walking forward over the last part " +
        "of the series against the naive last-value forecast, then the forecast with prediction " +
        "intervals; an exponential (log-linear) growth fit with its growth rate and doubling time; " +
        "and Monte Carlo paths of that growth summarised as percentile bands.",
    )
    .requiredOption(
      "--input <file>",
      "table with one row per time, in increasing time (.csv, .tsv or .jsonl)",
    )
    .requiredOption("--time-column <name>", "column of times: ISO dates (2024-03-01) or numbers")
    .requiredOption("--value-column <name>", "column of values")
    .addOption(
      new Option("--horizon <steps>", "steps to forecast")
        .argParser(parseInteger("--horizon", 1))
        .default(30),
    )
    .addOption(
      new Option("--lags <list>", "lags used as features, in steps, comma-separated")
        .argParser(parseNumberList("--lags", 1, true))
        .default([1], "1"),
    )
    .addOption(
      new Option(
        "--test <part>",
        "points held out for the walk-forward test: a fraction below 1, or a count (0 = none)",
      )
        .argParser(parseNumber("--test", 0))
        .default(0.2),
    )
    .addOption(
      new Option("--interval <p>", "coverage of the prediction intervals")
        .argParser(parseNumber("--interval", 0, true))
        .default(0.9),
    )
    .option("--no-calendar", "no day-of-week or month features")
    .addOption(
      new Option("--method <method>", "ols or ridge under the lag features")
        .argParser(parseChoice("--method", ["ols", "ridge"] as const))
        .default("ridge"),
    )
    .addOption(
      new Option("--alpha <a>", "ridge penalty (default: 1)").argParser(parseNumber("--alpha", 0, true)),
    )
    .addOption(
      new Option("--paths <n>", "Monte Carlo paths of the growth fit (0 = none)")
        .argParser(parseInteger("--paths", 0))
        .default(1000),
    )
    .addOption(
      new Option("--percentiles <list>", "percentiles of the Monte Carlo bands")
        .argParser(parseNumberList("--percentiles", 0, false))
        .default([5, 50, 95], "5,50,95"),
    )
    .addOption(
      new Option("--seed <n>", "seed of the Monte Carlo paths")
        .argParser(parseInteger("--seed", 0))
        .default(1),
    );
  addTableFormatOptions(command);
  command
    .option("--json", "print one JSON object with every horizon and step instead of text")
    .action(async (flags: ForecastFlags) => {
      await runForecast(flags, io);
    });
  return command;
}
