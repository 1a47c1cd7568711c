import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { TextkitError } from "../../core/index.ts";
import { Bm25Index } from "./bm25.ts";

/**
 * Three documents, k1 = 1.2, b = 0.75:
 *   d0 = lost card (2 terms), d1 = card declined card (3), d2 = reset pin (2); avgdl = 7/3.
 * idf(card) = ln(1 + (3 - 2 + 0.5) / (2 + 0.5)) = ln 1.6 = 0.4700036
 * idf(lost) = ln(1 + (3 - 1 + 0.5) / (1 + 0.5)) = ln 2.6667 = 0.9808293
 * d0: K = 1.2 · (0.25 + 0.75 · 2 / (7/3)) = 1.0714286; weight(tf 1) = 2.2 / 2.0714286 = 1.0620690
 *     score("lost card") = (0.4700036 + 0.9808293) · 1.0620690 = 1.5408845
 * d1: K = 1.2 · (0.25 + 0.75 · 3 / (7/3)) = 1.4571429; weight(tf 2) = 4.4 / 3.4571429 = 1.2727273
 *     score("lost card") = 0.4700036 · 1.2727273 = 0.5981864
 * d2 shares no term: no score.
 * The query as a document is d0 itself (same terms, same length): self score 1.5408845.
 */
const corpus = [
  ["lost", "card"],
  ["card", "declined", "card"],
  ["reset", "pin"],
];

describe("Bm25Index", () => {
  test("scores a hand-computed example", () => {
    const index = Bm25Index.build(corpus);
    assert.equal(index.documents, 3);
    assert.ok(Math.abs(index.averageLength - 7 / 3) < 1e-12);
    const hits = index.search(["lost", "card"], 5);
    assert.deepEqual(
      hits.map((h) => h.doc),
      [0, 1],
    );
    assert.ok(Math.abs(hits[0]!.score - 1.5408845) < 1e-6, String(hits[0]!.score));
    assert.ok(Math.abs(hits[1]!.score - 0.5981864) < 1e-6, String(hits[1]!.score));
    assert.ok(Math.abs(index.selfScore(["lost", "card"]) - 1.5408845) < 1e-6);
    // A repeated query term counts once; the order of terms does not matter.
    assert.deepEqual(index.search(["card", "lost", "card"], 5), hits);
  });

  test("k1 and b change the scores as the formula says", () => {
    // b = 0: no length normalisation, weight(tf) = tf (k1 + 1) / (tf + k1).
    const index = Bm25Index.build(corpus, { k1: 2, b: 0 });
    const [d1] = index.search(["declined"], 1);
    const idf = Math.log(1 + 2.5 / 1.5);
    assert.ok(Math.abs(d1!.score - idf * (3 / 3)) < 1e-6);
    const [card] = index.search(["card"], 1);
    assert.equal(card!.doc, 1); // tf 2 beats tf 1 when length does not count
    assert.ok(Math.abs(card!.score - Math.log(1.6) * ((2 * 3) / (2 + 2))) < 1e-6);
  });

  test("the self score bounds the score of a duplicate, and counts unknown terms against the query", () => {
    const index = Bm25Index.build(corpus);
    const [d2] = index.search(["reset", "pin"], 1);
    assert.equal(d2!.score, index.selfScore(["reset", "pin"]));
    const withUnknown = index.selfScore(["reset", "pin", "zebra"]);
    assert.ok(withUnknown > index.selfScore(["reset", "pin"]));
    assert.equal(index.selfScore([]), 0);
  });

  test("top-k selection with a filter, and terms kept in code point order", () => {
    const index = Bm25Index.build(corpus);
    assert.deepEqual(
      index.search(["card"], 5, (doc) => doc !== 1).map((h) => h.doc),
      [0],
    );
    assert.deepEqual(index.search(["card"], 0), []);
    assert.deepEqual(index.search(["nothing"], 5), []);
    assert.deepEqual(index.terms, ["card", "declined", "lost", "pin", "reset"]);
    assert.equal(index.termId("pin"), 3);
    assert.equal(index.termId("zebra"), -1);
  });

  test("the accumulator is clean after each query", () => {
    const index = Bm25Index.build(corpus);
    const first = index.search(["card"], 5);
    index.withScores(["lost"], (s) => assert.equal(s.scoreOf(1), 0));
    assert.deepEqual(index.search(["card"], 5), first);
  });

  test("refuses stored parts that do not fit together", () => {
    const { parts } = Bm25Index.build(corpus);
    const bad = { ...parts, docs: Int32Array.from(parts.docs, (d) => (d === 2 ? 9 : d)) };
    assert.throws(
      () => Bm25Index.fromParts(bad, { k1: 1.2, b: 0.75 }, "models/x"),
      (e: unknown) =>
        e instanceof TextkitError && e.code === "ARTIFACT_CORRUPT" && /models\/x/.test(e.message),
    );
    assert.throws(() => Bm25Index.build(corpus, { b: 2 }), /b must be between 0 and 1/);
  });
});
