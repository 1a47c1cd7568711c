import { type Command, Option } from "commander";
import { addTextInputOptions, type TextInputFlags } from "./data-options.ts";
import { predictInput } from "./input-texts.ts";
import { type CliIo, writeAll } from "./io.ts";
import { parseInteger } from "./parse-options.ts";
import { addTagEncoderOptions, openTagger, type TagEncoderFlags } from "./tag-encoder.ts";

interface TagPredictFlags extends TextInputFlags, TagEncoderFlags {
  model: string;
  input?: string;
  tokens?: boolean;
  batchSize: number;
}

async function runPredict(flags: TagPredictFlags, io: CliIo): Promise<void> {
  const { model, close } = await openTagger(flags.model, flags);
  try {
    const batches = predictInput(flags, io);
    for await (const batch of batches) {
      const results = await model.predictAsync(
        batch.map((item) => item.text),
        { tokens: flags.tokens === true },
      );
      let out = "";
      for (let i = 0; i < batch.length; i++) {
        const { text, line } = batch[i]!;
        out += `${JSON.stringify({ text, ...results[i]!, line })}\n`;
      }
      if (!(await writeAll(io.stdout, out))) return;
    }
  } finally {
    await close();
  }
}

/**
 * `textkit tag predict`.
 *
 * @example
 * registerTagPredict(program.command("tag"), io);
 */
export function registerTagPredict(tag: Command, io: CliIo): Command {
  const command = tag
    .command("predict")
    .summary("find entities in texts, one JSON line per text")
    .description(
      "Find entities with a trained tagger. Reads one text per line (or the text column of a " +
        "CSV/TSV/JSONL file) from --input or standard input, streaming, and writes one JSON line per " +
        'text: {"text", "entities": [{"text", "label", "start", "end", "score"}], "line"}. start and end ' +
        "are UTF-16 offsets into the text (JavaScript string indices), end exclusive; score is the " +
        "calibrated probability of exactly that entity.",
    )
    .requiredOption("--model <dir>", "model directory written by 'textkit tag train'")
    .option("--input <file>", "file to read, '-' for standard input (default: standard input)");
  addTextInputOptions(command);
  command
    .option("--tokens", "also print every token with its BIO tag")
    .addOption(
      new Option("--batch-size <n>", "texts read and tagged at a time")
        .argParser(parseInteger("--batch-size", 1))
        .default(256),
    );
  addTagEncoderOptions(command, false);
  command.action(async (flags: TagPredictFlags) => {
    await runPredict(flags, io);
  });
  return command;
}
