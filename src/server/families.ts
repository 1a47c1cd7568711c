/**
 * The model families this server can load, by the `family` of an artifact's manifest.
 * A new family (tagger, regressor, recommender) adds one loader here.
 */
import { TextkitError } from "../core/errors.ts";
import { CLASSIFIER_FAMILY, loadClassifier } from "../models/classifier/index.ts";
import type { ArtifactManifest } from "../store/index.ts";
import type { FamilyLoader, Predictor } from "./registry.ts";

/** Loads a classifier artifact and checks that it scores a text with finite numbers. */
export async function loadClassifierPredictor(dir: string, _manifest: ArtifactManifest): Promise<Predictor> {
  const model = await loadClassifier(dir);
  const run = model.runRecord;
  return {
    labels: model.labels,
    details: {
      run:
        run === null
          ? null
          : {
              runId: run.runId,
              startedAt: run.startedAt,
              finishedAt: run.finishedAt,
              seconds: run.seconds,
              epochs: run.epochs.length,
              bestEpoch: run.bestEpoch,
              stoppedEarly: run.stoppedEarly,
              data: run.data,
              final: run.final,
            },
    },
    predict: (inputs, options) => model.predict(inputs, options),
    selfTest() {
      const [p] = model.predict(["textkit self-test"], { k: model.labels.length });
      if (p === undefined || p.labels.length === 0 || !p.scores.every(Number.isFinite)) {
        throw new TextkitError("ARTIFACT_CORRUPT", `the model in ${dir} does not score a test text`, {
          file: dir,
        });
      }
    },
  };
}

/**
 * The built-in loaders.
 *
 * @example
 * const registry = new ModelRegistry({ root: "models", loaders: builtInFamilies() });
 */
export function builtInFamilies(): Record<string, FamilyLoader> {
  return { [CLASSIFIER_FAMILY]: loadClassifierPredictor };
}
