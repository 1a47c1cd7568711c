/** The plain types of the recommender: what it returns, what it trains on, what its models share. */

import type { SentenceEncoder } from "../../core/index.ts";
import type { EventWeights, Interactions, ItemCatalog } from "../../data/index.ts";
import type { ReasonKind } from "./engine.ts";
import type { Histories } from "./histories.ts";
import type { Popularity } from "./popularity.ts";
import type { RatingBaseline } from "./ratings.ts";

export const RECOMMENDER_FAMILY = "recommender";
export const RECOMMENDER_TASK = "recommend";

/** Most items one call may ask for. */
export const MAX_RECOMMENDATIONS = 10_000;

export interface RecommendOptions {
  /** How many items (default 10). */
  k?: number;
  /** Leave out items the user has engaged with (default true). */
  excludeSeen?: boolean;
  /** Only items of this category, or of one of these. */
  category?: string | readonly string[];
}

/** Why an item is recommended. */
export interface RecommendationReason {
  /** liked: an item the user engaged with is often engaged with together with this one; similar: its text is close to such an item's; popular: many users engaged with it lately. */
  kind: ReasonKind;
  /** What a person reads: `because you liked "Alien"`, `similar to your interest in "Dune"`, `popular in Drama`. */
  text: string;
  /** The id of the seen item behind a liked or similar reason. */
  item?: string;
}

export interface Recommendation {
  item: string;
  /** The model's score (for items filled in from popularity: the item's popularity); higher is better. */
  score: number;
  title: string;
  category: string;
  reason: RecommendationReason;
}

export interface RecommenderTrainingData {
  train: Interactions;
  /** Held-out events for per-pass NDCG@10 and early stopping of ALS and BPR (see `patience`). */
  dev?: Interactions;
  /**
   * Content and hybrid models: a pretrained sentence encoder whose embeddings of each
   * item's text become the item profiles (instead of TF-IDF or word vectors). The model
   * stores the embeddings and records the encoder's checksum.
   */
  encoder?: SentenceEncoder;
  /** The folder `encoder` was loaded from, recorded as a hint for loading it again. */
  encoderPath?: string;
}

/** Users' histories, popularity and the rest every model shares. */
export interface CommonState {
  catalog: ItemCatalog;
  weights: EventWeights;
  timed: boolean;
  userIds: string[];
  histories: Histories;
  popularity: Popularity;
  ratings: RatingBaseline | null;
}
