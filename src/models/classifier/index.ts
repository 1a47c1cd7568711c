export type { ClassifierEvaluation, Prediction, PredictOptions, TrainingData } from "./classifier.ts";
export { CLASSIFIER_FAMILY, loadClassifier, TextClassifier, trainClassifier } from "./classifier.ts";
export type { FeatureOptions } from "./featurizer.ts";
export { Featurizer } from "./featurizer.ts";
export type { ClassifierLoss, ClassifierOptions } from "./options.ts";
export { CLASSIFIER_LOSSES, DEFAULT_CLASSIFIER_OPTIONS, resolveClassifierOptions } from "./options.ts";
