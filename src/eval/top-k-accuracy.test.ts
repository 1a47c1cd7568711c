import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isTextkitError } from "../core/index.ts";
import { topKAccuracy } from "./top-k-accuracy.ts";

describe("topKAccuracy", () => {
  const yTrue = ["a", "b", "c", "d"];
  const ranked = [
    ["a", "b", "c"],
    ["a", "b", "c"],
    ["a", "b", "c"],
    ["a", "b", "c"],
  ];

  it("counts the true label within the first k", () => {
    assert.equal(topKAccuracy(yTrue, ranked, 1), 0.25);
    assert.equal(topKAccuracy(yTrue, ranked, 2), 0.5);
    assert.equal(topKAccuracy(yTrue, ranked, 3), 0.75);
  });

  it("uses what a ranking shorter than k has", () => {
    assert.equal(topKAccuracy(["c"], [["a", "c"]], 10), 1);
    assert.equal(topKAccuracy(["c"], [[]], 10), 0);
  });

  it("refuses a bad k, unequal lengths and no examples", () => {
    const failure = (fn: () => unknown): string => {
      try {
        fn();
      } catch (err) {
        if (isTextkitError(err)) return `${err.code}: ${err.message}`;
        throw err;
      }
      return "no error";
    };
    assert.equal(
      failure(() => topKAccuracy(yTrue, ranked, 0)),
      "OPTION_INVALID: k must be a positive integer, got 0",
    );
    assert.equal(
      failure(() => topKAccuracy(yTrue, ranked, 1.5)),
      "OPTION_INVALID: k must be a positive integer, got 1.5",
    );
    assert.equal(
      failure(() => topKAccuracy(yTrue, ranked.slice(1), 1)),
      "EVAL_LENGTH_MISMATCH: yTrue has 4 examples but ranked has 3",
    );
    assert.equal(
      failure(() => topKAccuracy([], [], 1)),
      "EVAL_EMPTY: yTrue and ranked are empty",
    );
    const flat: unknown = ["a"];
    assert.equal(
      failure(() => topKAccuracy(["a"], flat as string[][], 1)),
      'EVAL_BAD_TARGETS: ranked[0] is the string "a"; each example needs its predicted labels, best first',
    );
  });
});
