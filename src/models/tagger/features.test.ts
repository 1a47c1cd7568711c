import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FeatureTable } from "./feature-table.ts";
import { shortShape, TaggerFeatures, wordBoundaryTags, wordShape } from "./features.ts";
import { Gazetteer } from "./gazetteer.ts";

describe("features", () => {
  it("lets #Paris, @Paris and Paaaris share the word's features, and marks casing of the sentence", () => {
    const f = new TaggerFeatures("en", { gazetteer: null, clusters: null });
    const of = (tokens: string[], i = 0) => {
      const hashes: number[] = [];
      const offsets: number[] = [];
      f.sentence(tokens, hashes, offsets);
      return new Set(hashes.slice(offsets[i], offsets[i + 1]));
    };
    const shared = (a: Set<number>, b: Set<number>) => [...a].filter((h) => b.has(h)).length;
    const plain = of(["Paris"]);
    assert.ok(shared(plain, of(["#Paris"])) >= 2);
    assert.ok(shared(plain, of(["@Paris"])) >= 2);
    assert.ok(shared(of(["paaaris"]), of(["paaris"])) >= 1);
    assert.ok(shared(of(["#Paris"]), of(["@Paris"])) < of(["#Paris"]).size);
    // The same word in an all-lower-case sentence gets another casing feature.
    assert.notDeepEqual(of(["paris", "is", "nice"]), of(["paris", "is", "Nice"]));
  });

  it("computes word shapes", () => {
    assert.equal(wordShape("McDonald's"), "XxXxxxx'x");
    assert.equal(wordShape("1996-08-22"), "dddd-dd-dd");
    assert.equal(shortShape("Washington"), "Xx");
    assert.equal(shortShape("U.S."), "X.X.");
  });

  it("marks where each character sits in the words Intl.Segmenter finds", () => {
    const { tags, words } = wordBoundaryTags(["北", "京", "欢", "迎", "你"]);
    assert.equal(tags.length, 5);
    assert.equal(words[0], words[1]);
    assert.equal(tags[0], "B");
    assert.equal(tags[1], "E");
    for (const t of tags) assert.ok(["B", "M", "E", "S"].includes(t));
  });

  it("matches the longest gazetteer entry, ignoring case", () => {
    const gaz = new Gazetteer(
      [
        { type: "ORG", phrase: "Bank of China" },
        { type: "LOC", phrase: "China" },
      ],
      "en",
    );
    assert.deepEqual(gaz.match(["the", "bank", "of", "China", "in", "china"]), [
      "",
      "ORG:B",
      "ORG:I",
      "ORG:E",
      "",
      "LOC:S",
    ]);
    const back = Gazetteer.fromTsv(gaz.toTsv(), "en");
    assert.equal(back.size, 2);
  });

  it("looks features up by hash, and says -1 for unseen ones", () => {
    const keys = Uint32Array.from(
      { length: 5000 },
      (_, i) => (Math.imul(i + 1, 2654435761) >>> 0) ^ 0x5bd1e995,
    );
    const table = new FeatureTable(keys);
    for (let i = 0; i < keys.length; i += 97) assert.equal(table.row(keys[i]!), i);
    assert.equal(table.row(123), -1);
  });
});
