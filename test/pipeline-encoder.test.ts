/**
 * pipeline() on models built on a pretrained encoder (issue 12): a dense search index and
 * text clusters on the fixture BERT, the encoder found through the folder the model
 * recorded or given as an option, and ENCODER_CHANGED for another encoder.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { pipeline, TextkitError } from "../src/index.ts";
import { trainTextClusters } from "../src/models/cluster/index.ts";
import { loadEncoder, type OnnxEncoder } from "../src/models/encoder/index.ts";
import { buildRetrievalIndex, SentencePassageEncoder } from "../src/models/retrieval/index.ts";
import { tempDir } from "./server-helpers.ts";
import { BERT_FIXTURE, intentDataset, XLMR_FIXTURE } from "./support/encoder-data.ts";

const work = tempDir("pipeline-encoder");
const ITEMS = [
  { id: "card", text: "my card was lost or stolen at the atm" },
  { id: "transfer", text: "transfer money to my bank account" },
  { id: "weather", text: "the weather today is rain" },
  { id: "movie", text: "i love this great movie" },
];
const data = intentDataset("intents", 40, 5);
const texts = data.examples.map((e) => e.text);
let bert: OnnxEncoder;

function codeIs(code: string) {
  return (e: unknown) => e instanceof TextkitError && e.code === code;
}

before(async () => {
  bert = await loadEncoder(BERT_FIXTURE, { threads: 1 });
  const passages = new SentencePassageEncoder(bert, { path: BERT_FIXTURE });
  await (await buildRetrievalIndex(ITEMS, { includeTitle: false }, passages)).save(join(work.path, "search"));
  const clusters = await trainTextClusters(
    data,
    { k: 3, features: "encoder", minDf: 1, examples: 1 },
    {},
    { encoder: bert, encoderPath: BERT_FIXTURE },
  );
  await clusters.save(join(work.path, "clusters"));
  await (await trainTextClusters(data, { k: 3, minDf: 1, examples: 1 })).save(join(work.path, "tfidf"));
});

after(async () => {
  await bert.close();
  work.remove();
});

describe("pipeline() on a pretrained encoder", () => {
  it("search: opens the recorded encoder, finds each item by its own text by vectors", async () => {
    const search = await pipeline("search", join(work.path, "search"));
    try {
      for (const item of ITEMS) {
        const [top] = await search(item.text, { k: 1, mode: "vector" });
        assert.equal(top?.id, item.id);
        assert.ok((top?.vector ?? 0) > 0.999);
      }
    } finally {
      await search.close();
    }
    await assert.rejects(
      pipeline("search", join(work.path, "search"), { encoder: XLMR_FIXTURE, encoderThreads: 1 }),
      codeIs("ENCODER_CHANGED"),
    );
  });

  it("clustering: assigns as the model's own predictAsync, with the recorded or a given encoder", async () => {
    const dir = join(work.path, "clusters");
    const recorded = await pipeline("clustering", dir, { encoderThreads: 1 });
    const given = await pipeline("text-clustering", dir, { encoder: bert });
    try {
      const want = await recorded.model.predictAsync(texts);
      assert.deepEqual(await recorded(texts), want);
      assert.deepEqual(await given(texts), want);
      assert.deepEqual(await given(texts[0] ?? ""), want[0]);
      // The clusters are the nearest centroid by cosine of the encoder's own vectors.
      const { vectors, dim } = await bert.embed(texts);
      const { centroids, k } = recorded.model;
      for (const [i, a] of want.entries()) {
        const scores = Array.from({ length: k }, (_, c) => {
          let dot = 0;
          let cc = 0;
          for (let d = 0; d < dim; d++) {
            const w = centroids[c * dim + d] ?? 0;
            dot += (vectors[i * dim + d] ?? 0) * w;
            cc += w * w;
          }
          return dot / Math.sqrt(cc);
        });
        assert.equal(a.cluster, scores.indexOf(Math.max(...scores)));
      }
    } finally {
      await recorded.close();
      await given.close();
    }
    await assert.rejects(pipeline("clustering", dir, { encoder: XLMR_FIXTURE }), codeIs("ENCODER_CHANGED"));
    await assert.rejects(
      pipeline("clustering", join(work.path, "tfidf"), { encoder: bert }),
      codeIs("OPTION_INVALID"),
    );
    const plain = await pipeline("clustering", join(work.path, "tfidf"));
    assert.equal((await plain(texts)).length, texts.length);
  });
});
