import type { ModelFamily } from "../../artifact/index.ts";
import type { TaggerOptions } from "./options.ts";
import {
  loadTagger,
  type SequenceTagger,
  TAGGER_FAMILY,
  type TaggerTrainingData,
  trainTagger,
} from "./tagger.ts";

/**
 * The tagger as a model family: `train` (a gazetteer, if any, comes with the training data)
 * and `load`; its models find entities in a batch of texts and evaluate into entity F1.
 *
 * @example
 * const model = await taggerFamily.train({ train }, { epochs: 10 });
 * model.predict(["Tim Cook visited Paris."]);
 */
export const taggerFamily = {
  family: TAGGER_FAMILY,
  summary: "entities in texts (people, places, organisations...)",
  train: trainTagger,
  load: loadTagger,
} satisfies ModelFamily<TaggerTrainingData, TaggerOptions, SequenceTagger>;
