import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { Random } from "../../core/index.ts";
import { TopK } from "./top-k.ts";

describe("TopK", () => {
  test("keeps the k best of many, best first, ties to the lower document, as a full sort would", () => {
    const rng = new Random(7);
    for (const k of [1, 3, 10, 100]) {
      const scores = Array.from({ length: 500 }, () => Math.floor(rng.next() * 50) / 10);
      const top = new TopK(k);
      for (let d = 0; d < scores.length; d++) top.offer(d, scores[d]!);
      const expected = scores
        .map((score, doc) => ({ doc, score }))
        .sort((a, b) => b.score - a.score || a.doc - b.doc)
        .slice(0, k);
      assert.deepEqual(top.drain(), expected);
    }
  });

  test("reset changes how many it keeps; k = 0 keeps none", () => {
    const top = new TopK(2);
    top.reset(4);
    for (let d = 0; d < 6; d++) top.offer(d, d);
    assert.deepEqual(
      top.drain().map((h) => h.doc),
      [5, 4, 3, 2],
    );
    top.reset(0);
    top.offer(1, 1);
    assert.deepEqual(top.drain(), []);
  });
});
