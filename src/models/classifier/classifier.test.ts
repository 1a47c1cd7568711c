import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { topicTexts } from "../../../test/support/topic-corpus.ts";
import { manifestDigest } from "../../artifact/index.ts";
import { Random, TextkitError } from "../../core/index.ts";
import type { Dataset, Example } from "../../data/index.ts";
import { TokenIds } from "../../text/index.ts";
import { Featurizer } from "./featurizer.ts";
import { loadClassifier } from "./load-classifier.ts";
import { trainClassifier } from "./ngram-training.ts";

const root = mkdtempSync(join(tmpdir(), "textkit-classifier-"));
after(() => rmSync(root, { recursive: true, force: true }));

function dataset(examples: { text: string; labels: string[] }[], source = "memory"): Dataset {
  const ex: Example[] = examples.map((e, i) => ({ ...e, line: i + 1 }));
  const labels = [...new Set(ex.flatMap((e) => e.labels))].sort();
  return { source, examples: ex, labels, multiLabel: ex.some((e) => e.labels.length > 1) };
}

/** Three topics with their own vocabularies plus shared filler words; noisy enough to need learning. */
function topics(n: number, seed: number): Dataset {
  return dataset(topicTexts(n, seed).map((t) => ({ text: t.text, labels: [t.label] })));
}

const fast = { dim: 16, epochs: 8, lr: 0.5, wordNgrams: 2, buckets: 10_000 };

async function saved(model: Awaited<ReturnType<typeof trainClassifier>>, name: string): Promise<string> {
  const dir = join(root, name);
  await model.save(dir);
  return dir;
}

describe("trainClassifier", () => {
  it("learns separable topics and scores held-out data with the sklearn report", async () => {
    const model = await trainClassifier({ train: topics(300, 1) }, fast);
    const evaluation = model.evaluate(topics(90, 2));
    assert.ok(evaluation.accuracy > 0.9, `accuracy ${evaluation.accuracy}`);
    assert.deepEqual(
      evaluation.report.labels.map((l) => l.label),
      ["money", "sport", "weather"],
    );
    const [p] = model.predict(["the goal of the match and the coach"], { k: 3 });
    assert.equal(p!.labels[0], "sport");
    assert.equal(p!.labels.length, 3);
    const sum = p!.scores.reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(sum - 1) < 1e-9, "softmax scores of all labels sum to 1");
    assert.ok(p!.scores[0]! >= p!.scores[1]! && p!.scores[1]! >= p!.scores[2]!, "best first");
  });

  it("gives one prediction per input whatever k, and an unknown text the end-of-text answer", async () => {
    const model = await trainClassifier({ train: topics(90, 3) }, fast);
    const out = model.predict(["", "zzz qqq", "rain"], { k: 10 });
    assert.equal(out.length, 3);
    assert.equal(out[0]!.labels.length, 3, "k is capped at the number of labels");
    // No known word: only the end-of-text feature speaks, so the answer is the empty text's.
    assert.deepEqual(out[1], out[0]);
    const sum = out[1]!.scores.reduce((a, b) => a + b, 0);
    assert.ok(Math.abs(sum - 1) < 1e-9, "softmax scores over every label sum to 1");
  });

  it("is deterministic: same seed, data and options give byte-identical weights", async () => {
    const a = await trainClassifier({ train: topics(150, 4) }, { ...fast, seed: 7 });
    const b = await trainClassifier({ train: topics(150, 4) }, { ...fast, seed: 7 });
    const c = await trainClassifier({ train: topics(150, 4) }, { ...fast, seed: 8 });
    assert.deepEqual(Buffer.from(a.weights.input.buffer), Buffer.from(b.weights.input.buffer));
    assert.deepEqual(Buffer.from(a.weights.output.buffer), Buffer.from(b.weights.output.buffer));
    assert.notDeepEqual(Buffer.from(a.weights.input.buffer), Buffer.from(c.weights.input.buffer));
    const dirA = join(root, "det-a");
    const dirB = join(root, "det-b");
    await a.save(dirA);
    await b.save(dirB);
    for (const f of ["input.f32", "output.f32", "words.txt", "buckets.i32"]) {
      assert.deepEqual(readFileSync(join(dirA, f)), readFileSync(join(dirB, f)), f);
    }
  });

  it("round-trips through save and load with identical predictions and its run record", async () => {
    const train = topics(150, 5);
    const dev = topics(60, 6);
    const model = await trainClassifier({ train, dev }, { ...fast, wordNgrams: 3, minn: 2, maxn: 4 });
    const dir = join(root, "roundtrip");
    await model.save(dir);
    const loaded = await loadClassifier(dir);
    const texts = dev.examples.map((e) => e.text).concat(["stormy wind", "a new stock"]);
    assert.deepEqual(loaded.predict(texts, { k: 2 }), model.predict(texts, { k: 2 }));
    assert.deepEqual(loaded.options, model.options);
    const run = JSON.parse(readFileSync(join(dir, "run.json"), "utf8"));
    assert.equal(run.epochs.length, fast.epochs);
    assert.equal(typeof run.epochs[0].dev.accuracy, "number");
    assert.equal(run.data.train.examples, 150);
    const manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8"));
    assert.equal(manifest.family, "classifier");
    assert.deepEqual(manifest.labels, ["money", "sport", "weather"]);
    assert.equal(manifest.options.seed, 1);
  });

  it("predicts the same from its own tokens, from a twin's, and once its token cache has turned over", async () => {
    const train = topics(150, 5);
    const model = await trainClassifier({ train }, { ...fast, wordNgrams: 2, minn: 2, maxn: 4 });
    const twin = await trainClassifier(
      { train: topics(150, 6) },
      { ...fast, wordNgrams: 2, minn: 2, maxn: 4, seed: 3 },
    );
    assert.equal(model.tokenization, twin.tokenization);
    const texts = train.examples
      .slice(0, 40)
      .map((e) => e.text)
      .concat(["ＳＴＯＣＫ market", "", "rain, rain"]);
    const fresh = await loadClassifier(await saved(model, "tokens"));
    const expected = fresh.predict(texts, { k: 3 });
    const tokens = texts.map((t) => twin.tokenize(t));
    assert.deepEqual(model.predictTokens(tokens, { k: 3 }), expected);
    // More distinct tokens than the cache holds: it empties and fills again, answers unchanged.
    const rng = new Random(4);
    const noise = Array.from({ length: 60_000 }, () => `w${rng.int(1e9).toString(36)}`);
    model.predict([noise.join(" ")]);
    assert.deepEqual(model.predict(texts, { k: 3 }), expected);
    // The cache against no cache: an unfrozen featurizer computes every row afresh, and on
    // training texts (every n-gram has a row) it must give the very same rows, twice over.
    const f = model.featurizer;
    const cold = new Featurizer(f.options, f.words, f.buckets, false);
    for (const e of train.examples.slice(0, 60)) {
      const a: number[] = [];
      const b: number[] = [];
      const c: number[] = [];
      f.features(e.text, a);
      f.features(e.text, b);
      cold.features(e.text, c);
      assert.deepEqual(a, c, e.text);
      assert.deepEqual(b, c, e.text);
    }
  });

  it("answers topOfTokens with predictTokens' first label and score, for every loss", async () => {
    const train = topics(120, 11);
    const texts = topics(40, 12)
      .examples.map((e) => e.text)
      .concat(["", "ＳＴＯＣＫ market", "unheard-of words only"]);
    for (const loss of ["softmax", "ova"] as const) {
      const model = await trainClassifier({ train }, { ...fast, loss, minn: 2, maxn: 3 });
      const tokens = texts.map((t) => model.tokenize(t));
      const expected = model.predictTokens(tokens).map((p) => ({ label: p.labels[0], score: p.scores[0] }));
      assert.deepEqual(model.topOfTokens(tokens), expected, loss);
      assert.ok(new Set(expected.map((e) => e.label)).size > 1, loss);
      // By interned ids (twice: the second time every token is known by id), the same answers.
      const ids = new TokenIds();
      for (let pass = 0; pass < 2; pass++) {
        const best = new Int32Array(tokens.length).fill(-1);
        const scores = new Float64Array(tokens.length);
        model.topOfIds(ids.internAll(tokens), best, scores);
        const byIds = [...best].map((b, i) => ({ label: model.labels[b], score: scores[i] }));
        assert.deepEqual(byIds, expected, `${loss} by ids, pass ${pass}`);
      }
    }
  });

  it("refuses a truncated weight file when loading", async () => {
    const model = await trainClassifier({ train: topics(60, 9) }, fast);
    const dir = join(root, "truncated");
    await model.save(dir);
    const bytes = readFileSync(join(dir, "input.f32"));
    writeFileSync(join(dir, "input.f32"), bytes.subarray(0, bytes.length - 8));
    await assert.rejects(
      loadClassifier(dir),
      (e: unknown) => e instanceof TextkitError && e.code === "ARTIFACT_CORRUPT",
    );
  });

  it("refuses a changed manifest, NaN weights and out-of-range options with ARTIFACT_CORRUPT", async () => {
    const model = await trainClassifier({ train: topics(60, 9) }, { ...fast, minn: 2, maxn: 3 });
    const dir = join(root, "tampered");
    const manifestPath = join(dir, "manifest.json");
    const isCorrupt = (pattern: RegExp, file?: string) => (e: unknown) =>
      e instanceof TextkitError &&
      e.code === "ARTIFACT_CORRUPT" &&
      pattern.test(e.message) &&
      (file === undefined || e.file === file);
    // Edits a person or a bad copy could make: the digest no longer matches.
    const edits: ((m: Record<string, unknown>) => void)[] = [
      (m) => (m["labels"] = [...(m["labels"] as string[])].reverse()),
      (m) => (m["options"] = { ...(m["options"] as object), wordNgrams: 3 }),
      (m) => (m["options"] = { ...(m["options"] as object), minn: 1, maxn: 4 }),
      (m) => (m["options"] = { ...(m["options"] as object), buckets: 20_000 }),
      (m) => (m["options"] = { ...(m["options"] as object), loss: "ova" }),
    ];
    for (const edit of edits) {
      await model.save(dir);
      const manifest = JSON.parse(readFileSync(manifestPath, "utf8"));
      edit(manifest);
      writeFileSync(manifestPath, JSON.stringify(manifest));
      await assert.rejects(loadClassifier(dir), isCorrupt(/changed after it was written/, manifestPath));
    }
    // A manifest whose digest matches but whose content cannot be a classifier.
    const resealed = (change: (m: Record<string, unknown>) => void): void => {
      const manifest = JSON.parse(readFileSync(manifestPath, "utf8"));
      change(manifest);
      delete manifest.digest;
      writeFileSync(manifestPath, JSON.stringify({ ...manifest, digest: manifestDigest(manifest) }));
    };
    const invalid: [(m: Record<string, unknown>) => void, RegExp][] = [
      [(m) => (m["options"] = { ...(m["options"] as object), wordNgrams: 0 }), /wordNgrams/],
      [(m) => (m["options"] = { ...(m["options"] as object), dim: 17 }), /do not match/],
      [(m) => (m["options"] = { ...(m["options"] as object), buckets: 3 }), /buckets/],
      [(m) => (m["options"] = { ...(m["options"] as object), loss: "hinge" }), /loss/],
      [(m) => (m["options"] = { ...(m["options"] as object), lowercase: "yes" }), /lowercase/],
      [(m) => (m["labels"] = ["money"]), /do not match/],
      [(m) => delete m["labels"], /no labels/],
      [(m) => (m["task"] = "ranking"), /task/],
    ];
    for (const [change, pattern] of invalid) {
      await model.save(dir);
      resealed(change);
      await assert.rejects(loadClassifier(dir), isCorrupt(pattern), String(pattern));
    }
    // NaN weights, with the file's checksum and the digest made to match.
    await model.save(dir);
    const input = readFileSync(join(dir, "input.f32"));
    input.writeFloatLE(Number.NaN, 4 * 5);
    writeFileSync(join(dir, "input.f32"), input);
    resealed((m) => {
      const files = m["files"] as Record<string, { bytes: number; sha256: string }>;
      files["input.f32"]!.sha256 = createHash("sha256").update(input).digest("hex");
    });
    await assert.rejects(loadClassifier(dir), isCorrupt(/NaN at value 5/, join(dir, "input.f32")));
  });

  it("stops early when the dev metric stops improving and keeps the best epoch", async () => {
    const train = topics(120, 10);
    const dev = topics(60, 11);
    const summaries: number[] = [];
    const model = await trainClassifier(
      { train, dev },
      { ...fast, epochs: 200, patience: 2, lr: 0.2 },
      { onEpochEnd: (s) => summaries.push(s.dev!["accuracy"]!) },
    );
    const record = model.runRecord!;
    assert.equal(record.stoppedEarly, true);
    assert.ok(record.epochs.length < 200);
    assert.equal(record.epochs.length, summaries.length);
    const best = Math.max(...summaries);
    assert.equal(summaries[record.bestEpoch - 1], best);
    assert.equal(model.evaluate(dev).accuracy, best, "the restored weights are the best epoch's");
  });

  it("reports progress with loss, speed and ETA", async () => {
    const seen: number[] = [];
    await trainClassifier(
      { train: topics(3000, 12) },
      { ...fast, epochs: 3 },
      { onProgress: (p) => seen.push(p.progress) },
    );
    assert.ok(seen.length >= 1);
    assert.equal(seen[seen.length - 1], 1);
  });

  it("learns multi-label data with one-vs-all sigmoids", async () => {
    const rng = new Random(3);
    const ex: { text: string; labels: string[] }[] = [];
    for (let i = 0; i < 400; i++) {
      const a = rng.next() < 0.5;
      const b = rng.next() < 0.5 || !a;
      const words = ["some", "text", "here"];
      if (a) words.push("apple", "fruit");
      if (b) words.push("engine", "car");
      ex.push({ text: words.join(" "), labels: [...(a ? ["food"] : []), ...(b ? ["auto"] : [])] });
    }
    const data = dataset(ex);
    assert.equal(data.multiLabel, true);
    const model = await trainClassifier({ train: data }, { ...fast, loss: "ova", epochs: 10 });
    assert.deepEqual(model.decide(["apple fruit engine car"])[0]!.slice().sort(), ["auto", "food"]);
    assert.deepEqual(model.decide(["apple fruit"])[0], ["food"]);
    const evaluation = model.evaluate(data);
    assert.ok(evaluation.accuracy > 0.95, `exact-match ratio ${evaluation.accuracy}`);
    assert.ok(evaluation.report.micro !== undefined, "multi-label report has a micro average");
  });

  it("classifies Chinese text through word segmentation and character n-grams", async () => {
    const pos = [
      "这家酒店服务很好",
      "房间干净，非常满意",
      "早餐很棒，下次还来",
      "环境优美，位置方便",
      "前台热情，推荐入住",
    ];
    const neg = [
      "房间太脏了，很失望",
      "服务态度差，不推荐",
      "早餐难吃，价格太贵",
      "隔音糟糕，一夜没睡",
      "设施陈旧，再也不来",
    ];
    const ex: { text: string; labels: string[] }[] = [];
    for (let r = 0; r < 6; r++) {
      for (const t of pos) ex.push({ text: t, labels: ["正面"] });
      for (const t of neg) ex.push({ text: t, labels: ["负面"] });
    }
    const model = await trainClassifier({ train: dataset(ex) }, { ...fast, minn: 1, maxn: 2, epochs: 15 });
    // Unseen sentences sharing characters and words with the training data.
    assert.equal(model.predict(["服务很好，非常满意"])[0]!.labels[0], "正面");
    assert.equal(model.predict(["价格太贵，很失望"])[0]!.labels[0], "负面");
  });

  it("initialises from pretrained vectors and keeps their extra words", async () => {
    const vec = join(root, "tiny.vec");
    writeFileSync(vec, "3 4\nmatch 1 0 0 0\ndrizzle 0 1 0 0\nbank 0 0 1 0\n");
    const model = await trainClassifier(
      { train: topics(90, 13) },
      { ...fast, dim: 4, pretrainedVectors: vec },
    );
    assert.ok(model.featurizer.wordId("drizzle") >= 0, "a word only the vectors know joins the vocabulary");
    await assert.rejects(
      trainClassifier({ train: topics(30, 13) }, { ...fast, dim: 8, pretrainedVectors: vec }),
      (e: unknown) =>
        e instanceof TextkitError && e.code === "OPTION_INVALID" && /dimension 4/.test(e.message),
    );
  });

  it("refuses one class, no examples and bad options with coded errors", async () => {
    const one = dataset([
      { text: "a", labels: ["x"] },
      { text: "b", labels: ["x"] },
    ]);
    await assert.rejects(
      trainClassifier({ train: one }),
      (e: unknown) => e instanceof TextkitError && e.code === "DATA_SINGLE_CLASS",
    );
    await assert.rejects(
      trainClassifier({ train: dataset([]) }),
      (e: unknown) => e instanceof TextkitError && e.code === "DATA_EMPTY",
    );
    await assert.rejects(
      trainClassifier({ train: topics(30, 1) }, { epochs: 0 }),
      (e: unknown) => e instanceof TextkitError && e.code === "OPTION_INVALID" && /epochs/.test(e.message),
    );
    await assert.rejects(
      trainClassifier({ train: topics(30, 1) }, { minn: 5, maxn: 3 }),
      (e: unknown) => e instanceof TextkitError && e.code === "OPTION_INVALID",
    );
  });
});
