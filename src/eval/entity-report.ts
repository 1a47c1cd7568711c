/**
 * Evaluation of sequence tagging. A tagger is judged by the entities it finds, not by its
 * tags: an entity counts as found only when its start, end and type all match a true one
 * (the measure of the CoNLL shared tasks and of seqeval). Token-level scores are offered
 * beside it, clearly named, because they look much better than entity scores (every O
 * token predicted right counts) and are easy to mistake for them.
 */
import {
  type Chunk,
  compareCodePoints,
  findTagViolation,
  type ParsedTag,
  parseTag,
  TAG_SCHEMES,
  type TagPrefix,
  type TagScheme,
  TextkitError,
} from "../core/index.ts";
import {
  type AverageMetrics,
  type ClassificationReport,
  classificationReport,
  formatClassificationReport,
  type SklearnRow,
} from "./classification-report.ts";
import { formatFixed } from "./format-float.ts";
import { pairwiseSum } from "./pairwise-sum.ts";
import { codePointLength, padLeftCodePoints } from "./strings.ts";
import { describeValue } from "./targets.ts";

/**
 * How predicted tags that break the scheme are read.
 *
 * - `strict`: only well-formed entities of the scheme count; a run of tags that does not
 *   form one (in BIO an I-X that no B-X opened, in BIOES a B-X that no E-X closes) is no
 *   entity at all.
 * - `conlleval`: the reading of the CoNLL shared task's conlleval script (and seqeval's
 *   default mode), the same for every scheme: an entity starts at B-X, at S-X, or at an
 *   I-X/E-X that does not continue the tag before it, and runs while I-X/E-X continue it.
 */
export const ENTITY_MATCH_MODES = ["strict", "conlleval"] as const;
export type EntityMatchMode = (typeof ENTITY_MATCH_MODES)[number];

export interface EntityChunkOptions {
  scheme: TagScheme;
  mode: EntityMatchMode;
}

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

type Sentences = readonly (readonly string[])[];

const OUTSIDE: ParsedTag = { prefix: "O", type: "" };

/**
 * The entities of a tag sequence that may break its scheme (a prediction), read as `mode`
 * says (see `ENTITY_MATCH_MODES`). On a valid sequence both modes give `tagChunks`.
 *
 * @example
 * entityChunks(["O", "I-PER", "I-PER"], { scheme: "bio", mode: "conlleval" }); // [{ start: 1, end: 3, type: "PER" }]
 * entityChunks(["O", "I-PER", "I-PER"], { scheme: "bio", mode: "strict" }); // []
 */
export function entityChunks(tags: readonly string[], options: EntityChunkOptions): Chunk[] {
  const scheme = checkScheme(options.scheme);
  const mode = checkMode(options.mode);
  if (!Array.isArray(tags)) {
    throw new TextkitError(
      "EVAL_BAD_TARGETS",
      `tags must be an array of strings, got ${describeValue(tags)}`,
    );
  }
  return readChunks(tags, scheme, mode, "tags");
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

  const counts = new Map<string, { correct: number; predicted: number; truth: number }>();
  const countsOf = (type: string) => {
    let c = counts.get(type);
    if (c === undefined) {
      c = { correct: 0, predicted: 0, truth: 0 };
      counts.set(type, c);
    }
    return c;
  };
  let correctTokens = 0;
  for (let s = 0; s < yTrue.length; s++) {
    const trueTags = yTrue[s];
    const predTags = yPred[s];
    const truth = readChunks(trueTags, scheme, mode, `yTrue[${s}]`);
    if (mode === "strict") checkValidTruth(trueTags, scheme, s);
    const pred = readChunks(predTags, scheme, mode, `yPred[${s}]`);
    for (const c of truth) countsOf(c.type).truth++;
    for (const c of pred) countsOf(c.type).predicted++;
    // entities of one sentence never overlap, so both lists are ordered by start
    let i = 0;
    let j = 0;
    while (i < truth.length && j < pred.length) {
      const t = truth[i];
      const p = pred[j];
      if (t.start < p.start) i++;
      else if (p.start < t.start) j++;
      else {
        if (t.end === p.end && t.type === p.type) countsOf(t.type).correct++;
        i++;
        j++;
      }
    }
    for (let k = 0; k < trueTags.length; k++) if (trueTags[k] === predTags[k]) correctTokens++;
  }

  const names = [...counts.keys()].sort(compareCodePoints);
  const m = names.length;
  const precision = new Float64Array(m);
  const recall = new Float64Array(m);
  const f1 = new Float64Array(m);
  const support = new Float64Array(m);
  const types: EntityTypeMetrics[] = new Array(m);
  let trueEntities = 0;
  let predictedEntities = 0;
  let correctEntities = 0;
  for (let k = 0; k < m; k++) {
    const c = counts.get(names[k])!;
    precision[k] = divide(c.correct, c.predicted);
    recall[k] = divide(c.correct, c.truth);
    f1[k] = fScore(precision[k], recall[k]);
    support[k] = c.truth;
    trueEntities += c.truth;
    predictedEntities += c.predicted;
    correctEntities += c.correct;
    types[k] = {
      type: names[k],
      precision: precision[k],
      recall: recall[k],
      f1: f1[k],
      support: c.truth,
      predicted: c.predicted,
      correct: c.correct,
    };
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

export interface TokenLevelReportOptions {
  /** Whether O is one of the labels. Without it the report has a micro average over the entity tags instead of accuracy. */
  includeO: boolean;
  /** Digits after the point in `formatTokenLevelReport`; default 2. */
  digits?: number;
}

/** scikit-learn's report over the tags of all tokens, with a note of whether O was a label. */
export interface TokenLevelReport extends ClassificationReport {
  includeO: boolean;
}

/**
 * scikit-learn's `classification_report` over the tags of all tokens, each tag a label:
 * the numbers sklearn gives on the flattened tags (with `labels` = every tag but O when
 * `includeO` is false). This is not entity-level: a half-found entity scores its tokens.
 *
 * @example
 * const report = tokenLevelReport([["B-PER", "I-PER", "O"]], [["B-PER", "O", "O"]], { includeO: false });
 * report.micro; // { precision: 1, recall: 0.5, f1: 0.666..., support: 2 }
 * console.log(formatTokenLevelReport(report));
 */
export function tokenLevelReport(
  yTrue: Sentences,
  yPred: Sentences,
  options: TokenLevelReportOptions,
): TokenLevelReport {
  const includeO: unknown = options.includeO;
  if (typeof includeO !== "boolean") {
    throw new TextkitError("OPTION_INVALID", `includeO must be true or false, got ${String(includeO)}`);
  }
  const digits = options.digits === undefined ? 2 : checkDigits(options.digits);
  checkSentences(yTrue, yPred);
  const flatTrue = yTrue.flat();
  const flatPred = yPred.flat();
  let labels: string[] | undefined;
  if (!includeO) {
    const tags = new Set<string>(flatTrue);
    for (const tag of flatPred) tags.add(tag);
    tags.delete("O");
    if (tags.size === 0) {
      throw new TextkitError("EVAL_EMPTY", "every tag is O, so a token-level report without O has no rows");
    }
    labels = [...tags].sort(compareCodePoints);
  }
  const report = classificationReport(
    flatTrue,
    flatPred,
    labels === undefined ? { digits } : { digits, labels },
  );
  return { ...report, includeO };
}

/**
 * The token-level report as text: a line saying that it is token-level and whether O is
 * counted, a blank line, then the table byte for byte as sklearn prints it.
 */
export function formatTokenLevelReport(report: TokenLevelReport, digits = report.digits): string {
  const heading = report.includeO
    ? "Token-level report (not entity-level), with O: every token's tag scored as a label, O included"
    : "Token-level report (not entity-level), without O: every token's tag scored as a label, O left out";
  return `${heading}\n\n${formatClassificationReport(report, digits)}`;
}

/** Reads one sentence's entities; `name` says where the tags come from, for errors. */
function readChunks(
  tags: readonly string[],
  scheme: TagScheme,
  mode: EntityMatchMode,
  name: string,
): Chunk[] {
  const chunks: Chunk[] = [];
  let prev = OUTSIDE;
  let open: Chunk | null = null;
  // what strict mode needs to know of the open run of tags
  let first: TagPrefix = "O";
  let firstFollowsSameType = false;
  let onlyInside = true;
  let last: TagPrefix = "O";
  const keepOpen = (): boolean =>
    mode === "conlleval" || wellFormed(scheme, first, firstFollowsSameType, onlyInside, last);
  for (let i = 0; i < tags.length; i++) {
    const t = parseTagAt(tags[i], name, i);
    const continues =
      (prev.prefix === "B" || prev.prefix === "I") &&
      (t.prefix === "I" || t.prefix === "E") &&
      t.type === prev.type;
    if (continues && open !== null) {
      open.end = i + 1;
      onlyInside &&= t.prefix === "I";
      last = t.prefix;
    } else {
      if (open !== null && keepOpen()) chunks.push(open);
      open = null;
      if (t.prefix !== "O") {
        open = { start: i, end: i + 1, type: t.type };
        first = t.prefix;
        firstFollowsSameType = (prev.prefix === "B" || prev.prefix === "I") && prev.type === t.type;
        onlyInside = true;
        last = t.prefix;
      }
    }
    prev = t;
  }
  if (open !== null && keepOpen()) chunks.push(open);
  return chunks;
}

/**
 * Whether a run of tags (a start tag, then tags that continue it) is an entity of the
 * scheme. `onlyInside`: every tag after the first is I-.
 */
function wellFormed(
  scheme: TagScheme,
  first: TagPrefix,
  firstFollowsSameType: boolean,
  onlyInside: boolean,
  last: TagPrefix,
): boolean {
  switch (scheme) {
    case "bio":
      return first === "B" && onlyInside;
    case "iob1":
      // B-X only separates two adjacent X entities
      return (first === "I" || (first === "B" && firstFollowsSameType)) && onlyInside;
    case "bioes":
      // a run ends at its first E-, so B-X ... E-X has only I- between
      return first === "S" || (first === "B" && last === "E");
  }
}

function parseTagAt(tag: unknown, name: string, index: number): ParsedTag {
  const parsed = typeof tag === "string" ? parseTag(tag) : null;
  if (parsed === null) {
    throw new TextkitError(
      "EVAL_BAD_TARGETS",
      `${name}[${index}] is ${describeValue(tag)}, not a tag: use O, or B-, I-, E-, S- and a type`,
      { details: { index } },
    );
  }
  return parsed;
}

function checkValidTruth(tags: readonly string[], scheme: TagScheme, sentence: number): void {
  const violation = findTagViolation(tags, scheme);
  if (violation === null) return;
  throw new TextkitError(
    "EVAL_BAD_TARGETS",
    `yTrue[${sentence}] is not valid ${scheme.toUpperCase()} at token ${violation.index}: ${violation.reason}. ` +
      `Pass the scheme the true tags are written in, or mode "conlleval"`,
    { details: { sentence, token: violation.index } },
  );
}

/** Throws unless both sides have the same sentences of the same lengths; returns the number of tokens. */
function checkSentences(yTrue: unknown, yPred: unknown): number {
  if (!Array.isArray(yTrue)) {
    throw new TextkitError(
      "EVAL_BAD_TARGETS",
      `yTrue must be an array of sentences, got ${describeValue(yTrue)}`,
    );
  }
  if (!Array.isArray(yPred)) {
    throw new TextkitError(
      "EVAL_BAD_TARGETS",
      `yPred must be an array of sentences, got ${describeValue(yPred)}`,
    );
  }
  if (yTrue.length !== yPred.length) {
    throw new TextkitError(
      "EVAL_LENGTH_MISMATCH",
      `yTrue has ${yTrue.length} sentences but yPred has ${yPred.length}`,
      { details: { trueLength: yTrue.length, predLength: yPred.length } },
    );
  }
  if (yTrue.length === 0) throw new TextkitError("EVAL_EMPTY", "yTrue and yPred have no sentences");
  let tokens = 0;
  for (let s = 0; s < yTrue.length; s++) {
    const trueLength = checkSentence(yTrue[s], "yTrue", s);
    const predLength = checkSentence(yPred[s], "yPred", s);
    if (trueLength !== predLength) {
      throw new TextkitError(
        "EVAL_LENGTH_MISMATCH",
        `sentence ${s} has ${trueLength} true tags but ${predLength} predicted tags`,
        { details: { sentence: s, trueLength, predLength } },
      );
    }
    tokens += trueLength;
  }
  if (tokens === 0) throw new TextkitError("EVAL_EMPTY", "the sentences have no tokens");
  return tokens;
}

/** Throws unless `tags` is an array of strings; returns its length. */
function checkSentence(tags: unknown, side: string, sentence: number): number {
  if (!Array.isArray(tags)) {
    throw new TextkitError(
      "EVAL_BAD_TARGETS",
      `${side}[${sentence}] is ${describeValue(tags)}; each sentence needs its tags (string[])`,
      { details: { sentence } },
    );
  }
  for (let k = 0; k < tags.length; k++) {
    const tag: unknown = tags[k];
    if (typeof tag !== "string") {
      throw new TextkitError(
        "EVAL_BAD_TARGETS",
        `${side}[${sentence}][${k}] is ${describeValue(tag)}; every tag must be a string`,
        { details: { sentence, token: k } },
      );
    }
  }
  return tags.length;
}

function checkScheme(value: unknown): TagScheme {
  const found = TAG_SCHEMES.find((s) => s === value);
  if (found === undefined) {
    throw new TextkitError(
      "OPTION_INVALID",
      `scheme must be one of ${TAG_SCHEMES.join(", ")}, got ${typeof value === "string" ? JSON.stringify(value) : describeValue(value)}`,
    );
  }
  return found;
}

function checkMode(value: unknown): EntityMatchMode {
  const found = ENTITY_MATCH_MODES.find((m) => m === value);
  if (found === undefined) {
    throw new TextkitError(
      "OPTION_INVALID",
      `mode must be one of ${ENTITY_MATCH_MODES.join(", ")}, got ${typeof value === "string" ? JSON.stringify(value) : describeValue(value)}`,
    );
  }
  return found;
}

function checkDigits(value: unknown): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > 20) {
    throw new TextkitError("OPTION_INVALID", `digits must be an integer from 0 to 20, got ${String(value)}`);
  }
  return value;
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
  for (let k = 0; k < m; k++) products[k] = values[k] * weights[k];
  return pairwiseSum(products, 0, m) / total;
}
