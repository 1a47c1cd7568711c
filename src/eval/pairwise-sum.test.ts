import assert from "node:assert/strict";
import fs from "node:fs";
import { describe, it } from "node:test";
import { pairwiseSum } from "./pairwise-sum.ts";

// np.sum / np.mean outputs, written by scripts/make-sklearn-fixtures.py
const fixture = JSON.parse(
  fs.readFileSync(new URL("../../test/fixtures/sklearn/numpy-sum.json", import.meta.url), "utf8"),
) as { cases: { values: number[]; sum: number; mean: number }[] };

describe("pairwiseSum", () => {
  it("reproduces numpy's sum and mean bit for bit", () => {
    for (const c of fixture.cases) {
      const a = Float64Array.from(c.values);
      assert.equal(pairwiseSum(a, 0, a.length), c.sum, `n=${a.length}`);
      assert.equal(pairwiseSum(a, 0, a.length) / a.length, c.mean, `mean n=${a.length}`);
    }
  });

  it("differs from a left-to-right sum on some fixture, so the order is really tested", () => {
    const differs = fixture.cases.some((c) => c.values.reduce((s, v) => s + v, 0) !== c.sum);
    assert.ok(differs);
  });

  it("sums a slice without reading outside it", () => {
    const a = new Float64Array([100, 1, 2, 3, 100]);
    assert.equal(pairwiseSum(a, 1, 3), 6);
    assert.equal(pairwiseSum(a, 0, 0), 0);
  });
});
