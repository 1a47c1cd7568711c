/**
 * `textkit train config.yaml`: training from a configuration file, as spaCy users do. The
 * file has sections `family`, `data`, `model`, `training`, `evaluation` and `output`; each
 * key is the camelCase name of the family's train command flag (`wordNgrams` for
 * --word-ngrams), so the file and the flags say the same things. `--set training.epochs=30`
 * overrides a key. Every flag's default is filled in, the resolved configuration is printed
 * (`--print-config` stops there), and it is sealed into the trained model as
 * `train-config.yaml`, so that the run can be repeated from the model alone.
 */
import { readFileSync } from "node:fs";
import type { Command, Option } from "commander";
import {
  type Document,
  isMap,
  isScalar,
  LineCounter,
  parseDocument,
  parse as parseYaml,
  stringify,
} from "yaml";
import { addArtifactFiles } from "../artifact/index.ts";
import { TextkitError } from "../core/index.ts";
import type { CliIo } from "./io.ts";
import { writeAll } from "./io.ts";

/** The train command of each family, as typed after `textkit`. */
const TRAIN_COMMANDS = {
  classifier: ["classify", "train"],
  tagger: ["tag", "train"],
  regressor: ["regress", "train"],
  recommender: ["recommend", "train"],
  vectors: ["vectors", "train"],
  assistant: ["assist", "train"],
} as const;
type Family = keyof typeof TRAIN_COMMANDS;

/** Keys of the data and evaluation sections; every other flag is a model or training setting. */
const DATA_KEYS = new Set([
  "train",
  "dev",
  "input",
  "data",
  "items",
  "events",
  "knowledge",
  "format",
  "textColumn",
  "labelColumn",
  "tagColumn",
  "labelSeparator",
  "header",
  "split",
  "skipEmpty",
  "encoding",
  "scheme",
  "delimiter",
  "offsets",
  "end",
  "repair",
  "seedSplit",
  "userColumn",
  "itemColumn",
  "typeColumn",
  "timeColumn",
]);
const EVALUATION_KEYS = new Set(["test", "eval", "confusion", "digits"]);
const OUTPUT_KEYS = new Set(["out"]);
const SECTIONS = ["family", "data", "model", "training", "evaluation", "output"] as const;

/** What `textkit train` needs from the command line it belongs to (given by main.ts, which imports this file). */
export interface CommandLine {
  buildProgram(io: CliIo, argv: readonly string[]): Promise<Command>;
  main(argv: string[], io: CliIo): Promise<number>;
}

interface ConfigFlags {
  set?: string[];
  printConfig?: boolean;
}

type Config = Record<string, unknown>;

function configError(file: string, line: number | undefined, message: string): TextkitError {
  return new TextkitError("CONFIG_INVALID", message, { file, ...(line === undefined ? {} : { line }) });
}

/** The 1-based line of a key path in the YAML document, when it is there. */
function lineOf(doc: Document, counter: LineCounter, path: readonly string[]): number | undefined {
  const node = doc.getIn(path, true);
  const range = isScalar(node) || isMap(node) ? node.range : undefined;
  return range === undefined || range === null ? undefined : counter.linePos(range[0]).line;
}

function readConfig(file: string): { config: Config; doc: Document; counter: LineCounter } {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    throw new TextkitError("DATA_FILE_NOT_FOUND", `${file} does not exist or cannot be read`, { file });
  }
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, uniqueKeys: true });
  const problem = doc.errors[0];
  if (problem !== undefined) {
    throw configError(
      file,
      counter.linePos(problem.pos[0]).line,
      `${file} is not valid YAML: ${problem.message.split("\n")[0]}`,
    );
  }
  const value: unknown = doc.toJS({ maxAliasCount: 0 });
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw configError(file, 1, `${file} must be a mapping with the sections ${SECTIONS.join(", ")}`);
  }
  return { config: value as Config, doc, counter };
}

/** `section.key=value` (value read as YAML: numbers, booleans, lists) into the configuration. */
function applySet(config: Config, assignment: string): void {
  const at = assignment.indexOf("=");
  const path = at < 0 ? [] : assignment.slice(0, at).split(".");
  if (at < 0 || path.length !== 2 || path.some((p) => p === "")) {
    throw new TextkitError(
      "OPTION_INVALID",
      `--set ${assignment}: write section.key=value, e.g. training.epochs=30`,
    );
  }
  const [section, key] = path as [string, string];
  if (section === "family" || section === "output") {
    throw new TextkitError("OPTION_INVALID", `--set ${assignment}: ${section} is not a section of keys`);
  }
  const current = config[section];
  const table: Config =
    current !== null && typeof current === "object" && !Array.isArray(current) ? (current as Config) : {};
  table[key] = parseYaml(assignment.slice(at + 1));
  config[section] = table;
}

/** The section a flag's key belongs in. */
function sectionOf(key: string): "data" | "evaluation" | "output" | "model" {
  if (OUTPUT_KEYS.has(key)) return "output";
  if (EVALUATION_KEYS.has(key)) return "evaluation";
  if (DATA_KEYS.has(key)) return "data";
  return "model";
}

/** The flags the configuration stands for, checked against the command's options. */
function flagsOf(
  config: Config,
  command: Command,
  file: string,
  doc: Document,
  counter: LineCounter,
): string[] {
  const options = new Map<string, Option>();
  for (const option of command.options) {
    if (option.long === "--help" || option.long === "--json" || option.long === "--quiet") continue;
    const name = option.attributeName();
    if (!options.has(name) || !option.negate) options.set(name, option);
  }
  const args: string[] = [];
  for (const section of Object.keys(config)) {
    if (!(SECTIONS as readonly string[]).includes(section)) {
      throw configError(
        file,
        lineOf(doc, counter, [section]),
        `unknown section '${section}'; sections: ${SECTIONS.join(", ")}`,
      );
    }
  }
  if (config["output"] !== undefined) {
    if (typeof config["output"] !== "string")
      throw configError(
        file,
        lineOf(doc, counter, ["output"]),
        "output must be the model directory to write",
      );
    args.push("--out", config["output"]);
  }
  for (const section of ["data", "model", "training", "evaluation"] as const) {
    const table = config[section];
    if (table === undefined || table === null) continue;
    if (typeof table !== "object" || Array.isArray(table)) {
      throw configError(
        file,
        lineOf(doc, counter, [section]),
        `${section} must be a mapping of keys to values`,
      );
    }
    for (const [key, value] of Object.entries(table)) {
      const option = options.get(key);
      const expected = option === undefined ? undefined : sectionOf(key);
      const fits = expected === section || (expected === "model" && section === "training");
      if (option === undefined || !fits) {
        const known = [...options.keys()].filter((k) => {
          const s = sectionOf(k);
          return s === section || (s === "model" && section === "training");
        });
        throw configError(
          file,
          lineOf(doc, counter, [section, key]),
          option === undefined
            ? `unknown key ${section}.${key}; ${section} keys: ${known.sort().join(", ")}`
            : `${key} belongs in the ${expected} section, not ${section}`,
        );
      }
      pushFlag(args, option, key, value, section, file, lineOf(doc, counter, [section, key]));
    }
  }
  return args;
}

function pushFlag(
  args: string[],
  option: Option,
  key: string,
  value: unknown,
  section: string,
  file: string,
  line: number | undefined,
): void {
  const takesValue = option.required || option.optional;
  const flag = option.long ?? `--${key}`;
  if (!takesValue) {
    if (typeof value !== "boolean")
      throw configError(file, line, `${section}.${key} is true or false, not ${JSON.stringify(value)}`);
    // A negatable flag (--no-header) is stored under its positive name.
    if (option.negate) {
      if (!value) args.push(flag);
    } else if (value) args.push(flag);
    return;
  }
  const values = Array.isArray(value) && option.variadic !== true ? value : [value];
  for (const v of values) {
    if (v === null || typeof v === "object") {
      throw configError(
        file,
        line,
        `${section}.${key} must be a number, a string or true/false, not ${JSON.stringify(v)}`,
      );
    }
    args.push(flag, String(v));
  }
}

/** The configuration with every flag's default filled in, as trained. */
function resolvedConfig(family: Family, command: Command, config: Config): Config {
  const out: Config = { family };
  const sections: Record<string, Config> = { data: {}, model: {}, training: {}, evaluation: {} };
  for (const option of command.options) {
    const key = option.attributeName();
    if (option.long === "--help" || option.long === "--json" || option.long === "--quiet" || key === "out")
      continue;
    const given = (["data", "model", "training", "evaluation"] as const).find(
      (s) =>
        config[s] !== undefined &&
        typeof config[s] === "object" &&
        config[s] !== null &&
        key in (config[s] as Config),
    );
    const section = given ?? (sectionOf(key) === "model" ? "model" : sectionOf(key));
    const value = given === undefined ? option.defaultValue : (config[given] as Config)[key];
    if (value !== undefined && !(key in sections[section]!)) sections[section]![key] = value;
  }
  for (const [name, table] of Object.entries(sections)) if (Object.keys(table).length > 0) out[name] = table;
  if (config["output"] !== undefined) out["output"] = config["output"];
  return out;
}

async function runTrainConfig(file: string, flags: ConfigFlags, io: CliIo, cli: CommandLine): Promise<void> {
  const { config, doc, counter } = readConfig(file);
  for (const assignment of flags.set ?? []) applySet(config, assignment);
  const family = config["family"];
  if (typeof family !== "string" || !Object.hasOwn(TRAIN_COMMANDS, family)) {
    throw configError(
      file,
      lineOf(doc, counter, ["family"]),
      `family must be one of ${Object.keys(TRAIN_COMMANDS).join(", ")}${family === undefined ? "" : `, not ${JSON.stringify(family)}`}`,
    );
  }
  const path = TRAIN_COMMANDS[family as Family];
  // The command's flags come from its own definition, loaded as for any run of it.
  const program = await cli.buildProgram(io, [...path]);
  let command: Command | undefined = program;
  for (const name of path) command = command?.commands.find((c) => c.name() === name);
  if (command === undefined) throw new TextkitError("INTERNAL", `no command ${path.join(" ")}`);
  const args = flagsOf(config, command, file, doc, counter);
  const resolved = stringify(resolvedConfig(family as Family, command, config));
  await writeAll(io.stderr, `# resolved configuration (${path.join(" ")})\n${resolved}`);
  if (flags.printConfig) return;
  if (typeof config["output"] !== "string") {
    throw configError(
      file,
      lineOf(doc, counter, ["output"]),
      "output is missing: name the model directory to write",
    );
  }
  const code = await cli.main([...path, ...args], io);
  if (code !== 0)
    throw new TextkitError(
      "CONFIG_TRAINING_FAILED",
      `${path.join(" ")} stopped (exit code ${code}); see the error above`,
      { file },
    );
  await addArtifactFiles(config["output"], { "train-config.yaml": Buffer.from(resolved, "utf8") });
  await writeAll(io.stderr, `sealed the resolved configuration into ${config["output"]}/train-config.yaml\n`);
}

/**
 * `textkit train`.
 *
 * @example
 * registerTrainConfig(program, io, { buildProgram, main });
 */
export function registerTrainConfig(program: Command, io: CliIo, cli: CommandLine): Command {
  return program
    .command("train")
    .summary("train any model family from a configuration file (YAML)")
    .description(
      "Train from a configuration file instead of flags: 'family' (classifier, tagger, regressor, " +
        "recommender, vectors, assistant), then 'data', 'model', 'training' and 'evaluation' sections " +
        "whose keys are the camelCase names of the family's train flags (wordNgrams for --word-ngrams), " +
        "and 'output', the model directory. Unknown keys stop with the file and line. Every default is " +
        "filled in and the resolved configuration is printed and sealed into the model as train-config.yaml.",
    )
    .argument("<config>", "the YAML configuration file")
    .option("--set <section.key=value...>", "override a key, e.g. --set training.epochs=30 (repeatable)")
    .option("--print-config", "print the resolved configuration and stop, without training")
    .action(async (file: string, flags: ConfigFlags) => {
      await runTrainConfig(file, flags, io, cli);
    });
}
