import type { Command } from "commander";
import { fileSource, loadRegressor } from "../models/regressor/index.ts";
import { type CliIo, writeAll } from "./io.ts";
import { addTableFormatOptions, formatMetrics } from "./regress-options.ts";

interface RegressEvalFlags {
  model: string;
  data: string;
  format?: "csv" | "tsv" | "jsonl";
  delimiter?: string;
  json?: boolean;
}

async function runEval(flags: RegressEvalFlags, io: CliIo): Promise<void> {
  const model = await loadRegressor(flags.model);
  // Streamed: a test file of any size is scored in chunks.
  const metrics = await model.evaluateSource(
    fileSource(flags.data, {
      ...model.tableOptions(),
      ...(flags.format === undefined ? {} : { format: flags.format }),
      ...(flags.delimiter === undefined ? {} : { delimiter: flags.delimiter }),
    }),
  );
  if (flags.json) {
    await writeAll(
      io.stdout,
      `${JSON.stringify({ model: flags.model, data: flags.data, target: model.target, ...metrics }, null, 2)}\n`,
    );
    return;
  }
  await writeAll(
    io.stdout,
    `eval: ${metrics.examples} rows, target "${model.target}" (${flags.data})\n${formatMetrics(metrics)}\n`,
  );
}

/**
 * `textkit regress eval`.
 *
 * @example
 * registerRegressEval(program.command("regress"), io);
 */
export function registerRegressEval(regress: Command, io: CliIo): Command {
  const command = regress
    .command("eval")
    .summary("score a regressor on a table with the target")
    .description(
      "Score a trained regressor on a table that holds its features and target: MSE, RMSE, MAE " +
        "and R², as scikit-learn computes them. The table is read in chunks, so it may be of any size.",
    )
    .requiredOption("--model <dir>", "model directory written by 'textkit regress train'")
    .requiredOption("--data <file>", "table to score the model on (.csv, .tsv or .jsonl)");
  addTableFormatOptions(command);
  command
    .option("--json", "print one JSON object with the metrics instead of text")
    .action(async (flags: RegressEvalFlags) => {
      await runEval(flags, io);
    });
  return command;
}
