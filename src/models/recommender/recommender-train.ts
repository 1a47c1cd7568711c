/**
 * Training a recommender: the state every model shares (catalogue copy, histories,
 * popularity, rating baseline), the factor models with their epoch log and dev NDCG, the
 * hybrid, and the run record.
 */
import { createHash } from "node:crypto";
import type { TrainHooks } from "../../core/index.ts";
import { newRunId, type RunRecord, TextkitError } from "../../core/index.ts";
import { type Interactions, ItemCatalog } from "../../data/index.ts";
import { EpochLog } from "../../train/index.ts";
import { trainContent } from "./content.ts";
import type { ContentEncoder } from "./content-encoder.ts";
import { type ScoringEngine, StageProgress } from "./engine.ts";
import { evaluateRanking } from "./evaluate.ts";
import { factorEngine, trainFactors } from "./factor-models.ts";
import type { FactorEngine, FactorState, FactorTraining } from "./factors.ts";
import { Histories } from "./histories.ts";
import { trainItemKnn } from "./item-knn.ts";
import type { CsrMatrix } from "./matrix.ts";
import { type RecommenderOptions, resolveRecommenderOptions } from "./options.ts";
import { Popularity, PopularityEngine } from "./popularity.ts";
import { RatingBaseline } from "./ratings.ts";
import {
  type CommonState,
  RECOMMENDER_FAMILY,
  RECOMMENDER_TASK,
  Recommender,
  type RecommenderTrainingData,
} from "./recommender.ts";
import { interactionMatrix, trainHybrid } from "./train-hybrid.ts";

/** SHA-256 over the events' users, items, weights and times: which data a model was trained on. */
function interactionsFingerprint(data: Interactions): string {
  const hash = createHash("sha256");
  for (const a of [data.user, data.item, data.weight, data.time]) {
    hash.update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  }
  return hash.digest("hex").slice(0, 16);
}

function commonState(data: Interactions, options: RecommenderOptions): CommonState {
  return {
    // The model's own copy: addItems must not change the data or another model.
    catalog: new ItemCatalog(data.catalog.items, data.catalog.source),
    weights: data.weights,
    timed: data.timed,
    userIds: [...data.users],
    histories: new Histories(interactionMatrix(data)),
    popularity: Popularity.fromEvents(data, options.halfLifeDays),
    ratings: RatingBaseline.fit(data),
  };
}

/** Most dev users scored after each pass: enough for a stable NDCG, cheap next to a pass. */
const DEV_USERS = 500;

/**
 * Trains the factor model of `data` with an EpochLog: per-pass summaries to the hooks,
 * dev NDCG@10 and early stopping when there are dev events, the best pass's factors kept.
 */
function trainFactorModel(
  name: "als" | "bpr",
  common: CommonState,
  matrix: CsrMatrix,
  options: RecommenderOptions,
  hooks: TrainHooks,
  progress: StageProgress,
  dev: Interactions | undefined,
): { engine: FactorEngine; log: EpochLog<FactorState> } {
  const log = new EpochLog<FactorState>({ epochs: options.iterations, patience: options.patience }, hooks);
  const training: FactorTraining = {
    progress,
    endEpoch(summary, state) {
      let metric: number | undefined;
      if (dev !== undefined) {
        const probe = new Recommender(options, common, factorEngine(name, state, options), null);
        const report = evaluateRanking(probe, dev, {
          k: 10,
          maxUsers: DEV_USERS,
          seed: options.seed,
        }).ranking;
        summary.dev = { ndcg: report.ndcg, hitRate: report.hitRate };
        metric = report.ndcg;
      }
      return log.end(summary, metric, () => ({
        ...state,
        userFactors: state.userFactors.slice(),
        itemFactors: state.itemFactors.slice(),
        itemBias: state.itemBias === null ? null : state.itemBias.slice(),
      }));
    },
  };
  const state = trainFactors(name, matrix, options, training);
  log.restoreBest((best) => {
    state.userFactors.set(best.userFactors);
    state.itemFactors.set(best.itemFactors);
    if (state.itemBias !== null && best.itemBias !== null) state.itemBias.set(best.itemBias);
  });
  return { engine: factorEngine(name, state, options), log };
}

/** Units of progress of a training: factor passes over the events, or one per item. */
function workOf(options: RecommenderOptions, nnz: number, items: number): number {
  const passes = options.iterations;
  if (options.model === "als") return 2 * nnz * passes;
  if (options.model === "bpr") return nnz * passes;
  if (options.model === "hybrid") return nnz * passes * (options.hybridFactors === "als" ? 2 : 1);
  return items;
}

/** The encoder of `data` for the content model, refused with models that read no item text. */
function contentEncoderOf(data: RecommenderTrainingData, options: RecommenderOptions): ContentEncoder | null {
  if (data.encoder === undefined) return null;
  if (options.model !== "content" && options.model !== "hybrid") {
    throw new TextkitError(
      "OPTION_INVALID",
      `an encoder gives item text vectors to the content and hybrid models; model ${options.model} reads no item text`,
    );
  }
  if (options.vectors !== null) {
    throw new TextkitError(
      "OPTION_INVALID",
      "give the content model word vectors (vectors) or a pretrained encoder, not both",
    );
  }
  return { encoder: data.encoder, path: data.encoderPath ?? null };
}

interface TrainedEngine {
  engine: ScoringEngine;
  log: EpochLog<FactorState> | null;
  ranker?: unknown;
}

/** The engine of `options.model`, trained on the common state. */
async function trainEngine(
  data: RecommenderTrainingData,
  common: CommonState,
  options: RecommenderOptions,
  hooks: TrainHooks,
  progress: StageProgress,
): Promise<TrainedEngine> {
  const { train, dev } = data;
  const base = common.histories.toMatrix(train.catalog.size);
  const encoder = contentEncoderOf(data, options);
  switch (options.model) {
    case "popularity":
      return { engine: new PopularityEngine(common.popularity), log: null };
    case "knn":
      return { engine: trainItemKnn(base, options, progress), log: null };
    case "content":
      return { engine: await trainContent(common.catalog, options, encoder), log: null };
    case "als":
    case "bpr":
      return trainFactorModel(options.model, common, base, options, hooks, progress, dev);
    case "hybrid":
      return trainHybrid(
        train,
        common.catalog,
        common.popularity,
        options,
        progress,
        (m) => trainFactorModel(options.hybridFactors, common, m, options, hooks, progress, dev),
        encoder,
      );
  }
}

/** The run record of a training that started at `started`. */
function recordOf(
  data: RecommenderTrainingData,
  options: RecommenderOptions,
  started: Date,
  log: EpochLog<FactorState> | null,
  final: Record<string, unknown>,
): RunRecord {
  const { train, dev } = data;
  const finishedAt = new Date();
  return {
    runId: newRunId(started, options.seed),
    family: RECOMMENDER_FAMILY,
    task: RECOMMENDER_TASK,
    startedAt: started.toISOString(),
    finishedAt: finishedAt.toISOString(),
    seconds: (finishedAt.getTime() - started.getTime()) / 1000,
    options: { ...options },
    data: {
      train: { source: train.source, examples: train.length, fingerprint: interactionsFingerprint(train) },
      ...(dev === undefined ? {} : { dev: { source: dev.source, examples: dev.length } }),
    },
    epochs: log?.epochs ?? [],
    stoppedEarly: log?.stoppedEarly ?? false,
    bestEpoch: log?.bestEpoch ?? 0,
    final,
  };
}

/**
 * Trains a recommender on behaviour events (see RecommenderOptions for the models; with
 * `data.encoder`, the content and hybrid models embed item text with that encoder).
 *
 * @example
 * const data = await loadInteractions("items.csv", "events.csv");
 * const { train, test } = leaveLastOut(data);
 * const model = await trainRecommender({ train }, { model: "als", factors: 32 });
 * model.evaluate(test).ranking.ndcg;
 * model.recommend("u1", { k: 5 });
 */
export async function trainRecommender(
  data: RecommenderTrainingData,
  partialOptions: Partial<RecommenderOptions> = {},
  hooks: TrainHooks = {},
): Promise<Recommender> {
  const options = resolveRecommenderOptions(partialOptions);
  const started = new Date();
  const t0 = performance.now();
  const { train, dev } = data;
  if (train.length === 0) {
    throw new TextkitError("DATA_EMPTY", `${train.source} has no events to train on`, { file: train.source });
  }
  const common = commonState(train, options);
  const nnz = common.histories.toMatrix(train.catalog.size).indices.length;
  const work = workOf(options, nnz, train.catalog.size);
  const progress = new StageProgress(hooks, work);
  const { engine, log, ranker } = await trainEngine(data, common, options, hooks, progress);
  const seconds = (performance.now() - t0) / 1000;
  if (log !== null) log.finish((nnz * (log.epochs.length || 1)) / seconds, "examples");
  else progress.report(work, 1, 1, 0);
  const final: Record<string, unknown> = {
    ...(ranker === undefined ? {} : { ranker }),
    trainSeconds: seconds,
    users: train.users.length,
    items: train.catalog.size,
    events: train.length,
    interactions: nnz,
    ...(data.encoder === undefined
      ? {}
      : {
          encoder: { id: data.encoder.id, checksum: data.encoder.checksum, path: data.encoderPath ?? null },
        }),
  };
  const model = new Recommender(options, common, engine, recordOf(data, options, started, log, final));
  if (dev !== undefined) {
    const evaluation = model.evaluate(dev);
    final["dev"] = {
      ...evaluation.ranking,
      ...(evaluation.ratings === null ? {} : { ratings: evaluation.ratings }),
    };
  }
  return model;
}
