/**
 * The assistant on a small knowledge folder: each path (intent, slot, FAQ, passage,
 * handover) with its reason, a slot asked for across turns, calibration on held-out
 * examples, and a save/load round trip that answers the same.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { writeAssistKnowledge } from "../../../test/support/assist-knowledge.ts";
import type { Assistant } from "./assistant.ts";
import { NEW_CONVERSATION } from "./conversation-state.ts";
import { evaluateAssistant } from "./evaluate.ts";
import { loadKnowledge } from "./knowledge.ts";
import { loadAssistant } from "./load-assistant.ts";
import { trainAssistant } from "./train-assistant.ts";

const root = mkdtempSync(join(tmpdir(), "textkit-assistant-"));
let assistant: Assistant;

before(async () => {
  const knowledge = await loadKnowledge(writeAssistKnowledge(join(root, "knowledge")));
  assistant = await trainAssistant({ knowledge });
});

after(() => rmSync(root, { recursive: true, force: true }));

describe("an assistant", () => {
  it("answers a confident intent from its template, and says why", () => {
    const r = assistant.reply("how much money is in my account");
    assert.equal(r.path, "intent");
    assert.equal(r.intent?.id, "balance");
    assert.ok(r.intent!.confidence >= assistant.threshold);
    assert.equal(r.text, "You have $1,204.50 in checking.");
    assert.match(r.why, /^intent "balance" at confidence \d\.\d\d ≥ threshold \d\.\d\d$/);
  });

  it("asks for a missing slot, and fills it from the next message of the conversation", () => {
    const first = assistant.reply("i want to transfer money to savings");
    assert.equal(first.path, "slot");
    assert.equal(first.asking, "amount");
    assert.equal(first.text, "How much would you like to transfer?");
    const second = assistant.reply("250 please", first.state);
    assert.equal(second.path, "intent");
    assert.equal(second.text, "Done, 250 dollars are on their way to your savings.");
    assert.equal(second.state.intent, null);
    // Given at once, it answers at once.
    assert.equal(
      assistant.reply("transfer 40 to savings").text,
      "Done, 40 dollars are on their way to your savings.",
    );
  });

  it("hands over after asking twice in vain", () => {
    const first = assistant.reply("send money to my savings");
    const again = assistant.reply("i am not sure", first.state);
    assert.equal(again.path, "slot");
    const gone = assistant.reply("hmm", again.state);
    assert.equal(gone.path, "handover");
    assert.equal(gone.handover, true);
    assert.match(gone.why, /asked for 2 times without an answer/);
  });

  it("answers from the FAQ, then from the documents, then hands over", () => {
    const faq = assistant.reply("what time do your branches open");
    assert.equal(faq.path, "faq", faq.why);
    assert.equal(faq.faq?.id, "opening-hours");
    assert.equal(faq.text, "Our branches are open 9 to 5, Monday to Friday.");
    const doc = assistant.reply("can I repay my mortgage early without a fee");
    assert.equal(doc.path, "passage", doc.why);
    assert.equal(doc.passage?.source, "doc:mortgages.md");
    assert.match(doc.text, /^From our help pages:\n\n.*ten percent/s);
    const none = assistant.reply("who painted the mona lisa");
    assert.equal(none.path, "handover", none.why);
    assert.equal(none.text, "Let me pass you to a colleague.");
    assert.match(none.why, /nothing answers it well enough$/);
  });

  it("answers an intent marked for handover, then hands over", () => {
    const r = assistant.reply("my debit card was stolen");
    assert.equal(r.path, "intent");
    assert.equal(r.intent?.id, "lost_card");
    assert.equal(r.handover, true);
  });

  it("was calibrated on held-out examples, out-of-scope ones included", () => {
    const v = assistant.validation;
    assert.ok(v.examples > 0 && v.outOfScope > 0);
    assert.equal(v.threshold.rule, "balanced");
    assert.ok(assistant.temperature > 0);
  });

  it("evaluates on labelled questions: intents, out of scope, FAQ and documents", async () => {
    const report = await evaluateAssistant(
      assistant,
      [
        { text: "what's my current balance", intent: "balance" },
        { text: "please transfer 30 to savings", intent: "transfer" },
        { text: "who wrote hamlet", intent: "oos" },
        { text: "branch opening hours on weekdays", intent: "faq:opening-hours" },
        { text: "adjustable rate mortgage index", intent: "doc:mortgages.md" },
      ],
      { k: 3 },
    );
    assert.equal(report.questions, 5);
    assert.equal(report.inScopeAccuracy, 1);
    assert.equal(report.outOfScopeRecall, 1);
    assert.equal(report.retrievalRecall, 1);
    assert.equal(report.retrievalMrr, 1);
    assert.ok(report.suggested !== null);
    await assert.rejects(
      evaluateAssistant(assistant, [{ text: "x", intent: "unknown_intent" }], { k: 3 }),
      /does not have/,
    );
  });

  it("saves and loads as one directory that answers the same", async () => {
    const dir = join(root, "saved");
    await assistant.save(dir);
    const loaded = await loadAssistant(dir);
    for (const message of [
      "check my balance",
      "transfer money",
      "when are branches open",
      "tell me a joke",
    ]) {
      const a = assistant.reply(message, NEW_CONVERSATION);
      const b = loaded.reply(message, NEW_CONVERSATION);
      assert.deepEqual(b, a, message);
    }
  });
});
