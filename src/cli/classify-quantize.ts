import { readdirSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { type Command, Option } from "commander";
import { TextkitError } from "../core/index.ts";
import { type Dataset, loadDataset } from "../data/index.ts";
import {
  type ClassifierEvaluation,
  encoderHeadOf,
  loadClassifier,
  type QuantizationInfo,
  type QuantizeOptions,
  quantizeClassifier,
} from "../models/classifier/index.ts";
import { addLabelledDataOptions, type DataFlags, readOptionsOf } from "./data-options.ts";
import { type CliIo, writeAll } from "./io.ts";
import { checkModelOutput } from "./output-paths.ts";
import { parseInteger, parseNumber } from "./parse-options.ts";
import { evaluationMetrics } from "./report-output.ts";

interface QuantizeFlags extends DataFlags {
  model: string;
  out: string;
  targetRatio?: number;
  cutoff?: number;
  dsub: number;
  centroids: number;
  quantizeOutput?: boolean;
  seed: number;
  eval?: string;
  json?: boolean;
  quiet?: boolean;
}

/** Bytes of a model directory as it lies on disk: manifest, weights and run record. */
function directoryBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true }))
    if (entry.isFile()) total += statSync(join(dir, entry.name)).size;
  return total;
}

/**
 * Bytes with three significant digits in decimal units: 950 B, 412 kB, 1.21 MB.
 *
 * @example
 * formatBytes(1_210_000); // "1.21 MB"
 */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ["kB", "MB", "GB", "TB"];
  let value = bytes / 1000;
  let unit = 0;
  while (value >= 999.5 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${Number(value.toPrecision(3))} ${units[unit]}`;
}

function quantizeOptionsOf(flags: QuantizeFlags): QuantizeOptions {
  return {
    ...(flags.cutoff === undefined ? {} : { cutoff: flags.cutoff }),
    ...(flags.targetRatio === undefined ? {} : { targetRatio: flags.targetRatio }),
    dsub: flags.dsub,
    centroids: flags.centroids,
    quantizeOutput: flags.quantizeOutput === true,
    seed: flags.seed,
  };
}

function signed(delta: number): string {
  return `${delta >= 0 ? "+" : ""}${delta.toFixed(4)}`;
}

function describeInfo(info: QuantizationInfo): string {
  const kept = info.rows < info.sourceRows ? `${info.rows} of ${info.sourceRows}` : `all ${info.rows}`;
  return (
    `rows: ${kept} kept, ${info.dsub} values per sub-vector, ${info.centroids} centroids, ` +
    `output matrix ${info.quantizeOutput ? "8-bit" : "float32"}`
  );
}

interface Comparison {
  data: Dataset;
  before: ClassifierEvaluation;
  after: ClassifierEvaluation;
}

function formatComparison(source: string, c: Comparison): string {
  const row = (name: string, before: number, after: number): string =>
    `  ${name.padEnd(10)} ${before.toFixed(4)} -> ${after.toFixed(4)} (${signed(after - before)})\n`;
  const exact = c.before.report.multiLabel ? "exact-match accuracy" : "accuracy";
  let out = `eval: ${c.data.examples.length} examples (${source})\n`;
  out += row(exact, c.before.accuracy, c.after.accuracy);
  out += row("macro-F1", c.before.report.macro.f1, c.after.report.macro.f1);
  if (c.before.report.micro !== undefined && c.after.report.micro !== undefined)
    out += row("micro-F1", c.before.report.micro.f1, c.after.report.micro.f1);
  return out;
}

/** Refuses, before any work, flags that contradict each other, an --out that would overwrite, and a model quantize cannot compress. */
async function checkQuantizeFlags(flags: QuantizeFlags): Promise<void> {
  if (flags.cutoff !== undefined && flags.targetRatio !== undefined) {
    throw new TextkitError(
      "OPTION_INVALID",
      "--cutoff and --target-ratio both say how many rows to keep; give one of them",
    );
  }
  if (resolve(flags.out) === resolve(flags.model)) {
    throw new TextkitError(
      "OPTION_INVALID",
      `--out ${flags.out} is the model being quantised; write the compressed model to another directory so that the float model stays`,
      { file: flags.out },
    );
  }
  checkModelOutput(flags.out, "--out");
  const head = await encoderHeadOf(flags.model);
  if (head !== null) {
    throw new TextkitError(
      "QUANTIZE_UNSUPPORTED",
      `the classifier in ${flags.model} is a head on the encoder ${head.encoder.id}: its weights are a few small matrices (no embedding table to compress), and the encoder's own size is set by its ONNX file (use an onnx/model_quantized.onnx for a smaller one)`,
      { file: flags.model },
    );
  }
}

async function runQuantize(flags: QuantizeFlags, io: CliIo): Promise<void> {
  await checkQuantizeFlags(flags);
  const model = await loadClassifier(flags.model);
  // The evaluation data is read before any work, so that a bad file costs no time and writes nothing.
  const data =
    flags.eval === undefined
      ? undefined
      : await loadDataset(flags.eval, { ...readOptionsOf(flags), minClasses: 1 });
  const log = (line: string): void => {
    if (!flags.quiet) io.stderr.write(`${line}\n`);
  };
  log(
    `quantizing ${flags.model}: ${model.featurizer.rows} embedding rows of dim ${model.weights.dim}, ${model.labels.length} labels`,
  );
  let distortion = Number.NaN;
  const began = performance.now();
  const small = quantizeClassifier(model, quantizeOptionsOf(flags), {
    onProgress: (p) => {
      distortion = p.distortion;
    },
  });
  const seconds = (performance.now() - began) / 1000;
  const info = small.quantized!.info;
  log(`quantized in ${seconds.toFixed(2)}s, mean squared error per value ${distortion.toPrecision(3)}`);
  const comparison: Comparison | undefined =
    data === undefined ? undefined : { data, before: model.evaluate(data), after: small.evaluate(data) };
  await small.save(flags.out);

  const before = directoryBytes(flags.model);
  const after = directoryBytes(flags.out);
  if (after >= before) {
    // Small models: a codebook of `centroids` rows costs as much as the rows it encodes.
    log(
      `note: the quantized model is not smaller; with ${info.rows} rows, try fewer --centroids or a larger --dsub`,
    );
  }
  if (flags.json) {
    const result = {
      model: flags.model,
      out: flags.out,
      bytes: { before, after, ratio: after / before },
      quantization: info,
      distortion,
      seconds,
      ...(comparison === undefined
        ? {}
        : {
            eval: {
              source: flags.eval,
              examples: comparison.data.examples.length,
              before: evaluationMetrics(comparison.before),
              after: evaluationMetrics(comparison.after),
            },
          }),
    };
    await writeAll(io.stdout, `${JSON.stringify(result, null, 2)}\n`);
    return;
  }
  let out = `model: ${flags.out} (quantized from ${flags.model})\n`;
  out += `size: ${formatBytes(before)} -> ${formatBytes(after)} (${((100 * after) / before).toFixed(1)}% of the original)\n`;
  out += `${describeInfo(info)}\n`;
  if (comparison !== undefined) out += formatComparison(flags.eval!, comparison);
  await writeAll(io.stdout, out);
}

/**
 * `textkit classify quantize`.
 *
 * @example
 * registerClassifyQuantize(program.command("classify"), io);
 */
export function registerClassifyQuantize(classify: Command, io: CliIo): Command {
  const command = classify
    .command("quantize")
    .summary("compress a trained classifier")
    .description(
      "Compress a trained classifier, as fastText's quantize does: drop the embedding rows with the " +
        "smallest norms, product-quantise the rest (one byte per sub-vector) and optionally store the " +
        "output matrix in 8 bits. Prints the size before and after and, with --eval, the accuracy " +
        "before and after. The compressed model loads, predicts and serves like any other.",
    )
    .requiredOption("--model <dir>", "model directory written by 'textkit classify train'")
    .requiredOption(
      "--out <dir>",
      "directory for the compressed model (written atomically; not the --model directory)",
    )
    .addOption(
      new Option(
        "--target-ratio <r>",
        "keep as many rows as fit a model directory (run record included) of at most this fraction of the original's size, e.g. 0.1",
      ).argParser(parseNumber("--target-ratio", 0, true)),
    )
    .addOption(
      new Option("--cutoff <n>", "keep the n embedding rows with the largest norm (0 = keep all)").argParser(
        parseInteger("--cutoff", 0),
      ),
    )
    .addOption(
      new Option("--dsub <n>", "values per sub-vector: fewer bytes per row as it grows")
        .argParser(parseInteger("--dsub", 1))
        .default(2),
    )
    .addOption(
      new Option("--centroids <n>", "centroids per sub-space, at most 256")
        .argParser(parseInteger("--centroids", 2))
        .default(256),
    )
    .option("--quantize-output", "store the output matrix in 8 bits too")
    .addOption(
      new Option("--seed <n>", "seed of the k-means sampling")
        .argParser(parseInteger("--seed", 0))
        .default(1),
    )
    .option("--eval <file>", "labelled data to score the model on before and after");
  addLabelledDataOptions(command);
  command
    .option("--json", "print one JSON object (sizes, settings, metrics) instead of text")
    .option("-q, --quiet", "no progress lines on stderr")
    .addHelpText(
      "after",
      "\nExample:\n  textkit classify quantize --model models/intent --out models/intent-small \\\n" +
        "    --target-ratio 0.1 --quantize-output --eval data/test.csv\n",
    )
    .action(async (flags: QuantizeFlags) => {
      await runQuantize(flags, io);
    });
  return command;
}
