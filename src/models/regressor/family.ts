import type { ModelFamily } from "../../artifact/index.ts";
import type { RegressorOptions } from "./options.ts";
import {
  type LinearRegressor,
  loadRegressor,
  REGRESSOR_FAMILY,
  type RegressionTrainingData,
} from "./regressor.ts";
import { trainRegressor } from "./train.ts";

/**
 * The regressor as a model family: `train` and `load`; its models predict a number for
 * each row of a table and evaluate into RMSE, MAE and R².
 *
 * @example
 * const model = await regressorFamily.train({ train: table }, { method: "ols" });
 * model.predict(newHouses);
 */
export const regressorFamily = {
  family: REGRESSOR_FAMILY,
  summary: "a number for each row of a table",
  train: trainRegressor,
  load: loadRegressor,
} satisfies ModelFamily<RegressionTrainingData, RegressorOptions, LinearRegressor>;
