import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Random, TextkitError } from "../../core/index.ts";
import { writeVecFile } from "../../data/index.ts";
import type { VectorsOptions } from "./options.ts";
import type { SubwordVectors } from "./subword-vectors.ts";
import { trainVectors, type VectorsProgress } from "./train-vectors.ts";

const FRUIT = ["apple", "banana", "cherry", "mango", "peach", "plum", "grape", "lemon"];
const CARS = ["engine", "piston", "clutch", "gearbox", "brake", "exhaust", "radiator", "axle"];

/** Lines of ten words, each line from one topic: words co-occur only within their topic. */
function corpus(lines: number, seed: number): string[] {
  const rng = new Random(seed);
  const out: string[] = [];
  for (let i = 0; i < lines; i++) {
    const topic = rng.next() < 0.5 ? FRUIT : CARS;
    out.push(Array.from({ length: 10 }, () => topic[rng.int(topic.length)]!).join(" "));
  }
  return out;
}

function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return dot / Math.sqrt(na * nb);
}

function bytes(a: Float32Array): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

function tooFewWords(e: unknown): boolean {
  return e instanceof TextkitError && e.code === "DATA_TOO_FEW_WORDS";
}

/** Small and quick; sample 0, since subsampling would drop most of a corpus this small. */
const OPTIONS: Partial<VectorsOptions> = {
  dim: 16,
  epochs: 5,
  minCount: 1,
  sample: 0,
  minn: 3,
  maxn: 5,
  buckets: 10_000,
  seed: 7,
  lr: 0.05,
};
const TEXTS = corpus(400, 7);

const root = mkdtempSync(join(tmpdir(), "textkit-vectors-"));
after(() => rmSync(root, { recursive: true, force: true }));

let vectors: SubwordVectors;
const reports: VectorsProgress[] = [];

before(async () => {
  vectors = await trainVectors(TEXTS, OPTIONS, { onProgress: (p) => reports.push(p) });
});

describe("trainVectors", () => {
  it("puts words of one topic nearer each other than words of the other topic", () => {
    const all = [...FRUIT, ...CARS];
    assert.deepEqual(vectors.words().sort(), [...all].sort());
    let within = 0;
    let across = 0;
    let withinPairs = 0;
    let acrossPairs = 0;
    for (const a of all) {
      const va = vectors.vector(a);
      let nearestSame = Number.NEGATIVE_INFINITY;
      let nearestOther = Number.NEGATIVE_INFINITY;
      for (const b of all) {
        if (a === b) continue;
        const c = cosine(va, vectors.vector(b));
        if (FRUIT.includes(a) === FRUIT.includes(b)) {
          within += c;
          withinPairs++;
          nearestSame = Math.max(nearestSame, c);
        } else {
          across += c;
          acrossPairs++;
          nearestOther = Math.max(nearestOther, c);
        }
      }
      assert.ok(nearestSame > nearestOther, `${a}: ${nearestSame} vs ${nearestOther}`);
      // nearest() agrees: every neighbour in the top 3 is of the same topic
      const topic = FRUIT.includes(a) ? FRUIT : CARS;
      for (const n of vectors.nearest(a, 3)) assert.ok(topic.includes(n.word), `${a} -> ${n.word}`);
    }
    assert.ok(
      within / withinPairs > across / acrossPairs + 0.3,
      `${within / withinPairs} vs ${across / acrossPairs}`,
    );
  });

  it("gives the same vectors, byte for byte, for the same seed, and others for another seed", async () => {
    const again = await trainVectors(TEXTS, OPTIONS);
    assert.deepEqual(again.words(), vectors.words());
    assert.ok(bytes(again.toData().input).equals(bytes(vectors.toData().input)));
    assert.deepEqual(again.toData().buckets, vectors.toData().buckets);
    const a = join(root, "a.vec");
    const b = join(root, "b.vec");
    await writeVecFile(a, vectors.toWordVectors());
    await writeVecFile(b, again.toWordVectors());
    assert.ok(readFileSync(a).equals(readFileSync(b)), "the .vec files are identical");

    // A one-shot stream gives what an array gives.
    async function* stream(): AsyncGenerator<string> {
      for (const text of TEXTS) yield text;
    }
    const streamed = await trainVectors(stream(), OPTIONS);
    assert.ok(bytes(streamed.toData().input).equals(bytes(vectors.toData().input)));

    const other = await trainVectors(TEXTS, { ...OPTIONS, seed: 8 });
    assert.ok(!bytes(other.toData().input).equals(bytes(vectors.toData().input)));
  });

  it("builds a vector for a word outside the vocabulary from its character n-grams", async () => {
    assert.ok(!vectors.words().includes("grapes"));
    const oov = vectors.vector("grapes");
    assert.equal(oov.length, 16);
    assert.ok(
      oov.some((v) => v !== 0),
      "not all zeros",
    );
    const similar = cosine(oov, vectors.vector("grape"));
    assert.ok(similar > cosine(oov, vectors.vector("engine")), "nearer grape than engine");
    assert.ok(similar > cosine(oov, vectors.vector("peach")), "nearer grape than another fruit");
    assert.equal(vectors.nearest("grapes", 1)[0]!.word, "grape");
    assert.equal(vectors.nearest("pistons", 1)[0]!.word, "piston");

    // A word that shares no n-gram with the vocabulary has nothing to build on.
    assert.ok(vectors.vector("zzqqxx").every((v) => v === 0));
    assert.deepEqual(vectors.nearest("zzqqxx", 3), []);

    // Without subwords, only vocabulary words have vectors.
    const plain = await trainVectors(TEXTS, { ...OPTIONS, epochs: 1, maxn: 0 });
    assert.ok(plain.vector("grapes").every((v) => v === 0));
    assert.ok(plain.vector("grape").some((v) => v !== 0));
  });

  it("refuses a corpus with fewer than two words kept, with DATA_TOO_FEW_WORDS", async () => {
    await assert.rejects(trainVectors([], { dim: 4 }), tooFewWords);
    await assert.rejects(trainVectors(["", "   "], { dim: 4, minCount: 1 }), tooFewWords);
    await assert.rejects(trainVectors(["same same same"], { dim: 4, minCount: 1 }), tooFewWords);
    // three distinct words, none seen minCount times
    await assert.rejects(trainVectors(["one two three"], { dim: 4, minCount: 2 }), (e: unknown) => {
      return (
        tooFewWords(e) && /0 distinct words occur at least 2 times \(--min-count\)/.test((e as Error).message)
      );
    });
    // options are checked before the corpus is read
    await assert.rejects(
      trainVectors(["one two"], { dim: 0 }),
      (e: unknown) => e instanceof TextkitError && e.code === "OPTION_INVALID",
    );
  });

  it("reports progress at least once per epoch, ending at 1 with the rate decayed", () => {
    const epochs = OPTIONS.epochs!;
    assert.ok(reports.length >= epochs, `${reports.length} reports`);
    assert.deepEqual(
      [...new Set(reports.map((r) => r.epoch))],
      Array.from({ length: epochs }, (_, i) => i + 1),
    );
    for (const r of reports) {
      assert.equal(r.epochs, epochs);
      assert.ok(Number.isFinite(r.loss) && r.loss > 0, String(r.loss));
      assert.ok(r.speed > 0 && r.unit === "words");
    }
    for (let i = 1; i < reports.length; i++) {
      assert.ok(reports[i]!.progress >= reports[i - 1]!.progress);
      assert.ok(reports[i]!.learningRate! <= reports[i - 1]!.learningRate!);
    }
    const last = reports.at(-1)!;
    assert.equal(last.progress, 1);
    assert.ok(last.learningRate! < OPTIONS.lr! / epochs, String(last.learningRate!));
    // the first epoch ends at a fifth of the way
    const endOfFirst = reports.filter((r) => r.epoch === 1).at(-1)!;
    assert.equal(endOfFirst.progress, 1 / epochs);
  });

  it("takes the hooks every trainer takes: an epoch summary each epoch, and stops when asked", async () => {
    const summaries: number[] = [];
    let progressReports = 0;
    const stopped = await trainVectors(TEXTS, OPTIONS, {
      onProgress: () => progressReports++,
      onEpochEnd: (e) => summaries.push(e.epoch),
      shouldStop: () => progressReports >= 1,
    });
    assert.deepEqual(summaries, [1]);
    assert.deepEqual(stopped.words().sort(), vectors.words().sort());
    const all: number[] = [];
    await trainVectors(TEXTS, { ...OPTIONS, epochs: 2 }, { onEpochEnd: (e) => all.push(e.epoch) });
    assert.deepEqual(all, [1, 2]);
  });
});
