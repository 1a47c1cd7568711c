/**
 * The confusion matrix a classifier's run record keeps beside each evaluation report, so
 * that the Runs page can compare two runs' matrices. Label sets (multi-label data) have no
 * single confusion matrix, and get none.
 */
import type { Dataset } from "../../data/index.ts";
import { type ClassificationReport, type ConfusionMatrix, confusionMatrix } from "../../eval/index.ts";

/**
 * `{ confusion }` for single-label predictions of `dataset` (rows true labels, columns
 * predicted, both in the model's label order), or `{}` for label sets.
 *
 * @example
 * final["dev"] = { accuracy, report, ...confusionPart(dev, evaluation.predictions, model.labels) };
 */
export function confusionPart(
  dataset: Dataset,
  predictions: readonly (readonly string[])[],
  labels: readonly string[],
): { confusion?: ConfusionMatrix } {
  const truth: string[] = [];
  const predicted: string[] = [];
  for (let i = 0; i < dataset.examples.length; i++) {
    const t = dataset.examples[i]?.labels;
    const p = predictions[i];
    if (t === undefined || p === undefined || t.length !== 1 || p.length !== 1) return {};
    truth.push(t[0] ?? "");
    predicted.push(p[0] ?? "");
  }
  if (truth.length === 0) return {};
  // The model's labels, then any the data has that the model does not (kept, not dropped).
  const all = [...labels, ...new Set(truth.filter((l) => !labels.includes(l)))];
  return { confusion: confusionMatrix(truth, predicted, all) };
}

/**
 * What a run record keeps of a dev evaluation: accuracy, the report, and the confusion
 * matrix where the labels are single.
 *
 * @example
 * final["dev"] = devRunPart(dev, model.evaluate(dev), model.labels);
 */
export function devRunPart(
  dev: Dataset,
  evaluation: { accuracy: number; report: ClassificationReport; predictions: readonly (readonly string[])[] },
  labels: readonly string[],
): { accuracy: number; report: ClassificationReport; confusion?: ConfusionMatrix } {
  return {
    accuracy: evaluation.accuracy,
    report: evaluation.report,
    ...confusionPart(dev, evaluation.predictions, labels),
  };
}
