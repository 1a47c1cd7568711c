/** The checks every classifier's training makes of its training set before it starts. */
import { TextkitError } from "../../core/index.ts";
import type { Dataset } from "../../data/index.ts";

/**
 * The label list of `train`, checked: DATA_EMPTY without examples, DATA_SINGLE_CLASS with
 * fewer than two labels (both naming the file).
 *
 * @example
 * const labels = checkTrainable(train); // ["billing", "card", ...]
 */
export function checkTrainable(train: Dataset): string[] {
  if (train.examples.length === 0)
    throw new TextkitError("DATA_EMPTY", `${train.source} has no examples`, { file: train.source });
  const labels = [...train.labels];
  if (labels.length < 2) {
    throw new TextkitError(
      "DATA_SINGLE_CLASS",
      `${train.source} has only the label '${labels[0]}': a classifier needs two`,
      { file: train.source },
    );
  }
  return labels;
}
