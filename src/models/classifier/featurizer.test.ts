import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { combineHash, fnv1a } from "../../text/index.ts";
import { END_OF_TEXT, Featurizer } from "./featurizer.ts";

const WORDS = ["the", "movie", "is", "good", END_OF_TEXT];
const BUCKETS = 1 << 21;
const TEXT = ["the", "movie", "is", "not", "good", "at", "all", "the", "movie"];

/** The word-bigram buckets of TEXT followed by END_OF_TEXT, as the featurizer hashes them. */
function bigramBuckets(): number[] {
  const hashes = [...TEXT, END_OF_TEXT].map(fnv1a);
  const out: number[] = [];
  for (let i = 0; i + 1 < hashes.length; i++) {
    out.push(combineHash(hashes[i] as number, hashes[i + 1] as number) % BUCKETS);
  }
  return out;
}

describe("Featurizer, frozen", () => {
  it("finds each bucket's row, whatever collides in its table, and skips buckets without one", () => {
    const all = bigramBuckets();
    // Every other bigram has a row; the decoys share the low bits of a real bucket, so the
    // frozen table must probe past them.
    const kept = all.filter((_, i) => i % 2 === 0);
    const decoys = kept.flatMap((b) => [1, 2, 3].map((k) => (b + k * 4096) % BUCKETS));
    const buckets = [...decoys, ...kept];
    const rowOf = new Map<number, number>();
    for (const [i, b] of buckets.entries()) if (!rowOf.has(b)) rowOf.set(b, WORDS.length + i);
    const options = {
      wordNgrams: 2,
      minn: 0,
      maxn: 0,
      buckets: BUCKETS,
      lowercase: true,
      normalization: "NFKC",
      compat: "textkit",
    } as const;
    const expected: number[] = [];
    for (const token of [...TEXT, END_OF_TEXT]) {
      const id = WORDS.indexOf(token);
      if (id >= 0) expected.push(id);
    }
    for (const b of all) {
      const row = rowOf.get(b);
      if (row !== undefined) expected.push(row);
    }
    const frozen = new Featurizer(options, WORDS, buckets, true);
    const rows: number[] = [];
    frozen.featuresOfTokens(TEXT, rows, true);
    assert.deepEqual(rows, expected);
    assert.ok(expected.length < WORDS.length + all.length, "some bigrams have no row");

    // Frozen later (as training does), it answers the same.
    const trained = new Featurizer(options, WORDS, buckets, false);
    trained.freeze();
    const again: number[] = [];
    trained.featuresOfTokens(TEXT, again, true);
    assert.deepEqual(again, expected);
  });
});
