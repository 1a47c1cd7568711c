/**
 * Reading a recommender's model directory back: its catalogue, users' histories,
 * popularity and the engine of its model, each checked before use.
 */
import { join } from "node:path";
import {
  artifactFile,
  artifactFloats,
  artifactInts,
  artifactOptions,
  readArtifact,
} from "../../artifact/index.ts";
import { runRecordOf, type SentenceEncoder, TextkitError } from "../../core/index.ts";
import { type CatalogItem, type EventWeights, ItemCatalog } from "../../data/index.ts";
import { ContentEngine } from "./content.ts";
import { encoderRefOf, type RecommenderEncoderRef } from "./content-encoder.ts";
import type { ScoringEngine } from "./engine.ts";
import { factorEngine } from "./factor-models.ts";
import { factorStateOf } from "./factors.ts";
import { Histories } from "./histories.ts";
import { HybridEngine, type HybridSources } from "./hybrid.ts";
import { ItemKnnEngine } from "./item-knn.ts";
import { type RecommenderOptions, resolveRecommenderOptions } from "./options.ts";
import { Popularity, PopularityEngine } from "./popularity.ts";
import { rankerOf } from "./ranker.ts";
import { RatingBaseline } from "./ratings.ts";
import { type CommonState, RECOMMENDER_FAMILY, Recommender } from "./recommender.ts";

/** Item times: Unix seconds, NaN where unknown; a length not a multiple of 8 or an infinity is damage. */
function float64FromBuffer(data: Buffer, file: string): Float64Array {
  const out = new Float64Array(Math.floor(data.byteLength / 8));
  new Uint8Array(out.buffer).set(data.subarray(0, out.length * 8));
  if (
    data.byteLength % 8 !== 0 ||
    out.some((v) => v === Number.POSITIVE_INFINITY || v === Number.NEGATIVE_INFINITY)
  ) {
    throw new TextkitError(
      "ARTIFACT_CORRUPT",
      `model file ${file} does not hold whole, finite 8-byte values`,
      {
        file,
      },
    );
  }
  return out;
}

/** Files whose names start with `prefix`, without it. */
function filesUnder(files: Record<string, Buffer>, prefix: string): Record<string, Buffer> {
  const out: Record<string, Buffer> = {};
  for (const [name, data] of Object.entries(files))
    if (name.startsWith(prefix)) out[name.slice(prefix.length)] = data;
  return out;
}

function loadEngine(
  options: RecommenderOptions,
  files: Record<string, Buffer>,
  state: Record<string, unknown>,
  common: CommonState,
  dir: string,
  encoder: SentenceEncoder | null,
): ScoringEngine {
  const sub = (value: unknown): Record<string, unknown> =>
    value !== null && typeof value === "object" ? (value as Record<string, unknown>) : {};
  switch (options.model) {
    case "popularity":
      return new PopularityEngine(common.popularity);
    case "knn":
      return ItemKnnEngine.fromParts(files, state, dir);
    case "content":
      return ContentEngine.fromParts(files, state, common.catalog, dir, encoder);
    case "als":
    case "bpr":
      return factorEngine(options.model, factorStateOf(files, state, options.model === "bpr", dir), options);
    case "hybrid": {
      const name = options.hybridFactors;
      const factors = factorEngine(
        name,
        factorStateOf(filesUnder(files, "factors."), sub(state["factors"]), name === "bpr", dir),
        options,
      );
      const sources: HybridSources = {
        factors,
        knn: ItemKnnEngine.fromParts(filesUnder(files, "knn."), sub(state["knn"]), dir),
        content: ContentEngine.fromParts(
          filesUnder(files, "content."),
          sub(state["content"]),
          common.catalog,
          dir,
          encoder,
        ),
        popularity: common.popularity,
      };
      return new HybridEngine(sources, rankerOf(state["ranker"], dir), options.candidates, common.catalog);
    }
  }
}

export interface LoadRecommenderOptions {
  /**
   * For a content or hybrid model on a pretrained encoder: that encoder (the same
   * checksum, ENCODER_CHANGED otherwise), so that `addItemsAsync` can embed new items.
   * Recommending needs no encoder: the item vectors are stored in the model.
   */
  encoder?: SentenceEncoder;
}

/**
 * Loads a model directory written by `save`, verifying its checksums.
 *
 * @example
 * const model = await loadRecommender("models/movies");
 * model.recommend("u42", { k: 10 });
 */
export async function loadRecommender(dir: string, load: LoadRecommenderOptions = {}): Promise<Recommender> {
  const artifact = await readArtifact(dir, RECOMMENDER_FAMILY);
  const corrupt = (what: string) =>
    new TextkitError("ARTIFACT_CORRUPT", `${what} in ${dir} is missing or damaged`, { file: dir });
  const need = (name: string): Buffer => artifactFile(artifact, name);
  const options = artifactOptions(artifact, (stored) =>
    resolveRecommenderOptions(stored as Partial<RecommenderOptions>),
  );
  let state: Record<string, unknown>;
  let userIds: string[];
  const items: CatalogItem[] = [];
  try {
    state = JSON.parse(need("state.json").toString("utf8")) as Record<string, unknown>;
    userIds = JSON.parse(need("users.json").toString("utf8")) as string[];
    for (const line of need("catalog.jsonl").toString("utf8").split("\n")) {
      if (line.length > 0) items.push(JSON.parse(line) as CatalogItem);
    }
  } catch (error) {
    if (error instanceof TextkitError) throw error;
    throw new TextkitError("ARTIFACT_CORRUPT", `the catalogue, users or state in ${dir} is not valid JSON`, {
      file: dir,
      cause: error,
    });
  }
  if (!Array.isArray(userIds) || state === null || typeof state !== "object")
    throw corrupt("the model state");
  const catalog = new ItemCatalog(items, `${dir}/catalog.jsonl`);
  const n = catalog.size;
  const indptr = artifactInts(artifact, "history.indptr.i32");
  const historyItems = artifactInts(artifact, "history.items.i32");
  const historyWeights = artifactFloats(artifact, "history.weights.f32");
  const scores = artifactFloats(artifact, "popularity.f32");
  const itemTime = float64FromBuffer(need("item-time.f64"), join(dir, "item-time.f64"));
  if (
    indptr.length !== userIds.length + 1 ||
    indptr[userIds.length] !== historyItems.length ||
    historyWeights.length !== historyItems.length ||
    scores.length !== n ||
    itemTime.length !== n ||
    historyItems.some((i) => i < 0 || i >= n)
  ) {
    throw corrupt("the users' histories or the popularity");
  }
  const pop = state["popularity"] as
    | { anchor: number; latest: number; halfLifeSeconds: number | null }
    | undefined;
  if (pop === undefined || typeof pop.anchor !== "number" || typeof pop.latest !== "number")
    throw corrupt("the popularity state");
  const ratingsFile = artifact.files["ratings.f32"];
  const common: CommonState = {
    catalog,
    weights: state["weights"] as EventWeights,
    timed: state["timed"] === true,
    userIds,
    histories: new Histories({
      rows: userIds.length,
      cols: n,
      indptr,
      indices: historyItems,
      data: historyWeights,
    }),
    popularity: new Popularity(scores, itemTime, pop.anchor, pop.latest, pop.halfLifeSeconds ?? null),
    ratings:
      ratingsFile === undefined
        ? null
        : RatingBaseline.fromFloats(artifactFloats(artifact, "ratings.f32"), dir),
  };
  const engineState =
    state["engine"] !== null && typeof state["engine"] === "object"
      ? (state["engine"] as Record<string, unknown>)
      : {};
  const files = filesUnder(artifact.files, "engine.");
  const engine = loadEngine(options, files, engineState, common, dir, load.encoder ?? null);
  return new Recommender(options, common, engine, runRecordOf(artifact.files));
}

/**
 * The encoder whose embeddings a recommender's item vectors are (content, or the hybrid's
 * content source), or null for a model on TF-IDF, word vectors or no item text. Only
 * adding items needs it; callers load it (from `path`, or a folder of their own with the
 * same checksum) and pass it to `loadRecommender`.
 *
 * @example
 * const need = await recommenderEncoderNeed("models/movies"); // { id, checksum, dim, path } | null
 */
export async function recommenderEncoderNeed(dir: string): Promise<RecommenderEncoderRef | null> {
  const artifact = await readArtifact(dir, RECOMMENDER_FAMILY);
  const data = artifact.files["state.json"];
  if (data === undefined) return null;
  let state: unknown;
  try {
    state = JSON.parse(Buffer.from(data).toString("utf8"));
  } catch (cause) {
    throw new TextkitError("ARTIFACT_CORRUPT", `${join(dir, "state.json")} is not valid JSON`, {
      file: join(dir, "state.json"),
      cause,
    });
  }
  const engine = ((state ?? {}) as Record<string, unknown>)["engine"];
  const e = (engine ?? {}) as Record<string, unknown>;
  const content = e["space"] === "encoder" ? e : ((e["content"] ?? {}) as Record<string, unknown>);
  return content["space"] === "encoder" ? encoderRefOf(content["encoder"], dir) : null;
}
