/**
 * Loading one version of a served model: the sealed manifest checked, the family's loader
 * run and its self-test passed, the result frozen into a `ServedModel`.
 */
import { join } from "node:path";
import type { ArtifactManifest } from "../artifact/index.ts";
import { readSealedManifest } from "../artifact/index.ts";
import { TextkitError } from "../core/index.ts";
import { type DiskVersion, MANIFEST } from "./registry-disk.ts";
import type { FamilyLoader, ModelPredictOptions, Predictor, ServedModel } from "./served-model.ts";

/**
 * Loads and self-tests version `v` of model `name` with the loader of its family. Throws
 * (`ARTIFACT_CORRUPT`, `MODEL_FAMILY_UNSUPPORTED`, or the loader's error) when it does not load.
 */
export async function loadServedModel(
  name: string,
  v: DiskVersion,
  loaders: Readonly<Record<string, FamilyLoader>>,
): Promise<ServedModel> {
  if (v.manifest === null) {
    throw new TextkitError("ARTIFACT_CORRUPT", `manifest.json in ${v.dir} is missing or not valid JSON`, {
      file: join(v.dir, MANIFEST),
    });
  }
  // Checked here, whatever the family: digest and field types, so that no loader (nor
  // the family lookup below) sees an edited or malformed manifest.
  const manifest = await readSealedManifest(v.dir);
  const loader = Object.hasOwn(loaders, manifest.family) ? loaders[manifest.family] : undefined;
  if (loader === undefined) {
    throw new TextkitError(
      "MODEL_FAMILY_UNSUPPORTED",
      `${v.dir} holds a '${String(manifest.family)}' model; this server loads ${Object.keys(loaders).join(", ")}`,
      { file: v.dir },
    );
  }
  const predictor = await loader(v.dir, manifest);
  await predictor.selfTest?.();
  return servedModelOf(name, v, manifest, predictor);
}

function servedModelOf(
  name: string,
  v: DiskVersion,
  manifest: ArtifactManifest,
  predictor: Predictor,
): ServedModel {
  return Object.freeze({
    name,
    version: v.version,
    family: manifest.family,
    task: manifest.task,
    manifest,
    dir: v.dir,
    loadedAt: new Date().toISOString(),
    labels: predictor.labels,
    details: predictor.details ?? {},
    inputKind: predictor.predictRows === undefined ? "text" : "row",
    recommender: predictor.recommender ?? null,
    assistant: predictor.assistant ?? null,
    loaded: predictor.loaded ?? null,
    predict: (inputs: readonly string[], options: ModelPredictOptions) => {
      if (predictor.predict === undefined) {
        throw new TextkitError(
          "INPUT_INVALID",
          `model '${name}' (${manifest.family}) takes rows of values such as {"column": value}, not texts`,
          { details: { field: "/inputs" } },
        );
      }
      return predictor.predict(inputs, options);
    },
    predictRows: (rows: readonly Record<string, unknown>[], options: ModelPredictOptions) => {
      if (predictor.predictRows === undefined) {
        throw new TextkitError("INPUT_INVALID", `model '${name}' takes texts, not rows of values`, {
          details: { field: "/inputs" },
        });
      }
      return predictor.predictRows(rows, options);
    },
  });
}
