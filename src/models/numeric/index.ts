export { GramAccumulator, OLS_GRAM_MAX_CONDITION } from "./gram.ts";
export type {
  KMeansData,
  KMeansMetric,
  KMeansOptions,
  KMeansPrediction,
  KMeansRestart,
  KMeansResult,
  SilhouetteOptions,
  SparseRows,
} from "./kmeans.ts";
export {
  DEFAULT_SILHOUETTE_SAMPLE,
  distancesToCentroids,
  KMEANS_METRICS,
  kMeans,
  kMeansPredict,
  silhouette,
} from "./kmeans.ts";
export type { OlsSolution } from "./solve.ts";
export { QrAccumulator, RANK_TOLERANCE } from "./solve.ts";
