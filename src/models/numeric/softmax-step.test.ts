import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Random } from "../../core/index.ts";
import { MAX_INPUT_BYTES, OutputStep } from "./softmax-step.ts";

/** |actual − expected| within 1e-5 of the size of the sum that made it. */
function close(actual: number, expected: number, size: number, what: string): void {
  assert.ok(Math.abs(actual - expected) <= 1e-5 * Math.max(size, 1e-30), `${what}: ${actual} vs ${expected}`);
}

describe("OutputStep", () => {
  it("scores and updates as the scalar float32 step does, to 1e-5 relative, whatever the sizes", () => {
    const random = new Random(11);
    const uniform = () => random.next() * 2 - 1;
    for (const [rows, dim] of [
      [1, 1],
      [2, 100],
      [3, 5],
      [150, 100],
      [9, 301],
    ] as const) {
      const step = OutputStep.of(rows, dim);
      assert.ok(step !== null, "Node 20 has WebAssembly SIMD");
      const matrix = Float32Array.from({ length: rows * dim }, uniform);
      const hidden = Float32Array.from({ length: dim }, uniform);
      step.load(matrix);
      step.hidden.set(hidden);
      step.score();
      const alphas = Float32Array.from({ length: rows }, (_, r) => (r % 3 === 1 ? 0 : uniform() * 0.5));
      step.alphas.set(alphas);
      step.update();
      const grad = new Float64Array(dim);
      const gradSize = new Float64Array(dim);
      for (let r = 0; r < rows; r++) {
        let dot = 0;
        let size = 0;
        for (let d = 0; d < dim; d++) {
          const product = (matrix[r * dim + d] ?? 0) * (hidden[d] ?? 0);
          dot += product;
          size += Math.abs(product);
        }
        close(step.scores[r] ?? Number.NaN, dot, size, `score ${r} of ${rows} × ${dim}`);
        const alpha = alphas[r] ?? 0;
        for (let d = 0; d < dim; d++) {
          grad[d] = (grad[d] ?? 0) + alpha * (matrix[r * dim + d] ?? 0);
          gradSize[d] = (gradSize[d] ?? 0) + Math.abs(alpha * (matrix[r * dim + d] ?? 0));
        }
      }
      const after = new Float32Array(rows * dim).fill(Number.NaN);
      step.store(after);
      for (let r = 0; r < rows; r++) {
        const alpha = alphas[r] ?? 0;
        for (let d = 0; d < dim; d++) {
          const before = matrix[r * dim + d] ?? 0;
          const now = after[r * dim + d] ?? Number.NaN;
          // A row whose alpha is 0 is not touched at all.
          if (alpha === 0) assert.equal(now, before, `row ${r} (alpha 0) column ${d}`);
          else
            close(
              now,
              before + alpha * (hidden[d] ?? 0),
              Math.abs(before) + Math.abs(alpha),
              `row ${r} column ${d}`,
            );
        }
      }
      for (let d = 0; d < dim; d++)
        close(step.grad[d] ?? Number.NaN, grad[d] ?? 0, gradSize[d] ?? 0, `grad ${d}`);
      // The padding columns stay zero, so a second step reads the same matrix the caller would.
      for (let d = dim; d < step.grad.length; d++)
        assert.equal(step.grad[d], 0, `padding column ${d} of the gradient`);
    }
  });

  it("keeps the matrix between steps: two updates add up, and store gives back what load took", () => {
    const step = OutputStep.of(5, 6);
    assert.ok(step !== null);
    const matrix = Float32Array.from({ length: 30 }, (_, i) => i / 8);
    step.load(matrix);
    const copy = new Float32Array(30);
    step.store(copy);
    assert.deepEqual(copy, matrix);
    step.hidden.set([1, 2, 3, 4, 5, 6]);
    step.alphas.set([0.5, 0, 0, 0, -0.25]);
    step.update();
    step.update();
    step.store(copy);
    assert.deepEqual([...copy.subarray(0, 6)], [0 + 1, 0.125 + 2, 0.25 + 3, 0.375 + 4, 0.5 + 5, 0.625 + 6]);
    assert.deepEqual([...copy.subarray(6, 24)], [...matrix.subarray(6, 24)]);
    assert.deepEqual(
      [...copy.subarray(24)],
      [3 - 0.5, 3.125 - 1, 3.25 - 1.5, 3.375 - 2, 3.5 - 2.5, 3.625 - 3],
    );
    // The second update's gradient reads the rows as the first update left them.
    const hidden = [1, 2, 3, 4, 5, 6];
    const afterFirst = (row: number, d: number, alpha: number) =>
      (copy[row * 6 + d] ?? 0) - alpha * (hidden[d] ?? 0);
    const grad = hidden.map((_, d) => 0.5 * afterFirst(0, d, 0.5) - 0.25 * afterFirst(4, d, -0.25));
    assert.deepEqual([...step.grad.subarray(0, 6)], grad);
  });

  it("sums listed input rows into the hidden vector and adds the gradient back into them, repeats counted", () => {
    const random = new Random(3);
    for (const dim of [4, 7, 100]) {
      const rows = 9;
      const step = OutputStep.of(3, dim, { rows, maxIds: 6 });
      assert.ok(step !== null);
      assert.equal(step.inputRows, rows);
      const input = Float32Array.from({ length: rows * dim }, () => random.next() * 2 - 1);
      step.loadInput(input);
      const ids = Int32Array.from([8, 2, 5, 2, 0, 7]);
      step.gather(ids, 1, 5); // rows 2, 5, 2, 0
      for (let d = 0; d < dim; d++) {
        const expected = Math.fround(
          Math.fround(
            Math.fround((input[2 * dim + d] ?? 0) + (input[5 * dim + d] ?? 0)) + (input[2 * dim + d] ?? 0),
          ) + (input[d] ?? 0),
        );
        assert.equal(step.hidden[d], expected, `hidden ${d} (dim ${dim})`);
      }
      for (let d = dim; d < step.hidden.length; d++)
        assert.equal(step.hidden[d], 0, "padding of the hidden vector");
      step.grad.set(Float32Array.from({ length: dim }, (_, d) => d / 16));
      step.scatter(4);
      const after = new Float32Array(rows * dim);
      step.storeInput(after);
      for (let r = 0; r < rows; r++) {
        const times = r === 2 ? 2 : r === 5 || r === 0 ? 1 : 0;
        for (let d = 0; d < dim; d++) {
          let expected = input[r * dim + d] ?? 0;
          for (let t = 0; t < times; t++) expected = Math.fround(expected + d / 16);
          assert.equal(after[r * dim + d], expected, `row ${r} column ${d} (dim ${dim})`);
        }
      }
    }
  });

  it("leaves input rows that would pass MAX_INPUT_BYTES to the caller", () => {
    const step = OutputStep.of(2, 100, { rows: Math.ceil(MAX_INPUT_BYTES / 400) + 1, maxIds: 10 });
    assert.ok(step !== null);
    assert.equal(step.inputRows, 0);
  });
});
