import type { ModelFamily } from "../../artifact/index.ts";
import { CLASSIFIER_FAMILY, type TextClassifier, type TrainingData } from "./classifier.ts";
import { loadClassifier } from "./load-classifier.ts";
import { trainClassifier } from "./ngram-training.ts";
import type { ClassifierOptions } from "./options.ts";

/**
 * The classifier as a model family: `train` and `load`; its models predict labels for a
 * batch of texts and evaluate into a classification report.
 *
 * @example
 * const model = await classifierFamily.train({ train }, { epochs: 10 });
 * model.predict(["where is my card"]);
 */
export const classifierFamily = {
  family: CLASSIFIER_FAMILY,
  summary: "labels for texts (one label, or several)",
  train: trainClassifier,
  load: loadClassifier,
} satisfies ModelFamily<TrainingData, ClassifierOptions, TextClassifier>;
