export type { TaggerEncoderRef } from "./encoder-features.ts";
export { taggerEncoderNeed } from "./encoder-features.ts";
export { taggerFamily } from "./family.ts";
export {
  charType,
  normalizedWord,
  shortShape,
  TaggerFeatures,
  wordBoundaryTags,
  wordShape,
} from "./features.ts";
export type { GazetteerEntry, GazetteerSource } from "./gazetteer.ts";
export { Gazetteer, readGazetteerEntries } from "./gazetteer.ts";
export type { LoadTaggerOptions } from "./load-tagger.ts";
export { loadTagger } from "./load-tagger.ts";
export type { TaggerEncoding, TaggerLearner, TaggerOptions } from "./options.ts";
export {
  DEFAULT_TAGGER_OPTIONS,
  resolveTaggerOptions,
  TAGGER_ENCODINGS,
  TAGGER_LEARNERS,
} from "./options.ts";
export type {
  EntitySpan,
  TaggedText,
  TaggerEvaluation,
  TaggerResourcesInput,
  TaggerTrainingData,
  TagPredictOptions,
} from "./sequence-tagger.ts";
export { SequenceTagger, TAGGER_FAMILY, TAGGER_TASK } from "./sequence-tagger.ts";
export type { TagSet } from "./tag-set.ts";
export { buildTagSet } from "./tag-set.ts";
export { trainTagger } from "./train.ts";
