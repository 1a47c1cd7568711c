import { type Command, Option } from "commander";
import { loadRecommender } from "../models/recommender/index.ts";
import { type CliIo, writeAll } from "./io.ts";
import { parseInteger } from "./parse-options.ts";

interface RecommendForFlags {
  model: string;
  user: string[];
  k: number;
  category: string[];
  includeSeen?: boolean;
}

async function runFor(flags: RecommendForFlags, io: CliIo): Promise<void> {
  const model = await loadRecommender(flags.model);
  for (const user of flags.user) {
    const list = model.recommend(user, {
      k: flags.k,
      excludeSeen: flags.includeSeen !== true,
      ...(flags.category.length === 0 ? {} : { category: flags.category }),
    });
    let out = "";
    for (let rank = 0; rank < list.length; rank++)
      out += `${JSON.stringify({ user, rank: rank + 1, ...list[rank]! })}\n`;
    if (!(await writeAll(io.stdout, out))) return;
  }
}

const collect = (value: string, previous: string[]) => [...previous, value];

/**
 * `textkit recommend for`.
 *
 * @example
 * registerRecommendFor(program.command("recommend"), io);
 */
export function registerRecommendFor(recommend: Command, io: CliIo): Command {
  return recommend
    .command("for")
    .summary("recommend items to users, one JSON line per item")
    .description(
      "Recommend items with a trained model: one JSON line per item, best first: " +
        '{"user", "rank", "item", "score", "title", "category", "reason": {"kind", "text", "item"}}. ' +
        'The reason says "because you liked X", "similar to your interest in X" or "popular in C". ' +
        "A user the model does not know gets the most popular items.",
    )
    .requiredOption("--model <dir>", "model directory written by 'textkit recommend train'")
    .requiredOption("--user <id>", "the user (repeatable)", collect, [] as string[])
    .addOption(new Option("--k <n>", "items per user").argParser(parseInteger("--k", 1)).default(10))
    .option("--category <name>", "only items of this category (repeatable)", collect, [] as string[])
    .option("--include-seen", "also recommend items the user has engaged with")
    .action(async (flags: RecommendForFlags) => {
      await runFor(flags, io);
    });
}
