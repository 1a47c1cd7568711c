import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { detectLanguage } from "./language.ts";

describe("detectLanguage", () => {
  it("tells Chinese from English, also with a brand name or a name in the other script", () => {
    assert.equal(detectLanguage("北岸银行手机银行又崩了"), "zh");
    assert.equal(detectLanguage("苹果发布了新款 iPhone"), "zh");
    assert.equal(detectLanguage("Norvale Bank shares fell 8% in Hong Kong"), "en");
    assert.equal(detectLanguage("Alibaba (阿里巴巴) shares rose sharply today in Hong Kong trading"), "en");
    assert.equal(detectLanguage("12345 !!!"), "en");
  });
});
