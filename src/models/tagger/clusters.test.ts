import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { dataset, synthetic } from "../../../test/support/tagged-sentences.ts";
import { isTextkitError, Random } from "../../core/index.ts";
import { kMeans } from "../numeric/index.ts";
import { clustersFromUnlabelled, clusterWords } from "./clusters.ts";
import { TaggerFeatures } from "./features.ts";
import { resolveTaggerOptions } from "./options.ts";
import { trainTagger } from "./train.ts";

describe("kMeans", () => {
  it("separates well-apart groups and reports their inertia", () => {
    const data = new Float32Array([0, 0, 0, 1, 1, 0, 10, 10, 10, 11, 11, 10]);
    const r = kMeans(data, 6, 2, { k: 2, seed: 1 });
    assert.equal(r.assignments[0], r.assignments[1]);
    assert.equal(r.assignments[1], r.assignments[2]);
    assert.equal(r.assignments[3], r.assignments[4]);
    assert.notEqual(r.assignments[0], r.assignments[3]);
    // Each group of three points around its mean: 2/3 + 2/3 + ... = 4/3 per group.
    assert.ok(Math.abs(r.inertia - 8 / 3) < 1e-5, String(r.inertia));
  });

  it("refuses more clusters than rows", () => {
    assert.throws(
      () => kMeans(new Float32Array(4), 2, 2, { k: 3 }),
      (e) => isTextkitError(e) && e.code === "OPTION_INVALID",
    );
  });
});

describe("word clusters", () => {
  it("groups words at three granularities, the finest first, coarser ones after a space", () => {
    const words: string[] = [];
    const rows: number[] = [];
    for (let g = 0; g < 32; g++) {
      for (let m = 0; m < 4; m++) {
        words.push(`w${g}_${m}`);
        for (let d = 0; d < 32; d++) rows.push(d === g ? 10 : m * 0.01);
      }
    }
    const map = clusterWords(words, Float32Array.from(rows), 32, 32, 1);
    const parts = map.get("w3_0")!.split(" ");
    assert.equal(parts.length, 3);
    assert.match(parts[0]!, /^k\d+$/);
    assert.match(parts[1]!, /^g8:\d+$/);
    assert.match(parts[2]!, /^g2:\d+$/);
    // Words built alike share their finest cluster.
    assert.equal(map.get("w3_0"), map.get("w3_3"));
  });

  it("learns clusters from unlabelled text: words used alike share one, and tokens find theirs", async () => {
    const dir = await mkdtemp(join(tmpdir(), "textkit-tagger-unl-"));
    try {
      const rng = new Random(3);
      const cities = ["paris", "oslo", "lima", "cairo", "quito", "dakar"];
      const foods = ["bread", "rice", "soup", "cake", "pasta", "tea"];
      const lines: string[] = [];
      for (let i = 0; i < 3000; i++) {
        const city = cities[rng.int(cities.length)]!;
        const food = foods[rng.int(foods.length)]!;
        lines.push(rng.next() < 0.5 ? `we flew to ${city} last week` : `she cooked ${food} for dinner`);
      }
      const file = join(dir, "posts.txt");
      await writeFile(file, `${lines.join("\n")}\n`);
      const map = await clustersFromUnlabelled(file, 4, 1, "en");
      assert.equal(map.get("paris"), map.get("dakar"));
      assert.equal(map.get("rice"), map.get("tea"));
      assert.notEqual(map.get("paris"), map.get("rice"));
      // #Paris and Paaaris find the word's clusters: their hashes match the bare word's.
      const features = new TaggerFeatures("en", { gazetteer: null, clusters: map });
      const hashes = (tokens: string[]) => {
        const out: number[] = [];
        const offsets: number[] = [];
        features.sentence(tokens, out, offsets);
        return new Set(out.slice(offsets[1], offsets[2]));
      };
      const plain = hashes(["to", "paris", "now"]);
      for (const variant of ["#paris", "PARIS"]) {
        const got = hashes(["to", variant, "now"]);
        assert.ok([...plain].filter((h) => got.has(h)).length >= 5, variant);
      }
      // Training with the file keeps the clusters in the model.
      const model = await trainTagger(
        { train: dataset(synthetic(60, 1)) },
        { epochs: 1, unlabelled: file, vectorClusters: 4 },
      );
      assert.equal(model.resources.clusters?.get("oslo"), map.get("oslo"));
      const empty = join(dir, "empty.txt");
      await writeFile(empty, "\n  \n");
      await assert.rejects(
        clustersFromUnlabelled(empty, 2, 1, "en"),
        (e) => isTextkitError(e) && e.code === "DATA_EMPTY" && e.file === empty,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("refuses two sources of clusters at once", () => {
    assert.throws(
      () => resolveTaggerOptions({ vectors: "a.vec", unlabelled: "b.txt" }),
      (e) => isTextkitError(e) && e.code === "OPTION_INVALID",
    );
  });
});
