/**
 * pipeline() on every other family a pretrained encoder can sit under (issue 12 follow-up):
 * a classifier head (alone and in an ensemble), a tagger on word vectors, an assistant and a
 * recommender, on the fixture BERT; their answers are those of the model loaded directly
 * with the encoder, another encoder is refused, and close() releases the encoder the
 * pipeline opened (calling the pipeline afterwards fails; a second close is harmless; an
 * encoder passed in stays open).
 */
import assert from "node:assert/strict";
import { cpSync, rmSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { loadAssistant, loadKnowledge, trainAssistant } from "../src/apps/assist/index.ts";
import { leaveLastOut } from "../src/data/index.ts";
import {
  loadEncoderClassifier,
  loadTagger,
  pipeline,
  TextkitError,
  trainClassifier,
  trainRecommender,
  trainTagger,
} from "../src/index.ts";
import { loadEncoder, type OnnxEncoder } from "../src/models/encoder/index.ts";
import { tempDir } from "./server-helpers.ts";
import { writeAssistKnowledge } from "./support/assist-knowledge.ts";
import { BERT_FIXTURE, intentDataset, XLMR_FIXTURE } from "./support/encoder-data.ts";
import { plantedData, plantedInteractions } from "./support/recommend-data.ts";
import { dataset, sentence } from "./support/tagged-sentences.ts";

const work = tempDir("pipeline-heads");
const dir = (name: string) => join(work.path, name);
const data = intentDataset("intents", 40, 7);
const texts = data.examples.slice(0, 12).map((e) => e.text);
const TAGGED = ["card the the atm/B-ORG", "bank a a atm/B-ORG", "movie the the atm", "weather a a atm"];
const TAG_TEXTS = ["card the the atm", "movie the the atm", "bank a a atm"];
let bert: OnnxEncoder;

function codeIs(code: string) {
  return (e: unknown) => e instanceof TextkitError && e.code === code;
}

before(async () => {
  bert = await loadEncoder(BERT_FIXTURE, { threads: 1 });
  const onBert = { encoder: bert, encoderPath: BERT_FIXTURE };
  await (await trainClassifier({ train: data }, { ...onBert, head: { hidden: 0, epochs: 5 } })).save(
    dir("head"),
  );
  await (
    await trainClassifier(
      { train: data, dev: intentDataset("dev", 12, 8) },
      { ...onBert, head: { hidden: 0, epochs: 3 }, ensemble: { epochs: 3 } },
    )
  ).save(dir("ensemble"));
  await (await trainClassifier({ train: data }, { epochs: 2 })).save(dir("ngram"));
  const tagged = dataset([...TAGGED, ...TAGGED, ...TAGGED].map((s, i) => sentence(s, i + 1)));
  await (await trainTagger({ train: tagged, encoder: bert, encoderPath: BERT_FIXTURE }, { epochs: 5 })).save(
    dir("tagger"),
  );
});

after(async () => {
  await bert.close();
  work.remove();
});

describe("pipeline() on heads, taggers, assistants and recommenders on a pretrained encoder", () => {
  it("classification: a head and an ensemble predict as loaded directly; another encoder is refused", async () => {
    for (const name of ["head", "ensemble"]) {
      const want = (await (await loadEncoderClassifier(dir(name), bert)).predict(texts, { k: 2 })).map((p) =>
        p.labels.map((label, i) => ({ label, score: p.scores[i] })),
      );
      const recorded = await pipeline("classification", dir(name), { encoderThreads: 1 });
      const given = await pipeline("text-classification", dir(name), { encoder: bert });
      const got = await recorded(texts, { k: 2 });
      assert.deepEqual(
        got.map((r) => r.map((x) => x.label)),
        want.map((r) => r.map((x) => x.label)),
        name,
      );
      for (const [i, row] of got.entries())
        for (const [j, x] of row.entries()) assert.ok(Math.abs(x.score - (want[i]?.[j]?.score ?? 0)) < 1e-5);
      assert.deepEqual(await given(texts[0] ?? "", { k: 2 }), got[0]);
      await recorded.close();
      await recorded.close(); // harmless
      await assert.rejects(recorded(texts)); // its encoder's session is released
      await given.close(); // the caller's encoder stays open
      assert.equal((await given(texts)).length, texts.length);
    }
    await assert.rejects(
      pipeline("classification", dir("head"), { encoder: XLMR_FIXTURE, encoderThreads: 1 }),
      codeIs("ENCODER_CHANGED"),
    );
    await assert.rejects(
      pipeline("classification", dir("ngram"), { encoder: bert }),
      codeIs("OPTION_INVALID"),
    );
    // The folder recorded at training is gone: the error says how to give the encoder.
    cpSync(BERT_FIXTURE, dir("bert-copy"), { recursive: true });
    const moved = await trainClassifier(
      { train: data },
      { encoder: bert, encoderPath: dir("bert-copy"), head: { hidden: 0, epochs: 1 } },
    );
    await moved.save(dir("moved"));
    await moved.save(dir("moved-bundled"), { bundle: true });
    rmSync(dir("bert-copy"), { recursive: true });
    // One that carries its encoder opens the bundled copy instead.
    const bundled = await pipeline("classification", dir("moved-bundled"), { encoderThreads: 1 });
    const [first] = await moved.predict(texts, { k: 4 });
    assert.deepEqual(
      (await bundled(texts, { k: 4 }))[0]?.map((x) => x.label),
      first?.labels,
    );
    await bundled.close();
    await assert.rejects(
      pipeline("classification", dir("moved")),
      (e: unknown) =>
        codeIs("HEAD_ENCODER_REQUIRED")(e) && /no longer at .*pass \{ encoder: DIR \}/.test(String(e)),
    );
    const plain = await pipeline("classification", dir("ngram"));
    assert.equal((await plain(texts)).length, texts.length);
    await plain.close();
    await plain.close();
  });

  it("entities: a tagger on word vectors tags as loaded directly, and close releases its encoder", async () => {
    const direct = await loadTagger(dir("tagger"), { encoder: bert });
    const want = (await direct.predictAsync(TAG_TEXTS)).map((r) => r.entities);
    assert.ok(want.flat().length > 0, "the tagger finds entities");
    const ner = await pipeline("ner", dir("tagger"), { encoderThreads: 1 });
    assert.deepEqual(await ner(TAG_TEXTS), want);
    assert.deepEqual(await ner(TAG_TEXTS[0] ?? ""), want[0]);
    await ner.close();
    await ner.close();
    await assert.rejects(ner(TAG_TEXTS));
    const given = await pipeline("entities", dir("tagger"), { encoder: bert });
    assert.deepEqual(await given(TAG_TEXTS), want);
    await given.close();
    // A sentence encoder without word vectors cannot serve a tagger.
    const sentencesOnly = {
      id: bert.id,
      checksum: bert.checksum,
      dim: bert.dim,
      embed: bert.embed.bind(bert),
    };
    await assert.rejects(
      pipeline("entities", dir("tagger"), { encoder: sentencesOnly }),
      (e: unknown) => codeIs("OPTION_INVALID")(e) && /embedWords/.test(String(e)),
    );
    await assert.rejects(
      pipeline("entities", dir("tagger"), { encoder: XLMR_FIXTURE }),
      codeIs("ENCODER_CHANGED"),
    );
  });

  it("assistant: replies as loaded directly, takes options.encoder, and close() closes its encoder", async () => {
    const knowledge = await loadKnowledge(writeAssistKnowledge(join(work.path, "knowledge")));
    const assistant = await trainAssistant(
      { knowledge, encoder: { encoder: bert, path: BERT_FIXTURE, head: { hidden: 0, epochs: 5 } } },
      { seed: 1, retrievalMode: "vector" },
    );
    await assistant.save(dir("assist"));
    const direct = await loadAssistant(dir("assist"), { encoders: { acquire: async () => bert } });
    const message = "i lost my card";
    const want = await direct.replyAsync(message);
    const assist = await pipeline("assistant", dir("assist"), { encoderThreads: 1 });
    assert.deepEqual((await assist(message)).text, want.text);
    await assist.close();
    await assist.close();
    await assert.rejects(assist("where can i pay abroad"), "its own encoder is closed");
    const given = await pipeline("assistant", dir("assist"), { encoder: bert });
    assert.deepEqual((await given(message)).text, want.text);
    await given.close();
    assert.equal((await bert.embed([message])).dim, bert.dim);
    await assert.rejects(
      pipeline("assistant", dir("assist"), { encoder: XLMR_FIXTURE, encoderThreads: 1 }),
      codeIs("ENCODER_CHANGED"),
    );
    // Trained on an encoder object with no folder recorded, not bundled: the loaded encoder is enough.
    const unnamed = await trainAssistant(
      { knowledge, encoder: { encoder: bert, head: { hidden: 0, epochs: 5 } } },
      { seed: 1, retrievalMode: "vector" },
    );
    await unnamed.save(dir("assist-unnamed"));
    await assert.rejects(pipeline("assistant", dir("assist-unnamed")), codeIs("HEAD_ENCODER_REQUIRED"));
    const taken = await pipeline("assistant", dir("assist-unnamed"), { encoder: bert });
    assert.deepEqual((await taken(message)).text, (await unnamed.replyAsync(message)).text);
    await taken.close();
    assert.equal((await bert.embed([message])).dim, bert.dim, "a given encoder stays open");
  });

  it("recommendation: close() releases the encoder it opened for new items", async () => {
    const planted = plantedData({ itemsPerGroup: 10, usersPerGroup: 3, perUser: 4 });
    const { train } = leaveLastOut(plantedInteractions(planted));
    const model = await trainRecommender(
      { train, encoder: bert, encoderPath: BERT_FIXTURE },
      { model: "content" },
    );
    await model.save(dir("recommend"));
    const user = "space-user-1";
    const recommend = await pipeline("recommendation", dir("recommend"), { encoder: BERT_FIXTURE });
    assert.deepEqual(await recommend(user, { k: 3 }), model.recommend(user, { k: 3 }));
    const item = recommend.model.item(planted.items[0]?.id ?? "");
    assert.ok(item !== undefined);
    await recommend.model.addItemsAsync([{ ...item, id: "new-1" }]);
    await recommend.close();
    await recommend.close();
    await assert.rejects(recommend.model.addItemsAsync([{ ...item, id: "new-2" }]));
    const plain = await pipeline("recommendation", dir("recommend"));
    await plain.close();
  });
});
