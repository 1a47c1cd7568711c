/**
 * pipeline(task, dir): one entry point that loads the family a model directory names and
 * answers in the task's shape, for each task, and refuses a model of another family.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { loadKnowledge, trainAssistant } from "../src/apps/assist/index.ts";
import {
  buildRetrievalIndex,
  loadDataset,
  loadInteractions,
  loadTaggedDataset,
  pipeline,
  TextkitError,
  trainClassifier,
  trainRecommender,
  trainTagger,
} from "../src/index.ts";

describe("pipeline(task, dir)", () => {
  let dir = "";
  const path = (name: string) => join(dir, name);
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "textkit-pipeline-"));
    const intents = await loadDataset("samples/intents/train.csv");
    await (await trainClassifier({ train: intents }, { epochs: 5 })).save(path("intent"));
    const ner = await loadTaggedDataset("samples/ner-en/train.conll");
    await (await trainTagger({ train: ner }, { epochs: 2 })).save(path("ner"));
    const index = await buildRetrievalIndex([
      { id: "card", text: "I lost my card, how do I block it" },
      { id: "pin", text: "reset the PIN of my card" },
      { id: "fee", text: "what does a transfer abroad cost" },
    ]);
    await index.save(path("search"));
    const events = await loadInteractions("samples/recommend/items.csv", "samples/recommend/events.csv");
    await (await trainRecommender({ train: events }, { model: "knn" })).save(path("recommend"));
    await (await trainAssistant({ knowledge: await loadKnowledge("samples/assist") })).save(path("assist"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("classification: one text gives its labels, many texts give one list each, as the model predicts", async () => {
    const classify = await pipeline("classification", path("intent"));
    const one = await classify("what is my balance", { k: 2 });
    assert.equal(one.length, 2);
    const [p] = await classify.model.predict(["what is my balance"], { k: 2 });
    assert.deepEqual(
      one.map((x) => x.label),
      p!.labels,
    );
    assert.ok(one[0]!.score >= one[1]!.score);
    const many = await classify(["what is my balance", "hello"]);
    assert.equal(many.length, 2);
    assert.equal(many[0]!.length, 1);
    // Hugging Face's names for the task load the same family.
    const sentiment = await pipeline("sentiment-analysis", path("intent"));
    assert.deepEqual(await sentiment("what is my balance", { k: 2 }), one);
  });

  it("entities: the spans of each text", async () => {
    const ner = await pipeline("ner", path("ner"));
    const text = "John Smith flew to London with Acme Corp .";
    assert.deepEqual(await ner(text), ner.model.predict([text])[0]!.entities);
    assert.equal((await ner([text, text])).length, 2);
    await ner.close();
  });

  it("search, recommendation and the assistant answer with their own shapes", async () => {
    const search = await pipeline("search", path("search"));
    const hits = await search("block my lost card", { k: 2 });
    assert.equal(hits[0]!.id, "card");
    const recommend = await pipeline("recommendation", path("recommend"));
    const user = "u1";
    const recs = await recommend(user, { k: 3 });
    assert.deepEqual(recs, recommend.model.recommend(user, { k: 3 }));
    const assist = await pipeline("assistant", path("assist"));
    const reply = await assist("how much is in my checking account");
    assert.equal(typeof reply.text, "string");
    assert.ok(reply.text.length > 0);
    // Nothing was opened: close() is a no-op, harmless to call twice, and the model still answers.
    for (const made of [search, recommend, assist]) {
      await made.close();
      await made.close();
    }
    assert.equal((await search("block my lost card", { k: 1 }))[0]?.id, "card");
    // An encoder option for models not on one is refused, naming the option.
    for (const [task, name] of [
      ["assistant", "assist"],
      ["entities", "ner"],
    ] as const) {
      await assert.rejects(
        pipeline(task, path(name), { encoder: path("nowhere") }),
        (error: unknown) =>
          error instanceof TextkitError &&
          error.code === "OPTION_INVALID" &&
          /encoder option/.test(error.message),
      );
    }
  });

  it("langid: close() is there and does nothing, as for every pipeline", async () => {
    const langid = await pipeline("langid");
    const [guess] = await langid("the weather is nice today and the train is on time");
    assert.equal(guess?.language, "en");
    await langid.close();
    await langid.close();
    assert.equal((await langid(["你好，今天天气很好"]))[0]?.[0]?.language, "zh");
  });

  it("refuses a model of another family, naming the task that fits, and an unknown task", async () => {
    await assert.rejects(
      pipeline("entities", path("intent")),
      (error: unknown) =>
        error instanceof TextkitError &&
        error.code === "ARTIFACT_FOREIGN" &&
        /holds a classifier model.*pipeline\("classification"/.test(error.message),
    );
    // A task name from outside TypeScript (a config file, a request).
    const fromOutside = ["translation"][0] as "classification";
    await assert.rejects(
      pipeline(fromOutside, path("intent")),
      (error: unknown) =>
        error instanceof TextkitError && /unknown pipeline task 'translation'/.test(error.message),
    );
  });
});
