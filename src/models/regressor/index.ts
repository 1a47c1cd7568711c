export type {
  CategoricalFeature,
  ColumnProfile,
  EncoderFitOptions,
  EncoderSpec,
  FeatureSpec,
  NumericFeature,
  RowLocator,
  TableProfile,
} from "./design.ts";
export { DesignEncoder, fileRows, TableProfiler } from "./design.ts";
export { regressorFamily } from "./family.ts";
export type { RegressionMethod, RegressorOptions, UnknownCategoryPolicy } from "./options.ts";
export {
  DEFAULT_REGRESSOR_OPTIONS,
  REGRESSION_METHODS,
  resolveRegressorOptions,
  UNKNOWN_CATEGORY_POLICIES,
} from "./options.ts";
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
  trainRegressor,
} from "./regressor.ts";
export type { RegressionSource, SourcePass, SourceReadOptions } from "./source.ts";
export { fileSource, sliceTable, tableSource } from "./source.ts";
