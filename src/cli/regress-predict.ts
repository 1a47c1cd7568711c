import type { Command } from "commander";
import { readTableChunks, type Table } from "../data/index.ts";
import { loadRegressor } from "../models/regressor/index.ts";
import { type CliIo, writeAll } from "./io.ts";
import { addTableFormatOptions } from "./regress-options.ts";

interface RegressPredictFlags {
  model: string;
  input: string;
  format?: "csv" | "tsv" | "jsonl";
  delimiter?: string;
}

/** The feature values of row `i` as read (null where missing). */
function inputOf(table: Table, i: number): Record<string, number | string | null> {
  const out: Record<string, number | string | null> = {};
  for (const column of table.columns) {
    if (column.kind === "numeric") {
      const v = column.values[i]!;
      out[column.name] = Number.isNaN(v) ? null : v;
    } else {
      const code = column.codes[i]!;
      out[column.name] = code < 0 ? null : column.levels[code]!;
    }
  }
  return out;
}

async function runPredict(flags: RegressPredictFlags, io: CliIo): Promise<void> {
  const model = await loadRegressor(flags.model);
  const chunks = readTableChunks(flags.input, {
    ...model.tableOptions(false),
    ...(flags.format === undefined ? {} : { format: flags.format }),
    ...(flags.delimiter === undefined ? {} : { delimiter: flags.delimiter }),
  });
  for await (const chunk of chunks.rows) {
    const predictions = model.predict(chunk);
    let out = "";
    for (let i = 0; i < chunk.rows; i++) {
      out += `${JSON.stringify({ prediction: predictions[i], line: chunk.lines[i], input: inputOf(chunk, i) })}\n`;
    }
    // A reader that went away (`| head`) ends the run quietly, as other Unix tools do.
    if (!(await writeAll(io.stdout, out))) return;
  }
}

/**
 * `textkit regress predict`.
 *
 * @example
 * registerRegressPredict(program.command("regress"), io);
 */
export function registerRegressPredict(regress: Command, io: CliIo): Command {
  const command = regress
    .command("predict")
    .summary("predict the target for each row, one JSON line per row")
    .description(
      "Predict with a trained regressor for every row of a CSV/TSV/JSONL table that holds its " +
        'feature columns (others, the target included, are ignored), streaming, in input order: {"prediction", ' +
        '"line", "input"}, where line is the row\'s line in the file and input its feature values as read.',
    )
    .requiredOption("--model <dir>", "model directory written by 'textkit regress train'")
    .requiredOption("--input <file>", "table to predict for (.csv, .tsv or .jsonl)");
  addTableFormatOptions(command);
  command.action(async (flags: RegressPredictFlags) => {
    await runPredict(flags, io);
  });
  return command;
}
