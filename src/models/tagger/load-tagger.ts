/** Reading a tagger's model directory back (the inverse of `SequenceTagger.save`). */
import { join } from "node:path";
import {
  artifactFloats,
  artifactInts,
  artifactOptions,
  float32FromBuffer,
  readArtifact,
} from "../../artifact/index.ts";
import { runRecordOf, TextkitError, type WordEncoder } from "../../core/index.ts";
import {
  parseTaggerEncoderRef,
  TAGGER_DENSE_FILE,
  TAGGER_ENCODER_FILE,
  type TaggerEncoderRef,
} from "./encoder-features.ts";
import { FeatureTable } from "./feature-table.ts";
import type { FeatureResources } from "./features.ts";
import { Gazetteer } from "./gazetteer.ts";
import { resolveTaggerOptions, type TaggerOptions } from "./options.ts";
import { NO_CALIBRATION, SequenceTagger, TAGGER_FAMILY, type TaggerCalibration } from "./sequence-tagger.ts";
import { buildTagSet } from "./tag-set.ts";

/** What `loadTagger` may be given. */
export interface LoadTaggerOptions {
  /**
   * For a tagger trained on a pretrained encoder: that encoder (the same checksum,
   * ENCODER_CHANGED otherwise; `taggerEncoderNeed(dir)` says which). Without it such a
   * tagger loads but cannot tag (HEAD_ENCODER_REQUIRED).
   */
  encoder?: WordEncoder;
}

/**
 * Loads a model directory written by `save`, verifying its checksums.
 *
 * @example
 * const model = await loadTagger("models/ner");
 * const onEncoder = await loadTagger("models/ner-bert", { encoder: await loadEncoder("models/bert") });
 */
export async function loadTagger(dir: string, loadOptions: LoadTaggerOptions = {}): Promise<SequenceTagger> {
  const artifact = await readArtifact(dir, TAGGER_FAMILY);
  const m = artifact.manifest;
  const { language, tags, calibration } = m.options;
  const options = artifactOptions(
    artifact,
    (stored) => resolveTaggerOptions(stored as Partial<TaggerOptions>),
    ["language", "tags", "calibration"],
  );
  const types = m.labels ?? [];
  if (language !== "en" && language !== "zh") {
    throw new TextkitError("ARTIFACT_CORRUPT", `the manifest in ${dir} names no tagging language`, {
      file: dir,
    });
  }
  const tagSet = buildTagSet(types, options.encoding);
  if (!Array.isArray(tags) || tags.join("\n") !== tagSet.tags.join("\n")) {
    throw new TextkitError("ARTIFACT_CORRUPT", `the tags in ${dir} do not match its entity types`, {
      file: dir,
    });
  }
  const T = tagSet.tags.length;
  const keys = new Uint32Array(artifactInts(artifact, "features.u32").buffer);
  const emit = artifactFloats(artifact, "emissions.f32");
  const transitions = artifactFloats(artifact, "transitions.f32");
  if (emit.length !== keys.length * T || transitions.length !== T * T + 2 * T) {
    throw new TextkitError("ARTIFACT_CORRUPT", `model weights in ${dir} do not match its features and tags`, {
      file: dir,
    });
  }
  const gazText = artifact.files["gazetteer.tsv"];
  const clusterText = artifact.files["clusters.tsv"];
  let clusters: Map<string, string> | null = null;
  if (clusterText !== undefined) {
    clusters = new Map();
    for (const line of clusterText.toString("utf8").split("\n")) {
      const tab = line.indexOf("\t");
      if (tab > 0) clusters.set(line.slice(0, tab), line.slice(tab + 1));
    }
  }
  const resources: FeatureResources = {
    gazetteer: gazText === undefined ? null : Gazetteer.fromTsv(gazText.toString("utf8"), language),
    clusters,
  };
  const record = runRecordOf(artifact.files);
  const dense = readDense(artifact.files, dir, T);
  if (dense !== null) resources.encoder = dense.ref;
  const model = new SequenceTagger(
    options,
    language,
    types,
    tagSet,
    new FeatureTable(keys),
    {
      emit,
      trans: transitions.slice(0, T * T),
      start: transitions.slice(T * T, T * T + T),
      end: transitions.slice(T * T + T),
      ...(dense === null ? {} : { dense: dense.weights }),
    },
    resources,
    record,
    readCalibration(calibration, dir),
  );
  if (loadOptions.encoder !== undefined) {
    if (dense === null) {
      throw new TextkitError(
        "OPTION_INVALID",
        `the tagger in ${dir} is not on an encoder; load it without one`,
        {
          file: dir,
        },
      );
    }
    model.useEncoder(loadOptions.encoder, dir);
  }
  return model;
}

/** The dense weights and encoder of a tagger on an encoder; null for one without. */
function readDense(
  files: Record<string, Buffer>,
  dir: string,
  T: number,
): { ref: TaggerEncoderRef; weights: Float32Array } | null {
  const refData = files[TAGGER_ENCODER_FILE];
  const weightData = files[TAGGER_DENSE_FILE];
  if (refData === undefined && weightData === undefined) return null;
  if (refData === undefined || weightData === undefined) {
    throw new TextkitError(
      "ARTIFACT_CORRUPT",
      `${dir} has ${refData === undefined ? TAGGER_DENSE_FILE : TAGGER_ENCODER_FILE} without ${refData === undefined ? TAGGER_ENCODER_FILE : TAGGER_DENSE_FILE}`,
      { file: dir },
    );
  }
  const ref = parseTaggerEncoderRef(refData, dir);
  const weights = float32FromBuffer(weightData, join(dir, TAGGER_DENSE_FILE));
  if (weights.length !== ref.dim * T) {
    throw new TextkitError(
      "ARTIFACT_CORRUPT",
      `${join(dir, TAGGER_DENSE_FILE)} holds ${weights.length} weights; ${ref.dim} dimensions × ${T} tags need ${ref.dim * T}`,
      { file: join(dir, TAGGER_DENSE_FILE) },
    );
  }
  return { ref, weights };
}

function readCalibration(value: unknown, dir: string): TaggerCalibration {
  if (value === undefined) return { ...NO_CALIBRATION };
  const c = value as Partial<TaggerCalibration>;
  if (typeof c.scale !== "number" || !(c.scale > 0) || !Number.isFinite(c.scale)) {
    throw new TextkitError("ARTIFACT_CORRUPT", `the calibration in ${dir}'s manifest has no valid scale`, {
      file: dir,
    });
  }
  return {
    scale: c.scale,
    fittedOn: c.fittedOn === "dev" || c.fittedOn === "train" ? c.fittedOn : "none",
    sentences: Number(c.sentences ?? 0),
    meanLogLikelihood: Number(c.meanLogLikelihood ?? 0),
  };
}
