import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Random } from "../../core/index.ts";
import {
  exampleGradient,
  type HeadData,
  headLayout,
  headMetric,
  headScores,
  scheduledRate,
  trainHead,
} from "./head.ts";
import { resolveHeadOptions } from "./head-options.ts";

/** Gaussian clusters, one per label, with `noise` around random centres; labels cycle. */
function clusters(rows: number, dim: number, labels: number, noise: number, seed: number): HeadData {
  const rng = new Random(seed);
  const centres = Float32Array.from({ length: labels * dim }, () => rng.uniform(-1, 1));
  const data = new Random(seed + 1);
  const vectors = new Float32Array(rows * dim);
  const ids = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    const l = i % labels;
    ids[i] = l;
    for (let j = 0; j < dim; j++)
      vectors[i * dim + j] = centres[l * dim + j]! + noise * (data.next() + data.next() - 1);
  }
  return { vectors, targets: { offsets: Int32Array.from({ length: rows + 1 }, (_, i) => i), ids } };
}

describe("head on frozen embeddings", () => {
  it("learns separable clusters with a softmax layer and with an MLP, and scores rows as probabilities", () => {
    const train = clusters(600, 16, 5, 0.6, 3);
    const dev = clusters(200, 16, 5, 0.6, 3);
    for (const hidden of [0, 32]) {
      const result = trainHead(train, dev, 16, 5, resolveHeadOptions({ hidden, epochs: 8, patience: 0 }));
      assert.ok(headMetric(result.weights, dev, false) > 0.95, `hidden ${hidden}`);
      const scores = headScores(result.weights, dev.vectors, 2, false);
      for (const row of [0, 1]) {
        const sum = scores.subarray(row * 5, row * 5 + 5).reduce((a, b) => a + b, 0);
        assert.ok(Math.abs(sum - 1) < 1e-5);
      }
    }
  });

  it("is deterministic for a seed and differs for another", () => {
    const train = clusters(300, 8, 3, 1.0, 5);
    const options = { hidden: 8, epochs: 3, dropout: 0.2, patience: 0 };
    const a = trainHead(train, undefined, 8, 3, resolveHeadOptions(options)).weights.params;
    const b = trainHead(train, undefined, 8, 3, resolveHeadOptions(options)).weights.params;
    const c = trainHead(train, undefined, 8, 3, resolveHeadOptions({ ...options, seed: 2 })).weights.params;
    assert.deepEqual(Buffer.from(a.buffer), Buffer.from(b.buffer));
    assert.notDeepEqual(Buffer.from(a.buffer), Buffer.from(c.buffer));
  });

  for (const ova of [false, true]) {
    it(`computes the exact gradient (${ova ? "sigmoids" : "softmax"}, MLP, label smoothing)`, () => {
      const data = clusters(4, 5, 3, 0.5, 9);
      const { weights } = trainHead(
        data,
        undefined,
        5,
        3,
        resolveHeadOptions({ hidden: 4, epochs: 1, dropout: 0, loss: ova ? "ova" : "softmax" }),
      );
      const x = Float32Array.from({ length: 5 }, (_, j) => 0.3 * j - 0.5);
      const targets = { offsets: Int32Array.from([0, ova ? 2 : 1]), ids: Int32Array.from([1, 2]) };
      const { grads } = exampleGradient(weights, x, targets, 0, 0.1, ova);
      const p = weights.params;
      const L = headLayout(5, 4, 3);
      assert.equal(grads.length, L.size);
      // A finite difference across a ReLU's kink means nothing: skip units next to it.
      const nearKink = (k: number): boolean => {
        const h = k < L.w2 ? Math.floor(k / 5) : k >= L.b1 && k < L.b2 ? k - L.b1 : -1;
        if (h < 0) return false;
        let z = p[L.b1 + h]!;
        for (let j = 0; j < 5; j++) z += p[h * 5 + j]! * x[j]!;
        return Math.abs(z) < 0.05;
      };
      for (let k = 0; k < p.length; k++) {
        if (nearKink(k)) continue;
        const saved = p[k]!;
        const h = 1e-2;
        p[k] = saved + h;
        const up = exampleGradient(weights, x, targets, 0, 0.1, ova).loss;
        p[k] = saved - h;
        const down = exampleGradient(weights, x, targets, 0, 0.1, ova).loss;
        p[k] = saved;
        const numeric = (up - down) / (2 * h);
        assert.ok(
          Math.abs(numeric - grads[k]!) < 2e-3 + 1e-2 * Math.abs(numeric),
          `param ${k}: ${numeric} vs ${grads[k]}`,
        );
      }
    });
  }

  it("warms the rate up linearly, then decays it to zero", () => {
    assert.equal(scheduledRate(1, 5, 10, 100), 0.5);
    assert.equal(scheduledRate(1, 10, 10, 100), 1);
    assert.ok(scheduledRate(1, 55, 10, 100) < 0.51 && scheduledRate(1, 55, 10, 100) > 0.49);
    assert.ok(scheduledRate(1, 100, 10, 100) < 0.02);
  });

  it("stops early on the dev set and keeps the best epoch", () => {
    const train = clusters(200, 8, 4, 3, 11);
    const dev = clusters(100, 8, 4, 3, 12);
    const epochs: number[] = [];
    const result = trainHead(
      train,
      dev,
      8,
      4,
      resolveHeadOptions({ hidden: 64, epochs: 200, patience: 2, lr: 0.05 }),
      {
        onEpochEnd: (e) => epochs.push(e.epoch),
      },
    );
    assert.ok(result.stoppedEarly);
    assert.ok(epochs.length < 200);
    assert.equal(result.bestEpoch, epochs.length - 2);
  });

  it("learns from an effective batch made of accumulated gradients", () => {
    const train = clusters(400, 8, 4, 0.5, 13);
    const result = trainHead(
      train,
      undefined,
      8,
      4,
      resolveHeadOptions({ batchSize: 8, accumulate: 4, epochs: 10 }),
    );
    assert.ok(headMetric(result.weights, train, false) > 0.95);
  });
});
