import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isTextkitError } from "../../core/index.ts";
import type { IngestResult, MonitorDocumentInput } from "./document.ts";
import { IngestQueue } from "./ingest-queue.ts";

const docs = (n: number, tag = "d"): MonitorDocumentInput[] =>
  Array.from({ length: n }, (_, i) => ({ text: `${tag}${i}` }));

function stored(batch: readonly MonitorDocumentInput[]): IngestResult[] {
  return batch.map((d) => ({ key: d.text, status: "stored", topic: null, sentiment: null }));
}

describe("IngestQueue", () => {
  it("joins small submissions into batches and answers each with its own results, in order", async () => {
    const batches: number[] = [];
    const queue = new IngestQueue({
      batchSize: 4,
      process: async (batch) => {
        batches.push(batch.length);
        return stored(batch);
      },
    });
    const [a, b, c] = await Promise.all([
      queue.submit(docs(3, "a")),
      queue.submit(docs(3, "b")),
      queue.submit(docs(1, "c")),
    ]);
    assert.deepEqual(
      a.results.map((r) => r.key),
      ["a0", "a1", "a2"],
    );
    assert.deepEqual(
      b.results.map((r) => r.key),
      ["b0", "b1", "b2"],
    );
    assert.equal(c.stored, 1);
    assert.deepEqual(batches, [4, 3]);
    assert.equal(queue.pending, 0);
  });

  it("refuses with MONITOR_BUSY and a retry time when full, and takes documents again once drained", async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const queue = new IngestQueue({
      batchSize: 10,
      maxPending: 15,
      process: async (batch) => {
        await gate;
        return stored(batch);
      },
    });
    const first = queue.submit(docs(10));
    await assert.rejects(queue.submit(docs(6)), (e) => {
      assert.ok(isTextkitError(e) && e.code === "MONITOR_BUSY", String(e));
      assert.ok(Number(e.details?.["retryAfterMs"]) >= 500);
      assert.equal(e.status, 503);
      return true;
    });
    const second = queue.submit(docs(5, "s"));
    release();
    assert.equal((await first).stored, 10);
    assert.equal((await second).stored, 5);
    assert.equal((await queue.submit(docs(15))).stored, 15);
  });

  it("fails the submissions of a failed batch, keeps the others, and counts nothing twice", async () => {
    let calls = 0;
    const queue = new IngestQueue({
      batchSize: 2,
      process: async (batch) => {
        calls++;
        if (batch.some((d) => d.text === "bad0")) throw new Error("disk full");
        return stored(batch);
      },
    });
    const bad = queue.submit(docs(3, "bad"));
    await assert.rejects(bad, /disk full/);
    assert.equal(queue.pending, 0);
    assert.equal((await queue.submit(docs(2))).stored, 2);
    assert.equal(calls, 2);
  });

  it("with concurrency 2 keeps two batches in flight, and closes only once both are stored", async () => {
    let inFlight = 0;
    let most = 0;
    const queue = new IngestQueue({
      batchSize: 5,
      concurrency: 2,
      process: async (batch) => {
        inFlight++;
        most = Math.max(most, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 20));
        inFlight--;
        return stored(batch);
      },
    });
    const outcome = queue.submit(docs(20));
    await queue.close();
    assert.equal((await outcome).stored, 20);
    assert.equal(most, 2);
    assert.equal(queue.pending, 0);
  });

  it("refuses new documents once closed, after storing those it took", async () => {
    const queue = new IngestQueue({ process: async (batch) => stored(batch) });
    const taken = queue.submit(docs(3));
    await queue.close();
    assert.equal((await taken).stored, 3);
    await assert.rejects(queue.submit(docs(1)), (e) => isTextkitError(e) && e.code === "MONITOR_BUSY");
  });
});
