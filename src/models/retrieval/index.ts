export type { Bm25Options, Bm25Parts, Bm25Scores } from "./bm25.ts";
export { Bm25Index, DEFAULT_BM25_OPTIONS, resolveBm25Options } from "./bm25.ts";
export type { RetrievalTrainingData } from "./family.ts";
export { retrievalFamily } from "./family.ts";
export { firstComponent } from "./first-component.ts";
export type { RetrievalEvaluation, RetrievalJudgement } from "./judgements.ts";
export type { Passage, PassageFormat, SplitDocumentOptions } from "./passages.ts";
export { PASSAGE_FORMATS, splitDocument } from "./passages.ts";
export type {
  EncoderInfo,
  IndexHooks,
  IndexProgress,
  LoadRetrievalOptions,
  PretrainedEncoderNeed,
  RetrievalItem,
  RetrievalItemInput,
  RetrievalOptions,
  SearchHit,
  SearchMode,
  SearchOptions,
} from "./retrieval.ts";
export {
  buildRetrievalIndex,
  DEFAULT_RETRIEVAL_OPTIONS,
  loadRetrievalIndex,
  PRETRAINED_ENCODER_KIND,
  RETRIEVAL_FAMILY,
  RETRIEVAL_TASK,
  RetrievalIndex,
  resolveRetrievalOptions,
  retrievalEncoderNeed,
  SEARCH_MODES,
  searchHitJson,
} from "./retrieval.ts";
export type { SentencePassageEncoderOptions } from "./sentence-passage-encoder.ts";
export { SentencePassageEncoder } from "./sentence-passage-encoder.ts";
export { RetrievalTokenizer } from "./terms.ts";
export type {
  AnyPassageEncoder,
  AsyncPassageEncoder,
  EncoderArtifact,
  PassageEncoder,
  VectorScores,
} from "./vector-index.ts";
export { encodeTexts, encodeTextsAsync, isAsyncEncoder, normalizeRows, VectorIndex } from "./vector-index.ts";
export type { VecFileEncoderOptions, WordVectorEncoderOptions } from "./word-vector-encoder.ts";
export {
  DEFAULT_WORD_VECTOR_ENCODER_OPTIONS,
  WORD_VECTOR_ENCODER_KIND,
  WordVectorEncoder,
} from "./word-vector-encoder.ts";
