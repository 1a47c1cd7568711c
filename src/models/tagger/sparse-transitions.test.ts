import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { findTagViolation, Random } from "../../core/index.ts";
import { forwardLogZ, LatticeScratch, pathScore, scaledLogZ, scaledTransitions } from "./lattice.ts";
import { buildTagSet } from "./tag-set.ts";
import { transitionBounds, ViterbiScratch, viterbi } from "./viterbi.ts";

function denseViterbiScore(
  set: ReturnType<typeof buildTagSet>,
  n: number,
  emit: Float64Array,
  trans: Float32Array,
  start: Float32Array,
  end: Float32Array,
): number {
  const T = set.tags.length;
  let prev = Array.from({ length: T }, (_, t) => (set.canStart[t] === 1 ? start[t]! + emit[t]! : -Infinity));
  for (let i = 1; i < n; i++) {
    const cur = new Array<number>(T).fill(-Infinity);
    for (let c = 0; c < T; c++) {
      for (let p = 0; p < T; p++) {
        if (set.allowed[p * T + c] === 1) cur[c] = Math.max(cur[c]!, prev[p]! + trans[p * T + c]!);
      }
      cur[c]! += emit[i * T + c]!;
    }
    prev = cur;
  }
  let best = -Infinity;
  for (let t = 0; t < T; t++) if (set.canEnd[t] === 1) best = Math.max(best, prev[t]! + end[t]!);
  return best;
}

describe("sparse transitions", () => {
  it("lists exactly the allowed pairs, far fewer than tags² with many types", () => {
    const types = Array.from({ length: 120 }, (_, k) => `T${k}`);
    for (const scheme of ["bio", "bioes"] as const) {
      const set = buildTagSet(types, scheme);
      const T = set.tags.length;
      let allowed = 0;
      for (let cur = 0; cur < T; cur++) {
        const listed = new Set(set.prevTag.subarray(set.prevStart[cur]!, set.prevStart[cur + 1]!));
        for (let prev = 0; prev < T; prev++) {
          assert.equal(listed.has(prev), set.allowed[prev * T + cur] === 1);
          if (listed.has(prev)) allowed++;
        }
      }
      assert.equal(set.pairs, allowed);
      assert.equal(set.nextTag.length, allowed);
      // BIO: B- and O may follow anything, so about half; BIOES: about a quarter.
      assert.ok(set.pairs < (scheme === "bio" ? 0.51 : 0.26) * T * T, `${scheme}: ${set.pairs} of ${T * T}`);
    }
  });

  it("prunes the wide predecessor block exactly: the best path scores what a dense search finds", () => {
    const rng = new Random(5);
    const types = Array.from({ length: 14 }, (_, k) => `T${k}`);
    for (const scheme of ["bio", "bioes"] as const) {
      const set = buildTagSet(types, scheme);
      const T = set.tags.length;
      assert.ok(set.widePrev.length > 24);
      const scratch = new ViterbiScratch();
      for (let trial = 0; trial < 40; trial++) {
        const n = 1 + rng.int(10);
        const spread = trial % 2 === 0 ? 1 : 8;
        const emit = Float64Array.from({ length: n * T }, () => rng.uniform(-4, 4));
        const trans = Float32Array.from({ length: T * T }, () => rng.uniform(-spread, spread));
        const start = Float32Array.from({ length: T }, () => rng.uniform(-2, 2));
        const end = Float32Array.from({ length: T }, () => rng.uniform(-2, 2));
        const path = new Int32Array(n);
        // A loose bound (as training keeps between epochs) must give the same answer.
        const loose = transitionBounds(set, trans).map((b) => b + (trial % 3));
        viterbi(set, n, emit, { trans, start, end }, path, scratch, loose);
        const tags = Array.from(path, (t) => set.tags[t]!);
        assert.equal(findTagViolation(tags, scheme), null);
        const got = pathScore(T, n, emit, { trans, start, end }, path);
        const want = denseViterbiScore(set, n, emit, trans, start, end);
        assert.ok(Math.abs(got - want) < 1e-6, `${scheme} trial ${trial}: ${got} vs ${want}`);
      }
    }
  });

  it("computes log Z in probability space as in log space, even with extreme scales", () => {
    const rng = new Random(11);
    const set = buildTagSet(["A", "B", "C", "D"], "bioes");
    const T = set.tags.length;
    const lattice = new LatticeScratch();
    for (let trial = 0; trial < 60; trial++) {
      const n = 1 + rng.int(15);
      const spread = trial % 3 === 0 ? 400 : 6;
      const emit = Float64Array.from({ length: n * T }, () => rng.uniform(-spread, spread));
      const trans = Float32Array.from({ length: T * T }, () => rng.uniform(-spread, spread));
      const start = Float32Array.from({ length: T }, () => rng.uniform(-3, 3));
      const end = Float32Array.from({ length: T }, () => rng.uniform(-3, 3));
      const scale = [1e-4, 0.3, 1, 10][trial % 4]!;
      const expected = forwardLogZ(set, n, emit, { trans, start, end }, scale, lattice);
      const max = scaledTransitions(set, trans, scale, lattice);
      const got = scaledLogZ(set, n, emit, { trans, start, end }, scale, max, lattice);
      assert.ok(Math.abs(got - expected) <= 1e-9 * Math.max(1, Math.abs(expected)), `${got} vs ${expected}`);
    }
  });
});
