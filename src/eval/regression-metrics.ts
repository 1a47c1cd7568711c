/**
 * Regression metrics as scikit-learn defines them (mean_squared_error, mean_absolute_error,
 * r2_score), computed in one streaming pass so that a file too big for memory can be scored.
 */
import { TextkitError } from "../core/index.ts";

export interface RegressionMetrics {
  examples: number;
  mse: number;
  rmse: number;
  mae: number;
  /**
   * 1 - SSE/SST. As scikit-learn's r2_score: 1 when the truth is constant and predicted
   * exactly, 0 when it is constant and not.
   */
  r2: number;
}

/**
 * Accumulates squared and absolute errors and the spread of the truth (Welford's update,
 * so that a large mean does not cost precision), batch by batch.
 *
 * @example
 * const acc = new RegressionAccumulator();
 * acc.add(Float64Array.of(3, -0.5, 2, 7), Float64Array.of(2.5, 0, 2, 8));
 * acc.result().mse; // 0.375
 */
export class RegressionAccumulator {
  private n = 0;
  private sse = 0;
  private sae = 0;
  private mean = 0;
  private m2 = 0;

  add(truth: ArrayLike<number>, predicted: ArrayLike<number>, count: number = truth.length): void {
    if (predicted.length < count || truth.length < count) {
      throw new TextkitError(
        "EVAL_LENGTH_MISMATCH",
        `got ${truth.length} true values and ${predicted.length} predictions; give one prediction per value`,
      );
    }
    for (let i = 0; i < count; i++) {
      const y = truth[i]!;
      const e = y - predicted[i]!;
      this.sse += e * e;
      this.sae += Math.abs(e);
      this.n++;
      const delta = y - this.mean;
      this.mean += delta / this.n;
      this.m2 += delta * (y - this.mean);
    }
  }

  get examples(): number {
    return this.n;
  }

  result(): RegressionMetrics {
    if (this.n === 0) throw new TextkitError("EVAL_EMPTY", "no values to score predictions against");
    const mse = this.sse / this.n;
    let r2: number;
    if (this.m2 > 0) r2 = 1 - this.sse / this.m2;
    else r2 = this.sse === 0 ? 1 : 0;
    return { examples: this.n, mse, rmse: Math.sqrt(mse), mae: this.sae / this.n, r2 };
  }
}

/**
 * MSE, RMSE, MAE and R² of predictions against true values.
 *
 * @example
 * regressionMetrics([3, -0.5, 2, 7], [2.5, 0, 2, 8]).r2; // 0.9486081370449679
 */
export function regressionMetrics(truth: ArrayLike<number>, predicted: ArrayLike<number>): RegressionMetrics {
  if (truth.length !== predicted.length) {
    throw new TextkitError(
      "EVAL_LENGTH_MISMATCH",
      `got ${truth.length} true values and ${predicted.length} predictions; give one prediction per value`,
    );
  }
  const acc = new RegressionAccumulator();
  acc.add(truth, predicted);
  return acc.result();
}
