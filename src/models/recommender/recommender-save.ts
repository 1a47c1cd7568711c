/** What a recommender's `save` writes: its catalogue, users' histories, popularity, engine and run record. */
import { bytesOf, type ManifestInput } from "../../artifact/index.ts";
import { type RunRecord, runManifestFields, runRecordFiles } from "../../core/index.ts";
import type { ScoringEngine } from "./engine.ts";
import type { RecommenderOptions } from "./options.ts";
import { type CommonState, RECOMMENDER_FAMILY, RECOMMENDER_TASK } from "./recommender-types.ts";

/**
 * The manifest and files of a recommender (see `loadRecommender` for reading them back).
 *
 * @example
 * const { manifest, files } = recommenderArtifactParts(options, state, engine, null);
 */
export function recommenderArtifactParts(
  options: RecommenderOptions,
  s: CommonState,
  engine: ScoringEngine,
  runRecord: RunRecord | null,
): { manifest: ManifestInput; files: Record<string, Uint8Array> } {
  const catalog = s.catalog;
  const history = s.histories.toMatrix(catalog.size);
  const parts = engine.parts();
  const files: Record<string, Uint8Array> = {
    "catalog.jsonl": Buffer.from(catalog.items.map((item) => `${JSON.stringify(item)}\n`).join("")),
    "users.json": Buffer.from(JSON.stringify(s.userIds)),
    "history.indptr.i32": bytesOf(history.indptr),
    "history.items.i32": bytesOf(history.indices),
    "history.weights.f32": bytesOf(history.data),
    "popularity.f32": bytesOf(s.popularity.scores),
    "item-time.f64": new Uint8Array(
      s.popularity.itemTime.buffer,
      s.popularity.itemTime.byteOffset,
      s.popularity.itemTime.byteLength,
    ),
  };
  if (s.ratings !== null) files["ratings.f32"] = bytesOf(s.ratings.toFloats());
  for (const [name, data] of Object.entries(parts.files)) files[`engine.${name}`] = data;
  const state = {
    weights: s.weights,
    timed: s.timed,
    popularity: {
      anchor: s.popularity.anchor,
      latest: s.popularity.latest,
      halfLifeSeconds: s.popularity.halfLifeSeconds,
    },
    engine: parts.state,
  };
  files["state.json"] = Buffer.from(`${JSON.stringify(state, null, 2)}\n`);
  Object.assign(files, runRecordFiles(runRecord));
  return {
    manifest: {
      family: RECOMMENDER_FAMILY,
      task: RECOMMENDER_TASK,
      options: { ...options },
      ...runManifestFields(runRecord),
    },
    files,
  };
}
