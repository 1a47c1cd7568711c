/**
 * Turns option values typed on the command line into numbers and names, refusing a bad
 * one with OPTION_INVALID that names the flag. Ranges a model family checks itself (e.g.
 * epochs >= 1) are left to it, so that the library and the CLI accept the same values.
 */
import { Option } from "commander";
import { TextkitError } from "../core/index.ts";

function invalid(flag: string, value: string, expected: string): TextkitError {
  return new TextkitError("OPTION_INVALID", `${flag} must be ${expected}, got '${value}'`, {
    details: { option: flag, value },
  });
}

// Plain decimal notation only: Number() would also take "0x10", "" and "1e3" as integers.
const INTEGER = /^[+-]?\d+$/;
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * A parser for a whole-number option, at least `min`.
 *
 * @example
 * parseInteger("--epochs", 1)("12"); // 12
 * parseInteger("--epochs", 1)("abc"); // throws OPTION_INVALID: --epochs must be a whole number >= 1, got 'abc'
 */
export function parseInteger(flag: string, min = Number.MIN_SAFE_INTEGER): (value: string) => number {
  const expected = min === Number.MIN_SAFE_INTEGER ? "a whole number" : `a whole number >= ${min}`;
  return (value: string): number => {
    const text = value.trim();
    const n = INTEGER.test(text) ? Number(text) : Number.NaN;
    if (!Number.isSafeInteger(n) || n < min) throw invalid(flag, value, expected);
    return n;
  };
}

/**
 * A parser for a decimal option, at least `min` (and above it when `exclusive`).
 *
 * @example
 * parseNumber("--lr", 0, true)("0.1"); // 0.1
 */
export function parseNumber(
  flag: string,
  min = Number.NEGATIVE_INFINITY,
  exclusive = false,
  max = Number.POSITIVE_INFINITY,
): (value: string) => number {
  const lower =
    min === Number.NEGATIVE_INFINITY ? "a number" : exclusive ? `a number > ${min}` : `a number >= ${min}`;
  const expected = max === Number.POSITIVE_INFINITY ? lower : `${lower} and <= ${max}`;
  return (value: string): number => {
    const text = value.trim();
    const n = NUMBER.test(text) ? Number(text) : Number.NaN;
    if (!Number.isFinite(n) || n < min || n > max || (exclusive && n === min))
      throw invalid(flag, value, expected);
    return n;
  };
}

/**
 * A parser for an option that takes one of a few names.
 *
 * @example
 * parseChoice("--loss", ["softmax", "ova"])("ova"); // "ova"
 */
export function parseChoice<T extends string>(flag: string, choices: readonly T[]): (value: string) => T {
  return (value: string): T => {
    const found = choices.find((choice) => choice === value);
    if (found === undefined) throw invalid(flag, value, `one of ${choices.join(", ")}`);
    return found;
  };
}

/** Fractions of the data held out for development and test. */
export interface SplitFractions {
  dev: number;
  test: number;
}

/**
 * Parses `--split DEV,TEST` (or `--split DEV` for no test part): fractions >= 0 whose sum
 * leaves data to train on.
 *
 * @example
 * parseSplit("0.1,0.2"); // { dev: 0.1, test: 0.2 }
 */
export function parseSplit(value: string): SplitFractions {
  const expected = "one or two fractions DEV,TEST such as 0.1,0.1 (each >= 0, sum < 1)";
  const parts = value.split(",");
  if (parts.length > 2) throw invalid("--split", value, expected);
  const fractions = parts.map((part) => {
    const text = part.trim();
    const n = NUMBER.test(text) ? Number(text) : Number.NaN;
    if (!(n >= 0 && n < 1)) throw invalid("--split", value, expected);
    return n;
  });
  const dev = fractions[0]!;
  const test = fractions[1] ?? 0;
  if (dev + test >= 1) throw invalid("--split", value, expected);
  return { dev, test };
}

/**
 * An option read by `parse` whose default, `value`, the help shows as it is (for defaults
 * taken from a model family's DEFAULT_..._OPTIONS, so that the help never goes stale).
 *
 * @example
 * command.addOption(defaultedOption("--dim <n>", "size of the vectors", parseInteger("--dim", 1), 100));
 */
export function defaultedOption(
  flags: string,
  description: string,
  parse: (value: string) => unknown,
  value: unknown,
): Option {
  return new Option(flags, description).argParser(parse).default(value, String(value));
}
