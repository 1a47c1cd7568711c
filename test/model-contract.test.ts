/**
 * One contract suite over every model family (issue 16): each trains on tiny data through
 * its family descriptor, predicts a batch (one answer per input), evaluates into a report,
 * saves with `saveModel`, loads through the family, and predicts the same after loading.
 * A family the server serves without a case here fails the last test.
 */
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { type AnyTrainedModel, type ModelFamily, readArtifact, saveModel } from "../src/artifact/index.ts";
import { isTextkitError, type TrainHooks } from "../src/core/index.ts";
import {
  datasetFromExamples,
  leaveLastOut,
  loadTable,
  loadTaggedDataset,
  type NumericRows,
} from "../src/data/index.ts";
import { classifierFamily } from "../src/models/classifier/index.ts";
import { numericClusterFamily, textClusterFamily } from "../src/models/cluster/index.ts";
import { recommenderFamily } from "../src/models/recommender/index.ts";
import { regressorFamily } from "../src/models/regressor/index.ts";
import { retrievalFamily } from "../src/models/retrieval/index.ts";
import { taggerFamily } from "../src/models/tagger/index.ts";
import { builtInFamilies } from "../src/server/index.ts";
import { plantedData, plantedInteractions } from "./support/recommend-data.ts";
import { helpItems } from "./support/retrieval-data.ts";
import { topicCorpus } from "./support/topic-corpus.ts";

const SAMPLES = fileURLToPath(new URL("../samples/", import.meta.url));
const root = mkdtempSync(join(tmpdir(), "textkit-contract-"));
after(() => rmSync(root, { recursive: true, force: true }));

/** Families the suite has run over, by manifest name; compared with the server's loaders at the end. */
const covered = new Set<string>();

/** What one family's case gives: its tiny data, and what to predict and evaluate. */
interface ContractCase<Data, Options, Model extends AnyTrainedModel> {
  data: Data;
  options: Partial<Options>;
  batch: Parameters<Model["predict"]>[0];
  /** How many answers `predict(batch)` gives. */
  batchSize: number;
  /** Evaluates the model on labelled data and asserts the report's headline metric is in range. */
  evaluate: (model: Model) => void;
}

/** Runs the contract over one family; `name` tells cases of one manifest family apart. */
function contractSuite<Data, Options, Model extends AnyTrainedModel, Hooks>(
  name: string,
  family: ModelFamily<Data, Options, Model, Hooks>,
  setup: () => Promise<ContractCase<Data, Options, Model>>,
  hooks: Hooks,
): void {
  describe(`model contract: ${name}`, () => {
    it("trains, predicts a batch, evaluates, saves, loads and predicts the same", async () => {
      const c = await setup();
      const model = await family.train(c.data, c.options, hooks);
      const predicted: unknown = model.predict(c.batch);
      assert.ok(ArrayBuffer.isView(predicted) || Array.isArray(predicted), "predict answers a batch");
      assert.equal((predicted as ArrayLike<unknown>).length, c.batchSize, "one answer per input");
      c.evaluate(model);

      const dir = join(root, name);
      await saveModel(model, dir);
      const artifact = await readArtifact(dir, family.family);
      assert.equal(artifact.manifest.family, family.family);
      const loaded = await family.load(dir);
      assert.deepEqual(loaded.predict(c.batch), predicted);
      assert.deepEqual(loaded.artifactParts().files, model.artifactParts().files);
      covered.add(family.family);
    });
  });
}

const trainHooks: TrainHooks = {};

contractSuite(
  "classifier",
  classifierFamily,
  async () => {
    const examples = topicCorpus("en", 12).map((t, i) => ({ text: t.text, labels: [t.topic], line: i + 2 }));
    const dataset = datasetFromExamples("topics.csv", examples);
    return {
      data: { train: dataset },
      options: { epochs: 5, seed: 1, dim: 16 },
      batch: ["the team scored a goal", "bake the dough in the oven"],
      batchSize: 2,
      evaluate: (m) => {
        const { accuracy } = m.evaluate(dataset);
        assert.ok(accuracy > 0.5 && accuracy <= 1, String(accuracy));
      },
    };
  },
  trainHooks,
);

contractSuite(
  "tagger",
  taggerFamily,
  async () => {
    const train = await loadTaggedDataset(join(SAMPLES, "ner-en", "train.conll"));
    return {
      data: { train },
      options: { epochs: 2, seed: 1 },
      batch: ["Tim Cook visited Paris on Monday.", "Nothing here."],
      batchSize: 2,
      evaluate: (m) => {
        const { f1 } = m.evaluate(train).entities.micro;
        assert.ok(f1 > 0 && f1 <= 1, String(f1));
      },
    };
  },
  trainHooks,
);

contractSuite(
  "regressor",
  regressorFamily,
  async () => {
    const options = { target: "price", categorical: ["city"] };
    const train = await loadTable(join(SAMPLES, "regression", "houses.csv"), options);
    const test = await loadTable(join(SAMPLES, "regression", "houses-test.csv"), options);
    return {
      data: { train },
      options: { method: "ols" as const },
      batch: test,
      batchSize: test.rows,
      evaluate: (m) => {
        const { r2 } = m.evaluate(test).metrics;
        assert.ok(r2 > 0.5 && r2 <= 1, String(r2));
      },
    };
  },
  trainHooks,
);

contractSuite(
  "recommender",
  recommenderFamily,
  async () => {
    const data = plantedData({ itemsPerGroup: 8, usersPerGroup: 6, perUser: 5 });
    const { train, test } = leaveLastOut(plantedInteractions(data));
    return {
      data: { train },
      options: { model: "knn" as const },
      batch: ["space-user-0", "garden-user-1", "someone new"],
      batchSize: 3,
      evaluate: (m) => {
        const { ranking } = m.evaluate(test);
        assert.ok(ranking.users > 0 && ranking.ndcg > 0 && ranking.ndcg <= 1, String(ranking.ndcg));
      },
    };
  },
  trainHooks,
);

contractSuite(
  "text clusters",
  textClusterFamily,
  async () => {
    const topics = topicCorpus("en", 10);
    const labelled = datasetFromExamples(
      "topics.csv",
      topics.map((t, i) => ({ text: t.text, labels: [t.topic], line: i + 2 })),
    );
    return {
      data: topics.map((t) => t.text),
      options: { k: 3, seed: 0 },
      batch: ["the coach and the team", "flour and sugar"],
      batchSize: 2,
      evaluate: (m) => {
        const r = m.evaluate(labelled);
        assert.ok(r.adjustedRandIndex > 0.5 && r.examples === 30, String(r.adjustedRandIndex));
      },
    };
  },
  trainHooks,
);

contractSuite(
  "numeric clusters",
  numericClusterFamily,
  async () => {
    const values: number[] = [];
    const labels: string[] = [];
    for (let i = 0; i < 30; i++) {
      const far = i % 2 === 1;
      values.push((far ? 10 : 0) + (i % 5) * 0.1, (i % 3) * 0.1);
      labels.push(far ? "far" : "near");
    }
    const rows: NumericRows = {
      source: "points.csv",
      columns: ["x", "y"],
      n: 30,
      dim: 2,
      values: Float32Array.from(values),
      lines: Int32Array.from({ length: 30 }, (_, i) => i + 2),
    };
    return {
      data: rows,
      options: { k: 2, seed: 0 },
      batch: [
        [0.2, 0.1],
        [10.1, 0],
      ],
      batchSize: 2,
      evaluate: (m) => assert.equal(m.evaluate({ rows, labels }).adjustedRandIndex, 1),
    };
  },
  trainHooks,
);

contractSuite(
  "retrieval",
  retrievalFamily,
  async () => ({
    data: { items: helpItems() },
    options: {},
    batch: ["lost card", "reset pin", "信用卡丢失"],
    batchSize: 3,
    evaluate: (m) => {
      const r = m.evaluate([
        { query: "my card is lost", relevant: ["lost-card"] },
        { query: "reset PIN", relevant: ["pin"] },
      ]);
      assert.equal(r.queries, 2);
      assert.equal(r.ranking.hitRate, 1);
      assert.deepEqual(r.unknownIds, []);
    },
  }),
  {},
);

describe("model contract: coverage", () => {
  it("loading one family's artifact as another is refused as foreign", async () => {
    await assert.rejects(
      taggerFamily.load(join(root, "classifier")),
      (e) => isTextkitError(e) && e.code === "ARTIFACT_FOREIGN",
    );
    await assert.rejects(
      numericClusterFamily.load(join(root, "text clusters")),
      (e) => isTextkitError(e) && e.code === "ARTIFACT_FOREIGN",
    );
  });

  it("every model family the server loads has passed the contract (the assistant is an application)", () => {
    const served = Object.keys(builtInFamilies()).filter((f) => f !== "assistant");
    assert.deepEqual([...covered].sort(), served.sort());
  });
});
