/** The checks of the entity reports' inputs and options, with the errors they raise. */
import { TAG_SCHEMES, type TagScheme, TextkitError } from "../core/index.ts";
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

/** Sentences of tags, one array per sentence. */
export type Sentences = readonly (readonly string[])[];

/** Throws unless both sides have the same sentences of the same lengths; returns the number of tokens. */
export function checkSentences(yTrue: unknown, yPred: unknown): number {
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

export function checkScheme(value: unknown): TagScheme {
  const found = TAG_SCHEMES.find((s) => s === value);
  if (found === undefined) {
    throw new TextkitError(
      "OPTION_INVALID",
      `scheme must be one of ${TAG_SCHEMES.join(", ")}, got ${typeof value === "string" ? JSON.stringify(value) : describeValue(value)}`,
    );
  }
  return found;
}

export function checkMode(value: unknown): EntityMatchMode {
  const found = ENTITY_MATCH_MODES.find((m) => m === value);
  if (found === undefined) {
    throw new TextkitError(
      "OPTION_INVALID",
      `mode must be one of ${ENTITY_MATCH_MODES.join(", ")}, got ${typeof value === "string" ? JSON.stringify(value) : describeValue(value)}`,
    );
  }
  return found;
}

export function checkDigits(value: unknown): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > 20) {
    throw new TextkitError("OPTION_INVALID", `digits must be an integer from 0 to 20, got ${String(value)}`);
  }
  return value;
}
