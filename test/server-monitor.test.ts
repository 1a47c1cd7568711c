/**
 * The monitor in the server, end to end with real components: trained classifiers, a SQLite
 * file, a webhook receiver on loopback. Documents go in through the ingest route (JSON and
 * NDJSON), trends and documents come out, a surge of negative documents raises one alert,
 * which reaches the webhook (after its failures, signed, with an idempotency key) and can
 * be acknowledged. Bad input is a 4xx naming the field; a slow model makes the ingest route
 * answer 503 with Retry-After instead of queueing without bound.
 */
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { mkdirSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { Random } from "../src/core/random.ts";
import { loadClassifierPredictor, type RunningServer, startServer } from "../src/server/index.ts";
import { call, errorOf, tempDir } from "./server-helpers.ts";
import { monitorStream, monitorText, writeMonitorModels } from "./support/monitor-data.ts";

const root = tempDir("server-monitor");
const modelsDir = join(root.path, "models");
const NOW = Date.now();

interface Received {
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

let server: RunningServer;
let hook: Server;
let hookUrl: string;
const received: Received[] = [];
let failuresLeft = 2;

function monitorConfig(extra: Record<string, unknown> = {}) {
  return {
    models: { topic: "topic", sentiment: "sentiment" },
    rules: [
      { id: "neg", kind: "negative_share", window: "10m", baseline: 12, z: 3, minDocs: 15, cooldown: "6h" },
      { id: "crash", kind: "keyword", keywords: ["crash"], window: "10m", minDocs: 1000 },
    ],
    webhooks: [{ url: hookUrl, secret: "s3cret" }],
    ...extra,
  };
}

async function waitFor<T>(what: string, probe: () => Promise<T | null>, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== null) return value;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

before(async () => {
  mkdirSync(modelsDir, { recursive: true });
  await writeMonitorModels(modelsDir);
  hook = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => {
      body += c.toString("utf8");
    });
    req.on("end", () => {
      received.push({ headers: req.headers, body });
      if (failuresLeft > 0) {
        failuresLeft--;
        res.writeHead(503).end("busy");
      } else res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => hook.listen(0, "127.0.0.1", resolve));
  const address = hook.address();
  hookUrl = `http://127.0.0.1:${typeof address === "object" && address !== null ? address.port : 0}/hook`;
  server = await startServer({
    modelsDir,
    dataDir: join(root.path, "data"),
    port: 0,
    auth: "off",
    watchIntervalMs: 0,
    logger: false,
    monitor: { config: monitorConfig(), webhookDelays: { baseDelayMs: 20, maxDelayMs: 50, pollMs: 20 } },
  });
  await server.whenReady();
});

after(async () => {
  await server?.close();
  await new Promise<void>((resolve) => hook.close(() => resolve()));
  root.remove();
});

describe("the monitor's ingest route", () => {
  it("stores documents from a JSON array, labels them, and knows a document sent again", async () => {
    const rng = new Random(3);
    const docs = [
      {
        id: "a1",
        text: monitorText("sport", "positive", rng),
        publishedAt: new Date(NOW - 5 * 3_600_000).toISOString(),
      },
      {
        id: "a2",
        text: monitorText("weather", "negative", rng),
        publishedAt: new Date(NOW - 5 * 3_600_000).toISOString(),
      },
    ];
    const res = await call(`${server.url}/v1/monitor/documents`, { body: docs });
    assert.equal(res.status, 200, res.text);
    const body = res.body as {
      stored: number;
      duplicates: number;
      results: { topic: string; sentiment: string }[];
    };
    assert.equal(body.stored, 2);
    assert.deepEqual(
      body.results.map((r) => [r.topic, r.sentiment]),
      [
        ["sport", "positive"],
        ["weather", "negative"],
      ],
    );
    const again = await call(`${server.url}/v1/monitor/documents`, { body: { documents: docs } });
    assert.deepEqual(
      [(again.body as { stored: number }).stored, (again.body as { duplicates: number }).duplicates],
      [0, 2],
    );
  });

  it("takes NDJSON, one document per line", async () => {
    const lines = [
      JSON.stringify({ text: "match goal team coach great win" }),
      "",
      JSON.stringify({ text: "rain storm cloud wind terrible awful" }),
    ].join("\n");
    const res = await call(`${server.url}/v1/monitor/documents`, {
      raw: lines,
      headers: { "content-type": "application/x-ndjson" },
    });
    assert.equal(res.status, 200, res.text);
    assert.equal((res.body as { stored: number }).stored, 2);
  });

  it("answers 4xx naming the field for bad documents, and stores none of the request", async () => {
    const before = ((await call(`${server.url}/v1/monitor/status`)).body as { documents: number }).documents;
    const missing = await call(`${server.url}/v1/monitor/documents`, {
      body: [{ text: "fine text here" }, { title: "" }],
    });
    assert.equal(missing.status, 400, missing.text);
    assert.equal(errorOf(missing).field, "/1/text");
    const time = await call(`${server.url}/v1/monitor/documents`, {
      body: { documents: [{ text: "x", publishedAt: "last tuesday" }] },
    });
    assert.equal(time.status, 400);
    assert.equal(errorOf(time).code, "DATA_BAD_TIMESTAMP");
    assert.equal(errorOf(time).field, "/documents/0/publishedAt");
    const line = await call(`${server.url}/v1/monitor/documents`, {
      raw: '{"text": "ok"}\n{not json',
      headers: { "content-type": "application/x-ndjson" },
    });
    assert.equal(line.status, 400);
    assert.match(errorOf(line).message ?? "", /line 2/);
    const shape = await call(`${server.url}/v1/monitor/documents`, { body: { text: "not a list" } });
    assert.equal(shape.status, 400);
    const tooMany = await call(`${server.url}/v1/monitor/documents`, {
      body: Array.from({ length: 1001 }, (_, i) => ({ text: `t${i}` })),
    });
    assert.equal(tooMany.status, 413);
    for (const r of [missing, time, line, shape, tooMany]) assert.doesNotMatch(r.text, /\.ts:\d+/);
    const after = ((await call(`${server.url}/v1/monitor/status`)).body as { documents: number }).documents;
    assert.equal(after, before);
  });
});

describe("trends, documents and alerts", () => {
  it("a surge of negative documents raises one alert, delivered to the webhook after its failures", async () => {
    const stream = monitorStream(NOW, { hours: 2, perHour: 60, surge: 40 });
    for (let i = 0; i < stream.length; i += 100) {
      const res = await call(`${server.url}/v1/monitor/documents`, { body: stream.slice(i, i + 100) });
      assert.equal(res.status, 200, res.text);
    }
    const alerts = await waitFor("an alert", async () => {
      const res = await call(`${server.url}/v1/monitor/alerts`);
      const list = (res.body as { alerts: { id: string; rule: string; topic: string; status: string }[] })
        .alerts;
      return list.length > 0 ? list : null;
    });
    assert.equal(alerts.length, 1, JSON.stringify(alerts));
    assert.deepEqual([alerts[0]!.rule, alerts[0]!.topic, alerts[0]!.status], ["neg", "money", "open"]);
    const id = alerts[0]!.id;

    // Two 503s, then a 204: three attempts, all with the same idempotency key, each signed.
    await waitFor("the delivery", async () => (received.length >= 3 ? true : null));
    assert.equal(received.length, 3);
    for (const [i, r] of received.entries()) {
      assert.equal(r.headers["idempotency-key"], id);
      assert.equal(r.headers["x-textkit-attempt"], String(i + 1));
      const signature = `sha256=${createHmac("sha256", "s3cret").update(r.body).digest("hex")}`;
      assert.equal(r.headers["x-textkit-signature"], signature);
      assert.equal((JSON.parse(r.body) as { alert: { id: string } }).alert.id, id);
    }
    const delivered = await waitFor("delivered status", async () => {
      const res = await call(`${server.url}/v1/monitor/alerts`);
      const [a] = (res.body as { alerts: { deliveries: { status: string; attempts: number }[] }[] }).alerts;
      return a!.deliveries[0]!.status === "delivered" ? a! : null;
    });
    assert.equal(delivered.deliveries[0]!.attempts, 3);

    // More documents of the same surge: the cooldown keeps it one alert.
    const more = monitorStream(NOW, { hours: 0, perHour: 0, surge: 20, seed: 99 }).map((d) => ({
      ...d,
      id: `m${d.id}`,
    }));
    await call(`${server.url}/v1/monitor/documents`, { body: more });
    await sleep(1_300);
    assert.equal(
      ((await call(`${server.url}/v1/monitor/alerts`)).body as { alerts: unknown[] }).alerts.length,
      1,
    );

    const ack = await call(`${server.url}/v1/monitor/alerts/${id}/ack`, {
      body: { by: "dana", note: "app fixed" },
    });
    assert.equal(ack.status, 200, ack.text);
    assert.equal(
      (ack.body as { alert: { status: string; acknowledgedBy: string } }).alert.acknowledgedBy,
      "dana",
    );
    const open = await call(`${server.url}/v1/monitor/alerts?status=open`);
    assert.deepEqual((open.body as { alerts: unknown[] }).alerts, []);
    const unknown = await call(`${server.url}/v1/monitor/alerts/no-such-alert/ack`, { body: {} });
    assert.equal(unknown.status, 404);
    assert.equal(errorOf(unknown).code, "ALERT_NOT_FOUND");
  });

  it("trends are dense per bucket and add up to the documents stored", async () => {
    // Whole minutes, from 3 hours before the stream's time to the end of the minute under way
    // now: documents sent without a time carry the time they arrived, which may be a minute
    // or more after NOW.
    const start = Math.floor(NOW / 60_000) * 60_000 - 3 * 3_600_000;
    const end = Math.floor(Date.now() / 60_000) * 60_000 + 60_000;
    const from = new Date(start).toISOString();
    const to = new Date(end).toISOString();
    const res = await call(`${server.url}/v1/monitor/trends?from=${from}&to=${to}&bucket=minute`);
    assert.equal(res.status, 200, res.text);
    const t = res.body as {
      times: string[];
      topics: { topic: string; total: number[]; negative: number[] }[];
      all: { total: number[]; negativeShare: (number | null)[] };
    };
    assert.equal(t.times.length, (end - start) / 60_000);
    for (const s of t.topics) assert.equal(s.total.length, t.times.length);
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    const status = (await call(`${server.url}/v1/monitor/status`)).body as {
      documents: number;
      topics: string[];
    };
    // Everything but the two NDJSON documents (no time: now) and the two from 5 h ago is in range.
    assert.equal(sum(t.all.total), status.documents - 2);
    assert.deepEqual([...status.topics].sort(), ["money", "sport", "weather"]);
    const money = t.topics.find((s) => s.topic === "money")!;
    // The surge was sent over the 8 minutes before NOW.
    const surgeFrom = Math.floor((NOW - 9 * 60_000 - start) / 60_000);
    assert.ok(sum(money.negative.slice(surgeFrom)) >= 40, "the surge is in the last minutes");
    const hours = await call(`${server.url}/v1/monitor/trends?bucket=hour`);
    // The last 24 hours: 24 hour buckets, and one more for the hour under way unless now is on the hour.
    const hourBuckets = (hours.body as { bucket: string; times: string[] }).times.length;
    assert.ok(hourBuckets === 25 || hourBuckets === 24, String(hourBuckets));
    const badLimit = await call(`${server.url}/v1/monitor/documents?limit=0`);
    assert.equal(badLimit.status, 400);
    assert.equal(errorOf(badLimit).field, "/limit");
    const bad = await call(`${server.url}/v1/monitor/trends?from=yesterday`);
    assert.equal(bad.status, 400);
    assert.equal(errorOf(bad).field, "/from");
    const huge = await call(`${server.url}/v1/monitor/trends?from=2020-01-01T00:00:00Z&bucket=minute`);
    assert.equal(huge.status, 400);
  });

  it("lists documents newest first with their labels, a page at a time, and top terms", async () => {
    const first = await call(`${server.url}/v1/monitor/documents?limit=5&topic=money&sentiment=negative`);
    assert.equal(first.status, 200, first.text);
    const page = first.body as {
      documents: { topic: string; sentiment: string; publishedAt: string }[];
      nextCursor: string;
    };
    assert.equal(page.documents.length, 5);
    assert.ok(page.documents.every((d) => d.topic === "money" && d.sentiment === "negative"));
    const times = page.documents.map((d) => Date.parse(d.publishedAt));
    assert.deepEqual(
      times,
      [...times].sort((a, b) => b - a),
    );
    const next = await call(
      `${server.url}/v1/monitor/documents?limit=5&topic=money&sentiment=negative&cursor=${page.nextCursor}`,
    );
    const second = (next.body as { documents: { publishedAt: string }[] }).documents;
    assert.ok(Date.parse(second[0]!.publishedAt) <= times.at(-1)!);
    const terms = await call(`${server.url}/v1/monitor/terms?topic=money&sentiment=negative&limit=5`);
    const list = (terms.body as { terms: { term: string; count: number }[] }).terms;
    assert.equal(list.length, 5);
    assert.ok(list[0]!.count >= list[4]!.count);
    const rules = await call(`${server.url}/v1/monitor/rules`);
    assert.deepEqual(
      (rules.body as { rules: { id: string }[] }).rules.map((r) => r.id),
      ["neg", "crash"],
    );
  });
});

describe("a monitor behind on classifying", () => {
  it("answers 503 with Retry-After while its queue is full, and loses nothing it accepted", async () => {
    const dir = tempDir("server-monitor-slow");
    // The classifier family, with every prediction taking 300 ms.
    const slowClassifier = async (d: string, manifest: Parameters<typeof loadClassifierPredictor>[1]) => {
      // Without its typed model, so that the monitor must come through the slow predict.
      const { loaded: _, predict, ...p } = await loadClassifierPredictor(d, manifest);
      return {
        ...p,
        predict: async (inputs: readonly string[], o: object) => {
          await sleep(300);
          return (await predict?.(inputs, o)) ?? [];
        },
      };
    };
    const slow = await startServer({
      modelsDir,
      dataDir: dir.path,
      port: 0,
      auth: "off",
      watchIntervalMs: 0,
      logger: false,
      families: { classifier: slowClassifier },
      // In the main thread (workers: 0), where the server's own, slow, family loader runs.
      monitor: {
        config: monitorConfig({ rules: [], webhooks: [], maxPending: 10, batchSize: 10, workers: 0 }),
      },
    });
    try {
      await slow.whenReady();
      const rng = new Random(8);
      const batch = (tag: string) =>
        Array.from({ length: 10 }, (_, i) => ({
          id: `${tag}${i}`,
          text: monitorText("sport", "neutral", rng),
        }));
      const first = call(`${slow.url}/v1/monitor/documents`, { body: batch("a") });
      await sleep(100);
      const refused = await call(`${slow.url}/v1/monitor/documents`, { body: batch("b") });
      assert.equal(refused.status, 503, refused.text);
      assert.equal(errorOf(refused).code, "MONITOR_BUSY");
      assert.ok(Number(refused.headers.get("retry-after")) >= 1);
      assert.equal((await first).status, 200);
      const retried = await call(`${slow.url}/v1/monitor/documents`, { body: batch("b") });
      assert.equal(retried.status, 200, retried.text);
      const status = (await call(`${slow.url}/v1/monitor/status`)).body as { documents: number };
      assert.equal(status.documents, 20);
    } finally {
      await slow.close();
      dir.remove();
    }
  });

  it("a server without the monitor says so on its routes", async () => {
    const plain = await startServer({ modelsDir, port: 0, auth: "off", watchIntervalMs: 0, logger: false });
    try {
      const res = await call(`${plain.url}/v1/monitor/status`);
      assert.equal(res.status, 404);
      assert.equal(errorOf(res).code, "MONITOR_DISABLED");
    } finally {
      await plain.close();
    }
  });
});
