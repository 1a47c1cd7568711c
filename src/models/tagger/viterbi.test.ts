import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { findTagViolation, Random } from "../../core/index.ts";
import { buildTagSet } from "./tag-set.ts";
import { ViterbiScratch, viterbi } from "./viterbi.ts";

describe("decode", () => {
  it("allows only transitions that keep entities well formed", () => {
    const set = buildTagSet(["PER"], "bioes");
    assert.deepEqual(set.tags, ["O", "B-PER", "I-PER", "E-PER", "S-PER"]);
    const T = set.tags.length;
    const ok = (a: string, b: string) => set.allowed[set.tags.indexOf(a) * T + set.tags.indexOf(b)] === 1;
    assert.equal(ok("O", "I-PER"), false);
    assert.equal(ok("B-PER", "O"), false);
    assert.equal(ok("B-PER", "E-PER"), true);
    assert.equal(ok("E-PER", "B-PER"), true);
    assert.equal(set.canStart[set.tags.indexOf("I-PER")], 0);
    assert.equal(set.canEnd[set.tags.indexOf("B-PER")], 0);
  });

  it("never returns an invalid sequence, whatever the scores", () => {
    const rng = new Random(7);
    for (const scheme of ["bio", "bioes"] as const) {
      const set = buildTagSet(["LOC", "PER", "ORG"], scheme);
      const T = set.tags.length;
      const scratch = new ViterbiScratch();
      for (let trial = 0; trial < 200; trial++) {
        const n = 1 + rng.int(12);
        const emit = Float64Array.from({ length: n * T }, () => rng.uniform(-5, 5));
        const trans = Float32Array.from({ length: T * T }, () => rng.uniform(-5, 5));
        const start = Float32Array.from({ length: T }, () => rng.uniform(-5, 5));
        const end = Float32Array.from({ length: T }, () => rng.uniform(-5, 5));
        const path = new Int32Array(n);
        viterbi(set, n, emit, { trans, start, end }, path, scratch);
        const tags = Array.from(path, (t) => set.tags[t]!);
        assert.equal(findTagViolation(tags, scheme), null, `${scheme}: ${tags.join(" ")}`);
      }
    }
  });

  it("finds the path with the highest score (brute force on short inputs)", () => {
    const rng = new Random(3);
    const set = buildTagSet(["X"], "bio");
    const T = set.tags.length;
    for (let trial = 0; trial < 50; trial++) {
      const n = 1 + rng.int(4);
      const emit = Float64Array.from({ length: n * T }, () => rng.uniform(-3, 3));
      const trans = Float32Array.from({ length: T * T }, () => rng.uniform(-3, 3));
      const start = Float32Array.from({ length: T }, () => rng.uniform(-3, 3));
      const end = Float32Array.from({ length: T }, () => rng.uniform(-3, 3));
      const path = new Int32Array(n);
      viterbi(set, n, emit, { trans, start, end }, path, new ViterbiScratch());
      let best = Number.NEGATIVE_INFINITY;
      const total = T ** n;
      for (let code = 0; code < total; code++) {
        const p: number[] = [];
        for (let i = 0, c = code; i < n; i++, c = Math.floor(c / T)) p.push(c % T);
        if (
          findTagViolation(
            p.map((t) => set.tags[t]!),
            "bio",
          ) !== null
        )
          continue;
        let s = start[p[0]!]! + end[p[n - 1]!]!;
        for (let i = 0; i < n; i++) s += emit[i * T + p[i]!]! + (i > 0 ? trans[p[i - 1]! * T + p[i]!]! : 0);
        best = Math.max(best, s);
      }
      let got = start[path[0]!]! + end[path[n - 1]!]!;
      for (let i = 0; i < n; i++)
        got += emit[i * T + path[i]!]! + (i > 0 ? trans[path[i - 1]! * T + path[i]!]! : 0);
      assert.ok(Math.abs(got - best) < 1e-9, `viterbi ${got} vs best ${best}`);
    }
  });
});
