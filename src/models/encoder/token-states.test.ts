import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { loadEncoder, type OnnxEncoder, planWindows } from "./index.ts";

const FIXTURES = fileURLToPath(new URL("../../../test/fixtures/encoders/", import.meta.url));

/** Written by scripts/make-encoder-fixtures.py: PyTorch's last hidden state, every token, no pooling. */
const STATES = JSON.parse(readFileSync(join(FIXTURES, "hidden-states.json"), "utf8")) as {
  words: string[];
  ids: number[];
  wordOf: number[];
  states: number[][];
};

const open: OnnxEncoder[] = [];
async function load(folder: string, options: Parameters<typeof loadEncoder>[1] = {}): Promise<OnnxEncoder> {
  const encoder = await loadEncoder(join(FIXTURES, folder), { threads: 1, ...options });
  open.push(encoder);
  return encoder;
}
after(async () => {
  for (const encoder of open) await encoder.close();
});

function worstDifference(got: Float32Array, want: readonly number[]): number {
  assert.equal(got.length, want.length);
  let worst = 0;
  want.forEach((v, d) => {
    worst = Math.max(worst, Math.abs((got[d] ?? Number.NaN) - v));
  });
  return worst;
}

describe("token states: the last hidden state of every piece", () => {
  it("equals PyTorch's last hidden state to 1e-5, with the reference tokenizer's pieces and words", async () => {
    const encoder = await load("bert-wordpiece");
    // Batched with a shorter sentence, so the reference sentence's row is not padded but the other is.
    const [state, other] = await encoder.tokenStates([STATES.words, ["card"]]);
    assert.ok(state !== undefined && other !== undefined);
    assert.deepEqual(state.ids, STATES.ids.slice(1, -1));
    assert.deepEqual(state.wordOf, STATES.wordOf.slice(1, -1));
    assert.equal(state.windows, 1);
    const dim = encoder.dim;
    STATES.states.slice(1, -1).forEach((want, p) => {
      assert.ok(worstDifference(state.states.subarray(p * dim, (p + 1) * dim), want) < 1e-5, `piece ${p}`);
    });
  });

  it("maps words of several pieces to their first piece, and each Chinese character to its own", async () => {
    const encoder = await load("bert-wordpiece");
    const dim = encoder.dim;
    const first = await encoder.embedWords([STATES.words]);
    const mean = await encoder.embedWords([STATES.words], { wordVector: "mean" });
    const pieceCounts = STATES.words.map((_, w) => STATES.wordOf.filter((x) => x === w).length);
    assert.ok((pieceCounts[0] ?? 0) > 5 && (pieceCounts[1] ?? 0) > 1, "the fixture splits words into pieces");
    for (const w of [2, 3, 4]) assert.equal(pieceCounts[w], 1, `${STATES.words[w]} is one piece`);
    STATES.words.forEach((word, w) => {
      const at = STATES.wordOf.indexOf(w);
      const got = first.vectors[0]?.subarray(w * dim, (w + 1) * dim) ?? new Float32Array();
      assert.ok(worstDifference(got, STATES.states[at] ?? []) < 1e-5, `first piece of ${word}`);
      const rows = STATES.states.filter((_, t) => STATES.wordOf[t] === w);
      const average = (rows[0] ?? []).map(
        (_, d) => rows.reduce((sum, r) => sum + (r[d] ?? 0), 0) / rows.length,
      );
      const gotMean = mean.vectors[0]?.subarray(w * dim, (w + 1) * dim) ?? new Float32Array();
      assert.ok(worstDifference(gotMean, average) < 1e-5, `mean of ${word}`);
    });
    // A word of several pieces: first and mean differ; a one-piece character: they agree.
    assert.ok(
      worstDifference(mean.vectors[0]?.subarray(0, dim) ?? new Float32Array(), STATES.states[1] ?? []) > 1e-3,
    );
  });
});

describe("token states: sentences longer than the maximum", () => {
  it("plans overlapping windows that cover every piece, the last one ending at the end", () => {
    assert.deepEqual(planWindows(5, 6, 2), [{ start: 0, end: 5 }]);
    assert.deepEqual(planWindows(20, 6, 2), [
      { start: 0, end: 6 },
      { start: 4, end: 10 },
      { start: 8, end: 14 },
      { start: 12, end: 18 },
      { start: 14, end: 20 },
    ]);
  });

  it("gives every word a vector: each piece's state is its state in the window where it has most context", async () => {
    const encoder = await load("bert-wordpiece", { maxLength: 8 }); // room for 6 pieces
    const words = "my card was lost and the bank sent a new card to my home today".split(" ");
    const [state] = await encoder.tokenStates([words, ["a"]], { overlap: 2 });
    assert.ok(state !== undefined);
    assert.equal(new Set(state.wordOf).size, words.length);
    assert.ok(state.windows > 2);
    const out = await encoder.embedWords([words], { overlap: 2 });
    assert.equal(out.windowed, 1);
    const dim = encoder.dim;
    words.forEach((_, w) => {
      const v = out.vectors[0]?.subarray(w * dim, (w + 1) * dim) ?? new Float32Array();
      assert.ok(
        v.some((x) => x !== 0),
        `word ${w} has a vector`,
      );
    });
    // Independently: run each window alone and pick, per piece, the window whose nearer
    // inner edge is farthest (a sentence edge counts as far).
    const count = state.ids.length;
    const windows = planWindows(count, 6, 2);
    const around = encoder.tokenize("a").ids; // [CLS] a [SEP]
    const runs = await Promise.all(
      windows.map(({ start, end }) =>
        encoder.forward([[around[0] ?? 0, ...state.ids.slice(start, end), around.at(-1) ?? 0]]),
      ),
    );
    for (let p = 0; p < count; p++) {
      let best = -1;
      let from = 0;
      windows.forEach(({ start, end }, i) => {
        if (p < start || p >= end) return;
        const left = start === 0 ? 1e9 : p - start;
        const right = end === count ? 1e9 : end - 1 - p;
        if (Math.min(left, right) > best) {
          best = Math.min(left, right);
          from = i;
        }
      });
      const run = runs[from];
      const start = windows[from]?.start ?? 0;
      assert.ok(run !== undefined);
      const want = Array.from(run.data.subarray((1 + p - start) * dim, (2 + p - start) * dim));
      assert.ok(worstDifference(state.states.subarray(p * dim, (p + 1) * dim), want) < 1e-5, `piece ${p}`);
    }
  });

  it("refuses an overlap as large as a window and input that is not sentences of words", async () => {
    const encoder = await load("bert-wordpiece", { maxLength: 8 });
    await assert.rejects(encoder.tokenStates([["a"]], { overlap: 6 }), { code: "OPTION_INVALID" });
    await assert.rejects(encoder.embedWords(["a b"] as unknown as string[][]), { code: "OPTION_INVALID" });
    await assert.rejects(encoder.embedWords([["a"]], { wordVector: "last" as "first" }), {
      code: "OPTION_INVALID",
    });
  });
});

describe("token states: the embedding cache", () => {
  it("serves word vectors of a sentence seen before from disk, per word-vector mode", async () => {
    const dir = await mkdtemp(join(tmpdir(), "textkit-word-cache-"));
    try {
      const sentences = [
        ["my", "card"],
        ["今", "天"],
      ];
      const a = await (await load("bert-wordpiece", { cacheDir: dir })).embedWords(sentences);
      assert.equal(a.cached, 0);
      const again = await load("bert-wordpiece", { cacheDir: dir });
      const b = await again.embedWords([...sentences, ["new"]]);
      assert.equal(b.cached, 2);
      assert.deepEqual(b.vectors.slice(0, 2), a.vectors);
      assert.equal((await again.embedWords(sentences, { wordVector: "mean" })).cached, 0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
