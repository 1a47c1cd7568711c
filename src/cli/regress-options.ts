/**
 * What the regression and forecasting commands share: the table options (--target,
 * --features, --categorical, --impute, --format), the regressor's settings as flags with
 * the library's defaults, progress hooks, and how numbers and coefficients are printed.
 */
import { type Command, Option } from "commander";
import type { EpochSummary, TrainHooks } from "../core/index.ts";
import { TextkitError } from "../core/index.ts";
import {
  IMPUTE_STRATEGIES,
  type ImputeStrategy,
  TABLE_FORMATS,
  type TableFormat,
  type TableOptions,
} from "../data/index.ts";
import type { RegressionMetrics } from "../eval/index.ts";
import {
  type Coefficient,
  DEFAULT_REGRESSOR_OPTIONS,
  REGRESSION_METHODS,
  type RegressionMethod,
  type RegressionSummary,
  type RegressorOptions,
  UNKNOWN_CATEGORY_POLICIES,
  type UnknownCategoryPolicy,
} from "../models/regressor/index.ts";
import { defaultedOption, parseChoice, parseInteger, parseNumber } from "./parse-options.ts";
import type { ProgressBar } from "./progress-bar.ts";
import { drawProgress } from "./report-output.ts";

/**
 * A parser for a comma-separated list of names ("a,b,c"), refusing empty names.
 *
 * @example
 * parseNameList("--features")("bmi, bp"); // ["bmi", "bp"]
 */
export function parseNameList(flag: string): (value: string) => string[] {
  return (value: string): string[] => {
    const names = value.split(",").map((name) => name.trim());
    if (names.some((name) => name.length === 0)) {
      throw parseChoiceError(flag, value, "a comma-separated list of column names such as a,b,c");
    }
    return names;
  };
}

/**
 * A parser for a comma-separated list of numbers, each at least `min`.
 *
 * @example
 * parseNumberList("--lags", 1, true)("1,7"); // [1, 7]
 */
export function parseNumberList(flag: string, min: number, integer: boolean): (value: string) => number[] {
  const one = integer ? parseInteger(flag, min) : parseNumber(flag, min);
  return (value: string): number[] => {
    const parts = value.split(",");
    try {
      return parts.map((part) => one(part));
    } catch {
      throw parseChoiceError(
        flag,
        value,
        `a comma-separated list of ${integer ? "whole numbers" : "numbers"} >= ${min} such as ${integer ? "1,7" : "5,50,95"}`,
      );
    }
  };
}

function parseChoiceError(flag: string, value: string, expected: string): TextkitError {
  return new TextkitError("OPTION_INVALID", `${flag} must be ${expected}, got '${value}'`, {
    details: { option: flag, value },
  });
}

/** What commander hands over for the table options. */
export interface TableFlags {
  target?: string;
  features?: string[];
  categorical?: string[];
  impute: ImputeStrategy;
  format?: TableFormat;
  delimiter?: string;
}

/** Adds --format and --delimiter to a command that reads a table. */
export function addTableFormatOptions(command: Command): Command {
  return command
    .addOption(
      new Option(
        "--format <format>",
        `table format: ${TABLE_FORMATS.join(", ")} (default: from the file extension)`,
      ).argParser(parseChoice("--format", TABLE_FORMATS)),
    )
    .option("--delimiter <char>", "CSV/TSV field delimiter (default: , for CSV and a tab for TSV)");
}

/** Adds --target, --features, --categorical and --impute (and --format, --delimiter). */
export function addTableOptions(command: Command): Command {
  command
    .requiredOption("--target <column>", "the column to predict; it must hold a number in every row")
    .addOption(
      new Option(
        "--features <columns>",
        "feature columns, comma-separated (default: every other column)",
      ).argParser(parseNameList("--features")),
    )
    .addOption(
      new Option(
        "--categorical <columns>",
        "columns to one-hot encode as categories even if they hold numbers (others: numeric when their first value is a number)",
      ).argParser(parseNameList("--categorical")),
    )
    .addOption(
      new Option(
        "--impute <strategy>",
        "missing feature values: none refuses them; mean, median or mode fill numeric gaps with values learnt from the training data (categories always with their most frequent level)",
      )
        .argParser(parseChoice("--impute", IMPUTE_STRATEGIES))
        .default("none"),
    );
  return addTableFormatOptions(command);
}

/** The table reader options the flags stand for. */
export function tableOptionsOf(flags: TableFlags): TableOptions {
  return {
    ...(flags.target === undefined ? {} : { target: flags.target }),
    ...(flags.features === undefined ? {} : { features: flags.features }),
    ...(flags.categorical === undefined ? {} : { categorical: flags.categorical }),
    impute: flags.impute,
    ...(flags.format === undefined ? {} : { format: flags.format }),
    ...(flags.delimiter === undefined ? {} : { delimiter: flags.delimiter }),
  };
}

/** What commander hands over for the regressor's settings. */
export interface RegressorFlags {
  method: RegressionMethod;
  alpha?: number;
  standardize: boolean;
  unknownCategory: UnknownCategoryPolicy;
  batchSize: number;
  lr: number;
  epochs: number;
  patience: number;
  seed: number;
}

/** Adds --method, --alpha, --no-standardize, --unknown-category and the SGD flags. */
export function addRegressorOptions(command: Command): Command {
  const d = DEFAULT_REGRESSOR_OPTIONS;
  return command
    .addOption(
      defaultedOption(
        "--method <method>",
        "ols (least squares, with standard errors), ridge (L2 penalty) or sgd (minibatch SGD; streams a --train file with --dev/--test files or --split 0)",
        parseChoice("--method", REGRESSION_METHODS),
        d.method,
      ),
    )
    .addOption(
      new Option(
        "--alpha <a>",
        "L2 penalty: ridge's alpha (default: 1), sgd's weight decay (default: 0)",
      ).argParser(parseNumber("--alpha", 0)),
    )
    .option("--no-standardize", "use numeric features as they are (default: centre and scale them)")
    .addOption(
      defaultedOption(
        "--unknown-category <policy>",
        "a category not seen in training: error refuses it, ignore encodes it as all zeros",
        parseChoice("--unknown-category", UNKNOWN_CATEGORY_POLICIES),
        d.unknownCategory,
      ),
    )
    .addOption(
      defaultedOption("--batch-size <n>", "sgd: rows per step", parseInteger("--batch-size", 1), d.batchSize),
    )
    .addOption(
      defaultedOption("--lr <rate>", "sgd: learning rate (constant)", parseNumber("--lr", 0, true), d.lr),
    )
    .addOption(
      defaultedOption(
        "--epochs <n>",
        "sgd: passes over the training data",
        parseInteger("--epochs", 1),
        d.epochs,
      ),
    )
    .addOption(
      defaultedOption(
        "--patience <n>",
        "sgd: stop after this many epochs without a lower dev MSE (0 = never)",
        parseInteger("--patience", 0),
        d.patience,
      ),
    )
    .addOption(
      defaultedOption(
        "--seed <n>",
        "seed of the random numbers (split, shuffling)",
        parseInteger("--seed", 0),
        d.seed,
      ),
    );
}

/** The regressor options the flags stand for. */
export function regressorOptionsOf(flags: RegressorFlags, impute: ImputeStrategy): Partial<RegressorOptions> {
  return {
    method: flags.method,
    ...(flags.alpha === undefined ? {} : { alpha: flags.alpha }),
    standardize: flags.standardize,
    impute,
    unknownCategory: flags.unknownCategory,
    batchSize: flags.batchSize,
    lr: flags.lr,
    epochs: flags.epochs,
    patience: flags.patience,
    seed: flags.seed,
  };
}

/**
 * A number in about 7 significant digits, fixed-point while that reads well.
 *
 * @example
 * formatNumber(0.000012345); // "1.2345e-5"
 * formatNumber(-334.5671385); // "-334.5671"
 */
export function formatNumber(x: number | null): string {
  if (x === null || Number.isNaN(x)) return "n/a";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  const a = Math.abs(x);
  if (a !== 0 && (a >= 1e7 || a < 1e-3)) return x.toExponential(4).replace("e+", "e");
  return x.toFixed(a >= 1000 ? 2 : 4);
}

/** Rows of text in columns, the first left-aligned and the rest right-aligned. */
export function formatColumns(header: string[], rows: string[][]): string {
  const widths = header.map((h, j) => Math.max(h.length, ...rows.map((r) => r[j]!.length)));
  const line = (cells: string[]) =>
    cells.map((cell, j) => (j === 0 ? cell.padEnd(widths[j]!) : cell.padStart(widths[j]!))).join("  ");
  return `${[line(header), ...rows.map(line)].join("\n")}\n`;
}

/** The coefficient table: name, value, and for OLS standard error and t. */
export function formatCoefficients(summary: Pick<RegressionSummary, "intercept" | "coefficients">): string {
  const all: Coefficient[] = [summary.intercept, ...summary.coefficients];
  const withErrors = all.some((c) => c.standardError !== null);
  const header = withErrors ? ["coefficient", "value", "std error", "t"] : ["coefficient", "value"];
  const rows = all.map((c) =>
    withErrors
      ? [c.name, formatNumber(c.value), formatNumber(c.standardError), formatNumber(c.t)]
      : [c.name, formatNumber(c.value)],
  );
  return formatColumns(header, rows);
}

/** One line of metrics: `MSE 2859.696 RMSE 53.4761 MAE 43.2775 R² 0.5177`. */
export function formatMetrics(metrics: RegressionMetrics): string {
  return `MSE ${formatNumber(metrics.mse)}  RMSE ${formatNumber(metrics.rmse)}  MAE ${formatNumber(metrics.mae)}  R² ${metrics.r2.toFixed(4)}`;
}

/** One line per epoch: `epoch 3/20 loss 2890.1234 dev RMSE 54.1200 R² 0.4870 (best) 0.01s`. */
export function formatRegressionEpoch(summary: EpochSummary, epochs: number): string {
  const parts = [`epoch ${summary.epoch}/${epochs}`, `loss ${formatNumber(summary.trainLoss)}`];
  const dev = summary.dev;
  if (dev !== undefined) {
    parts.push(
      `dev RMSE ${formatNumber(dev["rmse"] ?? Number.NaN)}`,
      `R² ${(dev["r2"] ?? Number.NaN).toFixed(4)}`,
    );
    if (summary.improved === true) parts.push("(best)");
  }
  parts.push(`${summary.seconds.toFixed(2)}s`);
  return parts.join(" ");
}

/** Training hooks that draw a regressor's progress on `bar` and log each epoch. */
export function regressionHooks(bar: ProgressBar, epochs: number): TrainHooks {
  return {
    onProgress: drawProgress(bar, "rows"),
    onEpochEnd: (summary) => bar.log(formatRegressionEpoch(summary, epochs)),
  };
}
