import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Random } from "../../core/index.ts";
import { RowSums, TERMS } from "./row-sums.ts";

/** Values from 2^-30 to 2^30 in size, so the order of float64 adds shows in the bits. */
function spread(random: Random, n: number): number[] {
  return Array.from({ length: n }, () => (random.next() * 2 - 1) * 2 ** Math.round(random.next() * 60 - 30));
}

describe("RowSums", () => {
  it("adds rows and kept vectors in list order, bit for bit the plain float64 loop", () => {
    const random = new Random(8);
    for (const [rows, dim] of [
      [1, 1],
      [7, 3],
      [40, 13],
      [25, 50],
      [9, 100],
    ] as const) {
      const matrix = Float32Array.from(spread(random, rows * dim));
      const kept = 3;
      const kernel = RowSums.of(matrix, rows, dim, kept);
      assert.ok(kernel !== null, "Node 20 has WebAssembly SIMD");
      const vectors = Array.from({ length: kept }, () => spread(random, dim));
      for (const [s, v] of vectors.entries()) kernel.sums.set(v, s * kernel.stride);
      // A list longer than one call takes, in two calls.
      const list = Array.from({ length: TERMS + 37 }, () => Math.floor(random.next() * (rows + kept)));
      const expected = new Float64Array(dim);
      for (const t of list) {
        const source = t < rows ? Array.from(matrix.subarray(t * dim, (t + 1) * dim)) : vectors[t - rows];
        for (let d = 0; d < dim; d++) expected[d] = (expected[d] as number) + (source?.[d] ?? Number.NaN);
      }
      kernel.zero();
      for (let from = 0; from < list.length; from += TERMS) {
        const part = list.slice(from, from + TERMS);
        for (const [i, t] of part.entries())
          kernel.terms[i] = t < rows ? kernel.rowTerm(t) : kernel.sumTerm(t - rows);
        kernel.add(part.length);
      }
      const out = new Float64Array(dim);
      kernel.scaled(1, out);
      for (let d = 0; d < dim; d++)
        assert.ok(Object.is(out[d], expected[d]), `${rows} × ${dim}, component ${d}`);
    }
  });

  it("keeps its copy of the matrix until load, and scales the total", () => {
    const matrix = new Float32Array([1, 2, 3, 4, 5, 6]);
    const kernel = RowSums.of(matrix, 2, 3, 1);
    assert.ok(kernel !== null);
    const sum = (): Float64Array => {
      kernel.zero();
      kernel.terms[0] = kernel.rowTerm(0);
      kernel.terms[1] = kernel.rowTerm(1);
      kernel.add(2);
      const out = new Float64Array(3);
      kernel.scaled(0.5, out);
      return out;
    };
    assert.deepEqual(sum(), new Float64Array([2.5, 3.5, 4.5]));
    matrix.fill(1);
    assert.deepEqual(sum(), new Float64Array([2.5, 3.5, 4.5]));
    kernel.load(matrix);
    assert.deepEqual(sum(), new Float64Array([1, 1, 1]));
  });

  it("answers null for a matrix too big to copy", () => {
    assert.equal(RowSums.of(new Float32Array(0), 10_000_000, 100, 1), null);
  });
});
