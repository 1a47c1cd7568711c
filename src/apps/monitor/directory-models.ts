/**
 * The monitor's models read from a models directory (`<dir>/<name>/`, as `textkit serve`
 * reads it), for the command line, where no server registry runs. Every model the
 * configuration names is loaded up front, so that a missing or wrong model stops the
 * command before any document is read.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { activeVersionDir, MODEL_NAME_PATTERN } from "../../artifact/index.ts";
import { type SentenceEncoder, TextkitError } from "../../core/index.ts";
import {
  CLASSIFIER_FAMILY,
  EncoderClassifier,
  encoderHeadOf,
  loadClassifier,
  loadEncoderClassifier,
  type TextClassifier,
  unpackEncoderBundle,
} from "../../models/classifier/index.ts";
import { type LoadEncoderOptions, loadEncoder } from "../../models/encoder/index.ts";
import { loadTagger, type SequenceTagger, TAGGER_FAMILY } from "../../models/tagger/index.ts";
import { TEXT_LANGUAGES, type TokenIdLists, type TokenSink } from "../../text/index.ts";
import type { ModelChoice, MonitorConfig } from "./config.ts";
import type { EntityFinder, MonitorModelSource, TextLabeler } from "./pipeline.ts";

/**
 * The folder of `name`'s active version in `root`, chosen as the server's registry chooses
 * (`activeVersionDir`: the artifact itself, else the pinned version, else the newest; dot
 * folders and names outside the version pattern are never versions; symbolic links are
 * followed). A name the server would not serve is not found either.
 */
async function modelDir(root: string, name: string): Promise<string> {
  const dir = join(root, name);
  if (!MODEL_NAME_PATTERN.test(name) || !existsSync(dir)) {
    throw new TextkitError("MODEL_NOT_FOUND", `the monitor's model '${name}' is not in ${root}`, {
      file: dir,
    });
  }
  const active = await activeVersionDir(dir);
  if (active === null) {
    throw new TextkitError("ARTIFACT_NOT_FOUND", `${dir} holds no model (no manifest.json)`, { file: dir });
  }
  return active;
}

function names(choice: ModelChoice | null): string[] {
  if (choice === null) return [];
  if (typeof choice === "string") return [choice];
  return TEXT_LANGUAGES.flatMap((l) => (choice[l] === undefined ? [] : [choice[l]!]));
}

function family(dir: string): string {
  try {
    return String(
      (JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as { family?: unknown }).family,
    );
  } catch {
    return "unknown";
  }
}

/**
 * Loads the classifiers and taggers a configuration names from `root`.
 *
 * @example
 * const models = await loadDirectoryModels("models", config);
 * const monitor = await Monitor.open({ db, config, models });
 */
export async function loadDirectoryModels(root: string, config: MonitorConfig): Promise<MonitorModelSource> {
  const classifiers = new Map<string, TextClassifier | EncoderClassifier>();
  const encoders = new Map<string, Promise<SentenceEncoder>>();
  const taggers = new Map<string, SequenceTagger>();
  const dirs = new Map<string, string>();
  for (const [task, choice] of [
    ["topic", config.models.topic],
    ["sentiment", config.models.sentiment],
  ] as const) {
    for (const name of names(choice)) {
      if (classifiers.has(name)) continue;
      const dir = await modelDir(root, name);
      if (family(dir) !== CLASSIFIER_FAMILY) {
        throw new TextkitError(
          "MONITOR_CONFIG_INVALID",
          `models.${task} names '${name}', which is a ${family(dir)}, not a classifier`,
          { file: dir, details: { path: `models.${task}` } },
        );
      }
      classifiers.set(name, await loadAnyClassifier(dir, encoders));
      dirs.set(name, dir);
    }
  }
  for (const name of names(config.models.entities)) {
    if (taggers.has(name)) continue;
    const dir = await modelDir(root, name);
    if (family(dir) !== TAGGER_FAMILY) {
      throw new TextkitError(
        "MONITOR_CONFIG_INVALID",
        `models.entities names '${name}', which is a ${family(dir)}, not a tagger`,
        { file: dir, details: { path: "models.entities" } },
      );
    }
    taggers.set(name, await loadTagger(dir));
    dirs.set(name, dir);
  }
  return {
    labeler: (name) => classifierLabeler(classifiers.get(name)!),
    entityFinder: (name) => taggerFinder(taggers.get(name)!),
    artifactDir: (name) => dirs.get(name)!,
  };
}

/**
 * An n-gram classifier, or a head on a pretrained encoder with its encoder (bundled in the
 * artifact, else at the folder it was trained with), one encoder per checksum in
 * `encoders`, opened with `encoderOptions` (the pool's workers: one runtime thread each).
 *
 * @example
 * const model = await loadAnyClassifier("models/topics", new Map(), { threads: 1 });
 */
export async function loadAnyClassifier(
  dir: string,
  encoders: Map<string, Promise<SentenceEncoder>>,
  encoderOptions: LoadEncoderOptions = {},
): Promise<TextClassifier | EncoderClassifier> {
  const head = await encoderHeadOf(dir);
  if (head === null) return loadClassifier(dir);
  const from = head.bundled ? await unpackEncoderBundle(dir) : head.encoder.path;
  if (from === null) {
    throw new TextkitError(
      "HEAD_ENCODER_REQUIRED",
      `the classifier in ${dir} is a head on the encoder ${head.encoder.id} and names no folder for it; train it again with --bundle`,
      { file: dir },
    );
  }
  let encoder = encoders.get(head.encoder.checksum);
  if (encoder === undefined) {
    encoder = loadEncoder(from, encoderOptions);
    encoders.set(head.encoder.checksum, encoder);
  }
  return loadEncoderClassifier(dir, await encoder);
}

/** A loaded classifier as the pipeline uses it: its best label, from texts or shared tokens. */
export function classifierLabeler(model: TextClassifier | EncoderClassifier): TextLabeler {
  const best = (p: { labels: string[]; scores: number[] }) => ({ label: p.labels[0]!, score: p.scores[0]! });
  if (model instanceof EncoderClassifier) {
    // A head reads texts through its encoder: no token path to share.
    return { top: async (texts) => (await model.predict(texts, { k: 1 })).map(best) };
  }
  const path = {
    key: model.tokenization,
    tokenize: (text: string) => model.tokenize(text),
    top: (tokens: readonly (readonly string[])[]) => model.topOfTokens(tokens),
    ids: {
      labels: model.labels,
      top: (lists: TokenIdLists, best: Int32Array, scores: Float64Array) =>
        model.topOfIds(lists, best, scores),
      tokenize: (text: string, sink: TokenSink) => model.tokenizeInto(text, sink),
    },
  };
  return { top: (texts) => model.predict(texts, { k: 1 }).map(best), tokens: () => path };
}

/** A loaded tagger as the pipeline uses it. */
export function taggerFinder(model: SequenceTagger): EntityFinder {
  return { find: (texts) => model.predict(texts).map((t) => t.entities) };
}
