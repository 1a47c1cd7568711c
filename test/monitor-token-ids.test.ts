/**
 * The monitor's pipeline reads tokens as ids of one TokenIds table (tokenized straight into
 * it, shared by both classifiers and the terms); without that form, each model reads token
 * strings. Both give the same documents: labels, scores and terms, in English and Chinese,
 * batch after batch, also when the table is emptied between batches.
 */
import assert from "node:assert/strict";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  DocumentPipeline,
  loadDirectoryModels,
  type MonitorDocumentInput,
  type MonitorModelSource,
  resolveMonitorConfig,
} from "../src/apps/monitor/index.ts";
import { TermExtractor } from "../src/apps/monitor/terms.ts";
import { LanguageDetector } from "../src/models/classifier/index.ts";
import { TokenIds } from "../src/text/index.ts";
import { tempDir } from "./server-helpers.ts";
import { writeMonitorModels } from "./support/monitor-data.ts";

const root = tempDir("monitor-token-ids");
const models = join(root.path, "models");
const config = resolveMonitorConfig({
  models: { topic: "topic", sentiment: "sentiment" },
  termsPerDocument: 6,
});

before(async () => {
  mkdirSync(models, { recursive: true });
  await writeMonitorModels(models);
});
after(() => root.remove());

/** The monitor's sample stream, with titles on every other document. */
function documents(): MonitorDocumentInput[] {
  const lines = readFileSync(join(import.meta.dirname, "..", "samples", "monitor", "stream.jsonl"), "utf8")
    .trim()
    .split("\n")
    .slice(0, 150);
  return lines.map((line, i) => {
    const d = JSON.parse(line) as { title: string; text: string };
    return i % 2 === 0 ? { title: d.title, text: d.text } : { text: d.text };
  });
}

/** `source` with the token path of its labelers, but not their ids form. */
function stringsOnly(source: MonitorModelSource): MonitorModelSource {
  return {
    ...source,
    labeler: (name) => {
      const labeler = source.labeler(name);
      const path = labeler.tokens?.() ?? null;
      assert.ok(path?.ids !== undefined, "the classifier's labeler reads ids");
      const { ids: _, ...strings } = path;
      return { top: (texts) => labeler.top(texts), tokens: () => strings };
    },
  };
}

describe("the monitor's pipeline by token ids", () => {
  it("labels and picks terms as the pipeline by token strings does, batch after batch", async () => {
    const source = await loadDirectoryModels(models, config);
    const detector = new LanguageDetector(null);
    // Room for few tokens: the ids are forgotten between batches.
    const tokenIds = new TokenIds(60);
    const byIds = new DocumentPipeline(config, source, detector, new TermExtractor(6), tokenIds);
    const byStrings = new DocumentPipeline(config, stringsOnly(source), detector, new TermExtractor(6));
    const docs = documents();
    let chinese = 0;
    for (let from = 0; from < docs.length; from += 25) {
      const batch = docs.slice(from, from + 25);
      const expected = await byStrings.enrich(batch, 1_000);
      assert.deepStrictEqual(await byIds.enrich(batch, 1_000), expected, `batch at ${from}`);
      chinese += expected.filter((d) => d.lang === "zh" && d.terms.length > 0).length;
    }
    assert.ok(tokenIds.generation > 1, "the table was emptied");
    assert.ok(chinese > 0, "Chinese documents with terms");
  });
});
