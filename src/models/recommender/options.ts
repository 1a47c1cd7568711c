import { TextkitError } from "../../core/index.ts";

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
  /** Hybrid: share of the latest training events the ranker learns from (the rest trains the sources). */
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

function checkInt(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new TextkitError(
      "OPTION_INVALID",
      `${name} must be an integer from ${min} to ${max}, got ${value}`,
      { details: { option: name, value } },
    );
  }
}

function checkNumber(name: string, value: number, min: number, max: number, minExclusive = false): void {
  if (!(typeof value === "number" && value <= max && (minExclusive ? value > min : value >= min))) {
    throw new TextkitError(
      "OPTION_INVALID",
      `${name} must be a number ${minExclusive ? ">" : ">="} ${min} and <= ${max}, got ${value}`,
      { details: { option: name, value } },
    );
  }
}

/** Fills in defaults (the model's own where they differ) and refuses values that cannot train. */
export function resolveRecommenderOptions(partial: Partial<RecommenderOptions> = {}): RecommenderOptions {
  const defined = Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined));
  const model = (defined["model"] as RecommenderModel | undefined) ?? DEFAULT_RECOMMENDER_OPTIONS.model;
  if (!RECOMMENDER_MODELS.includes(model)) {
    throw new TextkitError(
      "OPTION_INVALID",
      `model must be one of ${RECOMMENDER_MODELS.join(", ")}, got '${String(model)}'`,
    );
  }
  const factorModel = model === "hybrid" ? ((defined["hybridFactors"] as string) ?? "als") : model;
  const o: RecommenderOptions = {
    ...DEFAULT_RECOMMENDER_OPTIONS,
    ...(PER_MODEL[factorModel as RecommenderModel] ?? {}),
    ...defined,
    model,
  };
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
  if (!HYBRID_FACTOR_MODELS.includes(o.hybridFactors)) {
    throw new TextkitError(
      "OPTION_INVALID",
      `hybridFactors must be one of ${HYBRID_FACTOR_MODELS.join(", ")}, got '${String(o.hybridFactors)}'`,
    );
  }
  if (o.vectors !== null && typeof o.vectors !== "string") {
    throw new TextkitError("OPTION_INVALID", "vectors must be the path of a .vec file, or null");
  }
  return o;
}
