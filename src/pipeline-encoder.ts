/**
 * The pretrained encoder a pipeline's model needs (issue 12): search indexes, cluster
 * models and recommenders built on one name it by checksum and record the folder it was
 * loaded from. A pipeline opens that folder, or the one given in its options, or takes an
 * encoder already loaded; the model's loader refuses another one (ENCODER_CHANGED).
 */
import { join } from "node:path";
import { type SentenceEncoder, TextkitError, type WordEncoder } from "./core/index.ts";
import { loadEncoder } from "./models/encoder/index.ts";

/** What a pipeline may be told beside the task and the model directory. */
export interface PipelineOptions {
  /**
   * For a model on a pretrained encoder: the encoder's folder, or an encoder already loaded
   * (the caller then closes it). Default: the folder recorded when the model was trained.
   */
  encoder?: string | SentenceEncoder;
  /** Threads of the encoder's runtime when the pipeline opens it (default: every core). */
  encoderThreads?: number;
  /** Folder of the on-disk embedding cache when the pipeline opens the encoder. */
  encoderCache?: string;
}

/** The encoder a model names: its id, checksum and the folder it was trained from. */
export interface EncoderNeed {
  id: string;
  checksum: string;
  path: string | null;
}

/** An encoder in use by a pipeline; `close` releases it when the pipeline opened it. */
export interface PipelineEncoder {
  encoder: SentenceEncoder;
  path: string | null;
  close(): Promise<void>;
}

/**
 * Opens the encoder `need` names (null: the model has none) as `options` say. With
 * `required` false, no encoder is opened unless the options name one.
 */
export async function openPipelineEncoder(
  need: EncoderNeed | null,
  dir: string,
  options: PipelineOptions,
  required = true,
): Promise<PipelineEncoder | null> {
  const given = options.encoder;
  if (need === null) {
    if (given !== undefined) {
      throw new TextkitError(
        "OPTION_INVALID",
        `the model in ${dir} is not on a pretrained encoder: leave out the encoder option`,
        { file: join(dir, "manifest.json") },
      );
    }
    return null;
  }
  if (given !== undefined && typeof given !== "string") {
    return { encoder: given, path: need.path, close: async () => {} };
  }
  if (given === undefined && !required) return null;
  const folder = given ?? need.path;
  if (folder === null) {
    throw new TextkitError(
      "HEAD_ENCODER_REQUIRED",
      `the model in ${dir} is on the encoder ${need.id}, and no folder of it is recorded: pass { encoder: DIR }`,
      { file: join(dir, "manifest.json") },
    );
  }
  const encoder = await loadEncoder(folder, {
    ...(options.encoderThreads === undefined ? {} : { threads: options.encoderThreads }),
    ...(options.encoderCache === undefined ? {} : { cacheDir: options.encoderCache }),
  }).catch((cause: unknown) => {
    // The folder recorded at training is gone: say which option finds the encoder.
    if (given !== undefined || !(cause instanceof TextkitError) || cause.code !== "ENCODER_FILE_MISSING")
      throw cause;
    throw new TextkitError(
      "HEAD_ENCODER_REQUIRED",
      `the model in ${dir} is on the encoder ${need.id}, which is no longer at ${folder}: pass { encoder: DIR }`,
      { file: join(dir, "manifest.json"), cause },
    );
  });
  return { encoder, path: folder, close: closeOnce(() => encoder.close()) };
}

/** `close` run once: later calls wait for the first and do nothing more. */
export function closeOnce(close: () => Promise<void>): () => Promise<void> {
  let closing: Promise<void> | null = null;
  return () => {
    closing ??= close();
    return closing;
  };
}

/** Whether `encoder` also gives word vectors (what a tagger on an encoder reads). */
export function isWordEncoder(encoder: SentenceEncoder): encoder is WordEncoder {
  return typeof Reflect.get(encoder, "embedWords") === "function";
}

/** Runs `load`, closing `opened` if it fails (a refused encoder must not stay open). */
export async function loadWithEncoder<T>(opened: PipelineEncoder | null, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    await opened?.close();
    throw error;
  }
}
