import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import type { TaggedDataset } from "../src/data/index.ts";
import { loadEncoder, type OnnxEncoder } from "../src/models/encoder/index.ts";
import {
  loadTagger,
  type SequenceTagger,
  taggerEncoderNeed,
  trainTagger,
} from "../src/models/tagger/index.ts";
import { dataset, sentence } from "./support/tagged-sentences.ts";

const FIXTURES = fileURLToPath(new URL("./fixtures/encoders/", import.meta.url));

/**
 * "atm" is an ORG after a money word in first position and O after any other, five words
 * later: the sparse features (a window of two words each side) see the same context either
 * way, so they cannot fit more than one of the two; the encoder's vector of "atm" depends on
 * the whole sentence, so dense weights over it can.
 */
function farContextSet(): TaggedDataset {
  const org = ["card", "bank", "money", "pay", "refund", "cash"];
  const not = ["weather", "movie", "film", "hotel", "flight", "phone"];
  const specs: string[] = [];
  for (const filler of ["the the the the", "a a a a"]) {
    for (const cue of org) specs.push(`${cue} ${filler} atm/B-ORG`);
    for (const cue of not) specs.push(`${cue} ${filler} atm`);
  }
  return dataset([...specs, ...specs, ...specs].map((s, i) => sentence(s, i + 1)));
}

describe("tagger on an encoder's word vectors", () => {
  const train = farContextSet();
  let encoder: OnnxEncoder;
  let model: SequenceTagger;
  let dir: string;
  before(async () => {
    encoder = await loadEncoder(join(FIXTURES, "bert-wordpiece"), { threads: 1 });
    model = await trainTagger(
      { train, encoder, encoderPath: join(FIXTURES, "bert-wordpiece") },
      { epochs: 10 },
    );
    dir = await mkdtemp(join(tmpdir(), "textkit-tag-encoder-"));
  });
  after(async () => {
    await encoder.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("fits what the sparse features alone cannot separate", async () => {
    const sparse = await trainTagger({ train }, { epochs: 10 });
    const sparseF1 = sparse.evaluate(train).entities.micro.f1;
    const denseF1 = (await model.evaluateAsync(train)).entities.micro.f1;
    assert.ok(sparseF1 < 0.7, `sparse features alone fit F1 ${sparseF1}`);
    assert.ok(denseF1 > 0.85, `with the encoder F1 ${denseF1} (sparse ${sparseF1})`);
    assert.equal(model.weights.dense?.length, encoder.dim * model.tagSet.tags.length);
    assert.equal(model.encoderRef?.checksum, encoder.checksum);
  });

  it("tags raw text only asynchronously, and the same after save and load with its encoder", async () => {
    const texts = ["card the the the the atm", "movie a a a a atm", ""];
    assert.throws(() => model.predict(texts), { code: "ENCODER_ASYNC_ONLY" });
    const expected = await model.predictAsync(texts, { tokens: true });
    assert.equal(expected[0]?.entities[0]?.text, "atm");
    await model.save(dir);
    const need = await taggerEncoderNeed(dir);
    assert.deepEqual(
      [need?.checksum, need?.wordVector, need?.path],
      [encoder.checksum, "first", join(FIXTURES, "bert-wordpiece")],
    );
    const loaded = await loadTagger(dir, { encoder });
    assert.deepEqual(await loaded.predictAsync(texts, { tokens: true }), expected);
    assert.deepEqual(
      (await loaded.evaluateAsync(train)).predictions,
      (await model.evaluateAsync(train)).predictions,
    );
    const bare = await loadTagger(dir);
    await assert.rejects(bare.predictAsync(texts), { code: "HEAD_ENCODER_REQUIRED" });
  });

  it("refuses another encoder (ENCODER_CHANGED), even one with the same weights but other tokenizer files", async () => {
    await model.save(dir);
    for (const other of ["xlmr-unigram", "bert-vocab"]) {
      const wrong = await loadEncoder(join(FIXTURES, other), { threads: 1 });
      try {
        await assert.rejects(loadTagger(dir, { encoder: wrong }), { code: "ENCODER_CHANGED" });
      } finally {
        await wrong.close();
      }
    }
  });

  it("learns on mean word vectors too, and records the choice", async () => {
    const mean = await trainTagger({ train, encoder }, { epochs: 3, wordVector: "mean" });
    assert.equal(mean.encoderRef?.wordVector, "mean");
    assert.equal(mean.encoderRef?.path, null);
    assert.ok((await mean.evaluateAsync(train)).entities.micro.f1 > 0);
  });

  it("refuses the CRF learner on an encoder's word vectors, before encoding anything", async () => {
    await assert.rejects(trainTagger({ train, encoder }, { epochs: 1, learner: "crf" }), {
      code: "OPTION_INVALID",
      message: /CRF learner/,
    });
  });
});
