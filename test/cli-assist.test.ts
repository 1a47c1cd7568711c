/**
 * `textkit assist train | chat | eval | retrain`, in process, on a small knowledge folder.
 */
import assert from "node:assert/strict";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { after, before, describe, it } from "node:test";
import { AssistStore, loadAssistant } from "../src/apps/assist/index.ts";
import { openDatabase } from "../src/store/index.ts";
import { tempDir } from "./server-helpers.ts";
import { writeAssistKnowledge } from "./support/assist-knowledge.ts";
import { runCli } from "./support/cli-run.ts";

const root = tempDir("cli-assist");
const knowledge = join(root.path, "knowledge");
const model = join(root.path, "helpdesk");

before(async () => {
  writeAssistKnowledge(knowledge);
  const r = await runCli(["assist", "train", "--knowledge", knowledge, "--out", model, "--quiet"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(
    r.stdout,
    /intent threshold \d\.\d+ \(best mean of in-scope accuracy and out-of-scope recall\)/,
  );
});

after(() => root.remove());

describe("textkit assist", () => {
  it("chats over stdin, one JSON line per reply, keeping the conversation", async () => {
    const r = await runCli(["assist", "chat", "--model", model, "--json"], {
      stdin: Readable.from(["transfer some money to savings\n", "35\n", "when are your branches open\n"]),
    });
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { path: string; text: string });
    assert.deepEqual(
      lines.map((l) => l.path),
      ["slot", "intent", "faq"],
    );
    assert.equal(lines[1]!.text, "Done, 35 dollars are on their way to your savings.");
  });

  it("evaluates on labelled questions and suggests retrieval thresholds", async () => {
    const data = join(root.path, "questions.csv");
    writeFileSync(
      data,
      "text,intent\nhow much do i have in my account,balance\nwho invented the telephone,oos\nbranch opening times,faq:opening-hours\nfixed or adjustable rate mortgage,doc:mortgages.md\n",
    );
    const r = await runCli(["assist", "eval", "--model", model, "--data", data]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /4 questions \(1 in scope, 1 out of scope, 2 answered by the FAQ or documents\)/);
    assert.match(r.stdout, /in-scope accuracy \(right intent, answered\) +100\.0%/);
    assert.match(r.stdout, /retrieval thresholds that answer most of these right: --faq-threshold/);
    const bad = join(root.path, "bad.csv");
    writeFileSync(bad, "text,intent\nhello,\n");
    const refused = await runCli(["assist", "eval", "--model", model, "--data", bad]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /bad\.csv:2: line 2 has no intent .*\[DATA_NO_LABEL\]/);
  });

  it("refuses bad knowledge with the file and line, and writes nothing", async () => {
    const broken = join(root.path, "broken");
    writeAssistKnowledge(broken);
    writeFileSync(
      join(broken, "intents-extra.yaml"),
      "intents:\n  - id: balance\n    examples: [x]\n    answer: y\n",
    );
    const out = join(root.path, "never");
    const r = await runCli(["assist", "train", "--knowledge", broken, "--out", out]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /the intent id "balance" is used already.*\[DATA_DUPLICATE_ID\]/);
    assert.ok(!existsSync(out));
    const tagger = await runCli([
      "assist",
      "train",
      "--knowledge",
      knowledge,
      "--out",
      out,
      "--tagger",
      "fr=x",
    ]);
    assert.equal(tagger.code, 1);
    assert.match(tagger.stderr, /--tagger fr=x: write it as en=<tagger dir> or zh=<tagger dir>/);
  });

  it("retrains with the corrections given as feedback", async () => {
    const dataDir = join(root.path, "data");
    const db = await openDatabase(join(dataDir, "textkit.db"));
    const message = "show me what i have got please";
    try {
      const assistant = await loadAssistant(model);
      const store = await AssistStore.open(db);
      const turn = await store.recordTurn("helpdesk", null, 0, message, assistant.reply(message));
      await store.addFeedback("helpdesk", turn!.turnId, { verdict: "wrong", intent: "balance" });
      const other = await store.recordTurn(
        "helpdesk",
        null,
        0,
        "do you sell gift cards",
        assistant.reply("do you sell gift cards"),
      );
      await store.addFeedback("helpdesk", other!.turnId, {
        verdict: "wrong",
        answer: "No, we don't sell gift cards.",
      });
      await store.putKnowledge(
        "helpdesk",
        "faq",
        "mobile-app",
        { question: "Is there a mobile app?", answer: "Yes: Helpdesk Mobile, for iOS and Android." },
        "dana",
      );
    } finally {
      await db.close();
    }
    const out = join(root.path, "helpdesk-2");
    const r = await runCli([
      "assist",
      "retrain",
      "--model",
      model,
      "--knowledge",
      knowledge,
      "--data-dir",
      dataDir,
      "--out",
      out,
      "--quiet",
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /knowledge edits applied: 1/);
    assert.match(r.stdout, /corrections folded in: 2/);
    const retrained = await loadAssistant(out);
    assert.equal(retrained.reply(message).intent?.id, "balance");
    const gift = retrained.reply("do you sell gift cards");
    assert.deepEqual([gift.path, gift.text], ["faq", "No, we don't sell gift cards."]);
    const app = retrained.reply("is there a mobile app");
    assert.deepEqual([app.path, app.text], ["faq", "Yes: Helpdesk Mobile, for iOS and Android."]);
  });
});
