import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { RetrievalTokenizer } from "./terms.ts";

const tokenizer = new RetrievalTokenizer();

describe("RetrievalTokenizer", () => {
  test("English: lower-cased NFKC words and numbers, without function words and punctuation", () => {
    assert.deepEqual(tokenizer.terms("How do I block my CARD? Ｃａｌｌ 2024!"), [
      "block",
      "card",
      "call",
      "2024",
    ]);
    assert.deepEqual(tokenizer.words("How do I block my card?"), ["how", "do", "i", "block", "my", "card"]);
  });

  test("Chinese: segmenter words plus the Han pairs that are not already a word there", () => {
    const terms = tokenizer.terms("信用卡丢了");
    assert.ok(terms.includes("信用卡"));
    for (const pair of ["信用", "用卡", "卡丢"]) assert.ok(terms.includes(pair), pair);
    assert.ok(!terms.includes("了"), "a function word is left out");
    // A two-character word is not counted again as a pair.
    const twice = tokenizer.terms("丢失").filter((t) => t === "丢失");
    assert.equal(twice.length, 1);
  });

  test("two segmentations of the same words still share terms", () => {
    // The segmenter keeps 信用卡 whole in the passage; a question typed with spaces splits it.
    const passage = new Set(tokenizer.terms("如何挂失信用卡"));
    const question = tokenizer.terms("信用 卡 挂失");
    const shared = question.filter((t) => passage.has(t));
    assert.ok(shared.includes("信用"), JSON.stringify({ passage: [...passage], question }));
    assert.ok(shared.includes("挂失"));
  });
});
