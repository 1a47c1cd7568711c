/** The classifier's hyperparameters as command-line options, with the library's defaults. */
import { type Command, Option } from "commander";
import {
  CLASSIFIER_LOSSES,
  CLASSIFIER_SEGMENTERS,
  type ClassifierLoss,
  type ClassifierOptions,
  DEFAULT_CLASSIFIER_OPTIONS,
} from "../models/classifier/index.ts";
import { NORMALIZATION_FORMS } from "../text/index.ts";
import { defaultedOption, parseChoice, parseInteger, parseNumber } from "./parse-options.ts";

/** What commander hands over for the classifier options. */
export interface ClassifierFlags extends Omit<ClassifierOptions, "loss" | "pretrainedVectors"> {
  loss?: ClassifierLoss;
  pretrainedVectors?: string;
}

/** Adds --dim, --epochs, --lr, ... to a command that trains a classifier. */
export function addClassifierOptions(command: Command): Command {
  return addTextOptions(addEmbeddingOptions(command));
}

/** The embeddings, their n-gram features and the learning schedule: --dim to --buckets. */
function addEmbeddingOptions(command: Command): Command {
  const d = DEFAULT_CLASSIFIER_OPTIONS;
  return command
    .addOption(defaultedOption("--dim <n>", "size of the embeddings", parseInteger("--dim", 1), d.dim))
    .addOption(
      defaultedOption("--epochs <n>", "passes over the training data", parseInteger("--epochs", 1), d.epochs),
    )
    .addOption(
      defaultedOption(
        "--lr <rate>",
        "initial learning rate, decaying linearly to 0",
        parseNumber("--lr", 0, true),
        d.lr,
      ),
    )
    .addOption(
      defaultedOption(
        "--word-ngrams <n>",
        "longest word n-gram (1 = words only, 2 adds bigrams)",
        parseInteger("--word-ngrams", 1),
        d.wordNgrams,
      ),
    )
    .addOption(
      defaultedOption(
        "--minn <n>",
        "shortest character n-gram (0 = none)",
        parseInteger("--minn", 0),
        d.minn,
      ),
    )
    .addOption(
      defaultedOption(
        "--maxn <n>",
        "longest character n-gram (0 = none; 1..2 suits Chinese, 3..6 English)",
        parseInteger("--maxn", 0),
        d.maxn,
      ),
    )
    .addOption(
      defaultedOption(
        "--buckets <n>",
        "hash buckets for word and character n-grams",
        parseInteger("--buckets", 1),
        d.buckets,
      ),
    );
}

/** Vocabulary, loss, seed, early stopping and the handling of the text: --min-count to --pretrained-vectors. */
function addTextOptions(command: Command): Command {
  const d = DEFAULT_CLASSIFIER_OPTIONS;
  return command
    .addOption(
      defaultedOption(
        "--min-count <n>",
        "words seen fewer times are dropped",
        parseInteger("--min-count", 1),
        d.minCount,
      ),
    )
    .addOption(
      new Option(
        "--loss <loss>",
        `${CLASSIFIER_LOSSES.join(" or ")}: one label per text, or independent labels (default: ova for multi-label data, else softmax)`,
      ).argParser(parseChoice("--loss", CLASSIFIER_LOSSES)),
    )
    .addOption(defaultedOption("--seed <n>", "seed of the random numbers", parseInteger("--seed", 0), d.seed))
    .addOption(
      defaultedOption(
        "--patience <n>",
        "stop after this many epochs without gain on the dev set (0 = never)",
        parseInteger("--patience", 0),
        d.patience,
      ),
    )
    .addOption(
      defaultedOption(
        "--normalization <form>",
        `Unicode normalisation of the text: ${NORMALIZATION_FORMS.join(", ")}`,
        parseChoice("--normalization", NORMALIZATION_FORMS),
        d.normalization,
      ),
    )
    .addOption(
      defaultedOption(
        "--chunk-tokens <n>",
        "train on pieces of this many tokens of each text, for long documents (0 = whole texts)",
        parseInteger("--chunk-tokens", 0),
        d.chunkTokens,
      ),
    )
    .addOption(
      defaultedOption(
        "--segmenter <how>",
        "how Chinese is split into words: dictionary (learned from the training text, several times faster) or intl (Intl.Segmenter on every text)",
        parseChoice("--segmenter", CLASSIFIER_SEGMENTERS),
        d.segmenter,
      ),
    )
    .option("--no-lowercase", "keep upper and lower case apart (default: lower-case the text)")
    .option(
      "--pretrained-vectors <file>",
      "a .vec file whose word vectors start the embeddings; --dim must match it (default: none)",
    );
}

/** The classifier options a command line can set, by their commander attribute names. */
const OPTION_NAMES = [
  "dim",
  "epochs",
  "lr",
  "wordNgrams",
  "minn",
  "maxn",
  "buckets",
  "minCount",
  "loss",
  "seed",
  "patience",
  "lowercase",
  "normalization",
  "pretrainedVectors",
  "chunkTokens",
  "segmenter",
] as const satisfies readonly (keyof ClassifierOptions)[];

/**
 * The classifier options typed on the command line, which defaults fitted to the data
 * must leave as they are.
 *
 * @example
 * givenClassifierOptions(command); // Set { "epochs" } for `classify train --epochs 5 ...`
 */
export function givenClassifierOptions(command: Command): Set<keyof ClassifierOptions> {
  return new Set(OPTION_NAMES.filter((name) => command.getOptionValueSource(name) === "cli"));
}

/**
 * The classifier options the flags stand for. `multiLabel` picks the loss when --loss is
 * not given.
 */
export function classifierOptionsOf(flags: ClassifierFlags, multiLabel: boolean): Partial<ClassifierOptions> {
  return {
    dim: flags.dim,
    epochs: flags.epochs,
    lr: flags.lr,
    wordNgrams: flags.wordNgrams,
    minn: flags.minn,
    maxn: flags.maxn,
    buckets: flags.buckets,
    minCount: flags.minCount,
    loss: flags.loss ?? (multiLabel ? "ova" : "softmax"),
    seed: flags.seed,
    patience: flags.patience,
    lowercase: flags.lowercase,
    normalization: flags.normalization,
    pretrainedVectors: flags.pretrainedVectors ?? null,
    chunkTokens: flags.chunkTokens,
    segmenter: flags.segmenter,
  };
}
