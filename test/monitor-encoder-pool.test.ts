/**
 * The monitor's worker-thread pool with a classifier head on a pretrained encoder (issue
 * 12): each worker loads the head and its own one-thread session of the encoder, and every
 * document gets the same topic and score as in the main thread and as the model predicts.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  loadDirectoryModels,
  Monitor,
  type MonitorDocument,
  resolveMonitorConfig,
} from "../src/apps/monitor/index.ts";
import { type EncoderClassifier, trainClassifier } from "../src/models/classifier/index.ts";
import { loadEncoder, type OnnxEncoder } from "../src/models/encoder/index.ts";
import { openDatabase } from "../src/store/index.ts";
import { tempDir } from "./server-helpers.ts";
import { BERT_FIXTURE, intentDataset } from "./support/encoder-data.ts";

const work = tempDir("monitor-encoder-pool");
const DOCS = intentDataset("docs", 40, 9).examples.map((e, i) => ({ id: `d${i}`, text: e.text }));
let encoder: OnnxEncoder;
let head: EncoderClassifier;

before(async () => {
  encoder = await loadEncoder(BERT_FIXTURE, { threads: 1 });
  const model = await trainClassifier(
    { train: intentDataset("train.csv", 160, 1) },
    { encoder, encoderPath: BERT_FIXTURE, head: { epochs: 5 } },
  );
  head = model as EncoderClassifier;
  await model.save(join(work.path, "models", "topics"));
});

after(async () => {
  await encoder.close();
  work.remove();
});

/** Ingests DOCS with `workers` pipeline workers and answers the stored documents by id. */
async function ingest(workers: number): Promise<Map<string, MonitorDocument>> {
  const config = resolveMonitorConfig({
    models: { topic: "topics", sentiment: null, entities: null },
    workers,
  });
  const db = await openDatabase(join(work.path, `w${workers}.db`));
  const monitor = await Monitor.open({
    db,
    config,
    models: await loadDirectoryModels(join(work.path, "models"), config),
    sources: false,
  });
  try {
    await monitor.start();
    const outcome = await monitor.submit(DOCS);
    assert.equal(outcome.stored, DOCS.length);
    const { documents } = await monitor.documents({ from: 0, to: Date.now() + 60_000, limit: 1000 });
    return new Map(documents.map((d) => [d.id ?? "", d]));
  } finally {
    await monitor.stop();
    await db.close();
  }
}

describe("the monitor's worker pool with an encoder head", () => {
  it("labels every document as the main thread and the model do, score for score", async () => {
    const inProcess = await ingest(0);
    const pooled = await ingest(2);
    const predicted = await head.predict(
      DOCS.map((d) => d.text),
      { k: 1 },
    );
    for (const [i, { id }] of DOCS.entries()) {
      const a = inProcess.get(id);
      const b = pooled.get(id);
      assert.ok(a !== undefined && b !== undefined, id);
      assert.equal(b.topic, a.topic, id);
      assert.equal(b.topicScore, a.topicScore, id);
      assert.equal(a.topic, predicted[i]?.labels[0], id);
      assert.ok(Math.abs((a.topicScore ?? 0) - (predicted[i]?.scores[0] ?? 0)) < 1e-6, id);
    }
  });
});
