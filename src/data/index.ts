export type { Dataset, LoadOptions } from "./dataset.ts";
export { datasetFromExamples, fingerprint, loadDataset } from "./dataset.ts";
export { detectFormat } from "./detect-format.ts";
export type { DataFormat, Example, ReadOptions } from "./example.ts";
export { DATA_FORMATS } from "./example.ts";
export { FASTTEXT_LABEL_PREFIX } from "./line-formats.ts";
export { readExampleBatches, readExamples } from "./read-examples.ts";
export type { TextLine } from "./read-text-lines.ts";
export { readTextLines } from "./read-text-lines.ts";
export type { Split, SplitOptions } from "./stratified-split.ts";
export { stratifiedSplit } from "./stratified-split.ts";
export type {
  TaggedDataset,
  TaggedFormat,
  TaggedReadOptions,
  TaggedSentence,
  TagLanguage,
} from "./tagged-example.ts";
export { TAG_LANGUAGES, TAGGED_FORMATS } from "./tagged-example.ts";
export { loadTaggedDataset, taggedDatasetFromSentences } from "./tagged-reader.ts";
export type { ReadVecOptions, WordVectors } from "./vectors-file.ts";
export { readVecFile, writeVecFile } from "./vectors-file.ts";
export { writeConll, writeSpansJsonl } from "./write-conll.ts";
