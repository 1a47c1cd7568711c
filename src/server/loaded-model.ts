/**
 * A served model as its own family's type, keyed on the family: code that needs a
 * classifier (the monitor) or a tagger asks for that family and gets the model's own class,
 * typed, instead of casting `predict`'s answers back from `unknown`.
 */
import type { ASSISTANT_FAMILY, Assistant } from "../apps/assist/index.ts";
import type { CLASSIFIER_FAMILY, TextClassifier } from "../models/classifier/index.ts";
import type { CLUSTER_FAMILY, ClusterModel } from "../models/cluster/index.ts";
import type { RECOMMENDER_FAMILY, Recommender } from "../models/recommender/index.ts";
import type { LinearRegressor, REGRESSOR_FAMILY } from "../models/regressor/index.ts";
import type { RETRIEVAL_FAMILY, RetrievalIndex } from "../models/retrieval/index.ts";
import type { SequenceTagger, TAGGER_FAMILY } from "../models/tagger/index.ts";

/** The model behind a served version, by family (a family added by a plugin or a test has none). */
export type LoadedModel =
  | { readonly family: typeof CLASSIFIER_FAMILY; readonly model: TextClassifier }
  | { readonly family: typeof TAGGER_FAMILY; readonly model: SequenceTagger }
  | { readonly family: typeof REGRESSOR_FAMILY; readonly model: LinearRegressor }
  | { readonly family: typeof CLUSTER_FAMILY; readonly model: ClusterModel }
  | { readonly family: typeof RECOMMENDER_FAMILY; readonly model: Recommender }
  | { readonly family: typeof RETRIEVAL_FAMILY; readonly model: RetrievalIndex }
  | { readonly family: typeof ASSISTANT_FAMILY; readonly model: Assistant };

/** The families the server has built in, as the union's keys. */
export type BuiltInFamily = LoadedModel["family"];

/** The model of one family, e.g. `ModelOf<"classifier">` is `TextClassifier`. */
export type ModelOf<F extends BuiltInFamily> = Extract<LoadedModel, { family: F }>["model"];

/**
 * Whether `loaded` is a model of `family`; narrows it to that family's member of the union.
 *
 * @example
 * if (isLoadedFamily(served.loaded, "classifier")) served.loaded.model.predict(texts, { k: 1 });
 */
export function isLoadedFamily<F extends BuiltInFamily>(
  loaded: LoadedModel | null,
  family: F,
): loaded is Extract<LoadedModel, { family: F }> {
  return loaded !== null && loaded.family === family;
}
