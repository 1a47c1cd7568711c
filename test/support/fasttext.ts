/**
 * What the fastText tests share: a labelled corpus in fastText's format (accents, Chinese,
 * emoji), the `fasttext` program run synchronously, its predict-prob output parsed, and a
 * comparison of a model's answers with it to 1e-5.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { Random } from "../../src/core/random.ts";

const POOLS: Record<string, string[]> = {
  sport: ["match", "goal", "équipe", "比赛", "球队", "⚽", "coach", "score", "stade"],
  food: ["recipe", "gâteau", "烤箱", "面粉", "🍰", "oven", "butter", "dough", "café"],
  tech: ["laptop", "logiciel", "电脑", "软件", "💻", "driver", "screen", "update", "naïve"],
  travel: ["train", "hôtel", "机场", "旅行", "✈️", "ticket", "beach", "visa", "passport"],
};
const SHARED = ["the", "a", "très", "今天", "我们", "really", "😀", "and", "was", "new", "le", "的"];

/** Lines in fastText's format: labelled, ambiguous enough that probabilities are not all 0 or 1. */
export function corpus(lines: number, seed: number): { text: string; label: string }[] {
  const rng = new Random(seed);
  const labels = Object.keys(POOLS);
  const out: { text: string; label: string }[] = [];
  for (let i = 0; i < lines; i++) {
    // Unequal label frequencies, so the hierarchical softmax tree is not balanced.
    const label = labels[Math.min(labels.length - 1, Math.floor(rng.next() ** 1.6 * labels.length))]!;
    const words: string[] = [];
    const n = 4 + Math.floor(rng.next() * 8);
    for (let j = 0; j < n; j++) {
      const own = rng.next() < 0.5;
      const pool = own
        ? POOLS[label]!
        : rng.next() < 0.5
          ? SHARED
          : POOLS[labels[Math.floor(rng.next() * 4)]!]!;
      words.push(pool[Math.floor(rng.next() * pool.length)]!);
    }
    out.push({ text: words.join(" "), label });
  }
  return out;
}

export function fasttext(args: string[]): string {
  const run = spawnSync("fasttext", args, { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (run.status !== 0) throw new Error(`fasttext ${args.join(" ")} failed: ${run.stderr}`);
  return run.stdout;
}

/** `fasttext predict-prob` output: per line, label -> probability. */
export function parsePredictions(stdout: string): Map<string, number>[] {
  return stdout
    .split("\n")
    .filter((line) => line.length > 0)
    .map((line) => {
      const parts = line.split(" ");
      const out = new Map<string, number>();
      for (let i = 0; i + 1 < parts.length; i += 2)
        out.set(parts[i]!.replace(/^__label__/, ""), Number(parts[i + 1]));
      return out;
    });
}

/** Every label's probability from `model` equals fastText's to 1e-5, the best label first. */
export function assertSameAnswers(
  model: {
    predict(texts: readonly string[], options: { k: number }): { labels: string[]; scores: number[] }[];
    labels: readonly string[];
  },
  texts: string[],
  expected: Map<string, number>[],
): void {
  const got = model.predict(texts, { k: model.labels.length });
  assert.equal(got.length, expected.length);
  for (let i = 0; i < got.length; i++) {
    const want = expected[i]!;
    const { labels, scores } = got[i]!;
    // fastText prints the labels whose probability it keeps; the best one first.
    const best = [...want.entries()].sort((a, b) => b[1] - a[1])[0]!;
    assert.equal(labels[0], best[0], `line ${i + 1}: best label`);
    for (const [label, p] of want) {
      const j = labels.indexOf(label);
      assert.ok(j >= 0, `line ${i + 1}: ${label} missing`);
      assert.ok(Math.abs(scores[j]! - p) <= 1e-5, `line ${i + 1}: ${label} ${scores[j]} vs fastText ${p}`);
    }
  }
}
