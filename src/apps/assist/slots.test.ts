import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { SlotSpec } from "./knowledge-types.ts";
import { fillSlots, numbersOf } from "./slots.ts";

function slot(name: string, over: Partial<SlotSpec>): SlotSpec {
  return { name, entity: null, pattern: null, prompt: "?", optional: false, default: null, ...over };
}

describe("fillSlots with numbers", () => {
  it("reads an amount in Chinese numerals before the tagger, whose place label on it is ignored", () => {
    const specs = [slot("amount", { entity: "MONEY" }), slot("city", { entity: "LOC" })];
    const wrong = [{ text: "五百元", label: "LOC", start: 4, end: 7 }];
    assert.deepEqual(fillSlots(specs, "我想转账五百元", wrong, {}), { amount: "500元" });
    assert.deepEqual(
      fillSlots(specs, "send $1,200 to Paris", [{ text: "Paris", label: "LOC", start: 15, end: 20 }], {}),
      {
        amount: "$1,200",
        city: "Paris",
      },
    );
  });

  it("takes a bare number for an amount only when the amount was asked for", () => {
    const specs = [slot("amount", { entity: "MONEY" })];
    assert.deepEqual(fillSlots(specs, "三千五", [], {}), {});
    assert.deepEqual(fillSlots(specs, "三千五", [], {}, "amount"), { amount: "3500" });
  });

  it("reads counts, and lets a pattern for digits see Chinese numerals as digits (dates)", () => {
    const specs = [
      slot("cards", { entity: "CARDINAL" }),
      slot("date", { pattern: "(\\d+月\\d+[日号])" }),
      slot("payee", { pattern: "给([\\u4e00-\\u9fa5]{2})" }),
    ];
    assert.deepEqual(fillSlots(specs, "三月十二号给张三办两张卡", [], {}), {
      cards: "2",
      date: "3月12号",
      payee: "张三",
    });
  });

  it("gives the webhook the number of each slot that holds one", () => {
    assert.deepEqual(numbersOf({ amount: "500元", account: "savings", big: "$1,200" }), {
      amount: 500,
      big: 1200,
    });
  });
});
