import { checkInt, checkNumber, checkOneOf, TextkitError, withDefaults } from "../../core/index.ts";
import { NORMALIZATION_FORMS, type NormalizationForm } from "../../text/index.ts";

export const CLASSIFIER_LOSSES = ["softmax", "ova"] as const;
export type ClassifierLoss = (typeof CLASSIFIER_LOSSES)[number];
/** Losses a model may carry: hierarchical softmax comes only from imported fastText models (textkit does not train it). */
export const MODEL_LOSSES = ["softmax", "ova", "hs"] as const;
export type ModelLoss = (typeof MODEL_LOSSES)[number];
/**
 * How a model reads text and reports scores: textkit's own way, or exactly as the fastText
 * program does (whitespace words, fastText's UTF-8 hashing, and scores with the 1e-5 that
 * fastText adds to a probability before its logarithm), for models imported from fastText.
 */
export const CLASSIFIER_COMPATS = ["textkit", "fasttext"] as const;
export type ClassifierCompat = (typeof CLASSIFIER_COMPATS)[number];

/**
 * How runs of Han characters become words: "dictionary" learns a word list with counts from
 * the training text (split once by Intl.Segmenter) and splits with it by maximum probability,
 * several times faster; "intl" splits every text with Intl.Segmenter. Models saved before the
 * option existed read as "intl".
 */
export const CLASSIFIER_SEGMENTERS = ["dictionary", "intl"] as const;
export type ClassifierSegmenter = (typeof CLASSIFIER_SEGMENTERS)[number];

/** Every hyperparameter of the classifier; all are recorded in the model's manifest. */
export interface ClassifierOptions {
  /** Size of the embeddings. */
  dim: number;
  epochs: number;
  /** Initial learning rate; it decays linearly to 0 over training. */
  lr: number;
  /** Longest word n-gram (1 = words only, 2 adds bigrams, ...). */
  wordNgrams: number;
  /** Shortest and longest character n-gram of each word (0 = none). 1..2 suits Chinese. */
  minn: number;
  maxn: number;
  /** Hash buckets shared by word and character n-grams. Only buckets seen in training get a row. */
  buckets: number;
  /** Words seen fewer times are dropped (their n-grams still count). */
  minCount: number;
  /**
   * softmax: one label per text; ova: independent sigmoids, for multi-label data; hs:
   * fastText's hierarchical softmax (imported models only).
   */
  loss: ModelLoss;
  seed: number;
  lowercase: boolean;
  normalization: NormalizationForm;
  /** Early stopping: stop after this many epochs without gain on the dev set (0 = off). */
  patience: number;
  /** Path of a .vec file whose word vectors initialise the embeddings (dim must match). */
  pretrainedVectors: string | null;
  /**
   * Training splits each text into pieces of this many tokens, each a training example with
   * the text's labels (0 = whole texts). For long documents: an average over thousands of
   * tokens gives each word a tiny update once an epoch, pieces give many larger ones.
   * Prediction always reads the whole text.
   */
  chunkTokens: number;
  /** "fasttext" for models imported from fastText, which read and score text exactly as fastText does. */
  compat: ClassifierCompat;
  /** How Chinese is split into words (see CLASSIFIER_SEGMENTERS); English is the same either way. */
  segmenter: ClassifierSegmenter;
}

export const DEFAULT_CLASSIFIER_OPTIONS: Readonly<ClassifierOptions> = Object.freeze({
  dim: 100,
  epochs: 10,
  lr: 0.5,
  wordNgrams: 2,
  minn: 0,
  maxn: 0,
  buckets: 2_000_000,
  minCount: 1,
  loss: "softmax",
  seed: 1,
  lowercase: true,
  normalization: "NFKC",
  patience: 0,
  pretrainedVectors: null,
  chunkTokens: 0,
  compat: "textkit",
  segmenter: "dictionary",
});

/** Fills in defaults and refuses values that cannot train. */
export function resolveClassifierOptions(partial: Partial<ClassifierOptions> = {}): ClassifierOptions {
  const o = withDefaults(DEFAULT_CLASSIFIER_OPTIONS, partial);
  checkInt("dim", o.dim, 1, 4096);
  checkInt("epochs", o.epochs, 1, 100_000);
  checkInt("wordNgrams", o.wordNgrams, 1, 10);
  checkInt("minn", o.minn, 0, 20);
  checkInt("maxn", o.maxn, 0, 20);
  checkInt("buckets", o.buckets, 1, 100_000_000);
  checkInt("minCount", o.minCount, 1, 1_000_000_000);
  checkInt("seed", o.seed, 0, 2 ** 32 - 1);
  checkInt("patience", o.patience, 0, 100_000);
  checkInt("chunkTokens", o.chunkTokens, 0, 100_000_000);
  if (o.maxn > 0 && o.minn === 0) o.minn = 1;
  if (o.maxn < o.minn)
    throw new TextkitError("OPTION_INVALID", `maxn (${o.maxn}) must be at least minn (${o.minn})`);
  checkNumber("lr", o.lr, 0, 10, true);
  checkOneOf("compat", o.compat, CLASSIFIER_COMPATS);
  checkOneOf("loss", o.loss, o.compat === "fasttext" ? MODEL_LOSSES : CLASSIFIER_LOSSES);
  checkOneOf("normalization", o.normalization, NORMALIZATION_FORMS);
  checkOneOf("segmenter", o.segmenter, CLASSIFIER_SEGMENTERS);
  return o;
}
