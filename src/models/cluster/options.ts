import { checkInt, checkOneOf, TextkitError, withDefaults } from "../../core/index.ts";
import { NORMALIZATION_FORMS, type NormalizationForm } from "../../text/index.ts";
import { KMEANS_METRICS, type KMeansMetric } from "../numeric/index.ts";

/** What texts are turned into before clustering. */
export const CLUSTER_FEATURES = ["tfidf", "vectors", "encoder"] as const;
export type ClusterFeatures = (typeof CLUSTER_FEATURES)[number];

/** A range of cluster counts to try; the one with the highest silhouette is kept. */
export interface KRange {
  min: number;
  max: number;
}

/** What text and numeric clustering share; all are recorded in the model's manifest. */
export interface KMeansSettings {
  /** Number of clusters, or a range to choose from by silhouette. */
  k: number | KRange;
  /** k-means runs from different seedings per k; the lowest inertia is kept (scikit-learn's n_init). */
  nInit: number;
  maxIterations: number;
  /** Convergence tolerance, relative to the mean variance of the features (scikit-learn's tol). */
  tol: number;
  /** cosine (spherical k-means, the default for text) or euclidean (the default for numbers). */
  metric: KMeansMetric;
  seed: number;
  /** Rows the silhouette is computed on (a seeded sample beyond this many; exact below). */
  silhouetteSample: number;
}

/** Every setting of text clustering. */
export interface ClusterOptions extends KMeansSettings {
  /**
   * tfidf: TF-IDF over the corpus vocabulary; vectors: the average of the words' vectors
   * from `vectors`; encoder: a pretrained encoder's sentence embeddings (the encoder is
   * given to `trainTextClusters` beside the options).
   */
  features: ClusterFeatures;
  /** A .vec file of word vectors, for features "vectors". */
  vectors: string | null;
  /** Terms in fewer documents than this are left out of the vocabulary. */
  minDf: number;
  /** Terms in more than this share of the documents are left out (stop words). */
  maxDf: number;
  /** The most frequent terms kept at most. */
  maxFeatures: number;
  lowercase: boolean;
  normalization: NormalizationForm;
  /**
   * Leave English and Chinese function words out of the terms: with them, "to, and, for"
   * top every cluster's terms and mixed-language posts group by language.
   */
  stopwords: boolean;
  /** Terms listed per cluster. */
  topTerms: number;
  /** Texts nearest each centroid kept as examples (0 keeps none in the model). */
  examples: number;
}

/** Every setting of numeric clustering. */
export type NumericClusterOptions = KMeansSettings;

export const DEFAULT_CLUSTER_OPTIONS: Readonly<ClusterOptions> = Object.freeze({
  k: 8,
  nInit: 10,
  maxIterations: 300,
  tol: 1e-4,
  metric: "cosine",
  seed: 1,
  silhouetteSample: 5000,
  features: "tfidf",
  vectors: null,
  minDf: 2,
  maxDf: 0.5,
  maxFeatures: 50_000,
  lowercase: true,
  normalization: "NFKC",
  stopwords: true,
  topTerms: 10,
  examples: 2,
});

export const DEFAULT_NUMERIC_CLUSTER_OPTIONS: Readonly<NumericClusterOptions> = Object.freeze({
  k: 8,
  nInit: 10,
  maxIterations: 300,
  tol: 1e-4,
  metric: "euclidean",
  seed: 1,
  silhouetteSample: 5000,
});

/** Most clusters asked for. */
const MAX_K = 100_000;

/**
 * The values of k a setting asks for, smallest first.
 *
 * @example
 * kValues({ min: 4, max: 6 }); // [4, 5, 6]
 */
export function kValues(k: number | KRange): number[] {
  if (typeof k === "number") return [k];
  const out: number[] = [];
  for (let v = k.min; v <= k.max; v++) out.push(v);
  return out;
}

function checkSettings(o: KMeansSettings): void {
  if (typeof o.k === "number") {
    checkInt("k", o.k, 1, MAX_K);
  } else if (o.k !== null && typeof o.k === "object") {
    checkInt("k (the smallest)", o.k.min, 2, MAX_K);
    checkInt("k (the largest)", o.k.max, 2, MAX_K);
    if (o.k.max < o.k.min) {
      throw new TextkitError(
        "OPTION_INVALID",
        `a k range goes from small to large, got ${o.k.min}..${o.k.max}`,
      );
    }
    if (o.k.max - o.k.min > 200) {
      throw new TextkitError(
        "OPTION_INVALID",
        `a k range tries at most 201 values, got ${o.k.min}..${o.k.max}`,
      );
    }
  } else {
    throw new TextkitError("OPTION_INVALID", "k must be a whole number or a range { min, max }");
  }
  checkInt("nInit", o.nInit, 1, 1000);
  checkInt("maxIterations", o.maxIterations, 1, 1_000_000);
  checkInt("seed", o.seed, 0, 2 ** 32 - 1);
  checkInt("silhouetteSample", o.silhouetteSample, 2, 1_000_000);
  if (!(o.tol >= 0 && Number.isFinite(o.tol))) {
    throw new TextkitError("OPTION_INVALID", `tol must be a number >= 0, got ${o.tol}`);
  }
  checkOneOf("metric", o.metric, KMEANS_METRICS);
}

/** Fills in defaults and refuses values that cannot cluster texts. */
export function resolveClusterOptions(partial: Partial<ClusterOptions> = {}): ClusterOptions {
  const o = withDefaults(DEFAULT_CLUSTER_OPTIONS, partial);
  if (typeof o.k === "object") o.k = { min: o.k.min, max: o.k.max };
  checkSettings(o);
  checkOneOf("features", o.features, CLUSTER_FEATURES);
  if (o.features === "vectors" && (o.vectors === null || o.vectors.length === 0)) {
    throw new TextkitError(
      "OPTION_INVALID",
      "features 'vectors' needs a .vec file of word vectors (vectors)",
    );
  }
  if (o.features !== "vectors" && o.vectors !== null) {
    throw new TextkitError("OPTION_INVALID", "a .vec file is used only with features 'vectors'");
  }
  checkInt("minDf", o.minDf, 1, 1_000_000_000);
  if (!(o.maxDf > 0 && o.maxDf <= 1)) {
    throw new TextkitError("OPTION_INVALID", `maxDf is a share of the documents, in (0, 1]; got ${o.maxDf}`, {
      details: { option: "maxDf", value: o.maxDf },
    });
  }
  checkInt("maxFeatures", o.maxFeatures, 1, 10_000_000);
  checkInt("topTerms", o.topTerms, 0, 1000);
  checkInt("examples", o.examples, 0, 1000);
  checkOneOf("normalization", o.normalization, NORMALIZATION_FORMS);
  return o;
}

/** Fills in defaults and refuses values that cannot cluster rows of numbers. */
export function resolveNumericClusterOptions(
  partial: Partial<NumericClusterOptions> = {},
): NumericClusterOptions {
  const o = withDefaults(DEFAULT_NUMERIC_CLUSTER_OPTIONS, partial);
  if (typeof o.k === "object") o.k = { min: o.k.min, max: o.k.max };
  checkSettings(o);
  return o;
}
