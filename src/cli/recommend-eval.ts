import { type Command, Option } from "commander";
import { readEvents } from "../data/index.ts";
import { loadRecommender } from "../models/recommender/index.ts";
import { type CliIo, writeAll } from "./io.ts";
import { parseInteger } from "./parse-options.ts";
import { describeInteractions, evaluationRecord, formatRecommenderEvaluations } from "./recommend-options.ts";

interface RecommendEvalFlags {
  model: string;
  events: string;
  k: number;
  coldUsers?: boolean;
  digits: number;
  json?: boolean;
}

async function runEval(flags: RecommendEvalFlags, io: CliIo): Promise<void> {
  const model = await loadRecommender(flags.model);
  // The events must name items of the model's catalogue, weighed as in training.
  const test = await readEvents(flags.events, model.catalog, { weights: model.weights });
  const evaluation = model.evaluate(test, { k: flags.k, coldUsers: flags.coldUsers === true });
  if (flags.json) {
    const result = { model: flags.model, events: flags.events, ...evaluationRecord(evaluation) };
    await writeAll(io.stdout, `${JSON.stringify(result, null, 2)}\n`);
    return;
  }
  const out =
    `${describeInteractions("data", test)}\n\n` +
    formatRecommenderEvaluations(flags.events, [{ name: model.model, evaluation }], flags.digits);
  await writeAll(io.stdout, out);
}

/**
 * `textkit recommend eval`.
 *
 * @example
 * registerRecommendEval(program.command("recommend"), io);
 */
export function registerRecommendEval(recommend: Command, io: CliIo): Command {
  return recommend
    .command("eval")
    .summary("score a recommender on held-out events")
    .description(
      "Score a trained recommender on events it has not seen: for every user the model knows, the " +
        "items of their events here that are new to them are the relevant ones, and the model's top k " +
        "(seen items excluded) is scored with HitRate, Precision, Recall, NDCG and MAP at k and " +
        "catalogue coverage; rating events also get RMSE and MAE of the rating baseline.",
    )
    .requiredOption("--model <dir>", "model directory written by 'textkit recommend train'")
    .requiredOption(
      "--events <file>",
      "held-out events (.csv/.tsv/.jsonl) naming items of the model's catalogue",
    )
    .addOption(new Option("--k <n>", "cut-off of the metrics").argParser(parseInteger("--k", 1)).default(10))
    .option("--cold-users", "also score users the model has never seen (they get popular items)")
    .addOption(
      new Option("--digits <n>", "digits after the point").argParser(parseInteger("--digits", 0)).default(4),
    )
    .option("--json", "print one JSON object instead of text")
    .action(async (flags: RecommendEvalFlags) => {
      await runEval(flags, io);
    });
}
