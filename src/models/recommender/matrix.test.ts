import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { csrFromEntries, findSorted, rowOf, topK, transpose } from "./matrix.ts";

describe("CSR matrices", () => {
  it("sums duplicate entries, drops non-positive sums and sorts columns within rows", () => {
    const m = csrFromEntries(
      3,
      4,
      Int32Array.of(2, 0, 2, 0, 1, 1),
      Int32Array.of(3, 2, 0, 2, 1, 1),
      Float32Array.of(1, 1, 2, 3, 1, -2),
    );
    assert.deepEqual(Array.from(m.indptr), [0, 1, 1, 3]);
    assert.deepEqual(Array.from(m.indices), [2, 0, 3]);
    assert.deepEqual(Array.from(m.data), [4, 2, 1]);
    const t = transpose(m);
    assert.deepEqual(Array.from(t.indptr), [0, 1, 1, 2, 3]);
    assert.deepEqual(Array.from(t.indices), [2, 0, 2]);
    assert.deepEqual(Array.from(rowOf(t, 3).data), [1]);
    assert.equal(rowOf(m, 7).indices.length, 0);
    assert.equal(findSorted(m.indices, 3, 1, 3), 2);
    assert.equal(findSorted(m.indices, 1, 1, 3), -1);
  });

  it("topK returns the best allowed scores first, ties to the lower index, never -Infinity or NaN", () => {
    const scores = Float32Array.of(0.5, 0.9, Number.NEGATIVE_INFINITY, 0.9, 0.1, Number.NaN, 0.7);
    const out = new Int32Array(4);
    assert.equal(topK(scores, null, 4, out), 4);
    assert.deepEqual(Array.from(out), [1, 3, 6, 0]);
    const allowed = Uint8Array.of(1, 0, 1, 1, 1, 1, 0);
    assert.equal(topK(scores, allowed, 4, out), 3);
    assert.deepEqual(Array.from(out.subarray(0, 3)), [3, 0, 4]);
  });
});
