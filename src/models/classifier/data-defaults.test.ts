import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type Dataset, datasetFromExamples } from "../../data/index.ts";
import { dataDefaults, LONG_DOCUMENT_CHUNK } from "./data-defaults.ts";
import { trainClassifier } from "./ngram-training.ts";

function dataset(texts: string[]): Dataset {
  return datasetFromExamples(
    "mem",
    texts.map((text, i) => ({ text, labels: [i % 2 === 0 ? "a" : "b"], line: i + 1 })),
  );
}

const english = dataset(Array.from({ length: 40 }, (_, i) => `please book table number ${i} tonight`));
const chinese = dataset(Array.from({ length: 40 }, (_, i) => `这家酒店的服务非常好 ${i}`));
const long = dataset(
  Array.from({ length: 10 }, (_, i) =>
    Array.from({ length: 400 }, (_, j) => `w${(i * 7 + j) % 50}`).join(" "),
  ),
);

describe("dataDefaults", () => {
  it("leaves short English text at the library defaults", () => {
    const fitted = dataDefaults(english);
    assert.deepEqual(fitted.options, {});
    assert.deepEqual(fitted.reasons, []);
    assert.equal(fitted.profile.hanShare, 0);
  });

  it("turns on character unigrams for mostly Chinese text, and says why", () => {
    const fitted = dataDefaults(chinese);
    assert.deepEqual(fitted.options, { minn: 1, maxn: 1 });
    assert.equal(fitted.profile.hanShare, 1);
    assert.match(
      fitted.reasons[0]!,
      /^mostly Chinese text \(100% of texts\): character unigrams \(minn 1, maxn 1\)/,
    );
  });

  it("trains long documents on chunks, and says how long they are", () => {
    const fitted = dataDefaults(long);
    assert.equal(fitted.options.chunkTokens, LONG_DOCUMENT_CHUNK);
    assert.ok(fitted.profile.meanTokens >= 400);
    assert.match(fitted.reasons[0]!, /^long documents \(mean 40\d tokens\): trained on chunks of 50 tokens/);
  });

  it("never changes an option the caller fixed", () => {
    assert.deepEqual(dataDefaults(chinese, new Set(["maxn"])).options, {});
    assert.deepEqual(dataDefaults(long, new Set(["chunkTokens"])).reasons, []);
  });
});

describe("chunkTokens", () => {
  it("trains on pieces of that many tokens and records how many, reading whole texts to predict", async () => {
    const model = await trainClassifier(
      { train: long },
      { chunkTokens: 50, epochs: 2, dim: 8, buckets: 1000 },
    );
    const train = model.runRecord!.data.train;
    assert.equal(train.examples, 10);
    // 400 words and the end-of-text token: 9 pieces of each text.
    assert.equal(train.chunks, 90);
    assert.equal(model.options.chunkTokens, 50);
    assert.equal(model.predict([long.examples[0]!.text]).length, 1);
    const whole = await trainClassifier({ train: long }, { epochs: 2, dim: 8, buckets: 1000 });
    assert.equal(whole.runRecord!.data.train.chunks, undefined);
  });
});
