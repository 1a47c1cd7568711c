/**
 * A server answering with heads on a pretrained encoder (issue 12): two models on one
 * encoder share one loaded copy, concurrent requests are batched together, the encoder's
 * batch times appear in /metrics, and a new version of a head swaps in while requests run.
 */
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { type EncoderClassifier, trainClassifier } from "../src/models/classifier/index.ts";
import { loadEncoder, type OnnxEncoder } from "../src/models/encoder/index.ts";
import { type RunningServer, startServer } from "../src/server/index.ts";
import { call, tempDir } from "./server-helpers.ts";
import { BERT_FIXTURE, intentDataset } from "./support/encoder-data.ts";

const root = tempDir("server-head");
const modelsDir = join(root.path, "models");
let encoder: OnnxEncoder;
let first: EncoderClassifier;
let second: EncoderClassifier;
let server: RunningServer;
const TEXTS = ["my card was stolen", "pay the bank transfer", "the weather today", "a great film"];

before(async () => {
  encoder = await loadEncoder(BERT_FIXTURE, { threads: 1 });
  const train = intentDataset("train.csv", 160, 1);
  first = await trainClassifier(
    { train },
    { encoder, encoderPath: BERT_FIXTURE, head: { epochs: 10, seed: 1 } },
  );
  second = await trainClassifier(
    { train },
    { encoder, encoderPath: BERT_FIXTURE, head: { epochs: 10, seed: 2, hidden: 8 } },
  );
  mkdirSync(join(modelsDir, "intents"), { recursive: true });
  await first.save(join(modelsDir, "intents", "v1"));
  await second.save(join(modelsDir, "other"), { bundle: true });
  server = await startServer({ modelsDir, port: 0, auth: "off", logger: false, watchIntervalMs: 200 });
  await server.whenReady();
});

after(async () => {
  await server?.close();
  await encoder?.close();
  root.remove();
});

async function predict(
  name: string,
  inputs: string[],
): Promise<{ status: number; version: string; predictions: unknown[] }> {
  const res = await call(`${server.url}/v1/models/${name}/predict`, { body: { inputs, k: 2 } });
  const body = res.body as { version?: string; predictions?: unknown[] };
  return { status: res.status, version: body.version ?? "", predictions: body.predictions ?? [] };
}

describe("serving heads on an encoder", () => {
  it("answers as the library does, for a model naming the encoder's folder and for one carrying it", async () => {
    const a = await predict("intents", TEXTS);
    assert.equal(a.status, 200);
    assert.deepEqual(a.predictions, await first.predict(TEXTS, { k: 2 }));
    const b = await predict("other", TEXTS);
    assert.equal(b.status, 200);
    assert.deepEqual(b.predictions, await second.predict(TEXTS, { k: 2 }));
    const details = (await call(`${server.url}/v1/models/other`)).body as { details: { encoder: string } };
    assert.equal(details.details.encoder, encoder.id);
  });

  it("batches concurrent requests through one shared encoder and reports its latency in /metrics", async () => {
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) => predict(i % 2 === 0 ? "intents" : "other", [TEXTS[i % 4]!])),
    );
    assert.deepEqual(
      answers.map((a) => a.status),
      Array(12).fill(200),
    );
    const metrics = (await call(`${server.url}/metrics`)).text;
    const label = `encoder="${encoder.id}"`;
    assert.match(metrics, new RegExp(`textkit_encoder_batch_seconds_count\\{${label}\\} \\d+`));
    // One encoder for both models: every batch carries the same label, none another.
    assert.equal(metrics.match(/textkit_encoder_batch_seconds_count\{encoder="[^"]+"\}/g)?.length, 1);
    const texts = Number(
      new RegExp(`textkit_encoder_batch_texts_sum\\{${label}\\} (\\d+)`).exec(metrics)?.[1],
    );
    const batches = Number(
      new RegExp(`textkit_encoder_batch_texts_count\\{${label}\\} (\\d+)`).exec(metrics)?.[1],
    );
    assert.ok(
      texts > batches,
      `some batch held several requests' texts (${texts} texts in ${batches} batches)`,
    );
  });

  it("swaps in a new version of a head while requests run, with no failed request", async () => {
    const seen: { status: number; version: string }[] = [];
    let stop = false;
    const loop = async (): Promise<void> => {
      while (!stop) seen.push(await predict("intents", [TEXTS[0]!]));
    };
    const loops = [loop(), loop()];
    await sleep(100);
    await second.save(join(modelsDir, "intents", "v2"));
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline && !seen.some((r) => r.version === "v2")) await sleep(20);
    stop = true;
    await Promise.all(loops);
    assert.deepEqual(
      seen.filter((r) => r.status !== 200),
      [],
    );
    assert.ok(seen.some((r) => r.version === "v2"));
    assert.deepEqual((await predict("intents", TEXTS)).predictions, await second.predict(TEXTS, { k: 2 }));
  });
});
