/**
 * The recommender's content model on a pretrained encoder (issue 12): item profiles are
 * the fixture BERT's embeddings of item text, stored in the model; a user's profile is the
 * event-weighted sum of the unit vectors of the items they engaged with, and items rank by
 * cosine. The ranking is checked against one computed here from the encoder's vectors.
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { TextkitError } from "../src/core/index.ts";
import { leaveLastOut } from "../src/data/index.ts";
import { loadEncoder, type OnnxEncoder } from "../src/models/encoder/index.ts";
import {
  itemText,
  loadRecommender,
  type Recommender,
  recommenderEncoderNeed,
  trainRecommender,
} from "../src/models/recommender/index.ts";
import { tempDir } from "./server-helpers.ts";
import { runCli } from "./support/cli-run.ts";
import { BERT_FIXTURE, XLMR_FIXTURE } from "./support/encoder-data.ts";
import { plantedCsv, plantedData, plantedInteractions } from "./support/recommend-data.ts";

const work = tempDir("recommend-encoder");
const planted = plantedData({ itemsPerGroup: 12, usersPerGroup: 8 });
const { train } = leaveLastOut(plantedInteractions(planted));
let bert: OnnxEncoder;
let model: Recommender;

function codeIs(code: string) {
  return (e: unknown) => e instanceof TextkitError && e.code === code;
}

/** Unit vectors of the items' texts, by item id, straight from the encoder. */
async function unitVectors(): Promise<Map<string, Float32Array>> {
  const items = planted.items;
  const { vectors, dim } = await bert.embed(items.map(itemText));
  const out = new Map<string, Float32Array>();
  items.forEach((item, r) => {
    const v = vectors.slice(r * dim, (r + 1) * dim);
    const norm = Math.hypot(...v);
    out.set(
      item.id,
      v.map((x) => x / norm),
    );
  });
  return out;
}

/** The unseen items by cosine with the weighted sum of the user's items' unit vectors, best first. */
function cosineRanking(
  user: string,
  vectors: Map<string, Float32Array>,
  m: Recommender,
): { item: string; score: number }[] {
  const profile = new Float64Array(bert.dim);
  const seen = new Set<string>();
  for (const { item, weight } of m.history(user)) {
    seen.add(item);
    const v = vectors.get(item) ?? new Float32Array(bert.dim);
    for (const [d, x] of v.entries()) profile[d] = (profile[d] ?? 0) + weight * x;
  }
  const norm = Math.hypot(...profile);
  const scored: { item: string; score: number }[] = [];
  for (const [item, v] of vectors) {
    if (seen.has(item)) continue;
    let dot = 0;
    for (const [d, x] of v.entries()) dot += (profile[d] ?? 0) * x;
    scored.push({ item, score: dot / norm });
  }
  return scored.filter((s) => s.score > 0).sort((a, b) => b.score - a.score);
}

before(async () => {
  bert = await loadEncoder(BERT_FIXTURE, { threads: 1 });
  model = await trainRecommender({ train, encoder: bert, encoderPath: BERT_FIXTURE }, { model: "content" });
});

after(async () => {
  await bert.close();
  work.remove();
});

describe("the content recommender on a pretrained encoder", () => {
  it("ranks items by cosine with the user's profile of encoder embeddings, reasons naming seen items", async () => {
    const vectors = await unitVectors();
    for (const user of ["space-user-0", "garden-user-3", "space-user-7"]) {
      const got = model.recommend(user, { k: 6 });
      const want = cosineRanking(user, vectors, model).slice(0, 6);
      assert.deepEqual(
        got.map((r) => r.item),
        want.map((w) => w.item),
        user,
      );
      for (const [t, r] of got.entries()) {
        assert.ok(Math.abs(r.score - (want[t]?.score ?? Number.NaN)) < 1e-4, `${user} ${r.item}`);
        assert.equal(r.reason.kind, "similar");
        const seen = model.history(user).map((h) => h.item);
        assert.ok(r.reason.item !== undefined && seen.includes(r.reason.item), r.reason.text);
      }
    }
  });

  it("saves the item vectors and the encoder's checksum; loads without it, refuses another", async () => {
    const dir = join(work.path, "content");
    await model.save(dir);
    assert.deepEqual(await recommenderEncoderNeed(dir), {
      id: bert.id,
      checksum: bert.checksum,
      dim: bert.dim,
      path: BERT_FIXTURE,
    });
    const bare = await loadRecommender(dir);
    for (const user of ["space-user-1", "garden-user-2"]) {
      assert.deepEqual(bare.recommend(user, { k: 5 }), model.recommend(user, { k: 5 }));
    }
    const xlmr = await loadEncoder(XLMR_FIXTURE, { threads: 1 });
    try {
      await assert.rejects(loadRecommender(dir, { encoder: xlmr }), codeIs("ENCODER_CHANGED"));
    } finally {
      await xlmr.close();
    }
    // A new item embedded through the encoder: the twin of a seen item's text scores as its twin.
    const loaded = await loadRecommender(dir, { encoder: bert });
    const user = "space-user-4";
    const top = loaded.recommend(user, { k: 1 })[0];
    const twin = top === undefined ? undefined : loaded.item(top.item);
    assert.ok(top !== undefined && twin !== undefined);
    // Two items of one text in one call: both get the vector.
    await loaded.addItemsAsync([
      { ...twin, id: "new-twin" },
      { ...twin, id: "new-twin-2" },
    ]);
    const again = loaded.recommend(user, { k: 3 });
    assert.deepEqual(new Set(again.map((r) => r.item)), new Set([top.item, "new-twin", "new-twin-2"]));
    for (const r of again) assert.ok(Math.abs(r.score - top.score) < 1e-5, r.item);
    assert.equal(await recommenderEncoderNeed(join(work.path, "none")).catch(() => "missing"), "missing");
  });

  it("trains a hybrid whose content source is the encoder, and refuses an encoder where no text is read", async () => {
    const hybrid = await trainRecommender(
      { train, encoder: bert, encoderPath: BERT_FIXTURE },
      { model: "hybrid", factors: 4, iterations: 3 },
    );
    const dir = join(work.path, "hybrid");
    await hybrid.save(dir);
    assert.equal((await recommenderEncoderNeed(dir))?.checksum, bert.checksum);
    const loaded = await loadRecommender(dir);
    assert.deepEqual(
      loaded.recommend("garden-user-1", { k: 5 }),
      hybrid.recommend("garden-user-1", { k: 5 }),
    );
    assert.deepEqual(hybrid.runRecord?.final["encoder"], {
      id: bert.id,
      checksum: bert.checksum,
      path: BERT_FIXTURE,
    });
    // A new item, embedded through the encoder, borrows the factors of the items whose text is closest.
    const withEncoder = await loadRecommender(dir, { encoder: bert });
    const twin = withEncoder.item("g3");
    assert.ok(twin !== undefined);
    await withEncoder.addItemsAsync([{ ...twin, id: "g-new" }]);
    const [closest] = withEncoder.similar("g-new", 1);
    assert.ok(closest !== undefined && planted.itemGroup.get(closest.item) === "garden", closest?.item);
    await assert.rejects(
      trainRecommender({ train, encoder: bert }, { model: "als" }),
      codeIs("OPTION_INVALID"),
    );
    await assert.rejects(
      trainRecommender({ train, encoder: bert }, { model: "content", vectors: "x.vec" }),
      codeIs("OPTION_INVALID"),
    );
  });
});

describe("textkit recommend train --encoder", () => {
  it("trains the content model on the encoder and recommends from the saved model", async () => {
    const csv = plantedCsv(planted);
    const items = join(work.path, "items.csv");
    const events = join(work.path, "events.csv");
    writeFileSync(items, csv.items);
    writeFileSync(events, csv.events);
    const out = join(work.path, "cli-model");
    const args = ["recommend", "train", "--items", items, "--events", events, "--out", out];
    const wrong = await runCli([...args, "--model", "als", "--encoder", BERT_FIXTURE]);
    assert.notEqual(wrong.code, 0);
    assert.match(wrong.stderr, /OPTION_INVALID/);
    const r = await runCli([
      ...args,
      "--model",
      "content",
      "--encoder",
      BERT_FIXTURE,
      "--encoder-threads",
      "1",
      "--json",
      "-q",
    ]);
    assert.equal(r.code, 0, r.stderr);
    const summary = JSON.parse(r.stdout) as { test: Record<string, { ndcg: number }> };
    assert.ok(summary.test["content"] !== undefined);
    assert.equal((await recommenderEncoderNeed(out))?.checksum, bert.checksum);
    const rec = await runCli(["recommend", "for", "--model", out, "--user", "space-user-0", "--k", "3"]);
    assert.equal(rec.code, 0, rec.stderr);
    assert.equal(rec.stdout.trim().split("\n").length, 3);
  });
});
