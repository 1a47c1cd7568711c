import { checkInt, checkNumber, checkOneOf, TextkitError, withDefaults } from "../../core/index.ts";

/** The recommender models: see each option for which ones use it. */
export const RECOMMENDER_MODELS = ["popularity", "knn", "als", "bpr", "content", "hybrid"] as const;
export type RecommenderModel = (typeof RECOMMENDER_MODELS)[number];

/** The factor model inside a hybrid. */
export const HYBRID_FACTOR_MODELS = ["als", "bpr"] as const;
export type HybridFactorModel = (typeof HYBRID_FACTOR_MODELS)[number];

/** Every hyperparameter of a recommender; all are recorded in the model's manifest. */
export interface RecommenderOptions {
  model: RecommenderModel;
  seed: number;
  /** ALS, BPR: size of the user and item factors. */
  factors: number;
  /** ALS, BPR: passes over the data. */
  iterations: number;
  /** ALS, BPR: L2 regularisation of the factors. */
  reg: number;
  /** ALS: an interaction of weight r counts with confidence 1 + alpha * r (Hu, Koren and Volinsky 2008). */
  alpha: number;
  /** ALS: conjugate-gradient steps per user or item and pass (Takács et al. 2011). */
  cgSteps: number;
  /** BPR: SGD learning rate, decaying linearly to a tenth of itself over the passes. */
  learningRate: number;
  /** item-kNN: most similar items kept per item. */
  neighbours: number;
  /** item-kNN: added to the cosine's denominator, so that pairs seen together once weigh less. */
  shrink: number;
  /** Popularity (every model's cold start): half-life of an event's weight in days; null = no decay. */
  halfLifeDays: number | null;
  /** Content: hash buckets of the TF-IDF text features. */
  buckets: number;
  /** Content: a .vec file of word vectors; item text becomes an IDF-weighted mean of them instead of TF-IDF. */
  vectors: string | null;
  /** Hybrid: the factor model it combines with item-kNN, content and popularity. */
  hybridFactors: HybridFactorModel;
  /** Hybrid: candidates each source proposes before the learned ranker orders them. */
  candidates: number;
  /** Hybrid: share of each user's training items, drawn at random, the ranker learns to find (the rest trains the sources first). */
  validationFraction: number;
  /** ALS, BPR: stop after this many passes without a better dev NDCG@10 (0 = off; needs dev data). */
  patience: number;
}

/** Defaults that differ between models: ALS converges in fewer, costlier passes than BPR's SGD. */
const PER_MODEL: Partial<Record<RecommenderModel, Partial<RecommenderOptions>>> = {
  bpr: { iterations: 60, reg: 0.01 },
};

export const DEFAULT_RECOMMENDER_OPTIONS: Readonly<RecommenderOptions> = Object.freeze({
  model: "als",
  seed: 1,
  factors: 64,
  iterations: 15,
  reg: 20,
  alpha: 0.5,
  cgSteps: 3,
  learningRate: 0.05,
  neighbours: 100,
  shrink: 10,
  halfLifeDays: null,
  buckets: 1 << 18,
  vectors: null,
  hybridFactors: "als",
  candidates: 100,
  validationFraction: 0.1,
  patience: 0,
});

/** Fills in defaults (the model's own where they differ) and refuses values that cannot train. */
export function resolveRecommenderOptions(partial: Partial<RecommenderOptions> = {}): RecommenderOptions {
  const model = partial.model ?? DEFAULT_RECOMMENDER_OPTIONS.model;
  checkOneOf("model", model, RECOMMENDER_MODELS);
  const factorModel = model === "hybrid" ? (partial.hybridFactors ?? "als") : model;
  const o = withDefaults({ ...DEFAULT_RECOMMENDER_OPTIONS, ...(PER_MODEL[factorModel] ?? {}) }, partial);
  o.model = model;
  checkInt("seed", o.seed, 0, 2 ** 32 - 1);
  checkInt("factors", o.factors, 1, 1024);
  checkInt("iterations", o.iterations, 1, 10_000);
  checkNumber("reg", o.reg, 0, 1e6);
  checkNumber("alpha", o.alpha, 0, 1e6);
  checkInt("cgSteps", o.cgSteps, 1, 1024);
  checkNumber("learningRate", o.learningRate, 0, 10, true);
  checkInt("neighbours", o.neighbours, 1, 100_000);
  checkNumber("shrink", o.shrink, 0, 1e9);
  if (o.halfLifeDays !== null) checkNumber("halfLifeDays", o.halfLifeDays, 0, 1e6, true);
  checkInt("buckets", o.buckets, 16, 1 << 26);
  checkInt("candidates", o.candidates, 1, 100_000);
  checkNumber("validationFraction", o.validationFraction, 0, 0.9, true);
  checkInt("patience", o.patience, 0, 10_000);
  checkOneOf("hybridFactors", o.hybridFactors, HYBRID_FACTOR_MODELS);
  if (o.vectors !== null && typeof o.vectors !== "string") {
    throw new TextkitError("OPTION_INVALID", "vectors must be the path of a .vec file, or null");
  }
  return o;
}
