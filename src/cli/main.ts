/**
 * The `textkit` command. `main` parses the arguments, runs one command and returns the exit
 * code; it never exits the process itself, so that tests and embedders can call it.
 *
 * Exit codes: 0 success, 1 a TextkitError (bad data, bad option value, missing file...),
 * 2 a usage error (unknown or missing option), 70 a bug.
 */
import { readFileSync, realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Command, CommanderError } from "commander";
import { isTextkitError } from "../core/errors.ts";
import { registerAssist } from "./assist.ts";
import { registerClassifyAutotune } from "./classify-autotune.ts";
import { registerClassifyEval } from "./classify-eval.ts";
import { registerClassifyPredict } from "./classify-predict.ts";
import { registerClassifyQuantize } from "./classify-quantize.ts";
import { registerClassifyTrain } from "./classify-train.ts";
import { registerCluster } from "./cluster.ts";
import { registerDemo } from "./demo.ts";
import { registerForecast } from "./forecast.ts";
import { type CliIo, processIo } from "./io.ts";
import { registerKeys } from "./keys.ts";
import { registerMonitor } from "./monitor.ts";
import { registerRecommendEval } from "./recommend-eval.ts";
import { registerRecommendFor } from "./recommend-for.ts";
import { registerRecommendTrain } from "./recommend-train.ts";
import { registerRegressEval } from "./regress-eval.ts";
import { registerRegressPredict } from "./regress-predict.ts";
import { registerRegressTrain } from "./regress-train.ts";
import { registerSearch } from "./search.ts";
import { registerServe } from "./serve.ts";
import { registerTagConvert } from "./tag-convert.ts";
import { registerTagEval } from "./tag-eval.ts";
import { registerTagPredict } from "./tag-predict.ts";
import { registerTagTrain } from "./tag-train.ts";
import { registerVectorsTrain } from "./vectors-train.ts";

export const EXIT_OK = 0;
export const EXIT_ERROR = 1;
export const EXIT_USAGE = 2;
/** EX_SOFTWARE of sysexits.h: an internal error. */
export const EXIT_BUG = 70;

function packageVersion(): string {
  try {
    const text = readFileSync(new URL("../../package.json", import.meta.url), "utf8");
    const version: unknown = JSON.parse(text).version;
    return typeof version === "string" ? version : "unknown";
  } catch {
    return "unknown";
  }
}

/**
 * The command tree. Subcommands created with `.command()` inherit the root's output and
 * exit settings, so those are set first.
 */
export function buildProgram(io: CliIo): Command {
  const program = new Command("textkit");
  program
    .description("Train, evaluate and use text models on your own data, on CPU, offline.")
    .version(packageVersion(), "-V, --version", "print the version")
    .helpOption("-h, --help", "show help")
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      getOutHelpWidth: () => io.stdout.columns ?? 100,
      getErrHelpWidth: () => io.stderr.columns ?? 100,
    })
    .showHelpAfterError("(add --help for usage)")
    .showSuggestionAfterError(true);

  const classify = program
    .command("classify")
    .description("Text classification: train a model, evaluate it, label texts with it.")
    .summary("train, evaluate and use text classifiers");
  registerClassifyTrain(classify, io);
  registerClassifyEval(classify, io);
  registerClassifyPredict(classify, io);
  registerClassifyQuantize(classify, io);
  registerClassifyAutotune(classify, io);

  const tag = program
    .command("tag")
    .description(
      "Sequence tagging (named entities, slots): train a tagger, evaluate it, find entities with it.",
    )
    .summary("train, evaluate and use entity taggers");
  registerTagTrain(tag, io);
  registerTagEval(tag, io);
  registerTagPredict(tag, io);
  registerTagConvert(tag, io);

  const vectors = program
    .command("vectors")
    .description("Word vectors: train them on raw text, for classifiers to start from.")
    .summary("train word vectors");
  registerVectorsTrain(vectors, io);

  const regress = program
    .command("regress")
    .description("Linear regression on tables: fit a model (OLS, ridge, SGD), evaluate it, predict with it.")
    .summary("train, evaluate and use regression models on tables");
  registerRegressTrain(regress, io);
  registerRegressEval(regress, io);
  registerRegressPredict(regress, io);
  registerForecast(program, io);

  registerCluster(program, io);

  registerSearch(program, io);

  const recommend = program
    .command("recommend")
    .description(
      "Recommendation from behaviour events and item text: train a recommender, evaluate it, recommend with it.",
    )
    .summary("train, evaluate and use recommenders");
  registerRecommendTrain(recommend, io);
  registerRecommendEval(recommend, io);
  registerRecommendFor(recommend, io);

  registerMonitor(program, io);

  registerAssist(program, io);

  registerKeys(program, io);

  registerServe(program, io);
  registerDemo(program, io);
  return program;
}

/** Prints an error the way a person can act on it, and picks the exit code. */
function reportError(error: unknown, io: CliIo): number {
  if (error instanceof CommanderError) {
    // Commander has printed its own message (or the help) already.
    if (error.code === "commander.helpDisplayed" || error.code === "commander.version") return EXIT_OK;
    return EXIT_USAGE;
  }
  if (isTextkitError(error) && error.code !== "INTERNAL") {
    io.stderr.write(`error: ${error.describe()}\nhint: ${error.hint}\n`);
    return EXIT_ERROR;
  }
  const message = error instanceof Error ? error.message : String(error);
  const debug = io.env["TEXTKIT_DEBUG"] === "1";
  io.stderr.write(
    `error: ${message}\nthis is a bug in textkit; please report it with the command you ran` +
      `${debug ? "" : " (TEXTKIT_DEBUG=1 prints the stack trace)"}\n`,
  );
  if (debug && error instanceof Error && error.stack !== undefined) io.stderr.write(`${error.stack}\n`);
  return EXIT_BUG;
}

/**
 * Runs the `textkit` command line with `argv` (the arguments after the program name) and
 * returns the exit code.
 *
 * @example
 * process.exitCode = await main(["classify", "train", "--train", "data.csv", "--out", "models/m"]);
 */
export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  try {
    await buildProgram(io).parseAsync(argv, { from: "user" });
    return EXIT_OK;
  } catch (error) {
    return reportError(error, io);
  }
}

/** True when this file is the script node was started with, not a module imported by one. */
function isEntryModule(): boolean {
  const entry = process.argv[1];
  if (entry === undefined) return false;
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryModule()) process.exitCode = await main(process.argv.slice(2));
