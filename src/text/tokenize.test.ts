import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { Tokenizer } from "./tokenize.ts";

/** tokenizeWithOffsets runs the pattern on every token: the reference for tokenize's ASCII path. */
function byPattern(tokenizer: Tokenizer, text: string): string[] {
  return tokenizer.tokenizeWithOffsets(text).map((span) => span.token);
}

const PIECES = [
  "a",
  "Z",
  "q",
  "0",
  "7",
  "'",
  "’",
  " ",
  "  ",
  "\t",
  "\n",
  "\r",
  "\v",
  "\f",
  "\u00a0",
  "\u3000",
  "é",
  "e\u0301",
  "ß",
  "İ",
  "ж",
  "北",
  "京",
  "的",
  "ア",
  "한",
  "😀",
  ",",
  ".",
  "!",
  "-",
  "_",
  "<",
  "/",
  "\u001f",
  "\u0000",
  "\u007f",
  "don",
  "t",
  "rock",
  "n",
  "1990s",
];

describe("Tokenizer.tokenize", () => {
  it("splits English as documented", () => {
    const tokenizer = new Tokenizer();
    assert.deepEqual(tokenizer.tokenize("I don't like it... rock'n'roll, 1990's ’tis o’clock'"), [
      "I",
      "don't",
      "like",
      "it",
      ".",
      ".",
      ".",
      "rock'n'roll",
      ",",
      "1990's",
      "’",
      "tis",
      "o’clock",
      "'",
    ]);
  });

  it("gives the pattern's tokens on any mix of ASCII, accents, marks, CJK and spaces", () => {
    const tokenizer = new Tokenizer();
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...PIECES), { maxLength: 40 }), (pieces) => {
        const text = pieces.join("");
        assert.deepEqual(tokenizer.tokenize(text), byPattern(tokenizer, text), JSON.stringify(text));
      }),
      { numRuns: 3000, seed: 17 },
    );
  });
});
