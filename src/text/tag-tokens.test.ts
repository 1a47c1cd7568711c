import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { tokenizeForTagging } from "./tag-tokens.ts";

const en = (text: string): string[] => tokenizeForTagging(text, "en").map((t) => t.token);
const zh = (text: string): string[] => tokenizeForTagging(text, "zh").map((t) => t.token);

describe("tokenizeForTagging, English", () => {
  it("splits words and punctuation as CoNLL data does", () => {
    assert.deepEqual(en("EU rejects German call to boycott British lamb."), [
      "EU",
      "rejects",
      "German",
      "call",
      "to",
      "boycott",
      "British",
      "lamb",
      ".",
    ]);
    assert.deepEqual(en('He said: "No!" (twice)'), [
      "He",
      "said",
      ":",
      '"',
      "No",
      "!",
      '"',
      "(",
      "twice",
      ")",
    ]);
  });

  it("keeps . - ' ’ & inside words and numbers", () => {
    assert.deepEqual(en("U.S. 1996-08-22 AT&T O'Neil O’Neil 3.5 well-known don't"), [
      "U.S.",
      "1996-08-22",
      "AT&T",
      "O'Neil",
      "O’Neil",
      "3.5",
      "well-known",
      "don't",
    ]);
  });

  it("keeps a comma between digits, as in 1,000", () => {
    assert.deepEqual(en("1,000 people, 2,5"), ["1,000", "people", ",", "2,5"]);
    assert.deepEqual(en("a,b 1, 2"), ["a", ",", "b", "1", ",", "2"]);
  });

  it("does not join across a joiner without a letter or digit on both sides", () => {
    assert.deepEqual(en("-5 5- a--b end. 'quoted' x&"), [
      "-",
      "5",
      "5",
      "-",
      "a",
      "-",
      "-",
      "b",
      "end",
      ".",
      "'",
      "quoted",
      "'",
      "x",
      "&",
    ]);
  });

  it("splits a possessive 's or ’s off, in either case", () => {
    assert.deepEqual(en("Apple's"), ["Apple", "'s"]);
    assert.deepEqual(en("Apple’s shares"), ["Apple", "’s", "shares"]);
    assert.deepEqual(en("O'NEIL'S"), ["O'NEIL", "'S"]);
    assert.deepEqual(en("it's"), ["it", "'s"]);
    // Not a final 's: the apostrophe joins.
    assert.deepEqual(en("O'Sullivan 'sorry'"), ["O'Sullivan", "'", "sorry", "'"]);
    // Standing apart, as in CoNLL text joined with spaces.
    assert.deepEqual(en("Apple 's"), ["Apple", "'s"]);
    // A plural possessive leaves the apostrophe alone.
    assert.deepEqual(en("players' union"), ["players", "'", "union"]);
  });

  it("keeps the final dot of letter-dot abbreviations only", () => {
    assert.deepEqual(en("the U.S. and U.K."), ["the", "U.S.", "and", "U.K."]);
    assert.deepEqual(en("U.S.A. e.g., Ph.D. Mr. U.S.Army"), [
      "U.S.A.",
      "e.g.",
      ",",
      "Ph.D",
      ".",
      "Mr",
      ".",
      "U.S.Army",
    ]);
  });

  it("keeps a run of Han, Kana or Hangul as one token, apart from Latin words", () => {
    assert.deepEqual(en("Beijing (北京) and 東京tokyo"), [
      "Beijing",
      "(",
      "北京",
      ")",
      "and",
      "東京",
      "tokyo",
    ]);
  });

  it("keeps accented letters and combining marks in their word", () => {
    assert.deepEqual(en("café cafe\u0301 naïve Zürich"), ["café", "cafe\u0301", "naïve", "Zürich"]);
  });
});

describe("tokenizeForTagging, Chinese", () => {
  it("makes every Han character a token", () => {
    assert.deepEqual(zh("北京欢迎你。"), ["北", "京", "欢", "迎", "你", "。"]);
  });

  it("tokenizes Latin words and numbers inside Chinese as in English", () => {
    assert.deepEqual(zh("我用iPhone 15拍照，花了3,999元"), [
      "我",
      "用",
      "iPhone",
      "15",
      "拍",
      "照",
      "，",
      "花",
      "了",
      "3,999",
      "元",
    ]);
    assert.deepEqual(zh("苹果的U.S.业务"), ["苹", "果", "的", "U.S.", "业", "务"]);
  });

  it("makes every Kana and Hangul letter a token, with the long-vowel mark", () => {
    assert.deepEqual(zh("コーヒー한국"), ["コ", "ー", "ヒ", "ー", "한", "국"]);
  });

  it("never makes whitespace a token, full-width or not", () => {
    assert.deepEqual(zh(" 你\u3000好\t\n"), ["你", "好"]);
    assert.deepEqual(zh("   "), []);
    assert.deepEqual(zh(""), []);
  });
});

describe("tokenizeForTagging, offsets and characters outside the BMP", () => {
  it("gives UTF-16 offsets into the text", () => {
    const text = "  Apple's 北京 😀!";
    const en = tokenizeForTagging(text, "en");
    for (const t of en) assert.equal(text.slice(t.start, t.end), t.token);
    assert.deepEqual(en, [
      { token: "Apple", start: 2, end: 7 },
      { token: "'s", start: 7, end: 9 },
      { token: "北京", start: 10, end: 12 },
      { token: "😀", start: 13, end: 15 },
      { token: "!", start: 15, end: 16 },
    ]);
  });

  it("keeps a character outside the BMP whole: rare Han, emoji, flags, emoji sequences", () => {
    assert.deepEqual(zh("𠀀𠀁"), ["𠀀", "𠀁"]);
    assert.deepEqual(en("👍🏽 ❤️ 👨‍👩‍👧 🇺🇸🇫🇷"), ["👍🏽", "❤️", "👨‍👩‍👧", "🇺🇸", "🇫🇷"]);
  });

  it("treats control and format characters such as a zero-width space as separators", () => {
    assert.deepEqual(en("a\u200Bb\u0007c"), ["a", "b", "c"]);
  });

  it("gives the same result on repeated and interleaved calls", () => {
    assert.deepEqual(en("New York"), ["New", "York"]);
    assert.deepEqual(zh("纽约"), ["纽", "约"]);
    assert.deepEqual(en("New York"), ["New", "York"]);
  });
});
