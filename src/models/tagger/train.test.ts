import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { CITIES, dataset, PEOPLE, sentence, synthetic } from "../../../test/support/tagged-sentences.ts";
import { isTextkitError, Random } from "../../core/index.ts";
import type { TaggedSentence } from "../../data/index.ts";
import { writeVecFile } from "../../data/index.ts";
import { loadTagger } from "./load-tagger.ts";
import { trainTagger } from "./train.ts";

describe("trainTagger", () => {
  const train = dataset(synthetic(300, 1));
  const dev = dataset(synthetic(60, 2));

  it("learns entities, stops on dev F1, and finds spans with offsets in raw text", async () => {
    const model = await trainTagger({ train, dev }, { epochs: 10, patience: 2 });
    const evaluation = model.evaluate(dev);
    assert.ok(evaluation.entities.micro.f1 > 0.95, `dev F1 ${evaluation.entities.micro.f1}`);
    assert.ok(model.runRecord !== null && model.runRecord.epochs.length >= 1);
    assert.ok(model.runRecord.epochs[0]!.dev?.["f1"] !== undefined);
    const text = "Yesterday  Grace Hall flew to Oslo, said Hooli Inc.";
    const [result] = model.predict([text]);
    for (const e of result!.entities) {
      assert.equal(text.slice(e.start, e.end), e.text);
      assert.ok(e.score > 0 && e.score <= 1, String(e.score));
    }
    assert.equal(model.calibration.fittedOn, "dev");
    assert.ok(model.calibration.scale > 0 && model.calibration.sentences === dev.sentences.length);
    const found = result!.entities.map((e) => `${e.label}:${e.text}`);
    assert.ok(found.includes("PER:Grace Hall"), found.join(", "));
    assert.ok(found.includes("LOC:Oslo"), found.join(", "));
  });

  it("gives the same model for the same seed, and it survives save and load", async () => {
    const a = await trainTagger({ train }, { epochs: 3, seed: 5 });
    const b = await trainTagger({ train }, { epochs: 3, seed: 5 });
    assert.deepEqual(a.weights.emit, b.weights.emit);
    const dir = await mkdtemp(join(tmpdir(), "textkit-tagger-"));
    try {
      await a.save(join(dir, "m"));
      const loaded = await loadTagger(join(dir, "m"));
      for (const s of dev.sentences) assert.deepEqual(loaded.tagTokens(s.tokens), a.tagTokens(s.tokens));
      assert.deepEqual(loaded.types, a.types);
      // A flipped byte in a weight file is caught by the checksum.
      const file = join(dir, "m", "emissions.f32");
      const bytes = await readFile(file);
      bytes[0] = bytes[0]! ^ 0xff;
      await writeFile(file, bytes);
      await assert.rejects(
        loadTagger(join(dir, "m")),
        (e) => isTextkitError(e) && e.code === "ARTIFACT_CORRUPT",
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("uses a gazetteer to tag names it never saw in training", async () => {
    const gazetteer = [
      ...CITIES.map((c) => ({ type: "LOC", phrase: c })),
      { type: "LOC", phrase: "Reykjavik" },
      { type: "LOC", phrase: "Tbilisi" },
    ];
    const model = await trainTagger({ train, gazetteer }, { epochs: 5 });
    const [r] = model.predict(["Dan Brown flew to Reykjavik on Monday ."]);
    assert.ok(
      r!.entities.some((e) => e.label === "LOC" && e.text === "Reykjavik"),
      JSON.stringify(r),
    );
  });

  it("tags Chinese characters", async () => {
    const zhSentences: TaggedSentence[] = [];
    const names = ["张伟", "李娜", "王芳", "刘洋", "陈静", "赵磊"];
    const places = ["北京", "上海", "广州", "深圳", "杭州", "成都"];
    const rng = new Random(2);
    for (let i = 0; i < 200; i++) {
      const name = names[rng.int(names.length)]!;
      const place = places[rng.int(places.length)]!;
      const text = `${name}昨天去了${place}出差。`;
      const tokens = Array.from(text);
      const tags = tokens.map(() => "O");
      tags[0] = "B-PER";
      tags[1] = "I-PER";
      const at = name.length + 4;
      tags[at] = "B-LOC";
      tags[at + 1] = "I-LOC";
      zhSentences.push({
        tokens,
        tags,
        line: i + 1,
        text,
        starts: tokens.map((_, j) => j),
        ends: tokens.map((_, j) => j + 1),
      });
    }
    const model = await trainTagger({ train: dataset(zhSentences, "zh") }, { epochs: 5 });
    assert.equal(model.language, "zh");
    const [r] = model.predict(["李娜昨天去了杭州出差。"]);
    assert.deepEqual(
      r!.entities.map((e) => [e.label, e.text, e.start, e.end]),
      [
        ["PER", "李娜", 0, 2],
        ["LOC", "杭州", 6, 8],
      ],
    );
  });

  it("groups word vectors into clusters, uses them as features, and keeps them in the model", async () => {
    const dir = await mkdtemp(join(tmpdir(), "textkit-tagger-vec-"));
    try {
      // Cities near one direction, people near another, everything else near a third.
      const rng = new Random(11);
      const words: string[] = [];
      const rows: number[] = [];
      const add = (word: string, axis: number) => {
        words.push(word);
        for (let d = 0; d < 8; d++) rows.push((d === axis ? 5 : 0) + rng.uniform(-0.5, 0.5));
      };
      for (const c of [...CITIES, "reykjavik"]) add(c.toLowerCase(), 0);
      for (const p of PEOPLE) for (const w of p.split(" ")) add(w.toLowerCase(), 1);
      for (const w of ["the", "flew", "to", "on", "monday", "hired", "last", "year", "in", "opened"])
        add(w, 2);
      const vec = join(dir, "w.vec");
      await writeVecFile(vec, { dim: 8, words, vectors: Float32Array.from(rows) });
      const model = await trainTagger({ train }, { epochs: 3, vectors: vec, vectorClusters: 3 });
      assert.ok(model.resources.clusters !== null);
      assert.equal(model.resources.clusters.get("reykjavik"), model.resources.clusters.get("paris"));
      assert.notEqual(model.resources.clusters.get("paris"), model.resources.clusters.get("alice"));
      await model.save(join(dir, "m"));
      const loaded = await loadTagger(join(dir, "m"));
      assert.equal(loaded.resources.clusters?.get("reykjavik"), model.resources.clusters.get("reykjavik"));
      for (const s of dev.sentences.slice(0, 20))
        assert.deepEqual(loaded.tagTokens(s.tokens), model.tagTokens(s.tokens));
      // A cluster file with a line of the wrong shape names its line.
      const bad = join(dir, "clusters.txt");
      await writeFile(bad, "paris\tc1\noslo c2 extra\n");
      await assert.rejects(
        trainTagger({ train }, { epochs: 1, clusters: bad }),
        (e) => isTextkitError(e) && e.code === "DATA_BAD_ROW" && e.line === 2,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("reports calibration as a stage of its progress and records its seconds in the run", async () => {
    const stages = new Set<string>();
    const model = await trainTagger(
      { train: dataset(synthetic(120, 5)), dev: dataset(synthetic(40, 6)) },
      { epochs: 2 },
      { onProgress: (p) => stages.add(p.stage ?? "epoch") },
    );
    assert.ok(stages.has("calibration"));
    const final = model.runRecord!.final;
    const calibration = Number(final["calibrationSeconds"]);
    assert.ok(calibration > 0 && calibration <= Number(final["trainSeconds"]));
    assert.ok(Number(final["epochSeconds"]) + calibration <= Number(final["trainSeconds"]) + 1e-6);
    assert.equal(model.calibration.fittedOn, "dev");
  });

  it("refuses data without entities", async () => {
    await assert.rejects(
      trainTagger({ train: dataset([sentence("nothing here at all")]) }),
      (e) => isTextkitError(e) && e.code === "DATA_NO_LABEL",
    );
  });
});
