import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { compareCodePoints } from "./code-point-order.ts";

describe("compareCodePoints", () => {
  it("orders like the UTF-8 bytes, which are in code point order", () => {
    const words = [
      "b",
      "a",
      "ab",
      "",
      "Z",
      "é",
      "中",
      "\uff01",
      "\ue000",
      "😀",
      "𠀀",
      "\ud7ff",
      "a😀",
      "a\uffff",
    ];
    const byBytes = [...words].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
    assert.deepEqual([...words].sort(compareCodePoints), byBytes);
  });

  it("differs from the default sort exactly where UTF-16 differs", () => {
    // U+FF01 is below U+1F600, but its UTF-16 code unit is above the surrogate 0xD83D.
    assert.deepEqual(["😀", "\uff01"].sort(), ["😀", "\uff01"]);
    assert.deepEqual(["😀", "\uff01"].sort(compareCodePoints), ["\uff01", "😀"]);
    assert.equal(compareCodePoints("same", "same"), 0);
    assert.ok(compareCodePoints("a", "ab") < 0);
  });

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
