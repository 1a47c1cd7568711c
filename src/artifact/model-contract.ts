/**
 * The one contract every model family keeps, as scikit-learn has one estimator contract:
 * a family trains a model from a dataset, options and hooks, and loads one from a
 * directory; the model predicts over a batch, evaluates into a report and hands its
 * artifact parts to `saveModel`. It lives beside the artifact code because a model is, to
 * every layer above the families, an artifact it can also run.
 */
import type { TrainHooks } from "../core/index.ts";
import { writeArtifact } from "./artifact.ts";
import type { ArtifactParts } from "./manifest.ts";

/**
 * A trained model. `Batch` is what `predict` takes (texts, a table, users, queries), always
 * a batch so that its answer has one shape however many inputs there are; `Evaluated` is
 * what `evaluate` scores against (a labelled dataset, held-out events, judged queries).
 */
export interface TrainedModel<Batch, Predictions, Evaluated, Report> {
  /** One answer per input of the batch, in order. */
  predict(batch: Batch): Predictions;
  /** How the model does on labelled data, as the family's report. */
  evaluate(data: Evaluated): Report;
  /** The manifest and files `saveModel` writes; plain data, no model class. */
  artifactParts(): ArtifactParts;
  /** Writes the model directory atomically; the same as `saveModel(model, dir)`. */
  save(dir: string): Promise<void>;
}

/** Any trained model, whatever its batch, predictions and report (`never` inputs accept every model). */
export type AnyTrainedModel = TrainedModel<never, unknown, never, unknown>;

/**
 * A model family: its name (the manifest's `family`), how it trains and how it loads.
 * `Hooks` is `TrainHooks` for every trainer with epochs or passes; a family whose building
 * has no loss to report (retrieval) names its own.
 */
export interface ModelFamily<Data, Options, Model extends AnyTrainedModel, Hooks = TrainHooks> {
  readonly family: string;
  /** What the family's models do, in a few words (for the design's map and `--help`). */
  readonly summary: string;
  train(data: Data, options?: Partial<Options>, hooks?: Hooks): Promise<Model>;
  load(dir: string): Promise<Model>;
}

/**
 * Writes a model's artifact to `dir` atomically (temporary folder, fsync, rename): the one
 * body every family's `save` shares.
 *
 * @example
 * const model = await trainClassifier({ train });
 * await saveModel(model, "models/intents");
 */
export async function saveModel(model: { artifactParts(): ArtifactParts }, dir: string): Promise<void> {
  const { manifest, files } = model.artifactParts();
  await writeArtifact(dir, manifest, files);
}
