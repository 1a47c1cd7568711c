import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { DictionarySegmenter } from "./dictionary-segmenter.ts";
import { TokenIds } from "./token-ids.ts";
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
  // Chinese punctuation, a Han character outside the BMP, a lone surrogate, the prolonged
  // sound mark (Common script, a letter), a Hangul syllable and jamo, a combining mark.
  "，",
  "。",
  "𠀀",
  "\ud840",
  "ー",
  "가",
  "\u1100",
  "\u0301",
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

  it("puts the same tokens into a TokenIds as ranges and strings, with and without a dictionary", () => {
    const dictionary = DictionarySegmenter.fromCounts(
      new Map([
        ["北京", 5],
        ["的", 9],
        ["京的", 1],
      ]),
    );
    for (const tokenizer of [new Tokenizer(), new Tokenizer("zh", dictionary)]) {
      // Room for few tokens, so that the table is emptied between texts too.
      const ids = new TokenIds(8);
      fc.assert(
        fc.property(
          fc.array(fc.array(fc.constantFrom(...PIECES), { maxLength: 30 }), { maxLength: 4 }),
          (texts) => {
            const joined = texts.map((pieces) => pieces.join(""));
            const lists = ids.internTexts(joined, (text, sink) => tokenizer.tokenizeInto(text, sink));
            const generation = ids.generation;
            joined.forEach((text, j) => {
              const back: string[] = [];
              for (let i = lists.starts[j] ?? 0; i < (lists.starts[j + 1] ?? 0); i++) {
                back.push(ids.token(lists.ids[i] ?? -1));
              }
              assert.deepEqual(back, tokenizer.tokenize(text), JSON.stringify(text));
            });
            // The same ids as interning the strings.
            const again = ids.internAll(joined.map((text) => tokenizer.tokenize(text)));
            if (ids.generation === generation) assert.deepEqual(again.ids, lists.ids);
          },
        ),
        { numRuns: 1000, seed: 5 },
      );
      assert.ok(ids.generation > 0);
    }
  });

  it("splits stretches the dictionary has no word for alike, the first time and from its kept words", () => {
    const dictionary = DictionarySegmenter.fromCounts(
      new Map([
        ["北京", 5],
        ["的", 9],
      ]),
    );
    const tokenizer = new Tokenizer("zh", dictionary);
    // Han characters the dictionary has never seen, side by side: Intl.Segmenter splits them.
    const pieces = ["北京", "的", "银行", "崩溃", "手机", "星巴克", " ", "a", "，"];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 12 }), (parts) => {
        const text = parts.join("");
        const expected = tokenizer.tokenizeWithOffsets(text).map((span) => span.token);
        assert.deepEqual(tokenizer.tokenize(text), expected, JSON.stringify(text));
        assert.deepEqual(tokenizer.tokenize(text), expected, `${JSON.stringify(text)} again`);
      }),
      { numRuns: 500, seed: 9 },
    );
  });
});
