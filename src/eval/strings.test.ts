import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { codePointLength, displayWidth, padLeftCodePoints } from "./strings.ts";

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
