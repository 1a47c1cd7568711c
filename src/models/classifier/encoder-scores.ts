/**
 * From matrices of label scores (one row per text) to what a classifier answers: ranked
 * predictions, the evaluation report, and the ensemble's mixing weight chosen on dev.
 */
import type { Dataset } from "../../data/index.ts";
import { classificationReport, topKAccuracy } from "../../eval/index.ts";
import type { ClassifierEvaluation, Prediction, PredictOptions, TextClassifier } from "./classifier.ts";
import type { HeadTargets } from "./head.ts";

/** The label ids of every example, flat. */
export function targetsOf(dataset: Dataset, lookup: ReadonlyMap<string, number>): HeadTargets {
  const offsets = new Int32Array(dataset.examples.length + 1);
  const ids: number[] = [];
  for (const [i, e] of dataset.examples.entries()) {
    // A dev label the training data lacks can never be predicted: it counts as a miss.
    for (const l of e.labels) {
      const id = lookup.get(l);
      if (id !== undefined) ids.push(id);
    }
    offsets[i + 1] = ids.length;
  }
  return { offsets, ids: Int32Array.from(ids) };
}

/** Top-k labels per row, best first (ties: lower index first), dropping those under the threshold. */
export function rankScores(
  scores: Float32Array,
  labels: readonly string[],
  multiLabel: boolean,
  options: PredictOptions,
): Prediction[] {
  const n = labels.length;
  const rows = scores.length / n;
  const k = Math.max(1, Math.min(options.k ?? 1, n));
  const threshold = options.threshold ?? 0;
  const out: Prediction[] = new Array(rows);
  const order = Int32Array.from({ length: n }, (_, i) => i);
  for (let r = 0; r < rows; r++) {
    const base = r * n;
    for (let i = 0; i < n; i++) order[i] = i;
    order.sort((a, b) => scores[base + b]! - scores[base + a]! || a - b);
    const result: Prediction = { labels: [], scores: [] };
    for (let j = 0; j < k; j++) {
      const s = scores[base + order[j]!]!;
      if (s < threshold && (j > 0 || multiLabel)) break;
      result.labels.push(labels[order[j]!]!);
      result.scores.push(s);
    }
    out[r] = result;
  }
  return out;
}

/** The classifier's evaluation (report, accuracy or exact match, top-5) from a score matrix. */
export function evaluateScores(
  scores: Float32Array,
  labels: readonly string[],
  multiLabel: boolean,
  dataset: Dataset,
): ClassifierEvaluation {
  const ranked = rankScores(scores, labels, multiLabel, { k: Math.min(5, labels.length) }).map(
    (p) => p.labels,
  );
  const predictions = multiLabel
    ? rankScores(scores, labels, true, { k: labels.length, threshold: 0.5 }).map((p) => p.labels)
    : ranked.map((r) => [r[0]!]);
  const truth = dataset.examples.map((e) => e.labels);
  const report = multiLabel
    ? classificationReport(truth, predictions)
    : classificationReport(
        truth.map((l) => l[0]!),
        predictions.map((p) => p[0]!),
      );
  let exact = 0;
  for (let i = 0; i < truth.length; i++) {
    const t = truth[i]!;
    const p = predictions[i]!;
    if (t.length === p.length && t.every((l) => p.includes(l))) exact++;
  }
  return {
    report,
    accuracy: truth.length === 0 ? 0 : exact / truth.length,
    top5Accuracy: multiLabel
      ? Number.NaN
      : topKAccuracy(
          truth.map((l) => l[0]!),
          ranked,
          5,
        ),
    examples: truth.length,
    predictions,
  };
}

/** The ensemble's choice: the head's share, and the dev metric of each side and of the mix. */
export interface MixChoice {
  weight: number;
  metric: "accuracy" | "microF1";
  head: number;
  ngram: number;
  mixed: number;
}

/**
 * The share of the head's scores in `w × head + (1 − w) × ngram` that scores best on dev
 * (accuracy; micro-F1 for multi-label data), over w = 0, 0.05, ..., 1; ties go to the
 * larger w, the head alone being the simpler model to serve.
 */
export function mixWeightOnDev(
  headScores: Float32Array,
  ngram: TextClassifier,
  dev: Dataset,
  labels: readonly string[],
  multiLabel: boolean,
): MixChoice {
  const n = labels.length;
  const rows = dev.examples.length;
  const ngramScores = new Float32Array(rows * n);
  for (let i = 0; i < rows; i++) ngramScores.set(ngram.scoresOf(dev.examples[i]!.text), i * n);
  const mixed = new Float32Array(rows * n);
  const metricAt = (w: number): number => {
    for (let k = 0; k < mixed.length; k++) mixed[k] = w * headScores[k]! + (1 - w) * ngramScores[k]!;
    const e = evaluateScores(mixed, labels, multiLabel, dev);
    return multiLabel ? (e.report.micro?.f1 ?? 0) : e.accuracy;
  };
  let best = 1;
  let bestMetric = metricAt(1);
  const head = bestMetric;
  for (let step = 19; step >= 0; step--) {
    const w = step / 20;
    const m = metricAt(w);
    if (m > bestMetric) {
      best = w;
      bestMetric = m;
    }
  }
  return {
    weight: best,
    metric: multiLabel ? "microF1" : "accuracy",
    head,
    ngram: metricAt(0),
    mixed: bestMetric,
  };
}
