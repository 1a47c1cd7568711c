import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Random } from "../../core/index.ts";
import { averageRows, type Weights } from "./engine.ts";
import { type FeatureOptions, Featurizer } from "./featurizer.ts";
import { TokenVectors } from "./token-vectors.ts";

const WORDS = ["the", "bank", "app", "is", "down", "again", "银行", "系统", "故障", "</s>"];
const TEXTS = [
  ["the", "bank", "app", "is", "down", "again"],
  ["银行", "系统", "又", "出", "故障", "了"],
  ["unknown", "words", "only", "here", "bank"],
  [],
  ["app", "app", "app", "down"],
];

function model(options: FeatureOptions, seed: number): { featurizer: Featurizer; weights: Weights } {
  const rng = new Random(seed);
  // Every other bucket has a row, so unseen n-grams (no row) are exercised too.
  const buckets: number[] = [];
  for (let b = 0; b < options.buckets; b += 2) buckets.push(b);
  const featurizer = new Featurizer(options, WORDS, buckets, true);
  const dim = 12;
  const input = new Float32Array(featurizer.rows * dim);
  for (let i = 0; i < input.length; i++) input[i] = rng.uniform(-1, 1);
  return { featurizer, weights: { dim, labels: 2, input, output: new Float32Array(2 * dim) } };
}

/** With `exact`, every component must be the same float64 (each token has at most one row). */
function check(options: FeatureOptions, exact = false): void {
  const { featurizer, weights } = model(options, 7);
  const vectors = new TokenVectors(weights);
  const expected = new Float64Array(weights.dim);
  const actual = new Float64Array(weights.dim);
  // Twice: the second pass reads every token from the cache.
  for (let pass = 0; pass < 2; pass++) {
    for (const tokens of TEXTS) {
      const rows: number[] = [];
      featurizer.featuresOfTokens(tokens, rows, true);
      averageRows(weights, rows, 0, rows.length, expected);
      vectors.hidden(featurizer, tokens, actual);
      if (exact) assert.deepEqual(actual, expected, tokens.join(" "));
      for (let d = 0; d < weights.dim; d++) {
        assert.ok(
          Math.abs((expected[d] as number) - (actual[d] as number)) < 1e-12,
          `${tokens.join(" ")} dim ${d}: ${expected[d]} vs ${actual[d]}`,
        );
      }
    }
  }
}

const base = { buckets: 64, lowercase: true, normalization: "NFKC" } as const;

describe("TokenVectors", () => {
  it("gives the mean of the rows featuresOfTokens gives, with character and word n-grams", () => {
    check({ ...base, wordNgrams: 2, minn: 2, maxn: 4, compat: "textkit" });
  });

  it("gives exactly the same without character n-grams and with trigrams", () => {
    check({ ...base, wordNgrams: 3, minn: 0, maxn: 0, compat: "textkit" }, true);
    check({ ...base, wordNgrams: 2, minn: 0, maxn: 0, compat: "fasttext" }, true);
  });

  it("gives the same with fastText's hashing", () => {
    check({ ...base, wordNgrams: 2, minn: 1, maxn: 3, compat: "fasttext" });
  });

  it("forgets its sums when the weights change in place", () => {
    const { featurizer, weights } = model({ ...base, wordNgrams: 1, minn: 2, maxn: 3, compat: "textkit" }, 3);
    const vectors = new TokenVectors(weights);
    const before = new Float64Array(weights.dim);
    vectors.hidden(featurizer, ["bank"], before);
    weights.input.fill(0.5);
    const stale = new Float64Array(weights.dim);
    vectors.hidden(featurizer, ["bank"], stale);
    // "bank" has several rows, so its sum is kept (END_OF_TEXT's one row is read from the weights).
    assert.ok(Math.abs((stale[0] as number) - 0.5) > 1e-6, `${stale[0]}`);
    assert.notDeepEqual(stale, before);
    vectors.clear();
    const fresh = new Float64Array(weights.dim);
    vectors.hidden(featurizer, ["bank"], fresh);
    assert.ok(Math.abs((fresh[0] as number) - 0.5) < 1e-6, `${fresh[0]}`);
  });
});
