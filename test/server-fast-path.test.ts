/**
 * The predict fast path (src/server/fast-predict.ts) against fastify's path: the same
 * requests to a server with it on and one with it off (`fastPath: false`) give the same
 * status, headers (but date and keep-alive), body bytes, metric lines and access lines.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { RunningServer, ServerConfig } from "../src/server/index.ts";
import { ApiKeyStore } from "../src/store/api-keys.ts";
import type { Database } from "../src/store/database.ts";
import { openDatabase } from "../src/store/database.ts";
import { tempDir, trainTopicModel } from "./server-helpers.ts";
import { startTestServer } from "./support/test-server.ts";

const root = tempDir("fast-path");
const modelsDir = join(root.path, "models");
const ORIGIN = "https://app.example";
let db: Database;
let predictToken = "";
let monitorToken = "";

/** A server and the log lines it wrote. */
interface Logged {
  server: RunningServer;
  lines: string[];
}

const started: Logged[] = [];

async function start(config: Partial<ServerConfig>): Promise<Logged> {
  const lines: string[] = [];
  const server = await startTestServer({
    modelsDir,
    database: db,
    auth: "on",
    maxBatch: 8,
    bodyLimitBytes: 4096,
    logger: { level: "info", stream: { write: (line: string) => lines.push(line) } },
    ...config,
  });
  started.push({ server, lines });
  await server.whenReady();
  return { server, lines };
}

before(async () => {
  const model = await trainTopicModel(1);
  await model.save(join(modelsDir, "topics"));
  db = await openDatabase(join(root.path, "textkit.db"));
  const keys = await ApiKeyStore.open(db);
  predictToken = (await keys.create("app", ["predict"])).token;
  monitorToken = (await keys.create("ops", ["monitor"])).token;
});

after(async () => {
  for (const { server } of started) await server.close();
  root.remove();
});

/** One request: path, body and headers. */
interface Sent {
  path?: string;
  body: string;
  headers?: Record<string, string>;
  method?: string;
}

/** What a response shows: status, headers but date and keep-alive (sorted), body (request id left out). */
async function answerOf(server: RunningServer, sent: Sent): Promise<string> {
  const res = await fetch(`${server.url}${sent.path ?? "/v1/models/topics/predict"}`, {
    method: sent.method ?? "POST",
    headers: {
      "content-type": "application/json",
      authorization: `Bearer ${predictToken}`,
      ...sent.headers,
    },
    ...(sent.method === "OPTIONS" ? {} : { body: sent.body }),
  });
  const headers = [...res.headers]
    .filter(([name]) => name !== "date" && name !== "keep-alive")
    .sort(([a], [b]) => a.localeCompare(b));
  // An error body names its request's id, which differs per request.
  const body = (await res.text()).replace(/"requestId":"[0-9a-f-]{36}"/, '"requestId":"<id>"');
  return JSON.stringify({ status: res.status, headers, body });
}

/** The request metric lines, without the /readyz and /metrics requests. */
async function metricLines(server: RunningServer): Promise<string[]> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  return text
    .split("\n")
    .filter((l) =>
      /^(http_requests_total|http_request_duration_seconds_count|http_requests_in_flight|textkit_predictions_total)\b/.test(
        l,
      ),
    )
    .filter((l) => !l.includes('route="/readyz"') && !l.includes('route="/metrics"'));
}

/** The access lines, without the fields that differ per request (time, reqId, ms). */
function accessLines(lines: readonly string[]): Record<string, unknown>[] {
  return lines
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((entry) => entry.msg === "request" && entry.route !== "/metrics")
    .map((entry) => {
      assert.match(String(entry.reqId), /^[0-9a-f-]{36}$/);
      assert.equal(typeof entry.ms, "number");
      assert.equal(typeof entry.time, "number");
      const { time: _time, reqId: _reqId, ms: _ms, ...rest } = entry;
      return rest;
    });
}

/** Sends each request to both servers in turn; asserts the same answers, metrics and log. */
async function assertSame(fast: Logged, slow: Logged, requests: readonly Sent[]): Promise<number[]> {
  const statuses: number[] = [];
  for (const sent of requests) {
    const a = await answerOf(fast.server, sent);
    const b = await answerOf(slow.server, sent);
    assert.equal(a, b, `${sent.method ?? "POST"} ${sent.path ?? "predict"} ${sent.body}`);
    statuses.push((JSON.parse(a) as { status: number }).status);
  }
  assert.deepEqual(await metricLines(fast.server), await metricLines(slow.server));
  const fastLines = accessLines(fast.lines);
  assert.equal(fastLines.length, requests.length);
  assert.deepEqual(fastLines, accessLines(slow.lines));
  return statuses;
}

const big = JSON.stringify({ text: "x".repeat(5000) });

describe("the predict fast path", () => {
  it("answers like fastify, byte for byte, with the same metrics and access lines", async () => {
    const fast = await start({});
    const slow = await start({ fastPath: false });
    assert.equal(slow.server.app.textkit.fastPath, null);
    const requests: Sent[] = [
      // The first use of a token goes to fastify (the key store is asked); later ones are cached.
      { body: JSON.stringify({ text: "warm the key cache" }) },
      { body: JSON.stringify({ text: "the coach scored a goal", k: 2 }) },
      { body: JSON.stringify({ inputs: ["the coach scored", "a new phone", "the match"], k: 3 }) },
      { body: JSON.stringify({ text: "a long text", threshold: 0.01, version: "nope" }) },
      { body: "{not json" },
      { body: JSON.stringify({ text: 5 }) },
      { body: JSON.stringify({ text: "x", extra: true }) },
      { body: JSON.stringify({ text: "x", inputs: ["y"] }) },
      { body: JSON.stringify({ text: "x" }), headers: { authorization: "" } },
      { body: JSON.stringify({ text: "x" }), headers: { authorization: "Bearer not-a-key" } },
      { body: JSON.stringify({ text: "x" }), headers: { authorization: `Bearer ${monitorToken}` } },
      { body: JSON.stringify({ text: "x" }), headers: { authorization: `Bearer ${monitorToken}` } },
      { path: "/v1/models/nope/predict", body: JSON.stringify({ text: "x" }) },
      { path: "/v1/models/topics/predict?k=2", body: JSON.stringify({ text: "x" }) },
      { body: big },
      { body: JSON.stringify({ text: "x" }), headers: { "content-type": "text/plain" } },
      { body: JSON.stringify({ text: "x" }), headers: { "content-type": "application/json; charset=utf-8" } },
    ];
    const statuses = await assertSame(fast, slow, requests);
    assert.deepEqual(
      statuses,
      [200, 200, 200, 404, 400, 400, 400, 400, 401, 401, 403, 403, 404, 200, 413, 415, 200],
    );
    // The cached-token successes: 1 text, a batch, the one with charset.
    assert.equal(fast.server.app.textkit.fastPath?.served, 3);
  });

  it("serves without keys when auth is off, with keyId null in the access line", async () => {
    const fast = await start({ auth: "off" });
    const slow = await start({ auth: "off", fastPath: false });
    const body = JSON.stringify({ inputs: ["the coach scored a goal", "a phone"], k: 1 });
    const statuses = await assertSame(fast, slow, [{ body, headers: { authorization: "" } }]);
    assert.deepEqual(statuses, [200]);
    assert.equal(fast.server.app.textkit.fastPath?.served, 1);
  });

  it("steps aside with a rate limit or CORS origins, which fastify's plugins answer", async () => {
    const fast = await start({ rateLimit: { perMinute: 60, burst: 2 }, cors: { origins: [ORIGIN] } });
    const slow = await start({
      rateLimit: { perMinute: 60, burst: 2 },
      cors: { origins: [ORIGIN] },
      fastPath: false,
    });
    assert.equal(fast.server.app.textkit.fastPath, null);
    const text = JSON.stringify({ text: "the coach scored a goal" });
    const statuses = await assertSame(fast, slow, [
      { body: text, headers: { origin: ORIGIN } },
      { body: text, headers: { origin: ORIGIN } },
      { body: text, headers: { origin: ORIGIN } },
      {
        method: "OPTIONS",
        body: "",
        headers: { origin: ORIGIN, "access-control-request-method": "POST" },
      },
    ]);
    assert.deepEqual(statuses, [200, 200, 429, 204]);
  });
});
