import type { ModelFamily } from "../../artifact/index.ts";
import { loadTagger } from "./load-tagger.ts";
import type { TaggerOptions } from "./options.ts";
import { type SequenceTagger, TAGGER_FAMILY, type TaggerTrainingData } from "./sequence-tagger.ts";
import { trainTagger } from "./train.ts";

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
