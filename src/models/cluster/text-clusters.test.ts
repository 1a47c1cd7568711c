import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { scratchFiles } from "../../../test/support/data-files.ts";
import { CHINESE_TOPICS, ENGLISH_TOPICS, topicCorpus } from "../../../test/support/topic-corpus.ts";
import { manifestDigest } from "../../artifact/index.ts";
import { isTextkitError, Random } from "../../core/index.ts";
import type { NumericRows } from "../../data/index.ts";
import { datasetFromExamples } from "../../data/index.ts";
import { adjustedRandIndex } from "../../eval/index.ts";
import { loadClusterModel } from "./load-cluster-model.ts";
import { trainNumericClusters } from "./numeric-clusters.ts";
import { type TextClusterModel, trainTextClusters } from "./text-clusters.ts";

const scratch = scratchFiles("clusters");

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(promise, (error) => isTextkitError(error) && error.code === code);
}

/** The topic whose words make up all of `terms`, or null. */
function topicOf(
  terms: readonly string[],
  topics: Readonly<Record<string, readonly string[]>>,
): string | null {
  for (const [name, words] of Object.entries(topics)) if (terms.every((t) => words.includes(t))) return name;
  return null;
}

function checkTopics(model: TextClusterModel, topics: Readonly<Record<string, readonly string[]>>): void {
  const found = model.clusters.map((c) =>
    topicOf(
      c.topTerms.slice(0, 5).map((t) => t.term),
      topics,
    ),
  );
  assert.deepEqual([...found].sort(), Object.keys(topics).sort(), JSON.stringify(model.clusters, null, 1));
  for (const c of model.clusters) {
    assert.equal(c.size, 30);
    assert.equal(c.examples.length, 2);
    assert.ok(c.examples[0]!.distance <= c.examples[1]!.distance);
  }
}

describe("trainTextClusters", () => {
  const english = topicCorpus("en", 30);

  it("splits three obvious English topics into three clusters named by their words", async () => {
    const model = await trainTextClusters(
      english.map((t) => t.text),
      { k: 3 },
    );
    assert.equal(model.k, 3);
    checkTopics(model, ENGLISH_TOPICS);
    const predicted = model.predict(english.map((t) => t.text)).map((a) => a.cluster);
    assert.equal(
      adjustedRandIndex(
        english.map((t) => t.topic),
        predicted,
      ),
      1,
    );
    assert.ok(model.silhouette !== null && model.silhouette > 0.1);
    // Examples are texts of the cluster's own topic.
    for (const c of model.clusters) {
      const words = ENGLISH_TOPICS[topicOf([c.topTerms[0]!.term], ENGLISH_TOPICS)!]!;
      for (const e of c.examples)
        assert.ok(
          words.some((w) => e.text.includes(w)),
          e.text,
        );
    }
  });

  it("does the same for Chinese text, segmented into words", async () => {
    const chinese = topicCorpus("zh", 30);
    const model = await trainTextClusters(
      chinese.map((t) => t.text),
      { k: 3 },
    );
    checkTopics(model, CHINESE_TOPICS);
  });

  it("chooses k from a range by the highest silhouette", async () => {
    const model = await trainTextClusters(
      english.map((t) => t.text),
      { k: { min: 2, max: 5 }, nInit: 4 },
    );
    assert.equal(model.k, 3);
    assert.deepEqual(
      model.selection.map((s) => s.k),
      [2, 3, 4, 5],
    );
    const best = Math.max(...model.selection.map((s) => s.silhouette ?? Number.NEGATIVE_INFINITY));
    assert.equal(model.silhouette, best);
    assert.deepEqual(model.runRecord?.final["kSelection"], model.selection);
  });

  it("gives the same model for the same seed", async () => {
    const texts = english.map((t) => t.text);
    const a = await trainTextClusters(texts, { k: 4, seed: 5 });
    const b = await trainTextClusters(texts, { k: 4, seed: 5 });
    assert.deepEqual(a.centroids, b.centroids);
    assert.deepEqual(a.clusters, b.clusters);
  });

  it("saves and loads: the loaded model assigns texts as the trained one does", async () => {
    const data = datasetFromExamples(
      "topics.csv",
      english.map((t, i) => ({ text: t.text, labels: [t.topic], line: i + 2 })),
    );
    const model = await trainTextClusters(data, { k: 3 });
    const dir = join(scratch.path, "topics");
    await model.save(dir);
    const manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8"));
    assert.equal(manifest.family, "cluster");
    assert.equal(manifest.task, "text-clustering");
    assert.deepEqual(manifest.labels, ["0", "1", "2"]);
    assert.equal(manifest.data.examples, 90);
    const run = JSON.parse(readFileSync(join(dir, "run.json"), "utf8"));
    assert.equal(run.family, "cluster");
    assert.equal(run.final.k, 3);
    assert.equal(run.epochs.length, 10);

    const loaded = await loadClusterModel(dir);
    assert.equal(loaded.task, "text-clustering");
    if (loaded.task !== "text-clustering") return;
    const fresh = ["my laptop battery died after the update", "bake the dough in a hot oven", "nothing here"];
    assert.deepEqual(loaded.predict(fresh), model.predict(fresh));
    assert.deepEqual(loaded.clusters, model.clusters);
    assert.equal(loaded.evaluate(data).adjustedRandIndex, 1);

    // A manifest whose digest matches but whose k or labels cannot be this model's is refused
    // (k null was a TypeError; reversed cluster names loaded).
    const pristine = readFileSync(join(dir, "manifest.json"), "utf8");
    const changes: ((m: Record<string, unknown>) => void)[] = [
      (m) => (m["options"] = { ...(m["options"] as object), k: null }),
      (m) => (m["options"] = { ...(m["options"] as object), lowercase: "no" }),
      (m) => (m["labels"] = ["2", "1", "0"]),
      (m) => delete m["labels"],
    ];
    for (const change of changes) {
      const m = JSON.parse(pristine);
      change(m);
      delete m.digest;
      writeFileSync(join(dir, "manifest.json"), JSON.stringify({ ...m, digest: manifestDigest(m) }));
      await rejectsWith(loadClusterModel(dir), "ARTIFACT_CORRUPT");
    }
    writeFileSync(join(dir, "manifest.json"), pristine);

    // A changed weight file is refused.
    writeFileSync(join(dir, "centroids.f32"), Buffer.alloc(12));
    await rejectsWith(loadClusterModel(dir), "ARTIFACT_CORRUPT");
  });

  it("clusters averaged word vectors from a .vec file", async () => {
    // Each topic's words point along one axis of 6 (plus noise); filler words are small and random.
    const rng = new Random(1);
    const lines: string[] = [];
    const names = Object.keys(ENGLISH_TOPICS);
    const vector = (axis: number, scale: number) =>
      Array.from({ length: 6 }, (_, d) => ((d === axis ? 1 : 0) + rng.uniform(-0.2, 0.2)) * scale);
    names.forEach((name, t) => {
      for (const w of ENGLISH_TOPICS[name]!) lines.push(`${w} ${vector(t * 2, 1).join(" ")}`);
    });
    for (const w of ["the", "a", "was", "today", "really", "and", "very", "new", "my", "is"]) {
      lines.push(`${w} ${vector(-1, 0.3).join(" ")}`);
    }
    const vec = scratch.write(".vec", `${lines.length} 6\n${lines.join("\n")}\n`);
    const model = await trainTextClusters(
      english.map((t) => t.text),
      { k: 3, features: "vectors", vectors: vec },
    );
    assert.equal(model.dim, 6);
    checkTopics(model, ENGLISH_TOPICS);
    const dir = join(scratch.path, "vectors-model");
    await model.save(dir);
    const loaded = await loadClusterModel(dir);
    const fresh = ["the coach and the team", "flour and sugar"];
    assert.ok(loaded.task === "text-clustering");
    assert.deepEqual(loaded.predict(fresh), model.predict(fresh));
  });

  it("refuses too few texts for k, texts without shared terms, and vectors without a file", async () => {
    await rejectsWith(trainTextClusters(["a b", "b c"], { k: 3, minDf: 1 }), "OPTION_INVALID");
    await rejectsWith(trainTextClusters(["alpha", "beta", "gamma"], { k: 2 }), "DATA_TOO_FEW_WORDS");
    await rejectsWith(trainTextClusters(["a"], { features: "vectors" }), "OPTION_INVALID");
    await rejectsWith(trainTextClusters([], { k: 1 }), "DATA_EMPTY");
    await rejectsWith(trainTextClusters(["x y"], { k: { min: 5, max: 2 } }), "OPTION_INVALID");
  });
});

describe("trainNumericClusters", () => {
  const fixture = JSON.parse(
    readFileSync(new URL("../../../test/fixtures/cluster/kmeans.json", import.meta.url), "utf8"),
  ) as {
    cases: { name: string; n: number; dim: number; data: number[]; runs: { k: number; inertia: number }[] }[];
  };
  const iris = fixture.cases.find((c) => c.name === "iris")!;
  const rows: NumericRows = {
    source: "iris.csv",
    columns: ["sepal_length", "sepal_width", "petal_length", "petal_width"],
    n: iris.n,
    dim: iris.dim,
    values: Float32Array.from(iris.data),
    lines: Int32Array.from({ length: iris.n }, (_, i) => i + 2),
  };

  it("clusters iris as scikit-learn does, saves, loads and assigns rows", async () => {
    const model = await trainNumericClusters(rows, { k: 3, seed: 0 });
    const sklearn = iris.runs.find((r) => r.k === 3)!.inertia;
    assert.ok(Math.abs(model.inertia / sklearn - 1) < 0.01);
    assert.deepEqual(
      model.clusters.map((c) => c.size).sort((a, b) => a - b),
      [38, 50, 62],
    );
    const dir = join(scratch.path, "iris");
    await model.save(dir);
    const loaded = await loadClusterModel(dir);
    assert.equal(loaded.task, "numeric-clustering");
    if (loaded.task !== "numeric-clustering") return;
    assert.deepEqual(loaded.columns, rows.columns);
    const flowers = [
      [5.1, 3.5, 1.4, 0.2],
      [6.7, 3.0, 5.2, 2.3],
    ];
    assert.deepEqual(loaded.predict(flowers), model.predict(flowers));
    assert.throws(
      () => loaded.predict([[1, 2, 3]]),
      (e) => isTextkitError(e) && e.code === "INPUT_INVALID",
    );
  });

  it("chooses k by silhouette: 2 for iris, as its two well-separated groups suggest", async () => {
    const model = await trainNumericClusters(rows, { k: { min: 2, max: 4 } });
    assert.equal(model.k, 2);
    assert.equal(model.selection.length, 3);
  });
});

describe("stop words in text clusters", () => {
  it("leaves English and Chinese function words out of the terms by default, and keeps them when asked", async () => {
    // "to", "and", "for" and "的" in 40% of the texts: under maxDf 0.5, so only the stop list removes them.
    const texts = topicCorpus("en", 20).map((t, i) => (i % 5 < 2 ? `${t.text} to and for its 的` : t.text));
    const model = await trainTextClusters(texts, { k: 3, seed: 1, minDf: 1 });
    assert.equal(model.options.stopwords, true);
    const terms = model.tfidf!.terms;
    for (const word of ["to", "and", "for", "its", "的"]) assert.ok(!terms.includes(word), word);
    for (const c of model.clusters)
      for (const t of c.topTerms) assert.ok(!["to", "and", "for"].includes(t.term), t.term);
    const kept = await trainTextClusters(texts, { k: 3, seed: 1, minDf: 1, stopwords: false });
    assert.ok(kept.tfidf!.terms.includes("to"));
  });
});
