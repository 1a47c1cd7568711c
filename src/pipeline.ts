/**
 * One entry point for using a trained model, as Hugging Face's `pipeline(task, model)`:
 * `await pipeline("classification", "models/intent")` reads the model directory's manifest,
 * loads the family it names, checks that the family does the task, and returns a typed
 * function with `close()`. The per-family loaders (loadClassifier, loadTagger, ...) stay
 * for everything else a model offers.
 */

import { ASSISTANT_FAMILY } from "./apps/assist/index.ts";
import { readSealedManifest } from "./artifact/index.ts";
import { TextkitError } from "./core/index.ts";
import { CLASSIFIER_FAMILY, type LanguageGuess, loadLanguageIdentifier } from "./models/classifier/index.ts";
import { CLUSTER_FAMILY, clusterEncoderNeed, loadTextClusters } from "./models/cluster/index.ts";
import { RECOMMENDER_FAMILY } from "./models/recommender/index.ts";
import {
  loadRetrievalIndex,
  RETRIEVAL_FAMILY,
  retrievalEncoderNeed,
  type SearchOptions,
  SentencePassageEncoder,
} from "./models/retrieval/index.ts";
import { TAGGER_FAMILY } from "./models/tagger/index.ts";
import { loadWithEncoder, openPipelineEncoder, type PipelineOptions } from "./pipeline-encoder.ts";
import {
  assistantPipeline,
  batched,
  classificationPipeline,
  entitiesPipeline,
  recommendationPipeline,
} from "./pipeline-families.ts";
import {
  type ClusteringPipeline,
  type LangidPipeline,
  PIPELINE_TASKS,
  type PipelineFamily,
  type PipelineOf,
  type PipelineTask,
  type SearchPipeline,
} from "./pipeline-types.ts";

export type { PipelineOptions } from "./pipeline-encoder.ts";
export type {
  AssistantPipeline,
  ClassificationPipeline,
  Closable,
  ClusteringPipeline,
  EntitiesPipeline,
  LabelScore,
  LangidPipeline,
  PipelineFamily,
  PipelineOf,
  PipelineTask,
  RecommendationPipeline,
  SearchPipeline,
} from "./pipeline-types.ts";
export { PIPELINE_TASKS } from "./pipeline-types.ts";

/**
 * Loads the model in `dir` for `task`. For "langid", `dir` is optional: a fastText language
 * model (.ftz/.bin) or a textkit model made from one; without it, the one textkit finds
 * (see loadLanguageIdentifier).
 *
 * A model on a pretrained encoder (a classifier head, a tagger on word vectors, a search
 * index, a cluster model, an assistant; a recommender only for new items) opens the
 * encoder it names: `options.encoder` (a folder, or an encoder already loaded, which the
 * caller closes), else the copy bundled in the model, else the folder recorded at training.
 * Another encoder is ENCODER_CHANGED; an encoder option for a model without one is
 * OPTION_INVALID. Every pipeline has `close()`, which releases what it opened (a no-op
 * when nothing was), so user code can always call it.
 *
 * @example
 * const classify = await pipeline("classification", "models/intent");
 * await classify("where is my card", { k: 2 }); // [{ label: "card_arrival", score: 0.91 }, ...]
 * const ner = await pipeline("entities", "models/ner");
 * await ner("Tim Cook visited Paris."); // [{ text: "Tim Cook", label: "PER", start: 0, end: 8 }, ...]
 * // A model on a pretrained encoder opens the folder it was trained with (or `{ encoder: DIR }`).
 * const topics = await pipeline("clustering", "models/topics", { encoder: "models/minilm" });
 * await topics(["my card was declined"]); // [{ cluster: 2, distance: 0.31 }]
 * await topics.close();
 */
export async function pipeline<T extends PipelineTask>(
  task: T,
  dir?: string,
  options: PipelineOptions = {},
): Promise<PipelineOf[T]> {
  const made = await makePipeline(task, dir, options);
  // makePipeline returns the function of `task`'s kind; TypeScript cannot narrow a generic key.
  return made as PipelineOf[T];
}

async function makePipeline(
  task: PipelineTask,
  dir: string | undefined,
  options: PipelineOptions,
): Promise<PipelineOf[PipelineTask]> {
  if (task === "langid") {
    const identifier = await loadLanguageIdentifier(dir === undefined ? {} : { path: dir });
    const run = batched<string, LanguageGuess[], { k?: number }>((texts, o) =>
      identifier.identify(texts, o?.k ?? 1),
    );
    return Object.assign(run, { task: "langid" as const, close: async () => {} }) as LangidPipeline;
  }
  const family = PIPELINE_TASKS[task];
  if (family === undefined) {
    throw new TextkitError(
      "OPTION_INVALID",
      `unknown pipeline task '${String(task)}'; tasks: ${[...Object.keys(PIPELINE_TASKS), "langid"].join(", ")}`,
    );
  }
  if (dir === undefined) {
    throw new TextkitError("OPTION_INVALID", `the ${task} pipeline needs a model directory`);
  }
  const manifest = await readSealedManifest(dir);
  if (manifest.family !== family) {
    const fits = Object.entries(PIPELINE_TASKS)
      .filter(([, f]) => f === manifest.family)
      .map(([t]) => t);
    throw new TextkitError(
      "ARTIFACT_FOREIGN",
      `${dir} holds a ${manifest.family} model, which does not do '${task}'` +
        (fits.length > 0 ? `; use pipeline("${fits[0]}", ...)` : ""),
      { file: dir },
    );
  }
  return loadPipeline(family, dir, options);
}

function loadPipeline(
  family: PipelineFamily,
  dir: string,
  options: PipelineOptions,
): Promise<PipelineOf[PipelineTask]> {
  switch (family) {
    case CLASSIFIER_FAMILY:
      return classificationPipeline(dir, options);
    case TAGGER_FAMILY:
      return entitiesPipeline(dir, options);
    case RETRIEVAL_FAMILY:
      return searchPipeline(dir, options);
    case CLUSTER_FAMILY:
      return clusteringPipeline(dir, options);
    case RECOMMENDER_FAMILY:
      return recommendationPipeline(dir, options);
    case ASSISTANT_FAMILY:
      return assistantPipeline(dir, options);
  }
}

/** A search index; one on a pretrained encoder searches through it (opened as `options` say). */
async function searchPipeline(dir: string, options: PipelineOptions): Promise<SearchPipeline> {
  const opened = await openPipelineEncoder(await retrievalEncoderNeed(dir), dir, options);
  const model = await loadWithEncoder(opened, () =>
    loadRetrievalIndex(
      dir,
      opened === null
        ? { allowMissingEncoder: true }
        : { encoder: new SentencePassageEncoder(opened.encoder, { path: opened.path }) },
    ),
  );
  const run = (query: string, o?: SearchOptions) => model.searchAsync(query, o);
  return Object.assign(run, {
    task: "search" as const,
    model,
    close: opened === null ? async () => {} : opened.close,
  });
}

/** A text cluster model; one on a pretrained encoder assigns through it (opened as `options` say). */
async function clusteringPipeline(dir: string, options: PipelineOptions): Promise<ClusteringPipeline> {
  const opened = await openPipelineEncoder(await clusterEncoderNeed(dir), dir, options);
  const model = await loadWithEncoder(opened, () =>
    loadTextClusters(dir, opened === null ? {} : { encoder: opened.encoder }),
  );
  const run = async (input: string | readonly string[]) => {
    const many = Array.isArray(input);
    const texts: readonly string[] = many ? (input as readonly string[]) : [input as string];
    const out = model.encoderRef === null ? model.predict(texts) : await model.predictAsync(texts);
    return many ? out : out[0];
  };
  return Object.assign(run, {
    task: "clustering" as const,
    model,
    close: opened === null ? async () => {} : opened.close,
  }) as ClusteringPipeline;
}
