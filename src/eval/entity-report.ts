/**
 * Evaluation of sequence tagging. A tagger is judged by the entities it finds, not by its
 * tags: an entity counts as found only when its start, end and type all match a true one
 * (the measure of the CoNLL shared tasks and of seqeval). Token-level scores are offered
 * beside it, clearly named, because they look much better than entity scores (every O
 * token predicted right counts) and are easy to mistake for them.
 */
import { compareCodePoints, type TagScheme } from "../core/index.ts";
import type { AverageMetrics, SklearnRow } from "./classification-report.ts";
import {
  checkDigits,
  checkMode,
  checkScheme,
  checkSentences,
  type EntityMatchMode,
  type Sentences,
} from "./entity-checks.ts";
import { checkValidTruth, readChunks } from "./entity-chunks.ts";
import { formatFixed } from "./format-float.ts";
import { pairwiseSum } from "./pairwise-sum.ts";
import { codePointLength, padLeftCodePoints } from "./strings.ts";

/** Precision, recall, F1 and support (true entities) of one entity type. */
export interface EntityTypeMetrics {
  type: string;
  precision: number;
  recall: number;
  f1: number;
  support: number;
  /** Predicted entities of this type. */
  predicted: number;
  /** Predicted entities of this type that match a true one exactly. */
  correct: number;
}

/**
 * The numbers of seqeval's `classification_report`, as data, with the counts behind them.
 * Zero divisions give 0, and so do the averages when there is no entity at all.
 */
export interface EntityReport {
  /** One row per entity type that occurs in the true or the predicted entities, in code point order. */
  types: EntityTypeMetrics[];
  micro: AverageMetrics;
  macro: AverageMetrics;
  /** Average weighted by support. */
  weighted: AverageMetrics;
  trueEntities: number;
  predictedEntities: number;
  /** Predicted entities with the start, end and type of a true one. */
  correctEntities: number;
  tokens: number;
  /** Share of tokens whose predicted tag equals the true tag (seqeval's `accuracy_score`). */
  tokenAccuracy: number;
  scheme: TagScheme;
  mode: EntityMatchMode;
  /** Digits after the point that `formatEntityReport` uses unless told otherwise. */
  digits: number;
}

export interface EntityReportOptions {
  /** The scheme both sides are written in; default "bio". Only strict mode depends on it. */
  scheme?: TagScheme;
  /** Default "strict". */
  mode?: EntityMatchMode;
  /** Digits after the point in `formatEntityReport`; default 2. */
  digits?: number;
}

/**
 * Entity-level precision, recall and F1 per type, with micro, macro and weighted averages,
 * as seqeval's `classification_report` computes them: an entity is found when a predicted
 * one has its start, end and type. In strict mode the true tags must be valid in `scheme`
 * (else `EVAL_BAD_TARGETS`, naming the sentence and token), so that a wrong scheme cannot
 * silently drop true entities; predictions may break it.
 *
 * @example
 * const report = entityReport([["B-PER", "I-PER", "O"]], [["B-PER", "O", "O"]]);
 * report.types[0]; // { type: "PER", precision: 0, recall: 0, f1: 0, support: 1, predicted: 1, correct: 0 }
 * console.log(formatEntityReport(report));
 */
export function entityReport(
  yTrue: Sentences,
  yPred: Sentences,
  options: EntityReportOptions = {},
): EntityReport {
  const scheme = options.scheme === undefined ? "bio" : checkScheme(options.scheme);
  const mode = options.mode === undefined ? "strict" : checkMode(options.mode);
  const digits = options.digits === undefined ? 2 : checkDigits(options.digits);
  const tokens = checkSentences(yTrue, yPred);

  const { counts, correctTokens } = countEntities(yTrue, yPred, scheme, mode);
  const { types, precision, recall, f1, support } = typeRows(counts);
  let trueEntities = 0;
  let predictedEntities = 0;
  let correctEntities = 0;
  for (const row of types) {
    trueEntities += row.support;
    predictedEntities += row.predicted;
    correctEntities += row.correct;
  }
  const microPrecision = divide(correctEntities, predictedEntities);
  const microRecall = divide(correctEntities, trueEntities);
  return {
    types,
    micro: {
      precision: microPrecision,
      recall: microRecall,
      f1: fScore(microPrecision, microRecall),
      support: trueEntities,
    },
    macro: {
      precision: mean(precision),
      recall: mean(recall),
      f1: mean(f1),
      support: trueEntities,
    },
    weighted: {
      precision: weightedMean(precision, support),
      recall: weightedMean(recall, support),
      f1: weightedMean(f1, support),
      support: trueEntities,
    },
    trueEntities,
    predictedEntities,
    correctEntities,
    tokens,
    tokenAccuracy: correctTokens / tokens,
    scheme,
    mode,
    digits,
  };
}

interface EntityCounts {
  correct: number;
  predicted: number;
  truth: number;
}

/** Entities true, predicted and found per type, and the tokens whose tags agree. */
function countEntities(
  yTrue: Sentences,
  yPred: Sentences,
  scheme: TagScheme,
  mode: EntityMatchMode,
): { counts: Map<string, EntityCounts>; correctTokens: number } {
  const counts = new Map<string, EntityCounts>();
  const countsOf = (type: string): EntityCounts => {
    let c = counts.get(type);
    if (c === undefined) {
      c = { correct: 0, predicted: 0, truth: 0 };
      counts.set(type, c);
    }
    return c;
  };
  let correctTokens = 0;
  // checkSentences made both sides the same length, sentence by sentence
  for (const [s, trueTags] of yTrue.entries()) {
    const predTags = yPred[s] ?? [];
    const truth = readChunks(trueTags, scheme, mode, `yTrue[${s}]`);
    if (mode === "strict") checkValidTruth(trueTags, scheme, s);
    const pred = readChunks(predTags, scheme, mode, `yPred[${s}]`);
    for (const c of truth) countsOf(c.type).truth++;
    for (const c of pred) countsOf(c.type).predicted++;
    // entities of one sentence never overlap, so both lists are ordered by start
    let i = 0;
    let j = 0;
    for (;;) {
      const t = truth[i];
      const p = pred[j];
      if (t === undefined || p === undefined) break;
      if (t.start < p.start) i++;
      else if (p.start < t.start) j++;
      else {
        if (t.end === p.end && t.type === p.type) countsOf(t.type).correct++;
        i++;
        j++;
      }
    }
    for (const [k, tag] of trueTags.entries()) if (tag === predTags[k]) correctTokens++;
  }
  return { counts, correctTokens };
}

/** One row per type in code point order, and its metrics as arrays for the averages. */
function typeRows(counts: Map<string, EntityCounts>): {
  types: EntityTypeMetrics[];
  precision: Float64Array;
  recall: Float64Array;
  f1: Float64Array;
  support: Float64Array;
} {
  const entries = [...counts].sort(([a], [b]) => compareCodePoints(a, b));
  const m = entries.length;
  const precision = new Float64Array(m);
  const recall = new Float64Array(m);
  const f1 = new Float64Array(m);
  const support = new Float64Array(m);
  const types = entries.map(([type, c], k): EntityTypeMetrics => {
    const p = divide(c.correct, c.predicted);
    const r = divide(c.correct, c.truth);
    const f = fScore(p, r);
    precision[k] = p;
    recall[k] = r;
    f1[k] = f;
    support[k] = c.truth;
    return {
      type,
      precision: p,
      recall: r,
      f1: f,
      support: c.truth,
      predicted: c.predicted,
      correct: c.correct,
    };
  });
  return { types, precision, recall, f1, support };
}

const HEADERS = ["precision", "recall", "f1-score", "support"] as const;

/**
 * The report as text: a line saying what was measured, a blank line, then the table of
 * seqeval's `classification_report` in its layout (type names right-aligned, as wide as
 * the longest name or "weighted avg", counted in code points).
 *
 * @example
 * formatEntityReport(entityReport([["B-PER", "I-PER"]], [["B-PER", "I-PER"]]));
 * // Entity-level report, strict matching (BIO): ...
 * //
 * //               precision    recall  f1-score   support
 * //
 * //          PER       1.00      1.00      1.00         1
 * //  ...
 */
export function formatEntityReport(report: EntityReport, digits = report.digits): string {
  checkDigits(digits);
  let width = Math.max("weighted avg".length, digits);
  for (const row of report.types) width = Math.max(width, codePointLength(row.type));
  const number = (value: number): string => ` ${padLeftCodePoints(formatFixed(value, digits), 9)}`;
  const line = (heading: string, m: AverageMetrics): string =>
    `${padLeftCodePoints(heading, width)} ${number(m.precision)}${number(m.recall)}${number(m.f1)} ${padLeftCodePoints(String(m.support), 9)}\n`;

  let out = `${entityHeading(report)}\n\n${" ".repeat(width)} `;
  for (const header of HEADERS) out += ` ${padLeftCodePoints(header, 9)}`;
  out += "\n\n";
  for (const row of report.types) out += line(row.type, row);
  out += "\n";
  out += line("micro avg", report.micro);
  out += line("macro avg", report.macro);
  out += line("weighted avg", report.weighted);
  return out;
}

function entityHeading(report: EntityReport): string {
  const rule = "an entity is found when its start, end and type match";
  if (report.mode === "conlleval") {
    return `Entity-level report, conlleval matching: ${rule}; predicted tags are read as conlleval reads them`;
  }
  return `Entity-level report, strict matching (${report.scheme.toUpperCase()}): ${rule}; ill-formed predicted tags form no entity`;
}

/**
 * The report in the shape of seqeval's `classification_report(..., output_dict=True)`:
 * one key per entity type, then "micro avg", "macro avg" and "weighted avg".
 *
 * @example
 * entityReportToDict(entityReport([["B-PER"]], [["B-PER"]]))["micro avg"]; // { precision: 1, recall: 1, "f1-score": 1, support: 1 }
 */
export function entityReportToDict(report: EntityReport): Record<string, SklearnRow> {
  const row = (m: AverageMetrics): SklearnRow => ({
    precision: m.precision,
    recall: m.recall,
    "f1-score": m.f1,
    support: m.support,
  });
  const out: Record<string, SklearnRow> = {};
  for (const type of report.types) out[type.type] = row(type);
  out["micro avg"] = row(report.micro);
  out["macro avg"] = row(report.macro);
  out["weighted avg"] = row(report.weighted);
  return out;
}

function divide(numerator: number, denominator: number): number {
  return denominator === 0 ? 0 : numerator / denominator;
}

/** F1 in seqeval's (and sklearn's) operation order. */
function fScore(precision: number, recall: number): number {
  const denominator = precision + recall;
  return (2 * precision * recall) / (denominator === 0 ? 1 : denominator);
}

/** numpy's mean (seqeval's macro average); 0 with no types rather than NaN. */
function mean(values: Float64Array): number {
  return values.length === 0 ? 0 : pairwiseSum(values, 0, values.length) / values.length;
}

/** numpy's `average(values, weights=weights)`; 0 when the weights sum to 0. */
function weightedMean(values: Float64Array, weights: Float64Array): number {
  const m = values.length;
  const total = pairwiseSum(weights, 0, m);
  if (total === 0) return 0;
  const products = new Float64Array(m);
  for (const [k, value] of values.entries()) products[k] = value * (weights[k] ?? 0);
  return pairwiseSum(products, 0, m) / total;
}
