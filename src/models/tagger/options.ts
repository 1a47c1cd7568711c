import {
  checkInt,
  checkNumber,
  checkOneOf,
  TextkitError,
  WORD_VECTOR_MODES,
  type WordVectorMode,
  withDefaults,
} from "../../core/index.ts";

export const TAGGER_ENCODINGS = ["bioes", "bio"] as const;
export type TaggerEncoding = (typeof TAGGER_ENCODINGS)[number];
export const TAGGER_LEARNERS = ["perceptron", "crf"] as const;
export type TaggerLearner = (typeof TAGGER_LEARNERS)[number];

/** Every hyperparameter of the tagger; all are recorded in the model's manifest. */
export interface TaggerOptions {
  /**
   * How the weights are learned: "perceptron" (structured averaged perceptron, fast) or
   * "crf" (linear-chain CRF: L2-regularised log-likelihood by SGD, as CRFsuite's l2sgd).
   */
  learner: TaggerLearner;
  /** The CRF's L2 coefficient c2 (objective: −log-likelihood + c2 · ‖w‖²); unused by the perceptron. */
  l2: number;
  /** Passes over the training data (at most; early stopping may end sooner). */
  epochs: number;
  /** Stop after this many epochs without a better dev entity F1 (0 = off). */
  patience: number;
  seed: number;
  /** Features seen fewer times in training are dropped. */
  minFeatureCount: number;
  /** Tags the model predicts internally (results are always spans, and BIO when tags are asked for). */
  encoding: TaggerEncoding;
  /**
   * "en" tags words, "zh" characters with word-boundary features; null = the training
   * data's language.
   */
  language: "en" | "zh" | null;
  /** Word vectors (.vec) whose words are grouped by k-means into clusters used as features. */
  vectors: string | null;
  /** How many clusters the vectors are grouped into. */
  vectorClusters: number;
  /** A word-cluster file: "word<tab>cluster" lines, or Brown clusters' "bits<tab>word<tab>count". */
  clusters: string | null;
  /**
   * Unlabelled texts (one a line) of the kind the tagger will see: word vectors are learned
   * from them and grouped into `vectorClusters` clusters (and coarser ones) used as features.
   */
  unlabelled: string | null;
  /**
   * Taggers on a pretrained encoder (training data's `encoder`): a word split into several
   * pieces gets its first piece's vector (BERT-NER's choice) or the mean of its pieces.
   */
  wordVector: WordVectorMode;
}

export const DEFAULT_TAGGER_OPTIONS: Readonly<TaggerOptions> = Object.freeze({
  learner: "perceptron",
  l2: 1,
  epochs: 30,
  patience: 4,
  seed: 1,
  minFeatureCount: 1,
  encoding: "bioes",
  language: null,
  vectors: null,
  vectorClusters: 256,
  clusters: null,
  unlabelled: null,
  wordVector: "first",
});

/** Fills in defaults and refuses values that cannot train. */
export function resolveTaggerOptions(partial: Partial<TaggerOptions> = {}): TaggerOptions {
  const o = withDefaults(DEFAULT_TAGGER_OPTIONS, partial);
  checkInt("epochs", o.epochs, 1, 10_000);
  checkInt("patience", o.patience, 0, 10_000);
  checkInt("seed", o.seed, 0, 2 ** 32 - 1);
  checkInt("minFeatureCount", o.minFeatureCount, 1, 1_000_000);
  checkInt("vectorClusters", o.vectorClusters, 2, 100_000);
  checkOneOf("encoding", o.encoding, TAGGER_ENCODINGS);
  checkOneOf("learner", o.learner, TAGGER_LEARNERS);
  checkNumber("l2", o.l2, 0, 1e6);
  checkOneOf("wordVector", o.wordVector, WORD_VECTOR_MODES);
  if (o.language !== null && o.language !== "en" && o.language !== "zh") {
    throw new TextkitError("OPTION_INVALID", `language must be en or zh, got '${String(o.language)}'`);
  }
  const sources = [o.vectors, o.clusters, o.unlabelled].filter((x) => x !== null).length;
  if (sources > 1) {
    throw new TextkitError(
      "OPTION_INVALID",
      "give one source of word clusters: vectors, clusters or unlabelled text, not several",
    );
  }
  return o;
}
