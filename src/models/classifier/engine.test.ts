import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { topicTexts } from "../../../test/support/topic-corpus.ts";
import { Random } from "../../core/index.ts";
import type { Dataset } from "../../data/index.ts";
import { OutputStep } from "../numeric/index.ts";
import { newScratch, sgdStep, sgdStepSimd, type Weights } from "./engine.ts";
import { trainClassifier } from "./ngram-training.ts";

/** Every item of `actual` within 1e-5 of `expected`'s, relative to the largest magnitude in `expected`. */
function allClose(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  let scale = 0;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i] ?? 0));
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i] ?? Number.NaN;
    const e = expected[i] ?? Number.NaN;
    assert.ok(Math.abs(a - e) <= 1e-5 * scale, `${what}[${i}]: ${a} vs ${e} (scale ${scale})`);
  }
}

function randomWeights(random: Random, rows: number, labels: number, dim: number): Weights {
  const uniform = (size: number) => () => (random.next() * 2 - 1) * size;
  return {
    dim,
    labels,
    input: Float32Array.from({ length: rows * dim }, uniform(0.5)),
    output: Float32Array.from({ length: labels * dim }, uniform(0.5)),
  };
}

describe("sgdStepSimd", () => {
  for (const ova of [false, true]) {
    it(`moves the weights as sgdStep does, to 1e-5 relative (float32), loss ${ova ? "ova" : "softmax"}`, () => {
      const random = new Random(ova ? 5 : 6);
      for (const [labels, dim] of [
        [2, 10],
        [37, 23],
        [150, 100],
      ] as const) {
        const reference = randomWeights(random, 40, labels, dim);
        for (let trial = 0; trial < 10; trial++) {
          // Even trials: the kernel holds the input rows too; odd: the caller keeps them.
          const step = OutputStep.of(labels, dim, trial % 2 === 0 ? { rows: 40, maxIds: 8 } : undefined);
          assert.ok(step !== null, "Node 20 has WebAssembly SIMD");
          assert.equal(step.inputRows, trial % 2 === 0 ? 40 : 0);
          const feats = Int32Array.from({ length: 2 + (trial % 7) }, () => Math.floor(random.next() * 40));
          const scalar = { ...reference, input: reference.input.slice(), output: reference.output.slice() };
          const simd = { ...reference, input: reference.input.slice(), output: reference.output.slice() };
          const [a, b] = [newScratch(dim, labels), newScratch(dim, labels)];
          for (const s of [a, b]) {
            s.target[trial % labels] = ova ? 1 : 0.5;
            s.target[(trial * 7 + 1) % labels] = ova ? 1 : 0.5;
            if (!ova && trial % labels === (trial * 7 + 1) % labels) s.target[trial % labels] = 1;
          }
          const lossScalar = sgdStep(scalar, a, feats, 0, feats.length, 0.4, ova);
          step.load(simd.output);
          if (step.inputRows > 0) step.loadInput(simd.input);
          const lossSimd = sgdStepSimd(simd, b, step, feats, 0, feats.length, 0.4, ova);
          step.store(simd.output);
          if (step.inputRows > 0) step.storeInput(simd.input);
          assert.ok(
            Math.abs(lossSimd - lossScalar) <= 1e-5 * Math.abs(lossScalar),
            `loss ${lossSimd} vs ${lossScalar}`,
          );
          assert.ok(
            simd.input.some((x, i) => x !== reference.input[i]),
            "the step moved the input rows",
          );
          allClose(b.scores, a.scores, `probabilities (${labels} × ${dim})`);
          allClose(simd.output, scalar.output, `output matrix (${labels} × ${dim})`);
          allClose(simd.input, scalar.input, `input rows (${labels} × ${dim})`);
          assert.ok(
            simd.output.some((x, i) => x !== reference.output[i]),
            "the step moved the output matrix",
          );
        }
      }
    });
  }
});

function topics(n: number, seed: number): Dataset {
  const examples = topicTexts(n, seed).map((t, i) => ({ text: t.text, labels: [t.label], line: i + 1 }));
  const labels = [...new Set(examples.flatMap((e) => e.labels))].sort();
  return { source: "memory", examples, labels, multiLabel: false };
}

describe("trainClassifier's two output-layer steps", () => {
  it("train models that predict the same labels, with probabilities within 1e-3", async () => {
    const train = topics(150, 4);
    const held = topics(60, 5).examples.map((e) => e.text);
    for (const loss of ["softmax", "ova"] as const) {
      const options = { dim: 16, epochs: 8, lr: 0.5, wordNgrams: 2, buckets: 10_000, loss };
      const simd = await trainClassifier({ train }, options, {}, "simd");
      const scalar = await trainClassifier({ train }, options, {}, "scalar");
      const k = train.labels.length;
      const [p, q] = [simd.predict(held, { k }), scalar.predict(held, { k })];
      for (const [i, expected] of q.entries()) {
        const actual = p[i];
        assert.ok(actual !== undefined);
        assert.deepEqual(actual.labels, expected.labels, `${loss}: text ${i}'s labels`);
        for (const [j, score] of expected.scores.entries()) {
          assert.ok(
            Math.abs((actual.scores[j] ?? Number.NaN) - score) <= 1e-3,
            `${loss}: text ${i} score ${j}`,
          );
        }
      }
    }
  });
});
