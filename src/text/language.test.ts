import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { detectLanguage } from "./language.ts";

/** The definition, one character (code point) at a time, as detectLanguage once read it. */
function reference(text: string): string {
  let han = 0;
  let letters = 0;
  for (const ch of text) {
    const c = ch.codePointAt(0) ?? 0;
    if (c < 0x80) {
      if ((c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)) letters++;
    } else if (/\p{Script=Han}/u.test(ch)) {
      han++;
      letters++;
    } else if (/\p{L}/u.test(ch)) letters++;
  }
  return han > 0 && han >= 0.2 * letters ? "zh" : "en";
}

describe("detectLanguage", () => {
  it("tells Chinese from English, also with a brand name or a name in the other script", () => {
    assert.equal(detectLanguage("北岸银行手机银行又崩了"), "zh");
    assert.equal(detectLanguage("苹果发布了新款 iPhone"), "zh");
    assert.equal(detectLanguage("Norvale Bank shares fell 8% in Hong Kong"), "en");
    assert.equal(detectLanguage("Alibaba (阿里巴巴) shares rose sharply today in Hong Kong trading"), "en");
    assert.equal(detectLanguage("12345 !!!"), "en");
  });

  it("reads a surrogate pair as one character and a lone surrogate as no letter", () => {
    // U+20000 (CJK extension B) is Han; U+1D400 (mathematical bold A) is a letter.
    assert.equal(detectLanguage("\u{20000}\u{20000} abcdefgh"), "zh");
    assert.equal(detectLanguage("\u{20000} abcdefghijk"), "en");
    // Read as two code units each (no letters), these would be Chinese.
    assert.equal(detectLanguage(`${"\u{1D400}".repeat(4)}中`), "zh");
    assert.equal(detectLanguage(`${"\u{1D400}".repeat(5)}中`), "en");
    assert.equal(detectLanguage("\uD840中\uDC00"), "zh");
    assert.equal(detectLanguage("\uD840a\uDC00bcd中"), "zh");
    assert.equal(detectLanguage("\uD840a\uDC00bcde中"), "en");
  });

  it("answers as the character-by-character definition on any text", () => {
    const pieces = fc.constantFrom(
      "a",
      "Z",
      " ",
      "1",
      "中",
      "国",
      "〇",
      "々",
      "é",
      "ß",
      "Я",
      "ا",
      "한",
      "あ",
      "\u{20000}",
      "\u{1D400}",
      "\uD840",
      "\uDC00",
      "😀",
      "\u0301",
      "。",
    );
    const texts = fc.oneof(
      fc.array(pieces, { maxLength: 40 }).map((p) => p.join("")),
      fc.string({ unit: "binary", maxLength: 60 }),
    );
    fc.assert(
      fc.property(texts, (text) => detectLanguage(text) === reference(text)),
      { numRuns: 3000 },
    );
  });
});
