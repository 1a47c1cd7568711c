/**
 * The model families this server can load, by the `family` of an artifact's manifest.
 * A new family adds one loader here.
 */
import { ASSISTANT_FAMILY } from "../apps/assist/index.ts";
import type { ArtifactManifest } from "../artifact/index.ts";
import type { RunRecord } from "../core/index.ts";
import { TextkitError } from "../core/index.ts";
import {
  CLASSIFIER_FAMILY,
  ENCODER_HEAD_KIND,
  encoderHeadOf,
  loadClassifier,
  loadEncoderClassifier,
  unpackEncoderBundle,
} from "../models/classifier/index.ts";
import { CLUSTER_FAMILY, clusterEncoderNeed, loadClusterModel } from "../models/cluster/index.ts";
import { loadRecommender, RECOMMENDER_FAMILY } from "../models/recommender/index.ts";
import { loadRegressor, REGRESSOR_FAMILY } from "../models/regressor/index.ts";
import {
  loadRetrievalIndex,
  RETRIEVAL_FAMILY,
  type RetrievalIndex,
  retrievalEncoderNeed,
  type SearchMode,
  SentencePassageEncoder,
  searchHitJson,
} from "../models/retrieval/index.ts";
import { loadTagger, TAGGER_FAMILY, taggerEncoderNeed } from "../models/tagger/index.ts";
import { loadAssistantPredictor } from "./assist-predictor.ts";
import { EncoderPool } from "./encoder-pool.ts";
import type { FamilyLoader, ModelPredictOptions, Predictor } from "./registry.ts";

/** What GET /v1/models/:name shows of a training run. */
/**
 * A training file's name without its directory: where the trainer's files were is nobody's
 * business but the operator's, and a client sees what it was trained on without it.
 */
export function fileName(source: string): string {
  return source.slice(Math.max(source.lastIndexOf("/"), source.lastIndexOf("\\")) + 1);
}

function runSummary(run: RunRecord | null): Record<string, unknown> | null {
  return run === null
    ? null
    : {
        runId: run.runId,
        startedAt: run.startedAt,
        finishedAt: run.finishedAt,
        seconds: run.seconds,
        epochs: run.epochs.length,
        bestEpoch: run.bestEpoch,
        stoppedEarly: run.stoppedEarly,
        data: {
          train: { ...run.data.train, source: fileName(run.data.train.source) },
          ...(run.data.dev === undefined
            ? {}
            : { dev: { ...run.data.dev, source: fileName(run.data.dev.source) } }),
        },
        final: run.final,
      };
}

/** Loads a classifier artifact and checks that it scores a text with finite numbers. */
export async function loadClassifierPredictor(dir: string, _manifest: ArtifactManifest): Promise<Predictor> {
  const model = await loadClassifier(dir);
  return {
    labels: model.labels,
    details: { run: runSummary(model.runRecord) },
    predict: (inputs, options) => model.predict(inputs, options),
    loaded: { family: CLASSIFIER_FAMILY, model },
    selfTest() {
      const [p] = model.predict(["textkit self-test"], { k: model.labels.length });
      if (p === undefined || p.labels.length === 0 || !p.scores.every(Number.isFinite)) {
        throw new TextkitError("ARTIFACT_CORRUPT", `the model in ${dir} does not score a test text`, {
          file: dir,
        });
      }
    },
  };
}

/**
 * Loads a classifier that is a head on a pretrained encoder. The encoder comes from the
 * server's pool (one per checksum, shared by every model on it, with dynamic batching),
 * loaded from the copy bundled in the artifact or else the folder the head was trained
 * with. Predictions are those of any classifier.
 */
export async function loadEncoderHeadPredictor(dir: string, encoders: EncoderPool): Promise<Predictor> {
  const head = await encoderHeadOf(dir);
  if (head === null)
    throw new TextkitError("ARTIFACT_CORRUPT", `the classifier in ${dir} is not a head on an encoder`, {
      file: dir,
    });
  const from = head.bundled ? await unpackEncoderBundle(dir) : head.encoder.path;
  if (from === null) {
    throw new TextkitError(
      "HEAD_ENCODER_REQUIRED",
      `the classifier in ${dir} is a head on the encoder ${head.encoder.id} and neither carries it nor names its folder; train it again with --bundle`,
      { file: dir },
    );
  }
  const encoder = await encoders.acquire(from, head.encoder.checksum);
  const model = await loadEncoderClassifier(dir, encoder);
  return {
    labels: model.labels,
    details: {
      encoder: model.encoderRef.id,
      head: { hidden: model.headOptions.hidden, loss: model.headOptions.loss },
      headWeight: model.headWeight,
      run: runSummary(model.runRecord),
    },
    predict: (inputs, options) => model.predict(inputs, options),
    async selfTest() {
      const [p] = await model.predict(["textkit self-test"], { k: model.labels.length });
      if (p === undefined || p.labels.length === 0 || !p.scores.every(Number.isFinite)) {
        throw new TextkitError("ARTIFACT_CORRUPT", `the model in ${dir} does not score a test text`, {
          file: dir,
        });
      }
    },
  };
}

/**
 * Loads a tagger artifact. Its predictions are `{ entities: [{ text, label, start, end }] }`
 * with UTF-16 offsets into the input; `k` and `threshold` do not apply to it. A tagger on a
 * pretrained encoder takes it from the server's pool (shared by checksum).
 */
export async function loadTaggerPredictor(
  dir: string,
  _manifest: ArtifactManifest,
  encoders: EncoderPool,
): Promise<Predictor> {
  const need = await taggerEncoderNeed(dir);
  if (need !== null && need.path === null) {
    throw new TextkitError(
      "HEAD_ENCODER_REQUIRED",
      `the tagger in ${dir} reads the word vectors of the encoder ${need.id} and does not name its folder`,
      { file: dir },
    );
  }
  const encoder =
    need === null || need.path === null ? undefined : await encoders.acquire(need.path, need.checksum);
  const model = await loadTagger(dir, encoder === undefined ? {} : { encoder });
  return {
    labels: model.types,
    details: {
      language: model.language,
      features: model.table.rows,
      encoder: need === null ? null : { id: need.id, wordVector: need.wordVector },
      run: runSummary(model.runRecord),
    },
    loaded: { family: TAGGER_FAMILY, model },
    predict: (inputs) => model.predictAsync(inputs),
    async selfTest() {
      const [p] = await model.predictAsync(["textkit self-test 2026"]);
      if (p === undefined || !Array.isArray(p.entities)) {
        throw new TextkitError("ARTIFACT_CORRUPT", `the model in ${dir} does not tag a test text`, {
          file: dir,
        });
      }
    },
  };
}

/**
 * Loads a recommender artifact. `predict` takes user ids and answers `{ items }` per user
 * (k from the request); the recommend and events routes use `recommender`.
 */
export async function loadRecommenderPredictor(dir: string, _manifest: ArtifactManifest): Promise<Predictor> {
  const model = await loadRecommender(dir);
  return {
    details: { model: model.model, items: model.items, users: model.users, run: runSummary(model.runRecord) },
    loaded: { family: RECOMMENDER_FAMILY, model },
    predict: (users, options) =>
      users.map((user) => ({ items: model.recommend(user, { k: options.k ?? 10 }) })),
    recommender: {
      recommend: (user, options) => model.recommend(user, options),
      addEvents: (events) => {
        // Checked here so that the message names no file: the model's own names its
        // catalogue's path, which is where the server keeps its models.
        for (const event of events) {
          if (model.item(event.item) === undefined) {
            throw new TextkitError(
              "DATA_UNKNOWN_ITEM",
              `item "${event.item}" is not in the model's catalogue`,
            );
          }
        }
        return model.addEvents(events);
      },
      item: (id) => model.item(id),
      catalogItems: () => model.catalog.items,
      history: (user) => model.history(user),
      similar: (item, k) => model.similar(item, k),
      model: model.model,
    },
    selfTest() {
      if (model.items > 0 && model.recommend("textkit self-test", { k: 1 }).length !== 1) {
        throw new TextkitError("ARTIFACT_CORRUPT", `the model in ${dir} recommends nothing`, { file: dir });
      }
    },
  };
}

/**
 * Loads a regressor artifact. It predicts from rows of named values (`{"bmi": 32.1, "sex": 2}`),
 * answering `{ prediction }` per row; a bad value is a 400 naming `/inputs/<i>/<column>`.
 */
export async function loadRegressorPredictor(dir: string, _manifest: ArtifactManifest): Promise<Predictor> {
  const model = await loadRegressor(dir);
  return {
    details: {
      target: model.target,
      features: model.features,
      method: model.summary.method,
      train: model.summary.train,
      run: runSummary(model.runRecord),
    },
    loaded: { family: REGRESSOR_FAMILY, model },
    predictRows: (rows) => model.predictRows(rows),
    selfTest() {
      // Every column missing: a model without imputation refuses it, which is no fault of the artifact.
      if (!model.weights.every(Number.isFinite)) {
        throw new TextkitError("ARTIFACT_CORRUPT", `the model in ${dir} has weights that are not finite`, {
          file: dir,
        });
      }
    },
  };
}

/**
 * Loads a cluster model. A text model answers `{ cluster, distance, topTerms }` per text; a
 * numeric one takes rows of named values (one per column it was trained on) instead. Text
 * clusters on a pretrained encoder take it from the server's pool.
 */
export async function loadClusterPredictor(
  dir: string,
  _manifest: ArtifactManifest,
  encoders?: EncoderPool,
): Promise<Predictor> {
  const need = encoders === undefined ? null : await clusterEncoderNeed(dir);
  const from = need?.path ?? null;
  const encoder =
    need === null || from === null || encoders === undefined
      ? null
      : await encoders.acquire(from, need.checksum);
  const model = await loadClusterModel(dir, encoder === null ? {} : { encoder });
  const details = {
    task: model.task,
    k: model.k,
    inertia: model.inertia,
    silhouette: model.silhouette,
    run: runSummary(model.runRecord),
  };
  const labels = Array.from({ length: model.k }, (_, c) => String(c));
  const loaded = { family: CLUSTER_FAMILY, model } as const;
  if (model.task === "text-clustering") {
    const terms = model.clusters.map((c) => c.topTerms.slice(0, 10).map((t) => t.term));
    return {
      labels,
      details,
      loaded,
      predict: async (inputs) =>
        (await model.predictAsync(inputs)).map((a) => ({ ...a, topTerms: terms[a.cluster] ?? [] })),
      async selfTest() {
        const [a] = await model.predictAsync(["textkit self-test"]);
        if (a === undefined || !(a.cluster >= 0 && a.cluster < model.k)) {
          throw new TextkitError("ARTIFACT_CORRUPT", `the model in ${dir} does not assign a test text`, {
            file: dir,
          });
        }
      },
    };
  }
  const columns = model.columns;
  return {
    labels,
    details: { ...details, columns },
    loaded,
    predictRows: (rows) =>
      model.predict(
        rows.map((row, i) =>
          columns.map((column) => {
            const v = row[column];
            const n = typeof v === "string" && v.trim() !== "" ? Number(v) : v;
            if (typeof n !== "number" || !Number.isFinite(n)) {
              throw new TextkitError(
                "INPUT_INVALID",
                `inputs[${i}].${column} is ${JSON.stringify(v) ?? "missing"}; this model needs a finite number for each of ${columns.join(", ")}`,
                { details: { field: `/inputs/${i}/${column}` } },
              );
            }
            return n;
          }),
        ),
      ),
    selfTest() {
      if (!model.centroids.every(Number.isFinite)) {
        throw new TextkitError("ARTIFACT_CORRUPT", `the model in ${dir} has centroids that are not finite`, {
          file: dir,
        });
      }
    },
  };
}

/** What a retrieval index takes besides k and threshold: the search route passes the mode. */
export interface RetrievalPredictOptions extends ModelPredictOptions {
  mode?: SearchMode;
}

async function searchAnswers(
  index: RetrievalIndex,
  texts: readonly string[],
  options: RetrievalPredictOptions,
) {
  const threshold = options.threshold ?? 0;
  const found = await index.searchManyAsync(texts, {
    k: options.k ?? 5,
    ...(options.mode === undefined ? {} : { mode: options.mode }),
  });
  return found.map((hits) => ({ hits: hits.filter((h) => h.score >= threshold).map(searchHitJson) }));
}

/**
 * Loads a retrieval index. `predict` answers `{ hits: [{ id, score, bm25, vector, title,
 * text, source, meta }] }` per text, best first (k from the request, default 5; hits
 * below `threshold` left out); the search route also picks the mode. An index built with
 * an encoder it could not store is served with BM25 alone; one built with a pretrained
 * encoder gets it from the server's pool (shared by checksum, batched across requests).
 */
export async function loadRetrievalPredictor(
  dir: string,
  _manifest: ArtifactManifest,
  encoders?: EncoderPool,
): Promise<Predictor> {
  const need = encoders === undefined ? null : await retrievalEncoderNeed(dir);
  const from = need?.path ?? null;
  const shared =
    need === null || from === null || encoders === undefined
      ? null
      : await encoders.acquire(from, need.checksum);
  const index = await loadRetrievalIndex(dir, {
    allowMissingEncoder: true,
    ...(shared === null ? {} : { encoder: new SentencePassageEncoder(shared, { path: from }) }),
  });
  return {
    details: {
      items: index.size,
      terms: index.bm25.terms.length,
      vectors: index.hasVectors,
      encoder: index.encoderInfo,
      defaultMode: index.defaultMode,
      options: index.options,
    },
    loaded: { family: RETRIEVAL_FAMILY, model: index },
    predict: (inputs, options: RetrievalPredictOptions) => searchAnswers(index, inputs, options),
    async selfTest() {
      // Its own first item, through every side the index has (an unknown word too, which
      // builds the word vectors' n-gram table now rather than on a client's request).
      const hits = await index.searchAsync(`${index.items[0]!.text} textkitselftest`, { k: 1 });
      if (!hits.every((h) => Number.isFinite(h.score) && h.score >= 0 && h.score <= 1)) {
        throw new TextkitError("ARTIFACT_CORRUPT", `the index in ${dir} scores its own items wrongly`, {
          file: dir,
        });
      }
    },
  };
}

/**
 * The built-in loaders.
 *
 * @example
 * const registry = new ModelRegistry({ root: "models", loaders: builtInFamilies() });
 */
export function builtInFamilies(context: { encoders?: EncoderPool } = {}): Record<string, FamilyLoader> {
  const encoders = context.encoders ?? new EncoderPool();
  return {
    [CLASSIFIER_FAMILY]: (dir, manifest) =>
      manifest.options["kind"] === ENCODER_HEAD_KIND
        ? loadEncoderHeadPredictor(dir, encoders)
        : loadClassifierPredictor(dir, manifest),
    [TAGGER_FAMILY]: (dir, manifest) => loadTaggerPredictor(dir, manifest, encoders),
    [RECOMMENDER_FAMILY]: loadRecommenderPredictor,
    [REGRESSOR_FAMILY]: loadRegressorPredictor,
    [CLUSTER_FAMILY]: (dir, manifest) => loadClusterPredictor(dir, manifest, encoders),
    [RETRIEVAL_FAMILY]: (dir, manifest) => loadRetrievalPredictor(dir, manifest, encoders),
    [ASSISTANT_FAMILY]: (dir, manifest) => loadAssistantPredictor(dir, manifest, encoders),
  };
}
