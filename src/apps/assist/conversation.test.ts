/**
 * Conversations as a customer has them (issue 15 items 10-12): a slot's value belongs to the
 * request that collected it and is never reused for the next one; Chinese amounts in
 * characters fill the amount, even where the tagger calls them places; a reply that no
 * intent produced names no intent.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  trainWrongChineseTagger,
  writeFormsKnowledge,
} from "../../../test/support/assist-forms-knowledge.ts";
import type { Assistant } from "./assistant.ts";
import { NEW_CONVERSATION } from "./conversation-state.ts";
import { loadKnowledge } from "./knowledge.ts";
import { trainAssistant } from "./train-assistant.ts";

const root = mkdtempSync(join(tmpdir(), "textkit-conversation-"));
let assistant: Assistant;

before(async () => {
  const knowledge = await loadKnowledge(writeFormsKnowledge(join(root, "knowledge")));
  const zh = await trainWrongChineseTagger(join(root, "tagger"));
  assistant = await trainAssistant({ knowledge, taggers: { zh } });
});

after(() => rmSync(root, { recursive: true, force: true }));

describe("a conversation's slots", () => {
  it("are not reused by a later request: transfer, handover, then 我想转账 asks for the amount", () => {
    // The amount given as the answer to its question, then a handover.
    const ask = assistant.reply("i want to transfer money to my savings account");
    assert.equal(ask.asking, "amount", ask.why);
    const done = assistant.reply("200 dollars", ask.state);
    assert.equal(done.path, "intent", done.why);
    assert.equal(done.text, "Done: 200 dollars is on its way to your savings account.");
    const handedOver = assistant.reply("who painted the mona lisa", done.state);
    assert.equal(handedOver.path, "handover", handedOver.why);
    const next = assistant.reply("我想转账", handedOver.state);
    assert.equal(next.intent?.id, "zh_transfer", next.why);
    assert.equal(next.path, "slot", `${next.text} (${next.why})`);
    assert.equal(next.asking, "amount");
    // The whole request in one message.
    const en = assistant.reply("transfer 200 dollars to my savings account");
    assert.equal(en.path, "intent", en.why);
    assert.equal(en.intent?.id, "transfer");
    assert.equal(en.slots["amount"], "200 dollars");
    assert.deepEqual(en.state.slots, {}, "the form is complete: its slots are cleared");
    const gone = assistant.reply("who painted the mona lisa", en.state);
    assert.equal(gone.path, "handover", gone.why);
    const zh = assistant.reply("我想转账", gone.state);
    assert.equal(zh.path, "slot", zh.why);
    assert.equal(zh.intent?.id, "zh_transfer");
    assert.equal(zh.asking, "amount");
    assert.equal(zh.text, "请问您要转多少钱？");
    assert.doesNotMatch(zh.text, /200|dollars/);
    // Without the handover in between, the same.
    const again = assistant.reply("我想转账", en.state);
    assert.equal(again.path, "slot", again.why);
    assert.equal(again.asking, "amount");
  });

  it("belong to their intent: another intent taking over starts with none", () => {
    const first = assistant.reply("transfer 200 dollars");
    assert.equal(first.path, "slot", first.why);
    assert.equal(first.asking, "account");
    const other = assistant.reply("我想转账", first.state);
    assert.equal(other.intent?.id, "zh_transfer", other.why);
    assert.equal(other.asking, "amount");
    assert.deepEqual(other.state.slots, {});
  });
});

describe("Chinese amounts", () => {
  it("are places to this tagger, which is how the issue's assistant failed", () => {
    assert.deepEqual(
      assistant.entities("五百元", "zh").map((e) => [e.text, e.label]),
      [["五百元", "LOC"]],
    );
  });

  it("fill the amount at once: 我想转账五百元", () => {
    const r = assistant.reply("我想转账五百元");
    assert.equal(r.path, "intent", r.why);
    assert.equal(r.intent?.id, "zh_transfer");
    assert.equal(r.slots["amount"], "500元");
    assert.equal(r.text, "好的，已为您转账500元。");
  });

  it("answer the amount's question: 五百元 ends the loop", () => {
    const ask = assistant.reply("我想转账");
    assert.equal(ask.asking, "amount", ask.why);
    const given = assistant.reply("五百元", ask.state);
    assert.equal(given.path, "intent", given.why);
    assert.equal(given.text, "好的，已为您转账500元。");
    assert.equal(given.intent?.id, "zh_transfer");
    // A bare number answers the question too.
    const bare = assistant.reply("两千", ask.state);
    assert.equal(bare.path, "intent", bare.why);
    assert.equal(bare.slots["amount"], "2000");
  });

  it("are read in mixed forms: 3千5百块, 1.5万元, 两百美元", () => {
    for (const [message, amount] of [
      ["我想转账3千5百块", "3500块"],
      ["我想转账1.5万元", "15000元"],
      ["我要转账两百美元", "200美元"],
    ] as const) {
      const r = assistant.reply(message);
      assert.equal(r.intent?.id, "zh_transfer", `${message}: ${r.why}`);
      assert.equal(r.slots["amount"], amount, message);
    }
  });
});

describe("a reply that no intent produced", () => {
  it("names no intent, and shows the best one as a candidate below the threshold", () => {
    const r = assistant.reply("who painted the mona lisa", NEW_CONVERSATION);
    assert.equal(r.path, "handover", r.why);
    assert.equal(r.intent, null);
    if (r.candidate !== null) {
      assert.equal(r.candidate.accepted, false);
      assert.ok(r.candidate.confidence < r.candidate.threshold || r.candidate.confidence === 0);
    }
    const zh = assistant.reply("今天天气怎么样");
    assert.equal(zh.intent, null, zh.why);
  });

  it("a reply that serves an intent names it with the confidence it was recognised at", () => {
    const ask = assistant.reply("我想转账");
    const given = assistant.reply("五百元", ask.state);
    assert.equal(given.intent?.id, "zh_transfer");
    assert.equal(given.intent?.confidence, ask.intent?.confidence);
    assert.ok((given.intent?.confidence ?? 0) > 0);
  });
});
