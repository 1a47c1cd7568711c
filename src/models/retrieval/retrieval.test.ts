import assert from "node:assert/strict";
import { readdirSync, readFileSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, test } from "node:test";
import { scratchFiles } from "../../../test/support/data-files.ts";
import { helpItems, tinyVec } from "../../../test/support/retrieval-data.ts";
import { manifestDigest } from "../../artifact/index.ts";
import { TextkitError } from "../../core/index.ts";
import { splitDocument } from "./passages.ts";
import { buildRetrievalIndex, type IndexProgress, loadRetrievalIndex, type SearchHit } from "./retrieval.ts";
import type { PassageEncoder } from "./vector-index.ts";
import { WordVectorEncoder } from "./word-vector-encoder.ts";

const scratch = scratchFiles("retrieval");
const vecFile = scratch.write(".vec", tinyVec());

function ids(hits: readonly SearchHit[]): string[] {
  return hits.map((h) => h.id);
}

function codeIs(code: string, pattern?: RegExp) {
  return (e: unknown) =>
    e instanceof TextkitError && e.code === code && (pattern === undefined || pattern.test(e.message));
}

/** A user's encoder: bag of letters a-z, nothing to store. */
const letters: PassageEncoder = {
  id: "letters/1",
  dim: 26,
  encode(texts) {
    const out = new Float32Array(texts.length * 26);
    texts.forEach((text, i) => {
      for (const ch of text.toLowerCase()) {
        const c = ch.charCodeAt(0) - 97;
        if (c >= 0 && c < 26) out[i * 26 + c]! += 1;
      }
    });
    return out;
  },
};

describe("RetrievalIndex with BM25", () => {
  test("finds items by their terms, English and Chinese, with scores in [0, 1]", async () => {
    const index = await buildRetrievalIndex(helpItems());
    assert.equal(index.defaultMode, "bm25");
    const hits = index.search("I lost my card");
    assert.equal(hits[0]!.id, "lost-card");
    assert.equal(hits[0]!.vector, null);
    assert.equal(hits[0]!.item.title, "Cards > Lost card");
    // The segmenter keeps 信用卡 and 挂失 whole in the item; the question spells them apart.
    assert.equal(index.search("信用 卡 挂失")[0]?.id, "zh-card");
    assert.equal(index.search("忘记了密码")[0]?.id, "zh-password");
    for (const query of ["lost card", "send money to my account", "reset pin code", "信用卡"]) {
      for (const hit of index.search(query)) {
        assert.ok(hit.score >= 0 && hit.score <= 1 && hit.score === hit.bm25, JSON.stringify(hit));
      }
    }
    assert.deepEqual(index.search("the of and"), [], "function words alone match nothing");
    assert.deepEqual(index.search(""), []);
  });

  test("an exact duplicate of an item scores 1; an unknown word in the query lowers it", async () => {
    const index = await buildRetrievalIndex(helpItems());
    const [exact] = index.search("信用卡丢失后请立即挂失。");
    assert.equal(exact!.id, "zh-card");
    assert.equal(exact!.score, 1);
    const [partial] = index.search("信用卡丢失后请立即挂失 zebra");
    assert.ok(partial!.score < 1 && partial!.score > 0.5, String(partial!.score));
    const titled = await buildRetrievalIndex(helpItems(), { includeTitle: false });
    assert.equal(titled.search("If your card is lost, block it in the app.")[0]!.score, 1);
  });

  test("k, filters, and the shape of hits", async () => {
    const index = await buildRetrievalIndex(helpItems());
    assert.equal(index.search("card", { k: 1 }).length, 1);
    assert.deepEqual(index.search("card", { k: 0 }), []);
    const zhOnly = index.search("信用卡 card", { filter: (item) => item.meta?.["lang"] === "zh" });
    assert.deepEqual(ids(zhOnly), ["zh-card"]);
    const [hit] = index.search("transfer");
    assert.deepEqual(Object.keys(hit!).sort(), ["bm25", "id", "item", "score", "vector"]);
    assert.deepEqual(hit!.item, {
      id: "transfer",
      text: "Send money to another account with a transfer.",
      title: "Payments",
      source: "help.md",
      meta: null,
    });
    assert.throws(() => index.search("card", { k: -1 }), codeIs("INPUT_INVALID"));
    assert.throws(() => index.search("card", { mode: "vector" }), codeIs("RETRIEVAL_NO_VECTORS"));
  });

  test("indexes passages of a document", async () => {
    const markdown =
      "# Cards\n\n## Lost card\n\nBlock it in the app at once.\n\n## PIN\n\nReset it at an ATM.\n";
    const passages = splitDocument(markdown, { format: "markdown", source: "help.md" });
    const index = await buildRetrievalIndex(passages);
    const [hit] = index.search("lost");
    assert.equal(hit!.id, "help.md#1");
    assert.equal(hit!.item.title, "Cards > Lost card");
    assert.equal(hit!.item.source, "help.md");
  });
});

describe("RetrievalIndex with vectors", () => {
  test("vector search finds items that share no term with the query", async () => {
    const encoder = await WordVectorEncoder.fromVecFile(vecFile);
    const index = await buildRetrievalIndex(helpItems(), {}, encoder);
    assert.equal(index.defaultMode, "hybrid");
    assert.deepEqual(index.search("stolen", { mode: "bm25" }), []);
    const stolen = index.search("stolen", { mode: "vector", k: 2 });
    assert.deepEqual(ids(stolen).sort(), ["lost-card", "zh-card"], JSON.stringify(stolen));
    assert.deepEqual(ids(index.search("forgot password", { mode: "vector", k: 2 })).sort(), [
      "pin",
      "zh-password",
    ]);
    for (const hit of stolen) {
      assert.equal(hit.score, hit.vector);
      assert.ok(hit.score > 0 && hit.score <= 1);
      assert.equal(hit.bm25, 0);
    }
  });

  test("hybrid ranking mixes the normalised BM25 and the cosine of both sides' candidates", async () => {
    const encoder = await WordVectorEncoder.fromVecFile(vecFile);
    const index = await buildRetrievalIndex(helpItems(), { vectorWeight: 0.5 }, encoder);
    const hits = index.search("my card was stolen", { k: 5 });
    assert.equal(hits[0]!.id, "lost-card");
    for (let i = 0; i < hits.length; i++) {
      const h = hits[i]!;
      assert.ok(Math.abs(h.score - (0.5 * h.vector! + 0.5 * h.bm25)) < 1e-12, JSON.stringify(h));
      assert.ok(h.score >= 0 && h.score <= 1);
      if (i > 0) assert.ok(hits[i - 1]!.score >= h.score);
    }
    // The lexical match scores on both sides; vector-only candidates on one.
    assert.ok(hits[0]!.bm25 > 0 && hits[0]!.vector! > 0);
    assert.ok(hits.slice(1).some((h) => h.bm25 === 0 && h.vector! > 0));
    // The weight moves the balance: all BM25 is the bm25 ranking.
    const lexical = await buildRetrievalIndex(helpItems(), { vectorWeight: 0 }, encoder);
    assert.deepEqual(
      ids(lexical.search("lost card", { k: 1 })),
      ids(index.search("lost card", { mode: "bm25", k: 1 })),
    );
    assert.deepEqual(index.searchMany(["lost card", "忘记密码"], { k: 2 }).map(ids), [
      ids(index.search("lost card", { k: 2 })),
      ids(index.search("忘记密码", { k: 2 })),
    ]);
  });

  test("reports progress while building", async () => {
    const seen: IndexProgress[] = [];
    const encoder = await WordVectorEncoder.fromVecFile(vecFile);
    await buildRetrievalIndex(helpItems(), {}, encoder, { onProgress: (p) => seen.push(p) });
    assert.deepEqual(
      seen.map((p) => [p.phase, p.done, p.total, p.progress]),
      [
        ["terms", 5, 5, 1],
        ["vectors", 5, 5, 1],
      ],
    );
  });
});

describe("saving and loading an index", () => {
  test("round trip: the same results, and the same bytes from the same input", async () => {
    const encoder = await WordVectorEncoder.fromVecFile(vecFile, { minComponentTexts: 2 });
    const index = await buildRetrievalIndex(helpItems(), { k1: 1.5 }, encoder);
    const dir = join(scratch.path, "help");
    await index.save(dir);
    const loaded = await loadRetrievalIndex(dir);
    assert.deepEqual(loaded.options, index.options);
    assert.equal(loaded.encoder?.id, encoder.id);
    for (const query of ["stolen card", "信用卡 挂失", "forgot pasword", "send money"]) {
      for (const mode of ["bm25", "vector", "hybrid"] as const) {
        assert.deepEqual(
          loaded.search(query, { mode, k: 5 }),
          index.search(query, { mode, k: 5 }),
          `${query} ${mode}`,
        );
      }
    }
    // A fresh encoder of the same vectors is accepted, but the stored, fitted one answers.
    const fresh = await loadRetrievalIndex(dir, { encoder: await WordVectorEncoder.fromVecFile(vecFile) });
    assert.deepEqual(fresh.search("stolen card"), index.search("stolen card"));
    const manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8"));
    assert.equal(manifest.family, "retrieval");
    assert.equal(manifest.data.examples, 5);
    assert.equal(manifest.options.encoder.id, encoder.id);
    assert.equal(manifest.options.encoder.kind, "word-vectors");

    const again = join(scratch.path, "help-again");
    await (await buildRetrievalIndex(helpItems(), { k1: 1.5 }, encoder)).save(again);
    const files = readdirSync(dir).filter((f) => f !== "manifest.json");
    assert.ok(files.includes("postings-docs.i32") && files.includes("vectors.f32"));
    for (const f of files) assert.deepEqual(readFileSync(join(again, f)), readFileSync(join(dir, f)), f);
    // And loading then saving changes nothing either.
    const resaved = join(scratch.path, "help-resaved");
    await loaded.save(resaved);
    for (const f of files) assert.deepEqual(readFileSync(join(resaved, f)), readFileSync(join(dir, f)), f);
  });

  test("a truncated or foreign artifact is refused", async () => {
    const dir = join(scratch.path, "truncated");
    await (await buildRetrievalIndex(helpItems())).save(dir);
    truncateSync(join(dir, "postings-docs.i32"), 8);
    await assert.rejects(loadRetrievalIndex(dir), codeIs("ARTIFACT_CORRUPT", /postings-docs\.i32/));
    const foreign = join(scratch.path, "foreign");
    await (await buildRetrievalIndex(helpItems())).save(foreign);
    const manifest = JSON.parse(readFileSync(join(foreign, "manifest.json"), "utf8"));
    // An edited family breaks the manifest's digest; a sealed one of another family is foreign.
    writeFileSync(join(foreign, "manifest.json"), JSON.stringify({ ...manifest, family: "classifier" }));
    await assert.rejects(loadRetrievalIndex(foreign), codeIs("ARTIFACT_CORRUPT", /digest/));
    const { digest: _digest, ...rest } = { ...manifest, family: "classifier" };
    writeFileSync(join(foreign, "manifest.json"), JSON.stringify({ ...rest, digest: manifestDigest(rest) }));
    await assert.rejects(loadRetrievalIndex(foreign), codeIs("ARTIFACT_FOREIGN"));
  });

  test("an index of a user's encoder loads with that encoder only", async () => {
    const index = await buildRetrievalIndex(helpItems(), {}, letters);
    assert.equal(index.search("transfer money", { mode: "vector" })[0]?.id, "transfer");
    const dir = join(scratch.path, "letters");
    await index.save(dir);
    await assert.rejects(loadRetrievalIndex(dir), codeIs("RETRIEVAL_ENCODER_MISMATCH", /letters\/1/));
    await assert.rejects(
      loadRetrievalIndex(dir, { encoder: { ...letters, id: "letters/2" } }),
      codeIs("RETRIEVAL_ENCODER_MISMATCH"),
    );
    const withEncoder = await loadRetrievalIndex(dir, { encoder: letters });
    assert.deepEqual(withEncoder.search("transfer money"), index.search("transfer money"));
    const lexicalOnly = await loadRetrievalIndex(dir, { allowMissingEncoder: true });
    assert.equal(lexicalOnly.defaultMode, "bm25");
    assert.deepEqual(lexicalOnly.search("transfer"), index.search("transfer", { mode: "bm25" }));
    assert.throws(
      () => lexicalOnly.search("transfer", { mode: "hybrid" }),
      codeIs("RETRIEVAL_ENCODER_MISMATCH"),
    );
  });
});

describe("bad input", () => {
  test("coded errors", async () => {
    await assert.rejects(buildRetrievalIndex([]), codeIs("DATA_EMPTY"));
    const twice = [...helpItems(), { id: "pin", text: "again" }];
    await assert.rejects(buildRetrievalIndex(twice), (e: unknown) => {
      return (
        e instanceof TextkitError &&
        e.code === "DATA_DUPLICATE_ID" &&
        /'pin'/.test(e.message) &&
        e.details?.["id"] === "pin"
      );
    });
    await assert.rejects(buildRetrievalIndex([{ id: "a", text: "  " }]), codeIs("DATA_EMPTY_TEXT", /'a'/));
    await assert.rejects(buildRetrievalIndex([{ id: "", text: "x" }]), codeIs("INPUT_INVALID"));
    await assert.rejects(buildRetrievalIndex(helpItems(), { vectorWeight: 2 }), codeIs("OPTION_INVALID"));
    const short: PassageEncoder = {
      id: "short",
      dim: 3,
      encode: (texts) => new Float32Array(texts.length * 2),
    };
    await assert.rejects(buildRetrievalIndex(helpItems(), {}, short), codeIs("DATA_BAD_VECTORS", /short/));
  });
});
