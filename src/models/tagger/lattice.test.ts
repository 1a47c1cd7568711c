import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { findTagViolation, Random } from "../../core/index.ts";
import { forwardBackward, LatticeScratch, pathScore, segmentProbability } from "./lattice.ts";
import { buildTagSet } from "./tag-set.ts";
import { ViterbiScratch, viterbi } from "./viterbi.ts";

describe("forward-backward", () => {
  it("gives each segment the probability that brute force over all valid paths gives", () => {
    const rng = new Random(5);
    const set = buildTagSet(["X", "Y"], "bioes");
    const T = set.tags.length;
    for (let trial = 0; trial < 20; trial++) {
      const n = 1 + rng.int(4);
      const emit = Float64Array.from({ length: n * T }, () => rng.uniform(-2, 2));
      const trans = Float32Array.from({ length: T * T }, () => rng.uniform(-2, 2));
      const start = Float32Array.from({ length: T }, () => rng.uniform(-2, 2));
      const end = Float32Array.from({ length: T }, () => rng.uniform(-2, 2));
      const scale = rng.uniform(0.2, 2);
      const lattice = new LatticeScratch();
      const logZ = forwardBackward(set, n, emit, { trans, start, end }, scale, lattice);
      const path = new Int32Array(n);
      viterbi(set, n, emit, { trans, start, end }, path, new ViterbiScratch());
      // Brute force: Z and the mass of paths that agree with the Viterbi path on [0, 1).
      let z = 0;
      let agree = 0;
      for (let code = 0; code < T ** n; code++) {
        const p: number[] = [];
        for (let i = 0, c = code; i < n; i++, c = Math.floor(c / T)) p.push(c % T);
        if (
          findTagViolation(
            p.map((t) => set.tags[t]!),
            "bioes",
          ) !== null
        )
          continue;
        const w = Math.exp(scale * pathScore(T, n, emit, { trans, start, end }, p));
        z += w;
        if (p[0] === path[0]) agree += w;
      }
      assert.ok(Math.abs(logZ - Math.log(z)) < 1e-9, `logZ ${logZ} vs ${Math.log(z)}`);
      const got = segmentProbability(set, emit, trans, scale, lattice, logZ, path, 0, 1);
      assert.ok(Math.abs(got - agree / z) < 1e-9, `P ${got} vs ${agree / z}`);
    }
  });
});

/** The best path score by a plain dense search over the allowed matrix. */
