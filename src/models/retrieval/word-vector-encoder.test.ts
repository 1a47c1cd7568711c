import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { scratchFiles } from "../../../test/support/data-files.ts";
import { tinyVec } from "../../../test/support/retrieval-data.ts";
import { TextkitError } from "../../core/index.ts";
import { firstComponent } from "./first-component.ts";
import { WordVectorEncoder } from "./word-vector-encoder.ts";

const scratch = scratchFiles("retrieval-vectors");
const vecFile = scratch.write(".vec", tinyVec());

function cosine(a: Float32Array, b: Float32Array): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!;
    na += a[i]! * a[i]!;
    nb += b[i]! * b[i]!;
  }
  return dot / Math.sqrt(na * nb);
}

describe("WordVectorEncoder", () => {
  test("SIF weights a / (a + p(w)) from the fitted texts' word counts", async () => {
    const encoder = await WordVectorEncoder.fromVecFile(vecFile);
    assert.equal(encoder.dim, 4);
    assert.equal(encoder.weightOf("the"), 1, "before fit every word weighs 1");
    // 7 words: "the" 4 times, card, pin and code once each.
    const fitted = encoder.fit(["the card", "The pin", "the the code"]);
    const a = 1e-3;
    assert.ok(Math.abs(fitted.weightOf("the") - a / (a + 4 / 7)) < 1e-12);
    assert.ok(Math.abs(fitted.weightOf("card") - a / (a + 1 / 7)) < 1e-12);
    assert.equal(fitted.weightOf("transfer"), 1, "a word the texts never used weighs 1");
    assert.ok(fitted.weightOf("the") < fitted.weightOf("card"));
    // Three texts: too few to estimate a common component, so none is removed.
    assert.equal(fitted.component, null);
    const [x0, x1, x2, x3] = fitted.encode(["the card"]);
    const wThe = a / (a + 4 / 7);
    const wCard = a / (a + 1 / 7);
    const expected = [
      (wThe * 0.2 + wCard * 1) / 2,
      (wThe * 0.2) / 2,
      (wThe * 0.2) / 2,
      (wThe * 1 + wCard * 0.1) / 2,
    ];
    for (const [i, x] of [x0, x1, x2, x3].entries()) {
      assert.ok(Math.abs(x! - expected[i]!) < 1e-6, `${i}: ${x} vs ${expected[i]}`);
    }
  });

  test("removes the first principal component when there are enough texts", async () => {
    const encoder = await WordVectorEncoder.fromVecFile(vecFile, { minComponentTexts: 4 });
    const texts = ["lost card", "stolen card", "reset pin", "send money", "the payment", "block my card"];
    const fitted = encoder.fit(texts);
    const u = fitted.component;
    assert.ok(u !== null);
    let norm = 0;
    for (const x of u) norm += x * x;
    assert.ok(Math.abs(norm - 1) < 1e-6);
    // Every encoded text is orthogonal to it.
    const rows = fitted.encode(texts);
    for (let i = 0; i < texts.length; i++) {
      let dot = 0;
      for (let j = 0; j < 4; j++) dot += rows[i * 4 + j]! * u[j]!;
      assert.ok(Math.abs(dot) < 1e-6, `${texts[i]}: ${dot}`);
    }
    assert.deepEqual(fitted.fit(texts).component, u, "fitting is deterministic");
  });

  test("firstComponent is the top eigenvector of XᵀX", () => {
    // XᵀX = [[8, 0], [0, 1]]: the first component is (1, 0) up to sign.
    const u = firstComponent(Float32Array.of(2, 0, 0, 1, 2, 0), 2)!;
    assert.ok(Math.abs(Math.abs(u[0]!) - 1) < 1e-6 && Math.abs(u[1]!) < 1e-6, String(u));
    assert.equal(firstComponent(new Float32Array(6), 3), null);
  });

  test("an unknown word borrows from the words whose n-grams it shares, or is skipped", async () => {
    const encoder = await WordVectorEncoder.fromVecFile(vecFile);
    const card = encoder.wordVector("card")!;
    const typo = encoder.wordVector("cardz");
    assert.ok(typo !== null && cosine(typo, card) > 0.99, String(typo));
    const password = encoder.wordVector("pasword");
    assert.ok(password !== null && cosine(password, encoder.wordVector("password")!) > 0.99);
    const chinese = encoder.wordVector("信用"); // shares 信, 用 and 信用 with 信用卡
    assert.ok(chinese !== null && cosine(chinese, encoder.wordVector("信用卡")!) > 0.99);
    assert.equal(encoder.wordVector("xyzzy"), null);
    // A text of words it knows nothing of is a row of zeros.
    assert.deepEqual([...encoder.encode(["xyzzy qwvk"])], [0, 0, 0, 0]);
    const off = await WordVectorEncoder.fromVecFile(vecFile, { subwords: false });
    assert.equal(off.wordVector("cardz"), null);
  });

  test("words are normalised like texts; the first of two that become one keeps its vector", () => {
    const encoder = WordVectorEncoder.fromWordVectors({
      dim: 2,
      words: ["Card", "card", "ＰＩＮ", "</s>"],
      vectors: Float32Array.of(1, 0, 0, 1, 0.5, 0.5, 9, 9),
    });
    assert.deepEqual(encoder.words, ["card", "pin"]);
    assert.deepEqual([...encoder.wordVector("card")!], [1, 0]);
    assert.match(encoder.id, /^word-vectors:2x2:[0-9a-f]{16}$/);
  });

  test("a .vec of the wrong dimension, or a broken one, is DATA_BAD_VECTORS", async () => {
    await assert.rejects(
      WordVectorEncoder.fromVecFile(vecFile, { expectedDim: 300 }),
      (e: unknown) =>
        e instanceof TextkitError && e.code === "DATA_BAD_VECTORS" && /dimension 4/.test(e.message),
    );
    const broken = scratch.write(".vec", "2 3\ncard 1 0 0\npin 0 1\n");
    await assert.rejects(
      WordVectorEncoder.fromVecFile(broken),
      (e: unknown) => e instanceof TextkitError && e.code === "DATA_BAD_VECTORS" && e.line === 3,
    );
  });

  test("its artifact rebuilds the same encoder", async () => {
    const encoder = (await WordVectorEncoder.fromVecFile(vecFile, { minComponentTexts: 2 })).fit([
      "lost card",
      "reset pin",
      "send money",
    ]);
    const copy = WordVectorEncoder.fromArtifact(encoder.toArtifact(), "x");
    assert.equal(copy.id, encoder.id);
    const texts = ["my card is lost", "forgot pasword", "信用卡"];
    assert.deepEqual(copy.encode(texts), encoder.encode(texts));
  });
});
