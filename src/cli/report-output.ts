/** What the commands print about data, training epochs and evaluations. */

import type { EpochSummary, TrainHooks } from "../core/index.ts";
import type { Dataset } from "../data/index.ts";
import { formatClassificationReport } from "../eval/index.ts";
import type { ClassifierEvaluation } from "../models/classifier/index.ts";
import type { ProgressBar } from "./progress-bar.ts";

/**
 * One line about a dataset: `train: 2000 examples, 20 labels (samples/intents/train.csv)`.
 *
 * @example
 * describeDataset("train", dataset);
 */
export function describeDataset(name: string, dataset: Dataset, note = ""): string {
  const kind = dataset.multiLabel ? ", multi-label" : "";
  return `${name}: ${dataset.examples.length} examples, ${dataset.labels.length} labels${kind} (${dataset.source}${note})`;
}

/**
 * One line per epoch: `epoch 3/10 loss 0.8123 dev accuracy 0.9120 macro-F1 0.9050 (best) 0.42s`.
 *
 * @example
 * formatEpochSummary({ epoch: 1, trainLoss: 1.5, seconds: 0.2 }, 5); // "epoch 1/5 loss 1.5000 0.20s"
 */
export function formatEpochSummary(summary: EpochSummary, epochs: number): string {
  const parts = [`epoch ${summary.epoch}/${epochs}`, `loss ${summary.trainLoss.toFixed(4)}`];
  const dev = summary.dev;
  if (dev !== undefined) {
    if (dev["accuracy"] !== undefined) parts.push(`dev accuracy ${dev["accuracy"].toFixed(4)}`);
    if (dev["macroF1"] !== undefined) parts.push(`macro-F1 ${dev["macroF1"].toFixed(4)}`);
    if (dev["microF1"] !== undefined) parts.push(`micro-F1 ${dev["microF1"].toFixed(4)}`);
    if (dev["f1"] !== undefined) parts.push(`dev entity-F1 ${dev["f1"].toFixed(4)}`);
    if (summary.improved === true) parts.push("(best)");
  }
  parts.push(`${summary.seconds.toFixed(2)}s`);
  return parts.join(" ");
}

/**
 * A trainer's progress hook that draws on `bar`; `unit` is what its speed counts, as shown
 * before "/s" (default: the trainer's own unit, shortened: "tok", "ex", "words").
 *
 * @example
 * trainNumericClusters(rows, options, { onProgress: drawProgress(bar) });
 */
export function drawProgress(bar: ProgressBar, unit?: string): NonNullable<TrainHooks["onProgress"]> {
  return (p) =>
    bar.update({
      epoch: p.epoch,
      epochs: p.epochs,
      ...(p.stage === undefined ? {} : { stage: p.stage }),
      ...(p.lossName === undefined ? {} : { lossName: p.lossName }),
      progress: p.progress,
      // A loss not known yet (a least-squares pass before its solve) is left out, not shown as "?".
      ...(Number.isNaN(p.loss) ? {} : { loss: p.loss }),
      ...(p.learningRate === undefined ? {} : { learningRate: p.learningRate }),
      speed: p.speed,
      unit: unit ?? (p.unit === "tokens" ? "tok" : p.unit === "examples" ? "ex" : p.unit),
      etaSeconds: p.etaSeconds,
    });
}

/** Training hooks that draw the classifier's progress on `bar` and log each epoch. */
export function classifierHooks(bar: ProgressBar, epochs: number): TrainHooks {
  return {
    onProgress: drawProgress(bar),
    onEpochEnd: (summary) => bar.log(formatEpochSummary(summary, epochs)),
  };
}

/**
 * An evaluation as people read it: a heading, scikit-learn's classification report, and
 * the accuracy lines.
 *
 * @example
 * process.stdout.write(formatEvaluation("test", "data/test.csv", model.evaluate(test), 2));
 */
export function formatEvaluation(
  name: string,
  source: string,
  evaluation: ClassifierEvaluation,
  digits: number,
  topK?: { k: number; accuracy: number },
): string {
  let out = `${name}: ${evaluation.examples} examples (${source})\n\n`;
  out += formatClassificationReport(evaluation.report, digits);
  // For label sets, the share of texts whose predicted set is exactly the true one.
  out += `\n${evaluation.report.multiLabel ? "exact-match accuracy" : "accuracy"} ${evaluation.accuracy.toFixed(4)}`;
  if (topK !== undefined && Number.isFinite(topK.accuracy)) {
    out += `  top-${topK.k} accuracy ${topK.accuracy.toFixed(4)}`;
  }
  return `${out}\n`;
}

/** The headline numbers of an evaluation as plain data, for --json and the run record. */
export function evaluationMetrics(
  evaluation: ClassifierEvaluation,
  topK?: { k: number; accuracy: number },
): Record<string, unknown> {
  return {
    examples: evaluation.examples,
    accuracy: evaluation.accuracy,
    macroF1: evaluation.report.macro.f1,
    weightedF1: evaluation.report.weighted.f1,
    ...(evaluation.report.micro === undefined ? {} : { microF1: evaluation.report.micro.f1 }),
    ...(topK === undefined || !Number.isFinite(topK.accuracy)
      ? {}
      : { topK: { k: topK.k, accuracy: topK.accuracy } }),
  };
}

/**
 * A fraction as a percentage with three significant digits and no trailing zeros.
 *
 * @example
 * fractionPercent(0.125); // "12.5%"
 */
export function fractionPercent(fraction: number): string {
  return `${Number((fraction * 100).toPrecision(3))}%`;
}
