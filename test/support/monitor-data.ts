/**
 * Small real models and generated documents for the monitor's end-to-end tests: a topic
 * classifier (sport, money, weather: the server tests' topics) and a sentiment classifier
 * (positive, neutral, negative), each trained in well under a second, and documents that
 * mix a topic's words with a sentiment's words, so the models label them as intended.
 */
import { join } from "node:path";
import { Random } from "../../src/core/random.ts";
import { datasetFromExamples } from "../../src/data/index.ts";
import { trainClassifier } from "../../src/models/classifier/index.ts";
import { trainTopicModel } from "../server-helpers.ts";
import { CLASSIFIER_TOPICS } from "./topic-corpus.ts";

export const SENTIMENT_WORDS: Record<string, string[]> = {
  positive: ["great", "excellent", "praised", "record", "win", "happy", "strong", "love"],
  neutral: ["announced", "scheduled", "said", "reported", "meeting", "update", "plans", "listed"],
  negative: ["terrible", "angry", "outage", "loss", "failed", "crash", "awful", "complaint"],
};
export const TOPICS = Object.keys(CLASSIFIER_TOPICS);

/** A document of `topic` and `sentiment`: four topic words, three sentiment words. */
export function monitorText(topic: string, sentiment: string, rng: Random): string {
  const words: string[] = [];
  for (let i = 0; i < 4; i++) words.push(CLASSIFIER_TOPICS[topic]![rng.int(8)]!);
  for (let i = 0; i < 3; i++) words.push(SENTIMENT_WORDS[sentiment]![rng.int(8)]!);
  for (let i = words.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [words[i], words[j]] = [words[j]!, words[i]!];
  }
  return words.join(" ");
}

/** Trains the "topic" and "sentiment" models into `modelsDir`. */
export async function writeMonitorModels(modelsDir: string): Promise<void> {
  await (await trainTopicModel(1)).save(join(modelsDir, "topic"));
  const rng = new Random(5);
  const examples: { text: string; labels: string[]; line: number }[] = [];
  const sentiments = Object.keys(SENTIMENT_WORDS);
  for (let i = 0; i < 450; i++) {
    const sentiment = sentiments[i % 3]!;
    const topic = TOPICS[Math.floor(i / 3) % TOPICS.length]!;
    examples.push({ text: monitorText(topic, sentiment, rng), labels: [sentiment], line: i + 1 });
  }
  const sentiment = await trainClassifier(
    { train: datasetFromExamples("sentiment", examples) },
    { dim: 16, epochs: 10, lr: 0.5, wordNgrams: 1, buckets: 10_000, seed: 2 },
  );
  await sentiment.save(join(modelsDir, "sentiment"));
}

export interface GeneratedDocument {
  id: string;
  text: string;
  source: string;
  publishedAt: string;
}

/**
 * Documents spread over `hours` before `now` (a few an hour per topic, one in ten
 * negative), then `surge` negative "money" documents in the last ten minutes.
 */
export function monitorStream(
  now: number,
  options: { hours: number; perHour: number; surge: number; seed?: number },
): GeneratedDocument[] {
  const rng = new Random(options.seed ?? 11);
  const out: GeneratedDocument[] = [];
  const span = options.hours * 3_600_000;
  const n = options.hours * options.perHour;
  for (let i = 0; i < n; i++) {
    const topic = TOPICS[i % TOPICS.length]!;
    const r = rng.next();
    const sentiment = r < 0.1 ? "negative" : r < 0.55 ? "neutral" : "positive";
    const t = now - span + Math.floor(((i + rng.next()) / n) * (span - 15 * 60_000));
    out.push({
      id: `d${i}`,
      text: monitorText(topic, sentiment, rng),
      source: "wire",
      publishedAt: new Date(t).toISOString(),
    });
  }
  for (let i = 0; i < options.surge; i++) {
    const t = now - Math.floor(rng.next() * 8 * 60_000);
    out.push({
      id: `s${i}`,
      text: monitorText("money", "negative", rng),
      source: "posts",
      publishedAt: new Date(t).toISOString(),
    });
  }
  return out;
}
