/**
 * Text clusters on a pretrained encoder (issue 12): k-means on the fixture BERT's sentence
 * embeddings, the model naming the encoder by checksum, `predictAsync` through it, and
 * `textkit cluster --encoder` training and assigning.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { TextkitError } from "../src/core/index.ts";
import {
  clusterEncoderNeed,
  loadTextClusters,
  type TextClusterModel,
  trainTextClusters,
} from "../src/models/cluster/index.ts";
import { loadEncoder, type OnnxEncoder } from "../src/models/encoder/index.ts";
import { tempDir } from "./server-helpers.ts";
import { runCli } from "./support/cli-run.ts";
import { BERT_FIXTURE, intentDataset, XLMR_FIXTURE } from "./support/encoder-data.ts";

const work = tempDir("cluster-encoder");
const data = intentDataset("intents", 80, 3);
const texts = data.examples.map((e) => e.text);
let bert: OnnxEncoder;
let model: TextClusterModel;

function codeIs(code: string) {
  return (e: unknown) => e instanceof TextkitError && e.code === code;
}

/** The nearest centroid of each vector by cosine, computed here from the model's numbers. */
function nearest(vectors: Float32Array, centroids: Float32Array, k: number, dim: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < vectors.length / dim; i++) {
    let best = -1;
    let bestScore = Number.NEGATIVE_INFINITY;
    for (let c = 0; c < k; c++) {
      let dot = 0;
      let vv = 0;
      let cc = 0;
      for (let j = 0; j < dim; j++) {
        const v = vectors[i * dim + j] ?? 0;
        const w = centroids[c * dim + j] ?? 0;
        dot += v * w;
        vv += v * v;
        cc += w * w;
      }
      const score = dot / Math.sqrt(vv * cc);
      if (score > bestScore) {
        bestScore = score;
        best = c;
      }
    }
    out.push(best);
  }
  return out;
}

before(async () => {
  bert = await loadEncoder(BERT_FIXTURE, { threads: 1 });
  model = await trainTextClusters(
    data,
    { k: 4, features: "encoder", minDf: 1, examples: 1 },
    {},
    { encoder: bert, encoderPath: BERT_FIXTURE },
  );
});

after(async () => {
  await bert.close();
  work.remove();
});

describe("text clusters on a pretrained encoder", () => {
  it("clusters the embeddings and assigns texts to the nearest centroid by cosine", async () => {
    assert.equal(model.k, 4);
    assert.equal(model.dim, bert.dim);
    assert.equal(model.encoderRef?.checksum, bert.checksum);
    assert.equal(
      model.clusters.reduce((sum, c) => sum + c.size, 0),
      texts.length,
    );
    assert.ok(
      model.clusters.some((c) => c.topTerms.length > 0),
      "top terms still come from TF-IDF",
    );
    assert.throws(() => model.predict(["lost card"]), codeIs("ENCODER_ASYNC_ONLY"));
    const assigned = await model.predictAsync(texts);
    const { vectors } = await bert.embed(texts);
    assert.deepEqual(
      assigned.map((a) => a.cluster),
      nearest(vectors, model.centroids, model.k, model.dim),
    );
    const evaluation = await model.evaluateAsync(data);
    assert.ok(evaluation.adjustedRandIndex >= -1 && evaluation.adjustedRandIndex <= 1);
    assert.equal(evaluation.examples, texts.length);
  });

  it("saves the encoder's checksum, loads with it, refuses another, and needs one to predict", async () => {
    const dir = join(work.path, "lib-model");
    await model.save(dir);
    assert.deepEqual(await clusterEncoderNeed(dir), {
      id: bert.id,
      checksum: bert.checksum,
      dim: bert.dim,
      path: BERT_FIXTURE,
    });
    const loaded = await loadTextClusters(dir, { encoder: bert });
    assert.deepEqual(
      await loaded.predictAsync(texts.slice(0, 10)),
      await model.predictAsync(texts.slice(0, 10)),
    );
    const bare = await loadTextClusters(dir);
    await assert.rejects(bare.predictAsync(["lost card"]), codeIs("HEAD_ENCODER_REQUIRED"));
    const xlmr = await loadEncoder(XLMR_FIXTURE, { threads: 1 });
    try {
      await assert.rejects(loadTextClusters(dir, { encoder: xlmr }), codeIs("ENCODER_CHANGED"));
      assert.throws(() => bare.withEncoder(xlmr, dir), codeIs("ENCODER_CHANGED"));
    } finally {
      await xlmr.close();
    }
  });
});

describe("textkit cluster --encoder", () => {
  it("trains on the encoder, assigns new texts through it, and refuses another", async () => {
    const input = join(work.path, "texts.txt");
    writeFileSync(input, `${texts.join("\n")}\n`);
    const out = join(work.path, "cli-model");
    const bad = await runCli(["cluster", "--input", input, "--encoder", BERT_FIXTURE, "--features", "tfidf"]);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /OPTION_INVALID/);
    const trained = await runCli([
      "cluster",
      "--input",
      input,
      "--encoder",
      BERT_FIXTURE,
      "--encoder-threads",
      "1",
      "--k",
      "3",
      "--min-df",
      "1",
      "--out",
      out,
      "--json",
      "-q",
    ]);
    assert.equal(trained.code, 0, trained.stderr);
    const summary = JSON.parse(trained.stdout) as { k: number; options: { features: string } };
    assert.equal(summary.k, 3);
    assert.equal(summary.options.features, "encoder");

    const fresh = join(work.path, "fresh.txt");
    writeFileSync(fresh, "my card was stolen\nthe weather today\n");
    const assigned = await runCli(["cluster", "--model", out, "--input", fresh]);
    assert.equal(assigned.code, 0, assigned.stderr);
    const lines = assigned.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { cluster: number; distance: number });
    assert.equal(lines.length, 2);
    for (const line of lines)
      assert.ok(line.cluster >= 0 && line.cluster < 3 && Number.isFinite(line.distance));

    const other = await runCli(["cluster", "--model", out, "--input", fresh, "--encoder", XLMR_FIXTURE]);
    assert.notEqual(other.code, 0);
    assert.match(other.stderr, /ENCODER_CHANGED/);
  });
});
