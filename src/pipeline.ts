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
  loadRecommender,
  RECOMMENDER_FAMILY,
  type Recommendation,
  type Recommender,
  type RecommendOptions,
} from "./models/recommender/index.ts";
import {
  loadRetrievalIndex,
  RETRIEVAL_FAMILY,
  type RetrievalIndex,
  type SearchHit,
  type SearchOptions,
} from "./models/retrieval/index.ts";
import {
  type EntitySpan,
  loadTagger,
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
 */
export async function pipeline<T extends PipelineTask>(task: T, dir?: string): Promise<PipelineOf[T]> {
  const made = await makePipeline(task, dir);
  // makePipeline returns the function of `task`'s kind; TypeScript cannot narrow a generic key.
  return made as PipelineOf[T];
}

async function makePipeline(task: PipelineTask, dir: string | undefined): Promise<PipelineOf[PipelineTask]> {
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
  return loadPipeline(family, dir);
}

async function loadPipeline(
  family: (typeof PIPELINE_TASKS)[keyof typeof PIPELINE_TASKS],
  dir: string,
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
    case RETRIEVAL_FAMILY: {
      const model = await loadRetrievalIndex(dir, { allowMissingEncoder: true });
      const run = (query: string, options?: SearchOptions) => model.searchAsync(query, options);
      return Object.assign(run, { task: "search" as const, model });
    }
    case RECOMMENDER_FAMILY: {
      const model = await loadRecommender(dir);
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
