import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { manifestDigest } from "../../artifact/index.ts";
import { Random, TextkitError } from "../../core/index.ts";
import type { Dataset } from "../../data/index.ts";
import type { TextClassifier } from "./classifier.ts";
import { loadClassifier } from "./load-classifier.ts";
import { trainClassifier } from "./ngram-training.ts";
import { quantizeClassifier } from "./quantize.ts";

const root = mkdtempSync(join(tmpdir(), "textkit-quantize-"));
after(() => rmSync(root, { recursive: true, force: true }));

/** Six topics, each with its own words, mixed with shared filler; a word can belong to two topics. */
function topics(n: number, seed: number): Dataset {
  const rng = new Random(seed);
  const labels = ["sport", "money", "weather", "food", "travel", "music"];
  const vocab = labels.map((l) => Array.from({ length: 30 }, (_, i) => `${l.slice(0, 3)}${i}`));
  const filler = Array.from({ length: 40 }, (_, i) => `w${i}`);
  const examples = [];
  for (let i = 0; i < n; i++) {
    const k = i % labels.length;
    const words: string[] = [];
    for (let j = 0; j < 8; j++) {
      const r = rng.next();
      if (r < 0.35) words.push(vocab[k]![rng.int(30)]!);
      else if (r < 0.45) words.push(vocab[(k + 1) % labels.length]![rng.int(30)]!);
      else words.push(filler[rng.int(filler.length)]!);
    }
    examples.push({ text: words.join(" "), labels: [labels[k]!], line: i + 1 });
  }
  return { source: `topics-${seed}`, examples, labels: [...labels].sort(), multiLabel: false };
}

function dirBytes(dir: string): number {
  return readdirSync(dir).reduce((sum, f) => sum + statSync(join(dir, f)).size, 0);
}

function agreement(a: TextClassifier, b: TextClassifier, texts: string[]): number {
  const pa = a.predict(texts);
  const pb = b.predict(texts);
  let same = 0;
  for (let i = 0; i < texts.length; i++) if (pa[i]!.labels[0] === pb[i]!.labels[0]) same++;
  return same / texts.length;
}

function optionError(message: RegExp): (e: unknown) => boolean {
  return (e) => e instanceof TextkitError && e.code === "OPTION_INVALID" && message.test(e.message);
}

const test = topics(600, 2);
const testTexts = test.examples.map((e) => e.text);
let model: TextClassifier;
let floatDir: string;

before(async () => {
  model = await trainClassifier(
    { train: topics(1200, 1) },
    { dim: 32, epochs: 10, lr: 0.5, wordNgrams: 2, buckets: 50_000 },
  );
  floatDir = join(root, "float");
  await model.save(floatDir);
});

describe("quantizeClassifier", () => {
  it("predicts like the float model on held-out data", () => {
    const q = quantizeClassifier(model);
    assert.equal(q.featurizer.rows, model.featurizer.rows, "no cutoff: every row is kept");
    const agree = agreement(model, q, testTexts);
    assert.ok(agree >= 0.95, `agreement ${agree}`);
    // The float model is good on this data, so the quantised one must be nearly as good.
    assert.ok(q.evaluate(test).accuracy >= model.evaluate(test).accuracy - 0.02);
  });

  it("stores one byte per sub-vector, 4 * dsub times fewer than Float32", async () => {
    for (const dsub of [2, 4, 5]) {
      const dir = join(root, `dsub-${dsub}`);
      await quantizeClassifier(model, { dsub }).save(dir);
      const rows = model.featurizer.rows;
      const codes = statSync(join(dir, "input.codes")).size;
      assert.equal(codes, rows * Math.ceil(32 / dsub));
      assert.ok(codes * 4 * dsub >= statSync(join(floatDir, "input.f32")).size);
      assert.ok(codes * 4 * (dsub - 1) < statSync(join(floatDir, "input.f32")).size);
      assert.ok(dirBytes(dir) < dirBytes(floatDir) / 2, `${dirBytes(dir)} vs ${dirBytes(floatDir)}`);
    }
  });

  it("meets a target size ratio by dropping the rows with the smallest norms", async () => {
    const q = quantizeClassifier(model, { targetRatio: 0.1, quantizeOutput: true });
    const dir = join(root, "ratio");
    await q.save(dir);
    const ratio = dirBytes(dir) / dirBytes(floatDir);
    assert.ok(ratio <= 0.1, `ratio ${ratio}`);
    // The bisection keeps as many rows as fit: the budget is nearly used up.
    assert.ok(ratio > 0.09, `ratio ${ratio}`);
    const kept = q.featurizer.rows;
    assert.ok(kept < model.featurizer.rows);
    const agree = agreement(model, q, testTexts);
    assert.ok(agree >= 0.9, `agreement ${agree}`);

    const norms: number[] = [];
    const { input, dim } = model.weights;
    for (let r = 0; r < model.featurizer.rows; r++) {
      let s = 0;
      for (let d = 0; d < dim; d++) s += input[r * dim + d]! ** 2;
      norms.push(s);
    }
    const threshold = [...norms].sort((a, b) => b - a)[kept - 1]!;
    const keptWords = new Set(q.featurizer.words);
    for (let w = 0; w < model.featurizer.words.length; w++) {
      if (norms[w]! > threshold) assert.ok(keptWords.has(model.featurizer.words[w]!), "a long row is kept");
      if (norms[w]! < threshold)
        assert.ok(!keptWords.has(model.featurizer.words[w]!), "a short row is dropped");
    }
  });

  it("ignores the features it dropped", () => {
    const q = quantizeClassifier(model, { cutoff: 60 });
    assert.equal(q.featurizer.rows, 60);
    const dropped = model.featurizer.words.filter((w) => q.featurizer.wordId(w) < 0);
    assert.ok(dropped.length > 0);
    assert.deepEqual(q.scoresOf(dropped.slice(0, 1).join(" ")), q.scoresOf(""));
    const kept = q.featurizer.words[0]!;
    assert.deepEqual(q.scoresOf(`${kept} ${dropped[0]}`), q.scoresOf(kept));
  });

  it("round-trips through save and load with identical predictions, and saves the same bytes again", async () => {
    const q = quantizeClassifier(model, { cutoff: 500, quantizeOutput: true, seed: 3 });
    const dir = join(root, "round-trip");
    await q.save(dir);
    const manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8"));
    assert.equal(manifest.options.quantized.cutoff, 500);
    assert.equal(manifest.options.quantized.dsub, 2);
    assert.equal(manifest.options.quantized.quantizeOutput, true);
    assert.equal(manifest.options.dim, 32);
    assert.ok(!readdirSync(dir).includes("input.f32"));

    const loaded = await loadClassifier(dir);
    assert.deepEqual(loaded.predict(testTexts, { k: 3 }), q.predict(testTexts, { k: 3 }));
    assert.deepEqual(loaded.options, model.options);
    assert.deepEqual(loaded.quantized?.info, q.quantized?.info);

    const again = join(root, "round-trip-again");
    await loaded.save(again);
    const files = JSON.parse(readFileSync(join(again, "manifest.json"), "utf8")).files;
    assert.deepEqual(files, manifest.files);
  });

  it("handles one-vs-all models without buckets and a dim that dsub does not divide", async () => {
    const ova = await trainClassifier(
      { train: topics(600, 5) },
      { dim: 12, epochs: 10, wordNgrams: 1, loss: "ova", buckets: 1000 },
    );
    assert.equal(ova.featurizer.buckets.length, 0);
    const q = quantizeClassifier(ova, { dsub: 5 });
    assert.ok(agreement(ova, q, testTexts) >= 0.95);
    const dir = join(root, "ova");
    await q.save(dir);
    assert.equal(statSync(join(dir, "buckets.varint")).size, 0);
    assert.equal(statSync(join(dir, "input.codes")).size, ova.featurizer.rows * 3);
    const loaded = await loadClassifier(dir);
    assert.equal(loaded.options.loss, "ova");
    assert.deepEqual(loaded.predict(testTexts, { k: 2 }), q.predict(testTexts, { k: 2 }));
  });

  it("quantises the output matrix to 8 bits within half a step per value", () => {
    const q = quantizeClassifier(model, { quantizeOutput: true });
    const { output, dim } = model.weights;
    for (let r = 0; r < model.labels.length; r++) {
      const row = output.subarray(r * dim, (r + 1) * dim);
      const step = (Math.max(...row) - Math.min(...row)) / 255;
      for (let d = 0; d < dim; d++)
        assert.ok(Math.abs(q.weights.output[r * dim + d]! - row[d]!) <= step * 0.5001 + 1e-7);
    }
    assert.ok(agreement(model, q, testTexts) >= 0.95);
  });

  it("is deterministic for a seed", () => {
    const a = quantizeClassifier(model, { seed: 7, cutoff: 400 });
    const b = quantizeClassifier(model, { seed: 7, cutoff: 400 });
    const c = quantizeClassifier(model, { seed: 8, cutoff: 400 });
    assert.deepEqual(a.quantized!.codes, b.quantized!.codes);
    assert.deepEqual(a.quantized!.codebook, b.quantized!.codebook);
    assert.notDeepEqual(a.quantized!.codebook, c.quantized!.codebook);
  });

  it("reports progress per sub-space", () => {
    const seen: number[] = [];
    quantizeClassifier(model, { dsub: 8, cutoff: 300 }, { onProgress: (p) => seen.push(p.subspace) });
    assert.deepEqual(seen, [1, 2, 3, 4]);
  });

  it("refuses bad options with OPTION_INVALID", () => {
    const cases: [Parameters<typeof quantizeClassifier>[1], RegExp][] = [
      [{ dsub: 0 }, /dsub must be an integer from 1 to the model's dim \(32\), got 0/],
      [{ dsub: 33 }, /dsub .* got 33/],
      [{ centroids: 1 }, /centroids must be an integer from 2 to 256, got 1/],
      [{ centroids: 257 }, /centroids .* got 257/],
      [{ cutoff: -1 }, /cutoff must be a whole number of rows/],
      [{ cutoff: 2.5 }, /cutoff .* got 2.5/],
      [{ targetRatio: 0 }, /targetRatio must be a fraction in \(0, 1\]/],
      [{ targetRatio: 1.5 }, /targetRatio .* got 1.5/],
      [{ seed: -1 }, /seed must be an integer/],
      [{ targetRatio: 0.0001 }, /targetRatio 0.0001 is out of reach/],
    ];
    for (const [options, message] of cases)
      assert.throws(() => quantizeClassifier(model, options), optionError(message), JSON.stringify(options));
    const q = quantizeClassifier(model, { cutoff: 100 });
    assert.throws(() => quantizeClassifier(q), optionError(/already quantised/));
  });

  it("refuses a quantised artifact whose manifest does not match its files", async () => {
    const dir = join(root, "tampered");
    await quantizeClassifier(model, { cutoff: 100 }).save(dir);
    const path = join(dir, "manifest.json");
    const manifest = JSON.parse(readFileSync(path, "utf8"));
    manifest.options.quantized.rows = 99;
    writeFileSync(path, JSON.stringify(manifest));
    await assert.rejects(
      loadClassifier(dir),
      (e: unknown) => e instanceof TextkitError && e.code === "ARTIFACT_CORRUPT" && /digest/.test(e.message),
    );
    // With the digest made to match, the loader's own checks still refuse it.
    const reseal = (): void => {
      delete manifest.digest;
      manifest.digest = manifestDigest(manifest);
      writeFileSync(path, JSON.stringify(manifest));
    };
    reseal();
    await assert.rejects(
      loadClassifier(dir),
      (e: unknown) =>
        e instanceof TextkitError &&
        e.code === "ARTIFACT_CORRUPT" &&
        e.file === dir &&
        /codes do not match/.test(e.message),
    );
    manifest.options.quantized = { dsub: 2 };
    reseal();
    await assert.rejects(
      loadClassifier(dir),
      (e: unknown) =>
        e instanceof TextkitError && e.code === "ARTIFACT_CORRUPT" && /incomplete/.test(e.message),
    );
  });
});
