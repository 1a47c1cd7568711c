export type {
  AutotuneHooks,
  AutotuneMetric,
  AutotuneOptions,
  AutotuneResult,
  AutotuneTrial,
} from "./autotune.ts";
export { AUTOTUNE_METRICS, autotuneClassifier } from "./autotune.ts";
export type { ClassifierEvaluation, Prediction, PredictOptions, TrainingData } from "./classifier.ts";
export { CLASSIFIER_FAMILY, loadClassifier, TextClassifier, trainClassifier } from "./classifier.ts";
export type { DataDefaults, DataProfile } from "./data-defaults.ts";
export { dataDefaults, profileData } from "./data-defaults.ts";
export { classifierFamily } from "./family.ts";
export type { FastTextArgs, FastTextLoss, FastTextModelFile } from "./fasttext-format.ts";
export { parseFastTextModel } from "./fasttext-format.ts";
export { classifierOfFastText, FASTTEXT_LABEL_PREFIX, importFastText } from "./fasttext-import.ts";
export type { FeatureOptions } from "./featurizer.ts";
export { Featurizer } from "./featurizer.ts";
export type { LanguageGuess, LanguageIdentifier } from "./langid.ts";
export { BUILT_IN_IDENTIFIER, findLanguageModel, loadLanguageIdentifier } from "./langid.ts";
export type { ClassifierCompat, ClassifierLoss, ClassifierOptions, ModelLoss } from "./options.ts";
export {
  CLASSIFIER_COMPATS,
  CLASSIFIER_LOSSES,
  DEFAULT_CLASSIFIER_OPTIONS,
  MODEL_LOSSES,
  resolveClassifierOptions,
} from "./options.ts";
export type { QuantizeHooks, QuantizeOptions } from "./quantize.ts";
export { quantizeClassifier } from "./quantize.ts";
export type { QuantizationInfo } from "./quantized-format.ts";
