/**
 * The assistant's store against both adapters, SQLite and a real PostgreSQL server.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { storeTargets } from "../../../test/support/postgres.ts";
import { isTextkitError } from "../../core/index.ts";
import { openDatabase } from "../../store/index.ts";
import { NEW_CONVERSATION } from "./conversation-state.ts";
import type { Reply } from "./reply.ts";
import { AssistStore } from "./store.ts";

function reply(over: Partial<Reply> = {}): Reply {
  return {
    path: "intent",
    text: "You have $12 in checking.",
    lang: "en",
    detected: { language: "en", score: null },
    intent: { id: "balance", confidence: 0.93, threshold: 0.5, accepted: true },
    candidate: { id: "balance", confidence: 0.93, threshold: 0.5, accepted: true },
    faq: null,
    passage: null,
    slots: {},
    asking: null,
    handover: false,
    action: null,
    why: "intent balance",
    state: { ...NEW_CONVERSATION, lang: "en" },
    ...over,
  };
}

for (const target of storeTargets()) {
  describe(`AssistStore (${target.dialect})`, { skip: target.skip }, () => {
    before(() => target.setup());
    after(() => target.teardown());

    it("keeps a conversation's turns and state, with personal data masked in the log", async () => {
      const db = await openDatabase(await target.freshLocation());
      try {
        let clock = 1_000;
        const store = await AssistStore.open(db, { now: () => clock });
        const asking = reply({
          path: "slot",
          text: "How much?",
          asking: "amount",
          state: { ...NEW_CONVERSATION, lang: "en", intent: "transfer", asked: "amount" },
        });
        const first = await store.recordTurn("helpdesk", null, 0, "send money, I'm jo@example.com", asking);
        assert.ok(first !== null);
        clock = 2_000;
        const second = await store.recordTurn(
          "helpdesk",
          first.conversationId,
          1,
          "50 please",
          reply({ text: "Sent 50." }),
        );
        assert.equal(second?.seq, 2);
        const c = await store.conversation("helpdesk", first.conversationId);
        assert.deepEqual([c.turns, c.status, c.updatedAt], [2, "open", 2_000]);
        const turns = await store.turns(first.conversationId);
        assert.deepEqual(
          turns.map((t) => [t.seq, t.message, t.path]),
          [
            [1, "send money, I'm [email]", "slot"],
            [2, "50 please", "intent"],
          ],
        );
        await assert.rejects(
          store.conversation("helpdesk", "nope"),
          (e) => isTextkitError(e) && e.code === "CONVERSATION_NOT_FOUND",
        );
        await assert.rejects(
          store.conversation("other", first.conversationId),
          (e) => isTextkitError(e) && e.code === "CONVERSATION_NOT_FOUND",
        );
      } finally {
        await db.close();
      }
    });

    it("records one of two replies computed from the same state, and refuses the other", async () => {
      const db = await openDatabase(await target.freshLocation());
      try {
        const store = await AssistStore.open(db);
        const start = await store.recordTurn("helpdesk", null, 0, "hi", reply());
        const results = await Promise.all([
          store.recordTurn("helpdesk", start!.conversationId, 1, "a", reply()),
          store.recordTurn("helpdesk", start!.conversationId, 1, "b", reply()),
        ]);
        assert.equal(results.filter((r) => r !== null).length, 1);
        assert.equal((await store.turns(start!.conversationId)).length, 2);
      } finally {
        await db.close();
      }
    });

    it("opens a handover with a reply that hands over, lists it with the conversation, and closes it", async () => {
      const db = await openDatabase(await target.freshLocation());
      try {
        const store = await AssistStore.open(db);
        const t = await store.recordTurn(
          "helpdesk",
          null,
          0,
          "call me on 13812345678",
          reply({ path: "handover", handover: true, why: "nothing answers" }),
        );
        assert.ok(t?.handoverId);
        assert.equal((await store.conversation("helpdesk", t.conversationId)).status, "handed_over");
        const [h] = await store.handovers("helpdesk", { status: "open", limit: 10 });
        assert.equal(h?.id, t.handoverId);
        assert.equal(h?.turns[0]?.message, "call me on [phone]");
        await store.closeHandover("helpdesk", t.handoverId!, "dana");
        assert.deepEqual(await store.handovers("helpdesk", { status: "open", limit: 10 }), []);
        assert.equal((await store.conversation("helpdesk", t.conversationId)).status, "open");
        await assert.rejects(
          store.closeHandover("helpdesk", "nope", null),
          (e) => isTextkitError(e) && e.code === "HANDOVER_NOT_FOUND",
        );
      } finally {
        await db.close();
      }
    });

    it("keeps the last admin edit of each intent and FAQ, removals included", async () => {
      const db = await openDatabase(await target.freshLocation());
      try {
        let clock = 10;
        const store = await AssistStore.open(db, { now: () => clock });
        await store.putKnowledge(
          "helpdesk",
          "faq",
          "gift",
          { question: "Gift cards?", answer: "No." },
          "dana",
        );
        clock = 20;
        await store.putKnowledge(
          "helpdesk",
          "faq",
          "gift",
          { question: "Do you sell gift cards?", answer: "No." },
          "lee",
        );
        clock = 30;
        await store.putKnowledge("helpdesk", "intent", "old", null, null);
        await store.putKnowledge("other", "faq", "x", { question: "q", answer: "a" }, null);
        const edits = await store.knowledgeEdits("helpdesk");
        assert.deepEqual(
          edits.map((e) => [e.kind, e.id, e.body?.["question"] ?? null, e.updatedAt, e.by]),
          [
            ["faq", "gift", "Do you sell gift cards?", 20, "lee"],
            ["intent", "old", null, 30, null],
          ],
        );
      } finally {
        await db.close();
      }
    });

    it("keeps feedback, and gives the corrections with the messages they correct", async () => {
      const db = await openDatabase(await target.freshLocation());
      try {
        const store = await AssistStore.open(db);
        const t = await store.recordTurn(
          "helpdesk",
          null,
          0,
          "whats my balnce",
          reply({ path: "handover", handover: true }),
        );
        await store.addFeedback("helpdesk", t!.turnId, { verdict: "wrong", intent: "balance", by: "dana" });
        await store.addFeedback("helpdesk", t!.turnId, { verdict: "right" });
        const corrections = await store.corrections("helpdesk");
        assert.deepEqual(
          corrections.map((c) => [c.message, c.intent, c.by]),
          [["whats my balnce", "balance", "dana"]],
        );
        await assert.rejects(
          store.addFeedback("helpdesk", "nope", { verdict: "wrong" }),
          (e) => isTextkitError(e) && e.code === "TURN_NOT_FOUND",
        );
      } finally {
        await db.close();
      }
    });
  });
}
