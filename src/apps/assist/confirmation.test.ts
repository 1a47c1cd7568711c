import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { confirmationOf } from "./confirmation.ts";

describe("confirmationOf", () => {
  it("hears yes in English and Chinese", () => {
    for (const m of [
      "yes",
      "Yes, please",
      "ok",
      "sure",
      "go ahead",
      "Yep!",
      "是",
      "好的",
      "确认",
      "对",
      "是的，确认转账",
      "可以啊",
      "嗯",
    ])
      assert.equal(confirmationOf(m), "yes", m);
  });

  it("hears no in English and Chinese, 不是 and 不确认 included", () => {
    for (const m of [
      "no",
      "No thanks",
      "cancel",
      "no, cancel it",
      "never mind",
      "不",
      "取消",
      "算了",
      "不用了",
      "不是",
      "不确认",
      "别转了",
    ])
      assert.equal(confirmationOf(m), "no", m);
  });

  it("hears neither in a message that says something else", () => {
    for (const m of [
      "what is my balance",
      "ok but first tell me my balance",
      "yes i lost my card and need a new one",
      "我想查余额",
      "五百元",
      "right now i want to check my balance",
      "",
    ])
      assert.equal(confirmationOf(m), null, m);
  });
});
