export type { ContentEncoder, RecommenderEncoderRef } from "./content-encoder.ts";
export { itemText } from "./content-encoder.ts";
export type { EngineName, Explanation, ReasonKind } from "./engine.ts";
export { ENGINE_NAMES, REASON_KINDS } from "./engine.ts";
export type { RankingModel, RecommenderEvaluation, RecommenderEvaluationOptions } from "./evaluate.ts";
export { evaluateRanking } from "./evaluate.ts";
export { recommenderFamily } from "./family.ts";
export type { CsrMatrix } from "./matrix.ts";
export { csrFromEntries, topK, transpose } from "./matrix.ts";
export type { HybridFactorModel, RecommenderModel, RecommenderOptions } from "./options.ts";
export {
  DEFAULT_RECOMMENDER_OPTIONS,
  HYBRID_FACTOR_MODELS,
  RECOMMENDER_MODELS,
  resolveRecommenderOptions,
} from "./options.ts";
export type { Ranker } from "./ranker.ts";
export { HYBRID_FEATURES } from "./ranker.ts";
export type {
  Recommendation,
  RecommendationReason,
  RecommenderTrainingData,
  RecommendOptions,
} from "./recommender.ts";
export {
  MAX_RECOMMENDATIONS,
  RECOMMENDER_FAMILY,
  RECOMMENDER_TASK,
  Recommender,
} from "./recommender.ts";
export type { LoadRecommenderOptions } from "./recommender-load.ts";
export { loadRecommender, recommenderEncoderNeed } from "./recommender-load.ts";
export { trainRecommender } from "./recommender-train.ts";
