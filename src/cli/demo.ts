/**
 * `textkit demo`: trains every sample bundled under samples/ so that a person sees the
 * whole loop (data, training, report, model on disk) in one command. A sample is a folder
 * with a sample.json; adding one needs no code.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { isAbsolute, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import type { Command } from "commander";
import { TextkitError } from "../core/errors.ts";
import { loadDataset } from "../data/index.ts";
import {
  type ClassifierOptions,
  DEFAULT_CLASSIFIER_OPTIONS,
  resolveClassifierOptions,
} from "../models/classifier/index.ts";
import { SERVER_DEFAULTS } from "../server/config.ts";
import { formatOutcome, type HeldOut, type TrainingPlan, trainAndSave } from "./classify-train.ts";
import { type CliIo, writeAll } from "./io.ts";
import { checkModelOutput } from "./output-paths.ts";
import { parseInteger } from "./parse-options.ts";
import { ProgressBar } from "./progress-bar.ts";
import { describeDataset } from "./report-output.ts";
import { serveUntilStopped } from "./serve.ts";

/** What a sample.json says. Paths are relative to its folder. */
export interface SampleSpec {
  name: string;
  description: string;
  train: string;
  dev?: string;
  test?: string;
  options: Partial<ClassifierOptions>;
  /** The folder that holds the sample.json. */
  dir: string;
}

interface DemoFlags {
  samples?: string;
  out: string;
  only?: string[];
  quiet?: boolean;
  serve?: boolean;
  port?: number;
}

const SAMPLE_FILE = "sample.json";
/** Safe as a directory name on every system. */
const SAMPLE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** The samples folder shipped with the package (next to src/ and dist/). */
export function bundledSamplesDir(): string {
  return fileURLToPath(new URL("../../samples/", import.meta.url));
}

/** Single-quotes a text for a POSIX shell, so that the printed command can be pasted as is. */
function shellQuote(text: string): string {
  return `'${text.replaceAll("'", "'\\''")}'`;
}

/** A path as short as it can be shown: relative to the current directory when under it. */
function displayPath(path: string): string {
  const r = relative(process.cwd(), path);
  return r === "" || r.startsWith("..") || isAbsolute(r) ? path : r;
}

/**
 * Reads and checks one sample.json.
 *
 * @example
 * readSampleSpec("samples/intents"); // { name: "intents", train: "train.csv", ... }
 */
export function readSampleSpec(dir: string): SampleSpec {
  const file = join(dir, SAMPLE_FILE);
  const bad = (message: string) => new TextkitError("OPTION_INVALID", message, { file });
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (cause) {
    throw new TextkitError(
      "DATA_BAD_JSON",
      `${file} is not valid JSON: ${cause instanceof Error ? cause.message : String(cause)}`,
      {
        file,
        cause,
      },
    );
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw bad(`${file} must hold one JSON object with name, description, train, dev, test and options`);
  }
  const spec = raw as Record<string, unknown>;
  const text = (key: string, required: boolean): string | undefined => {
    const value = spec[key];
    if (value === undefined && !required) return undefined;
    if (typeof value !== "string" || value.length === 0) throw bad(`"${key}" must be a non-empty string`);
    return value;
  };
  const name = text("name", true)!;
  if (!SAMPLE_NAME.test(name)) {
    throw bad(
      `"name" must be letters, digits, '.', '_' or '-' (it names the model directory), got "${name}"`,
    );
  }
  const options = spec["options"] ?? {};
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw bad(`"options" must be an object of classifier options such as {"epochs": 10}`);
  }
  for (const key of Object.keys(options)) {
    if (!Object.hasOwn(DEFAULT_CLASSIFIER_OPTIONS, key)) {
      throw bad(
        `"options" has an unknown key "${key}"; the classifier options are ${Object.keys(DEFAULT_CLASSIFIER_OPTIONS).join(", ")}`,
      );
    }
  }
  const dev = text("dev", false);
  const test = text("test", false);
  return {
    name,
    description: text("description", false) ?? "",
    train: text("train", true)!,
    ...(dev === undefined ? {} : { dev }),
    ...(test === undefined ? {} : { test }),
    options: options as Partial<ClassifierOptions>,
    dir,
  };
}

/**
 * Every sample under `root`, in name order: each folder with a sample.json.
 *
 * @example
 * findSamples("samples").map((s) => s.name); // ["intents"]
 */
export function findSamples(root: string): SampleSpec[] {
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    throw new TextkitError(
      "DATA_FILE_NOT_FOUND",
      "no such samples folder; the demo trains the samples that come with textkit (reinstall it if they are missing), or those in a folder given with --samples",
      { file: root },
    );
  }
  const specs: SampleSpec[] = [];
  for (const entry of readdirSync(root, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const dir = join(root, entry.name);
    if (entry.isDirectory() && existsSync(join(dir, SAMPLE_FILE))) specs.push(readSampleSpec(dir));
  }
  if (specs.length === 0) {
    throw new TextkitError(
      "DATA_FILE_NOT_FOUND",
      `${root} holds no sample: a sample is a folder with a ${SAMPLE_FILE} (name, description, train, dev, test, options) next to its data files`,
      { file: root },
    );
  }
  return specs;
}

async function runDemo(flags: DemoFlags, io: CliIo): Promise<void> {
  const root = flags.samples ?? bundledSamplesDir();
  let samples = findSamples(root);
  if (flags.only !== undefined) {
    const names = new Set(samples.map((s) => s.name));
    for (const name of flags.only) {
      if (!names.has(name)) {
        throw new TextkitError(
          "OPTION_INVALID",
          `--only names no sample "${name}"; the samples are ${[...names].join(", ")}`,
        );
      }
    }
    samples = samples.filter((s) => flags.only!.includes(s.name));
  }
  // Check every sample before training any, so that a bad one late in the list costs no time.
  const outs = samples.map((spec) => {
    resolveClassifierOptions(spec.options);
    const out = join(flags.out, "models", spec.name);
    checkModelOutput(out, "the demo's output");
    return out;
  });
  const bar = new ProgressBar(io.stderr, { quiet: flags.quiet });
  // Held-out data of the first sample, for the commands suggested at the end.
  let example: HeldOut | undefined;
  for (let i = 0; i < samples.length; i++) {
    const spec = samples[i]!;
    const path = (file: string) => displayPath(join(spec.dir, file));
    const heldOut = async (file: string | undefined): Promise<HeldOut | undefined> => {
      if (file === undefined) return undefined;
      const data = await loadDataset(path(file), { minClasses: 1 });
      return { data, source: data.source };
    };
    const train = await loadDataset(path(spec.train));
    const dev = await heldOut(spec.dev);
    const test = await heldOut(spec.test);
    example ??= test ?? dev;
    const plan: TrainingPlan = {
      train,
      ...(dev === undefined ? {} : { dev }),
      ...(test === undefined ? {} : { test }),
      options: { ...(train.multiLabel ? { loss: "ova" as const } : {}), ...spec.options },
      out: outs[i]!,
    };
    const title = spec.description === "" ? spec.name : `${spec.name}: ${spec.description}`;
    await writeAll(io.stdout, `== ${title} ==\n\n`);
    bar.log(describeDataset("train", train));
    const outcome = await trainAndSave(plan, bar);
    await writeAll(io.stdout, `${formatOutcome(plan, outcome)}\n`);
  }
  const first = outs[0]!;
  await writeAll(
    io.stdout,
    `Try a model:\n  echo ${shellQuote(example?.data.examples[0]?.text ?? "a text to label")} | textkit classify predict --model ${first} --k 3\n` +
      `  textkit classify eval --model ${first} --data ${example === undefined ? "<labelled file>" : shellQuote(example.source)} --confusion\n`,
  );
  if (flags.serve === true) {
    const port = flags.port ?? SERVER_DEFAULTS.port;
    const name = samples[0]!.name;
    const text = example?.data.examples[0]?.text ?? "a text to label";
    await serveUntilStopped(
      {
        modelsDir: join(flags.out, "models"),
        port,
        // The embedded database (API keys) lives beside the models.
        dataDir: join(flags.out, "data"),
        logger: "warn",
      },
      io,
      (url) =>
        `Try it:\n  curl -s ${url}/v1/models/${name}/predict -H 'content-type: application/json' \\\n` +
        `       -d ${shellQuote(JSON.stringify({ text, k: 3 }))}\n` +
        `  curl -s ${url}/v1/models\n` +
        `Until a key exists, requests need none; create one with\n` +
        `  TEXTKIT_DATA_DIR=${join(flags.out, "data")} textkit keys create --name me --scope predict,admin\n`,
    );
  }
}

/**
 * `textkit demo`.
 *
 * @example
 * registerDemo(program, io);
 */
export function registerDemo(program: Command, io: CliIo): Command {
  return program
    .command("demo")
    .summary("train the bundled sample models and print their reports")
    .description(
      "Train the sample models that come with textkit (every folder under samples/ with a " +
        "sample.json) into <out>/models/<name>, and print each one's reports.",
    )
    .option("--samples <dir>", "folder of samples (default: the samples bundled with textkit)")
    .option("--out <dir>", "where the models go, under models/", "demo-output")
    .option("--only <names...>", "train only these samples (default: all)")
    .option("-q, --quiet", "no progress or epoch lines on stderr")
    .option("--serve", "then serve the models over HTTP until Ctrl-C (API keys in <out>/data/textkit.db)")
    .option("--port <n>", "port for --serve", parseInteger("--port", 0), SERVER_DEFAULTS.port)
    .action(async (flags: DemoFlags) => {
      await runDemo(flags, io);
    });
}
