/** The options of `textkit cluster`: their flags, how they are parsed and checked, and the options of the library they become. */
import { type Command, Option } from "commander";
import { TextkitError } from "../core/index.ts";
import {
  CLUSTER_FEATURES,
  type ClusterFeatures,
  type ClusterOptions,
  type KRange,
  type NumericClusterOptions,
  resolveClusterOptions,
  resolveNumericClusterOptions,
} from "../models/cluster/index.ts";
import { KMEANS_METRICS, type KMeansMetric } from "../models/numeric/index.ts";
import type { TextInputFlags } from "./data-options.ts";
import { parseChoice, parseInteger, parseNumber } from "./parse-options.ts";

/** What commander hands over for `textkit cluster`. */
export interface ClusterFlags extends TextInputFlags {
  input?: string;
  model?: string;
  out?: string;
  numeric?: boolean;
  columns?: string[];
  labelColumn?: string;
  k?: number | KRange;
  features?: ClusterFeatures;
  vectors?: string;
  encoder?: string;
  encoderThreads?: number;
  encoderCache?: string;
  metric?: KMeansMetric;
  nInit?: number;
  maxIterations?: number;
  tol?: number;
  seed?: number;
  minDf?: number;
  maxDf?: number;
  maxFeatures?: number;
  topTerms?: number;
  examples?: number;
  silhouetteSample?: number;
  lowercase: boolean;
  keepStopwords?: boolean;
  batchSize: number;
  json?: boolean;
  quiet?: boolean;
}

/** Options that only training reads; with --model they would silently do nothing. */
export const TRAINING_FLAGS = [
  "out",
  "k",
  "features",
  "vectors",
  "metric",
  "nInit",
  "maxIterations",
  "tol",
  "seed",
  "minDf",
  "maxDf",
  "maxFeatures",
  "topTerms",
  "examples",
  "silhouetteSample",
  "lowercase",
  "keepStopwords",
  "labelColumn",
  "columns",
] as const;

const K_RANGE = /^\s*(\d+)\s*\.\.\s*(\d+)\s*$/;

/**
 * `--k 8` or `--k 4..12`.
 *
 * @example
 * parseK("4..12"); // { min: 4, max: 12 }
 */
export function parseK(value: string): number | KRange {
  const range = K_RANGE.exec(value);
  if (range !== null) return { min: Number(range[1]), max: Number(range[2]) };
  try {
    return parseInteger("--k", 1)(value);
  } catch {
    throw new TextkitError(
      "OPTION_INVALID",
      `--k must be a number of clusters such as 8, or a range such as 4..12, got '${value}'`,
      { details: { option: "--k", value } },
    );
  }
}

/** `--columns a,b,c`. */
export function parseColumns(value: string): string[] {
  const names = value.split(",").map((name) => name.trim());
  if (names.some((name) => name.length === 0)) {
    throw new TextkitError("OPTION_INVALID", `--columns is a comma-separated list of names, got '${value}'`);
  }
  return names;
}

/** The text clustering options the flags stand for. */
export function textOptionsOf(flags: ClusterFlags): Partial<ClusterOptions> {
  return {
    k: flags.k,
    features:
      flags.features ??
      (flags.encoder !== undefined ? "encoder" : flags.vectors === undefined ? undefined : "vectors"),
    vectors: flags.vectors,
    metric: flags.metric,
    nInit: flags.nInit,
    maxIterations: flags.maxIterations,
    tol: flags.tol,
    seed: flags.seed,
    minDf: flags.minDf,
    maxDf: flags.maxDf,
    maxFeatures: flags.maxFeatures,
    topTerms: flags.topTerms,
    examples: flags.examples,
    silhouetteSample: flags.silhouetteSample,
    lowercase: flags.lowercase,
    stopwords: flags.keepStopwords !== true,
  };
}

/** The numeric clustering options the flags stand for. */
export function numericOptionsOf(flags: ClusterFlags): Partial<NumericClusterOptions> {
  return {
    k: flags.k,
    metric: flags.metric,
    nInit: flags.nInit,
    maxIterations: flags.maxIterations,
    tol: flags.tol,
    seed: flags.seed,
    silhouetteSample: flags.silhouetteSample,
  };
}

function refuseTextOnlyFlags(flags: ClusterFlags, given: (name: string) => boolean): void {
  const textOnly: [keyof ClusterFlags, string][] = [
    ["features", "--features"],
    ["vectors", "--vectors"],
    ["encoder", "--encoder"],
    ["minDf", "--min-df"],
    ["maxDf", "--max-df"],
    ["maxFeatures", "--max-features"],
    ["topTerms", "--top-terms"],
    ["examples", "--examples"],
    ["textColumn", "--text-column"],
    ["labelColumn", "--label-column"],
  ];
  for (const [key, flag] of textOnly) {
    if (given(key))
      throw new TextkitError("OPTION_INVALID", `${flag} applies to texts; --numeric input has none`);
  }
  if (!flags.lowercase)
    throw new TextkitError("OPTION_INVALID", "--no-lowercase applies to texts, not --numeric input");
  if (!flags.header) {
    throw new TextkitError(
      "OPTION_INVALID",
      "--numeric reads a table with a header row naming its columns; add one (e.g. x1,x2,...) instead of --no-header",
    );
  }
}

/**
 * Refuses, before any data is read, training flags that contradict each other or the input:
 * a typo should cost no time.
 */
export function checkTrainFlags(
  flags: ClusterFlags,
  given: (name: string) => boolean,
): asserts flags is ClusterFlags & { input: string } {
  if (flags.input === undefined || flags.input === "-") {
    throw new TextkitError(
      "OPTION_INVALID",
      "clustering reads all its input before it starts: pass a file with --input (or --model to assign texts)",
    );
  }
  if (flags.numeric === true) refuseTextOnlyFlags(flags, given);
  if (flags.numeric === true && (flags.format === "text" || flags.format === "fasttext")) {
    throw new TextkitError(
      "OPTION_INVALID",
      `--numeric reads a table: --format csv, tsv or jsonl, not ${flags.format}`,
    );
  } else if (flags.columns !== undefined)
    throw new TextkitError("OPTION_INVALID", "--columns applies to --numeric input");
  if (flags.numeric === true) resolveNumericClusterOptions(numericOptionsOf(flags));
  else {
    const { features } = resolveClusterOptions(textOptionsOf(flags));
    if ((features === "encoder") !== (flags.encoder !== undefined)) {
      throw new TextkitError(
        "OPTION_INVALID",
        features === "encoder"
          ? "--features encoder needs --encoder DIR (a pretrained encoder's folder)"
          : `--encoder gives the features; it does not go with --features ${features}`,
      );
    }
  }
}

/** What the texts become: --label-column, --k, --features and the vectors or encoder behind them. */
export function addFeatureOptions(command: Command): void {
  command
    .option(
      "--label-column <name>",
      "compare the clusters with this column's labels (adjusted Rand index); default: a 'label' column if there is one",
    )
    .addOption(
      new Option("--k <k>", "clusters, or a range such as 4..12 chosen by silhouette (default: 8)").argParser(
        parseK,
      ),
    )
    .addOption(
      new Option(
        "--features <kind>",
        "what texts become: tfidf (default), vectors (needs --vectors) or encoder (needs --encoder)",
      ).argParser(parseChoice("--features", CLUSTER_FEATURES)),
    )
    .option("--vectors <file>", "a .vec file of word vectors; each text is the average of its words' vectors")
    .option(
      "--encoder <dir>",
      "a pretrained encoder's folder (Hugging Face layout with an ONNX file): cluster its sentence embeddings (features encoder); with --model, the folder of the encoder the clusters are on (default: the one it was trained with)",
    )
    .addOption(
      new Option("--encoder-threads <n>", "threads of the encoder's runtime (default: every core)").argParser(
        parseInteger("--encoder-threads", 1),
      ),
    )
    .option(
      "--encoder-cache <dir>",
      "with --encoder: keep embeddings here, keyed by the encoder's checksum and the text",
    );
}

/** The k-means runs: --metric, --n-init, --max-iterations, --tol, --seed. */
export function addKMeansOptions(command: Command): void {
  const num = (flag: string, min: number) => parseInteger(flag, min);
  command
    .addOption(
      new Option(
        "--metric <metric>",
        "cosine (the default for texts) or euclidean (the default for --numeric)",
      ).argParser(parseChoice("--metric", KMEANS_METRICS)),
    )
    .addOption(
      new Option(
        "--n-init <n>",
        "k-means runs per k from different seeds; the lowest inertia is kept (default: 10)",
      ).argParser(num("--n-init", 1)),
    )
    .addOption(
      new Option("--max-iterations <n>", "most iterations per run (default: 300)").argParser(
        num("--max-iterations", 1),
      ),
    )
    .addOption(
      new Option(
        "--tol <x>",
        "convergence tolerance, relative to the features' variance (default: 1e-4)",
      ).argParser(parseNumber("--tol", 0)),
    )
    .addOption(
      new Option("--seed <n>", "seed of the random numbers (default: 1)").argParser(num("--seed", 0)),
    );
}

/** The terms of TF-IDF and what the clusters show: --min-df to --keep-stopwords. */
export function addTermOptions(command: Command): void {
  const num = (flag: string, min: number) => parseInteger(flag, min);
  command
    .addOption(
      new Option("--min-df <n>", "leave out terms found in fewer texts than this (default: 2)").argParser(
        num("--min-df", 1),
      ),
    )
    .addOption(
      new Option(
        "--max-df <share>",
        "leave out terms found in more than this share of the texts (default: 0.5)",
      ).argParser(parseNumber("--max-df", 0, true)),
    )
    .addOption(
      new Option(
        "--max-features <n>",
        "keep at most this many terms, the most frequent (default: 50000)",
      ).argParser(num("--max-features", 1)),
    )
    .addOption(
      new Option("--top-terms <n>", "terms listed per cluster (default: 10)").argParser(
        num("--top-terms", 0),
      ),
    )
    .addOption(
      new Option(
        "--examples <n>",
        "texts nearest each centre shown and kept in the model (default: 2)",
      ).argParser(num("--examples", 0)),
    )
    .addOption(
      new Option(
        "--silhouette-sample <n>",
        "rows the silhouette is computed on, sampled beyond this (default: 5000)",
      ).argParser(num("--silhouette-sample", 2)),
    )
    .option("--no-lowercase", "keep upper and lower case apart (default: lower-case the text)")
    .option(
      "--keep-stopwords",
      "keep English and Chinese function words (the, to, 的) in the terms (default: leave them out)",
    );
}
