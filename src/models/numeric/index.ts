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
