/**
 * Confirmation and action webhooks (issue 15 item 10), against a real HTTP server on
 * loopback: the assistant asks before acting, does nothing on a no, calls the webhook with
 * a valid signature on a yes and answers from what it says, and says honestly when the
 * webhook fails or does not answer in time.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, beforeEach, describe, it } from "node:test";
import { writeFormsKnowledge } from "../../../test/support/assist-forms-knowledge.ts";
import { verifyWebhookSignature } from "../../core/index.ts";
import { callAction } from "./action.ts";
import type { Assistant } from "./assistant.ts";
import { NEW_CONVERSATION } from "./conversation-state.ts";
import { loadKnowledge } from "./knowledge.ts";
import type { IntentAction } from "./knowledge-types.ts";
import { trainAssistant } from "./train-assistant.ts";

const SECRET = "s3cret-for-tests";
const root = mkdtempSync(join(tmpdir(), "textkit-action-"));

interface Received {
  body: Record<string, unknown>;
  signed: boolean;
  key: string | undefined;
  attempt: string | undefined;
}

/** What the webhook does with the next requests. */
let behave: (req: IncomingMessage, res: ServerResponse, n: number) => void = () => undefined;
let received: Received[] = [];
let server: Server;
let url = "";
let assistant: Assistant;

before(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      const signature = req.headers["x-textkit-signature"];
      received.push({
        body: JSON.parse(text) as Record<string, unknown>,
        signed: verifyWebhookSignature(SECRET, text, typeof signature === "string" ? signature : undefined),
        key: typeof req.headers["idempotency-key"] === "string" ? req.headers["idempotency-key"] : undefined,
        attempt:
          typeof req.headers["x-textkit-attempt"] === "string" ? req.headers["x-textkit-attempt"] : undefined,
      });
      behave(req, res, received.length);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/actions/transfer`;
  const knowledge = await loadKnowledge(
    writeFormsKnowledge(join(root, "knowledge"), {
      action: { url, secret: SECRET, timeoutMs: 10_000, retries: 1 },
    }),
  );
  assistant = await trainAssistant({ knowledge });
});

beforeEach(() => {
  received = [];
});

after(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(root, { recursive: true, force: true });
});

function answer(status: number, json: unknown): (req: IncomingMessage, res: ServerResponse) => void {
  return (_req, res) => {
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(json));
  };
}

const fast = { baseDelayMs: 5 };

describe("an intent that acts", () => {
  it("asks to confirm with the filled slots, and does nothing on a no", async () => {
    const ask = await assistant.respond("transfer 200 dollars to my savings account", NEW_CONVERSATION, fast);
    assert.equal(ask.path, "confirm", ask.why);
    assert.equal(ask.intent?.id, "transfer");
    assert.match(ask.text, /200 dollars/);
    assert.match(ask.text, /savings/);
    assert.match(ask.text, /\(yes\/no\)/);
    assert.equal(ask.state.phase, "confirming");
    const no = await assistant.respond("no, cancel it", ask.state, { ...fast, conversation: "c-1" });
    assert.equal(no.path, "intent");
    assert.equal(no.text, "All right, I have not done it.");
    assert.deepEqual(no.state, { ...NEW_CONVERSATION, lang: "en" });
    assert.equal(received.length, 0, "no webhook call after a no");
    // In Chinese: 不 declines.
    const zh = await assistant.respond("我想转账五百元", NEW_CONVERSATION, fast);
    assert.equal(zh.path, "confirm", zh.why);
    assert.match(zh.text, /500元/);
    const bu = await assistant.respond("算了", zh.state, fast);
    assert.equal(bu.text, "好的，已取消，没有进行任何操作。");
    assert.equal(received.length, 0);
  });

  it("on a yes calls the webhook, signed, and answers from its fields", async () => {
    behave = answer(200, { fields: { reference: "(ref T-1001)" } });
    const ask = await assistant.respond("transfer 200 dollars to my savings account", NEW_CONVERSATION, fast);
    const yes = await assistant.respond("yes please", ask.state, { ...fast, conversation: "c-2" });
    assert.equal(yes.path, "intent", yes.why);
    assert.equal(yes.text, "Done: 200 dollars is on its way to your savings account. (ref T-1001)");
    assert.deepEqual(yes.action, { status: "done", attempts: 1, error: null });
    assert.deepEqual(yes.state, { ...NEW_CONVERSATION, lang: "en" });
    assert.equal(received.length, 1);
    const [call] = received;
    assert.equal(call!.signed, true, "a valid X-Textkit-Signature");
    assert.deepEqual(call!.body, {
      type: "textkit.assist.action",
      intent: "transfer",
      conversation: "c-2",
      lang: "en",
      slots: { amount: "200 dollars", account: "savings" },
      numbers: { amount: 200 },
    });
  });

  it("uses the webhook's own reply, in Chinese, with the amount read from 五百元", async () => {
    behave = answer(200, { reply: "已向对方转账{amount}，流水号{reference}。", fields: { reference: "88" } });
    const ask = await assistant.respond("我想转账", NEW_CONVERSATION, fast);
    assert.equal(ask.asking, "amount");
    const amount = await assistant.respond("五百元", ask.state, fast);
    assert.equal(amount.path, "confirm", amount.why);
    const yes = await assistant.respond("好的", amount.state, { ...fast, conversation: "c-3" });
    assert.equal(yes.text, "已向对方转账500元，流水号88。");
    assert.deepEqual(received[0]!.body["numbers"], { amount: 500 });
    assert.equal(received[0]!.signed, true);
  });

  it("asks again on neither yes nor no, and confirms a changed value again", async () => {
    const ask = await assistant.respond("transfer 200 dollars to my savings account", NEW_CONVERSATION, fast);
    const unclear = await assistant.respond("hmm", ask.state, fast);
    assert.equal(unclear.path, "confirm");
    assert.match(unclear.text, /^Please answer yes or no\./);
    const changed = await assistant.respond("make it $300", unclear.state, fast);
    assert.equal(changed.path, "confirm", changed.why);
    assert.match(changed.text, /\$300/);
    assert.equal(received.length, 0);
  });

  it("retries a failing webhook, then says it could not confirm the transfer instead of claiming it", async () => {
    behave = answer(503, { error: "down" });
    const ask = await assistant.respond("transfer 200 dollars to my savings account", NEW_CONVERSATION, fast);
    const yes = await assistant.respond("yes", ask.state, { ...fast, conversation: "c-4" });
    assert.equal(yes.action?.status, "failed");
    assert.equal(yes.action?.attempts, 2);
    assert.equal(yes.action?.error, "HTTP 503");
    assert.match(yes.text, /cannot confirm that it was done/);
    assert.doesNotMatch(yes.text, /Done|on its way/);
    assert.equal(received.length, 2);
    assert.deepEqual(
      received.map((r) => [r.attempt, r.key]),
      [
        ["1", received[0]!.key],
        ["2", received[0]!.key],
      ],
      "the same idempotency key on the retry",
    );
    // Retried once, then a success.
    received = [];
    behave = (req, res, n) =>
      n === 1 ? answer(500, {})(req, res) : answer(200, { fields: { reference: "" } })(req, res);
    const again = await assistant.respond("yes", ask.state, { ...fast, conversation: "c-5" });
    assert.equal(again.action?.status, "done");
    assert.equal(again.action?.attempts, 2);
  });

  it("says so in Chinese when the connection breaks, and does not claim the transfer", async () => {
    behave = (req) => req.socket.destroy();
    const ask = await assistant.respond("我想转账五百元", NEW_CONVERSATION, fast);
    const yes = await assistant.respond("确认", ask.state, { ...fast, conversation: "c-6" });
    assert.equal(yes.action?.status, "failed");
    assert.equal(
      yes.text,
      "抱歉，暂时无法连接办理该业务的系统，无法确认是否已办理成功。请稍后再试，或联系人工客服。",
    );
    assert.doesNotMatch(yes.text, /已为您转账/);
    assert.equal(received.length, 2);
  });

  it("says it cannot confirm the transfer when the webhook does not answer in time", async () => {
    behave = () => undefined; // never answers
    const knowledge = await loadKnowledge(
      writeFormsKnowledge(join(root, "knowledge-slow"), {
        action: { url, secret: SECRET, timeoutMs: 100, retries: 0 },
      }),
    );
    const impatient = await trainAssistant({ knowledge });
    const ask = await impatient.respond("transfer 200 dollars to my savings account", NEW_CONVERSATION, fast);
    const yes = await impatient.respond("yes", ask.state, { ...fast, conversation: "c-8" });
    assert.deepEqual(yes.action, { status: "failed", attempts: 1, error: "no answer within 100 ms" });
    assert.match(
      yes.text,
      /^Sorry, I could not reach the system that does this, so I cannot confirm that it was done\./,
    );
    assert.doesNotMatch(yes.text, /Done|on its way/);
  });

  it("reports a refusal (4xx) at once, with the webhook's reason", async () => {
    behave = answer(422, { reply: "Insufficient funds for {amount}." });
    const ask = await assistant.respond("transfer 200 dollars to my savings account", NEW_CONVERSATION, fast);
    const yes = await assistant.respond("yes", ask.state, { ...fast, conversation: "c-7" });
    assert.equal(yes.action?.status, "refused");
    assert.equal(yes.text, "Insufficient funds for 200 dollars.");
    assert.equal(received.length, 1);
  });
});

describe("callAction", () => {
  it("gives up on a webhook that does not answer in time, after its retries", async () => {
    behave = () => undefined; // never answers
    const action: IntentAction = {
      url,
      secret: SECRET,
      timeoutMs: 100,
      retries: 1,
      fields: [],
      failure: null,
    };
    const outcome = await callAction(
      action,
      {
        intent: "transfer",
        slots: { amount: "500元" },
        numbers: { amount: 500 },
        conversation: "c",
        lang: "zh",
      },
      fast,
    );
    assert.deepEqual(outcome, { status: "failed", error: "no answer within 100 ms", attempts: 2 });
  });

  it("sends unsigned without a secret, and reads a 2xx with ok: false as a refusal", async () => {
    behave = answer(200, { ok: false, reply: "Not today." });
    const action: IntentAction = {
      url,
      secret: null,
      timeoutMs: 1000,
      retries: 0,
      fields: [],
      failure: null,
    };
    const outcome = await callAction(action, {
      intent: "transfer",
      slots: {},
      numbers: {},
      conversation: null,
      lang: "en",
    });
    assert.equal(outcome.status, "refused");
    assert.equal(received[0]!.signed, false);
  });
});
