import { type Command, Option } from "commander";
import { TextkitError } from "../core/index.ts";
import { readNumericRows } from "../data/index.ts";
import { type ClusterModel, clusterEncoderNeed, loadClusterModel } from "../models/cluster/index.ts";
import type { OnnxEncoder } from "../models/encoder/index.ts";
import {
  addFeatureOptions,
  addKMeansOptions,
  addTermOptions,
  type ClusterFlags,
  parseColumns,
  TRAINING_FLAGS,
} from "./cluster-flags.ts";
import { runTrain } from "./cluster-train.ts";
import { addTextInputOptions } from "./data-options.ts";
import { openEncoder } from "./encoder-head.ts";
import { predictInput } from "./input-texts.ts";
import { type CliIo, writeAll } from "./io.ts";
import { parseInteger } from "./parse-options.ts";

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
  addFeatureOptions(command);
  addKMeansOptions(command);
  addTermOptions(command);
  command
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
