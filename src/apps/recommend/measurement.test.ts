import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Random } from "../../core/index.ts";
import { rateDifference, rateOf } from "./measurement.ts";

describe("online measurement statistics", () => {
  it("gives the Wilson interval of a rate (checked against the closed form by hand)", () => {
    const r = rateOf(12, 400);
    assert.equal(r.rate, 0.03);
    // Wilson 95% for 12/400: 0.01725 .. 0.05172 (R: prop.test(12, 400, correct = FALSE)$conf.int).
    assert.ok(Math.abs(r.low - 0.01725) < 2e-4, `${r.low}`);
    assert.ok(Math.abs(r.high - 0.05172) < 2e-4, `${r.high}`);
    const none = rateOf(0, 0);
    assert.deepEqual([none.rate, none.low, none.high], [0, 0, 1]);
    const zero = rateOf(0, 50);
    assert.equal(zero.low, 0);
    assert.ok(zero.high > 0.05 && zero.high < 0.1);
  });

  it("a difference interval covers the true difference about 95% of the time", () => {
    const rng = new Random(5);
    let covered = 0;
    const trials = 400;
    for (let t = 0; t < trials; t++) {
      let a = 0;
      let b = 0;
      for (let i = 0; i < 500; i++) {
        if (rng.next() < 0.05) a++;
        if (rng.next() < 0.08) b++;
      }
      const d = rateDifference(rateOf(a, 500), rateOf(b, 500));
      if (d.low <= 0.03 && 0.03 <= d.high) covered++;
    }
    const share = covered / trials;
    assert.ok(share > 0.92 && share < 0.985, `coverage ${share}`);
  });

  it("says a clear difference is significant and an equal one is not", () => {
    assert.equal(rateDifference(rateOf(30, 1000), rateOf(80, 1000)).significant, true);
    assert.equal(rateDifference(rateOf(30, 1000), rateOf(31, 1000)).significant, false);
    assert.equal(rateDifference(rateOf(0, 0), rateOf(3, 10)).significant, false);
  });
});
