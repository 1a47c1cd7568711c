import { statSync } from "node:fs";
import type { Command } from "commander";
import { importFastText } from "../models/classifier/index.ts";
import { formatBytes } from "./classify-quantize.ts";
import { type CliIo, writeAll } from "./io.ts";
import { checkModelOutput } from "./output-paths.ts";

interface ImportFlags {
  fasttext: string;
  out: string;
  json?: boolean;
}

async function runImport(flags: ImportFlags, io: CliIo): Promise<void> {
  const replacing = checkModelOutput(flags.out, "--out");
  const model = await importFastText(flags.fasttext);
  await model.save(flags.out);
  const o = model.options;
  const summary = {
    model: flags.out,
    from: flags.fasttext,
    bytes: statSync(flags.fasttext).size,
    labels: model.labels.length,
    words: model.featurizer.words.length,
    ngramRows: model.featurizer.rows - model.featurizer.words.length,
    dim: o.dim,
    loss: o.loss,
    wordNgrams: o.wordNgrams,
    charNgrams: o.maxn > 0 ? [o.minn, o.maxn] : null,
    task: model.task,
  };
  if (flags.json) {
    await writeAll(io.stdout, `${JSON.stringify(summary, null, 2)}\n`);
    return;
  }
  await writeAll(
    io.stdout,
    `${replacing ? "replaced" : "wrote"} ${flags.out}: a fastText ${o.loss} classifier (${formatBytes(summary.bytes)}), ` +
      `${summary.labels} labels, ${summary.words} words, ${summary.ngramRows} n-gram rows, dim ${o.dim}, ` +
      `word n-grams up to ${o.wordNgrams}${o.maxn > 0 ? `, character n-grams ${o.minn}-${o.maxn}` : ""}\n` +
      `it reads text as fastText does (words split on whitespace, no lower-casing) and scores as fastText does\n` +
      `try: textkit classify predict --model ${flags.out} --output-format fasttext --k 2 < texts.txt\n`,
  );
}

/**
 * `textkit classify import`.
 *
 * @example
 * registerClassifyImport(program.command("classify"), io);
 */
export function registerClassifyImport(classify: Command, io: CliIo): Command {
  return classify
    .command("import")
    .summary("turn a fastText model (.bin, .ftz) into a textkit classifier")
    .description(
      "Read a classifier trained by the fastText program (a .bin file, or a quantised .ftz; " +
        "softmax, one-vs-all, negative sampling or hierarchical softmax) and write it as a " +
        "textkit model directory, which predicts, evaluates, serves, hot-swaps and quantises " +
        "like any textkit classifier. It reads text exactly as fastText does and answers " +
        "with the same labels and probabilities as 'fasttext predict-prob' (to 1e-5). Labels " +
        "lose fastText's __label__ prefix; --output-format fasttext puts it back on output.",
    )
    .requiredOption("--fasttext <file>", "the fastText model file (.bin or .ftz)")
    .requiredOption("--out <dir>", "model directory to write (a new one, or a textkit model to replace)")
    .option("--json", "print a JSON summary instead of text")
    .action(async (flags: ImportFlags) => {
      await runImport(flags, io);
    });
}
