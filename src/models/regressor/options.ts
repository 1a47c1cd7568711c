import {
  checkBoolean,
  checkInt,
  checkNumber,
  checkOneOf,
  TextkitError,
  withDefaults,
} from "../../core/index.ts";
import { IMPUTE_STRATEGIES, type ImputeStrategy } from "../../data/index.ts";

/**
 * ols: ordinary least squares through a QR factorisation, with standard errors.
 * ridge: L2-penalised least squares through a Cholesky factorisation, as scikit-learn's Ridge.
 * sgd: minibatch stochastic gradient descent on the mean squared error, streaming its data.
 */
export const REGRESSION_METHODS = ["ols", "ridge", "sgd"] as const;
export type RegressionMethod = (typeof REGRESSION_METHODS)[number];

/** What a category never seen in training becomes at prediction time. */
export const UNKNOWN_CATEGORY_POLICIES = ["error", "ignore"] as const;
export type UnknownCategoryPolicy = (typeof UNKNOWN_CATEGORY_POLICIES)[number];

/** Every setting of a regressor; all are recorded in the model's manifest. */
export interface RegressorOptions {
  method: RegressionMethod;
  /**
   * L2 penalty on the weights (never on the intercept): ridge's alpha as in scikit-learn,
   * and the weight decay of sgd. null: 1 for ridge, 0 for sgd; ols takes none.
   */
  alpha: number | null;
  /**
   * Centre numeric features and divide them by their (population) standard deviation,
   * with the statistics stored in the model. It changes ols only in rounding; ridge and sgd
   * fit a different model with it. Coefficients are always reported in the data's units.
   */
  standardize: boolean;
  /** Missing feature values: refused ("none"), or filled as `TableOptions.impute` says. */
  impute: ImputeStrategy;
  /**
   * "error": a category not seen in training is refused (DATA_UNKNOWN_CATEGORY);
   * "ignore": it is encoded as all zeros, which for ols means its reference level.
   */
  unknownCategory: UnknownCategoryPolicy;
  /** sgd: rows per gradient step. */
  batchSize: number;
  /** sgd: the (constant) learning rate of plain SGD on the mean squared error. */
  lr: number;
  /** sgd: passes over the training data (at most, with early stopping). */
  epochs: number;
  /** sgd: stop after this many epochs without a lower dev MSE (0 = off). */
  patience: number;
  /** sgd: rows held and shuffled at a time when the training data is streamed from a file. */
  shuffleBuffer: number;
  seed: number;
}

export const DEFAULT_REGRESSOR_OPTIONS: Readonly<RegressorOptions> = Object.freeze({
  method: "ols",
  alpha: null,
  standardize: true,
  impute: "none",
  unknownCategory: "error",
  batchSize: 32,
  lr: 0.01,
  epochs: 20,
  patience: 0,
  shuffleBuffer: 65_536,
  seed: 1,
});

/** Fills in defaults (alpha by method) and refuses values that cannot train. */
export function resolveRegressorOptions(partial: Partial<RegressorOptions> = {}): RegressorOptions {
  const o = withDefaults(DEFAULT_REGRESSOR_OPTIONS, partial);
  checkOneOf("method", o.method, REGRESSION_METHODS);
  checkOneOf("impute", o.impute, IMPUTE_STRATEGIES);
  checkOneOf("unknownCategory", o.unknownCategory, UNKNOWN_CATEGORY_POLICIES);
  checkInt("batchSize", o.batchSize, 1, 1_000_000);
  checkInt("epochs", o.epochs, 1, 100_000);
  checkInt("patience", o.patience, 0, 100_000);
  checkInt("shuffleBuffer", o.shuffleBuffer, 1, 100_000_000);
  checkInt("seed", o.seed, 0, 2 ** 32 - 1);
  checkBoolean("standardize", o.standardize);
  checkNumber("lr", o.lr, 0, 10, true);
  if (o.method === "ols") {
    if (o.alpha !== null && o.alpha !== 0) {
      throw new TextkitError(
        "OPTION_INVALID",
        `alpha ${o.alpha} is a penalty, and ols has none; use method ridge (or sgd) to penalise the weights`,
      );
    }
    o.alpha = null;
  } else {
    if (o.alpha === null) o.alpha = o.method === "ridge" ? 1 : 0;
    if (!(Number.isFinite(o.alpha) && o.alpha >= 0)) {
      throw new TextkitError("OPTION_INVALID", `alpha must be a number >= 0, got ${o.alpha}`);
    }
    if (o.method === "ridge" && o.alpha === 0) {
      throw new TextkitError(
        "OPTION_INVALID",
        "ridge needs alpha > 0; for no penalty use method ols, which also reports standard errors",
      );
    }
  }
  return o;
}
