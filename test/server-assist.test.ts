/**
 * An assistant in the server: conversations across requests (a slot asked for, then
 * given), handovers listed and closed, feedback, the conversation log with personal data
 * masked, and 4xx for every bad request.
 */
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { loadKnowledge, trainAssistant } from "../src/apps/assist/index.ts";
import { type RunningServer, startServer } from "../src/server/index.ts";
import { call, errorOf, tempDir, trainTopicModel } from "./server-helpers.ts";
import { writeAssistKnowledge } from "./support/assist-knowledge.ts";

const root = tempDir("server-assist");
const modelsDir = join(root.path, "models");
let server: RunningServer;

interface Chat {
  conversation: string;
  turn: string;
  path: string;
  text: string;
  asking: string | null;
  handover: boolean;
  handoverId: string | null;
  intent: { id: string; confidence: number; threshold: number } | null;
  why: string;
}

async function chat(body: Record<string, unknown>): Promise<Chat> {
  const res = await call(`${server.url}/v1/models/helpdesk/chat`, { body });
  assert.equal(res.status, 200, res.text);
  return res.body as Chat;
}

before(async () => {
  mkdirSync(modelsDir, { recursive: true });
  const knowledge = await loadKnowledge(writeAssistKnowledge(join(root.path, "knowledge")));
  await (await trainAssistant({ knowledge })).save(join(modelsDir, "helpdesk"));
  await (await trainTopicModel(1)).save(join(modelsDir, "topics"));
  server = await startServer({
    modelsDir,
    dataDir: join(root.path, "data"),
    port: 0,
    auth: "off",
    watchIntervalMs: 0,
    logger: false,
  });
  await server.whenReady();
});

after(async () => {
  await server.close();
  root.remove();
});

describe("an assistant in the server", () => {
  it("keeps a conversation: asks for the amount, then completes the transfer", async () => {
    const first = await chat({ message: "I want to transfer money to savings" });
    assert.deepEqual([first.path, first.asking], ["slot", "amount"]);
    const second = await chat({ message: "make it 120", conversation: first.conversation });
    assert.equal(second.conversation, first.conversation);
    assert.equal(second.path, "intent");
    assert.equal(second.text, "Done, 120 dollars are on their way to your savings.");
    const log = await call(`${server.url}/v1/models/helpdesk/conversations/${first.conversation}`);
    assert.equal(log.status, 200, log.text);
    const turns = (log.body as { turns: { seq: number; path: string }[] }).turns;
    assert.deepEqual(
      turns.map((t) => [t.seq, t.path]),
      [
        [1, "slot"],
        [2, "intent"],
      ],
    );
  });

  it("hands a conversation it cannot answer to a person, lists it with the log masked, and closes it", async () => {
    const reply = await chat({ message: "who painted the mona lisa? write to me at ann@example.com" });
    assert.equal(reply.path, "handover");
    assert.ok(reply.handoverId !== null);
    const open = await call(`${server.url}/v1/models/helpdesk/handovers`);
    const list = (open.body as { handovers: { id: string; reason: string; turns: { message: string }[] }[] })
      .handovers;
    const h = list.find((x) => x.id === reply.handoverId);
    assert.ok(h !== undefined, JSON.stringify(list));
    assert.match(h.turns[0]!.message, /\[email\]/);
    assert.doesNotMatch(JSON.stringify(h), /ann@example\.com/);
    const closed = await call(`${server.url}/v1/models/helpdesk/handovers/${reply.handoverId}/close`, {
      body: { by: "dana" },
    });
    assert.equal(closed.status, 200, closed.text);
    const after = await call(`${server.url}/v1/models/helpdesk/handovers?status=closed`);
    assert.ok(
      (after.body as { handovers: { id: string }[] }).handovers.some((x) => x.id === reply.handoverId),
    );
  });

  it("takes feedback on a turn, with the right intent", async () => {
    const reply = await chat({ message: "whats the dough in my acount" });
    const ok = await call(`${server.url}/v1/models/helpdesk/feedback`, {
      body: { turn: reply.turn, verdict: "wrong", intent: "balance" },
    });
    assert.equal(ok.status, 200, ok.text);
    const signed = await call(`${server.url}/v1/models/helpdesk/feedback`, {
      body: { turn: reply.turn, verdict: "right", by: "zhang.san@example.com" },
    });
    assert.equal(signed.status, 200, signed.text);
    assert.equal(
      (signed.body as { feedback: { by: string } }).feedback.by,
      "[email]",
      "the signature is stored masked, like the turns",
    );
    const badIntent = await call(`${server.url}/v1/models/helpdesk/feedback`, {
      body: { turn: reply.turn, verdict: "wrong", intent: "pizza" },
    });
    assert.equal(badIntent.status, 400);
    assert.equal(errorOf(badIntent).field, "/intent");
    const badTurn = await call(`${server.url}/v1/models/helpdesk/feedback`, {
      body: { turn: "nope", verdict: "right" },
    });
    assert.equal(badTurn.status, 404);
    assert.equal(errorOf(badTurn).code, "TURN_NOT_FOUND");
  });

  it("takes knowledge edits through the admin routes, checked by the rules of the files", async () => {
    const bad = await call(`${server.url}/v1/models/helpdesk/knowledge/intents/pay_bill`, {
      method: "PUT",
      body: {
        examples: ["pay my phone bill"],
        answer: "Paid {amount}.",
        slots: { amount: { pattern: "(\\d+)" } },
      },
    });
    assert.equal(bad.status, 400, bad.text);
    assert.equal(errorOf(bad).code, "KNOWLEDGE_INVALID");
    assert.equal(errorOf(bad).field, "/slots/amount");
    const wrongId = await call(`${server.url}/v1/models/helpdesk/knowledge/faqs/gift`, {
      method: "PUT",
      body: { id: "other", question: "q", answer: "a" },
    });
    assert.equal(errorOf(wrongId).field, "/id");
    const badName = await call(`${server.url}/v1/models/helpdesk/knowledge/faqs/no%20spaces`, {
      method: "PUT",
      body: { question: "q", answer: "a" },
    });
    assert.equal(badName.status, 400);
    const ok = await call(`${server.url}/v1/models/helpdesk/knowledge/faqs/gift`, {
      method: "PUT",
      body: { question: "Do you sell gift cards?", answer: "No, we don't." },
    });
    assert.equal(ok.status, 200, ok.text);
    const removed = await call(`${server.url}/v1/models/helpdesk/knowledge/intents/lost_card`, {
      method: "DELETE",
    });
    assert.equal(removed.status, 200, removed.text);
    const listed = await call(`${server.url}/v1/models/helpdesk/knowledge`);
    const body = listed.body as {
      intents: { id: string }[];
      faqs: { id: string }[];
      edits: { kind: string; id: string; body: unknown }[];
    };
    assert.deepEqual(
      body.intents.map((i) => i.id),
      ["balance", "transfer", "lost_card"],
    );
    assert.deepEqual(
      body.edits.map((e) => [e.kind, e.id, e.body === null]),
      [
        ["faq", "gift", false],
        ["intent", "lost_card", true],
      ],
    );
  });

  it("answers 4xx for an unknown conversation, an empty message, a model that is not an assistant", async () => {
    const unknown = await call(`${server.url}/v1/models/helpdesk/chat`, {
      body: { message: "hi", conversation: "nope" },
    });
    assert.equal(unknown.status, 404);
    assert.equal(errorOf(unknown).code, "CONVERSATION_NOT_FOUND");
    const empty = await call(`${server.url}/v1/models/helpdesk/chat`, { body: { message: "   " } });
    assert.equal(empty.status, 400);
    const missing = await call(`${server.url}/v1/models/helpdesk/chat`, { body: {} });
    assert.equal(missing.status, 400);
    assert.equal(errorOf(missing).field, "/message");
    const classifier = await call(`${server.url}/v1/models/topics/chat`, { body: { message: "hi" } });
    assert.equal(classifier.status, 422);
    assert.equal(errorOf(classifier).code, "MODEL_FAMILY_UNSUPPORTED");
    for (const r of [unknown, empty, missing, classifier]) assert.doesNotMatch(r.text, /\.ts:\d+/);
  });

  it("answers single messages on the predict route too, and shows its calibration", async () => {
    const res = await call(`${server.url}/v1/models/helpdesk/predict`, {
      body: { inputs: ["check my balance"] },
    });
    assert.equal(res.status, 200, res.text);
    const [p] = (res.body as { predictions: { path: string; intent: { id: string } }[] }).predictions;
    assert.deepEqual([p!.path, p!.intent.id], ["intent", "balance"]);
    const detail = await call(`${server.url}/v1/models/helpdesk`);
    assert.match(JSON.stringify(detail.body), /"threshold":/);
  });
});
