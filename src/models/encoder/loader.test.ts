import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { loadEncoder, type OnnxEncoder, POOLING_MODES } from "./index.ts";

const FIXTURES = fileURLToPath(new URL("../../../test/fixtures/encoders/", import.meta.url));

interface ReferenceRow {
  text: string;
  ids: number[];
  mean: number[];
  cls: number[];
  max: number[];
  meanNormalized: number[];
}
/** Written by scripts/make-encoder-fixtures.py: ids from an independent tokenizer, vectors from PyTorch. */
const REFERENCE = JSON.parse(readFileSync(join(FIXTURES, "reference.json"), "utf8")) as Record<
  "bert" | "xlmr",
  ReferenceRow[]
>;
const FOLDERS = [
  { folder: "bert-wordpiece", reference: REFERENCE.bert },
  { folder: "bert-vocab", reference: REFERENCE.bert },
  { folder: "xlmr-unigram", reference: REFERENCE.xlmr },
] as const;

function maxDifference(got: Float32Array, dim: number, want: readonly number[][]): number {
  let worst = 0;
  want.forEach((row, i) => {
    assert.equal(row.length, dim);
    for (let d = 0; d < dim; d++)
      worst = Math.max(worst, Math.abs((got[i * dim + d] as number) - (row[d] as number)));
  });
  return worst;
}

const open: OnnxEncoder[] = [];
async function load(folder: string, options: Parameters<typeof loadEncoder>[1] = {}): Promise<OnnxEncoder> {
  const encoder = await loadEncoder(join(FIXTURES, folder), { threads: 1, ...options });
  open.push(encoder);
  return encoder;
}
after(async () => {
  for (const encoder of open) await encoder.close();
});

describe("loadEncoder: exactness against PyTorch and the reference tokenizers", () => {
  for (const { folder, reference } of FOLDERS) {
    it(`${folder}: token ids equal the reference's`, async () => {
      const encoder = await load(folder);
      for (const row of reference) assert.deepEqual(encoder.tokenize(row.text).ids, row.ids, row.text);
    });

    it(`${folder}: mean, CLS, max and normalised mean pooling equal PyTorch's to 1e-5, batched and padded`, async () => {
      const texts = reference.map((r) => r.text);
      for (const pooling of POOLING_MODES) {
        const encoder = await load(folder, { pooling, normalize: false });
        // Batches of 3 over texts of different lengths: every batch pads some rows.
        const out = await encoder.embed(texts, { batchSize: 3 });
        assert.equal(out.truncated, 0);
        assert.ok(
          maxDifference(
            out.vectors,
            out.dim,
            reference.map((r) => r[pooling]),
          ) < 1e-5,
          pooling,
        );
      }
      const normalized = await load(folder, { pooling: "mean", normalize: true });
      const out = await normalized.embed(texts, { batchSize: 32 });
      assert.ok(
        maxDifference(
          out.vectors,
          out.dim,
          reference.map((r) => r.meanNormalized),
        ) < 1e-5,
      );
    });
  }

  it("reads pooling from modules.json: mean + Normalize for bert-wordpiece, CLS for xlmr-unigram, mean without it", async () => {
    const wordpiece = await load("bert-wordpiece");
    assert.deepEqual(
      [wordpiece.info.pooling, wordpiece.info.normalize, wordpiece.info.tokenizer],
      ["mean", true, "wordpiece"],
    );
    const xlmr = await load("xlmr-unigram");
    assert.deepEqual(
      [xlmr.info.pooling, xlmr.info.normalize, xlmr.info.tokenizer],
      ["cls", false, "unigram"],
    );
    const vocab = await load("bert-vocab");
    assert.deepEqual([vocab.info.pooling, vocab.info.normalize], ["mean", false]);
    assert.equal(vocab.info.onnxFile, join(FIXTURES, "bert-vocab", "model.onnx"));
    // Same weights and vocabulary, different tokenizer files: different checksums.
    assert.notEqual(vocab.checksum, wordpiece.checksum);
    assert.match(wordpiece.id, /^bert-wordpiece@[0-9a-f]{12}$/);
  });

  it("gives each text the same vector alone as in any batch", async () => {
    const encoder = await load("bert-wordpiece");
    const texts = REFERENCE.bert.map((r) => r.text);
    const all = await encoder.embed(texts, { batchSize: 7 });
    for (let i = 0; i < texts.length; i += 3) {
      const alone = await encoder.embed([texts[i] as string], { batchSize: 1 });
      const row = all.vectors.subarray(i * all.dim, (i + 1) * all.dim);
      for (let d = 0; d < all.dim; d++)
        assert.ok(Math.abs((row[d] as number) - (alone.vectors[d] as number)) < 1e-6);
    }
  });
});

describe("loadEncoder: truncation", () => {
  it("cuts texts to the maximum, keeps the closing special token, and counts them", async () => {
    const encoder = await load("bert-wordpiece");
    const long = "bank ".repeat(100).trim();
    const ids = encoder.tokenize(long).ids;
    assert.equal(ids.length, 64);
    assert.equal(ids.at(-1), REFERENCE.bert[0]?.ids.at(-1));
    const out = await encoder.embed([long, "bank", long]);
    assert.equal(out.truncated, 2);
  });

  it("gives a megabyte text the vector of its first tokens, without tokenising all of it", async () => {
    const encoder = await load("bert-wordpiece", { normalize: false });
    const huge = "money ".repeat(200_000);
    const kept = "money ".repeat(62).trim(); // 62 pieces + [CLS] + [SEP] = the maximum of 64
    const out = await encoder.embed([huge, kept]);
    assert.equal(out.truncated, 1);
    assert.deepEqual(out.vectors.subarray(0, out.dim), out.vectors.subarray(out.dim));
  });

  it("honours a smaller maxLength and refuses one with no room for a token", async () => {
    const encoder = await load("xlmr-unigram", { maxLength: 8 });
    assert.equal(encoder.info.maxLength, 8);
    assert.equal(encoder.tokenize("How do I transfer money to my bank account?").ids.length, 8);
    const bigger = await load("xlmr-unigram", { maxLength: 10_000 });
    assert.equal(bigger.info.maxLength, 64, "never above the model's own maximum");
    await assert.rejects(load("xlmr-unigram", { maxLength: 2 }), { code: "OPTION_INVALID" });
  });
});

describe("the embedding cache", () => {
  it("serves a second load from disk, keyed by checksum and text, truncation counted", async () => {
    const dir = await mkdtemp(join(tmpdir(), "textkit-enc-cache-"));
    try {
      const texts = ["I lost my card", "bank ".repeat(80), "今天天气很好"];
      const first = await load("bert-wordpiece", { cacheDir: dir });
      const a = await first.embed(texts);
      assert.deepEqual([a.cached, a.truncated], [0, 1]);
      const second = await load("bert-wordpiece", { cacheDir: dir });
      const b = await second.embed([...texts, "a new text"]);
      assert.deepEqual([b.cached, b.truncated], [3, 1]);
      assert.deepEqual(b.vectors.subarray(0, a.vectors.length), a.vectors);
      // Another pooling is another checksum: nothing from the first cache.
      const cls = await load("bert-wordpiece", { cacheDir: dir, pooling: "cls" });
      assert.equal((await cls.embed(texts)).cached, 0);
      const folders = await readdir(dir);
      assert.equal(folders.length, 2);
      assert.ok((await readdir(join(dir, folders[0] as string))).every((f) => /^seg-.*\.bin$/.test(f)));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("closing an encoder", () => {
  it("a second close is a no-op and a call after close is MODEL_UNAVAILABLE, not the runtime's error", async () => {
    const encoder = await loadEncoder(join(FIXTURES, FOLDERS[0].folder), { threads: 1 });
    assert.equal((await encoder.embed(["hello"])).vectors.length, encoder.dim);
    await encoder.close();
    await encoder.close();
    await assert.rejects(encoder.embed(["hello"]), { code: "MODEL_UNAVAILABLE" });
  });
});
