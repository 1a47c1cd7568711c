import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { type BatchStats, EncoderBatcher, loadEncoder, type OnnxEncoder } from "./index.ts";

const FIXTURE = fileURLToPath(new URL("../../../test/fixtures/encoders/bert-wordpiece", import.meta.url));
const TEXTS = [
  "I lost my card",
  "How do I transfer money to my bank account?",
  "我的卡丢了",
  "a",
  "the weather today",
  "refund please",
  "top up with cash at an atm",
  "new pin code",
  "Book a flight to Beijing tomorrow",
  "fees",
];

let encoder: OnnxEncoder;
before(async () => {
  encoder = await loadEncoder(FIXTURE, { threads: 1 });
});
after(async () => {
  await encoder.close();
});

function close(a: Float32Array, b: Float32Array): boolean {
  return a.length === b.length && a.every((v, i) => Math.abs(v - (b[i] as number)) < 1e-6);
}

describe("EncoderBatcher", () => {
  it("gathers concurrent calls into one forward pass and gives each caller its own rows", async () => {
    const batches: BatchStats[] = [];
    const batcher = new EncoderBatcher(encoder, {
      maxBatch: 32,
      waitMs: 50,
      onBatch: (s) => batches.push(s),
    });
    const results = await Promise.all(TEXTS.map((t) => batcher.embed([t])));
    assert.deepEqual(
      batches.map((b) => [b.requests, b.texts]),
      [[10, 10]],
    );
    for (let i = 0; i < TEXTS.length; i++) {
      const alone = await encoder.embed([TEXTS[i] as string]);
      assert.ok(close(results[i]?.vectors as Float32Array, alone.vectors), TEXTS[i]);
    }
  });

  it("starts a batch as soon as maxBatch texts wait, and never splits a request", async () => {
    const sizes: number[] = [];
    const batcher = new EncoderBatcher(encoder, {
      maxBatch: 4,
      waitMs: 1000,
      onBatch: (s) => sizes.push(s.texts),
    });
    const began = performance.now();
    await Promise.all(TEXTS.slice(0, 8).map((t) => batcher.embed([t])));
    assert.deepEqual(sizes, [4, 4]);
    assert.ok(performance.now() - began < 1000, "full batches do not wait for the window");
    sizes.length = 0;
    const quick = new EncoderBatcher(encoder, {
      maxBatch: 4,
      waitMs: 20,
      onBatch: (s) => sizes.push(s.texts),
    });
    const [big, small] = await Promise.all([quick.embed(TEXTS.slice(0, 6)), quick.embed(["fees"])]);
    assert.deepEqual(sizes, [6, 1]);
    assert.equal(big?.vectors.length, 6 * encoder.dim);
    assert.equal(small?.vectors.length, encoder.dim);
  });

  it("refuses a caller's empty text without failing the others, and counts truncation per caller", async () => {
    const batcher = new EncoderBatcher(encoder, { waitMs: 20 });
    const [ok, bad, long] = await Promise.allSettled([
      batcher.embed(["fine"]),
      batcher.embed(["fine", " "]),
      batcher.embed(["bank ".repeat(100), "fees"]),
    ]);
    assert.equal(ok?.status, "fulfilled");
    assert.equal(ok?.status === "fulfilled" ? ok.value.truncated : -1, 0);
    assert.equal(bad?.status, "rejected");
    assert.equal(bad?.status === "rejected" ? (bad.reason as { code: string }).code : "", "DATA_EMPTY_TEXT");
    assert.equal(long?.status === "fulfilled" ? long.value.truncated : -1, 1);
  });

  it("answers what is queued on close, then refuses new calls", async () => {
    const batcher = new EncoderBatcher(encoder, { waitMs: 10_000 });
    const pending = batcher.embed(["I lost my card"]);
    const began = performance.now();
    await batcher.close();
    assert.ok(performance.now() - began < 5000, "close does not wait out the window");
    assert.equal((await pending).vectors.length, encoder.dim);
    await assert.rejects(batcher.embed(["more"]), { code: "MODEL_UNAVAILABLE" });
    assert.throws(() => new EncoderBatcher(encoder, { maxBatch: 0 }), { code: "OPTION_INVALID" });
  });

  it("bounds its queue: a call past maxQueue is ENCODER_BUSY with a retry time, a large call alone is taken", async () => {
    const batcher = new EncoderBatcher(encoder, { waitMs: 10_000, maxQueue: 3 });
    const first = batcher.embed(TEXTS.slice(0, 2));
    await assert.rejects(batcher.embed(TEXTS.slice(2, 4)), (e: unknown) => {
      const error = e as { code?: string; details?: Record<string, unknown> };
      return error.code === "ENCODER_BUSY" && error.details?.["retryAfterMs"] === 1000;
    });
    const fits = batcher.embed(TEXTS.slice(4, 5));
    await batcher.close();
    assert.equal((await first).vectors.length, 2 * encoder.dim);
    assert.equal((await fits).vectors.length, encoder.dim);
    const alone = new EncoderBatcher(encoder, { waitMs: 0, maxQueue: 2 });
    assert.equal((await alone.embed(TEXTS.slice(0, 5))).vectors.length, 5 * encoder.dim);
    await alone.close();
    assert.throws(() => new EncoderBatcher(encoder, { maxQueue: 0 }), { code: "OPTION_INVALID" });
  });
});
