import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { TextkitError } from "../core/index.ts";
import { RegressionAccumulator, regressionMetrics } from "./regression-metrics.ts";

interface MetricCase {
  truth: number[];
  predicted: number[];
  mse: number;
  rmse: number;
  mae: number;
  r2: number;
}

/** Made by scikit-learn (test/fixtures/regression/make_fixtures.py). */
const CASES: MetricCase[] = JSON.parse(
  readFileSync(new URL("../../test/fixtures/regression/regression.json", import.meta.url), "utf8"),
).metrics;

function close(actual: number, expected: number, tolerance = 1e-12): void {
  assert.ok(
    Math.abs(actual - expected) <= tolerance * Math.max(1, Math.abs(expected)),
    `${actual} is not ${expected}`,
  );
}

describe("regressionMetrics", () => {
  it("matches scikit-learn's mean_squared_error, mean_absolute_error and r2_score", () => {
    for (const c of CASES) {
      const m = regressionMetrics(c.truth, c.predicted);
      close(m.mse, c.mse);
      close(m.rmse, c.rmse);
      close(m.mae, c.mae);
      close(m.r2, c.r2);
      assert.equal(m.examples, c.truth.length);
    }
  });

  it("gives the same numbers batch by batch", () => {
    const c = CASES[1]!;
    const acc = new RegressionAccumulator();
    for (let i = 0; i < c.truth.length; i += 7) acc.add(c.truth.slice(i, i + 7), c.predicted.slice(i, i + 7));
    close(acc.result().r2, c.r2);
    close(acc.result().mse, c.mse);
  });

  it("refuses mismatched lengths and empty input", () => {
    assert.throws(
      () => regressionMetrics([1, 2], [1]),
      (e: unknown) => e instanceof TextkitError && e.code === "EVAL_LENGTH_MISMATCH",
    );
    assert.throws(
      () => regressionMetrics([], []),
      (e: unknown) => e instanceof TextkitError && e.code === "EVAL_EMPTY",
    );
  });
});
