/** Reading a tagger's model directory back (the inverse of `SequenceTagger.save`). */
import { artifactFloats, artifactInts, artifactOptions, readArtifact } from "../../artifact/index.ts";
import { runRecordOf, TextkitError } from "../../core/index.ts";
import { FeatureTable } from "./feature-table.ts";
import type { FeatureResources } from "./features.ts";
import { Gazetteer } from "./gazetteer.ts";
import { resolveTaggerOptions, type TaggerOptions } from "./options.ts";
import { NO_CALIBRATION, SequenceTagger, TAGGER_FAMILY, type TaggerCalibration } from "./sequence-tagger.ts";
import { buildTagSet } from "./tag-set.ts";

/** Loads a model directory written by `save`, verifying its checksums. */
export async function loadTagger(dir: string): Promise<SequenceTagger> {
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
  return new SequenceTagger(
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
    },
    resources,
    record,
    readCalibration(calibration, dir),
  );
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
