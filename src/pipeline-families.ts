/**
 * The pipelines of the families whose models may sit on a pretrained encoder beside search
 * and clustering (issue 12): a classifier head (`classify train --encoder`, with or without
 * `--ensemble`), a tagger on an encoder's word vectors, a recommender and an assistant. Each
 * opens the encoder the model names (the bundled copy or the folder recorded at training,
 * or `options.encoder`), answers through the asynchronous path, and releases it on `close()`.
 */
import { join } from "node:path";
import {
  type AssistantRuntime,
  type ConversationState,
  loadAssistant,
  NEW_CONVERSATION,
} from "./apps/assist/index.ts";
import { TextkitError } from "./core/index.ts";
import {
  type EncoderClassifier,
  encoderHeadOf,
  loadClassifier,
  loadEncoderClassifier,
  type PredictOptions,
  type TextClassifier,
  unpackEncoderBundle,
} from "./models/classifier/index.ts";
import {
  loadRecommender,
  type RecommendOptions,
  recommenderEncoderNeed,
} from "./models/recommender/index.ts";
import {
  type EntitySpan,
  loadTagger,
  type TagPredictOptions,
  taggerEncoderNeed,
} from "./models/tagger/index.ts";
import {
  closeOnce,
  isWordEncoder,
  loadWithEncoder,
  openPipelineEncoder,
  type PipelineOptions,
} from "./pipeline-encoder.ts";
import type {
  AssistantPipeline,
  ClassificationPipeline,
  EntitiesPipeline,
  LabelScore,
  RecommendationPipeline,
} from "./pipeline-types.ts";

/** One text or many: the function answers in kind (`run` may answer at once or later). */
export function batched<I, O, Opt>(
  run: (inputs: readonly I[], options: Opt | undefined) => O[] | Promise<O[]>,
) {
  return async (input: I | readonly I[], options?: Opt): Promise<O | O[] | undefined> => {
    const many = Array.isArray(input);
    const inputs: readonly I[] = many ? (input as readonly I[]) : [input as I];
    const out = await run(inputs, options);
    return many ? out : out[0];
  };
}

const noClose = async (): Promise<void> => {};

/**
 * A classifier: an n-gram model as it is; a head on a pretrained encoder (alone or in an
 * ensemble with its n-gram part) on the encoder given, else its bundled copy, else the
 * folder it was trained with (ENCODER_CHANGED for another encoder).
 */
export async function classificationPipeline(
  dir: string,
  options: PipelineOptions,
): Promise<ClassificationPipeline> {
  const head = await encoderHeadOf(dir);
  let path: string | null = null;
  if (head !== null) {
    path = options.encoder === undefined && head.bundled ? await unpackEncoderBundle(dir) : head.encoder.path;
  }
  const need = head === null ? null : { ...head.encoder, path };
  const opened = await openPipelineEncoder(need, dir, options);
  const model = await loadWithEncoder<TextClassifier | EncoderClassifier>(opened, () =>
    opened === null ? loadClassifier(dir) : loadEncoderClassifier(dir, opened.encoder),
  );
  const run = batched<string, LabelScore[], PredictOptions>(async (texts, o) =>
    (await model.predict(texts, o)).map((p) =>
      p.labels.map((label, i) => ({ label, score: p.scores[i] ?? Number.NaN })),
    ),
  );
  return Object.assign(run, {
    task: "classification" as const,
    model,
    close: opened === null ? noClose : opened.close,
  }) as ClassificationPipeline;
}

/** A tagger; one on a pretrained encoder's word vectors tags through `predictAsync`. */
export async function entitiesPipeline(dir: string, options: PipelineOptions): Promise<EntitiesPipeline> {
  const opened = await openPipelineEncoder(await taggerEncoderNeed(dir), dir, options);
  const model = await loadWithEncoder(opened, async () => {
    if (opened === null) return loadTagger(dir);
    if (!isWordEncoder(opened.encoder)) {
      throw new TextkitError(
        "OPTION_INVALID",
        `the tagger in ${dir} reads word vectors, and the encoder given has no embedWords: pass its folder or a loaded encoder (loadEncoder)`,
        { file: dir },
      );
    }
    return loadTagger(dir, { encoder: opened.encoder });
  });
  const run = batched<string, EntitySpan[], TagPredictOptions>(async (texts, o) => {
    const tagged = opened === null ? model.predict(texts, o) : await model.predictAsync(texts, o);
    return tagged.map((r) => r.entities);
  });
  return Object.assign(run, {
    task: "entities" as const,
    model,
    close: opened === null ? noClose : opened.close,
  }) as EntitiesPipeline;
}

/**
 * A recommender. Recommending needs no encoder (the item vectors are stored); one given
 * serves `model.addItemsAsync`, and `close()` releases it when the pipeline opened it.
 */
export async function recommendationPipeline(
  dir: string,
  options: PipelineOptions,
): Promise<RecommendationPipeline> {
  const opened = await openPipelineEncoder(await recommenderEncoderNeed(dir), dir, options, false);
  const model = await loadWithEncoder(opened, () =>
    loadRecommender(dir, opened === null ? {} : { encoder: opened.encoder }),
  );
  const run = (user: string, o?: RecommendOptions) => Promise.resolve(model.recommend(user, o));
  return Object.assign(run, {
    task: "recommendation" as const,
    model,
    close: opened === null ? noClose : opened.close,
  });
}

/** How `loadAssistant` finds the encoder `options` name (the folder, or the encoder itself). */
function assistantRuntime(options: PipelineOptions): AssistantRuntime {
  const given = options.encoder;
  const encoderOptions = {
    ...(options.encoderThreads === undefined ? {} : { threads: options.encoderThreads }),
    ...(options.encoderCache === undefined ? {} : { cacheDir: options.encoderCache }),
  };
  if (given === undefined) return { encoderOptions };
  if (typeof given === "string") return { encoderDir: given, encoderOptions };
  // An encoder already loaded: the assistant uses it as it is and never closes it.
  return { encoder: given };
}

/**
 * An assistant; one on a pretrained encoder opens it as `options` say (the folder given,
 * else its bundled copy, else the folder it was trained with), and `close()` closes the
 * assistant, which releases the encoder it opened. An encoder passed already loaded is
 * used as it is (never closed here), whether or not the assistant carries or names its folder.
 */
export async function assistantPipeline(dir: string, options: PipelineOptions): Promise<AssistantPipeline> {
  const model = await loadAssistant(dir, assistantRuntime(options));
  if (options.encoder !== undefined && model.encoder === null) {
    await model.close();
    throw new TextkitError(
      "OPTION_INVALID",
      `the assistant in ${dir} is not on a pretrained encoder: leave out the encoder option`,
      { file: join(dir, "manifest.json") },
    );
  }
  const run = (message: string, state: ConversationState = NEW_CONVERSATION) =>
    model.replyAsync(message, state);
  return Object.assign(run, {
    task: "assistant" as const,
    model,
    close: closeOnce(() => model.close()),
  });
}
