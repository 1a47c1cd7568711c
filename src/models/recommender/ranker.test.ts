import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Random } from "../../core/index.ts";
import { FEATURE_COUNT, fitRanker, RankerData, rankerOf } from "./ranker.ts";

/**
 * Users with `count` candidates each; the factor score is noise, and feature `useful`
 * (when given) is higher on the relevant candidates.
 */
function synthetic(useful: number | null, users = 200, count = 40, seed = 3): RankerData {
  const rng = new Random(seed);
  const data = new RankerData();
  for (let u = 0; u < users; u++) {
    const items = Int32Array.from({ length: count }, (_, t) => t);
    const features = new Float64Array(count * FEATURE_COUNT);
    const relevant = new Set<number>([rng.int(count), rng.int(count)]);
    for (let t = 0; t < count; t++) {
      for (let k = 0; k < FEATURE_COUNT; k++) features[t * FEATURE_COUNT + k] = rng.next();
      if (useful !== null && relevant.has(t)) features[t * FEATURE_COUNT + useful] = 2 + rng.next();
    }
    // One relevant item the candidates missed: it counts in the ideal DCG only.
    relevant.add(1000 + u);
    data.addUser(count, items, features, relevant);
  }
  return data;
}

describe("the hybrid's listwise ranker", () => {
  it("learns to weigh the feature that finds the held-out items, and says it beat the factor model", () => {
    const fit = fitRanker(synthetic(1));
    assert.equal(fit.factorsOnly, false);
    assert.ok(fit.ranker.learned);
    const [factors, knn] = fit.ranker.weights;
    assert.equal(factors, 1);
    assert.ok((knn ?? 0) > 0.5, `knn weight ${knn}`);
    assert.ok(fit.ndcg > fit.factorsNdcg + 0.3, `${fit.ndcg} vs ${fit.factorsNdcg}`);
    // Every user missed one item, so even a perfect order stays below 1.
    assert.ok(fit.ndcg < 1);
  });

  it("scores weights fitted to noise on users they were not fitted to: no clear gain", () => {
    const fit = fitRanker(synthetic(null, 400));
    // In-sample the ascent always finds something in noise; out of sample it must not.
    assert.ok(fit.ndcg >= fit.factorsNdcg);
    assert.ok(
      Math.abs(fit.crossValidatedGain) < 3 * fit.crossValidatedError,
      `${fit.crossValidatedGain} ± ${fit.crossValidatedError}`,
    );
    const useful = fitRanker(synthetic(1, 400));
    assert.ok(useful.crossValidatedGain > 3 * useful.crossValidatedError);
  });

  it("is deterministic and treats an unknown feature value as the mean", () => {
    const data = synthetic(2, 100);
    data.features[5] = Number.NaN;
    const a = fitRanker(data);
    const b = fitRanker(data);
    assert.deepEqual(a, b);
    assert.ok(a.ranker.means.every(Number.isFinite) && a.ranker.stds.every(Number.isFinite));
  });

  it("falls back to the default ranker without held-out users, and refuses a damaged one", () => {
    const fit = fitRanker(new RankerData());
    assert.equal(fit.ranker.learned, false);
    assert.deepEqual(rankerOf(JSON.parse(JSON.stringify(fit.ranker)), "m"), fit.ranker);
    assert.throws(
      () => rankerOf({ ...fit.ranker, weights: [1, 2] }, "models/x"),
      (e: Error & { code?: string }) => e.code === "ARTIFACT_CORRUPT" && e.message.includes("models/x"),
    );
  });
});
