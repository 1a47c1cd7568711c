/**
 * textkitPlugin mounted inside a plain Fastify app, beside the app's own routes: textkit's
 * routes answer under the prefix, in textkit's shapes, with the host's own check of who
 * may call them; the host's routes, 404s and errors stay the host's.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type FastifyInstance, fastify } from "fastify";
import { TextkitError } from "../src/core/index.ts";
import { loadDataset } from "../src/data/index.ts";
import { trainClassifier } from "../src/models/classifier/index.ts";
import { textkitPlugin } from "../src/server/index.ts";

describe("textkitPlugin inside a Fastify app", () => {
  let dir = "";
  let app: FastifyInstance;
  const seen: string[] = [];
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "textkit-plugin-"));
    const train = await loadDataset("samples/intents/train.csv");
    await (await trainClassifier({ train }, { epochs: 3 })).save(join(dir, "models", "intent"));
    app = fastify();
    app.get("/", async () => ({ hello: "world" }));
    app.post("/echo", async (request) => ({ got: request.body }));
    await app.register(textkitPlugin, {
      prefix: "/ml",
      modelsDir: join(dir, "models"),
      watchIntervalMs: 0,
      authenticate: async (request, _reply, scope) => {
        seen.push(scope);
        if (request.headers["x-team"] !== "search") {
          throw new TextkitError("AUTH_REQUIRED", "send the x-team header");
        }
      },
    });
    await app.ready();
    const ready = await waitReady(app);
    assert.equal(ready, 200);
  });
  after(async () => {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("predicts under the prefix, after the host's own check", async () => {
    const refused = await app.inject({
      method: "POST",
      url: "/ml/v1/models/intent/predict",
      payload: { text: "balance" },
    });
    assert.equal(refused.statusCode, 401);
    assert.equal(refused.json().error.code, "AUTH_REQUIRED");
    const res = await app.inject({
      method: "POST",
      url: "/ml/v1/models/intent/predict",
      headers: { "x-team": "search" },
      payload: { text: "what is my balance", k: 2 },
    });
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json();
    assert.equal(body.model, "intent");
    assert.equal(body.predictions[0].labels.length, 2);
    assert.deepEqual(seen.slice(-1), ["predict"]);
    const list = await app.inject({ method: "GET", url: "/ml/v1/models", headers: { "x-team": "search" } });
    assert.equal(list.json().models[0].name, "intent");
  });

  it("answers its own errors in textkit's shape under the prefix, and leaves the host's routes alone", async () => {
    const bad = await app.inject({
      method: "POST",
      url: "/ml/v1/models/intent/predict",
      headers: { "x-team": "search", "content-type": "application/json" },
      payload: "{not json",
    });
    assert.equal(bad.statusCode, 400);
    assert.match(bad.json().error.code, /BODY_INVALID_JSON|INPUT_INVALID/);
    const missing = await app.inject({
      method: "GET",
      url: "/ml/v1/nothing-here",
      headers: { "x-team": "search" },
    });
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.json().error.code, "NOT_FOUND");
    assert.deepEqual((await app.inject({ method: "GET", url: "/" })).json(), { hello: "world" });
    const echo = await app.inject({ method: "POST", url: "/echo", payload: { a: 1 } });
    assert.deepEqual(echo.json(), { got: { a: 1 } });
    // Fastify's own 404 for the host, not textkit's shape.
    const hostMissing = await app.inject({ method: "GET", url: "/nothing" });
    assert.equal(hostMissing.statusCode, 404);
    assert.equal(hostMissing.json().error, "Not Found");
  });
});

async function waitReady(app: FastifyInstance): Promise<number> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const res = await app.inject({ method: "GET", url: "/ml/readyz" });
    if (res.statusCode === 200 || Date.now() > deadline) return res.statusCode;
    await new Promise((r) => setTimeout(r, 50));
  }
}
