import type { ModelFamily } from "../../artifact/index.ts";
import type { RecommenderOptions } from "./options.ts";
import { RECOMMENDER_FAMILY, type Recommender, type RecommenderTrainingData } from "./recommender.ts";
import { loadRecommender } from "./recommender-load.ts";
import { trainRecommender } from "./recommender-train.ts";

/**
 * The recommender as a model family: `train` and `load`; its models recommend items for a
 * batch of users (`predict`, beside the single-user `recommend`) and evaluate held-out
 * events into ranking metrics.
 *
 * @example
 * const model = await recommenderFamily.train({ train }, { model: "als" });
 * const [forU1] = model.predict(["u1"], { k: 5 });
 */
export const recommenderFamily = {
  family: RECOMMENDER_FAMILY,
  summary: "items for users, from behaviour events and item texts",
  train: trainRecommender,
  load: loadRecommender,
} satisfies ModelFamily<RecommenderTrainingData, RecommenderOptions, Recommender>;
