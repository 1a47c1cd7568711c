/**
 * The assistant's forms through the server (issue 15 items 10-12): the conversation's state
 * is kept by the store across requests, so this is where a slot used to outlive its request.
 * A transfer is confirmed and carried out by a signed webhook on loopback; a handover and
 * 我想转账 then ask for the amount again; an out-of-scope reply names no intent; the
 * knowledge route does not show the webhook's secret.
 */
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { loadKnowledge, trainAssistant } from "../src/apps/assist/index.ts";
import { verifyWebhookSignature } from "../src/core/webhook-signature.ts";
import { type RunningServer, startServer } from "../src/server/index.ts";
import { call, tempDir } from "./server-helpers.ts";
import { trainWrongChineseTagger, writeFormsKnowledge } from "./support/assist-forms-knowledge.ts";

const SECRET = "server-test-secret";
const root = tempDir("server-assist-forms");
const modelsDir = join(root.path, "models");
let server: RunningServer;
let webhook: Server;
const calls: { body: Record<string, unknown>; signed: boolean; key: string | undefined }[] = [];

interface Chat {
  conversation: string;
  path: string;
  text: string;
  asking: string | null;
  intent: { id: string; confidence: number } | null;
  candidate: { id: string; accepted: boolean } | null;
  action: { status: string; attempts: number; error: string | null } | null;
  slots: Record<string, string>;
  why: string;
}

async function chat(message: string, conversation?: string): Promise<Chat> {
  const res = await call(`${server.url}/v1/models/forms/chat`, {
    body: conversation === undefined ? { message } : { message, conversation },
  });
  assert.equal(res.status, 200, res.text);
  return res.body as Chat;
}

before(async () => {
  webhook = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      const sig = req.headers["x-textkit-signature"];
      const key = req.headers["idempotency-key"];
      calls.push({
        body: JSON.parse(text) as Record<string, unknown>,
        signed: verifyWebhookSignature(SECRET, text, typeof sig === "string" ? sig : undefined),
        key: typeof key === "string" ? key : undefined,
      });
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ fields: { reference: `(ref R-${calls.length})` } }));
    });
  });
  await new Promise<void>((resolve) => webhook.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(webhook.address() as AddressInfo).port}/transfer`;
  mkdirSync(modelsDir, { recursive: true });
  const knowledge = await loadKnowledge(
    writeFormsKnowledge(join(root.path, "knowledge"), { action: { url, secret: SECRET } }),
  );
  const zh = await trainWrongChineseTagger(join(root.path, "tagger"));
  await (await trainAssistant({ knowledge, taggers: { zh } })).save(join(modelsDir, "forms"));
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
  webhook.closeAllConnections();
  await new Promise<void>((resolve) => webhook.close(() => resolve()));
  root.remove();
});

describe("an assistant's forms in the server", () => {
  it("confirms and carries out a transfer by its webhook, then forgets its amount: handover, 我想转账 asks again", async () => {
    const ask = await chat("transfer 200 dollars to my savings account");
    assert.equal(ask.path, "confirm", ask.why);
    const c = ask.conversation;
    const done = await chat("yes", c);
    assert.equal(done.text, "Done: 200 dollars is on its way to your savings account. (ref R-1)");
    assert.deepEqual(done.action, { status: "done", attempts: 1, error: null });
    assert.equal(calls.length, 1);
    assert.equal(calls[0]!.signed, true);
    assert.equal(calls[0]!.body["conversation"], c);
    assert.equal(calls[0]!.key, `${c}:1`);

    const oos = await chat("who painted the mona lisa", c);
    assert.equal(oos.path, "handover", oos.why);
    assert.equal(oos.intent, null, "an out-of-scope reply names no intent");

    const zh = await chat("我想转账", c);
    assert.equal(zh.path, "slot", `${zh.text} (${zh.why})`);
    assert.equal(zh.asking, "amount");
    assert.equal(zh.text, "请问您要转多少钱？");
    const amount = await chat("五百元", c);
    assert.equal(amount.path, "confirm", amount.why);
    assert.match(amount.text, /500元/);
    const no = await chat("不用了", c);
    assert.equal(no.text, "好的，已取消，没有进行任何操作。");
    assert.equal(calls.length, 1, "a no calls nothing");
    const log = await call(`${server.url}/v1/models/forms/conversations/${c}`);
    assert.deepEqual((log.body as { state: { slots: Record<string, string> } }).state.slots, {});
  });

  it("shows the knowledge without the webhook's secret", async () => {
    const res = await call(`${server.url}/v1/models/forms/knowledge`);
    assert.equal(res.status, 200, res.text);
    assert.doesNotMatch(res.text, new RegExp(SECRET));
    assert.match(res.text, /"secret":"\(set\)"/);
  });
});
