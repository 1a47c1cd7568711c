import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Random } from "../../core/index.ts";
import { GramAccumulator } from "./gram.ts";
import { QrAccumulator } from "./solve.ts";

/** Rows with columns on very different scales and offsets, and a noisy linear target. */
function data(rows: number, p: number, seed: number, collinear = 0) {
  const random = new Random(seed);
  const x = new Float64Array(rows * p);
  const y = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < p; j++) x[i * p + j] = 1000 * j + (j + 1) * 10 * (random.next() - 0.5);
    // The last column repeats the first, up to `collinear` of noise.
    if (collinear > 0) x[i * p + p - 1] = x[i * p]! + collinear * (random.next() - 0.5);
    let v = 7;
    for (let j = 0; j < p; j++) v += (j % 3) * x[i * p + j]! * 0.01;
    y[i] = v + (random.next() - 0.5);
  }
  return { x, y };
}

function means(x: Float64Array, rows: number, p: number): Float64Array {
  const m = new Float64Array(p);
  for (let i = 0; i < rows; i++) for (let j = 0; j < p; j++) m[j]! += x[i * p + j]! / rows;
  return m;
}

function maxRelativeGap(a: Float64Array, b: Float64Array): number {
  let gap = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i++) {
    gap = Math.max(gap, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return gap / scale;
}

describe("GramAccumulator", () => {
  it("solves OLS as the QR factorisation does, covariance included, to 1e-10", () => {
    const rows = 997;
    const p = 6;
    const { x, y } = data(rows, p, 3);
    const gram = new GramAccumulator(means(x, rows, p), 0);
    gram.add(x, y, rows);
    const qr = new QrAccumulator(p);
    qr.add(x, y, rows);
    const fast = gram.solveOls();
    assert.ok(fast !== null, "a well-conditioned design takes the Gram path");
    const exact = qr.solve(["a", "b", "c", "d", "e", "f"]);
    assert.ok(maxRelativeGap(fast.beta, exact.beta) < 1e-10, "coefficients");
    assert.ok(maxRelativeGap(fast.covariance, exact.covariance) < 1e-8, "covariance");
    assert.ok(Math.abs(fast.rss - exact.rss) / exact.rss < 1e-8, "residual sum of squares");
  });

  it("gives the same bits however the rows are cut into chunks", () => {
    const rows = 503;
    const p = 4;
    const { x, y } = data(rows, p, 5);
    const center = means(x, rows, p);
    const whole = new GramAccumulator(center, 1);
    whole.add(x, y, rows);
    const pieces = new GramAccumulator(center, 1);
    for (let start = 0, size = 1; start < rows; start += size, size = (size % 7) + 1) {
      const count = Math.min(size, rows - start);
      pieces.add(x.subarray(start * p), y.subarray(start), count);
    }
    assert.deepEqual(pieces.solveOls()!.beta, whole.solveOls()!.beta);
    assert.deepEqual(pieces.solveRidge(0.5).weights, whole.solveRidge(0.5).weights);
  });

  it("declines OLS, leaving it to QR, when the design is nearly collinear or the fit exact", () => {
    const rows = 400;
    const p = 3;
    const near = data(rows, p, 7, 1e-4);
    const gram = new GramAccumulator(means(near.x, rows, p), 0);
    gram.add(near.x, near.y, rows);
    assert.equal(gram.solveOls(), null);
    const exact = data(rows, p, 9);
    for (let i = 0; i < rows; i++) exact.y[i] = 2 * exact.x[i * p]! - exact.x[i * p + 1]!;
    const perfect = new GramAccumulator(means(exact.x, rows, p), 0);
    perfect.add(exact.x, exact.y, rows);
    assert.equal(perfect.solveOls(), null);
  });
});
