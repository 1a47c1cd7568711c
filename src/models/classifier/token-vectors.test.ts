import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { topicCorpus } from "../../../test/support/topic-corpus.ts";
import { Random } from "../../core/index.ts";
import type { Dataset } from "../../data/index.ts";
import { TokenIds } from "../../text/index.ts";
import type { TextClassifier } from "./classifier.ts";
import { averageRows, type Weights } from "./engine.ts";
import { END_OF_TEXT, type Featurizer } from "./featurizer.ts";
import { trainClassifier } from "./ngram-training.ts";
import { TokenVectors } from "./token-vectors.ts";

function corpus(): Dataset {
  const texts = [...topicCorpus("en", 40, 5), ...topicCorpus("zh", 40, 6)];
  const examples = texts.map((t, i) => ({ text: t.text, labels: [t.topic], line: i + 1 }));
  return { source: "memory", examples, labels: ["computers", "cooking", "sports"], multiLabel: false };
}

/**
 * The documented order, written plainly: per component from 0, each token's only row or its
 * rows' sum (added in order from 0) as one term, then the word n-gram rows, times 1 / rows.
 */
function reference(featurizer: Featurizer, weights: Weights, tokens: readonly string[]): Float64Array {
  const { dim, input } = weights;
  const total = new Float64Array(dim);
  const hashes: number[] = [];
  let count = 0;
  const add = (target: Float64Array, row: number) => {
    for (let d = 0; d < dim; d++) target[d] = (target[d] as number) + (input[row * dim + d] as number);
  };
  for (const token of [...tokens, END_OF_TEXT]) {
    const own = featurizer.tokenFeatures(token);
    hashes.push(own.hash);
    count += own.rows.length;
    if (own.rows.length === 1) add(total, own.rows[0] as number);
    if (own.rows.length <= 1) continue;
    const sum = new Float64Array(dim);
    for (const row of own.rows) add(sum, row);
    for (let d = 0; d < dim; d++) total[d] = (total[d] as number) + (sum[d] as number);
  }
  const ngrams: number[] = [];
  featurizer.wordNgramRows(hashes, ngrams);
  for (const row of ngrams) add(total, row);
  count += ngrams.length;
  if (count > 0) for (let d = 0; d < dim; d++) total[d] = (total[d] as number) * (1 / count);
  return total;
}

/** Texts with known words, words no model saw, repeats, an empty text and a long one. */
function texts(model: TextClassifier): string[][] {
  const rng = new Random(11);
  const known = topicCorpus("en", 5, 9).map((t) => model.tokenize(t.text));
  const chinese = topicCorpus("zh", 5, 9).map((t) => model.tokenize(t.text));
  const long = Array.from({ length: 5000 }, (_, i) => (known[i % known.length] ?? [])[i % 7] ?? "x");
  const unknown = Array.from({ length: 6 }, () => `zq${Math.floor(rng.uniform(0, 1e6))}`);
  return [...known, ...chinese, [], ["football"], unknown, [...unknown, "goal", "goal", "goal"], long];
}

function sameBits(actual: Float64Array, expected: Float64Array, what: string): void {
  assert.equal(actual.length, expected.length);
  for (let d = 0; d < expected.length; d++) {
    assert.ok(Object.is(actual[d], expected[d]), `${what} component ${d}: ${actual[d]} vs ${expected[d]}`);
  }
}

/**
 * The model's weights with magnitudes from 2^-30 to 2^30: the float64 sums of a few float32
 * of like size are exact, so only such spread makes the grouping of the adds show in the bits.
 */
function spread(weights: Weights): Weights {
  const rng = new Random(5);
  const input = weights.input.map((x) => Math.fround(x * 2 ** Math.round(rng.uniform(-30, 30))));
  return { ...weights, input };
}

/** Every path (WebAssembly and scalar, cold and cached) gives the reference's bits. */
function check(model: TextClassifier, name: string): void {
  checkWeights(model, model.weights, name);
  checkWeights(model, spread(model.weights), `${name} spread`);
}

function checkWeights(model: TextClassifier, weights: Weights, name: string): void {
  const featurizer = model.featurizer;
  const paths = [new TokenVectors(weights), new TokenVectors(weights, false)];
  const ids = new TokenIds();
  const actual = new Float64Array(weights.dim);
  const plain = new Float64Array(weights.dim);
  for (const vectors of paths) {
    for (let pass = 0; pass < 2; pass++) {
      for (const tokens of texts(model)) {
        const expected = reference(featurizer, weights, tokens);
        vectors.hidden(featurizer, tokens, actual);
        assert.equal(
          vectors.usesSimd,
          vectors === paths[0],
          "Node 20 has WebAssembly SIMD; the second path is scalar",
        );
        const what = `${name} simd=${vectors.usesSimd} pass ${pass} "${tokens.slice(0, 6).join(" ")}"`;
        sameBits(actual, expected, what);
        // Interned, the same bits: the text alone and between two others in one call.
        const lists = ids.internAll([["goal", "zzq"], tokens, ["football"]]);
        vectors.hiddenOfIds(featurizer, lists, 1, actual);
        sameBits(actual, expected, `${what} by ids`);
        // And the same mean as adding every row one by one, up to the grouping of the adds.
        const rows: number[] = [];
        featurizer.featuresOfTokens(tokens, rows, true);
        averageRows(weights, rows, 0, rows.length, plain);
        for (let d = 0; d < weights.dim; d++) {
          const scale = Math.max(1, Math.abs(plain[d] as number));
          assert.ok(
            Math.abs((plain[d] as number) - (actual[d] as number)) < 1e-9 * scale,
            `${what} vs averageRows`,
          );
        }
      }
    }
  }
}

const base = { epochs: 2, lr: 0.5, buckets: 20_000, seed: 1 };

describe("TokenVectors", () => {
  it("gives the documented sums bit for bit with subwords and word bigrams at dim 13", async () => {
    check(
      await trainClassifier({ train: corpus() }, { ...base, dim: 13, minn: 2, maxn: 4, wordNgrams: 2 }),
      "sub2",
    );
  });

  it("gives them without subwords, with unigrams and trigrams, at odd and even dims", async () => {
    check(
      await trainClassifier({ train: corpus() }, { ...base, dim: 7, minn: 0, maxn: 0, wordNgrams: 1 }),
      "w1",
    );
    check(
      await trainClassifier({ train: corpus() }, { ...base, dim: 10, minn: 0, maxn: 0, wordNgrams: 3 }),
      "w3",
    );
    check(
      await trainClassifier({ train: corpus() }, { ...base, dim: 17, minn: 1, maxn: 3, wordNgrams: 3 }),
      "s3",
    );
  });

  it("gives them with fastText's hashing", async () => {
    const options = { ...base, dim: 9, minn: 2, maxn: 3, wordNgrams: 2, compat: "fasttext" as const };
    check(await trainClassifier({ train: corpus() }, options), "fasttext");
  });

  it("gives the same bits after its cache was emptied when full", async () => {
    const model = await trainClassifier(
      { train: corpus() },
      { ...base, dim: 11, minn: 2, maxn: 4, wordNgrams: 2 },
    );
    const { featurizer, weights } = model;
    for (const simd of [true, false]) {
      const vectors = new TokenVectors(weights, simd);
      const actual = new Float64Array(weights.dim);
      // 2,600 distinct tokens: the cache (1,000 tokens at least, 50,000 at most) fills up and is emptied.
      const capacity = Math.max(1_000, Math.min(50_000, Math.floor((2 * 1024 * 1024) / weights.dim)));
      const words = Array.from({ length: capacity + 1_600 }, (_, i) => `w${i}x`);
      // Interned by a table that is itself emptied (a smaller capacity) at other times.
      const byIds = new TokenVectors(weights, simd);
      const ids = new TokenIds(700);
      for (let i = 0; i < words.length; i += 13) {
        // A cached token of several rows first: its kept sum is queued when the cache empties.
        const tokens = ["football", ...words.slice(i, i + 13), "football", "goal"];
        const expected = reference(featurizer, weights, tokens);
        vectors.hidden(featurizer, tokens, actual);
        sameBits(actual, expected, `simd=${simd} batch ${i}`);
        byIds.hiddenOfIds(featurizer, ids.internAll([tokens]), 0, actual);
        sameBits(actual, expected, `simd=${simd} batch ${i} by ids`);
      }
      assert.ok(ids.generation > 0, "the token ids were emptied too");
    }
  });

  it("forgets its sums when the weights change in place", async () => {
    const model = await trainClassifier(
      { train: corpus() },
      { ...base, dim: 8, minn: 2, maxn: 3, wordNgrams: 1 },
    );
    const weights: Weights = { ...model.weights, input: Float32Array.from(model.weights.input) };
    for (const simd of [true, false]) {
      const vectors = new TokenVectors(weights, simd);
      const before = new Float64Array(weights.dim);
      vectors.hidden(model.featurizer, ["football"], before);
      weights.input.fill(0.5);
      const stale = new Float64Array(weights.dim);
      vectors.hidden(model.featurizer, ["football"], stale);
      // "football" has several rows: its kept sum is still the old weights' one.
      assert.ok(Math.abs((stale[0] as number) - 0.5) > 1e-6, `${stale[0]}`);
      vectors.clear();
      const fresh = new Float64Array(weights.dim);
      vectors.hidden(model.featurizer, ["football"], fresh);
      for (const value of fresh) assert.ok(Math.abs(value - 0.5) < 1e-6, `${value}`);
      weights.input.set(model.weights.input);
    }
  });
});
