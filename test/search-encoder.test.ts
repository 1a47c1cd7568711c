/**
 * Dense retrieval on a pretrained encoder (issue 12): `buildRetrievalIndex` with a
 * `SentencePassageEncoder` over the fixture BERT, its artifact naming the encoder by
 * checksum, `textkit search build --encoder` / `search query`, and the server's search
 * route taking the encoder from its shared pool.
 */
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { SentenceEncoder } from "../src/core/index.ts";
import { TextkitError } from "../src/core/index.ts";
import { loadEncoder, type OnnxEncoder } from "../src/models/encoder/index.ts";
import {
  buildRetrievalIndex,
  loadRetrievalIndex,
  type RetrievalItemInput,
  retrievalEncoderNeed,
  SentencePassageEncoder,
} from "../src/models/retrieval/index.ts";
import { type RunningServer, startServer } from "../src/server/index.ts";
import { call, errorOf, tempDir } from "./server-helpers.ts";
import { runCli } from "./support/cli-run.ts";
import { BERT_FIXTURE, XLMR_FIXTURE } from "./support/encoder-data.ts";

const ITEMS: RetrievalItemInput[] = [
  { id: "card", text: "my card was lost or stolen at the atm" },
  { id: "transfer", text: "transfer money to my bank account" },
  { id: "weather", text: "the weather today is rain" },
  { id: "movie", text: "i love this great movie" },
  { id: "payment", text: "how can i pay a payment", title: "Payments" },
];

const work = tempDir("search-encoder");
let bert: OnnxEncoder;

before(async () => {
  bert = await loadEncoder(BERT_FIXTURE, { threads: 1 });
});

after(async () => {
  await bert.close();
  work.remove();
});

function codeIs(code: string) {
  return (e: unknown) => e instanceof TextkitError && e.code === code;
}

/** The real encoder, counting the texts it is asked to embed. */
function counting(encoder: SentenceEncoder): SentenceEncoder & { texts: number } {
  const counted = {
    id: encoder.id,
    checksum: encoder.checksum,
    dim: encoder.dim,
    texts: 0,
    embed: (texts: readonly string[]) => {
      counted.texts += texts.length;
      return encoder.embed(texts);
    },
  };
  return counted;
}

describe("retrieval on a pretrained encoder", () => {
  it("indexes the encoder's embeddings, finds each item by its own text, and saves the checksum", async () => {
    const passages = new SentencePassageEncoder(bert, { path: BERT_FIXTURE });
    const index = await buildRetrievalIndex(ITEMS, { includeTitle: false }, passages);
    assert.equal(index.defaultMode, "hybrid");
    assert.equal(index.needsAsync, true);
    // The stored rows are the encoder's own vectors, scaled to unit length.
    const { vectors } = await bert.embed([ITEMS[1]!.text]);
    const norm = Math.hypot(...vectors);
    const row = index.vectors!.rows.subarray(bert.dim, 2 * bert.dim);
    for (let j = 0; j < bert.dim; j++) assert.ok(Math.abs(row[j]! - vectors[j]! / norm) < 1e-6);
    for (const item of ITEMS) {
      const [top] = await index.searchAsync(item.text, { k: 1, mode: "vector" });
      assert.equal(top?.id, item.id);
      assert.ok(top.score > 0.999 && top.score <= 1, String(top.score));
    }
    assert.throws(() => index.search("lost card", { mode: "vector" }), codeIs("ENCODER_ASYNC_ONLY"));
    assert.equal(index.search("lost card", { mode: "bm25" })[0]?.id, "card");

    const dir = join(work.path, "lib-index");
    await index.save(dir);
    const need = await retrievalEncoderNeed(dir);
    assert.deepEqual(need, { id: bert.id, dim: bert.dim, checksum: bert.checksum, path: BERT_FIXTURE });
    const loaded = await loadRetrievalIndex(dir, { encoder: new SentencePassageEncoder(bert) });
    const query = ["stolen card atm", "rain today", "pay money"];
    assert.deepEqual(
      (await loaded.searchManyAsync(query)).map((hits) => hits.map((h) => [h.id, h.score])),
      (await index.searchManyAsync(query)).map((hits) => hits.map((h) => [h.id, h.score])),
    );
    await assert.rejects(loadRetrievalIndex(dir), codeIs("RETRIEVAL_ENCODER_MISMATCH"));
    const bm25Only = await loadRetrievalIndex(dir, { allowMissingEncoder: true });
    assert.equal(bm25Only.defaultMode, "bm25");
    const xlmr = await loadEncoder(XLMR_FIXTURE, { threads: 1 });
    try {
      await assert.rejects(
        loadRetrievalIndex(dir, { encoder: new SentencePassageEncoder(xlmr) }),
        codeIs("ENCODER_CHANGED"),
      );
    } finally {
      await xlmr.close();
    }
  });

  it("encodes a repeated or recent text once", async () => {
    const inner = counting(bert);
    const passages = new SentencePassageEncoder(inner, { cacheSize: 2 });
    const first = await passages.encodeAsync(["lost card", "lost card", "rain today"]);
    assert.equal(inner.texts, 2);
    assert.deepEqual(first.subarray(0, bert.dim), first.subarray(bert.dim, 2 * bert.dim));
    const again = await passages.encodeAsync(["rain today", "great movie"]);
    assert.equal(inner.texts, 3, "only the new text is encoded");
    assert.deepEqual(again.subarray(0, bert.dim), first.subarray(2 * bert.dim));
    assert.equal(passages.cached, 2, "the cache keeps at most cacheSize texts");
    await passages.encodeAsync(["lost card"]);
    assert.equal(inner.texts, 4, "the least recently used text was dropped");
  });
});

describe("textkit search --encoder, and the server's search route", () => {
  const table = join(work.path, "faq.jsonl");
  const indexDir = join(work.path, "cli-index");

  it("builds with --encoder, queries through the folder it was built with, refuses another", async () => {
    writeFileSync(table, `${ITEMS.map((item) => JSON.stringify(item)).join("\n")}\n`);
    const both = await runCli([
      "search",
      "build",
      "--input",
      table,
      "--out",
      join(work.path, "x"),
      "--encoder",
      BERT_FIXTURE,
      "--vectors",
      table,
    ]);
    assert.notEqual(both.code, 0);
    assert.match(both.stderr, /OPTION_INVALID/);
    const built = await runCli([
      "search",
      "build",
      "--input",
      table,
      "--out",
      indexDir,
      "--encoder",
      BERT_FIXTURE,
      "--encoder-threads",
      "1",
      "--json",
    ]);
    assert.equal(built.code, 0, built.stderr);
    const summary = JSON.parse(built.stdout) as {
      vectors: { id: string; checksum: string };
      defaultMode: string;
    };
    assert.equal(summary.vectors.checksum, bert.checksum);
    assert.equal(summary.defaultMode, "hybrid");
    const manifest = JSON.parse(readFileSync(join(indexDir, "manifest.json"), "utf8")) as {
      options: { encoder: { kind: string } };
    };
    assert.equal(manifest.options.encoder.kind, "pretrained");

    const q = await runCli([
      "search",
      "query",
      "--index",
      indexDir,
      "--mode",
      "vector",
      "--k",
      "1",
      "--json",
      "transfer money to my bank account",
    ]);
    assert.equal(q.code, 0, q.stderr);
    const hits = (JSON.parse(q.stdout) as { hits: { id: string; vector: number }[] }).hits;
    assert.equal(hits[0]?.id, "transfer");
    assert.ok(hits[0]!.vector > 0.999);

    const other = await runCli([
      "search",
      "query",
      "--index",
      indexDir,
      "--encoder",
      XLMR_FIXTURE,
      "lost card",
    ]);
    assert.notEqual(other.code, 0);
    assert.match(other.stderr, /ENCODER_CHANGED/);
  });

  it("serves the index with the encoder from the pool", async () => {
    const modelsDir = join(work.path, "models");
    mkdirSync(modelsDir, { recursive: true });
    const passages = new SentencePassageEncoder(bert, { path: BERT_FIXTURE });
    await (await buildRetrievalIndex(ITEMS, {}, passages)).save(join(modelsDir, "faq"));
    const server: RunningServer = await startServer({
      modelsDir,
      port: 0,
      auth: "off",
      watchIntervalMs: 0,
      logger: false,
    });
    try {
      await server.whenReady();
      const res = await call(`${server.url}/v1/models/faq/search`, {
        body: { query: "the weather today is rain", k: 2, mode: "vector" },
      });
      assert.equal(res.status, 200, res.text);
      const hits = (res.body as { hits: { id: string; vector: number }[] }).hits;
      assert.equal(hits[0]?.id, "weather");
      assert.ok(hits[0]!.vector > 0.999);
      const hybrid = await call(`${server.url}/v1/models/faq/search`, { body: { query: "lost card atm" } });
      assert.equal((hybrid.body as { hits: { id: string }[] }).hits[0]?.id, "card");
      const bad = await call(`${server.url}/v1/models/faq/search`, { body: { query: "x", mode: "dense" } });
      assert.equal(bad.status, 400, bad.text);
      assert.match(String(errorOf(bad).code), /^[A-Z_]+$/);
      const metrics = await fetch(`${server.url}/metrics`).then((r) => r.text());
      assert.match(metrics, /textkit_encoder_/);
    } finally {
      await server.close();
    }
  });
});

describe("the server's encoder queue", () => {
  it("answers 429 ENCODER_BUSY with Retry-After past its bound, and 200 to the rest", async () => {
    const modelsDir = join(work.path, "queue-models");
    mkdirSync(modelsDir, { recursive: true });
    const passages = new SentencePassageEncoder(bert, { path: BERT_FIXTURE });
    await (await buildRetrievalIndex(ITEMS, {}, passages)).save(join(modelsDir, "faq"));
    const server = await startServer({
      modelsDir,
      port: 0,
      auth: "off",
      watchIntervalMs: 0,
      logger: false,
      encoderQueue: 2,
    });
    try {
      await server.whenReady();
      // Distinct queries, so that the index's in-memory cache answers none of them.
      const answers = await Promise.all(
        Array.from({ length: 40 }, (_, i) =>
          fetch(`${server.url}/v1/models/faq/search`, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body: JSON.stringify({ query: `lost card number ${i}`, mode: "vector" }),
          }).then(async (res) => ({
            status: res.status,
            retry: res.headers.get("retry-after"),
            body: (await res.json()) as { error?: { code: string } },
          })),
        ),
      );
      const busy = answers.filter((a) => a.status === 429);
      assert.ok(busy.length > 0, "some requests found the queue full");
      assert.ok(
        answers.some((a) => a.status === 200),
        "the others were answered",
      );
      for (const a of answers) assert.ok(a.status === 200 || a.status === 429, String(a.status));
      for (const a of busy) {
        assert.equal(a.body.error?.code, "ENCODER_BUSY");
        assert.ok(Number(a.retry) >= 1, String(a.retry));
      }
    } finally {
      await server.close();
    }
  });
});
