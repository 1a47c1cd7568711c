import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isCodedError, scratchFiles } from "../../test/support/data-files.ts";
import type { TaggedSentence } from "./tagged-example.ts";
import { loadTaggedDataset } from "./tagged-reader.ts";
import { writeConll } from "./write-conll.ts";

const files = scratchFiles("write-conll");

function sentence(tokens: string[], tags: string[], line = 1): TaggedSentence {
  const text = tokens.join(" ");
  const starts: number[] = [];
  const ends: number[] = [];
  let at = 0;
  for (const token of tokens) {
    starts.push(at);
    ends.push(at + token.length);
    at += token.length + 1;
  }
  return { tokens, tags, line, text, starts, ends };
}

const SENTENCES = [
  sentence(
    ["John", "Smith", "met", "Jane", "Bob", "in", "New", "York"],
    ["B-PER", "I-PER", "O", "B-PER", "B-PER", "O", "B-LOC", "I-LOC"],
  ),
  sentence(["Paris"], ["B-LOC"], 10),
];

describe("writeConll", () => {
  it("writes token and tag per line, a blank line between sentences, in BIO", () => {
    assert.equal(
      writeConll(SENTENCES, "bio"),
      "John B-PER\nSmith I-PER\nmet O\nJane B-PER\nBob B-PER\nin O\nNew B-LOC\nYork I-LOC\n\nParis B-LOC\n",
    );
  });

  it("converts the tags to BIOES and IOB1", () => {
    assert.equal(
      writeConll(SENTENCES, "bioes"),
      "John B-PER\nSmith E-PER\nmet O\nJane S-PER\nBob S-PER\nin O\nNew B-LOC\nYork E-LOC\n\nParis S-LOC\n",
    );
    assert.equal(
      writeConll(SENTENCES, "iob1"),
      "John I-PER\nSmith I-PER\nmet O\nJane I-PER\nBob B-PER\nin O\nNew I-LOC\nYork I-LOC\n\nParis I-LOC\n",
    );
  });

  it("writes nothing for no sentences", () => {
    assert.equal(writeConll([], "bio"), "");
  });

  it("reads back as the same sentences in every scheme", async () => {
    for (const scheme of ["iob1", "bio", "bioes"] as const) {
      const path = files.write(".conll", writeConll(SENTENCES, scheme));
      const data = await loadTaggedDataset(path);
      assert.equal(data.scheme, scheme);
      assert.deepEqual(
        data.sentences.map((s) => [s.tokens, s.tags, s.text]),
        SENTENCES.map((s) => [s.tokens, s.tags, s.text]),
      );
    }
  });

  it("DATA_BAD_ROW: a token CoNLL cannot hold, or tags that do not match the tokens", () => {
    assert.throws(
      () => writeConll([sentence(["New York"], ["B-LOC"], 3)], "bio"),
      isCodedError("DATA_BAD_ROW", undefined, 3, /token 1 of the sentence of line 3 is "New York"/),
    );
    assert.throws(
      () => writeConll([sentence([""], ["O"], 2)], "bio"),
      isCodedError("DATA_BAD_ROW", undefined, 2, /cannot be empty/),
    );
    assert.throws(
      () => writeConll([sentence(["a", "b"], ["O"], 5)], "bio"),
      isCodedError("DATA_BAD_ROW", undefined, 5, /has 2 tokens but 1 tags/),
    );
  });
});
