import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { findTagViolation, isTextkitError, Random } from "../../core/index.ts";
import type { TaggedDataset, TaggedSentence } from "../../data/index.ts";
import { writeVecFile } from "../../data/index.ts";
import { kMeans } from "../numeric/index.ts";
import { FeatureTable } from "./feature-table.ts";
import { shortShape, TaggerFeatures, wordBoundaryTags, wordShape } from "./features.ts";
import { Gazetteer } from "./gazetteer.ts";
import {
  forwardBackward,
  forwardLogZ,
  LatticeScratch,
  pathScore,
  scaledLogZ,
  scaledTransitions,
  segmentProbability,
} from "./lattice.ts";
import { loadTagger } from "./load-tagger.ts";
import { buildTagSet } from "./tag-set.ts";
import { trainTagger } from "./train.ts";
import { transitionBounds, ViterbiScratch, viterbi } from "./viterbi.ts";

/** A sentence from "Word/TAG" items; text is the words joined by spaces. */
function sentence(spec: string, line = 1): TaggedSentence {
  const tokens: string[] = [];
  const tags: string[] = [];
  const starts: number[] = [];
  const ends: number[] = [];
  let text = "";
  for (const item of spec.split(" ")) {
    const slash = item.lastIndexOf("/");
    const token = slash > 0 ? item.slice(0, slash) : item;
    if (text.length > 0) text += " ";
    starts.push(text.length);
    text += token;
    ends.push(text.length);
    tokens.push(token);
    tags.push(slash > 0 ? item.slice(slash + 1) : "O");
  }
  return { tokens, tags, line, text, starts, ends };
}

function dataset(sentences: TaggedSentence[], language: "en" | "zh" = "en"): TaggedDataset {
  const types = new Set<string>();
  for (const s of sentences) for (const t of s.tags) if (t !== "O") types.add(t.slice(2));
  return { source: "inline", format: "conll", scheme: "bio", language, sentences, types: [...types].sort() };
}

const PEOPLE = [
  "Alice Smith",
  "Bob Jones",
  "Carol White",
  "Dan Brown",
  "Eve Black",
  "Frank Green",
  "Grace Hall",
  "Henry Ford",
];
const CITIES = ["Paris", "Berlin", "Madrid", "Rome", "Vienna", "Oslo", "Lisbon", "Prague"];
const ORGS = ["Acme Corp", "Globex Inc", "Initech Ltd", "Umbrella Corp", "Hooli Inc", "Vandelay Ltd"];

/** Sentences with people, cities and companies in varied frames. */
function synthetic(count: number, seed: number): TaggedSentence[] {
  const rng = new Random(seed);
  const pick = <T>(xs: readonly T[]) => xs[rng.int(xs.length)]!;
  const tagged = (name: string, type: string) =>
    name
      .split(" ")
      .map((w, i) => `${w}/${i === 0 ? "B" : "I"}-${type}`)
      .join(" ");
  const frames = [
    () => `${tagged(pick(PEOPLE), "PER")} flew to ${tagged(pick(CITIES), "LOC")} on Monday .`,
    () => `${tagged(pick(ORGS), "ORG")} hired ${tagged(pick(PEOPLE), "PER")} last year .`,
    () => `In ${tagged(pick(CITIES), "LOC")} , ${tagged(pick(ORGS), "ORG")} opened an office .`,
    () => `the weather was fine and nobody complained .`,
    () => `${tagged(pick(PEOPLE), "PER")} said ${tagged(pick(ORGS), "ORG")} will grow .`,
  ];
  return Array.from({ length: count }, (_, i) => sentence(pick(frames)(), i + 1));
}

describe("decode", () => {
  it("allows only transitions that keep entities well formed", () => {
    const set = buildTagSet(["PER"], "bioes");
    assert.deepEqual(set.tags, ["O", "B-PER", "I-PER", "E-PER", "S-PER"]);
    const T = set.tags.length;
    const ok = (a: string, b: string) => set.allowed[set.tags.indexOf(a) * T + set.tags.indexOf(b)] === 1;
    assert.equal(ok("O", "I-PER"), false);
    assert.equal(ok("B-PER", "O"), false);
    assert.equal(ok("B-PER", "E-PER"), true);
    assert.equal(ok("E-PER", "B-PER"), true);
    assert.equal(set.canStart[set.tags.indexOf("I-PER")], 0);
    assert.equal(set.canEnd[set.tags.indexOf("B-PER")], 0);
  });

  it("never returns an invalid sequence, whatever the scores", () => {
    const rng = new Random(7);
    for (const scheme of ["bio", "bioes"] as const) {
      const set = buildTagSet(["LOC", "PER", "ORG"], scheme);
      const T = set.tags.length;
      const scratch = new ViterbiScratch();
      for (let trial = 0; trial < 200; trial++) {
        const n = 1 + rng.int(12);
        const emit = Float64Array.from({ length: n * T }, () => rng.uniform(-5, 5));
        const trans = Float32Array.from({ length: T * T }, () => rng.uniform(-5, 5));
        const start = Float32Array.from({ length: T }, () => rng.uniform(-5, 5));
        const end = Float32Array.from({ length: T }, () => rng.uniform(-5, 5));
        const path = new Int32Array(n);
        viterbi(set, n, emit, trans, start, end, path, scratch);
        const tags = Array.from(path, (t) => set.tags[t]!);
        assert.equal(findTagViolation(tags, scheme), null, `${scheme}: ${tags.join(" ")}`);
      }
    }
  });

  it("finds the path with the highest score (brute force on short inputs)", () => {
    const rng = new Random(3);
    const set = buildTagSet(["X"], "bio");
    const T = set.tags.length;
    for (let trial = 0; trial < 50; trial++) {
      const n = 1 + rng.int(4);
      const emit = Float64Array.from({ length: n * T }, () => rng.uniform(-3, 3));
      const trans = Float32Array.from({ length: T * T }, () => rng.uniform(-3, 3));
      const start = Float32Array.from({ length: T }, () => rng.uniform(-3, 3));
      const end = Float32Array.from({ length: T }, () => rng.uniform(-3, 3));
      const path = new Int32Array(n);
      viterbi(set, n, emit, trans, start, end, path, new ViterbiScratch());
      let best = Number.NEGATIVE_INFINITY;
      const total = T ** n;
      for (let code = 0; code < total; code++) {
        const p: number[] = [];
        for (let i = 0, c = code; i < n; i++, c = Math.floor(c / T)) p.push(c % T);
        if (
          findTagViolation(
            p.map((t) => set.tags[t]!),
            "bio",
          ) !== null
        )
          continue;
        let s = start[p[0]!]! + end[p[n - 1]!]!;
        for (let i = 0; i < n; i++) s += emit[i * T + p[i]!]! + (i > 0 ? trans[p[i - 1]! * T + p[i]!]! : 0);
        best = Math.max(best, s);
      }
      let got = start[path[0]!]! + end[path[n - 1]!]!;
      for (let i = 0; i < n; i++)
        got += emit[i * T + path[i]!]! + (i > 0 ? trans[path[i - 1]! * T + path[i]!]! : 0);
      assert.ok(Math.abs(got - best) < 1e-9, `viterbi ${got} vs best ${best}`);
    }
  });
});

describe("forward-backward", () => {
  it("gives each segment the probability that brute force over all valid paths gives", () => {
    const rng = new Random(5);
    const set = buildTagSet(["X", "Y"], "bioes");
    const T = set.tags.length;
    for (let trial = 0; trial < 20; trial++) {
      const n = 1 + rng.int(4);
      const emit = Float64Array.from({ length: n * T }, () => rng.uniform(-2, 2));
      const trans = Float32Array.from({ length: T * T }, () => rng.uniform(-2, 2));
      const start = Float32Array.from({ length: T }, () => rng.uniform(-2, 2));
      const end = Float32Array.from({ length: T }, () => rng.uniform(-2, 2));
      const scale = rng.uniform(0.2, 2);
      const lattice = new LatticeScratch();
      const logZ = forwardBackward(set, n, emit, trans, start, end, scale, lattice);
      const path = new Int32Array(n);
      viterbi(set, n, emit, trans, start, end, path, new ViterbiScratch());
      // Brute force: Z and the mass of paths that agree with the Viterbi path on [0, 1).
      let z = 0;
      let agree = 0;
      for (let code = 0; code < T ** n; code++) {
        const p: number[] = [];
        for (let i = 0, c = code; i < n; i++, c = Math.floor(c / T)) p.push(c % T);
        if (
          findTagViolation(
            p.map((t) => set.tags[t]!),
            "bioes",
          ) !== null
        )
          continue;
        const w = Math.exp(scale * pathScore(T, n, emit, trans, start, end, p));
        z += w;
        if (p[0] === path[0]) agree += w;
      }
      assert.ok(Math.abs(logZ - Math.log(z)) < 1e-9, `logZ ${logZ} vs ${Math.log(z)}`);
      const got = segmentProbability(set, emit, trans, scale, lattice, logZ, path, 0, 1);
      assert.ok(Math.abs(got - agree / z) < 1e-9, `P ${got} vs ${agree / z}`);
    }
  });
});

/** The best path score by a plain dense search over the allowed matrix. */
function denseViterbiScore(
  set: ReturnType<typeof buildTagSet>,
  n: number,
  emit: Float64Array,
  trans: Float32Array,
  start: Float32Array,
  end: Float32Array,
): number {
  const T = set.tags.length;
  let prev = Array.from({ length: T }, (_, t) => (set.canStart[t] === 1 ? start[t]! + emit[t]! : -Infinity));
  for (let i = 1; i < n; i++) {
    const cur = new Array<number>(T).fill(-Infinity);
    for (let c = 0; c < T; c++) {
      for (let p = 0; p < T; p++) {
        if (set.allowed[p * T + c] === 1) cur[c] = Math.max(cur[c]!, prev[p]! + trans[p * T + c]!);
      }
      cur[c]! += emit[i * T + c]!;
    }
    prev = cur;
  }
  let best = -Infinity;
  for (let t = 0; t < T; t++) if (set.canEnd[t] === 1) best = Math.max(best, prev[t]! + end[t]!);
  return best;
}

describe("sparse transitions", () => {
  it("lists exactly the allowed pairs, far fewer than tags² with many types", () => {
    const types = Array.from({ length: 120 }, (_, k) => `T${k}`);
    for (const scheme of ["bio", "bioes"] as const) {
      const set = buildTagSet(types, scheme);
      const T = set.tags.length;
      let allowed = 0;
      for (let cur = 0; cur < T; cur++) {
        const listed = new Set(set.prevTag.subarray(set.prevStart[cur]!, set.prevStart[cur + 1]!));
        for (let prev = 0; prev < T; prev++) {
          assert.equal(listed.has(prev), set.allowed[prev * T + cur] === 1);
          if (listed.has(prev)) allowed++;
        }
      }
      assert.equal(set.pairs, allowed);
      assert.equal(set.nextTag.length, allowed);
      // BIO: B- and O may follow anything, so about half; BIOES: about a quarter.
      assert.ok(set.pairs < (scheme === "bio" ? 0.51 : 0.26) * T * T, `${scheme}: ${set.pairs} of ${T * T}`);
    }
  });

  it("prunes the wide predecessor block exactly: the best path scores what a dense search finds", () => {
    const rng = new Random(5);
    const types = Array.from({ length: 14 }, (_, k) => `T${k}`);
    for (const scheme of ["bio", "bioes"] as const) {
      const set = buildTagSet(types, scheme);
      const T = set.tags.length;
      assert.ok(set.widePrev.length > 24);
      const scratch = new ViterbiScratch();
      for (let trial = 0; trial < 40; trial++) {
        const n = 1 + rng.int(10);
        const spread = trial % 2 === 0 ? 1 : 8;
        const emit = Float64Array.from({ length: n * T }, () => rng.uniform(-4, 4));
        const trans = Float32Array.from({ length: T * T }, () => rng.uniform(-spread, spread));
        const start = Float32Array.from({ length: T }, () => rng.uniform(-2, 2));
        const end = Float32Array.from({ length: T }, () => rng.uniform(-2, 2));
        const path = new Int32Array(n);
        // A loose bound (as training keeps between epochs) must give the same answer.
        const loose = transitionBounds(set, trans).map((b) => b + (trial % 3));
        viterbi(set, n, emit, trans, start, end, path, scratch, loose);
        const tags = Array.from(path, (t) => set.tags[t]!);
        assert.equal(findTagViolation(tags, scheme), null);
        const got = pathScore(T, n, emit, trans, start, end, path);
        const want = denseViterbiScore(set, n, emit, trans, start, end);
        assert.ok(Math.abs(got - want) < 1e-6, `${scheme} trial ${trial}: ${got} vs ${want}`);
      }
    }
  });

  it("computes log Z in probability space as in log space, even with extreme scales", () => {
    const rng = new Random(11);
    const set = buildTagSet(["A", "B", "C", "D"], "bioes");
    const T = set.tags.length;
    const lattice = new LatticeScratch();
    for (let trial = 0; trial < 60; trial++) {
      const n = 1 + rng.int(15);
      const spread = trial % 3 === 0 ? 400 : 6;
      const emit = Float64Array.from({ length: n * T }, () => rng.uniform(-spread, spread));
      const trans = Float32Array.from({ length: T * T }, () => rng.uniform(-spread, spread));
      const start = Float32Array.from({ length: T }, () => rng.uniform(-3, 3));
      const end = Float32Array.from({ length: T }, () => rng.uniform(-3, 3));
      const scale = [1e-4, 0.3, 1, 10][trial % 4]!;
      const expected = forwardLogZ(set, n, emit, trans, start, end, scale, lattice);
      const max = scaledTransitions(set, trans, scale, lattice);
      const got = scaledLogZ(set, n, emit, trans, start, end, scale, max, lattice);
      assert.ok(Math.abs(got - expected) <= 1e-9 * Math.max(1, Math.abs(expected)), `${got} vs ${expected}`);
    }
  });
});

describe("features", () => {
  it("lets #Paris, @Paris and Paaaris share the word's features, and marks casing of the sentence", () => {
    const f = new TaggerFeatures("en", { gazetteer: null, clusters: null });
    const of = (tokens: string[], i = 0) => {
      const hashes: number[] = [];
      const offsets: number[] = [];
      f.sentence(tokens, hashes, offsets);
      return new Set(hashes.slice(offsets[i], offsets[i + 1]));
    };
    const shared = (a: Set<number>, b: Set<number>) => [...a].filter((h) => b.has(h)).length;
    const plain = of(["Paris"]);
    assert.ok(shared(plain, of(["#Paris"])) >= 2);
    assert.ok(shared(plain, of(["@Paris"])) >= 2);
    assert.ok(shared(of(["paaaris"]), of(["paaris"])) >= 1);
    assert.ok(shared(of(["#Paris"]), of(["@Paris"])) < of(["#Paris"]).size);
    // The same word in an all-lower-case sentence gets another casing feature.
    assert.notDeepEqual(of(["paris", "is", "nice"]), of(["paris", "is", "Nice"]));
  });

  it("computes word shapes", () => {
    assert.equal(wordShape("McDonald's"), "XxXxxxx'x");
    assert.equal(wordShape("1996-08-22"), "dddd-dd-dd");
    assert.equal(shortShape("Washington"), "Xx");
    assert.equal(shortShape("U.S."), "X.X.");
  });

  it("marks where each character sits in the words Intl.Segmenter finds", () => {
    const { tags, words } = wordBoundaryTags(["北", "京", "欢", "迎", "你"]);
    assert.equal(tags.length, 5);
    assert.equal(words[0], words[1]);
    assert.equal(tags[0], "B");
    assert.equal(tags[1], "E");
    for (const t of tags) assert.ok(["B", "M", "E", "S"].includes(t));
  });

  it("matches the longest gazetteer entry, ignoring case", () => {
    const gaz = new Gazetteer(
      [
        { type: "ORG", phrase: "Bank of China" },
        { type: "LOC", phrase: "China" },
      ],
      "en",
    );
    assert.deepEqual(gaz.match(["the", "bank", "of", "China", "in", "china"]), [
      "",
      "ORG:B",
      "ORG:I",
      "ORG:E",
      "",
      "LOC:S",
    ]);
    const back = Gazetteer.fromTsv(gaz.toTsv(), "en");
    assert.equal(back.size, 2);
  });

  it("looks features up by hash, and says -1 for unseen ones", () => {
    const keys = Uint32Array.from(
      { length: 5000 },
      (_, i) => (Math.imul(i + 1, 2654435761) >>> 0) ^ 0x5bd1e995,
    );
    const table = new FeatureTable(keys);
    for (let i = 0; i < keys.length; i += 97) assert.equal(table.row(keys[i]!), i);
    assert.equal(table.row(123), -1);
  });
});

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
