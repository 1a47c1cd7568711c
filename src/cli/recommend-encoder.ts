/**
 * `recommend train --encoder DIR`: the content and hybrid models' item profiles from a
 * pretrained encoder's embeddings of item text. Kept apart from recommend-train.ts so the
 * flag's wiring is one small, separate piece.
 */
import { resolve } from "node:path";
import { type Command, Option } from "commander";
import { TextkitError } from "../core/index.ts";
import type { RecommenderOptions } from "../models/recommender/index.ts";
import { openEncoder } from "./encoder-head.ts";
import { parseInteger } from "./parse-options.ts";

export interface RecommendEncoderFlags {
  encoder?: string;
  encoderThreads?: number;
  encoderCache?: string;
}

/** Adds --encoder, --encoder-threads and --encoder-cache to `recommend train`. */
export function addRecommendEncoderOptions(command: Command): Command {
  return command
    .option(
      "--encoder <dir>",
      "content, hybrid: a pretrained encoder's folder (Hugging Face layout with an ONNX file); item profiles become its embeddings of each item's text (stored in the model)",
    )
    .addOption(
      new Option("--encoder-threads <n>", "threads of the encoder's runtime (default: every core)").argParser(
        parseInteger("--encoder-threads", 1),
      ),
    )
    .option("--encoder-cache <dir>", "keep embeddings here, keyed by the encoder's checksum and the text");
}

/**
 * The encoder of --encoder, opened after the flags are checked against the model (an
 * encoder with a model that reads no item text, or with --vectors, is OPTION_INVALID),
 * or null without the flag. The caller closes it.
 */
export async function openRecommendEncoder(flags: RecommendEncoderFlags, options: RecommenderOptions) {
  if (flags.encoder === undefined) return null;
  if (options.model !== "content" && options.model !== "hybrid") {
    throw new TextkitError(
      "OPTION_INVALID",
      `--encoder gives item text vectors to --model content or hybrid; --model ${options.model} reads no item text`,
    );
  }
  if (options.vectors !== null) {
    throw new TextkitError("OPTION_INVALID", "--encoder and --vectors both give item text vectors: pass one");
  }
  const encoder = await openEncoder(flags.encoder, flags);
  return { encoder, encoderPath: resolve(flags.encoder) };
}
