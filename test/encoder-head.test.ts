/**
 * Heads on a pretrained encoder (issue 12 item 3), on the fixture encoders exported by
 * scripts/make-encoder-fixtures.py: training, evaluation, the artifact (checksum refusal,
 * --bundle), the ensemble with the n-gram model, determinism.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { loadDirectoryModels, resolveMonitorConfig } from "../src/apps/monitor/index.ts";
import { isTextkitError } from "../src/core/index.ts";
import {
  EncoderClassifier,
  loadClassifier,
  loadEncoderClassifier,
  trainClassifier,
  unpackEncoderBundle,
} from "../src/models/classifier/index.ts";
import { loadEncoder, type OnnxEncoder } from "../src/models/encoder/index.ts";
import { BERT_FIXTURE, intentDataset, XLMR_FIXTURE } from "./support/encoder-data.ts";

describe("a classifier head on a pretrained encoder", () => {
  let encoder: OnnxEncoder;
  let work: string;
  const train = intentDataset("train.csv", 240, 1);
  const dev = intentDataset("dev.csv", 80, 2);
  before(async () => {
    encoder = await loadEncoder(BERT_FIXTURE, { threads: 1 });
    work = mkdtempSync(join(tmpdir(), "textkit-head-"));
  });
  after(async () => {
    await encoder.close();
    rmSync(work, { recursive: true, force: true });
  });

  it("trains on the embeddings, reports each epoch, and labels texts it never saw", async () => {
    const epochs: number[] = [];
    const encoded: number[] = [];
    const model = await trainClassifier(
      { train, dev },
      { encoder, encoderPath: BERT_FIXTURE, head: { hidden: 32, epochs: 40, patience: 0, lr: 0.01 } },
      { onEpochEnd: (e) => epochs.push(e.epoch), onEncode: (p) => encoded.push(p.done) },
    );
    assert.ok(model instanceof EncoderClassifier);
    assert.equal(epochs.length, 40);
    assert.ok(encoded.includes(train.examples.length));
    const evaluation = await model.evaluate(dev);
    // Four intents: chance is 0.25; the key words survive the fixture's random weights.
    assert.ok(evaluation.accuracy > 0.45, `dev accuracy ${evaluation.accuracy}`);
    const [p] = await model.predict(["my card was stolen at the atm"], { k: 4 });
    assert.equal(p!.labels.length, 4);
    assert.ok(Math.abs(p!.scores.reduce((a, b) => a + b, 0) - 1) < 1e-4);
    assert.deepEqual(model.runRecord?.options["head"], { ...model.headOptions });
  });

  it("is deterministic for a seed: the same data and options give the same weights", async () => {
    const options = { encoder, head: { epochs: 5, dropout: 0.2 } };
    const a = await trainClassifier({ train }, options);
    const b = await trainClassifier({ train }, options);
    assert.deepEqual(Buffer.from(a.head.params.buffer), Buffer.from(b.head.params.buffer));
  });

  it("saves and loads the same model on the same encoder, and refuses another encoder", async () => {
    const model = await trainClassifier(
      { train },
      { encoder, encoderPath: BERT_FIXTURE, head: { epochs: 10 } },
    );
    const dir = join(work, "head");
    await model.save(dir);
    const loaded = await loadEncoderClassifier(dir, encoder);
    const texts = dev.examples.slice(0, 10).map((e) => e.text);
    assert.deepEqual(await loaded.predict(texts, { k: 2 }), await model.predict(texts, { k: 2 }));
    const other = await loadEncoder(XLMR_FIXTURE, { threads: 1 });
    try {
      await assert.rejects(
        loadEncoderClassifier(dir, other),
        (e: unknown) => isTextkitError(e) && e.code === "ENCODER_CHANGED" && e.message.includes(encoder.id),
      );
    } finally {
      await other.close();
    }
    await assert.rejects(
      loadClassifier(dir),
      (e: unknown) => isTextkitError(e) && e.code === "HEAD_ENCODER_REQUIRED",
    );
  });

  it("bundles the encoder's files so the model loads without the original folder", async () => {
    const model = await trainClassifier(
      { train },
      { encoder, encoderPath: BERT_FIXTURE, head: { epochs: 3 } },
    );
    const dir = join(work, "bundled");
    await model.save(dir, { bundle: true });
    const unpacked = await unpackEncoderBundle(dir);
    assert.notEqual(unpacked, BERT_FIXTURE);
    assert.deepEqual(
      readFileSync(join(unpacked, "onnx", "model.onnx")),
      readFileSync(join(BERT_FIXTURE, "onnx", "model.onnx")),
    );
    const again = await loadEncoder(unpacked, { threads: 1 });
    try {
      assert.equal(again.checksum, encoder.checksum);
      const loaded = await loadEncoderClassifier(dir, again);
      const texts = ["the film was great", "pay my bank account"];
      assert.deepEqual(await loaded.predict(texts), await model.predict(texts));
    } finally {
      await again.close();
    }
  });

  it("mixes the head with the n-gram model, the weight chosen on dev, and keeps both in the artifact", async () => {
    const model = await trainClassifier(
      { train, dev },
      { encoder, head: { epochs: 5 }, ensemble: { epochs: 10 } },
    );
    const mix = model.runRecord?.final["ensemble"] as {
      weight: number;
      head: number;
      ngram: number;
      mixed: number;
    };
    assert.ok(mix.mixed >= mix.head && mix.mixed >= mix.ngram, JSON.stringify(mix));
    assert.equal(model.headWeight, mix.weight);
    const evaluation = await model.evaluate(dev);
    assert.equal(evaluation.accuracy, mix.mixed);
    const dir = join(work, "ensemble");
    await model.save(dir);
    const loaded = await loadEncoderClassifier(dir, encoder);
    assert.equal(loaded.headWeight, model.headWeight);
    assert.deepEqual((await loaded.evaluate(dev)).accuracy, evaluation.accuracy);
    await assert.rejects(
      trainClassifier({ train }, { encoder, ensemble: {} }),
      (e: unknown) => isTextkitError(e) && e.code === "OPTION_INVALID",
    );
  });

  it("autotunes the head's settings on dev over the cached embeddings, keeping the best trial", async () => {
    const model = await trainClassifier({ train, dev }, { encoder, head: { epochs: 5 }, autotuneTrials: 4 });
    const trials = model.runRecord?.final["autotune"] as {
      trials: { metric: number; options: { hidden: number; lr: number } }[];
    };
    assert.equal(trials.trials.length, 4);
    const best = trials.trials.reduce((a, b) => (b.metric > a.metric ? b : a));
    assert.equal(model.headOptions.hidden, best.options.hidden);
    assert.equal(model.headOptions.lr, best.options.lr);
    assert.equal((await model.evaluate(dev)).accuracy, best.metric);
    await assert.rejects(
      trainClassifier({ train }, { encoder, autotuneTrials: 3 }),
      (e: unknown) => isTextkitError(e) && e.code === "OPTION_INVALID",
    );
  });

  it("labels the monitor's documents through a head read from a models directory", async () => {
    const model = await trainClassifier(
      { train },
      { encoder, encoderPath: BERT_FIXTURE, head: { epochs: 5 } },
    );
    const root = join(work, "monitor-models");
    await model.save(join(root, "topics"));
    const config = resolveMonitorConfig({ models: { topic: "topics", sentiment: null, entities: null } });
    const models = await loadDirectoryModels(root, config);
    const texts = ["my card was stolen", "a great film"];
    const top = await models.labeler("topics").top(texts);
    const expected = await model.predict(texts);
    assert.deepEqual(
      top.map((t) => t.label),
      expected.map((p) => p.labels[0]),
    );
  });
});
