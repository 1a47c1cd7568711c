/**
 * The assistant on a pretrained encoder (issue 12 item 4): intents through a head on the
 * fixture BERT's embeddings, the FAQ and passages searched by its vectors, the artifact
 * naming the encoder by checksum, `assist train/eval --encoder` and the server's chat
 * route taking the encoder from its shared pool.
 */
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  type Assistant,
  type Knowledge,
  loadAssistant,
  loadKnowledge,
  OUT_OF_SCOPE,
  trainAssistant,
} from "../src/apps/assist/index.ts";
import { TextkitError } from "../src/core/index.ts";
import { EncoderClassifier, headScores } from "../src/models/classifier/index.ts";
import { loadEncoder, type OnnxEncoder } from "../src/models/encoder/index.ts";
import { startServer } from "../src/server/index.ts";
import { call, tempDir } from "./server-helpers.ts";
import { writeAssistKnowledge } from "./support/assist-knowledge.ts";
import { runCli } from "./support/cli-run.ts";
import { BERT_FIXTURE, XLMR_FIXTURE } from "./support/encoder-data.ts";

const work = tempDir("assist-encoder");
let bert: OnnxEncoder;
let knowledge: Knowledge;
let assistant: Assistant;

/** Questions none of the intents' examples share a word with: the FAQ and documents answer them or nobody. */
const UNSEEN = [
  "branches weekday opening",
  "overseas countries usage",
  "adjustable index yearly",
  "fee for early repayment",
];
const MESSAGES = ["what is my balance", "move 200 dollars to savings", "i lost my card", "tell me a joke"];

function codeIs(code: string) {
  return (e: unknown) => e instanceof TextkitError && e.code === code;
}

function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (const [i, x] of a.entries()) {
    const y = b[i] ?? 0;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return dot / Math.sqrt(na * nb);
}

/** Each text's embedding, computed by the encoder here, apart from the assistant. */
async function embeddings(texts: readonly string[]): Promise<Float32Array[]> {
  const { vectors, dim } = await bert.embed(texts);
  return texts.map((_, i) => vectors.slice(i * dim, (i + 1) * dim));
}

/** The item of `items` whose embedding is nearest `question`'s by cosine, and that cosine. */
async function nearest(question: string, items: { key: string; text: string }[]) {
  const [q, ...rows] = await embeddings([question, ...items.map((item) => item.text)]);
  let best = { key: "", cos: Number.NEGATIVE_INFINITY };
  for (const [i, row] of rows.entries()) {
    const c = cosine(q ?? new Float32Array(), row);
    if (c > best.cos) best = { key: items[i]?.key ?? "", cos: c };
  }
  return best;
}

before(async () => {
  bert = await loadEncoder(BERT_FIXTURE, { threads: 1 });
  knowledge = await loadKnowledge(writeAssistKnowledge(join(work.path, "knowledge")));
  assistant = await trainAssistant(
    { knowledge, encoder: { encoder: bert, path: BERT_FIXTURE, head: { hidden: 0, epochs: 10 } } },
    { seed: 1, retrievalMode: "vector" },
  );
});

after(async () => {
  await bert.close();
  work.remove();
});

describe("an assistant on a pretrained encoder", () => {
  it("predicts intents by the head on the encoder's embeddings", async () => {
    const model = assistant.classifier;
    assert.ok(model instanceof EncoderClassifier);
    assert.equal(model.encoderRef.checksum, bert.checksum);
    assert.equal(assistant.encoder?.checksum, bert.checksum);
    const { vectors } = await bert.embed(MESSAGES);
    const scores = headScores(model.head, vectors, MESSAGES.length, false);
    const n = model.labels.length;
    for (const [i, message] of MESSAGES.entries()) {
      let best = 0;
      for (let l = 1; l < n; l++) if ((scores[i * n + l] ?? 0) > (scores[i * n + best] ?? 0)) best = l;
      const label: string | undefined = model.labels[best];
      const c = await assistant.classifyAsync(message, "en");
      if (label === OUT_OF_SCOPE) assert.equal(c.outOfScope, true, message);
      else assert.equal(c.id, label, message);
    }
    assert.equal(assistant.needsAsync, true);
    assert.throws(() => assistant.reply("what is my balance"), codeIs("ENCODER_ASYNC_ONLY"));
    assert.throws(() => assistant.classify("what is my balance"), codeIs("ENCODER_ASYNC_ONLY"));
  });

  it("answers an unseen question from the FAQ phrasing or passage of highest cosine", async () => {
    const faqItems = knowledge.faqs.flatMap((f) =>
      [f.question, ...f.alternatives].map((text) => ({ key: f.id, text })),
    );
    const passages = (assistant.passageIndex?.items ?? []).map((p) => ({
      key: p.id,
      text: p.title === null || p.title === "" ? p.text : `${p.title}\n${p.text}`,
    }));
    let checked = 0;
    for (const question of UNSEEN) {
      const reply = await assistant.replyAsync(question);
      if (reply.faq !== null) {
        const best = await nearest(question, faqItems);
        assert.equal(reply.faq.id, best.key, question);
        assert.ok(Math.abs(reply.faq.score - Math.max(0, best.cos)) < 1e-5, `${reply.faq.score} ${best.cos}`);
        checked++;
      }
      if (reply.passage !== null) {
        const best = await nearest(question, passages);
        assert.equal(reply.passage.id, best.key, question);
        assert.ok(Math.abs(reply.passage.score - Math.max(0, best.cos)) < 1e-5);
        checked++;
      }
    }
    assert.ok(checked >= UNSEEN.length, `only ${checked} retrieval answers checked`);
  });

  it("saves, loads with the same replies, and refuses another encoder or a missing folder", async () => {
    const dir = join(work.path, "saved");
    await assistant.save(dir);
    const loaded = await loadAssistant(dir, { encoderOptions: { threads: 1 } });
    try {
      for (const message of [...MESSAGES, ...UNSEEN]) {
        const [a, b] = [await assistant.replyAsync(message), await loaded.replyAsync(message)];
        assert.deepEqual({ ...b, state: null }, { ...a, state: null }, message);
      }
      assert.throws(() => loaded.reply("what is my balance"), codeIs("ENCODER_ASYNC_ONLY"));
    } finally {
      await loaded.close();
    }
    await assert.rejects(
      loadAssistant(dir, { encoderDir: XLMR_FIXTURE, encoderOptions: { threads: 1 } }),
      codeIs("ENCODER_CHANGED"),
    );
    // Through an encoder source (as the server's pool): a message costs one text encoded,
    // shared by the intent head and both searches.
    let encoded = 0;
    const source = {
      acquire: async (_dir: string, checksum: string) => {
        assert.equal(checksum, bert.checksum);
        return {
          id: bert.id,
          checksum: bert.checksum,
          dim: bert.dim,
          embed: (texts: readonly string[]) => {
            encoded += texts.length;
            return bert.embed(texts);
          },
        };
      },
    };
    const pooled = await loadAssistant(dir, { encoders: source });
    for (const question of UNSEEN) {
      const start = encoded;
      const reply = await pooled.replyAsync(question);
      assert.ok(reply.faq !== null || reply.passage !== null, "the indexes were searched");
      assert.equal(encoded - start, 1, question);
    }
    const missing = join(work.path, "no-encoder-here");
    await assert.rejects(loadAssistant(dir, { encoderDir: missing }), (e: unknown) => {
      assert.ok(codeIs("ENCODER_FILE_MISSING")(e), String(e));
      assert.match(String((e as Error).message), /no-encoder-here/);
      return true;
    });
  });
});

describe("an assistant whose intent head is mixed with the n-gram model", () => {
  it("chooses the mix on the held-out questions and saves both halves inside its intent part", async () => {
    const mixed = await trainAssistant(
      {
        knowledge,
        encoder: { encoder: bert, path: BERT_FIXTURE, head: { hidden: 0, epochs: 5 }, ensemble: {} },
      },
      { seed: 1 },
    );
    const model = mixed.classifier;
    assert.ok(model instanceof EncoderClassifier);
    assert.ok(model.ngram !== null, "the n-gram half was trained");
    assert.ok(model.headWeight >= 0 && model.headWeight <= 1);
    const dir = join(work.path, "mixed");
    await mixed.save(dir);
    const loaded = await loadAssistant(dir, { encoderDir: BERT_FIXTURE, encoderOptions: { threads: 1 } });
    try {
      const again = loaded.classifier;
      assert.ok(again instanceof EncoderClassifier);
      assert.equal(again.headWeight, model.headWeight);
      for (const message of MESSAGES) {
        assert.deepEqual(await loaded.classifyAsync(message, "en"), await mixed.classifyAsync(message, "en"));
      }
    } finally {
      await loaded.close();
    }
  });
});

describe("textkit assist --encoder, and the server's chat route", () => {
  const model = join(work.path, "cli-assistant");

  it("trains with --encoder, refuses --dim with it, and evaluates", async () => {
    const knowledgeDir = join(work.path, "knowledge");
    const common = ["assist", "train", "--knowledge", knowledgeDir, "--encoder", BERT_FIXTURE];
    const bad = await runCli([...common, "--dim", "20", "--out", join(work.path, "x")]);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /OPTION_INVALID/);
    const lone = await runCli(["assist", "train", "--knowledge", knowledgeDir, "--bundle", "--out", model]);
    assert.match(lone.stderr, /OPTION_INVALID/);
    // The help names only the flags `assist train` has (it once sent users to --lr and --loss).
    const help = await runCli(["assist", "train", "--help"]);
    assert.match(help.stdout, /--epochs and --seed then set the head's/);
    assert.doesNotMatch(help.stdout, /--lr|--patience|--loss/);
    const r = await runCli([
      ...common,
      "--encoder-threads",
      "1",
      "--hidden",
      "0",
      "--epochs",
      "5",
      "--bundle",
      "--out",
      model,
      "--json",
      "--quiet",
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((JSON.parse(r.stdout) as { encoder: { checksum: string } }).encoder.checksum, bert.checksum);
    const saved = JSON.parse(readFileSync(join(model, "intent", "manifest.json"), "utf8")) as {
      options: { bundled: boolean };
    };
    assert.equal(saved.options.bundled, true);
    const data = join(work.path, "questions.csv");
    writeFileSync(
      data,
      "text,intent\nhow much do i have in my account,balance\nwho invented the telephone,oos\nbranch opening times,faq:opening-hours\nfixed or adjustable rate mortgage,doc:mortgages.md\n",
    );
    const evaluated = await runCli(["assist", "eval", "--model", model, "--data", data, "--json"]);
    assert.equal(evaluated.code, 0, evaluated.stderr);
    const report = JSON.parse(evaluated.stdout) as { questions: number; paths: Record<string, number> };
    assert.equal(report.questions, 4);
    assert.equal(
      Object.values(report.paths).reduce((a, b) => a + b, 0),
      4,
    );
  });

  it("answers the chat route with the encoder from the pool, its batches in /metrics", async () => {
    const modelsDir = join(work.path, "models");
    mkdirSync(modelsDir, { recursive: true });
    await assistant.save(join(modelsDir, "helpdesk"));
    const server = await startServer({ modelsDir, port: 0, auth: "off", watchIntervalMs: 0, logger: false });
    try {
      await server.whenReady();
      for (const message of [MESSAGES[0] ?? "", UNSEEN[0] ?? ""]) {
        const res = await call(`${server.url}/v1/models/helpdesk/chat`, { body: { message } });
        assert.equal(res.status, 200, res.text);
        const body = res.body as { path: string; text: string };
        const expected = await assistant.replyAsync(message);
        assert.equal(body.path, expected.path, message);
        assert.equal(body.text, expected.text, message);
      }
      const metrics = await fetch(`${server.url}/metrics`).then((r) => r.text());
      assert.match(metrics, /textkit_encoder_\w+\{[^}]*encoder="[^"]*"/);
    } finally {
      await server.close();
    }
  });
});
