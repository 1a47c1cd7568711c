export { FASTTEXT_LABEL_PREFIX } from "../../data/index.ts";
export type {
  AutotuneHooks,
  AutotuneMetric,
  AutotuneOptions,
  AutotuneResult,
  AutotuneTrial,
} from "./autotune.ts";
export { AUTOTUNE_METRICS, autotuneClassifier } from "./autotune.ts";
export type { ClassifierEvaluation, Prediction, PredictOptions, TrainingData } from "./classifier.ts";
export { CLASSIFIER_FAMILY, TextClassifier } from "./classifier.ts";
export type { DataDefaults, DataProfile } from "./data-defaults.ts";
export { dataDefaults, profileData } from "./data-defaults.ts";
export { unpackEncoderBundle } from "./encoder-bundle.ts";
export type { EncoderClassifierOptions, EncoderHeadHooks, EncoderReference } from "./encoder-classifier.ts";
export { EncoderClassifier } from "./encoder-classifier.ts";
export { encoderHeadOf, loadEncoderClassifier } from "./encoder-loading.ts";
export type { MixChoice } from "./encoder-scores.ts";
export { trainEncoderClassifier } from "./encoder-training.ts";
export { classifierFamily } from "./family.ts";
export { exportFastText, fastTextExportProblem, fastTextModelBytes } from "./fasttext-export.ts";
export type { FastTextArgs, FastTextLoss, FastTextModelFile } from "./fasttext-format.ts";
export { parseFastTextModel } from "./fasttext-format.ts";
export { classifierOfFastText, importFastText } from "./fasttext-import.ts";
export type { FeatureOptions } from "./featurizer.ts";
export { Featurizer } from "./featurizer.ts";
export type { HeadData, HeadTargets, HeadTrainResult, HeadWeights } from "./head.ts";
export { headMetric, headScores, trainHead } from "./head.ts";
export type { HeadAutotuneOptions, HeadAutotuneTrial } from "./head-autotune.ts";
export { autotuneHead } from "./head-autotune.ts";
export type { HeadLoss, HeadOptions } from "./head-options.ts";
export { DEFAULT_HEAD_OPTIONS, ENCODER_HEAD_KIND, HEAD_LOSSES, resolveHeadOptions } from "./head-options.ts";
export type { LanguageGuess, LanguageIdentifier } from "./langid.ts";
export { BUILT_IN_IDENTIFIER, findLanguageModel, loadLanguageIdentifier } from "./langid.ts";
export type { DetectedLanguage, LanguageDetectorOptions } from "./language-detector.ts";
export {
  DEFAULT_LANGUAGE_MIN_SCORE,
  LANGUAGE_SAMPLE_CHARS,
  LanguageDetector,
  loadLanguageDetector,
} from "./language-detector.ts";
export { loadClassifier } from "./load-classifier.ts";
export type {
  ClassifierCompat,
  ClassifierLoss,
  ClassifierOptions,
  ClassifierSegmenter,
  ModelLoss,
} from "./options.ts";
export {
  CLASSIFIER_COMPATS,
  CLASSIFIER_LOSSES,
  CLASSIFIER_SEGMENTERS,
  DEFAULT_CLASSIFIER_OPTIONS,
  MODEL_LOSSES,
  resolveClassifierOptions,
} from "./options.ts";
export type { QuantizeHooks } from "./product-quantize.ts";
export type { QuantizeOptions } from "./quantize.ts";
export { quantizeClassifier } from "./quantize.ts";
export type { QuantizationInfo } from "./quantized-format.ts";
export { confusionPart } from "./run-confusion.ts";
export { trainClassifier } from "./train-classifier.ts";
