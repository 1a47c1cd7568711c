import { compareCodePoints, Random, TextkitError } from "../core/index.ts";
import type { Dataset } from "./dataset.ts";
import type { Example } from "./example.ts";

/** Fractions of each label's examples to hold out, and the seed of the shuffle. */
export interface SplitOptions {
  /** e.g. 0.1 */
  dev: number;
  /** e.g. 0.1; may be 0 */
  test: number;
  seed: number;
}

export interface Split {
  train: Dataset;
  dev: Dataset;
  test: Dataset;
}

const TRAIN = 0;
const DEV = 1;
const TEST = 2;

function checkSplitOptions(options: SplitOptions): void {
  const { dev, test, seed } = options;
  const fraction = (x: number) => Number.isFinite(x) && x >= 0 && x < 1;
  if (!fraction(dev) || !fraction(test) || dev + test >= 1) {
    throw new TextkitError(
      "OPTION_INVALID",
      `dev and test must be fractions >= 0 that leave some data to train on (dev + test < 1), got dev ${dev} and test ${test}`,
    );
  }
  if (!Number.isInteger(seed))
    throw new TextkitError("OPTION_INVALID", `seed must be an integer, got ${seed}`);
}

/**
 * Splits a dataset into train, dev and test with each label in the same proportions
 * (stratified on an example's first label). Per label: a seeded shuffle, then round(n * dev)
 * examples to dev and round(n * test) to test, always leaving at least one to train, so that
 * train holds every class. Each part keeps the original order of the examples. The same seed
 * gives the same split. Throws DATA_SPLIT_TOO_SMALL when train or a requested dev or test
 * part would be empty.
 *
 * @example
 * const { train, dev, test } = stratifiedSplit(await loadDataset("all.csv"), { dev: 0.1, test: 0.1, seed: 1 });
 */
export function stratifiedSplit(dataset: Dataset, options: SplitOptions): Split {
  checkSplitOptions(options);
  const examples = dataset.examples;
  const groups = new Map<string, number[]>();
  for (const [i, example] of examples.entries()) {
    // Examples without labels (read with requireLabels: false) form a group of their own.
    const key = example.labels[0] ?? "";
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [i]);
    else group.push(i);
  }

  const part = new Uint8Array(examples.length);
  const counts = { train: 0, dev: 0, test: 0 };
  const random = new Random(options.seed);
  let smallest = Number.POSITIVE_INFINITY;
  for (const key of [...groups.keys()].sort(compareCodePoints)) {
    const members = Int32Array.from(groups.get(key) ?? []);
    random.shuffle(members);
    const n = members.length;
    smallest = Math.min(smallest, n);
    let nDev = Math.round(n * options.dev);
    let nTest = Math.round(n * options.test);
    // Keep one example to train on: take back from the larger held-out part, test first.
    while (nDev + nTest > n - 1) {
      if (nTest >= nDev && nTest > 0) nTest--;
      else nDev--;
    }
    for (const [k, member] of members.entries())
      part[member] = k < nDev ? DEV : k < nDev + nTest ? TEST : TRAIN;
    counts.train += n - nDev - nTest;
    counts.dev += nDev;
    counts.test += nTest;
  }

  const empty =
    counts.train === 0
      ? "train"
      : options.dev > 0 && counts.dev === 0
        ? "dev"
        : options.test > 0 && counts.test === 0
          ? "test"
          : null;
  if (empty !== null) {
    throw new TextkitError(
      "DATA_SPLIT_TOO_SMALL",
      `${dataset.source} is too small to split: with ${examples.length} examples over ${groups.size} labels (the smallest has ${smallest === Number.POSITIVE_INFINITY ? 0 : smallest}), dev ${options.dev} and test ${options.test} leave the ${empty} part empty; give more examples, larger fractions, or separate dev/test files`,
      { file: dataset.source, details: counts },
    );
  }

  const parts: Record<"train" | "dev" | "test", Example[]> = { train: [], dev: [], test: [] };
  for (const [i, example] of examples.entries()) {
    const where = part[i];
    (where === DEV ? parts.dev : where === TEST ? parts.test : parts.train).push(example);
  }
  // Labels are counted per part (a rare label may not reach dev), but multiLabel is a
  // property of the task, so every part keeps the whole dataset's.
  const make = (list: Example[]): Dataset => {
    const labels = new Set<string>();
    for (const example of list) for (const label of example.labels) labels.add(label);
    return {
      source: dataset.source,
      examples: list,
      labels: [...labels].sort(compareCodePoints),
      multiLabel: dataset.multiLabel,
    };
  };
  return { train: make(parts.train), dev: make(parts.dev), test: make(parts.test) };
}
