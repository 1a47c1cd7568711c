/**
 * The monitor benches' data (bench:monitor, bench:monitor-store): the monitor's sample texts,
 * repeated into documents with distinct ids spread over one day, and the demo's topic and
 * sentiment models trained from the same samples with their sample.json options.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { MonitorDocumentInput } from "../src/apps/monitor/index.ts";
import { loadDataset } from "../src/data/index.ts";
import { type TextClassifier, trainClassifier } from "../src/models/classifier/index.ts";
import { ROOT } from "./common.ts";

export const SAMPLES = join(ROOT, "samples", "monitor");

function sampleOptions(name: string): Record<string, unknown> {
  return (
    JSON.parse(readFileSync(join(ROOT, "samples", name, "sample.json"), "utf8")) as {
      options: Record<string, unknown>;
    }
  ).options;
}

/** The demo's model `name` (monitor-topic, monitor-sentiment), trained on samples/monitor's `labelColumn`. */
export async function trainMonitorModel(name: string, labelColumn: string): Promise<TextClassifier> {
  const train = await loadDataset(join(SAMPLES, "train.csv"), { labelColumn });
  const dev = await loadDataset(join(SAMPLES, "dev.csv"), { labelColumn, minClasses: 1 });
  return trainClassifier({ train, dev }, { ...sampleOptions(name), seed: 1 });
}

/** The monitor's sample texts (the CSVs' first column and the stream's titles and texts). */
export function monitorCorpus(): { title?: string; text: string }[] {
  const texts: { title?: string; text: string }[] = [];
  for (const part of ["train.csv", "dev.csv", "test.csv"]) {
    // The CSVs' first column is the text (quoted when it holds commas).
    const lines = readFileSync(join(SAMPLES, part), "utf8").trim().split("\n").slice(1);
    for (const line of lines) {
      const m = /^"((?:[^"]|"")*)"|^([^,]*)/.exec(line);
      texts.push({ text: (m?.[1] ?? m?.[2] ?? "").replaceAll('""', '"') });
    }
  }
  for (const line of readFileSync(join(SAMPLES, "stream.jsonl"), "utf8").trim().split("\n")) {
    const d = JSON.parse(line) as { title: string; text: string };
    texts.push({ title: d.title, text: d.text });
  }
  return texts;
}

/** `n` documents over the corpus, ids `${prefix}0`…, spread over 2026-11-30 (UTC). */
export function monitorDocuments(n: number, prefix = "b"): MonitorDocumentInput[] {
  const pool = monitorCorpus();
  const start = Date.parse("2026-11-30T00:00:00Z");
  return Array.from({ length: n }, (_, i) => ({
    ...(pool[i % pool.length] ?? { text: "" }),
    id: `${prefix}${i}`,
    source: "bench",
    publishedAt: start + Math.floor((i / n) * 86_400_000),
  }));
}
