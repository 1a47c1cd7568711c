import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isTextkitError } from "../../core/index.ts";
import { kMeans } from "../numeric/index.ts";

describe("kMeans", () => {
  it("separates well-apart groups and reports their inertia", () => {
    const data = new Float32Array([0, 0, 0, 1, 1, 0, 10, 10, 10, 11, 11, 10]);
    const r = kMeans(data, 6, 2, { k: 2, seed: 1 });
    assert.equal(r.assignments[0], r.assignments[1]);
    assert.equal(r.assignments[1], r.assignments[2]);
    assert.equal(r.assignments[3], r.assignments[4]);
    assert.notEqual(r.assignments[0], r.assignments[3]);
    // Each group of three points around its mean: 2/3 + 2/3 + ... = 4/3 per group.
    assert.ok(Math.abs(r.inertia - 8 / 3) < 1e-5, String(r.inertia));
  });

  it("refuses more clusters than rows", () => {
    assert.throws(
      () => kMeans(new Float32Array(4), 2, 2, { k: 3 }),
      (e) => isTextkitError(e) && e.code === "OPTION_INVALID",
    );
  });
});
