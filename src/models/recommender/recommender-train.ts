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

/**
 * Trains a recommender on behaviour events (see RecommenderOptions for the models).
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
  const base = common.histories.toMatrix(train.catalog.size);
  const nnz = base.indices.length;
  const factorModel = options.model === "hybrid" ? options.hybridFactors : options.model;
  const work =
    options.model === "als"
      ? 2 * nnz * options.iterations
      : options.model === "bpr"
        ? nnz * options.iterations
        : options.model === "hybrid"
          ? nnz * options.iterations * (factorModel === "als" ? 2 : 1)
          : train.catalog.size;
  const progress = new StageProgress(hooks, work);
  let engine: ScoringEngine;
  let log: EpochLog<FactorState> | null = null;
  const final: Record<string, unknown> = {};
  switch (options.model) {
    case "popularity":
      engine = new PopularityEngine(common.popularity);
      break;
    case "knn":
      engine = trainItemKnn(base, options, progress);
      break;
    case "content":
      engine = await trainContent(common.catalog, options);
      break;
    case "als":
    case "bpr": {
      const trained = trainFactorModel(options.model, common, base, options, hooks, progress, dev);
      engine = trained.engine;
      log = trained.log;
      break;
    }
    case "hybrid": {
      const trained = await trainHybrid(train, common.catalog, common.popularity, options, progress, (m) =>
        trainFactorModel(options.hybridFactors, common, m, options, hooks, progress, dev),
      );
      engine = trained.engine;
      log = trained.log;
      final["ranker"] = trained.ranker;
      break;
    }
  }
  const seconds = (performance.now() - t0) / 1000;
  if (log !== null) log.finish((nnz * (log.epochs.length || 1)) / seconds, "examples");
  else progress.report(work, 1, 1, 0);
  const finishedAt = new Date();
  Object.assign(final, {
    trainSeconds: seconds,
    users: train.users.length,
    items: train.catalog.size,
    events: train.length,
    interactions: nnz,
  });
  const record: RunRecord = {
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
  const model = new Recommender(options, common, engine, record);
  if (dev !== undefined) {
    const evaluation = model.evaluate(dev);
    final["dev"] = {
      ...evaluation.ranking,
      ...(evaluation.ratings === null ? {} : { ratings: evaluation.ratings }),
    };
  }
  return model;
}
