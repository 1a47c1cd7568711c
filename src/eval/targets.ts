import { compareCodePoints, TextkitError } from "../core/index.ts";

/** Single-label targets as indices into `labels`, which is sorted by code point. */
export interface EncodedLabels {
  labels: string[];
  yTrue: Int32Array;
  yPred: Int32Array;
}

/** Label sets in compressed rows: example i owns `codes[offsets[i] .. offsets[i + 1])`. */
export interface EncodedLabelSets {
  labels: string[];
  trueOffsets: Int32Array;
  trueCodes: Int32Array;
  predOffsets: Int32Array;
  predCodes: Int32Array;
}

/** Throws unless both are arrays of the same, non-zero length. */
export function checkPairedLengths(
  yTrue: unknown,
  yPred: unknown,
  trueName: string,
  predName: string,
): number {
  if (!Array.isArray(yTrue)) {
    throw new TextkitError("EVAL_BAD_TARGETS", `${trueName} must be an array, got ${describeValue(yTrue)}`);
  }
  if (!Array.isArray(yPred)) {
    throw new TextkitError("EVAL_BAD_TARGETS", `${predName} must be an array, got ${describeValue(yPred)}`);
  }
  if (yTrue.length !== yPred.length) {
    throw new TextkitError(
      "EVAL_LENGTH_MISMATCH",
      `${trueName} has ${yTrue.length} examples but ${predName} has ${yPred.length}`,
      { details: { trueLength: yTrue.length, predLength: yPred.length } },
    );
  }
  if (yTrue.length === 0) throw new TextkitError("EVAL_EMPTY", `${trueName} and ${predName} are empty`);
  return yTrue.length;
}

/**
 * Maps single labels to indices once, so that counting runs on typed arrays. The label
 * list is the sorted union of both sides, the order sklearn's `unique_labels` gives.
 */
export function encodeLabels(yTrue: readonly unknown[], yPred: readonly unknown[]): EncodedLabels {
  const n = yTrue.length;
  const ids = new Map<string, number>();
  const trueCodes = new Int32Array(n);
  const predCodes = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    trueCodes[i] = idOf(ids, yTrue[i], "yTrue", i);
    predCodes[i] = idOf(ids, yPred[i], "yPred", i);
  }
  const labels = sortedLabels(ids);
  const rank = rankByFirstSeen(ids, labels);
  return { labels, yTrue: recode(trueCodes, rank), yPred: recode(predCodes, rank) };
}

/** Label sets to compressed rows of indices into the sorted union of labels. */
export function encodeLabelSets(yTrue: readonly unknown[], yPred: readonly unknown[]): EncodedLabelSets {
  const ids = new Map<string, number>();
  const trueSide = encodeSide(ids, yTrue, "yTrue");
  const predSide = encodeSide(ids, yPred, "yPred");
  const labels = sortedLabels(ids);
  const rank = rankByFirstSeen(ids, labels);
  return {
    labels,
    trueOffsets: trueSide.offsets,
    trueCodes: recode(trueSide.codes, rank),
    predOffsets: predSide.offsets,
    predCodes: recode(predSide.codes, rank),
  };
}

/** True when the first example is a label set; the rest must then agree (checked while encoding). */
export function isLabelSets(yTrue: readonly unknown[], yPred: readonly unknown[]): boolean {
  const multi = Array.isArray(yTrue[0]);
  if (Array.isArray(yPred[0]) !== multi) {
    throw new TextkitError(
      "EVAL_BAD_TARGETS",
      `yTrue[0] is ${multi ? "a label set" : "a single label"} but yPred[0] is ${multi ? "a single label" : "a label set"}; use string[] for both or string[][] for both`,
      { details: { index: 0 } },
    );
  }
  return multi;
}

function encodeSide(
  ids: Map<string, number>,
  sets: readonly unknown[],
  name: string,
): { offsets: Int32Array; codes: Int32Array } {
  const checked: (readonly unknown[])[] = sets.map((set, i) => {
    if (!Array.isArray(set)) {
      throw new TextkitError(
        "EVAL_BAD_TARGETS",
        `${name}[${i}] is ${describeValue(set)}, but ${name}[0] is a label set; every example needs a string[]`,
        { details: { index: i } },
      );
    }
    return set;
  });
  const offsets = new Int32Array(checked.length + 1);
  let total = 0;
  for (const [i, set] of checked.entries()) {
    total += set.length;
    offsets[i + 1] = total;
  }
  const codes = new Int32Array(total);
  let at = 0;
  for (const [i, set] of checked.entries()) {
    for (const [j, label] of set.entries()) codes[at++] = idOf(ids, label, name, i, j);
  }
  return { offsets, codes };
}

/** `inner` is the position within a label set, -1 for single labels. */
function idOf(ids: Map<string, number>, label: unknown, name: string, index: number, inner = -1): number {
  if (typeof label !== "string") {
    const where = inner < 0 ? `${name}[${index}]` : `${name}[${index}][${inner}]`;
    throw new TextkitError(
      "EVAL_BAD_TARGETS",
      `${where} is ${describeValue(label)}; every label must be a string`,
      {
        details: { index },
      },
    );
  }
  let id = ids.get(label);
  if (id === undefined) {
    id = ids.size;
    ids.set(label, id);
  }
  return id;
}

function sortedLabels(ids: Map<string, number>): string[] {
  return [...ids.keys()].sort(compareCodePoints);
}

/** `rank[id]` is the position of the label with that id in `sorted`, which holds every id's label. */
function rankByFirstSeen(ids: Map<string, number>, sorted: readonly string[]): Int32Array {
  const rank = new Int32Array(sorted.length);
  for (const [r, label] of sorted.entries()) {
    const id = ids.get(label);
    if (id !== undefined) rank[id] = r;
  }
  return rank;
}

/** Replaces each id in `codes` by its rank; every id is below `rank.length`, so `?? id` never applies. */
function recode(codes: Int32Array, rank: Int32Array): Int32Array {
  for (const [i, id] of codes.entries()) codes[i] = rank[id] ?? id;
  return codes;
}

/**
 * Validates an explicit label list (non-empty, strings, no repeats) and returns, for
 * each of its labels, the index in `known` or -1 for a label the data never uses.
 */
export function resolveLabelList(labels: unknown, known: readonly string[], optionName: string): Int32Array {
  if (!Array.isArray(labels) || labels.length === 0) {
    throw new TextkitError("OPTION_INVALID", `${optionName} must be a non-empty array of label strings`);
  }
  const index = new Map<string, number>();
  for (const [i, label] of known.entries()) index.set(label, i);
  const seen = new Set<string>();
  const out = new Int32Array(labels.length);
  for (let i = 0; i < labels.length; i++) {
    const label: unknown = labels[i];
    if (typeof label !== "string") {
      throw new TextkitError(
        "OPTION_INVALID",
        `${optionName}[${i}] is ${describeValue(label)}; labels are strings`,
      );
    }
    if (seen.has(label)) {
      throw new TextkitError("OPTION_INVALID", `${optionName} lists "${label}" twice`);
    }
    seen.add(label);
    out[i] = index.get(label) ?? -1;
  }
  return out;
}

export function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "string" ? `the string ${JSON.stringify(value)}` : `a ${typeof value}`;
}
