export type { ClusterAssignment } from "./cluster-common.ts";
export { CLUSTER_FAMILY } from "./cluster-common.ts";
export { numericClusterFamily, textClusterFamily } from "./family.ts";
export type { FitOutcome, KChoice } from "./fit.ts";
export type { ClusterModel } from "./load-cluster-model.ts";
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
  ClusterExample,
  ClusterSummary,
  ClusterTerm,
  TextClusterParts,
} from "./text-clusters.ts";
export {
  TEXT_CLUSTER_TASK,
  TextClusterModel,
  trainTextClusters,
  WordVectorFeatures,
} from "./text-clusters.ts";
export type { TermOptions, VocabularyOptions } from "./tfidf.ts";
export { TermTokenizer, TfidfFeatures } from "./tfidf.ts";
