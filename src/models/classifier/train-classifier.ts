import type { TrainHooks } from "../../core/index.ts";
import type { TextClassifier, TrainingData } from "./classifier.ts";
import type { EncoderClassifier, EncoderClassifierOptions, EncoderHeadHooks } from "./encoder-classifier.ts";
import { trainEncoderClassifier } from "./encoder-training.ts";
import { trainClassifier as trainNgramClassifier } from "./ngram-training.ts";
import type { ClassifierOptions } from "./options.ts";

/**
 * Trains a classifier on labelled texts: textkit's n-gram model, or, given an `encoder`,
 * a head on that pretrained encoder's embeddings (see `trainEncoderClassifier`).
 *
 * @example
 * const model = await trainClassifier({ train }, { epochs: 20, wordNgrams: 2 });
 * model.predict(["what's my balance"], { k: 2 });
 * const head = await trainClassifier({ train, dev }, { encoder: await loadEncoder("models/minilm") });
 * await head.predict(["what's my balance"]);
 */
export function trainClassifier(
  data: TrainingData,
  options: EncoderClassifierOptions,
  hooks?: EncoderHeadHooks,
): Promise<EncoderClassifier>;
export function trainClassifier(
  data: TrainingData,
  options?: Partial<ClassifierOptions>,
  hooks?: TrainHooks,
): Promise<TextClassifier>;
export function trainClassifier(
  data: TrainingData,
  options: Partial<ClassifierOptions> | EncoderClassifierOptions = {},
  hooks: EncoderHeadHooks = {},
): Promise<TextClassifier | EncoderClassifier> {
  if ("encoder" in options) return trainEncoderClassifier(data, options, hooks);
  return trainNgramClassifier(data, options, hooks);
}
