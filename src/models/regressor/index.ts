export type {
  CategoricalFeature,
  EncoderFitOptions,
  EncoderSpec,
  FeatureSpec,
  NumericFeature,
  RowLocator,
} from "./design.ts";
export { DesignEncoder, fileRows } from "./design.ts";
export { regressorFamily } from "./family.ts";
export type { RegressionMethod, RegressorOptions, UnknownCategoryPolicy } from "./options.ts";
export {
  DEFAULT_REGRESSOR_OPTIONS,
  REGRESSION_METHODS,
  resolveRegressorOptions,
  UNKNOWN_CATEGORY_POLICIES,
} from "./options.ts";
export type { ColumnProfile, TableProfile } from "./profile.ts";
export { TableProfiler } from "./profile.ts";
export type {
  Coefficient,
  RegressionEvaluation,
  RegressionPrediction,
  RegressionSummary,
  RegressionTrainingData,
} from "./regressor.ts";
export {
  LinearRegressor,
  loadRegressor,
  REGRESSOR_FAMILY,
  REGRESSOR_TASK,
} from "./regressor.ts";
export type { RegressionSource, SourcePass, SourceReadOptions } from "./source.ts";
export { fileSource, sliceTable, tableSource } from "./source.ts";
export { trainRegressor } from "./train.ts";
