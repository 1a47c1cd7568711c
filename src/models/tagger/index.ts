export type { TagSet } from "./decode.ts";
export { buildTagSet } from "./decode.ts";
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
export type { TaggerEncoding, TaggerOptions } from "./options.ts";
export { DEFAULT_TAGGER_OPTIONS, resolveTaggerOptions, TAGGER_ENCODINGS } from "./options.ts";
export type {
  EntitySpan,
  TaggedText,
  TaggerEvaluation,
  TaggerResourcesInput,
  TaggerTrainingData,
  TagPredictOptions,
} from "./tagger.ts";
export { loadTagger, SequenceTagger, TAGGER_FAMILY, TAGGER_TASK, trainTagger } from "./tagger.ts";
