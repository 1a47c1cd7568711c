/** `textkit cluster --input FILE` without --model: clusters texts or rows of numbers, saves and reports. */
import { join, resolve } from "node:path";
import { readNumericRows } from "../data/index.ts";
import {
  type ClusterEvaluation,
  type NumericClusterModel,
  type TextClusterModel,
  trainNumericClusters,
  trainTextClusters,
} from "../models/cluster/index.ts";
import { type ClusterFlags, checkTrainFlags, numericOptionsOf, textOptionsOf } from "./cluster-flags.ts";
import {
  clusterWarnings,
  formatNumericClusters,
  formatSelection,
  formatTextClusters,
  summaryLines,
} from "./cluster-format.ts";
import { readTexts } from "./cluster-input.ts";
import { openEncoder } from "./encoder-head.ts";
import { type CliIo, writeAll } from "./io.ts";
import { checkModelOutput } from "./output-paths.ts";
import { ProgressBar } from "./progress-bar.ts";
import { drawProgress } from "./report-output.ts";

/** A trained clustering with what the report says about it. */
interface Clustering {
  model: TextClusterModel | NumericClusterModel;
  /** Texts or rows clustered. */
  n: number;
  /** Against the input's labels, when it has some. */
  evaluation: ClusterEvaluation | null;
  warnings: string[];
}

/**
 * Clusters the input of `flags`, saves the model with --out and prints the clusters (or,
 * with --json, one JSON object).
 */
export async function runTrain(
  flags: ClusterFlags,
  given: (name: string) => boolean,
  io: CliIo,
): Promise<void> {
  checkTrainFlags(flags, given);
  if (flags.out !== undefined) checkModelOutput(flags.out, "--out");
  const bar = new ProgressBar(io.stderr, { quiet: flags.quiet });
  const clustering =
    flags.numeric === true
      ? await clusterRows(flags.input, flags, bar)
      : await clusterTexts(flags.input, flags, bar);
  if (flags.out !== undefined) await clustering.model.save(flags.out);
  const out =
    flags.json === true
      ? `${JSON.stringify(clusteringJson(flags.input, flags, clustering), null, 2)}\n`
      : clusteringText(flags, clustering);
  await writeAll(io.stdout, out);
}

async function clusterRows(input: string, flags: ClusterFlags, bar: ProgressBar): Promise<Clustering> {
  const rows = await readNumericRows(input, {
    ...(flags.format === undefined || flags.format === "text" || flags.format === "fasttext"
      ? {}
      : { format: flags.format }),
    ...(flags.columns === undefined ? {} : { columns: flags.columns }),
  });
  bar.log(`input: ${rows.n} rows of ${rows.dim} numbers (${rows.source})`);
  try {
    const model = await trainNumericClusters(rows, numericOptionsOf(flags), {
      onProgress: drawProgress(bar, "ex"),
    });
    return { model, n: rows.n, evaluation: null, warnings: [] };
  } finally {
    bar.finish();
  }
}

async function clusterTexts(input: string, flags: ClusterFlags, bar: ProgressBar): Promise<Clustering> {
  const data = await readTexts(input, flags);
  const n = data.examples.length;
  bar.log(`input: ${n} texts (${data.source})`);
  const encoder = flags.encoder === undefined ? null : await openEncoder(flags.encoder, flags);
  if (encoder !== null) bar.log(`encoder: ${encoder.id}, ${encoder.dim} dimensions (${flags.encoder})`);
  let model: TextClusterModel;
  let evaluation: ClusterEvaluation | null = null;
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
  const warnings = clusterWarnings(
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
  return { model, n, evaluation, warnings };
}

/** The --json output: model, k table, options, label agreement, clusters and warnings. */
function clusteringJson(input: string, flags: ClusterFlags, clustering: Clustering): object {
  const { model, n, evaluation, warnings } = clustering;
  return {
    ...(flags.out === undefined ? {} : { model: flags.out, runRecord: join(flags.out, "run.json") }),
    task: model.task,
    k: model.k,
    inertia: model.inertia,
    silhouette: model.silhouette,
    selection: model.selection,
    data: { source: input, [flags.numeric === true ? "rows" : "texts"]: n },
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
}

/** The clusters as a person reads them, with the k table when --k was a range. */
function clusteringText(flags: ClusterFlags, clustering: Clustering): string {
  const { model, n, evaluation, warnings } = clustering;
  let text = "";
  if (typeof flags.k === "object") text += `${formatSelection(model.selection, model.k)}\n`;
  text += model.task === "text-clustering" ? formatTextClusters(model, n) : formatNumericClusters(model, n);
  text += summaryLines(model, n, flags.numeric === true ? "rows" : "texts", flags.out);
  for (const warning of warnings) text += `${warning}\n`;
  if (evaluation !== null) {
    text += `adjusted Rand index against the labels: ${evaluation.adjustedRandIndex.toFixed(4)} (${evaluation.examples} texts, ${evaluation.labels} labels)\n`;
  }
  return text;
}
