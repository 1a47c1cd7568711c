/**
 * The flags with which every train command takes its held-out data: --dev and --test files,
 * or --split fractions held out of --train, never both.
 */
import { type Command, Option } from "commander";
import { TextkitError } from "../core/index.ts";
import { parseSplit, type SplitFractions } from "./parse-options.ts";

/** What the held-out flags parse to. */
export interface HeldOutFlags {
  train: string;
  dev?: string;
  test?: string;
  split: SplitFractions;
}

/** What each flag's help says in the command at hand. */
export interface HeldOutHelp {
  train: string;
  /** Followed by "(default: held out by --split)". */
  dev: string;
  /** Followed by "(default: held out by --split)". */
  test: string;
  split: string;
}

/**
 * Adds --train (required), --dev, --test and --split (default 0.1,0.1) to `command`.
 *
 * @example
 * addHeldOutOptions(program.command("train"), {
 *   train: "training data",
 *   dev: "development data",
 *   test: "test data",
 *   split: "without --dev and --test: fractions of --train held out",
 * }).requiredOption("--out <dir>", "model directory");
 */
export function addHeldOutOptions(command: Command, help: HeldOutHelp): Command {
  return command
    .requiredOption("--train <file>", help.train)
    .option("--dev <file>", `${help.dev} (default: held out by --split)`)
    .option("--test <file>", `${help.test} (default: held out by --split)`)
    .addOption(
      new Option("--split <dev,test>", help.split)
        .argParser(parseSplit)
        .default({ dev: 0.1, test: 0.1 }, "0.1,0.1"),
    );
}

/**
 * True when held-out files (--dev or --test) are given; refuses them together with a --split
 * typed on the command line (`splitGiven`), since both would say where dev and test come from.
 * `what` names the examples in the message ("data", or "rows" for tables).
 *
 * @example
 * const separate = heldOutFilesGiven(flags, command.getOptionValueSource("split") === "cli", "data");
 */
export function heldOutFilesGiven(
  flags: Pick<HeldOutFlags, "dev" | "test">,
  splitGiven: boolean,
  what: "data" | "rows",
): boolean {
  const separate = flags.dev !== undefined || flags.test !== undefined;
  if (separate && splitGiven) {
    throw new TextkitError(
      "OPTION_INVALID",
      `--split holds dev and test ${what} out of --train; it cannot be combined with --dev or --test files`,
    );
  }
  return separate;
}
