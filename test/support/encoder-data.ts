/**
 * Labelled texts made of the fixture encoders' small vocabulary
 * (test/fixtures/encoders/bert-wordpiece), so that a head on those random weights still has
 * words it can tell apart: four intents, each with its own key words, in sentences that
 * share the rest. Deterministic for a seed.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Random } from "../../src/core/index.ts";
import { type Dataset, datasetFromExamples } from "../../src/data/index.ts";

export const FIXTURE_ENCODERS = fileURLToPath(new URL("../fixtures/encoders/", import.meta.url));
/** A BERT WordPiece fixture (sentence-transformers layout, mean pooling). */
export const BERT_FIXTURE = join(FIXTURE_ENCODERS, "bert-wordpiece");
/** A SentencePiece Unigram fixture: another encoder, another checksum. */
export const XLMR_FIXTURE = join(FIXTURE_ENCODERS, "xlmr-unigram");

const INTENTS: Record<string, readonly string[]> = {
  card: ["card", "lost", "stolen", "pin", "cards", "atm"],
  transfer: ["transfer", "money", "pay", "payment", "account", "bank"],
  weather: ["weather", "today", "tomorrow", "rain", "travel", "abroad"],
  movie: ["movie", "film", "love", "hate", "great", "bad"],
};
const FILLER = [
  "the",
  "my",
  "is",
  "was",
  "please",
  "help",
  "how",
  "can",
  "i",
  "you",
  "this",
  "very",
  "really",
  "what",
  "a",
];

/** `count` labelled sentences, the intents in turn. */
export function intentExamples(count: number, seed: number): { text: string; label: string }[] {
  const rng = new Random(seed);
  const labels = Object.keys(INTENTS);
  const out: { text: string; label: string }[] = [];
  for (let i = 0; i < count; i++) {
    const label = labels[i % labels.length]!;
    const keys = INTENTS[label]!;
    const words: string[] = [];
    const length = 4 + rng.int(4);
    for (let w = 0; w < length; w++)
      words.push(rng.next() < 0.4 ? keys[rng.int(keys.length)]! : FILLER[rng.int(FILLER.length)]!);
    words[rng.int(length)] = keys[rng.int(keys.length)]!;
    out.push({ text: words.join(" "), label });
  }
  return out;
}

export function intentDataset(name: string, count: number, seed: number): Dataset {
  return datasetFromExamples(
    name,
    intentExamples(count, seed).map((e, i) => ({ text: e.text, labels: [e.label], line: i + 2 })),
  );
}

/** Writes `count` examples as a CSV file (text,label) and returns its path. */
export function writeIntentCsv(dir: string, name: string, count: number, seed: number): string {
  const path = join(dir, name);
  const rows = intentExamples(count, seed).map((e) => `${e.text},${e.label}`);
  writeFileSync(path, `text,label\n${rows.join("\n")}\n`);
  return path;
}
