/**
 * textkit's public library API: `import { trainClassifier, loadDataset } from "textkit"`.
 * Everything the command line is built from is here, named, so that code can do what the
 * CLI does. The HTTP server (what `textkit serve` runs) is its own entry, `textkit/server`,
 * so that library users who only train and predict do not load fastify.
 */

// Errors and seeded random numbers
export type { ErrorCode, ErrorLocation, TextkitErrorOptions } from "./core/index.ts";
export { compareCodePoints, ERROR_CATALOGUE, isTextkitError, Random, TextkitError } from "./core/index.ts";
// Sequence tagging: tag schemes, tagged data, entity-level evaluation, the tagger
export type { Chunk, ParsedTag, TagScheme, TagViolation } from "./core/tag-schemes.ts";
export {
  chunksToTags,
  convertTags,
  detectTagScheme,
  findTagViolation,
  parseTag,
  TAG_SCHEMES,
  tagChunks,
} from "./core/tag-schemes.ts";
// Datasets: formats, reading, splits, word-vector files
export type {
  DataFormat,
  Dataset,
  Example,
  LoadOptions,
  ReadOptions,
  ReadVecOptions,
  Split,
  SplitOptions,
  TextLine,
  WordVectors,
} from "./data/index.ts";
export {
  DATA_FORMATS,
  datasetFromExamples,
  detectFormat,
  FASTTEXT_LABEL_PREFIX,
  fingerprint,
  loadDataset,
  readExampleBatches,
  readExamples,
  readTextLines,
  readVecFile,
  stratifiedSplit,
  writeVecFile,
} from "./data/index.ts";
export type {
  TaggedDataset,
  TaggedFormat,
  TaggedReadOptions,
  TaggedSentence,
  TagLanguage,
} from "./data/tagged-example.ts";
export { TAG_LANGUAGES, TAGGED_FORMATS } from "./data/tagged-example.ts";
export { loadTaggedDataset, taggedDatasetFromSentences } from "./data/tagged-reader.ts";
export type {
  EntityMatchMode,
  EntityReport,
  EntityReportOptions,
  EntityTypeMetrics,
  TokenLevelReport,
} from "./eval/entity-report.ts";
export {
  ENTITY_MATCH_MODES,
  entityChunks,
  entityReport,
  entityReportToDict,
  formatEntityReport,
  formatTokenLevelReport,
  tokenLevelReport,
} from "./eval/entity-report.ts";
// Evaluation
export type {
  AverageMetrics,
  ClassificationReport,
  ClassificationReportOptions,
  ConfusionMatrix,
  LabelMetrics,
  SklearnRow,
} from "./eval/index.ts";
export {
  classificationReport,
  classificationReportToDict,
  confusionMatrix,
  formatClassificationReport,
  formatConfusionMatrix,
  formatFixed,
  topKAccuracy,
} from "./eval/index.ts";
// The text classifier
export type {
  AutotuneHooks,
  AutotuneMetric,
  AutotuneOptions,
  AutotuneResult,
  AutotuneTrial,
  ClassifierEvaluation,
  ClassifierLoss,
  ClassifierOptions,
  FeatureOptions,
  Prediction,
  PredictOptions,
  QuantizationInfo,
  QuantizeHooks,
  QuantizeOptions,
  TrainingData,
} from "./models/classifier/index.ts";
export {
  AUTOTUNE_METRICS,
  autotuneClassifier,
  CLASSIFIER_FAMILY,
  CLASSIFIER_LOSSES,
  DEFAULT_CLASSIFIER_OPTIONS,
  Featurizer,
  loadClassifier,
  quantizeClassifier,
  resolveClassifierOptions,
  TextClassifier,
  trainClassifier,
} from "./models/classifier/index.ts";
export type { KMeansOptions, KMeansResult } from "./models/cluster/kmeans.ts";
export { kMeans } from "./models/cluster/kmeans.ts";
export type {
  EntitySpan,
  GazetteerEntry,
  GazetteerSource,
  TaggedText,
  TaggerEncoding,
  TaggerEvaluation,
  TaggerOptions,
  TaggerTrainingData,
  TagPredictOptions,
} from "./models/tagger/index.ts";
export {
  DEFAULT_TAGGER_OPTIONS,
  Gazetteer,
  loadTagger,
  readGazetteerEntries,
  resolveTaggerOptions,
  SequenceTagger,
  TAGGER_FAMILY,
  trainTagger,
} from "./models/tagger/index.ts";
// Word vectors
export type {
  Neighbour,
  SubwordVectorsData,
  VectorsHooks,
  VectorsOptions,
  VectorsProgress,
} from "./models/vectors/index.ts";
export {
  DEFAULT_VECTORS_OPTIONS,
  resolveVectorsOptions,
  SubwordVectors,
  trainVectors,
} from "./models/vectors/index.ts";
// Model artifacts on disk; application data (SQLite or PostgreSQL) and API keys
export type {
  ApiKey,
  ApiKeyScope,
  ApiKeyStoreOptions,
  Artifact,
  ArtifactManifest,
  CreatedApiKey,
  Database,
  DatabaseCapabilities,
  Dialect,
  FileEntry,
  ManifestInput,
  OpenDatabaseOptions,
  Queryable,
  Row,
  RunResult,
  SqlValue,
} from "./store/index.ts";
export {
  API_KEY_SCOPES,
  ApiKeyStore,
  ARTIFACT_FORMAT,
  ARTIFACT_FORMAT_VERSION,
  bytesOf,
  DIALECTS,
  float32FromBuffer,
  hasScope,
  int32FromBuffer,
  isPostgresUrl,
  listArtifacts,
  looksLikeArtifact,
  openDatabase,
  parseScopes,
  readArtifact,
  writeArtifact,
} from "./store/index.ts";
// Text processing
export type { NormalizationForm, NormalizeOptions, TokenSpan } from "./text/index.ts";
export {
  charNgramHashes,
  combineHash,
  containsHan,
  DEFAULT_NORMALIZE,
  FNV_OFFSET,
  FNV_PRIME,
  fnv1a,
  NORMALIZATION_FORMS,
  normalizeText,
  Tokenizer,
} from "./text/index.ts";
export { tokenizeForTagging } from "./text/tag-tokens.ts";
// Training: progress hooks, early stopping, run records
export type { EpochSummary, RunRecord, TrainHooks, TrainProgress } from "./train/index.ts";
export { EarlyStopping, newRunId } from "./train/index.ts";
