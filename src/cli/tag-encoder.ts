/**
 * The `tag` commands' side of taggers on a pretrained encoder (issue 12): `tag train
 * --encoder DIR [--word-vector first|mean]`, and for `tag predict` / `tag eval` one way to
 * open any tagger: one on sparse features as it is, one on an encoder with that encoder
 * (the folder given by --encoder, else the one it was trained with; another is
 * ENCODER_CHANGED).
 */
import { resolve } from "node:path";
import { type Command, Option } from "commander";
import { TextkitError, WORD_VECTOR_MODES, type WordEncoder, type WordVectorMode } from "../core/index.ts";
import { loadTagger, type SequenceTagger, taggerEncoderNeed } from "../models/tagger/index.ts";
import { openEncoder } from "./encoder-head.ts";
import { parseChoice, parseInteger } from "./parse-options.ts";

/** What commander hands over for the encoder options of the tag commands. */
export interface TagEncoderFlags {
  encoder?: string;
  wordVector?: WordVectorMode;
  encoderThreads?: number;
  encoderCache?: string;
}

/** Adds --encoder, --encoder-threads and --encoder-cache (and, for training, --word-vector). */
export function addTagEncoderOptions(command: Command, training: boolean): Command {
  command.option(
    "--encoder <dir>",
    training
      ? "also learn from a pretrained encoder's contextual word vectors (Hugging Face folder with an ONNX file): dense emission weights over them are added to the sparse features; sentences longer than the encoder's maximum run as overlapping windows"
      : "for a tagger trained on an encoder: that encoder's folder (default: the folder it was trained with)",
  );
  if (training) {
    command.addOption(
      new Option(
        "--word-vector <mode>",
        "with --encoder: a word of several sub-word pieces gets its first piece's vector (first, BERT-NER's choice, the default) or their mean",
      ).argParser(parseChoice("--word-vector", WORD_VECTOR_MODES)),
    );
  }
  return command
    .addOption(
      new Option("--encoder-threads <n>", "threads of the encoder's runtime (default: every core)").argParser(
        parseInteger("--encoder-threads", 1),
      ),
    )
    .option(
      "--encoder-cache <dir>",
      "keep the encoder's word vectors here, keyed by its checksum and the sentence, so a second run does not encode the same sentences again",
    );
}

/**
 * Runs `train` with the encoder of `tag train --encoder` (and its folder), or with none
 * without the flag (--word-vector then is OPTION_INVALID); the encoder is closed after.
 */
export async function withTrainingEncoder<T>(
  flags: TagEncoderFlags,
  bar: { log(line: string): void },
  train: (encoder: { model: WordEncoder; path: string } | undefined) => Promise<T>,
): Promise<T> {
  if (flags.encoder === undefined) {
    if (flags.wordVector !== undefined) {
      throw new TextkitError(
        "OPTION_INVALID",
        "--word-vector applies to a tagger on an encoder: give --encoder DIR",
        {
          details: { option: "--word-vector" },
        },
      );
    }
    return train(undefined);
  }
  const encoder = await openEncoder(flags.encoder, flags);
  try {
    bar.log(`encoder: ${encoder.id}, ${encoder.dim} dimensions (${flags.encoder})`);
    return await train({ model: encoder, path: resolve(flags.encoder) });
  } finally {
    await encoder.close();
  }
}

/**
 * A saved tagger ready to tag: with its encoder when it was trained on one. `close`
 * releases the encoder.
 *
 * @example
 * const { model, close } = await openTagger("models/ner", flags);
 */
export async function openTagger(
  dir: string,
  flags: TagEncoderFlags,
): Promise<{ model: SequenceTagger; close: () => Promise<void> }> {
  const need = await taggerEncoderNeed(dir);
  if (need === null) {
    if (flags.encoder !== undefined) {
      throw new TextkitError(
        "OPTION_INVALID",
        `--encoder applies to a tagger trained on an encoder; the tagger in ${dir} is not`,
        { file: dir, details: { option: "--encoder" } },
      );
    }
    return { model: await loadTagger(dir), close: async () => undefined };
  }
  const from = flags.encoder ?? need.path;
  if (from === null) {
    throw new TextkitError(
      "HEAD_ENCODER_REQUIRED",
      `the tagger in ${dir} reads the word vectors of the encoder ${need.id}: pass its folder with --encoder`,
      { file: dir },
    );
  }
  const encoder = await openEncoder(from, flags);
  try {
    return { model: await loadTagger(dir, { encoder }), close: () => encoder.close() };
  } catch (error) {
    await encoder.close();
    throw error;
  }
}
