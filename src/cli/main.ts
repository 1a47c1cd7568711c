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
import { isTextkitError, type TextkitError } from "../core/index.ts";
import { type CliIo, processIo } from "./io.ts";

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

/** Adds one top-level command, complete with its subcommands and options, to `program`. */
type Register = (program: Command, io: CliIo, name: string, summary: string) => Promise<void>;

/** A command group whose subcommands each come from their own module. */
function group(
  description: string,
  parts: () => Promise<Array<(group: Command, io: CliIo) => unknown>>,
): Register {
  return async (program, io, name, summary) => {
    const command = program.command(name).description(description).summary(summary);
    for (const register of await parts()) register(command, io);
  };
}

/**
 * The top-level commands, in the order of the help. Each module is imported only when its
 * command runs (or its help is asked for): the models, readers and server behind them take
 * most of a start-up, and `textkit --help` or `--version` needs none of them. The summary
 * is what the root help lists; a test holds it equal to the command's own.
 */
export const TOP_COMMANDS: ReadonlyArray<{ name: string; summary: string; register: Register }> = [
  {
    name: "classify",
    summary: "train, evaluate and use text classifiers",
    register: group("Text classification: train a model, evaluate it, label texts with it.", async () => [
      (await import("./classify-train.ts")).registerClassifyTrain,
      (await import("./classify-eval.ts")).registerClassifyEval,
      (await import("./classify-predict.ts")).registerClassifyPredict,
      (await import("./classify-quantize.ts")).registerClassifyQuantize,
      (await import("./classify-autotune.ts")).registerClassifyAutotune,
      (await import("./classify-import.ts")).registerClassifyImport,
      (await import("./classify-export.ts")).registerClassifyExport,
    ]),
  },
  {
    name: "train",
    summary: "train any model family from a configuration file (YAML)",
    register: async (program, io) =>
      void (await import("./train-config.ts")).registerTrainConfig(program, io, { buildProgram, main }),
  },
  {
    name: "tag",
    summary: "train, evaluate and use entity taggers",
    register: group(
      "Sequence tagging (named entities, slots): train a tagger, evaluate it, find entities with it.",
      async () => [
        (await import("./tag-train.ts")).registerTagTrain,
        (await import("./tag-eval.ts")).registerTagEval,
        (await import("./tag-predict.ts")).registerTagPredict,
        (await import("./tag-convert.ts")).registerTagConvert,
      ],
    ),
  },
  {
    name: "vectors",
    summary: "train word vectors",
    register: group("Word vectors: train them on raw text, for classifiers to start from.", async () => [
      (await import("./vectors-train.ts")).registerVectorsTrain,
    ]),
  },
  {
    name: "regress",
    summary: "train, evaluate and use regression models on tables",
    register: group(
      "Linear regression on tables: fit a model (OLS, ridge, SGD), evaluate it, predict with it.",
      async () => [
        (await import("./regress-train.ts")).registerRegressTrain,
        (await import("./regress-eval.ts")).registerRegressEval,
        (await import("./regress-predict.ts")).registerRegressPredict,
      ],
    ),
  },
  {
    name: "forecast",
    summary: "forecast a time series, test it against the naive forecast, fit its growth",
    register: async (program, io) => void (await import("./forecast.ts")).registerForecast(program, io),
  },
  {
    name: "cluster",
    summary: "group texts (or rows of numbers) into clusters and describe them",
    register: async (program, io) => void (await import("./cluster.ts")).registerCluster(program, io),
  },
  {
    name: "search",
    summary: "build and query search indexes over documents (BM25, word vectors, hybrid)",
    register: async (program, io) => void (await import("./search.ts")).registerSearch(program, io),
  },
  {
    name: "encoders",
    summary: "fetch, check and run pretrained transformer encoders (ONNX)",
    register: group(
      "Pretrained transformer encoders: pull a hub model into a folder, check it, embed texts with it.",
      async () => [(await import("./encoders.ts")).registerEncoders],
    ),
  },
  {
    name: "recommend",
    summary: "train, evaluate and use recommenders",
    register: group(
      "Recommendation from behaviour events and item text: train a recommender, evaluate it, recommend with it.",
      async () => [
        (await import("./recommend-train.ts")).registerRecommendTrain,
        (await import("./recommend-eval.ts")).registerRecommendEval,
        (await import("./recommend-for.ts")).registerRecommendFor,
      ],
    ),
  },
  {
    name: "langid",
    summary: "tell which language texts are in (176 languages with fastText's lid.176 model)",
    register: async (program, io) => void (await import("./langid.ts")).registerLangid(program, io),
  },
  {
    name: "monitor",
    summary: "the opinion monitor: import documents (serve it with 'textkit serve --monitor')",
    register: async (program, io) => (await import("./monitor.ts")).registerMonitor(program, io),
  },
  {
    name: "radar",
    summary: "the technology radar: build it from news and posts, read it, get suggestions",
    register: async (program, io) => (await import("./radar.ts")).registerRadar(program, io),
  },
  {
    name: "assist",
    summary: "the customer-service assistant: train, chat, evaluate, retrain with corrections",
    register: async (program, io) => (await import("./assist.ts")).registerAssist(program, io),
  },
  {
    name: "runs",
    summary: "list, compare, export and repeat recorded training runs",
    register: async (program, io) => void (await import("./runs.ts")).registerRuns(program, io, main),
  },
  {
    name: "keys",
    summary: "create, list and revoke API keys",
    register: async (program, io) => void (await import("./keys.ts")).registerKeys(program, io),
  },
  {
    name: "serve",
    summary: "serve trained models over HTTP",
    register: async (program, io) => (await import("./serve.ts")).registerServe(program, io),
  },
  {
    name: "demo",
    summary: "train the bundled sample models and print their reports",
    register: async (program, io) => void (await import("./demo.ts")).registerDemo(program, io),
  },
];

/**
 * The command named by `argv`: its first operand, or the one after `help`. The root's own
 * options (`--help`, `--version`) take no value, so the first word without a dash is it.
 */
function requestedCommand(argv: readonly string[]): string | undefined {
  const operands = argv.filter((arg) => !arg.startsWith("-"));
  return operands[0] === "help" ? operands[1] : operands[0];
}

/**
 * The command tree. Subcommands created with `.command()` inherit the root's output and
 * exit settings, so those are set first. Only the command `argv` asks for is loaded whole
 * (`"all"` loads every one, for tests that look at the whole tree); the others are
 * a name and a summary, which is all the root help shows.
 */
export async function buildProgram(io: CliIo, argv: readonly string[] | "all" = "all"): Promise<Command> {
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
    .showSuggestionAfterError(true)
    .option(
      "--runs-db <location>",
      "where training runs are recorded: a SQLite file or postgres://... (default: $TEXTKIT_RUNS_DB, else <data-dir>/textkit.db, the database 'textkit serve' uses)",
    )
    .option("--no-runs", "do not record training runs (or TEXTKIT_RUNS_DB=off)");

  const wanted = argv === "all" ? undefined : requestedCommand(argv);
  for (const { name, summary, register } of TOP_COMMANDS) {
    if (argv === "all" || name === wanted) await register(program, io, name, summary);
    else program.command(name).summary(summary);
  }
  return program;
}

/**
 * The hint to print: a library check names the option it refused (`details.option`, e.g.
 * nInit), which on the command line is a flag (--n-init); the hint says which.
 */
function hintOf(error: TextkitError, command: Command | undefined): string {
  const option = error.details?.["option"];
  if (typeof option !== "string" || option.startsWith("-") || command === undefined) return error.hint;
  const flag = command.options.find((o) => o.attributeName() === option)?.long;
  return flag === undefined || flag === `--${option}`
    ? error.hint
    : `${option} is set by ${flag}. ${error.hint}`;
}

/** Prints an error the way a person can act on it, and picks the exit code. */
function reportError(error: unknown, io: CliIo, command?: Command): number {
  if (error instanceof CommanderError) {
    // Commander has printed its own message (or the help) already.
    if (error.code === "commander.helpDisplayed" || error.code === "commander.version") return EXIT_OK;
    return EXIT_USAGE;
  }
  if (isTextkitError(error) && error.code !== "INTERNAL") {
    io.stderr.write(`error: ${error.describe()}\nhint: ${hintOf(error, command)}\n`);
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
  let running: Command | undefined;
  // The run record of a training command (see run-tracking.ts), loaded only when one runs.
  let tracking: { finish(): Promise<void>; fail(error: unknown): Promise<void> } | undefined;
  try {
    const program = await buildProgram({ ...io, finishRun: async () => tracking?.finish() }, argv);
    program.hook("preAction", async (_program, command) => {
      running = command;
      const { CommandTracking } = await import("./run-tracking.ts");
      const started = new CommandTracking(io);
      await started.start(command, argv);
      tracking = started;
    });
    program.hook("postAction", async () => tracking?.finish());
    await program.parseAsync(argv, { from: "user" });
    return EXIT_OK;
  } catch (error) {
    await tracking?.fail(error);
    return reportError(error, io, running);
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
