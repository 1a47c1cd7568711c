export { adjustedRandIndex } from "./adjusted-rand-index.ts";
export type {
  AverageMetrics,
  ClassificationReport,
  ClassificationReportOptions,
  LabelMetrics,
  SklearnRow,
} from "./classification-report.ts";
export {
  classificationReport,
  classificationReportToDict,
  formatClassificationReport,
} from "./classification-report.ts";
export type { ConfusionMatrix } from "./confusion-matrix.ts";
export { confusionMatrix, formatConfusionMatrix } from "./confusion-matrix.ts";
export type { EntityMatchMode } from "./entity-checks.ts";
export { ENTITY_MATCH_MODES } from "./entity-checks.ts";
export type { EntityChunkOptions } from "./entity-chunks.ts";
export { entityChunks } from "./entity-chunks.ts";
export type { EntityReport, EntityReportOptions, EntityTypeMetrics } from "./entity-report.ts";
export { entityReport, entityReportToDict, formatEntityReport } from "./entity-report.ts";
export { formatFixed } from "./format-float.ts";
export type { RankedCase, RankingReport } from "./ranking.ts";
export {
  averagePrecisionAtK,
  catalogCoverage,
  formatRankingReports,
  hitRateAtK,
  mae,
  ndcgAtK,
  precisionAtK,
  rankingReport,
  recallAtK,
  rmse,
} from "./ranking.ts";
export type { RegressionMetrics } from "./regression-metrics.ts";
export { RegressionAccumulator, regressionMetrics } from "./regression-metrics.ts";
export type { TokenLevelReport, TokenLevelReportOptions } from "./token-level-report.ts";
export { formatTokenLevelReport, tokenLevelReport } from "./token-level-report.ts";
export { topKAccuracy } from "./top-k-accuracy.ts";
