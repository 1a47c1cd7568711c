import { TextkitError } from "../core/index.ts";
import { displayWidth } from "./strings.ts";
import { checkPairedLengths, encodeLabels, isLabelSets, resolveLabelList } from "./targets.ts";

/** Counts of (true label, predicted label) pairs; `matrix[t][p]`, rows are true labels. */
export interface ConfusionMatrix {
  labels: string[];
  matrix: number[][];
}

/**
 * The confusion matrix of single-label predictions, as scikit-learn's
 * `confusion_matrix`: rows are true labels, columns predicted labels, both in the order
 * of `labels` (default: the sorted union of true and predicted labels). With `labels`,
 * examples whose true or predicted label is not listed are left out.
 *
 * @example
 * confusionMatrix(["cat", "dog", "dog"], ["cat", "cat", "dog"]);
 * // { labels: ["cat", "dog"], matrix: [[1, 0], [1, 1]] }
 */
export function confusionMatrix(
  yTrue: readonly string[],
  yPred: readonly string[],
  labels?: readonly string[],
): ConfusionMatrix {
  checkPairedLengths(yTrue, yPred, "yTrue", "yPred");
  if (isLabelSets(yTrue, yPred)) {
    throw new TextkitError(
      "EVAL_BAD_TARGETS",
      "a confusion matrix needs one label per example (string[]), not label sets (string[][])",
    );
  }
  const enc = encodeLabels(yTrue, yPred);
  const k = enc.labels.length;
  const names = labels === undefined ? enc.labels : [...labels];
  const m = names.length;
  // position of each seen label in the matrix, -1 for a label left out
  const position = new Int32Array(k).fill(-1);
  if (labels === undefined) {
    for (let i = 0; i < k; i++) position[i] = i;
  } else {
    const selection = resolveLabelList(labels, enc.labels, "labels");
    for (const [j, s] of selection.entries()) if (s >= 0) position[s] = j;
  }
  const cells = new Float64Array(m * m);
  // label codes are below k, so an undefined position (skipped like -1) never occurs
  for (const [i, trueCode] of enc.yTrue.entries()) {
    const t = position[trueCode] ?? -1;
    const p = position[enc.yPred[i] ?? -1] ?? -1;
    if (t >= 0 && p >= 0) cells[t * m + p] = (cells[t * m + p] ?? 0) + 1;
  }
  const matrix = names.map((_, t) => Array.from(cells.subarray(t * m, (t + 1) * m)));
  return { labels: names, matrix };
}

/**
 * The matrix as an aligned table for a terminal: one row per true label, one column per
 * predicted label, widths counted in display columns so that Chinese labels line up.
 *
 * @example
 * formatConfusionMatrix({ labels: ["cat", "dog"], matrix: [[1, 0], [1, 1]] });
 * // true \ pred  cat  dog
 * // cat            1    0
 * // dog            1    1
 */
export function formatConfusionMatrix(cm: ConfusionMatrix): string {
  const corner = "true \\ pred";
  let first = displayWidth(corner);
  for (const label of cm.labels) first = Math.max(first, displayWidth(label));
  const widths = cm.labels.map((label, j) => {
    let w = displayWidth(label);
    for (const row of cm.matrix) w = Math.max(w, String(row[j]).length);
    return w;
  });
  const padRight = (text: string, w: number): string =>
    text + " ".repeat(Math.max(0, w - displayWidth(text)));
  const padLeft = (text: string, w: number): string => " ".repeat(Math.max(0, w - displayWidth(text))) + text;
  const lines = [
    padRight(corner, first) + cm.labels.map((label, j) => `  ${padLeft(label, widths[j] ?? 0)}`).join(""),
  ];
  for (const [t, label] of cm.labels.entries()) {
    const row = cm.matrix[t] ?? [];
    const cells = row.map((count, j) => `  ${padLeft(String(count), widths[j] ?? 0)}`).join("");
    lines.push(padRight(label, first) + cells);
  }
  return `${lines.join("\n")}\n`;
}
