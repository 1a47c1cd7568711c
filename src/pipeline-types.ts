/**
 * The tasks `pipeline()` knows and the typed function it returns for each. Every pipeline
 * has `close()`: it releases what the pipeline opened (a pretrained encoder's runtime
 * session), is a no-op where nothing was opened, and a second call does nothing.
 */
import type { Assistant, ConversationState, Reply } from "./apps/assist/index.ts";
import { ASSISTANT_FAMILY } from "./apps/assist/index.ts";
import {
  CLASSIFIER_FAMILY,
  type EncoderClassifier,
  type LanguageGuess,
  type PredictOptions,
  type TextClassifier,
} from "./models/classifier/index.ts";
import { CLUSTER_FAMILY, type ClusterAssignment, type TextClusterModel } from "./models/cluster/index.ts";
import {
  RECOMMENDER_FAMILY,
  type Recommendation,
  type Recommender,
  type RecommendOptions,
} from "./models/recommender/index.ts";
import {
  RETRIEVAL_FAMILY,
  type RetrievalIndex,
  type SearchHit,
  type SearchOptions,
} from "./models/retrieval/index.ts";
import {
  type EntitySpan,
  type SequenceTagger,
  TAGGER_FAMILY,
  type TagPredictOptions,
} from "./models/tagger/index.ts";

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

/** A model family `pipeline()` loads. */
export type PipelineFamily = (typeof PIPELINE_TASKS)[keyof typeof PIPELINE_TASKS];

export interface LabelScore {
  label: string;
  score: number;
}

/** What every pipeline has beside its function. */
export interface Closable {
  /**
   * Releases what the pipeline opened: the pretrained encoder a model on one needs, when
   * the pipeline loaded it (not an encoder passed in `options.encoder`, which its caller
   * closes). A no-op for models without one; a second call does nothing. The pipeline
   * must not be called after it.
   */
  close(): Promise<void>;
}

export interface ClassificationPipeline extends Closable {
  /** The labels of one text, best first (k of them, default 1). */
  (text: string, options?: PredictOptions): Promise<LabelScore[]>;
  /** The labels of each text. */
  (texts: readonly string[], options?: PredictOptions): Promise<LabelScore[][]>;
  readonly task: "classification";
  /** An n-gram classifier, or a head on a pretrained encoder (`classify train --encoder`). */
  readonly model: TextClassifier | EncoderClassifier;
}

export interface EntitiesPipeline extends Closable {
  (text: string, options?: TagPredictOptions): Promise<EntitySpan[]>;
  (texts: readonly string[], options?: TagPredictOptions): Promise<EntitySpan[][]>;
  readonly task: "entities";
  /** The tagger; one on a pretrained encoder tags through `predictAsync`. */
  readonly model: SequenceTagger;
}

export interface SearchPipeline extends Closable {
  (query: string, options?: SearchOptions): Promise<SearchHit[]>;
  readonly task: "search";
  readonly model: RetrievalIndex;
}

export interface ClusteringPipeline extends Closable {
  /** The cluster of one text. */
  (text: string): Promise<ClusterAssignment>;
  /** The cluster of each text. */
  (texts: readonly string[]): Promise<ClusterAssignment[]>;
  readonly task: "clustering";
  readonly model: TextClusterModel;
}

export interface RecommendationPipeline extends Closable {
  (user: string, options?: RecommendOptions): Promise<Recommendation[]>;
  readonly task: "recommendation";
  /** The recommender; with `options.encoder`, its `addItemsAsync` embeds new items. */
  readonly model: Recommender;
}

export interface AssistantPipeline extends Closable {
  /** The assistant's reply; pass the previous reply's `state` to carry a conversation on. */
  (message: string, state?: ConversationState): Promise<Reply>;
  readonly task: "assistant";
  readonly model: Assistant;
}

export interface LangidPipeline extends Closable {
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
