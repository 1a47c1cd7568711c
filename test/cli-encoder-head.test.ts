/**
 * `classify train --encoder` and the classifier commands on its model (issue 12 item 3),
 * with the fixture encoder: train, eval, predict, --bundle, --ensemble, and the refusals
 * (quantise, another encoder, an encoder that moved away).
 */
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { runCli } from "./support/cli-run.ts";
import { BERT_FIXTURE, writeIntentCsv, XLMR_FIXTURE } from "./support/encoder-data.ts";

describe("classify train --encoder", () => {
  const work = mkdtempSync(join(tmpdir(), "textkit-cli-head-"));
  after(() => rmSync(work, { recursive: true, force: true }));
  const train = writeIntentCsv(work, "train.csv", 200, 1);
  const dev = writeIntentCsv(work, "dev.csv", 60, 2);
  const texts = writeIntentCsv(work, "texts.csv", 5, 3);
  const encoder = join(work, "encoder");
  cpSync(BERT_FIXTURE, encoder, { recursive: true });
  const model = join(work, "head");

  it("trains a head, reports dev and test like any classifier, and names the encoder", async () => {
    const r = await runCli([
      "classify",
      "train",
      "--train",
      train,
      "--dev",
      dev,
      "--test",
      dev,
      "--out",
      model,
      "--encoder",
      encoder,
      "--hidden",
      "16",
      "--epochs",
      "20",
      "--encoder-threads",
      "1",
      "--encoder-cache",
      join(work, "cache"),
      "--json",
    ]);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as {
      encoder: { id: string };
      head: { hidden: number; epochs: number };
      metrics: { dev: { accuracy: number } };
    };
    assert.match(out.encoder.id, /^encoder@[0-9a-f]{12}$/);
    assert.equal(out.head.hidden, 16);
    assert.equal(out.head.epochs, 20);
    assert.ok(out.metrics.dev.accuracy > 0.4);
    assert.match(r.stderr, /epoch 1\/20/);
    // Trained again with the cache: nothing is encoded a second time.
    const again = await runCli([
      "classify",
      "train",
      "--train",
      train,
      "--out",
      join(work, "again"),
      "--encoder",
      encoder,
      "--epochs",
      "1",
      "--encoder-threads",
      "1",
      "--encoder-cache",
      join(work, "cache"),
      "--json",
    ]);
    assert.equal(again.code, 0, again.stderr);
    // Every distinct text of the 200 rows comes from the cache (repeated texts count once).
    const cached = Number(/, (\d+) from the cache/.exec(again.stderr)?.[1]);
    assert.ok(cached >= 150 && cached <= 200, again.stderr);
  });

  it("evaluates and predicts with the encoder the model names", async () => {
    const e = await runCli(["classify", "eval", "--model", model, "--data", dev, "--json"]);
    assert.equal(e.code, 0, e.stderr);
    assert.ok((JSON.parse(e.stdout) as { accuracy: number }).accuracy > 0.4);
    const p = await runCli(["classify", "predict", "--model", model, "--input", texts, "--k", "2"]);
    assert.equal(p.code, 0, p.stderr);
    const lines = p.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { labels: string[] });
    assert.equal(lines.length, 5);
    for (const line of lines) assert.equal(line.labels.length, 2);
  });

  it("refuses to quantise a head, to run on another encoder, and to guess a missing one", async () => {
    const q = await runCli(["classify", "quantize", "--model", model, "--out", join(work, "small")]);
    assert.notEqual(q.code, 0);
    assert.match(q.stderr, /QUANTIZE_UNSUPPORTED/);
    const other = await runCli([
      "classify",
      "eval",
      "--model",
      model,
      "--data",
      dev,
      "--encoder",
      XLMR_FIXTURE,
    ]);
    assert.notEqual(other.code, 0);
    assert.match(other.stderr, /ENCODER_CHANGED/);
    const moved = join(work, "moved");
    cpSync(model, moved, { recursive: true });
    rmSync(encoder, { recursive: true });
    const gone = await runCli(["classify", "eval", "--model", moved, "--data", dev]);
    assert.notEqual(gone.code, 0);
    assert.match(gone.stderr, /HEAD_ENCODER_REQUIRED/);
    cpSync(BERT_FIXTURE, encoder, { recursive: true });
  });

  it("bundles the encoder with --bundle, and mixes in the n-gram model with --ensemble", async () => {
    const bundled = join(work, "bundled");
    const r = await runCli([
      "classify",
      "train",
      "--train",
      train,
      "--dev",
      dev,
      "--out",
      bundled,
      "--encoder",
      encoder,
      "--epochs",
      "5",
      "--bundle",
      "--ensemble",
      "--encoder-threads",
      "1",
      "-q",
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /mixed with the n-gram model \(head weight [01](\.\d+)?\)/);
    rmSync(encoder, { recursive: true });
    const p = await runCli(["classify", "predict", "--model", bundled, "--input", texts]);
    assert.equal(p.code, 0, p.stderr);
    assert.equal(p.stdout.trim().split("\n").length, 5);
    const alone = await runCli([
      "classify",
      "train",
      "--train",
      train,
      "--out",
      join(work, "x"),
      "--ensemble",
    ]);
    assert.notEqual(alone.code, 0);
    assert.match(alone.stderr, /--ensemble goes with --encoder/);
  });
});
