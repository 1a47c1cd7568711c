import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { isTextkitError } from "../core/index.ts";
import { adjustedRandIndex } from "./adjusted-rand-index.ts";

// Written by test/fixtures/cluster/make_fixtures.py with scikit-learn's adjusted_rand_score.
interface AriCase {
  name: string;
  labels_true: (string | number)[];
  labels_pred: (string | number)[];
  ari: number;
}
const fixture = JSON.parse(
  readFileSync(new URL("../../test/fixtures/cluster/ari.json", import.meta.url), "utf8"),
) as { cases: AriCase[] };

describe("adjustedRandIndex against scikit-learn", () => {
  it("found the fixtures", () => {
    assert.ok(fixture.cases.length >= 10);
  });
  for (const c of fixture.cases) {
    it(c.name, () => {
      const got = adjustedRandIndex(c.labels_true, c.labels_pred);
      assert.ok(Math.abs(got - c.ari) <= 1e-12, `${got} vs ${c.ari}`);
      // Symmetric, and blind to the names of the groups.
      assert.ok(Math.abs(adjustedRandIndex(c.labels_pred, c.labels_true) - c.ari) <= 1e-12);
    });
  }
});

describe("adjustedRandIndex", () => {
  it("takes typed arrays of cluster ids", () => {
    assert.equal(adjustedRandIndex(Int32Array.from([0, 0, 1, 1]), ["x", "x", "y", "y"]), 1);
  });

  it("refuses unequal lengths, no items and labels that are not strings or numbers", () => {
    const code = (fn: () => unknown): string => {
      try {
        fn();
      } catch (error) {
        if (isTextkitError(error)) return error.code;
        throw error;
      }
      return "no error";
    };
    assert.equal(
      code(() => adjustedRandIndex([0, 1], [0])),
      "EVAL_LENGTH_MISMATCH",
    );
    assert.equal(
      code(() => adjustedRandIndex([], [])),
      "EVAL_EMPTY",
    );
    assert.equal(
      code(() => adjustedRandIndex([0, Number.NaN], [0, 1])),
      "EVAL_BAD_TARGETS",
    );
  });
});
