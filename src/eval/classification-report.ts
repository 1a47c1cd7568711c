import { TextkitError } from "../core/index.ts";
import { formatFixed, formatPythonFloat } from "./format-float.ts";
import { pairwiseSum } from "./pairwise-sum.ts";
import { codePointLength, padLeftCodePoints } from "./strings.ts";
import {
  checkPairedLengths,
  describeValue,
  type EncodedLabelSets,
  encodeLabelSets,
  encodeLabels,
  isLabelSets,
  resolveLabelList,
} from "./targets.ts";

/** Precision, recall, F1 and support of one label. */
export interface LabelMetrics {
  label: string;
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

/** One averaged row of a report; `support` is the sum of the labels' supports. */
export interface AverageMetrics {
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

/**
 * The numbers of scikit-learn's `classification_report`, as data. Field for field it
 * matches `classification_report(..., output_dict=True)`; see `classificationReportToDict`.
 */
export interface ClassificationReport {
  /** One row per label: the sorted union of true and predicted labels, or the `labels` option in its order. */
  labels: LabelMetrics[];
  /**
   * Single-label data: the share of examples predicted right, present (and printed as the
   * "accuracy" row) when the report covers every label seen. Label sets: subset accuracy
   * (the predicted set equals the true set, over all labels), kept for JSON, not printed.
   */
  accuracy?: number;
  /** Micro average; present for label sets, and for single labels when `labels` leaves some out. */
  micro?: AverageMetrics;
  macro: AverageMetrics;
  /** Average weighted by support. */
  weighted: AverageMetrics;
  /** Label sets only: metrics per example, averaged over examples. */
  samples?: AverageMetrics;
  multiLabel: boolean;
  /** Sum of the reported labels' supports. */
  support: number;
  /** Digits after the point that `formatClassificationReport` uses unless told otherwise. */
  digits: number;
  /**
   * sklearn prints supports as floats ("3.0") when no example at all is predicted right
   * (its counts turn float64 then); kept so that the printed report matches byte for byte.
   */
  supportAsFloat: boolean;
}

export interface ClassificationReportOptions {
  /** Labels to report, in this order; labels the data never uses get rows of zeros. */
  labels?: readonly string[];
  /** Digits after the point in `formatClassificationReport`; default 2. */
  digits?: number;
  /** Value of a precision or recall whose denominator is 0; sklearn's default ("warn") acts as 0. */
  zeroDivision?: 0 | 1;
}

type Targets = readonly string[] | readonly (readonly string[])[];

/**
 * Per-label precision, recall, F1 and support, with micro/macro/weighted (and, for label
 * sets, samples) averages, computed as scikit-learn 1.2's `classification_report` does,
 * down to the order of floating-point additions.
 *
 * `string[]` inputs hold one label per example (binary or multiclass); `string[][]`
 * inputs hold a set of labels per example (multi-label, indicator semantics: a label
 * repeated within one example counts once).
 *
 * @example
 * const report = classificationReport(["cat", "dog", "cat"], ["cat", "cat", "cat"]);
 * report.labels[0]; // { label: "cat", precision: 0.666..., recall: 1, f1: 0.8, support: 2 }
 * report.accuracy; // 0.666...
 * console.log(formatClassificationReport(report));
 */
export function classificationReport(
  yTrue: Targets,
  yPred: Targets,
  options: ClassificationReportOptions = {},
): ClassificationReport {
  const zeroDivision = checkZeroDivision(options.zeroDivision);
  const digits = options.digits === undefined ? 2 : checkDigits(options.digits);
  checkPairedLengths(yTrue, yPred, "yTrue", "yPred");
  const report = isLabelSets(yTrue, yPred)
    ? labelSetReport(yTrue, yPred, options.labels, zeroDivision)
    : singleLabelReport(yTrue, yPred, options.labels, zeroDivision);
  report.digits = digits;
  return report;
}

function singleLabelReport(
  yTrueIn: readonly unknown[],
  yPredIn: readonly unknown[],
  labelsOption: readonly string[] | undefined,
  zeroDivision: number,
): ClassificationReport {
  const { labels: present, yTrue, yPred } = encodeLabels(yTrueIn, yPredIn);
  const n = yTrue.length;
  const k = present.length;
  const tpAll = new Float64Array(k);
  const predAll = new Float64Array(k);
  const trueAll = new Float64Array(k);
  let correct = 0;
  // label codes index arrays of length k, so the `?? 0` below never applies
  for (const [i, t] of yTrue.entries()) {
    const p = yPred[i] ?? -1;
    trueAll[t] = (trueAll[t] ?? 0) + 1;
    predAll[p] = (predAll[p] ?? 0) + 1;
    if (t === p) {
      tpAll[t] = (tpAll[t] ?? 0) + 1;
      correct++;
    }
  }
  const selection =
    labelsOption === undefined ? identity(k) : resolveLabelList(labelsOption, present, "labels");
  const names = labelsOption === undefined ? present : [...labelsOption];
  const counts = selectCounts(selection, tpAll, predAll, trueAll);
  // sklearn reports accuracy instead of a micro average when the rows cover every label seen
  const coversAll = selection.length === k && selection.every((s) => s >= 0);
  const rows = perLabel(names, counts, zeroDivision);
  const micro = microAverage(counts, zeroDivision);
  const report: ClassificationReport = {
    labels: rows.metrics,
    macro: macroAverage(rows, counts.support),
    weighted: weightedAverage(rows, counts, zeroDivision),
    multiLabel: false,
    support: counts.support,
    digits: 2,
    supportAsFloat: correct === 0,
  };
  if (coversAll) report.accuracy = correct / n;
  else report.micro = micro;
  return report;
}

function labelSetReport(
  yTrueIn: readonly unknown[],
  yPredIn: readonly unknown[],
  labelsOption: readonly string[] | undefined,
  zeroDivision: number,
): ClassificationReport {
  const enc = encodeLabelSets(yTrueIn, yPredIn);
  const n = enc.trueOffsets.length - 1;
  const k = enc.labels.length;
  const selection =
    labelsOption === undefined ? identity(k) : resolveLabelList(labelsOption, enc.labels, "labels");
  const names = labelsOption === undefined ? enc.labels : [...labelsOption];
  const selected = new Uint8Array(k);
  for (const s of selection) if (s >= 0) selected[s] = 1;

  const { tpAll, predAll, trueAll, samplePrecision, sampleRecall, sampleF1, exact } = countLabelSets(
    enc,
    selected,
    zeroDivision,
  );
  const counts = selectCounts(selection, tpAll, predAll, trueAll);
  const rows = perLabel(names, counts, zeroDivision);
  return {
    labels: rows.metrics,
    accuracy: exact / n,
    micro: microAverage(counts, zeroDivision),
    macro: macroAverage(rows, counts.support),
    weighted: weightedAverage(rows, counts, zeroDivision),
    samples: {
      precision: pairwiseSum(samplePrecision, 0, n) / n,
      recall: pairwiseSum(sampleRecall, 0, n) / n,
      f1: pairwiseSum(sampleF1, 0, n) / n,
      support: counts.support,
    },
    multiLabel: true,
    support: counts.support,
    digits: 2,
    supportAsFloat: false,
  };
}

interface LabelSetCounts {
  tpAll: Float64Array;
  predAll: Float64Array;
  trueAll: Float64Array;
  samplePrecision: Float64Array;
  sampleRecall: Float64Array;
  sampleF1: Float64Array;
  /** Examples whose predicted set equals the true set. */
  exact: number;
}

/** Counts per label over all examples, and per example the scores over the selected labels. */
function countLabelSets(enc: EncodedLabelSets, selected: Uint8Array, zeroDivision: number): LabelSetCounts {
  const n = enc.trueOffsets.length - 1;
  const k = enc.labels.length;
  const tpAll = new Float64Array(k);
  const predAll = new Float64Array(k);
  const trueAll = new Float64Array(k);
  const samplePrecision = new Float64Array(n);
  const sampleRecall = new Float64Array(n);
  const sampleF1 = new Float64Array(n);
  // stamps mark membership of example i without clearing a set per example
  const inTrue = new Int32Array(k);
  const inPred = new Int32Array(k);
  const { trueOffsets, trueCodes, predOffsets, predCodes } = enc;
  let exact = 0;
  // offsets start at 0 and have n + 1 entries, label codes are below k: the `?? 0` never applies
  let trueStart = 0;
  let predStart = 0;
  for (let i = 0; i < n; i++) {
    const stamp = i + 1;
    const trueEnd = trueOffsets[i + 1] ?? trueStart;
    const predEnd = predOffsets[i + 1] ?? predStart;
    let trueCount = 0;
    let trueSel = 0;
    for (const label of trueCodes.subarray(trueStart, trueEnd)) {
      if (inTrue[label] === stamp) continue;
      inTrue[label] = stamp;
      trueAll[label] = (trueAll[label] ?? 0) + 1;
      trueCount++;
      trueSel += selected[label] ?? 0;
    }
    let predCount = 0;
    let predSel = 0;
    let tpCount = 0;
    let tpSel = 0;
    for (const label of predCodes.subarray(predStart, predEnd)) {
      if (inPred[label] === stamp) continue;
      inPred[label] = stamp;
      predAll[label] = (predAll[label] ?? 0) + 1;
      predCount++;
      const isSelected = selected[label] ?? 0;
      predSel += isSelected;
      if (inTrue[label] === stamp) {
        tpAll[label] = (tpAll[label] ?? 0) + 1;
        tpCount++;
        tpSel += isSelected;
      }
    }
    trueStart = trueEnd;
    predStart = predEnd;
    if (tpCount === trueCount && tpCount === predCount) exact++;
    const p = divide(tpSel, predSel, zeroDivision);
    const r = divide(tpSel, trueSel, zeroDivision);
    samplePrecision[i] = p;
    sampleRecall[i] = r;
    sampleF1[i] = fScore(p, r);
  }
  return { tpAll, predAll, trueAll, samplePrecision, sampleRecall, sampleF1, exact };
}

interface SelectedCounts {
  tp: Float64Array;
  pred: Float64Array;
  true: Float64Array;
  support: number;
}

interface Rows {
  metrics: LabelMetrics[];
  precision: Float64Array;
  recall: Float64Array;
  f1: Float64Array;
}

function identity(k: number): Int32Array {
  const out = new Int32Array(k);
  for (let i = 0; i < k; i++) out[i] = i;
  return out;
}

function selectCounts(
  selection: Int32Array,
  tpAll: Float64Array,
  predAll: Float64Array,
  trueAll: Float64Array,
): SelectedCounts {
  const m = selection.length;
  const tp = new Float64Array(m);
  const pred = new Float64Array(m);
  const truth = new Float64Array(m);
  let support = 0;
  // a selection entry is a label code below the arrays' length, or -1 for a label never seen
  for (const [j, s] of selection.entries()) {
    if (s < 0) continue;
    const t = trueAll[s] ?? 0;
    tp[j] = tpAll[s] ?? 0;
    pred[j] = predAll[s] ?? 0;
    truth[j] = t;
    support += t;
  }
  return { tp, pred, true: truth, support };
}

function perLabel(names: readonly string[], counts: SelectedCounts, zeroDivision: number): Rows {
  const m = names.length;
  const precision = new Float64Array(m);
  const recall = new Float64Array(m);
  const f1 = new Float64Array(m);
  // counts hold one entry per name (selectCounts sized them by the same selection)
  const metrics = names.map((label, j): LabelMetrics => {
    const tp = counts.tp[j] ?? 0;
    const support = counts.true[j] ?? 0;
    const p = divide(tp, counts.pred[j] ?? 0, zeroDivision);
    const r = divide(tp, support, zeroDivision);
    const f = fScore(p, r);
    precision[j] = p;
    recall[j] = r;
    f1[j] = f;
    return { label, precision: p, recall: r, f1: f, support };
  });
  return { metrics, precision, recall, f1 };
}

function microAverage(counts: SelectedCounts, zeroDivision: number): AverageMetrics {
  let tp = 0;
  let pred = 0;
  for (const [j, value] of counts.tp.entries()) {
    tp += value;
    pred += counts.pred[j] ?? 0;
  }
  const precision = divide(tp, pred, zeroDivision);
  const recall = divide(tp, counts.support, zeroDivision);
  return { precision, recall, f1: fScore(precision, recall), support: counts.support };
}

function macroAverage(rows: Rows, support: number): AverageMetrics {
  const m = rows.precision.length;
  return {
    precision: pairwiseSum(rows.precision, 0, m) / m,
    recall: pairwiseSum(rows.recall, 0, m) / m,
    f1: pairwiseSum(rows.f1, 0, m) / m,
    support,
  };
}

function weightedAverage(rows: Rows, counts: SelectedCounts, zeroDivision: number): AverageMetrics {
  const m = rows.precision.length;
  const support = counts.support;
  if (support === 0) {
    // sklearn's fallback when no reported label occurs in the truth
    let predicted = 0;
    for (const value of counts.pred) predicted += value;
    if (predicted === 0) return { precision: zeroDivision, recall: zeroDivision, f1: zeroDivision, support };
    return { precision: 0, recall: zeroDivision, f1: 0, support };
  }
  const weights = counts.true;
  const scratch = new Float64Array(m);
  const total = pairwiseSum(weights, 0, m);
  const weighted = (values: Float64Array): number => {
    for (const [j, value] of values.entries()) scratch[j] = value * (weights[j] ?? 0);
    return pairwiseSum(scratch, 0, m) / total;
  };
  return {
    precision: weighted(rows.precision),
    recall: weighted(rows.recall),
    f1: weighted(rows.f1),
    support,
  };
}

function divide(numerator: number, denominator: number, zeroDivision: number): number {
  return denominator === 0 ? zeroDivision : numerator / denominator;
}

/** F1 in sklearn's operation order, ((1 + beta²)·p·r) / (beta²·p + r) with beta = 1. */
function fScore(precision: number, recall: number): number {
  const denominator = precision + recall;
  return (2 * precision * recall) / (denominator === 0 ? 1 : denominator);
}

function checkZeroDivision(value: unknown): number {
  if (value === undefined) return 0;
  if (value !== 0 && value !== 1) {
    throw new TextkitError(
      "OPTION_INVALID",
      `zeroDivision must be 0 or 1, got ${typeof value === "number" ? value : describeValue(value)}`,
    );
  }
  return value;
}

function checkDigits(value: unknown): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > 20) {
    throw new TextkitError("OPTION_INVALID", `digits must be an integer from 0 to 20, got ${String(value)}`);
  }
  return value;
}

const HEADERS = ["precision", "recall", "f1-score", "support"] as const;

/**
 * The report as text, byte for byte the string scikit-learn's `classification_report`
 * returns with the same `digits` (default: the report's, set by `classificationReport`) (what `print` shows, without print's final newline). Label columns are as wide
 * as Python counts them, in code points, so Chinese names do not line up on a terminal,
 * exactly as in sklearn.
 *
 * @example
 * formatClassificationReport(classificationReport(["a", "b"], ["a", "a"]));
 * //               precision    recall  f1-score   support
 * //
 * //            a       0.50      1.00      0.67         1
 * //  ...
 */
export function formatClassificationReport(report: ClassificationReport, digits = report.digits): string {
  checkDigits(digits);
  let width = Math.max("weighted avg".length, digits);
  for (const row of report.labels) width = Math.max(width, codePointLength(row.label));
  const support = (value: number): string =>
    padLeftCodePoints(report.supportAsFloat ? formatPythonFloat(value) : String(value), 9);
  const number = (value: number): string => ` ${padLeftCodePoints(formatFixed(value, digits), 9)}`;
  const line = (heading: string, m: AverageMetrics): string =>
    `${padLeftCodePoints(heading, width)} ${number(m.precision)}${number(m.recall)}${number(m.f1)} ${support(m.support)}\n`;

  let out = `${" ".repeat(width)} `;
  for (const header of HEADERS) out += ` ${padLeftCodePoints(header, 9)}`;
  out += "\n\n";
  for (const row of report.labels) out += line(row.label, row);
  out += "\n";
  if (report.micro !== undefined) {
    out += line("micro avg", report.micro);
  } else if (report.accuracy !== undefined) {
    // sklearn prints the micro F1 here, which for single labels is accuracy up to rounding
    const a = report.accuracy;
    const f1 = fScore(a, a);
    out += `${padLeftCodePoints("accuracy", width)} ${" ".repeat(20)}${number(f1)} ${support(report.support)}\n`;
  }
  out += line("macro avg", report.macro);
  out += line("weighted avg", report.weighted);
  if (report.samples !== undefined) out += line("samples avg", report.samples);
  return out;
}

/** The shape of sklearn's `output_dict=True` for one row. */
export interface SklearnRow {
  precision: number;
  recall: number;
  "f1-score": number;
  support: number;
}

/**
 * The report in the shape of sklearn's `classification_report(..., output_dict=True)`:
 * one key per label, then "accuracy" (a number) or "micro avg", "macro avg",
 * "weighted avg" and, for label sets, "samples avg". Like sklearn's, a label named like an
 * average row is overwritten by it.
 *
 * @example
 * classificationReportToDict(classificationReport(["a", "b"], ["a", "b"]))["accuracy"]; // 1
 */
export function classificationReportToDict(
  report: ClassificationReport,
): Record<string, SklearnRow | number> {
  const row = (m: AverageMetrics): SklearnRow => ({
    precision: m.precision,
    recall: m.recall,
    "f1-score": m.f1,
    support: m.support,
  });
  const out: Record<string, SklearnRow | number> = {};
  for (const label of report.labels) out[label.label] = row(label);
  if (report.micro !== undefined) out["micro avg"] = row(report.micro);
  else if (report.accuracy !== undefined) out["accuracy"] = report.accuracy;
  out["macro avg"] = row(report.macro);
  out["weighted avg"] = row(report.weighted);
  if (report.samples !== undefined) out["samples avg"] = row(report.samples);
  return out;
}
