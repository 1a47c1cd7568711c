/**
 * Scores a recommender on held-out events: for every test user the model knows, the items
 * of their test events that they had not engaged with before are the relevant ones, and
 * the model's top k (seen items excluded) is the ranked list.
 */
import { Random, TextkitError } from "../../core/index.ts";
import type { Interactions, ItemCatalog } from "../../data/index.ts";
import { mae, type RankedCase, type RankingReport, rankingReport, rmse } from "../../eval/index.ts";

/** What evaluation needs of a model. */
export interface RankingModel {
  readonly catalog: ItemCatalog;
  /** The model's index of a user, or -1 when it has never seen them. */
  userIndexOf(id: string): number;
  /** The items the user has engaged with (sorted indices). */
  seenItems(user: number): Int32Array;
  /** The user's top k items, seen ones excluded (user -1: a user without history). */
  topItems(user: number, k: number): Int32Array;
  /** The predicted rating, or null when the model predicts none. */
  ratingAt(user: number, item: number): number | null;
}

export interface RecommenderEvaluationOptions {
  /** Cut-off of the ranked lists (default 10). */
  k?: number;
  /** Also score test users the model has never seen (they get the cold-start list). Default false. */
  coldUsers?: boolean;
  /** Score at most this many users, drawn at random with `seed` (default: all). */
  maxUsers?: number;
  seed?: number;
}

export interface RecommenderEvaluation {
  /** Events in the test data. */
  events: number;
  ranking: RankingReport;
  /** Test users the model has never seen; scored only with `coldUsers`. */
  coldUsers: number;
  /** Users whose test items were all seen before: nothing to find, not scored. */
  usersWithoutNewItems: number;
  /** RMSE and MAE of the rating baseline on the test ratings, when both exist. */
  ratings: { count: number; rmse: number; mae: number } | null;
}

/** Maps a test event's item to the model's index (DATA_UNKNOWN_ITEM naming the line when it has none). */
function itemIndexOf(model: RankingModel, test: Interactions): (r: number) => number {
  const catalog = model.catalog;
  if (test.catalog === catalog) return (r) => test.item[r] ?? -1;
  return (r) => {
    const id = test.catalog.at(test.item[r] ?? 0).id;
    const at = catalog.indexOf(id);
    if (at < 0) {
      const line = test.line[r] ?? 0;
      throw new TextkitError(
        "DATA_UNKNOWN_ITEM",
        `item "${id}" of the test events is not in the model's catalogue`,
        { file: test.source, ...(line > 0 ? { line } : {}) },
      );
    }
    return at;
  };
}

/** Each test user's items, and the true and predicted ratings while the model predicts them. */
function collectTruth(model: RankingModel, test: Interactions, modelUser: readonly number[]) {
  const itemOf = itemIndexOf(model, test);
  const relevant = new Map<number, Set<number>>();
  const truth: number[] = [];
  const predicted: number[] = [];
  let predictsRatings = true;
  const rated = test.types.map((t) => test.weights[t] === "value");
  for (let r = 0; r < test.length; r++) {
    const item = itemOf(r);
    const tu = test.user[r] ?? 0;
    const set = relevant.get(tu);
    if (set === undefined) relevant.set(tu, new Set([item]));
    else set.add(item);
    const value = test.value[r] ?? Number.NaN;
    if (predictsRatings && rated[test.type[r] ?? 0] === true && Number.isFinite(value)) {
      const p = model.ratingAt(modelUser[tu] ?? -1, item);
      if (p === null) predictsRatings = false;
      else {
        truth.push(value);
        predicted.push(p);
      }
    }
  }
  return { relevant, ratings: predictsRatings && truth.length > 0 ? { truth, predicted } : null };
}

/**
 * The test users to score (sorted), after removing from each user's relevant items those
 * seen before: users with nothing new are counted and left out, unknown (cold) users too
 * unless `coldUsers`, and at most `maxUsers` are drawn at random.
 */
function usersToScore(
  model: RankingModel,
  relevant: Map<number, Set<number>>,
  modelUser: readonly number[],
  options: RecommenderEvaluationOptions,
) {
  let cold = 0;
  let nothingNew = 0;
  const users: number[] = [];
  for (const [tu, items] of relevant) {
    const u = modelUser[tu] ?? -1;
    if (u < 0) {
      cold++;
      if (!options.coldUsers) continue;
    } else {
      for (const seen of model.seenItems(u)) items.delete(seen);
      if (items.size === 0) {
        nothingNew++;
        continue;
      }
    }
    users.push(tu);
  }
  users.sort((a, b) => a - b);
  if (options.maxUsers !== undefined && users.length > options.maxUsers) {
    new Random(options.seed ?? 1).shuffle(users);
    users.length = options.maxUsers;
    users.sort((a, b) => a - b);
  }
  return { users, cold, nothingNew };
}

/**
 * Ranking metrics at k (HitRate, Precision, Recall, NDCG, MAP, coverage) and, for rating
 * events, RMSE and MAE.
 *
 * @example
 * const evaluation = evaluateRanking(model, test, { k: 10 });
 * evaluation.ranking.ndcg;
 */
export function evaluateRanking(
  model: RankingModel,
  test: Interactions,
  options: RecommenderEvaluationOptions = {},
): RecommenderEvaluation {
  const k = options.k ?? 10;
  if (!Number.isInteger(k) || k < 1)
    throw new TextkitError("OPTION_INVALID", `k must be a whole number >= 1, got ${k}`);
  if (test.length === 0) throw new TextkitError("EVAL_EMPTY", `${test.source} has no events to evaluate on`);
  const modelUser = test.users.map((id) => model.userIndexOf(id));
  const { relevant, ratings } = collectTruth(model, test, modelUser);
  const { users, cold, nothingNew } = usersToScore(model, relevant, modelUser, options);
  const cases: RankedCase<number>[] = users.map((tu) => ({
    ranked: Array.from(model.topItems(modelUser[tu] ?? -1, k)),
    relevant: relevant.get(tu) ?? new Set<number>(),
  }));
  return {
    events: test.length,
    ranking: rankingReport(cases, k, model.catalog.size),
    coldUsers: cold,
    usersWithoutNewItems: nothingNew,
    ratings:
      ratings === null
        ? null
        : {
            count: ratings.truth.length,
            rmse: rmse(ratings.truth, ratings.predicted),
            mae: mae(ratings.truth, ratings.predicted),
          },
  };
}
