import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { dataset, synthetic } from "../../../test/support/tagged-sentences.ts";
import { findTagViolation, isTextkitError, Random } from "../../core/index.ts";
import { CrfSgd, crfObjective, seenPairs } from "./crf.ts";
import { CrfLattice } from "./crf-lattice.ts";
import type { EncodedSentences } from "./encode.ts";
import { pathScore } from "./lattice.ts";
import { loadTagger } from "./load-tagger.ts";
import { resolveTaggerOptions } from "./options.ts";
import type { TaggerWeights } from "./sequence-tagger.ts";
import { buildTagSet, type TagSet } from "./tag-set.ts";
import { trainTagger } from "./train.ts";

/** Every valid tag path of n tokens. */
function validPaths(set: TagSet, n: number): number[][] {
  const T = set.tags.length;
  const out: number[][] = [];
  for (let code = 0; code < T ** n; code++) {
    const p: number[] = [];
    for (let i = 0, c = code; i < n; i++, c = Math.floor(c / T)) p.push(c % T);
    if (
      findTagViolation(
        p.map((t) => set.tags[t] ?? "O"),
        set.scheme,
      ) === null
    )
      out.push(p);
  }
  return out;
}

/** Random sentences over `rows` features with gold paths that the scheme allows. */
function tinyProblem(set: TagSet, rows: number, sentences: number, seed: number): EncodedSentences {
  const rng = new Random(seed);
  const feats: number[] = [];
  const tokenStart: number[] = [];
  const sentenceStart: number[] = [];
  const gold: number[] = [];
  for (let s = 0; s < sentences; s++) {
    sentenceStart.push(gold.length);
    const n = 1 + rng.int(4);
    const paths = validPaths(set, n);
    const path = paths[rng.int(paths.length)] ?? [];
    for (const tag of path) {
      tokenStart.push(feats.length);
      // A feature tied to the tag (mostly) and a random one.
      feats.push(rng.uniform(0, 1) < 0.8 ? tag : rng.int(rows), rng.int(rows));
      gold.push(tag);
    }
  }
  sentenceStart.push(gold.length);
  tokenStart.push(feats.length);
  return {
    feats: Int32Array.from(feats),
    tokenStart: Int32Array.from(tokenStart),
    sentenceStart: Int32Array.from(sentenceStart),
    gold: Int32Array.from(gold),
  };
}

/** Weights that are multiples of 1/64, so that ± 2^-16 stays exact in float32. */
function randomWeights(rows: number, T: number, rng: Random): TaggerWeights {
  const draw = (length: number) =>
    Float32Array.from({ length }, () => Math.round(rng.uniform(-1, 1) * 64) / 64);
  return { emit: draw(rows * T), trans: draw(T * T), start: draw(T), end: draw(T) };
}

describe("CRF forward-backward", () => {
  it("gives the marginals and log Z of brute-force enumeration (4 tokens, 3 tags)", () => {
    const set = buildTagSet(["X"], "bio");
    const T = set.tags.length;
    assert.equal(T, 3);
    const n = 4;
    const rng = new Random(3);
    for (let trial = 0; trial < 10; trial++) {
      const emit = Float64Array.from({ length: n * T }, () => rng.uniform(-3, 3));
      const trans = Float32Array.from({ length: T * T }, () => rng.uniform(-3, 3));
      const start = Float32Array.from({ length: T }, () => rng.uniform(-3, 3));
      const end = Float32Array.from({ length: T }, () => rng.uniform(-3, 3));
      const lattice = new CrfLattice();
      const logZ = lattice.marginals(set, n, emit, { trans, start, end });
      let z = 0;
      const node = new Float64Array(n * T);
      const edge = new Float64Array(T * T);
      for (const p of validPaths(set, n)) {
        const w = Math.exp(pathScore(T, n, emit, { trans, start, end }, p));
        z += w;
        p.forEach((t, i) => {
          node[i * T + t] = (node[i * T + t] ?? 0) + w;
          if (i > 0) edge[(p[i - 1] ?? 0) * T + t] = (edge[(p[i - 1] ?? 0) * T + t] ?? 0) + w;
        });
      }
      assert.ok(Math.abs(logZ - Math.log(z)) < 1e-9, `log Z ${logZ} vs ${Math.log(z)}`);
      for (let i = 0; i < n; i++) {
        let sum = 0;
        for (let t = 0; t < T; t++) {
          const got = lattice.node[i * T + t] ?? Number.NaN;
          sum += got;
          assert.ok(Math.abs(got - (node[i * T + t] ?? 0) / z) < 1e-9, `p(${i}, ${t}) ${got}`);
        }
        assert.ok(Math.abs(sum - 1) < 1e-9, `marginals at ${i} sum to ${sum}`);
      }
      const pairAt = lattice.layout?.pairAt ?? new Int32Array(0);
      assert.equal(pairAt.length, set.pairs);
      for (const [p, k] of pairAt.entries()) {
        assert.equal(set.allowed[k], 1);
        const got = lattice.edge[p] ?? Number.NaN;
        assert.ok(Math.abs(got - (edge[k] ?? 0) / z) < 1e-9, `edge ${k}: ${got} vs ${(edge[k] ?? 0) / z}`);
      }
    }
  });

  it("stays exact with scores far beyond exp's range (the log-space fallback)", () => {
    const set = buildTagSet(["X", "Y"], "bioes");
    const T = set.tags.length;
    const rng = new Random(9);
    for (const n of [3, 30]) {
      const emit = Float64Array.from({ length: n * T }, () => rng.uniform(-900, 900));
      const trans = Float32Array.from({ length: T * T }, () => rng.uniform(-5, 5));
      const zeros = new Float32Array(T);
      const lattice = new CrfLattice();
      const logZ = lattice.marginals(set, n, emit, { trans, start: zeros, end: zeros });
      assert.ok(Number.isFinite(logZ), String(logZ));
      for (let i = 0; i < n; i++) {
        let sum = 0;
        for (let t = 0; t < T; t++) sum += lattice.node[i * T + t] ?? 0;
        assert.ok(Math.abs(sum - 1) < 1e-9, `marginals at ${i} sum to ${sum}`);
      }
      if (n > 3) continue;
      // Brute force relative to the best path's score.
      const paths = validPaths(set, n);
      const scores = paths.map((p) => pathScore(T, n, emit, { trans, start: zeros, end: zeros }, p));
      const best = Math.max(...scores);
      let z = 0;
      for (const s of scores) z += Math.exp(s - best);
      assert.ok(Math.abs(logZ - (best + Math.log(z))) < 1e-9, `log Z ${logZ} vs ${best + Math.log(z)}`);
    }
  });
});

describe("CRF objective", () => {
  it("has the gradient that finite differences give", () => {
    const set = buildTagSet(["X", "Y"], "bioes");
    const T = set.tags.length;
    const rows = 12;
    const encoded = tinyProblem(set, rows, 6, 4);
    const rng = new Random(8);
    const w = randomWeights(rows, T, rng);
    const c2 = 0.3;
    const { gradient } = crfObjective(set, encoded, w, c2);
    const h = 2 ** -16;
    let checked = 0;
    for (const part of ["emit", "trans", "start", "end"] as const) {
      const values = w[part];
      for (let i = 0; i < values.length; i += part === "emit" ? 7 : 3) {
        const x = values[i] ?? 0;
        values[i] = x + h;
        const up = crfObjective(set, encoded, w, c2).value;
        values[i] = x - h;
        const down = crfObjective(set, encoded, w, c2).value;
        values[i] = x;
        const numeric = (up - down) / (2 * h);
        const analytic = gradient[part][i] ?? Number.NaN;
        assert.ok(Math.abs(numeric - analytic) < 1e-6, `${part}[${i}]: ${analytic} vs ${numeric}`);
        checked++;
      }
    }
    assert.ok(checked > 40);
  });

  it("goes down as SGD trains", () => {
    const set = buildTagSet(["X", "Y"], "bio");
    const rows = 10;
    const encoded = tinyProblem(set, rows, 200, 6);
    const sentences = encoded.sentenceStart.length - 1;
    const sgd = new CrfSgd(rows, set, 1, sentences);
    const before = crfObjective(set, encoded, sgd.weights(), 1).value;
    const values: number[] = [];
    let t = 0;
    for (let epoch = 0; epoch < 4; epoch++) {
      for (let s = 0; s < sentences; s++) {
        const first = encoded.sentenceStart[s] ?? 0;
        const n = (encoded.sentenceStart[s + 1] ?? 0) - first;
        sgd.step(encoded, first, n, sgd.rate(0.1, t++));
      }
      values.push(crfObjective(set, encoded, sgd.weights(), 1).value);
    }
    const last = values[values.length - 1] ?? Number.NaN;
    assert.ok(last < 0.6 * before, `objective ${before} -> ${values.join(", ")}`);
    assert.ok((values[0] ?? 0) < before);
  });
});

describe("CrfSgd options", () => {
  /** `steps` SGD steps at a fixed rate over the sentences in order from `from` (cycling). */
  function runSteps(sgd: CrfSgd, encoded: EncodedSentences, steps: number, eta: number, from = 0): void {
    const sentences = encoded.sentenceStart.length - 1;
    for (let k = 0; k < steps; k++) {
      const s = (from + k) % sentences;
      const first = encoded.sentenceStart[s] ?? 0;
      sgd.step(encoded, first, (encoded.sentenceStart[s + 1] ?? 0) - first, eta);
    }
  }

  it("averages the weights exactly as a direct average of every step's weights", () => {
    const set = buildTagSet(["X", "Y"], "bio");
    const rows = 10;
    const encoded = tinyProblem(set, rows, 60, 9);
    // A strong regulariser and a fixed rate make the decay factor fold several times.
    for (const c2 of [0.5, 20]) {
      const plain = new CrfSgd(rows, set, c2, 60);
      const averaging = new CrfSgd(rows, set, c2, 60, { average: true });
      runSteps(plain, encoded, 40, 0.3);
      runSteps(averaging, encoded, 40, 0.3);
      averaging.startAverage();
      const sum = {
        emit: new Float64Array(rows * 5),
        trans: new Float64Array(25),
        start: new Float64Array(5),
        end: new Float64Array(5),
      };
      let steps = 0;
      for (let k = 0; k < 150; k++) {
        runSteps(averaging, encoded, 1, 0.3, 40 + k);
        runSteps(plain, encoded, 1, 0.3, 40 + k);
        const w = plain.weights();
        for (const part of ["emit", "trans", "start", "end"] as const) {
          w[part].forEach((x, i) => {
            sum[part][i] = (sum[part][i] ?? 0) + x;
          });
        }
        steps++;
      }
      const averaged = averaging.averaged();
      let moved = 0;
      for (const part of ["emit", "trans", "start", "end"] as const) {
        sum[part].forEach((total, i) => {
          const direct = total / steps;
          const got = averaged[part][i] ?? Number.NaN;
          moved += Math.abs(direct - (plain.weights()[part][i] ?? 0));
          assert.ok(
            Math.abs(got - direct) <= 1e-4 * (1 + Math.abs(direct)),
            `${part}[${i}]: ${got} vs ${direct}`,
          );
        });
      }
      // The average differs from the last weights, so the check above is not trivial.
      assert.ok(moved > 1e-3, `c2 ${c2}: average equals the last weights`);
    }
  });

  it("weighs only the (feature, tag) pairs seen in training when given them", () => {
    const set = buildTagSet(["X", "Y"], "bio");
    const rows = 10;
    const encoded = tinyProblem(set, rows, 80, 4);
    const T = set.tags.length;
    const seen = seenPairs(encoded, rows, T);
    const sgd = new CrfSgd(rows, set, 1, 80, { seen });
    runSteps(sgd, encoded, 240, 0.2);
    const { emit } = sgd.weights();
    const allowed = new Set<number>();
    for (let f = 0; f < rows; f++) {
      for (let k = seen.start[f] ?? 0; k < (seen.start[f + 1] ?? 0); k++)
        allowed.add(f * T + (seen.tags[k] ?? 0));
    }
    assert.ok(allowed.size > 0 && allowed.size < rows * T, `${allowed.size} of ${rows * T} pairs seen`);
    emit.forEach((x, cell) => {
      if (!allowed.has(cell)) assert.equal(x, 0, `unseen pair ${cell} moved`);
    });
    assert.ok([...allowed].some((cell) => emit[cell] !== 0));
    // Every pair of a training token is listed.
    for (let g = 0; g < encoded.gold.length; g++) {
      for (let j = encoded.tokenStart[g] ?? 0; j < (encoded.tokenStart[g + 1] ?? 0); j++) {
        assert.ok(allowed.has((encoded.feats[j] ?? 0) * T + (encoded.gold[g] ?? 0)));
      }
    }
  });
});

describe("trainTagger with the CRF learner", () => {
  it("learns, records the learner, and saves and loads it", async () => {
    const train = dataset(synthetic(200, 1));
    const dev = dataset(synthetic(50, 2));
    const model = await trainTagger({ train, dev }, { learner: "crf", epochs: 4, patience: 2 });
    const f1 = model.evaluate(dev).entities.micro.f1;
    assert.ok(f1 > 0.9, `dev F1 ${f1}`);
    assert.equal(model.options.learner, "crf");
    assert.equal(model.runRecord?.final["learner"], "crf");
    assert.ok(Number(model.runRecord?.final["initialRate"]) > 0);
    const dir = await mkdtemp(join(tmpdir(), "textkit-crf-"));
    try {
      await model.save(join(dir, "m"));
      const loaded = await loadTagger(join(dir, "m"));
      assert.equal(loaded.options.learner, "crf");
      assert.equal(loaded.options.l2, 1);
      for (const s of dev.sentences) assert.deepEqual(loaded.tagTokens(s.tokens), model.tagTokens(s.tokens));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("refuses a learner or an L2 coefficient it does not know, with a coded error", () => {
    for (const bad of [{ learner: "svm" }, { l2: -1 }, { l2: Number.NaN }, { l2: "1" }]) {
      assert.throws(
        () => resolveTaggerOptions(bad as never),
        (e) => isTextkitError(e) && e.code === "OPTION_INVALID",
        JSON.stringify(bad),
      );
    }
  });
});
