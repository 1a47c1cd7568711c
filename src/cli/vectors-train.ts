import { mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import type { Command } from "commander";
import { isTextkitError, TextkitError } from "../core/index.ts";
import { writeVecFile } from "../data/index.ts";
import {
  DEFAULT_VECTORS_OPTIONS,
  resolveVectorsOptions,
  trainVectors,
  type VectorsOptions,
} from "../models/vectors/index.ts";
import { addTextInputOptions, type TextInputFlags, textInputFormat } from "./data-options.ts";
import { inputTexts } from "./input-texts.ts";
import { type CliIo, writeAll } from "./io.ts";
import { checkFileOutput } from "./output-paths.ts";
import { defaultedOption, parseInteger, parseNumber } from "./parse-options.ts";
import { ProgressBar } from "./progress-bar.ts";

interface VectorsFlags extends TextInputFlags, VectorsOptions {
  input: string;
  out: string;
  quiet?: boolean;
}

function vectorsOptionsOf(flags: VectorsFlags): VectorsOptions {
  return resolveVectorsOptions({
    dim: flags.dim,
    epochs: flags.epochs,
    lr: flags.lr,
    window: flags.window,
    negatives: flags.negatives,
    minCount: flags.minCount,
    minn: flags.minn,
    maxn: flags.maxn,
    buckets: flags.buckets,
    sample: flags.sample,
    seed: flags.seed,
    lowercase: flags.lowercase,
  });
}

async function runVectors(flags: VectorsFlags, io: CliIo): Promise<void> {
  const options = vectorsOptionsOf(flags);
  checkFileOutput(flags.out, "--out");
  const bar = new ProgressBar(io.stderr, { quiet: flags.quiet });
  const texts = inputTexts(flags.input, {
    format: textInputFormat(flags.input, flags.format),
    header: flags.header,
    batchSize: 1024,
    ...(flags.textColumn === undefined ? {} : { textColumn: flags.textColumn }),
  });
  const began = performance.now();
  let vectors: Awaited<ReturnType<typeof trainVectors>>;
  try {
    vectors = await trainVectors(texts, options, { onProgress: (p) => bar.update(p) });
  } catch (error) {
    // The trainer sees a stream of texts, not a file; its complaints about the text are about this one.
    if (isTextkitError(error) && error.code === "DATA_TOO_FEW_WORDS" && error.file === undefined) {
      throw new TextkitError(error.code, error.message, { file: flags.input, cause: error });
    }
    throw error;
  } finally {
    bar.finish();
  }
  const wv = vectors.toWordVectors();
  await mkdir(dirname(flags.out), { recursive: true });
  await writeVecFile(flags.out, wv);
  const seconds = (performance.now() - began) / 1000;
  await writeAll(
    io.stdout,
    `vectors: ${flags.out} (${wv.words.length} words, dim ${wv.dim}, ${seconds.toFixed(1)}s)\n`,
  );
}

/**
 * `textkit vectors train`.
 *
 * @example
 * registerVectorsTrain(program.command("vectors"), io);
 */
export function registerVectorsTrain(vectors: Command, io: CliIo): Command {
  const d = DEFAULT_VECTORS_OPTIONS;
  const command = vectors
    .command("train")
    .summary("train word vectors and write a .vec file")
    .description(
      "Train word vectors (skip-gram with subwords, as fastText) on raw text, one document per " +
        "line (or the text column of a CSV/TSV/JSONL file), and write them as a .vec file that " +
        "'classify train --pretrained-vectors' reads.",
    )
    .requiredOption("--input <file>", "text to learn from")
    .requiredOption("--out <file>", ".vec file to write (atomically, once training succeeds)");
  addTextInputOptions(command);
  command
    .addOption(defaultedOption("--dim <n>", "size of the vectors", parseInteger("--dim", 1), d.dim))
    .addOption(defaultedOption("--epochs <n>", "passes over the text", parseInteger("--epochs", 1), d.epochs))
    .addOption(defaultedOption("--lr <rate>", "initial learning rate", parseNumber("--lr", 0, true), d.lr))
    .addOption(
      defaultedOption(
        "--window <n>",
        "largest distance to a context word",
        parseInteger("--window", 1),
        d.window,
      ),
    )
    .addOption(
      defaultedOption(
        "--negatives <n>",
        "negative samples per context word",
        parseInteger("--negatives", 1),
        d.negatives,
      ),
    )
    .addOption(
      defaultedOption(
        "--min-count <n>",
        "words seen fewer times get no vector of their own",
        parseInteger("--min-count", 1),
        d.minCount,
      ),
    )
    .addOption(defaultedOption("--minn <n>", "shortest character n-gram", parseInteger("--minn", 0), d.minn))
    .addOption(
      defaultedOption(
        "--maxn <n>",
        "longest character n-gram (0 = no subwords)",
        parseInteger("--maxn", 0),
        d.maxn,
      ),
    )
    .addOption(
      defaultedOption(
        "--buckets <n>",
        "hash buckets for character n-grams",
        parseInteger("--buckets", 0),
        d.buckets,
      ),
    )
    .addOption(
      defaultedOption(
        "--sample <t>",
        "subsampling threshold of frequent words (0 = keep all)",
        parseNumber("--sample", 0),
        d.sample,
      ),
    )
    .addOption(defaultedOption("--seed <n>", "seed of the random numbers", parseInteger("--seed", 0), d.seed))
    .option("--no-lowercase", "keep upper and lower case apart (default: lower-case the text)")
    .option("-q, --quiet", "no progress line on stderr")
    .action(async (flags: VectorsFlags) => {
      await runVectors(flags, io);
    });
  return command;
}
