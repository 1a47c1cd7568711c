import { createHash } from "node:crypto";
import { compareCodePoints, TextkitError } from "../core/index.ts";
import type { Example, ReadOptions } from "./example.ts";
import { readExampleBatches } from "./read-examples.ts";

/** Examples in memory, with what a trainer needs to know about their labels. */
export interface Dataset {
  /** Where the examples came from, usually the file path; errors about them name it. */
  source: string;
  examples: Example[];
  /** Every label that occurs, unique, in code point order (see `compareCodePoints`). */
  labels: string[];
  /** True when some example has more than one label. */
  multiLabel: boolean;
}

export interface LoadOptions extends ReadOptions {
  /** Fewest distinct labels accepted; default 2, or 0 when `requireLabels` is false. */
  minClasses?: number;
}

/**
 * A dataset over examples already in memory. The array is kept as given, not copied.
 *
 * @example
 * const data = datasetFromExamples("inline", [{ text: "hi", labels: ["greet"], line: 1 }]);
 * data.labels; // ["greet"]
 */
export function datasetFromExamples(source: string, examples: Example[]): Dataset {
  const seen = new Set<string>();
  let multiLabel = false;
  for (const example of examples) {
    const labels = example.labels;
    if (labels.length > 1) multiLabel = true;
    for (const label of labels) seen.add(label);
  }
  return { source, examples, labels: [...seen].sort(compareCodePoints), multiLabel };
}

/**
 * Reads a whole data file into memory and checks that it can train a classifier: at least
 * one example and `minClasses` distinct labels.
 *
 * @example
 * const data = await loadDataset("samples/intents/train.csv");
 * console.log(data.examples.length, data.labels);
 */
export async function loadDataset(path: string, options: LoadOptions = {}): Promise<Dataset> {
  const minClasses = options.minClasses ?? (options.requireLabels === false ? 0 : 2);
  if (!(Number.isInteger(minClasses) && minClasses >= 0)) {
    throw new TextkitError("OPTION_INVALID", `minClasses must be a whole number >= 0, got ${minClasses}`);
  }
  const examples: Example[] = [];
  for await (const batch of readExampleBatches(path, options)) {
    for (const example of batch) examples.push(example);
  }
  if (examples.length === 0) {
    throw new TextkitError(
      "DATA_EMPTY",
      `${path} has no examples: the file is empty, or holds only blank lines or a header row`,
      { file: path },
    );
  }
  const dataset = datasetFromExamples(path, examples);
  if (dataset.labels.length < minClasses) {
    const found =
      dataset.labels.length === 1
        ? `every example has the label "${dataset.labels[0]}"`
        : `it has ${dataset.labels.length} distinct labels (${dataset.labels.map((l) => JSON.stringify(l)).join(", ")})`;
    throw new TextkitError(
      "DATA_SINGLE_CLASS",
      `${path} cannot train a classifier: ${found}, and at least ${minClasses} are needed; add examples of the other labels`,
      { file: path, details: { labels: dataset.labels } },
    );
  }
  return dataset;
}

const FINGERPRINT_VERSION = "textkit-dataset-fingerprint-v1\n";
// Hash in slices of about this many characters: one native update per slice, not per example.
const FINGERPRINT_SLICE = 1 << 20;

/**
 * SHA-256 (hex) of the examples' texts and labels in order, for a model manifest to say
 * which data trained it. Line numbers and the source do not count, so the same examples
 * give the same fingerprint whether they came from CSV, JSONL or fastText.
 *
 * @example
 * fingerprint(await loadDataset("train.csv")); // "3f1c…" (64 hex digits)
 */
export function fingerprint(dataset: Dataset): string {
  const hash = createHash("sha256");
  hash.update(FINGERPRINT_VERSION);
  let pending: string[] = [];
  let pendingChars = 0;
  for (const example of dataset.examples) {
    // JSON keeps the boundaries between texts and labels unambiguous whatever they contain.
    const entry = JSON.stringify([example.text, example.labels]);
    pending.push(entry);
    pendingChars += entry.length;
    if (pendingChars >= FINGERPRINT_SLICE) {
      hash.update(pending.join("\n"));
      hash.update("\n");
      pending = [];
      pendingChars = 0;
    }
  }
  if (pending.length > 0) {
    hash.update(pending.join("\n"));
    hash.update("\n");
  }
  return hash.digest("hex");
}
