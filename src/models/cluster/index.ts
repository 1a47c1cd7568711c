export type { ClusterAssignment } from "./cluster-common.ts";
export { CLUSTER_FAMILY } from "./cluster-common.ts";
export type { ClusterExample, ClusterTerm } from "./cluster-descriptions.ts";
export type { ClusterEncoderRef } from "./encoder-features.ts";
export { clusterEncoderNeed } from "./encoder-features.ts";
export { numericClusterFamily, textClusterFamily } from "./family.ts";
export type { FitOutcome, KChoice } from "./fit.ts";
export type { ClusterModel, LoadClusterOptions } from "./load-cluster-model.ts";
export { loadClusterModel, loadNumericClusters, loadTextClusters } from "./load-cluster-model.ts";
export type {
  LabelledRows,
  NumericClusterEvaluation,
  NumericClusterParts,
  NumericClusterSummary,
} from "./numeric-clusters.ts";
export { NUMERIC_CLUSTER_TASK, NumericClusterModel, trainNumericClusters } from "./numeric-clusters.ts";
export type {
  ClusterFeatures,
  ClusterOptions,
  KMeansSettings,
  KRange,
  NumericClusterOptions,
} from "./options.ts";
export {
  CLUSTER_FEATURES,
  DEFAULT_CLUSTER_OPTIONS,
  DEFAULT_NUMERIC_CLUSTER_OPTIONS,
  kValues,
  resolveClusterOptions,
  resolveNumericClusterOptions,
} from "./options.ts";
export type {
  ClusterEvaluation,
  ClusterSummary,
  TextClusterEncoding,
  TextClusterParts,
} from "./text-clusters.ts";
export { TEXT_CLUSTER_TASK, TextClusterModel, trainTextClusters } from "./text-clusters.ts";
export type { TermOptions, VocabularyOptions } from "./tfidf.ts";
export { TermTokenizer, TfidfFeatures } from "./tfidf.ts";
export { WordVectorFeatures } from "./word-vector-features.ts";
