import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Random } from "../../core/index.ts";
import { buildHsTree, hsScores, hsTopK } from "./hs-tree.ts";

/** Indices of the k largest values, best first. */
function best(scores: Float64Array, k: number): number[] {
  return [...scores.keys()].sort((a, b) => (scores[b] ?? 0) - (scores[a] ?? 0)).slice(0, k);
}

describe("hierarchical softmax's pruned top-k search", () => {
  it("finds the same k best labels with the same scores as scoring every label", () => {
    const rng = new Random(7);
    for (const n of [2, 3, 17, 176]) {
      const dim = 8;
      const tree = buildHsTree(
        Array.from({ length: n }, () => 1 + Math.floor(rng.next() * 1000)).sort((a, b) => b - a),
      );
      const output = Float32Array.from({ length: n * dim }, () => rng.next() * 4 - 2);
      for (let trial = 0; trial < 20; trial++) {
        const hidden = Float64Array.from({ length: dim }, () => rng.next() * 2 - 1);
        const all = new Float64Array(n);
        hsScores(tree, output, dim, hidden, all);
        for (const k of [1, 2, 5]) {
          if (k >= n) continue;
          const pruned = new Float64Array(n);
          hsTopK(tree, output, dim, hidden, k, pruned);
          const want = best(all, k);
          assert.deepEqual(best(pruned, k), want, `n ${n}, k ${k}`);
          for (const label of want) assert.ok(Math.abs((pruned[label] ?? 0) - (all[label] ?? 0)) < 1e-12);
          assert.equal(pruned.filter((s) => s > 0).length, k);
        }
      }
    }
  });
});
