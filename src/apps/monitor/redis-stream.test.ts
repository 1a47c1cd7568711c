import assert from "node:assert/strict";
import { after, afterEach, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { createClient } from "@redis/client";
import { type RedisServer, redisSkip, startRedis } from "../../../test/support/redis.ts";
import { TextkitError } from "../../core/index.ts";
import type { RedisStreamConfig } from "./config.ts";
import { type DocumentSink, documentKey, type IngestOutcome, type MonitorDocumentInput } from "./document.ts";
import { RedisStreamConsumer, type RedisStreamConsumerOptions } from "./redis-stream.ts";

/** A sink that keeps documents by key, like the pipeline, and remembers every document it was handed. */
class RecordingSink implements DocumentSink {
  readonly stored = new Map<string, MonitorDocumentInput>();
  /** Every document of every successful call, in order (a document handed twice is here twice). */
  readonly taken: MonitorDocumentInput[] = [];
  calls = 0;
  busyCalls = 0;
  /** Calls answered MONITOR_BUSY before the sink takes documents again. */
  busyFor = 0;

  async submit(documents: readonly MonitorDocumentInput[]): Promise<IngestOutcome> {
    this.calls++;
    if (this.busyFor > 0) {
      this.busyFor--;
      this.busyCalls++;
      throw new TextkitError("MONITOR_BUSY", "the monitor is behind", { details: { retryAfterMs: 30 } });
    }
    const results = documents.map((doc) => {
      const key = documentKey(doc);
      const status = this.stored.has(key) ? ("duplicate" as const) : ("stored" as const);
      this.stored.set(key, doc);
      this.taken.push(doc);
      return { key, status, topic: null, sentiment: null };
    });
    const stored = results.filter((r) => r.status === "stored").length;
    return { stored, duplicates: results.length - stored, results };
  }
}

/** A sink that takes the documents and never answers, like a process that hangs or dies mid-batch. */
class HangingSink implements DocumentSink {
  calls = 0;
  submit(): Promise<IngestOutcome> {
    this.calls++;
    return new Promise(() => undefined);
  }
}

/** A sink that always fails with an error that is not MONITOR_BUSY. */
class FailingSink implements DocumentSink {
  calls = 0;
  async submit(): Promise<IngestOutcome> {
    this.calls++;
    throw new TextkitError("STORE_UNAVAILABLE", "the database is gone");
  }
}

/** A sink that stores after a pause, and counts how many submissions it held at once. */
class SlowSink extends RecordingSink {
  inside = 0;
  mostInside = 0;
  constructor(private readonly delayMs: number) {
    super();
  }
  override async submit(documents: readonly MonitorDocumentInput[]): Promise<IngestOutcome> {
    this.inside++;
    this.mostInside = Math.max(this.mostInside, this.inside);
    try {
      await sleep(this.delayMs);
      return await super.submit(documents);
    } finally {
      this.inside--;
    }
  }
}

async function waitFor(
  what: string,
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 5000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

describe("RedisStreamConsumer", { skip: redisSkip() }, () => {
  let redis: RedisServer;
  let admin: ReturnType<typeof createClient>;
  const consumers: RedisStreamConsumer[] = [];
  let streams = 0;

  before(async () => {
    redis = await startRedis();
    admin = createClient({ url: redis.url });
    admin.on("error", () => undefined);
    await admin.connect();
  });
  after(async () => {
    admin?.destroy();
    await redis?.stop();
  });
  afterEach(async () => {
    for (const c of consumers.splice(0)) await c.stop();
  });

  function config(extra: Partial<RedisStreamConfig> = {}): RedisStreamConfig {
    const stream = extra.stream ?? `posts-${++streams}`;
    return {
      url: redis.url,
      stream,
      group: "textkit-monitor",
      consumer: "c1",
      batchSize: 50,
      startFrom: "beginning",
      claimIdleMs: 60_000,
      removeIdleMs: 600_000,
      deadLetterStream: `${stream}:dead`,
      ...extra,
    };
  }

  function consumer(options: Omit<RedisStreamConsumerOptions, "stopTimeoutMs"> & { stopTimeoutMs?: number }) {
    const c = new RedisStreamConsumer({ stopTimeoutMs: 2000, ...options });
    consumers.push(c);
    return c;
  }

  async function pending(stream: string, group = "textkit-monitor"): Promise<number> {
    return Number((await admin.xPending(stream, group)).pending);
  }

  async function addDocs(stream: string, count: number, from = 0): Promise<void> {
    for (let i = from; i < from + count; i++)
      await admin.xAdd(stream, "*", { id: `d${i}`, text: `Post number ${i}` });
  }

  test("entries (a JSON doc field or flat fields) reach the sink and are acknowledged", async () => {
    const cfg = config();
    await admin.xAdd(cfg.stream, "*", {
      doc: JSON.stringify({
        id: "j1",
        text: "Acme shares fell",
        source: "wire",
        lang: "en",
        publishedAt: "2026-12-01T10:00:00Z",
      }),
    });
    await admin.xAdd(cfg.stream, "*", {
      id: "f1",
      title: "Flat",
      text: "A flat entry",
      url: "https://example.com/f1",
      publishedAt: "1764583200",
    });
    await admin.xAdd(cfg.stream, "*", { text: "苹果发布了新款手机" });
    const sink = new RecordingSink();
    const c = consumer({ config: cfg, sink });
    await c.start();
    await waitFor("three documents", () => c.status().processed === 3);
    assert.deepEqual(
      [...sink.stored.values()],
      [
        {
          id: "j1",
          text: "Acme shares fell",
          source: "wire",
          lang: "en",
          publishedAt: Date.parse("2026-12-01T10:00:00Z"),
        },
        {
          id: "f1",
          title: "Flat",
          text: "A flat entry",
          url: "https://example.com/f1",
          source: cfg.stream,
          publishedAt: 1764583200_000,
        },
        { text: "苹果发布了新款手机", source: cfg.stream },
      ],
    );
    await waitFor("nothing pending", async () => (await pending(cfg.stream)) === 0);
    await waitFor("the status to show nothing pending", () => c.status().pending === 0);
    const status = c.status();
    assert.equal(status.connected, true);
    assert.equal(status.consumer, "c1");
    assert.notEqual(status.lastReadAt, null);
    assert.equal(status.deadLettered, 0);
  });

  test("startFrom 'new' skips what the stream held before the group was made", async () => {
    const cfg = config({ startFrom: "new" });
    await addDocs(cfg.stream, 3);
    const sink = new RecordingSink();
    const c = consumer({ config: cfg, sink });
    await c.start();
    await addDocs(cfg.stream, 2, 100);
    await waitFor("two documents", () => c.status().processed === 2);
    assert.deepEqual(
      [...sink.stored.values()].map((d) => d.id),
      ["d100", "d101"],
    );
  });

  test("two consumers of one group share the entries: none twice, none lost", async () => {
    const cfg = config({ batchSize: 10 });
    const sinkA = new RecordingSink();
    const sinkB = new RecordingSink();
    const a = consumer({ config: { ...cfg, consumer: "a" }, sink: sinkA });
    const b = consumer({ config: { ...cfg, consumer: "b" }, sink: sinkB });
    await Promise.all([a.start(), b.start()]);
    await addDocs(cfg.stream, 200);
    await waitFor("200 documents", () => a.status().processed + b.status().processed === 200);
    const ids = [...sinkA.taken, ...sinkB.taken].map((d) => d.id);
    assert.equal(ids.length, 200);
    assert.equal(new Set(ids).size, 200);
    assert.ok(
      sinkA.taken.length > 0 && sinkB.taken.length > 0,
      `a ${sinkA.taken.length}, b ${sinkB.taken.length}`,
    );
    await waitFor("nothing pending", async () => (await pending(cfg.stream)) === 0);
  });

  test("entries a consumer read but never acknowledged (it hung, then went away) are claimed by another", async () => {
    const cfg = config({ claimIdleMs: 200 });
    const hanging = new HangingSink();
    await addDocs(cfg.stream, 5);
    const a = consumer({ config: { ...cfg, consumer: "a" }, sink: hanging, stopTimeoutMs: 100 });
    await a.start();
    await waitFor("a to take the batch", () => hanging.calls > 0);
    await a.stop();
    assert.equal(await pending(cfg.stream), 5);

    const sink = new RecordingSink();
    const b = consumer({ config: { ...cfg, consumer: "b" }, sink });
    await b.start();
    await waitFor("b to process the claimed entries", () => b.status().processed === 5);
    assert.deepEqual(
      sink.taken.map((d) => d.id),
      ["d0", "d1", "d2", "d3", "d4"],
    );
    await waitFor("nothing pending", async () => (await pending(cfg.stream)) === 0);
  });

  test("entries of a consumer whose sink keeps failing are claimed by another and processed once", async () => {
    const cfg = config({ claimIdleMs: 200 });
    const failing = new FailingSink();
    const logs: string[] = [];
    const a = consumer({
      config: { ...cfg, consumer: "a" },
      sink: failing,
      log: (_level, message) => logs.push(message),
    });
    await a.start();
    await addDocs(cfg.stream, 5);
    await waitFor("a to fail", () => failing.calls > 0);
    const sink = new RecordingSink();
    const b = consumer({ config: { ...cfg, consumer: "b" }, sink });
    await b.start();
    await waitFor("b to process them", () => b.status().processed === 5);
    assert.equal(new Set(sink.taken.map((d) => d.id)).size, 5);
    assert.equal(a.status().processed, 0);
    assert.ok(logs.some((m) => /the database is gone/.test(m)));
    await waitFor("nothing pending", async () => (await pending(cfg.stream)) === 0);
  });

  test("an entry that is not a document goes to the dead-letter stream with its error, and is acknowledged", async () => {
    const cfg = config();
    const bad1 = await admin.xAdd(cfg.stream, "*", { doc: "{not json" });
    const bad2 = await admin.xAdd(cfg.stream, "*", { title: "", source: "x" });
    const bad3 = await admin.xAdd(cfg.stream, "*", { text: "Bonjour", lang: "French" });
    await admin.xAdd(cfg.stream, "*", { id: "ok", text: "A fine post" });
    const sink = new RecordingSink();
    const c = consumer({ config: cfg, sink });
    await c.start();
    await waitFor("the good one", () => c.status().processed === 1);
    await waitFor("nothing pending", async () => (await pending(cfg.stream)) === 0);
    assert.equal(c.status().deadLettered, 3);
    const dead = (await admin.xRange(cfg.deadLetterStream, "-", "+")) ?? [];
    assert.deepEqual(
      dead.map((d) => d.message["entry"]),
      [bad1, bad2, bad3],
    );
    assert.equal(dead[0]!.message["doc"], "{not json");
    assert.match(dead[0]!.message["error"]!, /doc is not valid JSON.*\[INPUT_INVALID\]/);
    assert.match(dead[1]!.message["error"]!, /missing or empty/);
    assert.equal(dead[2]!.message["lang"], "French");
    assert.match(dead[2]!.message["error"]!, /lang/);
    assert.deepEqual(
      [...sink.stored.values()].map((d) => d.id),
      ["ok"],
    );
  });

  test("MONITOR_BUSY is waited out and the batch offered again, without loss", async () => {
    const cfg = config({ batchSize: 20 });
    await addDocs(cfg.stream, 60);
    const sink = new RecordingSink();
    sink.busyFor = 4;
    const c = consumer({ config: cfg, sink });
    await c.start();
    await waitFor("60 documents", () => c.status().processed === 60);
    assert.equal(sink.busyCalls, 4);
    assert.equal(sink.taken.length, 60);
    assert.equal(sink.stored.size, 60);
    await waitFor("nothing pending", async () => (await pending(cfg.stream)) === 0);
  });

  test("a batch that takes longer than claimIdle is kept by its live consumer, not taken over", async () => {
    const cfg = config({ claimIdleMs: 300, batchSize: 10 });
    await addDocs(cfg.stream, 10);
    const slow = new SlowSink(2000);
    const a = consumer({ config: { ...cfg, consumer: "a" }, sink: slow });
    await a.start();
    await waitFor("a to take the batch", () => slow.inside > 0);
    const sink = new RecordingSink();
    const b = consumer({ config: { ...cfg, consumer: "b" }, sink });
    await b.start();
    await waitFor("a to store its batch", () => a.status().processed === 10);
    assert.equal(sink.taken.length, 0, "b took over entries that a was still storing");
    assert.equal(slow.taken.length, 10);
  });

  test("a batch whose sink hangs in a live consumer is let go after 12 claimIdle and taken over", async () => {
    const cfg = config({ claimIdleMs: 200, batchSize: 10 });
    await addDocs(cfg.stream, 5);
    const hanging = new HangingSink();
    const a = consumer({ config: { ...cfg, consumer: "a" }, sink: hanging, stopTimeoutMs: 100 });
    await a.start();
    await waitFor("a to take the batch", () => hanging.calls > 0);
    const sink = new RecordingSink();
    const b = consumer({ config: { ...cfg, consumer: "b" }, sink });
    await b.start();
    // 12 x 200 ms, one scan, and room for a loaded machine.
    await waitFor("b to take the stuck entries over", () => b.status().processed === 5, 10_000);
    assert.deepEqual(
      sink.taken.map((d) => d.id),
      ["d0", "d1", "d2", "d3", "d4"],
    );
  });

  test("one consumer reads ahead: several batches are in the sink at once", async () => {
    const cfg = config({ batchSize: 10 });
    await addDocs(cfg.stream, 60);
    const slow = new SlowSink(150);
    const c = consumer({ config: cfg, sink: slow });
    await c.start();
    await waitFor("60 documents", () => c.status().processed === 60);
    assert.ok(slow.mostInside >= 2, `at most ${slow.mostInside} batch in the sink at once`);
    assert.equal(slow.taken.length, 60);
    assert.equal(new Set(slow.taken.map((d) => d.id)).size, 60);
    await waitFor("nothing pending", async () => (await pending(cfg.stream)) === 0);
  });

  test("consumers idle past removeIdle with nothing pending are removed from the group; one with entries stays", async () => {
    const cfg = config({ removeIdleMs: 300 });
    await addDocs(cfg.stream, 1);
    await admin.xGroupCreate(cfg.stream, cfg.group, "0");
    // Processes that were restarted under new names left these behind.
    await admin.sendCommand(["XGROUP", "CREATECONSUMER", cfg.stream, cfg.group, "host-101"]);
    await admin.sendCommand(["XGROUP", "CREATECONSUMER", cfg.stream, cfg.group, "host-102"]);
    // A dead consumer that still holds an entry: it must stay until the entry is taken over.
    await admin.xReadGroup(cfg.group, "holder", { key: cfg.stream, id: ">" }, { COUNT: 1 });
    const names = async () => (await admin.xInfoConsumers(cfg.stream, cfg.group)).map((c) => c.name).sort();
    assert.deepEqual(await names(), ["holder", "host-101", "host-102"]);
    const c = consumer({ config: cfg, sink: new RecordingSink() });
    await c.start();
    await waitFor("the idle consumers to go", async () => (await names()).join() === "c1,holder");
    await sleep(500);
    assert.deepEqual(await names(), ["c1", "holder"]);
    assert.equal(await pending(cfg.stream), 1);
  });

  test("the status's pending follows the group's once the stream has drained", async () => {
    const cfg = config();
    await addDocs(cfg.stream, 3);
    await admin.xGroupCreate(cfg.stream, cfg.group, "0");
    // Another consumer holds the three entries.
    await admin.xReadGroup(cfg.group, "other", { key: cfg.stream, id: ">" }, { COUNT: 3 });
    const ids = (await admin.xPendingRange(cfg.stream, cfg.group, "-", "+", 10)).map((p) => p.id);
    assert.equal(ids.length, 3);
    const c = consumer({ config: cfg, sink: new RecordingSink(), blockMs: 200 });
    await c.start();
    await waitFor("the status to show the three held entries", () => c.status().pending === 3);
    await admin.xAck(cfg.stream, cfg.group, ids);
    // Within a few reads (200 ms each), not at the next five-second look.
    await waitFor("the status to show nothing pending", () => c.status().pending === 0, 2500);
  });

  test("start() fails clearly when Redis cannot be reached", async () => {
    const c = new RedisStreamConsumer({
      config: config({ url: "redis://127.0.0.1:1" }),
      sink: new RecordingSink(),
      connectTimeoutMs: 300,
    });
    await assert.rejects(c.start(), (error: unknown) => {
      assert.ok(error instanceof TextkitError);
      assert.equal(error.code, "SOURCE_UNAVAILABLE");
      assert.match(error.message, /could not connect to Redis at redis:\/\/127\.0\.0\.1:1/);
      return true;
    });
    await c.stop();
  });

  // Last: it crashes and restarts the shared server.
  test("a lost connection is retried (the group made again when Redis lost it), and stop() returns while Redis is down", async () => {
    const cfg = config();
    const sink = new RecordingSink();
    const logs: string[] = [];
    const c = consumer({
      config: cfg,
      sink,
      log: (_level, message) => logs.push(message),
      stopTimeoutMs: 500,
    });
    await c.start();
    await addDocs(cfg.stream, 2);
    await waitFor("two documents", () => c.status().processed === 2);

    await redis.restart();
    await addDocs(cfg.stream, 3, 10);
    await waitFor("the documents after the restart", () => c.status().processed === 5, 8000);
    // Once at start, once more after the restart emptied Redis.
    assert.equal(logs.filter((m) => /created consumer group/.test(m)).length, 2);

    await redis.crash();
    await waitFor("the consumer to notice", () => !c.status().connected);
    const t0 = Date.now();
    await c.stop();
    assert.ok(Date.now() - t0 < 4000, `stop took ${Date.now() - t0} ms`);
    await redis.restart();
  });
});
