import { join } from "node:path";
import { type Command, Option } from "commander";
import {
  DEFAULT_EVENT_WEIGHTS,
  type EventWeights,
  type Interactions,
  parseEventWeights,
  readEvents,
  readItems,
} from "../data/index.ts";
import {
  HYBRID_FACTOR_MODELS,
  RECOMMENDER_MODELS,
  type Recommender,
  type RecommenderEvaluation,
  type RecommenderOptions,
  resolveRecommenderOptions,
  trainRecommender,
} from "../models/recommender/index.ts";
import { type CliIo, writeAll } from "./io.ts";
import { checkModelOutput } from "./output-paths.ts";
import { parseChoice, parseInteger, parseNumber } from "./parse-options.ts";
import { ProgressBar } from "./progress-bar.ts";
import { addRecommendEncoderOptions, openRecommendEncoder } from "./recommend-encoder.ts";
import {
  applyRecommendSplit,
  describeInteractions,
  evaluationRecord,
  formatRecommenderEvaluations,
  parseRecommendSplit,
  type RecommendSplit,
} from "./recommend-options.ts";
import { classifierHooks } from "./report-output.ts";

interface RecommendTrainFlags {
  items: string;
  events: string;
  model: RecommenderOptions["model"];
  split: RecommendSplit;
  k: number;
  out: string;
  weights?: EventWeights;
  tagSeparator?: string;
  seed: number;
  factors?: number;
  iterations?: number;
  reg?: number;
  alpha?: number;
  cgSteps?: number;
  learningRate?: number;
  neighbours?: number;
  shrink?: number;
  halfLifeDays?: number;
  buckets?: number;
  vectors?: string;
  hybridFactors?: RecommenderOptions["hybridFactors"];
  candidates?: number;
  validationFraction?: number;
  encoder?: string;
  encoderThreads?: number;
  encoderCache?: string;
  baseline: boolean;
  json?: boolean;
  quiet?: boolean;
}

function optionsOf(flags: RecommendTrainFlags): Partial<RecommenderOptions> {
  const keys = [
    "factors",
    "iterations",
    "reg",
    "alpha",
    "cgSteps",
    "learningRate",
    "neighbours",
    "shrink",
    "halfLifeDays",
    "buckets",
    "vectors",
    "hybridFactors",
    "candidates",
    "validationFraction",
  ] as const;
  const out: Partial<RecommenderOptions> = { model: flags.model, seed: flags.seed };
  for (const key of keys) if (flags[key] !== undefined) Object.assign(out, { [key]: flags[key] });
  return out;
}

function describeModel(model: Recommender): string {
  const o = model.options;
  const detail =
    o.model === "als" || o.model === "bpr"
      ? `, ${o.factors} factors, ${model.runRecord?.epochs.length ?? o.iterations} passes`
      : o.model === "hybrid"
        ? `, ${o.hybridFactors} with ${o.factors} factors + item-kNN + content + popularity`
        : "";
  return `${o.model}: ${model.users} users, ${model.items} items${detail}`;
}

async function runTrain(flags: RecommendTrainFlags, io: CliIo): Promise<void> {
  const options = optionsOf(flags);
  // Refuse bad settings before reading any data: a typo should cost no time.
  const resolved = resolveRecommenderOptions(options);
  checkModelOutput(flags.out, "--out");
  const encoder = await openRecommendEncoder(flags, resolved);
  const bar = new ProgressBar(io.stderr, { quiet: flags.quiet });
  const catalog = await readItems(
    flags.items,
    flags.tagSeparator === undefined ? {} : { tagSeparator: flags.tagSeparator },
  );
  const data = await readEvents(flags.events, catalog, { weights: flags.weights ?? DEFAULT_EVENT_WEIGHTS });
  const split = applyRecommendSplit(data, flags.split, flags.seed);
  const train: Interactions = split?.train ?? data;
  bar.log(`items: ${catalog.size} (${flags.items})`);
  bar.log(describeInteractions("train", train));
  if (split !== null) bar.log(describeInteractions(`test (${split.description})`, split.test));

  let model: Recommender;
  try {
    if (encoder !== null) bar.log(`encoder: ${encoder.encoder.id}, ${encoder.encoder.dim} dimensions`);
    const hooks = classifierHooks(bar, resolved.iterations);
    model = await trainRecommender({ train, ...(encoder ?? {}) }, options, hooks);
  } finally {
    bar.finish();
    await encoder?.encoder.close();
  }
  let evaluations: { name: string; evaluation: RecommenderEvaluation }[] = [];
  if (split !== null) {
    evaluations = [{ name: model.model, evaluation: model.evaluate(split.test, { k: flags.k }) }];
    if (flags.baseline && model.model !== "popularity") {
      const baseline = await trainRecommender(
        { train },
        { model: "popularity", halfLifeDays: resolved.halfLifeDays },
      );
      evaluations.push({ name: "popularity", evaluation: baseline.evaluate(split.test, { k: flags.k }) });
    }
    if (model.runRecord !== null) {
      // The trainer never sees the test part; the run record should still say how the model did on it.
      model.runRecord.final["test"] = {
        source: split.description,
        ...evaluationRecord(evaluations[0]!.evaluation),
        ...(evaluations[1] === undefined ? {} : { popularity: evaluationRecord(evaluations[1].evaluation) }),
      };
    }
  }
  await model.save(flags.out);
  const runRecord = model.runRecord === null ? null : join(flags.out, "run.json");
  if (flags.json) {
    const result = {
      model: flags.out,
      runRecord,
      options: model.options,
      users: model.users,
      items: model.items,
      data: {
        items: flags.items,
        events: { source: flags.events, count: data.length },
        train: { events: train.length },
        ...(split === null ? {} : { test: { events: split.test.length, split: split.description } }),
      },
      training: {
        epochs: model.runRecord?.epochs.length ?? null,
        seconds: model.runRecord?.seconds ?? null,
      },
      ...(split === null
        ? {}
        : { test: Object.fromEntries(evaluations.map((e) => [e.name, evaluationRecord(e.evaluation)])) }),
    };
    await writeAll(io.stdout, `${JSON.stringify(result, null, 2)}\n`);
    return;
  }
  let out = "";
  if (split !== null) out += `${formatRecommenderEvaluations(`test (${split.description})`, evaluations)}\n`;
  else out += "no test part (--split none): every event trained the model\n";
  out += `model: ${flags.out} (${describeModel(model)})\n`;
  if (runRecord !== null) out += `run record: ${runRecord}\n`;
  await writeAll(io.stdout, out);
}

/** --weights view=1,click=2,rating=value on top of the defaults. */
function parseWeightsFlag(value: string): EventWeights {
  return parseEventWeights(value);
}

/**
 * `textkit recommend train`.
 *
 * @example
 * registerRecommendTrain(program.command("recommend"), io);
 */
export function registerRecommendTrain(recommend: Command, io: CliIo): Command {
  const command = recommend
    .command("train")
    .summary("train a recommender on behaviour events and print its ranking metrics")
    .description(
      "Train a recommender on behaviour events (view, click, like, share, purchase, rating...) and " +
        "the items' text, save it as a model directory, and print HitRate, Precision, Recall, NDCG " +
        "and MAP at k and catalogue coverage on the held-out events, beside a popularity baseline. " +
        "The saved model is the one trained without the held-out events; train with --split none " +
        "to use every event.",
    )
    .requiredOption(
      "--items <file>",
      "items: .csv/.tsv with a header or .jsonl; id, and optionally title, description, tags, category, created",
    )
    .requiredOption(
      "--events <file>",
      "events: user, item, and optionally type, value (or rating), timestamp (ISO 8601 or Unix seconds)",
    )
    .requiredOption("--out <dir>", "model directory to write (replaced atomically once training succeeds)")
    .addOption(
      new Option("--model <name>", `the model: ${RECOMMENDER_MODELS.join(", ")}`)
        .argParser(parseChoice("--model", RECOMMENDER_MODELS))
        .default("als"),
    )
    .addOption(
      new Option(
        "--split <how>",
        "held-out events: last (each user's last item), time:<when>, latest:<fraction>, random:<fraction> or none",
      )
        .argParser(parseRecommendSplit)
        .default({ kind: "last" }, "last"),
    )
    .addOption(new Option("--k <n>", "cut-off of the metrics").argParser(parseInteger("--k", 1)).default(10))
    .addOption(
      new Option(
        "--weights <type=w,...>",
        "weight per event type, e.g. view=1,click=2,rating=value (default: view 1, click 2, comment 3, like 3, share 4, purchase 5, rating its value)",
      ).argParser(parseWeightsFlag),
    )
    .option("--tag-separator <sep>", 'separator of the tags in a CSV/TSV cell (default: "|")')
    .addOption(new Option("--seed <n>", "random seed").argParser(parseInteger("--seed", 0)).default(1));
  addModelOptions(command)
    .option("--no-baseline", "do not score a popularity baseline beside the model")
    .option("--json", "print one JSON object (options, data, metrics) instead of text")
    .option("-q, --quiet", "no progress or pass lines on stderr")
    .action(async (flags: RecommendTrainFlags) => {
      await runTrain(flags, io);
    });
  return addRecommendEncoderOptions(command);
}

/** The settings of each model: ALS, BPR, item-kNN, popularity, content and the hybrid. */
function addModelOptions(command: Command): Command {
  return command
    .addOption(
      new Option("--factors <n>", "ALS, BPR: factors (default: 64)").argParser(parseInteger("--factors", 1)),
    )
    .addOption(
      new Option("--iterations <n>", "ALS, BPR: passes (default: 15 for ALS, 60 for BPR)").argParser(
        parseInteger("--iterations", 1),
      ),
    )
    .addOption(
      new Option("--reg <x>", "ALS, BPR: L2 regularisation (default: 20 for ALS, 0.01 for BPR)").argParser(
        parseNumber("--reg", 0),
      ),
    )
    .addOption(
      new Option("--alpha <x>", "ALS: confidence 1 + alpha * weight (default: 0.5)").argParser(
        parseNumber("--alpha", 0),
      ),
    )
    .addOption(
      new Option("--cg-steps <n>", "ALS: conjugate-gradient steps per row and pass (default: 3)").argParser(
        parseInteger("--cg-steps", 1),
      ),
    )
    .addOption(
      new Option("--learning-rate <x>", "BPR: SGD learning rate (default: 0.05)").argParser(
        parseNumber("--learning-rate", 0, true),
      ),
    )
    .addOption(
      new Option("--neighbours <n>", "item-kNN: neighbours kept per item (default: 100)").argParser(
        parseInteger("--neighbours", 1),
      ),
    )
    .addOption(
      new Option("--shrink <x>", "item-kNN: cosine shrinkage (default: 10)").argParser(
        parseNumber("--shrink", 0),
      ),
    )
    .addOption(
      new Option(
        "--half-life-days <x>",
        "popularity: half-life of an event's weight (default: no decay)",
      ).argParser(parseNumber("--half-life-days", 0, true)),
    )
    .addOption(
      new Option("--buckets <n>", "content: hash buckets of the TF-IDF features (default: 262144)").argParser(
        parseInteger("--buckets", 16),
      ),
    )
    .option("--vectors <file.vec>", "content: word vectors instead of hashed TF-IDF")
    .addOption(
      new Option("--hybrid-factors <name>", "hybrid: its factor model, als or bpr (default: als)").argParser(
        parseChoice("--hybrid-factors", HYBRID_FACTOR_MODELS),
      ),
    )
    .addOption(
      new Option("--candidates <n>", "hybrid: candidates each source proposes (default: 100)").argParser(
        parseInteger("--candidates", 1),
      ),
    )
    .addOption(
      new Option(
        "--validation-fraction <x>",
        "hybrid: share of each user's items, at random, held out for the ranker to learn from (default: 0.1)",
      ).argParser(parseNumber("--validation-fraction", 0, true)),
    );
}
