import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DictionarySegmenter, MAX_WORD_UNITS } from "./dictionary-segmenter.ts";
import { Tokenizer } from "./tokenize.ts";

const dict = (entries: Record<string, number>): DictionarySegmenter =>
  DictionarySegmenter.fromCounts(new Map(Object.entries(entries)));

describe("DictionarySegmenter", () => {
  it("picks the split of maximum probability, not the longest first word", () => {
    // 研究生命 : 研究|生命 = (30/100)(30/100) = 0.09 beats 研究生|命 = (20/100)(1/100)... and
    // a greedy longest match would take 研究生 first.
    const seg = dict({ 研究: 30, 研究生: 20, 生命: 30, 命: 1, 的: 19 });
    assert.deepEqual(seg.segment("研究生命"), ["研究", "生命"]);
    // Make 研究生 and 命 frequent enough and the other split wins.
    const other = dict({ 研究: 2, 研究生: 40, 生命: 2, 命: 40, 的: 16 });
    assert.deepEqual(other.segment("研究生命"), ["研究生", "命"]);
  });

  it("compares whole paths: two common words beat one rare long word", () => {
    const seg = dict({ 北京: 50, 大学: 50, 北京大学: 1 });
    assert.deepEqual(seg.segment("北京大学"), ["北京", "大学"]);
    const other = dict({ 北京: 5, 大学: 5, 北京大学: 90 });
    assert.deepEqual(other.segment("北京大学"), ["北京大学"]);
  });

  it("falls back to single characters where no word covers the text, surrogate pairs kept whole", () => {
    const seg = dict({ 天气: 10, 很好: 5 });
    assert.deepEqual(seg.segment("今天气很好"), ["今", "天气", "很好"]);
    assert.deepEqual([...seg.unknown.subarray(0, 3)], [1, 0, 0]);
    assert.deepEqual(seg.segment("甲乙丙"), ["甲", "乙", "丙"]);
    // 𠀀 (U+20000, CJK Extension B) is two UTF-16 code units.
    assert.deepEqual(seg.segment("𠀀天气𠀁"), ["𠀀", "天气", "𠀁"]);
    // An unknown character costs less than nothing known, but more than any known word.
    assert.ok(seg.unknownLogProb < Math.log(5 / 15));
  });

  it("bounds word length and refuses runs with kana or Hangul", () => {
    const long = "长".repeat(MAX_WORD_UNITS + 1);
    const seg = dict({ [long]: 100, 长: 1 });
    assert.equal(seg.size, 1);
    assert.equal(seg.cut("ひらがな", 0, 4), -1);
    assert.equal(seg.cut("한국어", 0, 3), -1);
    assert.equal(seg.cut("x长长y", 1, 3), 2);
    assert.deepEqual([...seg.cuts.subarray(0, 3)], [1, 2, 3]);
  });

  it("has a fingerprint that changes with any word or count", () => {
    const a = dict({ 北京: 5, 天气: 4 });
    assert.match(a.fingerprint, /^[0-9a-f]{8}$/);
    assert.equal(dict({ 北京: 5, 天气: 4 }).fingerprint, a.fingerprint);
    assert.notEqual(dict({ 北京: 5, 天气: 3 }).fingerprint, a.fingerprint);
    assert.notEqual(dict({ 北京: 5, 天: 4 }).fingerprint, a.fingerprint);
  });

  it("counts the Han words of token lists and prunes by count", () => {
    const seg = DictionarySegmenter.fromTokens(
      [
        ["北京", "的", "天气", "!", "ok"],
        ["北京", "的", "的"],
      ],
      2,
    );
    assert.ok(seg !== null);
    assert.deepEqual(seg.words, ["北京", "的"]);
    assert.deepEqual(seg.counts, [2, 3]);
    assert.equal(DictionarySegmenter.fromTokens([["hello", "world"]]), null);
  });
});

describe("Tokenizer with a dictionary", () => {
  const seg = dict({ 北京: 10, 的: 20, 天气: 8, 天: 1, 气: 1 });
  const fast = new Tokenizer("zh", seg);
  const intl = new Tokenizer("zh");

  it("splits Han runs with the dictionary and leaves the rest as before", () => {
    assert.deepEqual(fast.tokenize("I don't like 北京的天气!"), [
      "I",
      "don't",
      "like",
      "北京",
      "的",
      "天气",
      "!",
    ]);
    // One character the dictionary lacks stands alone; two or more in a row go to Intl.Segmenter.
    assert.deepEqual(fast.tokenize("北京我天气"), ["北京", "我", "天气"]);
    assert.deepEqual(fast.tokenize("我们"), ["我们"]);
    assert.deepEqual(fast.tokenize("北京我们的天气"), ["北京", "我们", "的", "天气"]);
    const spans = fast.tokenizeWithOffsets("x北京我们的");
    assert.deepEqual(
      spans.map((s) => [s.token, s.start, s.end]),
      [
        ["x", 0, 1],
        ["北京", 1, 3],
        ["我们", 3, 5],
        ["的", 5, 6],
      ],
    );
    const english = "It's 3.5 o'clock, isn't it? Ünïcode — naïve café (x+y)";
    assert.deepEqual(fast.tokenize(english), intl.tokenize(english));
    // A run with kana goes to Intl.Segmenter whole.
    assert.deepEqual(fast.tokenize("東京タワー"), intl.tokenize("東京タワー"));
  });

  it("gives offsets that cut the text into the same tokens", () => {
    const text = "Go 北京的天气, 今天!";
    const spans = fast.tokenizeWithOffsets(text);
    assert.deepEqual(
      spans.map((s) => s.token),
      fast.tokenize(text),
    );
    for (const s of spans) assert.equal(text.slice(s.start, s.end), s.token);
    assert.deepEqual(
      spans.filter((s) => /\p{Script=Han}/u.test(s.token)).map((s) => [s.token, s.start, s.end]),
      [
        ["北京", 3, 5],
        ["的", 5, 6],
        ["天气", 6, 8],
        ["今", 10, 11],
        ["天", 11, 12],
      ],
    );
  });
});
