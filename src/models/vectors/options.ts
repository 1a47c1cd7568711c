import { TextkitError, withDefaults } from "../../core/index.ts";

/** Every hyperparameter of the word-vector trainer. */
export interface VectorsOptions {
  /** Size of the vectors. */
  dim: number;
  /** Passes over the corpus. */
  epochs: number;
  /** Initial learning rate; it decays linearly to 0 over all epochs. */
  lr: number;
  /** Largest distance between a word and a context word; each position draws its own size in [1, window]. */
  window: number;
  /** Words drawn from the unigram^0.75 distribution per (word, context) pair. */
  negatives: number;
  /** Words seen fewer times get no vector of their own (their n-grams still give them one). */
  minCount: number;
  /** Shortest and longest character n-gram of `<word>`; maxn = 0 turns subwords off. */
  minn: number;
  maxn: number;
  /** Hash buckets for character n-grams (0 turns subwords off). Only buckets that a word uses get a row. */
  buckets: number;
  /** Frequent words are kept with probability sqrt(sample / f) + sample / f (0 keeps all). */
  sample: number;
  seed: number;
  lowercase: boolean;
}

export const DEFAULT_VECTORS_OPTIONS: VectorsOptions = Object.freeze({
  dim: 100,
  epochs: 5,
  lr: 0.05,
  window: 5,
  negatives: 5,
  minCount: 5,
  minn: 3,
  maxn: 6,
  buckets: 2_000_000,
  sample: 1e-4,
  seed: 1,
  lowercase: true,
});

const MIN_INTEGERS: Partial<Record<keyof VectorsOptions, number>> = {
  dim: 1,
  epochs: 1,
  window: 1,
  negatives: 1,
  minCount: 1,
  minn: 0,
  maxn: 0,
  buckets: 0,
};

/**
 * Fills in defaults and checks every value, so that training never starts with settings it
 * would fail on halfway.
 *
 * @example
 * resolveVectorsOptions({ dim: 50 }).epochs; // 5
 */
export function resolveVectorsOptions(partial: Partial<VectorsOptions> = {}): VectorsOptions {
  for (const key of Object.keys(partial)) {
    if (!(key in DEFAULT_VECTORS_OPTIONS)) {
      const known = Object.keys(DEFAULT_VECTORS_OPTIONS).join(", ");
      throw new TextkitError("OPTION_INVALID", `unknown vectors option '${key}'; the options are ${known}`);
    }
  }
  const options = withDefaults(DEFAULT_VECTORS_OPTIONS, partial);
  for (const [key, min] of Object.entries(MIN_INTEGERS) as [keyof VectorsOptions, number][]) {
    const value = options[key];
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value < min) {
      throw invalid(key, value, `a whole number >= ${min}`);
    }
  }
  if (typeof options.lr !== "number" || !(options.lr > 0) || !Number.isFinite(options.lr)) {
    throw invalid("lr", options.lr, "a number > 0");
  }
  if (typeof options.sample !== "number" || !(options.sample >= 0) || !Number.isFinite(options.sample)) {
    throw invalid("sample", options.sample, "a number >= 0");
  }
  if (typeof options.seed !== "number" || !Number.isSafeInteger(options.seed)) {
    throw invalid("seed", options.seed, "a whole number");
  }
  if (typeof options.lowercase !== "boolean") throw invalid("lowercase", options.lowercase, "true or false");
  if (options.maxn > 0 && (options.minn < 1 || options.minn > options.maxn)) {
    throw new TextkitError(
      "OPTION_INVALID",
      `minn must be between 1 and maxn (${options.maxn}), got ${options.minn}; set maxn to 0 to turn subwords off`,
    );
  }
  if (options.buckets > 0x7fffffff) throw invalid("buckets", options.buckets, "at most 2147483647");
  return options;
}

/** True when words get character n-gram rows besides their own. */
export function usesSubwords(options: VectorsOptions): boolean {
  return options.maxn > 0 && options.buckets > 0;
}

function invalid(key: string, value: unknown, expected: string): TextkitError {
  return new TextkitError("OPTION_INVALID", `${key} must be ${expected}, got ${JSON.stringify(value)}`);
}
