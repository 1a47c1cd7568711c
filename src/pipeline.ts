/**
 * One entry point for using a trained model, as Hugging Face's `pipeline(task, model)`:
 * `await pipeline("classification", "models/intent")` reads the model directory's manifest,
 * loads the family it names, checks that the family does the task, and returns a typed
 * function. The per-family loaders (loadClassifier, loadTagger, ...) stay for everything
 * else a model offers.
 */

import type { ConversationState, Reply } from "./apps/assist/index.ts";
import { ASSISTANT_FAMILY, type Assistant, loadAssistant, NEW_CONVERSATION } from "./apps/assist/index.ts";
import { readSealedManifest } from "./artifact/index.ts";
import { TextkitError } from "./core/index.ts";
import {
  CLASSIFIER_FAMILY,
  type LanguageGuess,
  loadClassifier,
  loadLanguageIdentifier,
  type PredictOptions,
  type TextClassifier,
} from "./models/classifier/index.ts";
import {
  CLUSTER_FAMILY,
  type ClusterAssignment,
  clusterEncoderNeed,
  loadTextClusters,
  type TextClusterModel,
} from "./models/cluster/index.ts";
import {
  loadRecommender,
  RECOMMENDER_FAMILY,
  type Recommendation,
  type Recommender,
  type RecommendOptions,
  recommenderEncoderNeed,
} from "./models/recommender/index.ts";
import {
  loadRetrievalIndex,
  RETRIEVAL_FAMILY,
  type RetrievalIndex,
  retrievalEncoderNeed,
  type SearchHit,
  type SearchOptions,
  SentencePassageEncoder,
} from "./models/retrieval/index.ts";
import {
  type EntitySpan,
  loadTagger,
  type SequenceTagger,
  TAGGER_FAMILY,
  type TagPredictOptions,
} from "./models/tagger/index.ts";
import { loadWithEncoder, openPipelineEncoder, type PipelineOptions } from "./pipeline-encoder.ts";

export type { PipelineOptions } from "./pipeline-encoder.ts";

/** A task's name, and the names Hugging Face users know for the same task. */
export const PIPELINE_TASKS = {
  classification: CLASSIFIER_FAMILY,
  "text-classification": CLASSIFIER_FAMILY,
  "sentiment-analysis": CLASSIFIER_FAMILY,
  entities: TAGGER_FAMILY,
  ner: TAGGER_FAMILY,
  "token-classification": TAGGER_FAMILY,
  search: RETRIEVAL_FAMILY,
  clustering: CLUSTER_FAMILY,
  "text-clustering": CLUSTER_FAMILY,
  recommendation: RECOMMENDER_FAMILY,
  assistant: ASSISTANT_FAMILY,
} as const;

export type PipelineTask = keyof typeof PIPELINE_TASKS | "langid";

export interface LabelScore {
  label: string;
  score: number;
}

export interface ClassificationPipeline {
  /** The labels of one text, best first (k of them, default 1). */
  (text: string, options?: PredictOptions): Promise<LabelScore[]>;
  /** The labels of each text. */
  (texts: readonly string[], options?: PredictOptions): Promise<LabelScore[][]>;
  readonly task: "classification";
  readonly model: TextClassifier;
}

export interface EntitiesPipeline {
  (text: string, options?: TagPredictOptions): Promise<EntitySpan[]>;
  (texts: readonly string[], options?: TagPredictOptions): Promise<EntitySpan[][]>;
  readonly task: "entities";
  readonly model: SequenceTagger;
}

export interface SearchPipeline {
  (query: string, options?: SearchOptions): Promise<SearchHit[]>;
  readonly task: "search";
  readonly model: RetrievalIndex;
  /** Releases the pretrained encoder the pipeline opened (none for BM25 or word vectors). */
  close(): Promise<void>;
}

export interface ClusteringPipeline {
  /** The cluster of one text. */
  (text: string): Promise<ClusterAssignment>;
  /** The cluster of each text. */
  (texts: readonly string[]): Promise<ClusterAssignment[]>;
  readonly task: "clustering";
  readonly model: TextClusterModel;
  /** Releases the pretrained encoder the pipeline opened (none for TF-IDF or word vectors). */
  close(): Promise<void>;
}

export interface RecommendationPipeline {
  (user: string, options?: RecommendOptions): Promise<Recommendation[]>;
  readonly task: "recommendation";
  readonly model: Recommender;
}

export interface AssistantPipeline {
  /** The assistant's reply; pass the previous reply's `state` to carry a conversation on. */
  (message: string, state?: ConversationState): Promise<Reply>;
  readonly task: "assistant";
  readonly model: Assistant;
}

export interface LangidPipeline {
  (text: string, options?: { k?: number }): Promise<LanguageGuess[]>;
  (texts: readonly string[], options?: { k?: number }): Promise<LanguageGuess[][]>;
  readonly task: "langid";
}

export interface PipelineOf {
  classification: ClassificationPipeline;
  "text-classification": ClassificationPipeline;
  "sentiment-analysis": ClassificationPipeline;
  entities: EntitiesPipeline;
  ner: EntitiesPipeline;
  "token-classification": EntitiesPipeline;
  search: SearchPipeline;
  clustering: ClusteringPipeline;
  "text-clustering": ClusteringPipeline;
  recommendation: RecommendationPipeline;
  assistant: AssistantPipeline;
  langid: LangidPipeline;
}

/** One text or many: the function answers in kind. */
function batched<I, O, Opt>(run: (inputs: readonly I[], options: Opt | undefined) => O[]) {
  return (input: I | readonly I[], options?: Opt): Promise<O | O[]> => {
    const many = Array.isArray(input);
    const inputs: readonly I[] = many ? (input as readonly I[]) : [input as I];
    const out = run(inputs, options);
    return Promise.resolve(many ? out : out[0]!);
  };
}

/**
 * Loads the model in `dir` for `task`. For "langid", `dir` is optional: a fastText language
 * model (.ftz/.bin) or a textkit model made from one; without it, the one textkit finds
 * (see loadLanguageIdentifier).
 *
 * @example
 * const classify = await pipeline("classification", "models/intent");
 * await classify("where is my card", { k: 2 }); // [{ label: "card_arrival", score: 0.91 }, ...]
 * const ner = await pipeline("entities", "models/ner");
 * await ner("Tim Cook visited Paris."); // [{ text: "Tim Cook", label: "PER", start: 0, end: 8 }, ...]
 * // A search index or cluster model on a pretrained encoder opens the folder it was built
 * // with (or `{ encoder: DIR }`); close() releases it.
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
    return Object.assign(run, { task: "langid" as const }) as LangidPipeline;
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

async function loadPipeline(
  family: (typeof PIPELINE_TASKS)[keyof typeof PIPELINE_TASKS],
  dir: string,
  options: PipelineOptions,
): Promise<PipelineOf[PipelineTask]> {
  switch (family) {
    case CLASSIFIER_FAMILY: {
      const model = await loadClassifier(dir);
      const run = batched<string, LabelScore[], PredictOptions>((texts, o) =>
        model.predict(texts, o).map((p) => p.labels.map((label, i) => ({ label, score: p.scores[i]! }))),
      );
      return Object.assign(run, { task: "classification" as const, model }) as ClassificationPipeline;
    }
    case TAGGER_FAMILY: {
      const model = await loadTagger(dir);
      const run = batched<string, EntitySpan[], TagPredictOptions>((texts, o) =>
        model.predict(texts, o).map((r) => r.entities),
      );
      return Object.assign(run, { task: "entities" as const, model }) as EntitiesPipeline;
    }
    case RETRIEVAL_FAMILY:
      return searchPipeline(dir, options);
    case CLUSTER_FAMILY:
      return clusteringPipeline(dir, options);
    case RECOMMENDER_FAMILY: {
      // Recommending needs no encoder (the item vectors are stored); one given serves addItemsAsync.
      const opened = await openPipelineEncoder(await recommenderEncoderNeed(dir), dir, options, false);
      const model = await loadWithEncoder(opened, () =>
        loadRecommender(dir, opened === null ? {} : { encoder: opened.encoder }),
      );
      const run = (user: string, options?: RecommendOptions) =>
        Promise.resolve(model.recommend(user, options));
      return Object.assign(run, { task: "recommendation" as const, model });
    }
    case ASSISTANT_FAMILY: {
      const model = await loadAssistant(dir);
      const run = (message: string, state: ConversationState = NEW_CONVERSATION) =>
        model.replyAsync(message, state);
      return Object.assign(run, { task: "assistant" as const, model });
    }
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
  return Object.assign(run, { task: "search" as const, model, close: async () => opened?.close() });
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
    close: async () => opened?.close(),
  }) as ClusteringPipeline;
}
