import { type Command, Option } from "commander";
import { addTextInputOptions, type TextInputFlags } from "./data-options.ts";
import { addEncoderOption, openClassifier } from "./encoder-head.ts";
import { fastTextPredictionLine } from "./fasttext-output.ts";
import { predictInput } from "./input-texts.ts";
import { type CliIo, writeAll } from "./io.ts";
import { parseChoice, parseInteger, parseNumber } from "./parse-options.ts";

const PREDICT_FORMATS = ["json", "fasttext"] as const;

interface PredictFlags extends TextInputFlags {
  model: string;
  encoder?: string;
  encoderThreads?: number;
  encoderCache?: string;
  input?: string;
  k: number;
  threshold: number;
  batchSize: number;
  outputFormat: (typeof PREDICT_FORMATS)[number];
}

async function runPredict(flags: PredictFlags, io: CliIo): Promise<void> {
  const model = await openClassifier(flags.model, flags);
  try {
    await predictAll(model, flags, io);
  } finally {
    await model.close();
  }
}

async function predictAll(
  model: Awaited<ReturnType<typeof openClassifier>>,
  flags: PredictFlags,
  io: CliIo,
): Promise<void> {
  const batches = predictInput(flags, io);
  const options = { k: flags.k, threshold: flags.threshold };
  for await (const batch of batches) {
    const predictions = await model.predict(
      batch.map((item) => item.text),
      options,
    );
    let out = "";
    for (let i = 0; i < batch.length; i++) {
      const { text, line } = batch[i]!;
      const { labels, scores } = predictions[i]!;
      out +=
        flags.outputFormat === "fasttext"
          ? `${fastTextPredictionLine(labels, scores)}\n`
          : `${JSON.stringify({ text, labels, scores, line })}\n`;
    }
    // A reader that went away (`| head`) ends the run quietly, as other Unix tools do.
    if (!(await writeAll(io.stdout, out))) return;
  }
}

/**
 * `textkit classify predict`.
 *
 * @example
 * registerClassifyPredict(program.command("classify"), io);
 */
export function registerClassifyPredict(classify: Command, io: CliIo): Command {
  const command = classify
    .command("predict")
    .summary("label texts, one JSON line per text")
    .description(
      "Label texts with a trained classifier. Reads one text per line (or the text column of a " +
        "CSV/TSV/JSONL file) from --input or standard input, streaming, and writes one JSON line " +
        'per text to standard output, in input order: {"text", "labels", "scores", "line"}, best ' +
        "label first. Blank lines are skipped; 'line' is the input line of each text.",
    )
    .requiredOption("--model <dir>", "model directory written by 'textkit classify train'")
    .option("--input <file>", "file to read, '-' for standard input (default: standard input)");
  addTextInputOptions(command);
  addEncoderOption(command);
  command
    .addOption(
      new Option("--k <k>", "labels per text, best first").argParser(parseInteger("--k", 1)).default(1),
    )
    .addOption(
      new Option(
        "--threshold <p>",
        "leave out labels scoring below this (the best label always stays for single-label models)",
      )
        .argParser(parseNumber("--threshold", 0))
        .default(0),
    )
    .addOption(
      new Option(
        "--output-format <format>",
        "json: one JSON object per text; fasttext: '__label__x p __label__y q' per line, as 'fasttext predict-prob' prints",
      )
        .argParser(parseChoice("--output-format", PREDICT_FORMATS))
        .default("json"),
    )
    .addOption(
      new Option("--batch-size <n>", "texts read and labelled at a time")
        .argParser(parseInteger("--batch-size", 1))
        .default(256),
    )
    .action(async (flags: PredictFlags) => {
      await runPredict(flags, io);
    });
  return command;
}
