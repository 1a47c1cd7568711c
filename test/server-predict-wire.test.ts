/**
 * What a predict request puts on the wire and in /metrics and the access log, pinned exactly
 * (issue 17, item 3 cuts the per-request hooks: this is what must not move). The header set
 * of each response (values too, where they do not change per request), the metric lines of
 * the requests made, and one access line per request.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { RunningServer } from "../src/server/index.ts";
import { ACCESS_LINE_FIELDS, tempDir, trainTopicModel } from "./server-helpers.ts";
import { startTestServer } from "./support/test-server.ts";

const root = tempDir("predict-wire");
const ORIGIN = "https://app.example";
/** The headers of every answer of the server with CORS origins and a rate limit, in order. */
const CORS_LIMITED_HEADERS = [
  "access-control-allow-origin",
  "connection",
  "content-length",
  "content-type",
  "vary",
  "x-ratelimit-limit",
  "x-ratelimit-remaining",
  "x-ratelimit-reset",
];
const lines: string[] = [];
let server: RunningServer;

before(async () => {
  const model = await trainTopicModel(1);
  await model.save(join(root.path, "models", "topics"));
  server = await startTestServer({
    modelsDir: join(root.path, "models"),
    dataDir: join(root.path, "data"),
    cors: { origins: [ORIGIN] },
    rateLimit: { perMinute: 600, burst: 100 },
    logger: { level: "info", stream: { write: (line: string) => lines.push(line) } },
  });
  // The models load in the background; the requests below need them there.
  for (let i = 0; i < 200 && (await fetch(`${server.url}/readyz`)).status !== 200; i++) {
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  lines.length = 0;
});

after(async () => {
  await server?.close();
  root.remove();
});

/**
 * The headers of a response, sorted; left out: date, and keep-alive, which node:http adds or
 * not depending on the connection's state rather than on the request.
 */
function headersOf(res: Response): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of res.headers) if (name !== "date" && name !== "keep-alive") out[name] = value;
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}

async function post(path: string, body: string, headers: Record<string, string> = {}) {
  return fetch(`${server.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: ORIGIN, ...headers },
    body,
  });
}

describe("a predict request on the wire", () => {
  it("answers with exactly these headers and body", async () => {
    const res = await post(
      "/v1/models/topics/predict",
      JSON.stringify({ text: "the coach scored a goal", k: 2 }),
    );
    const body = (await res.json()) as {
      model: string;
      version: string;
      predictions: unknown[];
      truncated: number[];
    };
    assert.equal(res.status, 200);
    const headers = headersOf(res);
    assert.deepEqual(Object.keys(headers), CORS_LIMITED_HEADERS);
    assert.equal(headers["access-control-allow-origin"], ORIGIN);
    assert.equal(headers["content-type"], "application/json; charset=utf-8");
    assert.equal(headers.vary, "Origin");
    assert.equal(headers["x-ratelimit-limit"], "100");
    assert.equal(headers.connection, "keep-alive");
    assert.deepEqual(Object.keys(body), ["model", "version", "predictions", "truncated"]);
    assert.equal(body.model, "topics");
    assert.equal(body.predictions.length, 1);
    assert.deepEqual(body.truncated, []);
  });

  it("answers errors and the CORS preflight with exactly these headers", async () => {
    const bad = await post("/v1/models/topics/predict", "{not json");
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as { error: { code: string } }).error.code, "BODY_INVALID_JSON");
    const unknown = await post("/v1/models/nope/predict", JSON.stringify({ text: "x" }));
    assert.equal(unknown.status, 404);
    await unknown.text();
    for (const res of [bad, unknown]) {
      assert.deepEqual(Object.keys(headersOf(res)), CORS_LIMITED_HEADERS);
    }
    const preflight = await fetch(`${server.url}/v1/models/topics/predict`, {
      method: "OPTIONS",
      headers: {
        origin: ORIGIN,
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization",
      },
    });
    assert.equal(preflight.status, 204);
    assert.deepEqual(headersOf(preflight), {
      "access-control-allow-headers": "Authorization, Content-Type",
      "access-control-allow-methods": "GET, POST",
      "access-control-allow-origin": ORIGIN,
      "access-control-max-age": "600",
      connection: "keep-alive",
      "content-length": "0",
      vary: "Origin",
    });
  });

  it("counts each request once in /metrics (the /readyz polls before them left out), by route pattern and status", async () => {
    const text = await (await fetch(`${server.url}/metrics`)).text();
    const ours = text
      .split("\n")
      .filter((l) =>
        /^(http_requests_total|http_request_duration_seconds_count|textkit_predictions_total)\{/.test(l),
      )
      .filter((l) => !l.includes('route="/readyz"'));
    assert.deepEqual(ours, [
      'http_requests_total{method="POST",route="/v1/models/:name/predict",status="200"} 1',
      'http_requests_total{method="POST",route="/v1/models/:name/predict",status="400"} 1',
      'http_requests_total{method="POST",route="/v1/models/:name/predict",status="404"} 1',
      'http_requests_total{method="OPTIONS",route="*",status="204"} 1',
      'http_request_duration_seconds_count{method="POST",route="/v1/models/:name/predict"} 3',
      'http_request_duration_seconds_count{method="OPTIONS",route="*"} 1',
      'textkit_predictions_total{model="topics"} 1',
    ]);
    const buckets = text
      .split("\n")
      .filter((l) => l.startsWith('http_request_duration_seconds_bucket{le="+Inf",method="POST"'));
    assert.deepEqual(buckets, [
      'http_request_duration_seconds_bucket{le="+Inf",method="POST",route="/v1/models/:name/predict"} 3',
    ]);
  });

  it("writes one access line per request, with its route, status and error code", () => {
    const access = lines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l.msg === "request");
    const summary = access.map((l) => `${l.method} ${l.route} ${l.status} ${l.code ?? "-"}`);
    assert.deepEqual(summary.slice(0, 4), [
      "POST /v1/models/:name/predict 200 -",
      "POST /v1/models/:name/predict 400 BODY_INVALID_JSON",
      "POST /v1/models/:name/predict 404 MODEL_NOT_FOUND",
      "OPTIONS * 204 -",
    ]);
    const first = access[0] ?? {};
    assert.deepEqual(Object.keys(first), ACCESS_LINE_FIELDS);
  });
});

describe("a server without CORS origins", () => {
  let plain: RunningServer;
  before(async () => {
    plain = await startTestServer({
      modelsDir: join(root.path, "models"),
      dataDir: join(root.path, "data-plain"),
    });
    for (let i = 0; i < 200 && (await fetch(`${plain.url}/readyz`)).status !== 200; i++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  });
  after(async () => {
    await plain?.close();
  });

  it("adds no CORS header to a predict response", async () => {
    const res = await fetch(`${plain.url}/v1/models/topics/predict`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: ORIGIN },
      body: JSON.stringify({ text: "the coach scored a goal" }),
    });
    assert.equal(res.status, 200);
    await res.text();
    assert.deepEqual(Object.keys(headersOf(res)), ["connection", "content-length", "content-type"]);
  });

  it("answers a preflight 404 NOT_FOUND, counted as unmatched", async () => {
    const preflight = await fetch(`${plain.url}/v1/models/topics/predict`, {
      method: "OPTIONS",
      headers: { origin: ORIGIN, "access-control-request-method": "POST" },
    });
    const body = await preflight.text();
    assert.equal(preflight.status, 404);
    assert.deepEqual(Object.keys(headersOf(preflight)), ["connection", "content-length", "content-type"]);
    assert.equal((JSON.parse(body) as { error: { code: string } }).error.code, "NOT_FOUND");
    const text = await (await fetch(`${plain.url}/metrics`)).text();
    assert.match(text, /^http_requests_total\{method="OPTIONS",route="unmatched",status="404"\} 1$/m);
  });
});
