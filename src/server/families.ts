/**
 * The model families this server can load, by the `family` of an artifact's manifest.
 * A new family (regressor, recommender) adds one loader here.
 */
import { TextkitError } from "../core/errors.ts";
import { CLASSIFIER_FAMILY, loadClassifier } from "../models/classifier/index.ts";
import { loadTagger, TAGGER_FAMILY } from "../models/tagger/index.ts";
import type { ArtifactManifest } from "../store/index.ts";
import type { RunRecord } from "../train/run-record.ts";
import type { FamilyLoader, Predictor } from "./registry.ts";

/** What GET /v1/models/:name shows of a training run. */
function runSummary(run: RunRecord | null): Record<string, unknown> | null {
  return run === null
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
      };
}

/** Loads a classifier artifact and checks that it scores a text with finite numbers. */
export async function loadClassifierPredictor(dir: string, _manifest: ArtifactManifest): Promise<Predictor> {
  const model = await loadClassifier(dir);
  return {
    labels: model.labels,
    details: { run: runSummary(model.runRecord) },
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
 * Loads a tagger artifact. Its predictions are `{ entities: [{ text, label, start, end }] }`
 * with UTF-16 offsets into the input; `k` and `threshold` do not apply to it.
 */
export async function loadTaggerPredictor(dir: string, _manifest: ArtifactManifest): Promise<Predictor> {
  const model = await loadTagger(dir);
  return {
    labels: model.types,
    details: { language: model.language, features: model.table.rows, run: runSummary(model.runRecord) },
    predict: (inputs) => model.predict(inputs),
    selfTest() {
      const [p] = model.predict(["textkit self-test 2026"]);
      if (p === undefined || !Array.isArray(p.entities)) {
        throw new TextkitError("ARTIFACT_CORRUPT", `the model in ${dir} does not tag a test text`, {
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
  return { [CLASSIFIER_FAMILY]: loadClassifierPredictor, [TAGGER_FAMILY]: loadTaggerPredictor };
}
