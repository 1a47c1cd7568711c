/**
 * The HTTP server end to end: a real server on 127.0.0.1 (port 0), a real classifier trained
 * here, real API keys in a SQLite file.
 */
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import type { TextClassifier } from "../src/models/classifier/index.ts";
import { buildServer, type RunningServer, startServer } from "../src/server/index.ts";
import { ApiKeyStore } from "../src/store/api-keys.ts";
import { openDatabase } from "../src/store/database.ts";
import {
  ACCESS_LINE_FIELDS,
  call,
  errorOf,
  type JsonResponse,
  TEST_FAMILIES,
  tempDir,
  trainTopicModel,
  writeTestArtifact,
} from "./server-helpers.ts";

const root = tempDir("server");
const modelsDir = join(root.path, "models");
let model: TextClassifier;
let secured: RunningServer;
let open: RunningServer;
let limited: RunningServer;
const logLines: string[] = [];
let predictToken = "";
let adminToken = "";
let revokedToken = "";
let keys: ApiKeyStore;

/** No response may carry a stack trace or an internal path. */
function assertNoStack(res: JsonResponse): void {
  assert.doesNotMatch(res.text, /\bat .+:\d+:\d+|node_modules|\.ts:\d+|"stack"/, `stack leaked: ${res.text}`);
}

function assertError(res: JsonResponse, status: number, code: string, field?: string): void {
  assert.equal(res.status, status, res.text);
  const error = errorOf(res);
  assert.equal(error.code, code, res.text);
  assert.ok(typeof error.message === "string" && error.message.length > 0, "a message");
  assert.ok(typeof error.hint === "string" && error.hint.length > 0, "a hint");
  if (field !== undefined) assert.equal(error.field, field, res.text);
  assertNoStack(res);
}

const SPORT = "the coach of the team scored a goal in the match";

before(async () => {
  mkdirSync(modelsDir, { recursive: true });
  model = await trainTopicModel(1);
  await model.save(join(modelsDir, "topics", "v1"));
  // The one-artifact layout: DIR/<name> is the model itself.
  await model.save(join(modelsDir, "single"));
  await writeTestArtifact(join(modelsDir, "failing"), "test-failing");

  const db = await openDatabase(join(root.path, "textkit.db"));
  keys = await ApiKeyStore.open(db);
  predictToken = (await keys.create("app", ["predict"])).token;
  adminToken = (await keys.create("ops", ["admin"])).token;
  const revoked = await keys.create("old", ["predict"]);
  revokedToken = revoked.token;
  await keys.revoke(revoked.key.id);

  secured = await startServer({
    modelsDir,
    port: 0,
    database: db,
    auth: "on",
    maxBatch: 8,
    maxTextChars: 200,
    bodyLimitBytes: 4096,
    families: TEST_FAMILIES,
    watchIntervalMs: 0,
    logger: { level: "info", stream: { write: (line: string) => logLines.push(line) } },
  });
  open = await startServer({
    modelsDir,
    port: 0,
    auth: "off",
    maxTextChars: 20,
    textOverflow: "truncate",
    cors: { origins: ["https://app.example.com"] },
    watchIntervalMs: 0,
    logger: false,
  });
  limited = await startServer({
    modelsDir,
    port: 0,
    database: db,
    auth: "on",
    rateLimit: { perMinute: 60, burst: 2 },
    metricsRequireAuth: true,
    watchIntervalMs: 0,
    logger: false,
  });
  await Promise.all([secured.whenReady(), open.whenReady(), limited.whenReady()]);
});

after(async () => {
  await Promise.all([secured?.close(), open?.close(), limited?.close()]);
  root.remove();
});

const auth = (token: string) => ({ authorization: `Bearer ${token}` });
const predict = (server: RunningServer, body: unknown, token = predictToken, name = "topics") =>
  call(`${server.url}/v1/models/${name}/predict`, { body, headers: auth(token) });

describe("predict", () => {
  it("answers one text with the labels and scores the model itself gives, and the version", async () => {
    const res = await predict(secured, { text: SPORT });
    assert.equal(res.status, 200, res.text);
    const body = res.body as { model: string; version: string; predictions: unknown[]; truncated: number[] };
    assert.equal(body.model, "topics");
    assert.equal(body.version, "v1");
    assert.deepEqual(body.predictions, model.predict([SPORT], {}));
    assert.deepEqual(body.truncated, []);
    assert.equal((body.predictions[0] as { labels: string[] }).labels[0], "sport");
  });

  it("answers a batch with top-k, one prediction per input in order", async () => {
    const inputs = [SPORT, "the bank raised the loan rate", "rain and storm in the forecast"];
    const res = await predict(secured, { inputs, k: 2 });
    assert.equal(res.status, 200, res.text);
    const predictions = (res.body as { predictions: { labels: string[]; scores: number[] }[] }).predictions;
    assert.deepEqual(predictions, model.predict(inputs, { k: 2 }));
    assert.deepEqual(
      predictions.map((p) => p.labels[0]),
      ["sport", "money", "weather"],
    );
    for (const p of predictions) {
      assert.equal(p.labels.length, 2);
      assert.ok(p.scores[0]! >= p.scores[1]!, "best first");
    }
  });

  it("caps k at the number of labels and applies the threshold", async () => {
    const res = await predict(secured, { inputs: [SPORT], k: 50 });
    const p = (res.body as { predictions: { labels: string[] }[] }).predictions[0]!;
    assert.deepEqual([...p.labels].sort(), ["money", "sport", "weather"]);
    const high = await predict(secured, { inputs: [SPORT], k: 3, threshold: 0.999999 });
    assert.equal(high.status, 200);
    assert.deepEqual(
      (high.body as { predictions: unknown[] }).predictions,
      model.predict([SPORT], { k: 3, threshold: 0.999999 }),
    );
  });

  it("serves the one-artifact layout with its creation time as the version", async () => {
    const res = await predict(secured, { text: SPORT }, predictToken, "single");
    assert.equal(res.status, 200, res.text);
    assert.match((res.body as { version: string }).version, /^\d{4}-\d\d-\d\dT/);
  });

  it("truncates over-long texts where configured, and says which", async () => {
    const res = await call(`${open.url}/v1/models/topics/predict`, {
      body: { inputs: ["rain", `${"storm ".repeat(10)}and more`] },
    });
    assert.equal(res.status, 200, res.text);
    const body = res.body as { predictions: unknown[]; truncated: number[] };
    assert.deepEqual(body.truncated, [1]);
    assert.deepEqual(body.predictions[1], model.predict(["storm ".repeat(10).slice(0, 20)], {})[0]);
  });
});

describe("models", () => {
  it("lists the models with family, task, active version, versions and label count", async () => {
    const res = await call(`${secured.url}/v1/models`, { headers: auth(predictToken) });
    assert.equal(res.status, 200, res.text);
    const models = (res.body as { models: Record<string, unknown>[] }).models;
    assert.deepEqual(
      models.map((m) => m["name"]),
      ["failing", "single", "topics"],
    );
    const topics = models.find((m) => m["name"] === "topics")!;
    assert.equal(topics["family"], "classifier");
    assert.equal(topics["task"], "multiclass");
    assert.equal(topics["activeVersion"], "v1");
    assert.equal(topics["layout"], "versions");
    assert.equal(topics["labelCount"], 3);
    const versions = topics["versions"] as {
      version: string;
      state: string;
      createdAt: string;
      error: unknown;
    }[];
    assert.deepEqual(
      versions.map((v) => [v.version, v.state, v.error]),
      [["v1", "active", null]],
    );
    assert.match(versions[0]!.createdAt, /^\d{4}-/);
  });

  it("lists a model of a family the server cannot load as failed, with the reason", async () => {
    const res = await call(`${open.url}/v1/models`);
    const failing = (
      res.body as {
        models: {
          name: string;
          activeVersion: string | null;
          versions: { state: string; error: { code: string } | null }[];
        }[];
      }
    ).models.find((m) => m.name === "failing")!;
    assert.equal(failing.activeVersion, null);
    assert.equal(failing.versions[0]!.state, "failed");
    assert.equal(failing.versions[0]!.error?.code, "MODEL_FAMILY_UNSUPPORTED");
    const predict = await call(`${open.url}/v1/models/failing/predict`, { body: { text: "a" } });
    assertError(predict, 503, "MODEL_UNAVAILABLE");
  });

  it("describes one model: manifest without checksums, metrics and the training run", async () => {
    const res = await call(`${secured.url}/v1/models/topics`, { headers: auth(predictToken) });
    assert.equal(res.status, 200, res.text);
    const body = res.body as {
      manifest: { labels: string[]; family: string; files: Record<string, Record<string, unknown>> };
      metrics: Record<string, unknown> | null;
      details: { run: { runId: string; epochs: number } | null };
    };
    assert.deepEqual(body.manifest.labels, ["money", "sport", "weather"]);
    assert.equal(body.manifest.family, "classifier");
    assert.ok(Object.keys(body.manifest.files).includes("input.f32"));
    for (const entry of Object.values(body.manifest.files)) {
      assert.deepEqual(Object.keys(entry), ["bytes"], "sizes only, no checksums");
    }
    assert.equal(body.details.run?.runId, model.runRecord?.runId);
    assert.equal(body.details.run?.epochs, model.runRecord?.epochs.length);
    assert.deepEqual(body.metrics, model.runRecord?.final);
  });

  it("answers 404 MODEL_NOT_FOUND for an unknown model, and for an inactive version", async () => {
    assertError(await predict(secured, { text: "x" }, predictToken, "nope"), 404, "MODEL_NOT_FOUND");
    assertError(
      await call(`${secured.url}/v1/models/nope`, { headers: auth(predictToken) }),
      404,
      "MODEL_NOT_FOUND",
    );
    assertError(await predict(secured, { text: "x", version: "v9" }), 404, "MODEL_VERSION_NOT_FOUND");
  });
});

describe("bad input", () => {
  const cases: {
    name: string;
    body: unknown;
    status: number;
    code: string;
    field: string;
    message?: RegExp;
  }[] = [
    { name: "no inputs", body: {}, status: 400, code: "INPUT_INVALID", field: "/inputs" },
    {
      name: "inputs of the wrong type",
      body: { inputs: "hello" },
      status: 400,
      code: "INPUT_INVALID",
      field: "/inputs",
    },
    {
      name: "a number among the inputs",
      body: { inputs: ["ok", 5] },
      status: 400,
      code: "INPUT_INVALID",
      field: "/inputs/1",
      message: /\/inputs\/1 must be string/,
    },
    {
      name: "an empty string",
      body: { inputs: [""] },
      status: 400,
      code: "INPUT_INVALID",
      field: "/inputs/0",
    },
    { name: "an empty text", body: { text: "" }, status: 400, code: "INPUT_INVALID", field: "/text" },
    { name: "an empty batch", body: { inputs: [] }, status: 400, code: "INPUT_INVALID", field: "/inputs" },
    {
      name: "both inputs and text",
      body: { inputs: ["a"], text: "b" },
      status: 400,
      code: "INPUT_INVALID",
      field: "/text",
    },
    { name: "k below 1", body: { text: "a", k: 0 }, status: 400, code: "INPUT_INVALID", field: "/k" },
    {
      name: "k not an integer",
      body: { text: "a", k: 1.5 },
      status: 400,
      code: "INPUT_INVALID",
      field: "/k",
    },
    { name: "k as a string", body: { text: "a", k: "2" }, status: 400, code: "INPUT_INVALID", field: "/k" },
    {
      name: "an unknown field",
      body: { text: "a", topk: 3 },
      status: 400,
      code: "INPUT_INVALID",
      field: "/topk",
      message: /\/topk is not a known field/,
    },
    {
      name: "a batch over the limit",
      body: { inputs: Array.from({ length: 9 }, () => "a") },
      status: 413,
      code: "BATCH_TOO_LARGE",
      field: "/inputs",
      message: /at most 8/,
    },
    {
      name: "a text over maxTextChars (reject mode)",
      body: { inputs: ["fine", "x".repeat(201)] },
      status: 413,
      code: "TEXT_TOO_LONG",
      field: "/inputs/1",
      message: /201 characters.*at most 200/,
    },
  ];
  for (const c of cases) {
    it(`${c.name} -> ${c.status} ${c.code} at ${c.field}`, async () => {
      const res = await predict(secured, c.body);
      assertError(res, c.status, c.code, c.field);
      if (c.message !== undefined) assert.match(errorOf(res).message!, c.message);
    });
  }

  it("a body over the limit -> 413 BODY_TOO_LARGE", async () => {
    const res = await predict(secured, { inputs: ["word ".repeat(1000)] });
    assertError(res, 413, "BODY_TOO_LARGE");
    assert.match(errorOf(res).message!, /4096 bytes/);
  });

  it("malformed JSON -> 400 BODY_INVALID_JSON", async () => {
    const res = await call(`${secured.url}/v1/models/topics/predict`, {
      raw: '{"inputs": ["a",',
      headers: { ...auth(predictToken), "content-type": "application/json" },
    });
    assertError(res, 400, "BODY_INVALID_JSON");
  });

  it("a body that is not JSON -> 415 UNSUPPORTED_MEDIA_TYPE", async () => {
    const res = await call(`${secured.url}/v1/models/topics/predict`, {
      raw: "inputs=a",
      headers: { ...auth(predictToken), "content-type": "text/plain" },
    });
    assertError(res, 415, "UNSUPPORTED_MEDIA_TYPE");
  });

  it("a bad model name in the path -> 400 with the parameter named", async () => {
    const res = await call(`${secured.url}/v1/models/${encodeURIComponent("../etc")}/predict`, {
      body: { text: "a" },
      headers: auth(predictToken),
    });
    assertError(res, 400, "INPUT_INVALID", "/name");
  });

  it("an unknown route -> 404 NOT_FOUND as JSON", async () => {
    const res = await call(`${secured.url}/v2/whatever`);
    assertError(res, 404, "NOT_FOUND");
    assert.match(res.headers.get("content-type") ?? "", /application\/json/);
  });

  it("a model that throws -> 500 INTERNAL with a generic message, the details only in the log", async () => {
    const res = await predict(secured, { text: "hello there" }, predictToken, "failing");
    assertError(res, 500, "INTERNAL");
    assert.doesNotMatch(res.text, /cannot handle|RangeError|offset 7/);
    const requestId = (res.body as { error: { requestId: string } }).error.requestId;
    const logged = logLines.find((l) => l.includes(requestId) && l.includes("cannot handle"));
    assert.ok(logged !== undefined, "the error and its stack are logged with the request id");
    assert.match(logged, /"stack"/);
  });
});

describe("auth", () => {
  it("401 AUTH_REQUIRED without a key, with a challenge", async () => {
    const res = await call(`${secured.url}/v1/models/topics/predict`, { body: { text: SPORT } });
    assertError(res, 401, "AUTH_REQUIRED");
    assert.match(res.headers.get("www-authenticate") ?? "", /^Bearer realm="textkit"/);
  });

  it("401 for an unknown, malformed or revoked token", async () => {
    for (const token of ["tk_not_a_real_key", revokedToken]) {
      const res = await predict(secured, { text: SPORT }, token);
      assertError(res, 401, "AUTH_REQUIRED");
      assert.match(res.headers.get("www-authenticate") ?? "", /error="invalid_token"/);
    }
    const basic = await call(`${secured.url}/v1/models`, { headers: { authorization: "Basic YTpi" } });
    assertError(basic, 401, "AUTH_REQUIRED");
  });

  it("403 AUTH_FORBIDDEN for a predict key on an admin route; 200 with the admin key", async () => {
    const forbidden = await call(`${secured.url}/v1/admin/reload`, {
      method: "POST",
      headers: auth(predictToken),
    });
    assertError(forbidden, 403, "AUTH_FORBIDDEN");
    assert.match(forbidden.headers.get("www-authenticate") ?? "", /insufficient_scope/);
    const ok = await call(`${secured.url}/v1/admin/reload`, { method: "POST", headers: auth(adminToken) });
    assert.equal(ok.status, 200, ok.text);
  });

  it("an admin key may also predict", async () => {
    assert.equal((await predict(secured, { text: SPORT }, adminToken)).status, 200);
  });

  it("health, readiness and metrics need no key", async () => {
    for (const path of ["/healthz", "/readyz", "/metrics"]) {
      assert.equal((await call(`${secured.url}${path}`)).status, 200, path);
    }
  });

  it("without keys (auth off) admin routes answer this machine only", async () => {
    const local = await call(`${open.url}/v1/admin/reload`, { method: "POST" });
    assert.equal(local.status, 200, local.text);
    const remote = await open.app.inject({
      method: "POST",
      url: "/v1/admin/reload",
      remoteAddress: "10.1.2.3",
    });
    assert.equal(remote.statusCode, 401);
    assert.equal((remote.json() as { error: { code: string } }).error.code, "AUTH_REQUIRED");
  });

  it("a key revoked while the server runs stops working within a second", async () => {
    const { key, token } = await keys.create("short-lived", ["predict"]);
    assert.equal((await predict(secured, { text: SPORT }, token)).status, 200);
    await keys.revoke(key.id);
    await sleep(1100);
    assertError(await predict(secured, { text: SPORT }, token), 401, "AUTH_REQUIRED");
  });

  it("auto mode turns on once the first key exists", async () => {
    const dir = tempDir("server-auto");
    const db = await openDatabase(join(dir.path, "keys.db"));
    const store = await ApiKeyStore.open(db);
    const server = await startServer({
      modelsDir,
      port: 0,
      database: db,
      auth: "auto",
      logger: false,
      watchIntervalMs: 0,
    });
    try {
      await server.whenReady();
      const before = await call(`${server.url}/v1/models/topics/predict`, { body: { text: SPORT } });
      assert.equal(before.status, 200, "no key exists yet: open");
      const { token } = await store.create("first", ["predict"]);
      await sleep(1100);
      assertError(
        await call(`${server.url}/v1/models/topics/predict`, { body: { text: SPORT } }),
        401,
        "AUTH_REQUIRED",
      );
      assert.equal((await predict(server, { text: SPORT }, token)).status, 200);
    } finally {
      await server.close();
      await db.close();
      dir.remove();
    }
  });
});

describe("limits", () => {
  it("429 RATE_LIMITED with Retry-After once a key's burst is spent; other keys unaffected", async () => {
    const statuses: number[] = [];
    let last: JsonResponse | null = null;
    for (let i = 0; i < 3; i++) {
      last = await predict(limited, { text: SPORT });
      statuses.push(last.status);
    }
    assert.deepEqual(statuses, [200, 200, 429]);
    assertError(last!, 429, "RATE_LIMITED");
    const retryAfter = Number(last!.headers.get("retry-after"));
    assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}`);
    assert.equal(
      (await predict(limited, { text: SPORT }, adminToken)).status,
      200,
      "a separate budget per key",
    );
  });
});

describe("CORS", () => {
  it("is closed by default: no Access-Control-Allow-Origin for any origin", async () => {
    const res = await call(`${secured.url}/healthz`, { headers: { origin: "https://app.example.com" } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get("access-control-allow-origin"), null);
    const preflight = await fetch(`${secured.url}/v1/models/topics/predict`, {
      method: "OPTIONS",
      headers: { origin: "https://app.example.com", "access-control-request-method": "POST" },
    });
    assert.equal(preflight.headers.get("access-control-allow-origin"), null);
  });

  it("allows a configured origin, including its preflight, and no other", async () => {
    const res = await call(`${open.url}/v1/models`, { headers: { origin: "https://app.example.com" } });
    assert.equal(res.headers.get("access-control-allow-origin"), "https://app.example.com");
    const preflight = await fetch(`${open.url}/v1/models/topics/predict`, {
      method: "OPTIONS",
      headers: {
        origin: "https://app.example.com",
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization,content-type",
      },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get("access-control-allow-origin"), "https://app.example.com");
    assert.match(preflight.headers.get("access-control-allow-headers") ?? "", /Authorization/i);
    const other = await call(`${open.url}/v1/models`, { headers: { origin: "https://evil.example.com" } });
    assert.equal(other.headers.get("access-control-allow-origin"), null);
  });
});

describe("observability", () => {
  function counter(text: string, labels: string): number {
    const line = text.split("\n").find((l) => l.startsWith(`http_requests_total{${labels}}`));
    return line === undefined ? 0 : Number(line.split(" ").pop());
  }

  it("/metrics counts requests by route and status, and reports models loaded and latency", async () => {
    const ok = 'method="POST",route="/v1/models/:name/predict",status="200"';
    const bad = 'method="POST",route="/v1/models/:name/predict",status="400"';
    const before = (await call(`${open.url}/metrics`)).text;
    for (let i = 0; i < 3; i++) await call(`${open.url}/v1/models/topics/predict`, { body: { text: SPORT } });
    await call(`${open.url}/v1/models/topics/predict`, { body: { inputs: [] } });
    const res = await call(`${open.url}/metrics`);
    assert.match(res.headers.get("content-type") ?? "", /text\/plain/);
    assert.equal(counter(res.text, ok) - counter(before, ok), 3);
    assert.equal(counter(res.text, bad) - counter(before, bad), 1);
    assert.match(
      res.text,
      /^textkit_models_loaded 2$/m,
      "topics and single; this server has no test families",
    );
    // Counted when scraped: the scrape itself is the one request in flight.
    assert.match(res.text, /^http_requests_in_flight 1$/m);
    assert.match(
      res.text,
      /^http_request_duration_seconds_bucket\{le="0.005",method="POST",route="\/v1\/models\/:name\/predict"\} \d+$/m,
    );
    assert.match(res.text, /^textkit_predictions_total\{model="topics"\} \d+$/m);
  });

  it("/metrics can be made to require the admin scope", async () => {
    assertError(await call(`${limited.url}/metrics`), 401, "AUTH_REQUIRED");
    assert.equal((await call(`${limited.url}/metrics`, { headers: auth(adminToken) })).status, 200);
  });

  it("/readyz answers 503 until the models are loaded, /healthz 200 all along", async () => {
    const dir = tempDir("server-ready");
    await writeTestArtifact(join(dir.path, "gated"), "test-gated");
    let release = (): void => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const app = await buildServer({
      modelsDir: dir.path,
      auth: "off",
      logger: false,
      watchIntervalMs: 0,
      families: {
        "test-gated": async () => {
          await gate;
          return { predict: (inputs) => inputs.map(() => null) };
        },
      },
    });
    try {
      const loading = await app.inject({ url: "/readyz" });
      assert.equal(loading.statusCode, 503);
      assert.deepEqual(loading.json(), { status: "loading", models: 0 });
      assert.equal((await app.inject({ url: "/healthz" })).statusCode, 200);
      release();
      await app.textkit.registry.whenReady();
      const ready = await app.inject({ url: "/readyz" });
      assert.equal(ready.statusCode, 200);
      assert.deepEqual(ready.json(), { status: "ready", models: 1 });
    } finally {
      await app.close();
      dir.remove();
    }
  });

  it("/readyz and /healthz answer", async () => {
    const ready = await call(`${open.url}/readyz`);
    assert.equal(ready.status, 200);
    assert.deepEqual(ready.body, { status: "ready", models: 2 });
    assert.deepEqual((await call(`${open.url}/healthz`)).body, { status: "ok" });
  });

  it("/openapi.json documents the predict route with the schema that validates it", async () => {
    const res = await call(`${secured.url}/openapi.json`);
    assert.equal(res.status, 200);
    const doc = res.body as {
      openapi: string;
      paths: Record<
        string,
        Record<
          string,
          {
            requestBody?: {
              content: Record<string, { schema: { properties: Record<string, { maxItems?: number }> } }>;
            };
            security?: unknown[];
          }
        >
      >;
    };
    assert.match(doc.openapi, /^3\./);
    const op = doc.paths["/v1/models/{name}/predict"]?.["post"];
    assert.ok(op !== undefined, Object.keys(doc.paths).join(", "));
    const schema = op.requestBody!.content["application/json"]!.schema;
    assert.deepEqual(Object.keys(schema.properties).sort(), ["inputs", "k", "text", "threshold", "version"]);
    assert.equal(schema.properties["inputs"]!.maxItems, 8, "the configured batch limit is documented");
    assert.deepEqual(op.security, [{ bearer: [] }]);
    assert.ok(doc.paths["/v1/admin/models/{name}/activate"] !== undefined);
    assert.ok(doc.paths["/healthz"] !== undefined);
  });

  it("/docs serves the documentation page", async () => {
    const res = await fetch(`${secured.url}/docs/`, { redirect: "follow" });
    assert.equal(res.status, 200);
    assert.match(await res.text(), /swagger/i);
  });

  it("logs one JSON line per request with route, status, time and key id, never the token", async () => {
    const before = logLines.length;
    const res = await predict(secured, { text: SPORT });
    assert.equal(res.status, 200);
    const lines = logLines.slice(before).map((l) => JSON.parse(l) as Record<string, unknown>);
    const access = lines.filter((l) => l["msg"] === "request");
    assert.equal(access.length, 1, JSON.stringify(lines));
    const line = access[0]!;
    assert.equal(line["route"], "/v1/models/:name/predict");
    assert.equal(line["status"], 200);
    assert.equal(typeof line["ms"], "number");
    const key = (await keys.list()).find((k) => k.name === "app")!;
    assert.equal(line["keyId"], key.id);
    assert.ok(!logLines.some((l) => l.includes(predictToken)), "the token never appears in the log");
  });

  it("masks personal data in logged text: e-mail, phone numbers, ID and card numbers", async () => {
    const personal = [
      "zhang.wei@example.com",
      "13812345678",
      "+44 20 7946 0958",
      "11010519491231002X",
      "4111111111111111",
    ];
    const before = logLines.length;
    const text = `contact ${personal[0]} or ${personal[1]} / ${personal[2]}, id ${personal[3]}, card ${personal[4]}`;
    const res = await predict(secured, { text }, predictToken, "failing");
    assert.equal(res.status, 500);
    await call(`${secured.url}/v1/models?email=${encodeURIComponent(personal[0]!)}&phone=${personal[1]}`, {
      headers: auth(predictToken),
    });
    const written = logLines.slice(before).join("\n");
    assert.match(written, /cannot handle/, "the failing model's message was logged");
    assert.match(written, /"url":"\/v1\/models\?email=/, "the URL was logged");
    for (const value of personal) {
      assert.ok(!written.includes(value), `${value} must be masked in: ${written}`);
      assert.ok(!written.includes(encodeURIComponent(value)), `${value} must be masked (URL-encoded)`);
    }
  });
  it("gives a request's own log lines and its access line one request id, a new one per request", async () => {
    const before = logLines.length;
    assert.equal((await predict(secured, { text: "x" }, predictToken, "failing")).status, 500);
    assert.equal((await predict(secured, { text: SPORT })).status, 200);
    const lines = logLines.slice(before).map((l) => JSON.parse(l) as Record<string, unknown>);
    const failed = lines.find((l) => l["msg"] === "request failed");
    const access = lines.filter((l) => l["msg"] === "request");
    assert.ok(failed !== undefined && access.length === 2, JSON.stringify(lines));
    assert.match(String(failed["reqId"]), /^[0-9a-f-]{36}$/);
    assert.equal(access[0]?.["reqId"], failed["reqId"]);
    assert.notEqual(access[1]?.["reqId"], failed["reqId"]);
    assert.deepEqual(Object.keys(access[1] ?? {}), ACCESS_LINE_FIELDS);
    assert.deepEqual(Object.keys(access[0] ?? {}).slice(-2), ["code", "msg"]);
  });
});
