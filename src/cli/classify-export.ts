import { statSync } from "node:fs";
import type { Command } from "commander";
import { Option } from "commander";
import { exportFastText, loadClassifier } from "../models/classifier/index.ts";
import { formatBytes } from "./classify-quantize.ts";
import { type CliIo, writeAll } from "./io.ts";

interface ExportFlags {
  model: string;
  to: "fasttext";
  out: string;
  json?: boolean;
}

async function runExport(flags: ExportFlags, io: CliIo): Promise<void> {
  const model = await loadClassifier(flags.model);
  await exportFastText(model, flags.out);
  const bytes = statSync(flags.out).size;
  if (flags.json) {
    const summary = { model: flags.model, to: flags.to, out: flags.out, bytes, labels: model.labels.length };
    await writeAll(io.stdout, `${JSON.stringify(summary, null, 2)}\n`);
    return;
  }
  await writeAll(
    io.stdout,
    `wrote ${flags.out}: a fastText ${model.options.loss} classifier (${formatBytes(bytes)}, file format 12), ` +
      `${model.labels.length} labels\n` +
      `try: fasttext predict-prob ${flags.out} - 2 < texts.txt\n`,
  );
}

/**
 * `textkit classify export --to fasttext`.
 *
 * @example
 * registerClassifyExport(program.command("classify"), io);
 */
export function registerClassifyExport(classify: Command, io: CliIo): Command {
  return classify
    .command("export")
    .summary("write a classifier in another program's format (fastText .bin)")
    .description(
      "Write a textkit classifier as a fastText model file (.bin, file format version 12), " +
        "which the fastText program and its bindings load and predict with, giving the same " +
        "probabilities as textkit. Only a model that reads text as fastText does can be " +
        "written: one imported with 'classify import --fasttext' (not quantised by textkit, " +
        "its n-gram buckets not pruned). A textkit-trained model is refused " +
        "(FASTTEXT_EXPORT_UNSUPPORTED): its normalisation, tokenizer and n-gram hash are not " +
        "fastText's, so fastText would answer differently. The file is written under a " +
        "temporary name and renamed, so a refused or failed export leaves nothing behind.",
    )
    .requiredOption("--model <dir>", "the classifier's model directory")
    .addOption(new Option("--to <format>", "the format to write").choices(["fasttext"]).makeOptionMandatory())
    .requiredOption("--out <file>", "the file to write (e.g. model.bin)")
    .option("--json", "print a JSON summary instead of text")
    .action(async (flags: ExportFlags) => {
      await runExport(flags, io);
    });
}
