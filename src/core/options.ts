/**
 * Option checking shared by every model family: each refusal is an OPTION_INVALID error
 * whose details name the option (`details.option`), so that the CLI can tell which flag
 * sets it.
 */
import { TextkitError } from "./errors.ts";

function invalid(name: string, value: unknown, message: string): TextkitError {
  return new TextkitError("OPTION_INVALID", message, { details: { option: name, value } });
}

/**
 * Refuses a value that is not a whole number from `min` to `max` (both included).
 *
 * @example
 * checkInt("epochs", 10, 1, 10_000); // passes
 * checkInt("epochs", 0, 1, 10_000); // throws OPTION_INVALID: epochs must be an integer from 1 to 10000, got 0
 */
export function checkInt(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw invalid(name, value, `${name} must be an integer from ${min} to ${max}, got ${value}`);
  }
}

/**
 * Refuses a value that is not a number from `min` (excluded when `minExclusive`) to `max`.
 * NaN is refused; so is an infinity, unless `max` is one.
 *
 * @example
 * checkNumber("reg", 0.5, 0, 1e6); // passes
 * checkNumber("learningRate", 0, 0, 10, true); // throws: learningRate must be a number > 0 and <= 10, got 0
 */
export function checkNumber(
  name: string,
  value: number,
  min: number,
  max: number,
  minExclusive = false,
): void {
  if (!(typeof value === "number" && value <= max && (minExclusive ? value > min : value >= min))) {
    throw invalid(
      name,
      value,
      `${name} must be a number ${minExclusive ? ">" : ">="} ${min} and <= ${max}, got ${value}`,
    );
  }
}

/**
 * Whether `value` is one of `choices`; the type then knows which (no cast after an
 * `includes` check).
 *
 * @example
 * if (isOneOf(text, SENTIMENTS)) sentiment = text; // text: "positive" | "neutral" | "negative"
 */
export function isOneOf<T extends string>(value: unknown, choices: readonly T[]): value is T {
  return choices.some((choice) => choice === value);
}

/**
 * Refuses a value that is not one of `choices`; afterwards the type knows it is one.
 *
 * @example
 * checkOneOf("loss", "hinge", ["softmax", "ova"]); // throws: loss must be one of softmax, ova, got 'hinge'
 */
export function checkOneOf<T extends string>(
  name: string,
  value: unknown,
  choices: readonly T[],
): asserts value is T {
  if (!choices.some((choice) => choice === value)) {
    throw invalid(name, value, `${name} must be one of ${choices.join(", ")}, got '${String(value)}'`);
  }
}

/**
 * Refuses a value that is not true or false (a JavaScript caller may pass anything).
 *
 * @example
 * checkBoolean("lowercase", 1); // throws: lowercase must be true or false, got '1'
 */
export function checkBoolean(name: string, value: unknown): asserts value is boolean {
  if (typeof value !== "boolean") {
    throw invalid(name, value, `${name} must be true or false, got '${String(value)}'`);
  }
}

/**
 * A fresh object with `given`'s values over `defaults`; a value given as undefined keeps
 * the default, so that `{ epochs: flags.epochs }` with no flag changes nothing.
 *
 * @example
 * withDefaults({ epochs: 10, lr: 0.5 }, { lr: 0.1, epochs: undefined }); // { epochs: 10, lr: 0.1 }
 */
export function withDefaults<T extends object>(defaults: Readonly<T>, given: Partial<T>): T {
  const out: T = { ...defaults };
  for (const key of Object.keys(given) as (keyof T)[]) {
    const value = given[key];
    if (value !== undefined) out[key] = value;
  }
  return out;
}
