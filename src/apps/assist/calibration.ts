/**
 * Confidence that means what it says. The intent classifier's probabilities are rescaled
 * by a temperature fitted on held-out examples (the one that maximises their likelihood,
 * Guo et al. 2017), so that "0.8" is right about 80% of the time; then the threshold below
 * which the assistant does not trust an intent is chosen on held-out data too, not fixed:
 * with out-of-scope examples, the one that maximises the mean of in-scope accuracy and
 * out-of-scope recall; without them, the lowest one that keeps the accepted answers'
 * accuracy at 90% or more.
 */
import { minimizeGoldenSection } from "../../core/index.ts";

/** Probabilities p, rescaled: p_i^(1/T), normalised. */
export function applyTemperature(
  probabilities: ArrayLike<number>,
  temperature: number,
  out = new Float64Array(probabilities.length),
): Float64Array {
  const inv = 1 / temperature;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < probabilities.length; i++) {
    const l = Math.log(Math.max(probabilities[i]!, 1e-300)) * inv;
    out[i] = l;
    if (l > max) max = l;
  }
  let sum = 0;
  for (let i = 0; i < out.length; i++) {
    out[i] = Math.exp(out[i]! - max);
    sum += out[i]!;
  }
  for (let i = 0; i < out.length; i++) out[i]! /= sum;
  return out;
}

/** Held-out questions needed to fit a temperature. */
const MIN_CALIBRATION = 50;
/** The most a temperature sharpens. */
const MIN_TEMPERATURE = 0.5;

/** Mean negative log-likelihood of the gold labels after rescaling. */
function nll(
  probabilities: readonly ArrayLike<number>[],
  gold: readonly number[],
  temperature: number,
): number {
  let loss = 0;
  const scratch = new Float64Array(probabilities[0]?.length ?? 0);
  for (let n = 0; n < probabilities.length; n++) {
    const q = applyTemperature(probabilities[n]!, temperature, scratch);
    loss -= Math.log(Math.max(q[gold[n]!]!, 1e-300));
  }
  return loss / Math.max(1, probabilities.length);
}

/**
 * The temperature that maximises the likelihood of `gold` under the rescaled
 * probabilities, by golden-section search over its logarithm in [1/2, 20]; 1 (none) with
 * fewer than 50 questions.
 *
 * @example
 * fitTemperature([[0.9, 0.1], [0.9, 0.1], [0.8, 0.2], [0.7, 0.3]], [0, 1, 0, 1]); // 11.4: it was right half the time, and sure
 */
export function fitTemperature(probabilities: readonly ArrayLike<number>[], gold: readonly number[]): number {
  // Too few questions to tell a temperature from luck: when all of a handful are right, the
  // likelihood grows without end as T shrinks.
  if (probabilities.length < MIN_CALIBRATION) return 1;
  const logT = minimizeGoldenSection(
    (l) => nll(probabilities, gold, Math.exp(l)),
    Math.log(MIN_TEMPERATURE),
    Math.log(20),
    1e-3,
  );
  return Math.exp(logT);
}

export interface HeldOutDecision {
  /** The calibrated confidence of the top in-scope intent (0 when the model said out-of-scope). */
  confidence: number;
  /** Whether the question is in scope (has an intent). */
  inScope: boolean;
  /** For an in-scope question: whether the top intent is its intent. */
  correct: boolean;
}

export interface ThresholdChoice {
  threshold: number;
  /**
   * How it was chosen: "balanced" (with out-of-scope examples), "recall" (the lowest that
   * reaches a target out-of-scope recall) or "precision" (without out-of-scope examples).
   */
  rule: "balanced" | "recall" | "precision";
  /** On the held-out data, at that threshold. */
  inScopeAccuracy: number;
  outOfScopeRecall: number | null;
  /** Accuracy of the intents accepted. */
  acceptedAccuracy: number;
}

/** Precision the accepted intents keep when no out-of-scope examples guide the choice. */
const PRECISION_TARGET = 0.9;

/**
 * Chooses the confidence threshold on held-out decisions (see the file's comment); with a
 * `recallTarget`, the lowest threshold whose out-of-scope recall reaches it.
 *
 * @example
 * chooseThreshold([{ confidence: 0.9, inScope: true, correct: true }, { confidence: 0.3, inScope: false, correct: false }]);
 * // { threshold: 0.9, rule: "balanced", inScopeAccuracy: 1, outOfScopeRecall: 1, ... }
 */
export function chooseThreshold(
  decisions: readonly HeldOutDecision[],
  recallTarget: number | null = null,
): ThresholdChoice {
  const inScope = decisions.filter((d) => d.inScope);
  const oos = decisions.filter((d) => !d.inScope);
  const candidates = [0, ...new Set(decisions.map((d) => d.confidence))].sort((a, b) => a - b);
  const at = (t: number) => {
    let acceptedRight = 0;
    let accepted = 0;
    for (const d of inScope) {
      if (d.confidence >= t && d.confidence > 0) {
        accepted++;
        if (d.correct) acceptedRight++;
      }
    }
    let rejected = 0;
    for (const d of oos) if (!(d.confidence >= t && d.confidence > 0)) rejected++;
    let oosAccepted = 0;
    for (const d of oos) if (d.confidence >= t && d.confidence > 0) oosAccepted++;
    return {
      inScopeAccuracy: inScope.length === 0 ? 0 : acceptedRight / inScope.length,
      outOfScopeRecall: oos.length === 0 ? null : rejected / oos.length,
      acceptedAccuracy: accepted + oosAccepted === 0 ? 1 : acceptedRight / (accepted + oosAccepted),
    };
  };
  if (oos.length > 0 && recallTarget !== null) {
    // In-scope accuracy only falls as the threshold rises: the lowest that reaches the target keeps the most.
    for (const t of candidates) {
      const stats = at(t);
      if (stats.outOfScopeRecall! >= recallTarget) return { threshold: t, rule: "recall", ...stats };
    }
    const t = candidates.at(-1)!;
    return { threshold: t, rule: "recall", ...at(t) };
  }
  if (oos.length > 0) {
    const scores = candidates.map((t) => {
      const stats = at(t);
      return (stats.inScopeAccuracy + stats.outOfScopeRecall!) / 2;
    });
    const best = Math.max(...scores);
    // The first run of thresholds that all score best, and its middle: the widest margin
    // on either side (a handful of held-out questions often score best from 0 up).
    const first = scores.findIndex((x) => x >= best - 1e-12);
    let last = first;
    while (last + 1 < scores.length && scores[last + 1]! >= best - 1e-12) last++;
    const threshold = (candidates[first]! + candidates[last]!) / 2;
    return { threshold, rule: "balanced", ...at(threshold) };
  }
  for (const t of candidates) {
    const stats = at(t);
    if (stats.acceptedAccuracy >= PRECISION_TARGET) return { threshold: t, rule: "precision", ...stats };
  }
  const t = candidates.at(-1) ?? 0;
  return { threshold: t, rule: "precision", ...at(t) };
}
