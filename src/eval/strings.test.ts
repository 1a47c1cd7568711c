import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { codePointLength, compareCodePoints, displayWidth, padLeftCodePoints } from "./strings.ts";

describe("compareCodePoints", () => {
  it("sorts by code point, unlike JavaScript's default sort", () => {
    const labels = ["😀", "＃", "a", "é", "Z", "e"];
    // "Z" U+005A < "a" U+0061 < "e" U+0065 < "é" U+00E9 < "＃" U+FF03 < "😀" U+1F600
    assert.deepEqual([...labels].sort(compareCodePoints), ["Z", "a", "e", "é", "＃", "😀"]);
    assert.deepEqual([...labels].sort().slice(-2), ["😀", "＃"]);
  });

  it("puts a prefix first and equal strings level", () => {
    assert.ok(compareCodePoints("ab", "abc") < 0);
    assert.ok(compareCodePoints("abc", "ab") > 0);
    assert.equal(compareCodePoints("正面", "正面"), 0);
  });

  it("orders astral characters among themselves by code point", () => {
    // U+1F600 < U+1F64F < U+20000
    assert.deepEqual(["𠀀", "🙏", "😀"].sort(compareCodePoints), ["😀", "🙏", "𠀀"]);
  });
});

describe("codePointLength and padding", () => {
  it("counts code points as Python's len does", () => {
    assert.equal(codePointLength("正面"), 2);
    assert.equal(codePointLength("😀x"), 2);
    assert.equal(codePointLength(""), 0);
  });

  it("right-aligns by code points", () => {
    assert.equal(padLeftCodePoints("😀", 3), "  😀");
    assert.equal(padLeftCodePoints("toolong", 3), "toolong");
  });

  it("gives wide characters two terminal columns", () => {
    assert.equal(displayWidth("正面ok"), 6);
    assert.equal(displayWidth("e\u0301"), 1);
  });
});
