export type { Dataset, LoadOptions } from "./dataset.ts";
export { datasetFromExamples, fingerprint, loadDataset } from "./dataset.ts";
export { detectFormat } from "./detect-format.ts";
export type { DataFormat, Example, ReadOptions } from "./example.ts";
export { checkEncoding, DATA_FORMATS, TEXT_COLUMN_JOINER, textColumnNames } from "./example.ts";
export type { InteractionSplit } from "./interaction-splits.ts";
export {
  holdOutPerUser,
  latestPerUserMask,
  leaveLastOut,
  splitByTime,
  splitLatestPerUser,
  timeQuantile,
} from "./interaction-splits.ts";
export type {
  BehaviourEvent,
  CatalogItem,
  CatalogItemInput,
  EventColumnNames,
  EventReadOptions,
  EventWeight,
  EventWeights,
  InteractionColumns,
  ItemReadOptions,
} from "./interactions.ts";
export {
  catalogItemOf,
  DEFAULT_EVENT_WEIGHTS,
  Interactions,
  InteractionsBuilder,
  ItemCatalog,
  loadInteractions,
  parseEventWeights,
  parseTimestamp,
  readEvents,
  readItems,
} from "./interactions.ts";
export { showJson } from "./json-line.ts";
export { FASTTEXT_LABEL_PREFIX } from "./line-formats.ts";
export type { MovieLensData } from "./movielens.ts";
export { MOVIELENS_GENRES, readMovieLens, readMovieLensItems, readMovieLensRatings } from "./movielens.ts";
export type { NumericRows, NumericRowsOptions } from "./numeric-rows.ts";
export { readNumericRows } from "./numeric-rows.ts";
export { readExampleBatches, readExamples } from "./read-examples.ts";
export type { TextLine } from "./read-text-lines.ts";
export { readTextLines } from "./read-text-lines.ts";
export type { Split, SplitOptions } from "./stratified-split.ts";
export { stratifiedSplit } from "./stratified-split.ts";
export type {
  CategoricalColumn,
  ColumnKind,
  ImputeStrategy,
  NumericColumn,
  Table,
  TableColumn,
  TableOptions,
} from "./table.ts";
export {
  COLUMN_KINDS,
  IMPUTE_STRATEGIES,
  loadTable,
  MISSING_MARKERS,
  parseNumberCell,
  readTableChunks,
  selectRows,
  TABLE_CHUNK_ROWS,
  TableBuilder,
  tableFromRecords,
} from "./table.ts";
export type {
  Cell,
  ObjectBatch,
  RecordBatch,
  TableFileOptions,
  TableFormat,
  TableRecordOptions,
} from "./table-records.ts";
export { readObjects, readTableRecords, TABLE_FORMATS, tableFormat } from "./table-records.ts";
export type {
  ConllDelimiter,
  SpanEndConvention,
  SpanOffsetUnit,
  TaggedDataset,
  TaggedFormat,
  TaggedReadOptions,
  TaggedSentence,
  TagRepairs,
} from "./tagged-example.ts";
export {
  CONLL_DELIMITERS,
  SPAN_END_CONVENTIONS,
  SPAN_OFFSET_UNITS,
  TAGGED_FORMATS,
} from "./tagged-example.ts";
export { loadTaggedDataset, taggedDatasetFromSentences } from "./tagged-reader.ts";
export type { ReadVecOptions, WordVectors } from "./vectors-file.ts";
export { readVecFile, writeVecFile } from "./vectors-file.ts";
export { writeConll, writeSpansJsonl } from "./write-conll.ts";
