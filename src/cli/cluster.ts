import { join, resolve } from "node:path";
import { type Command, Option } from "commander";
import { TextkitError } from "../core/index.ts";
import { readNumericRows } from "../data/index.ts";
import {
  CLUSTER_FEATURES,
  type ClusterEvaluation,
  type ClusterFeatures,
  type ClusterModel,
  type ClusterOptions,
  clusterEncoderNeed,
  type KRange,
  loadClusterModel,
  type NumericClusterModel,
  type NumericClusterOptions,
  resolveClusterOptions,
  resolveNumericClusterOptions,
  type TextClusterModel,
  trainNumericClusters,
  trainTextClusters,
} from "../models/cluster/index.ts";
import type { OnnxEncoder } from "../models/encoder/index.ts";
import { KMEANS_METRICS, type KMeansMetric } from "../models/numeric/index.ts";
import {
  clusterWarnings,
  formatNumericClusters,
  formatSelection,
  formatTextClusters,
  summaryLines,
} from "./cluster-format.ts";
import { readTexts } from "./cluster-input.ts";
import { addTextInputOptions, type TextInputFlags } from "./data-options.ts";
import { openEncoder } from "./encoder-head.ts";
import { predictInput } from "./input-texts.ts";
import { type CliIo, writeAll } from "./io.ts";
import { checkModelOutput } from "./output-paths.ts";
import { parseChoice, parseInteger, parseNumber } from "./parse-options.ts";
import { ProgressBar } from "./progress-bar.ts";
import { drawProgress } from "./report-output.ts";

interface ClusterFlags extends TextInputFlags {
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
const TRAINING_FLAGS = [
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

function parseColumns(value: string): string[] {
  const names = value.split(",").map((name) => name.trim());
  if (names.some((name) => name.length === 0)) {
    throw new TextkitError("OPTION_INVALID", `--columns is a comma-separated list of names, got '${value}'`);
  }
  return names;
}

function textOptionsOf(flags: ClusterFlags): Partial<ClusterOptions> {
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

function numericOptionsOf(flags: ClusterFlags): Partial<NumericClusterOptions> {
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

async function runTrain(flags: ClusterFlags, given: (name: string) => boolean, io: CliIo): Promise<void> {
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
  // Refuse bad settings before reading any data: a typo should cost no time.
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
  if (flags.out !== undefined) checkModelOutput(flags.out, "--out");
  const bar = new ProgressBar(io.stderr, { quiet: flags.quiet });
  const ranged = typeof flags.k === "object";
  let model: TextClusterModel | NumericClusterModel;
  let n: number;
  let evaluation: ClusterEvaluation | null = null;
  let warnings: string[] = [];
  if (flags.numeric === true) {
    const rows = await readNumericRows(flags.input, {
      ...(flags.format === undefined || flags.format === "text" || flags.format === "fasttext"
        ? {}
        : { format: flags.format }),
      ...(flags.columns === undefined ? {} : { columns: flags.columns }),
    });
    n = rows.n;
    bar.log(`input: ${rows.n} rows of ${rows.dim} numbers (${rows.source})`);
    try {
      model = await trainNumericClusters(rows, numericOptionsOf(flags), {
        onProgress: drawProgress(bar, "ex"),
      });
    } finally {
      bar.finish();
    }
  } else {
    const data = await readTexts(flags.input, flags);
    n = data.examples.length;
    bar.log(`input: ${n} texts (${data.source})`);
    const encoder = flags.encoder === undefined ? null : await openEncoder(flags.encoder, flags);
    if (encoder !== null) bar.log(`encoder: ${encoder.id}, ${encoder.dim} dimensions (${flags.encoder})`);
    try {
      model = await trainTextClusters(
        data,
        textOptionsOf(flags),
        { onProgress: drawProgress(bar, "ex") },
        encoder === null ? {} : { encoder, encoderPath: resolve(flags.encoder ?? "") },
      );
      if (data.labels.length > 0) evaluation = await model.evaluateAsync(data);
    } finally {
      bar.finish();
      await encoder?.close();
    }
    warnings = clusterWarnings(
      model.silhouette,
      data.examples.map((e) => e.text),
    );
    if (model.runRecord !== null && warnings.length > 0) model.runRecord.final["warnings"] = warnings;
    if (data.labels.length > 0) {
      evaluation ??= model.evaluate(data);
      if (model.runRecord !== null) {
        model.runRecord.final["labels"] = {
          adjustedRandIndex: evaluation.adjustedRandIndex,
          examples: evaluation.examples,
          labels: evaluation.labels,
        };
      }
    }
  }
  if (flags.out !== undefined) await model.save(flags.out);

  if (flags.json === true) {
    const result = {
      ...(flags.out === undefined ? {} : { model: flags.out, runRecord: join(flags.out, "run.json") }),
      task: model.task,
      k: model.k,
      inertia: model.inertia,
      silhouette: model.silhouette,
      selection: model.selection,
      data: { source: flags.input, [flags.numeric === true ? "rows" : "texts"]: n },
      options: model.options,
      ...(evaluation === null
        ? {}
        : {
            labels: {
              adjustedRandIndex: evaluation.adjustedRandIndex,
              examples: evaluation.examples,
              labels: evaluation.labels,
            },
          }),
      clusters: model.clusters,
      warnings,
    };
    await writeAll(io.stdout, `${JSON.stringify(result, null, 2)}\n`);
    return;
  }
  let text = "";
  if (ranged) text += `${formatSelection(model.selection, model.k)}\n`;
  text += model.task === "text-clustering" ? formatTextClusters(model, n) : formatNumericClusters(model, n);
  text += summaryLines(model, n, flags.numeric === true ? "rows" : "texts", flags.out);
  for (const warning of warnings) text += `${warning}\n`;
  if (evaluation !== null) {
    text += `adjusted Rand index against the labels: ${evaluation.adjustedRandIndex.toFixed(4)} (${evaluation.examples} texts, ${evaluation.labels} labels)\n`;
  }
  await writeAll(io.stdout, text);
}

/** Assigns texts (or numeric rows) to the clusters of a saved model, one JSON line each. */
async function runAssign(flags: ClusterFlags, given: (name: string) => boolean, io: CliIo): Promise<void> {
  for (const key of TRAINING_FLAGS) {
    if (given(key)) {
      throw new TextkitError(
        "OPTION_INVALID",
        `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} applies to training; with --model the saved clusters are used as they are`,
      );
    }
  }
  const encoder = await assignEncoderOf(flags.model!, flags);
  try {
    await assignWith(await loadClusterModel(flags.model!, encoder === null ? {} : { encoder }), flags, io);
  } finally {
    await encoder?.close();
  }
}

/** The encoder a saved model's clusters are on: --encoder, or the folder it was trained with. */
async function assignEncoderOf(dir: string, flags: ClusterFlags): Promise<OnnxEncoder | null> {
  const need = await clusterEncoderNeed(dir);
  if (need === null) {
    if (flags.encoder !== undefined) {
      throw new TextkitError("OPTION_INVALID", `--encoder applies to clusters on an encoder; ${dir} is not`);
    }
    return null;
  }
  const from = flags.encoder ?? need.path;
  if (from === null) {
    throw new TextkitError(
      "HEAD_ENCODER_REQUIRED",
      `the clusters in ${dir} are on the encoder ${need.id}: pass its folder with --encoder`,
      { file: dir },
    );
  }
  return openEncoder(from, flags);
}

async function assignWith(model: ClusterModel, flags: ClusterFlags, io: CliIo): Promise<void> {
  if (model.task === "numeric-clustering") {
    if (flags.input === undefined || flags.input === "-") {
      throw new TextkitError(
        "OPTION_INVALID",
        "a numeric cluster model reads its rows from a file: pass --input",
      );
    }
    const rows = await readNumericRows(flags.input, { columns: model.columns });
    const assigned = model.predictValues(rows.values, rows.n);
    let out = "";
    for (let i = 0; i < rows.n; i++) {
      out += `${JSON.stringify({ cluster: assigned[i]!.cluster, distance: assigned[i]!.distance, line: rows.lines[i] })}\n`;
    }
    await writeAll(io.stdout, out);
    return;
  }
  if (flags.numeric === true) {
    throw new TextkitError("OPTION_INVALID", `${flags.model} clusters texts; leave out --numeric`);
  }
  for await (const batch of predictInput(flags, io)) {
    const assigned = await model.predictAsync(batch.map((item) => item.text));
    let out = "";
    for (let i = 0; i < batch.length; i++) {
      const { text, line } = batch[i]!;
      out += `${JSON.stringify({ text, cluster: assigned[i]!.cluster, distance: assigned[i]!.distance, line })}\n`;
    }
    if (!(await writeAll(io.stdout, out))) return;
  }
}

/**
 * `textkit cluster`.
 *
 * @example
 * registerCluster(program, io);
 */
export function registerCluster(program: Command, io: CliIo): Command {
  const num = (flag: string, min: number) => parseInteger(flag, min);
  const command = program
    .command("cluster")
    .summary("group texts (or rows of numbers) into clusters and describe them")
    .description(
      "Group texts by topic with k-means: TF-IDF rows (or averaged word vectors from a .vec " +
        "file, or a pretrained encoder's sentence embeddings with --encoder), spherical k-means (cosine) with k-means++ seeding and several restarts. Prints " +
        "each cluster's size, top terms and the texts nearest its centre; with --k 4..12 tries " +
        "each k and keeps the one with the highest silhouette. --numeric clusters rows of a " +
        "CSV/TSV/JSONL table of numbers instead (Euclidean). --out saves the model; with --model, " +
        "assigns the texts of --input (or standard input) to a saved model's clusters, one JSON " +
        'line per text: {"text", "cluster", "distance", "line"}.',
    )
    .option("--input <file>", "texts: one per line (.txt), or the text column of a .csv/.tsv/.jsonl file")
    .option("--out <dir>", "model directory to write (replaced atomically once clustering succeeds)")
    .option("--model <dir>", "assign the input to the clusters of this saved model instead of clustering");
  addTextInputOptions(command);
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
    )
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
    )
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
    )
    .option(
      "--numeric",
      "the input is a table of numbers (CSV/TSV with a header, or JSONL), one row per item",
    )
    .addOption(
      new Option(
        "--columns <names>",
        "with --numeric: the columns to use, comma-separated (default: all)",
      ).argParser(parseColumns),
    )
    .addOption(
      new Option("--batch-size <n>", "with --model: texts read and assigned at a time")
        .argParser(num("--batch-size", 1))
        .default(256),
    )
    .option("--json", "print one JSON object (clusters, k table, options) instead of text")
    .option("-q, --quiet", "no progress line on stderr")
    .action(async (flags: ClusterFlags, self: Command) => {
      const given = (name: string) => self.getOptionValueSource(name) === "cli";
      if (flags.model !== undefined) await runAssign(flags, given, io);
      else await runTrain(flags, given, io);
    });
  return command;
}
