import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { TextkitError } from "../../core/index.ts";
import { resolveVectorsOptions } from "./options.ts";
import { SubwordVectors } from "./subword-vectors.ts";

/** Three words in 2 dimensions, no subwords: each word's vector is its own row. */
const plain = resolveVectorsOptions({ dim: 2, maxn: 0, buckets: 0 });
const plainVectors = (): SubwordVectors =>
  new SubwordVectors({
    options: plain,
    words: ["north", "south", "east"],
    buckets: new Int32Array(0),
    input: Float32Array.from([1, 0, -1, 0, 0.6, 0.8]),
  });

function invalidInput(message: RegExp): (e: unknown) => boolean {
  return (e) => e instanceof TextkitError && e.code === "INPUT_INVALID" && message.test(e.message);
}

describe("SubwordVectors", () => {
  it("looks words up after normalising them as training did", () => {
    const v = plainVectors();
    assert.deepEqual([...v.vector("south")], [-1, 0]);
    assert.deepEqual([...v.vector("SOUTH")], [-1, 0], "lower-cased");
    assert.deepEqual([...v.vector("west")], [0, 0], "unknown, and no subwords to build on");
    assert.equal(v.dim, 2);
  });

  it("ranks neighbours by cosine, leaving the word itself out, with a stable shape", () => {
    const v = plainVectors();
    const near = v.nearest("north", 5);
    assert.deepEqual(
      near.map((n) => n.word),
      ["east", "south"],
    );
    assert.ok(Math.abs(near[0]!.score - 0.6) < 1e-6);
    assert.ok(Math.abs(near[1]!.score + 1) < 1e-6);
    assert.deepEqual(v.nearest("north", 0), []);
    assert.deepEqual(v.nearest("west", 2), [], "a zero vector has no neighbours");
    assert.throws(() => v.nearest("north", -1), invalidInput(/k must be a whole number >= 0/));
    assert.throws(() => v.nearest("north", 1.5), invalidInput(/k must be a whole number >= 0/));
  });

  it("hands out copies of its vocabulary and word vectors, and rebuilds from its own data", () => {
    const v = plainVectors();
    const words = v.words();
    words.push("west");
    assert.deepEqual(v.words(), ["north", "south", "east"]);
    const wv = v.toWordVectors();
    assert.equal(wv.dim, 2);
    assert.deepEqual(wv.words, ["north", "south", "east"]);
    assert.deepEqual([...wv.vectors], [...Float32Array.from([1, 0, -1, 0, 0.6, 0.8])]);
    const again = new SubwordVectors(v.toData());
    assert.deepEqual([...again.vector("east")], [...v.vector("east")]);
  });

  it("averages a word's own row with its n-gram rows", () => {
    // "ab" has the 3-grams "<ab" and "ab>" and the whole "<ab>"; one bucket holds them all.
    const options = resolveVectorsOptions({ dim: 1, minn: 3, maxn: 4, buckets: 1 });
    const v = new SubwordVectors({
      options,
      words: ["ab"],
      buckets: Int32Array.from([0]),
      input: Float32Array.from([4, 1]),
    });
    // own row 4 and three n-grams in bucket 0 (value 1): (4 + 1 + 1 + 1) / 4
    assert.deepEqual([...v.vector("ab")], [1.75]);
    // an unknown word averages its n-grams only
    assert.deepEqual([...v.vector("cd")], [1]);
  });

  it("refuses data whose shapes do not agree, with INPUT_INVALID", () => {
    const options = resolveVectorsOptions({ dim: 2, minn: 3, maxn: 3, buckets: 10 });
    const make = (buckets: number[], values: number) => () =>
      new SubwordVectors({
        options,
        words: ["a"],
        buckets: Int32Array.from(buckets),
        input: new Float32Array(values),
      });
    assert.throws(make([10], 4), invalidInput(/bucket 10 is outside \[0, 10\)/));
    assert.throws(make([-1], 4), invalidInput(/bucket -1 is outside/));
    assert.throws(make([3, 3], 6), invalidInput(/names a bucket twice/));
    assert.throws(make([3], 5), invalidInput(/has 5 values; 1 words and 1 buckets of 2 dimensions need 4/));
    assert.doesNotThrow(make([3], 4));
  });
});
