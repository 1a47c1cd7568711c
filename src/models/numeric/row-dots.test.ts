import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Random } from "../../core/index.ts";
import { RowDots } from "./row-dots.ts";

describe("RowDots", () => {
  it("gives every row's dot product with the vector, to float32 rounding, whatever the sizes", () => {
    const random = new Random(4);
    for (const [rows, dim] of [
      [1, 1],
      [3, 5],
      [150, 100],
      [9, 300],
    ] as const) {
      const matrix = Float32Array.from({ length: rows * dim }, () => random.next() * 2 - 1);
      const vector = Float64Array.from({ length: dim }, () => random.next() * 2 - 1);
      const kernel = RowDots.of(matrix, rows, dim);
      assert.ok(kernel !== null, "Node 20 has WebAssembly SIMD");
      const out = new Float64Array(rows).fill(Number.NaN);
      kernel.dots(vector, out);
      for (let r = 0; r < rows; r++) {
        let exact = 0;
        let size = 0;
        for (let d = 0; d < dim; d++) {
          exact += matrix[r * dim + d]! * vector[d]!;
          size += Math.abs(matrix[r * dim + d]! * vector[d]!);
        }
        assert.ok(
          Math.abs(out[r]! - exact) <= 1e-6 * size,
          `row ${r} of ${rows} × ${dim}: ${out[r]} vs ${exact}`,
        );
      }
    }
  });

  it("keeps its own copy of the matrix", () => {
    const matrix = new Float32Array([1, 2, 3, 4]);
    const kernel = RowDots.of(matrix, 2, 2)!;
    matrix.fill(0);
    const out = new Float64Array(2);
    kernel.dots(new Float64Array([1, 1]), out);
    assert.deepEqual([...out], [3, 7]);
  });

  it("dots several vectors at once, block by block, as one vector at a time does", () => {
    const random = new Random(8);
    for (const [rows, dim, count] of [
      [1, 3, 1],
      [7, 5, 3],
      [3001, 50, 4],
    ] as const) {
      const matrix = Float32Array.from({ length: rows * dim }, () => random.next() * 2 - 1);
      const vectors = Float64Array.from({ length: count * dim }, () => random.next() * 2 - 1);
      const kernel = RowDots.of(matrix, rows, dim, count);
      assert.ok(kernel !== null);
      // A copy: the answer is a view that the next call overwrites.
      const many = Float64Array.from(kernel.manyDots(vectors, dim, count));
      const one = new Float64Array(rows);
      for (let t = 0; t < count; t++) {
        kernel.dots(vectors.subarray(t * dim, (t + 1) * dim), one);
        for (let r = 0; r < rows; r++) {
          assert.equal(many[t * kernel.stride + r], one[r], `vector ${t}, row ${r} of ${rows} × ${dim}`);
        }
      }
      assert.throws(() => kernel.manyDots(vectors, dim, count + 1), /vectors/);
    }
  });
});
