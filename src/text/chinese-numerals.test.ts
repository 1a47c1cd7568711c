import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { arabicNumerals, findNumbers, formatNumber, parseChineseNumber } from "./chinese-numerals.ts";

describe("parseChineseNumber", () => {
  it("reads numerals in characters, with 两, 零 and the large units", () => {
    const cases: [string, number][] = [
      ["五百", 500],
      ["两千", 2000],
      ["三千五百", 3500],
      ["十二", 12],
      ["二十", 20],
      ["一百零五", 105],
      ["一千零五十", 1050],
      ["一万零五", 10005],
      ["两亿", 200_000_000],
      ["两亿三千万", 230_000_000],
      ["零点五", 0.5],
      ["零", 0],
      ["十", 10],
      ["壹佰贰拾", 120],
      ["八八四二", 8842],
    ];
    for (const [text, value] of cases) assert.equal(parseChineseNumber(text), value, text);
  });

  it("reads the spoken short forms: 三千五 is 3500, 两万三 is 23000, 一百二 is 120", () => {
    assert.equal(parseChineseNumber("三千五"), 3500);
    assert.equal(parseChineseNumber("两万三"), 23_000);
    assert.equal(parseChineseNumber("一百二"), 120);
  });

  it("reads Arabic digits mixed with units: 3千5百, 1.5万, 10万, 1,200", () => {
    assert.equal(parseChineseNumber("3千5百"), 3500);
    assert.equal(parseChineseNumber("1.5万"), 15_000);
    assert.equal(parseChineseNumber("10万"), 100_000);
    assert.equal(parseChineseNumber("1,200"), 1200);
    assert.equal(parseChineseNumber("２０"), 20);
  });

  it("refuses what is not one number", () => {
    for (const text of ["", "百", "万", "元", "五五百", "百五", "千百", "三万万", "abc"])
      assert.equal(parseChineseNumber(text), null, text);
  });
});

describe("findNumbers", () => {
  it("finds amounts with 元, 块, 块钱 and 美元, where they are", () => {
    const text = "我想转账五百元，再转3千5百块钱和1.5万美元，两块";
    const found = findNumbers(text).map((n) => [n.text, n.value, text.slice(n.end, n.end + 1)]);
    assert.deepEqual(found, [
      ["五百", 500, "元"],
      ["3千5百", 3500, "块"],
      ["1.5万", 15_000, "美"],
      ["两", 2, "块"],
    ]);
  });

  it("leaves a lone digit character in a name or a word alone", () => {
    assert.deepEqual(findNumbers("转给张三"), []);
    assert.deepEqual(findNumbers("能帮我转一下账吗"), []);
    assert.deepEqual(
      findNumbers("三个人").map((n) => n.value),
      [3],
    );
  });
});

describe("arabicNumerals", () => {
  it("rewrites numerals in characters as digits, for patterns that look for digits", () => {
    assert.equal(arabicNumerals("我想转账五百元"), "我想转账500元");
    assert.equal(arabicNumerals("三月十二号转两千"), "3月12号转2000");
    assert.equal(arabicNumerals("转1.5万给张三"), "转15000给张三");
    assert.equal(arabicNumerals("transfer 200 dollars"), "transfer 200 dollars");
  });

  it("formats without exponent or trailing zeros", () => {
    assert.equal(formatNumber(200_000_000), "200000000");
    assert.equal(formatNumber(0.5), "0.5");
  });
});
