/**
 * Fits the temperature that turns the tagger's scores into probabilities: the scale that
 * maximises the likelihood of the true tag sequences of held-out sentences, by
 * golden-section search over its logarithm. Each evaluation is one forward pass per
 * sentence in probability space over the allowed transitions only (see lattice.ts), and
 * the sentences are capped by a budget of lattice cells, so that calibration stays a small
 * part of training with hundreds of tags.
 */
import { convertTags, minimizeGoldenSection, type TrainHooks } from "../../core/index.ts";
import type { TaggedDataset } from "../../data/index.ts";
import { NO_CALIBRATION, type SequenceTagger, type TaggerCalibration } from "./sequence-tagger.ts";

/** Sentences the temperature is fitted on, at most: enough for one number, and quick. */
const CALIBRATION_SENTENCES = 600;
/** Tokens × allowed tag pairs per likelihood evaluation, at most (about 10 ms of work). */
const CALIBRATION_CELLS = 10_000_000;
/** Golden-section steps: the scale's log is found to within 0.05 (5%) over [log 1e-4, log 10]. */
export const CALIBRATION_STEPS = 12;
const CALIBRATION_TOLERANCE = 0.05;

/**
 * The calibration of `model` on (a spread sample of) `data`, reporting each likelihood
 * evaluation to `hooks.onProgress` as stage "calibration".
 */
export function fitCalibration(
  model: SequenceTagger,
  data: TaggedDataset,
  fittedOn: "dev" | "train",
  lookup: Map<string, number>,
  hooks: TrainHooks = {},
): TaggerCalibration & { seconds: number } {
  const t0 = performance.now();
  const items = calibrationItems(model, data, lookup);
  if (items.length === 0) return { ...NO_CALIBRATION, seconds: (performance.now() - t0) / 1000 };
  let tokens = 0;
  for (const item of items) tokens += item.gold.length;
  // minimizeGoldenSection evaluates twice to start, then once per step, then once more here.
  const evaluations = CALIBRATION_STEPS + 3;
  let done = 0;
  const f = (logScale: number) => {
    const value = model.meanLogLikelihood(items, Math.exp(logScale));
    done++;
    const seconds = (performance.now() - t0) / 1000;
    hooks.onProgress?.({
      epoch: done,
      epochs: evaluations,
      stage: "calibration",
      lossName: "-log-likelihood",
      progress: Math.min(1, done / evaluations),
      loss: -value,
      speed: (done * tokens) / Math.max(seconds, 1e-9),
      unit: "tokens",
      etaSeconds: (seconds / done) * Math.max(0, evaluations - done),
    });
    return value;
  };
  // The likelihood is maximised: its negative minimised, over the scale's logarithm.
  const logScale = minimizeGoldenSection(
    (l) => -f(l),
    Math.log(1e-4),
    Math.log(10),
    CALIBRATION_TOLERANCE,
    CALIBRATION_STEPS,
  );
  const meanLogLikelihood = f(logScale);
  return {
    scale: Math.exp(logScale),
    fittedOn,
    sentences: items.length,
    meanLogLikelihood,
    seconds: (performance.now() - t0) / 1000,
  };
}

/** Emissions and gold paths of an evenly spread sample of `data`, within the cell budget. */
function calibrationItems(
  model: SequenceTagger,
  data: TaggedDataset,
  lookup: Map<string, number>,
): { emit: Float64Array; gold: Int32Array }[] {
  const items: { emit: Float64Array; gold: Int32Array }[] = [];
  const maxTokens = Math.max(200, Math.floor(CALIBRATION_CELLS / model.tagSet.pairs));
  const step = Math.max(1, Math.floor(data.sentences.length / CALIBRATION_SENTENCES));
  let tokens = 0;
  for (let s = 0; s < data.sentences.length && items.length < CALIBRATION_SENTENCES; s += step) {
    const sentence = data.sentences[s]!;
    if (sentence.tokens.length === 0) continue;
    if (tokens + sentence.tokens.length > maxTokens && items.length > 0) break;
    const internal =
      model.tagSet.scheme === "bio" ? sentence.tags : convertTags(sentence.tags, "bio", "bioes");
    const gold = Int32Array.from(internal, (t) => lookup.get(t) ?? -1);
    // A type the model never saw (dev data) cannot be scored; such sentences are left out.
    if (gold.includes(-1)) continue;
    items.push({ emit: model.emissions(sentence.tokens), gold });
    tokens += gold.length;
  }
  return items;
}
