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
});
