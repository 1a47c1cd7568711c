/**
 * `textkit demo`: trains every sample bundled under samples/ so that a person sees the
 * whole loop (data, training, report, model on disk) in one command. A sample is a folder
 * with a sample.json; adding one needs no code.
 */
import { existsSync } from "node:fs";
import { isAbsolute, join, relative } from "node:path";
import type { Command } from "commander";
import { TextkitError } from "../core/index.ts";
import { loadDataset, loadTaggedDataset } from "../data/index.ts";
import { type ClassifierOptions, resolveClassifierOptions } from "../models/classifier/index.ts";
import { readGazetteerEntries, resolveTaggerOptions, type TaggerOptions } from "../models/tagger/index.ts";
import { SERVER_DEFAULTS } from "../server/index.ts";
import { formatOutcome, type HeldOut, type TrainingPlan, trainAndSave } from "./classify-train.ts";
import {
  buildDemoRadar,
  clearDemoMonitor,
  replayDemoStream,
  trainDemoAssistant,
  writeDemoMonitorConfig,
} from "./demo-apps.ts";
import {
  DEMO_SHOP,
  DEMO_SHOP_TREATMENT,
  setDemoSplit,
  simulateShoppers,
  trainDemoShop,
} from "./demo-recommend.ts";
import { bundledSamplesDir, findSamples, type SampleSpec } from "./demo-samples.ts";
import { type CliIo, writeAll } from "./io.ts";
import { checkModelOutput } from "./output-paths.ts";
import { parseInteger } from "./parse-options.ts";
import { ProgressBar } from "./progress-bar.ts";
import { describeDataset } from "./report-output.ts";
import { checkPortFree, serveUntilStopped } from "./serve.ts";
import { describeTaggedDataset } from "./tag-options.ts";
import {
  formatTaggerOutcome,
  parseGazetteerFlag,
  type TaggedHeldOut,
  type TaggerTrainingPlan,
  trainTaggerAndSave,
} from "./tag-train.ts";

interface DemoFlags {
  samples?: string;
  out: string;
  only?: string[];
  quiet?: boolean;
  serve?: boolean;
  port?: number;
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

/** A tagger sample's data, read and ready to train. */
async function taggerPlan(
  spec: SampleSpec,
  out: string,
  path: (file: string) => string,
): Promise<TaggerTrainingPlan> {
  const train = await loadTaggedDataset(path(spec.train));
  const held = async (file: string | undefined): Promise<TaggedHeldOut | undefined> =>
    file === undefined
      ? undefined
      : { data: await loadTaggedDataset(path(file), { language: train.language }), source: path(file) };
  const dev = await held(spec.dev);
  const test = await held(spec.test);
  const gazetteer = await readGazetteerEntries(
    spec.gazetteers.map((g) => {
      const source = parseGazetteerFlag(g);
      return { ...source, path: path(source.path) };
    }),
  );
  return {
    train,
    ...(dev === undefined ? {} : { dev }),
    ...(test === undefined ? {} : { test }),
    options: spec.options as Partial<TaggerOptions>,
    gazetteer,
    out,
  };
}

/** The samples to train (assistants last: they use the taggers trained before them), and whether the shop comes too. */
function selectSamples(flags: DemoFlags, root: string): { samples: SampleSpec[]; shop: boolean } {
  let samples = findSamples(root);
  const only = flags.only;
  if (only !== undefined) {
    const names = new Set(samples.map((s) => s.name));
    if (flags.samples === undefined) names.add(DEMO_SHOP);
    for (const name of only) {
      if (!names.has(name)) {
        throw new TextkitError(
          "OPTION_INVALID",
          `--only names no sample "${name}"; the samples are ${[...names].join(", ")}`,
        );
      }
    }
    samples = samples.filter((s) => only.includes(s.name));
  }
  // The recommend application's shop comes with the bundled samples (not with --samples).
  const shop = flags.samples === undefined && (only === undefined || only.includes(DEMO_SHOP));
  return {
    samples: [
      ...samples.filter((s) => s.family !== "assistant"),
      ...samples.filter((s) => s.family === "assistant"),
    ],
    shop,
  };
}

/**
 * Checks every sample's options, its output folder and the port to serve on before any is
 * trained, so that a bad one late in the list (or a port in use) costs no time; returns
 * each sample's output folder.
 */
async function checkPlan(flags: DemoFlags, samples: readonly SampleSpec[], shop: boolean): Promise<string[]> {
  if (flags.serve === true) await checkPortFree(SERVER_DEFAULTS.host, flags.port ?? SERVER_DEFAULTS.port);
  const outs = samples.map((spec) => {
    if (spec.family === "tagger") resolveTaggerOptions(spec.options as Partial<TaggerOptions>);
    else if (spec.family === "classifier")
      resolveClassifierOptions(spec.options as Partial<ClassifierOptions>);
    const out = join(flags.out, "models", spec.name);
    checkModelOutput(out, "the demo's output");
    return out;
  });
  if (shop) {
    for (const name of [DEMO_SHOP, DEMO_SHOP_TREATMENT]) {
      checkModelOutput(join(flags.out, "models", name), "the demo's output");
    }
  }
  return outs;
}

/** Trains a classifier sample and prints `title` and its report; returns its held-out data (for the commands suggested at the end). */
async function trainClassifierSample(
  spec: SampleSpec,
  out: string,
  title: string,
  bar: ProgressBar,
  io: CliIo,
): Promise<HeldOut | undefined> {
  const path = (file: string) => displayPath(join(spec.dir, file));
  const columns = {
    ...(spec.textColumn === undefined ? {} : { textColumn: spec.textColumn }),
    ...(spec.labelColumn === undefined ? {} : { labelColumn: spec.labelColumn }),
  };
  const heldOut = async (file: string | undefined): Promise<HeldOut | undefined> => {
    if (file === undefined) return undefined;
    const data = await loadDataset(path(file), { minClasses: 1, ...columns });
    return { data, source: data.source };
  };
  const train = await loadDataset(path(spec.train), columns);
  const dev = await heldOut(spec.dev);
  const test = await heldOut(spec.test);
  const plan: TrainingPlan = {
    train,
    ...(dev === undefined ? {} : { dev }),
    ...(test === undefined ? {} : { test }),
    options: {
      ...(train.multiLabel ? { loss: "ova" as const } : {}),
      ...(spec.options as Partial<ClassifierOptions>),
    },
    out,
  };
  await writeAll(io.stdout, title);
  bar.log(describeDataset("train", train));
  const outcome = await trainAndSave(plan, bar);
  await writeAll(io.stdout, `${formatOutcome(plan, outcome)}\n`);
  return test ?? dev;
}

/** Trains each sample into its folder, printing its report; returns the first classifier's held-out data. */
async function trainSamples(
  samples: readonly SampleSpec[],
  outs: readonly string[],
  bar: ProgressBar,
  io: CliIo,
): Promise<HeldOut | undefined> {
  let example: HeldOut | undefined;
  for (const [i, spec] of samples.entries()) {
    const out = outs[i] ?? "";
    const title = `== ${spec.description === "" ? spec.name : `${spec.name}: ${spec.description}`} ==\n\n`;
    if (spec.family === "assistant") {
      await writeAll(io.stdout, title);
      await writeAll(io.stdout, await trainDemoAssistant(spec, out, samples, outs, bar));
    } else if (spec.family === "tagger") {
      await writeAll(io.stdout, title);
      const plan = await taggerPlan(spec, out, (file: string) => displayPath(join(spec.dir, file)));
      bar.log(describeTaggedDataset("train", plan.train));
      const outcome = await trainTaggerAndSave(plan, bar);
      await writeAll(io.stdout, `${formatTaggerOutcome(plan, outcome)}\n`);
    } else {
      const heldOut = await trainClassifierSample(spec, out, title, bar, io);
      example ??= heldOut;
    }
  }
  return example;
}

/** What was trained, for the commands the demo suggests. */
interface Trained {
  samples: readonly SampleSpec[];
  outs: readonly string[];
  example: HeldOut | undefined;
  shop: boolean;
}

function tagTextOf(t: Trained): string {
  return t.samples.find((s) => s.family === "tagger")?.name.endsWith("-zh")
    ? "我想下周一从招商银行转账5000元给张伟"
    : "Maria Lopez flew to Berlin on Friday to meet Siemens";
}

/** The commands that try the trained models from the shell. */
function tryItText(t: Trained): string {
  const classifierAt = t.samples.findIndex((s) => s.family === "classifier");
  const taggerAt = t.samples.findIndex((s) => s.family === "tagger");
  let tryIt = "Try a model:\n";
  const first = t.outs[classifierAt];
  if (first !== undefined) {
    tryIt +=
      `  echo ${shellQuote(t.example?.data.examples[0]?.text ?? "a text to label")} | textkit classify predict --model ${first} --k 3\n` +
      `  textkit classify eval --model ${first} --data ${t.example === undefined ? "<labelled file>" : shellQuote(t.example.source)} --confusion\n`;
  }
  const tagger = t.outs[taggerAt];
  if (tagger !== undefined)
    tryIt += `  echo ${shellQuote(tagTextOf(t))} | textkit tag predict --model ${tagger}\n`;
  return tryIt;
}

/** What the served demo offers, printed once the server listens at `url`. */
function servedText(t: Trained, url: string, out: string, replay: boolean): string {
  const classifier = t.samples.find((s) => s.family === "classifier");
  const tagger = t.samples.find((s) => s.family === "tagger");
  const assistant = t.samples.find((s) => s.family === "assistant");
  // Undefined when only the shop was asked for.
  const name = (classifier ?? t.samples[0])?.name;
  const tagText = tagTextOf(t);
  const text = classifier !== undefined ? (t.example?.data.examples[0]?.text ?? "a text to label") : tagText;
  return (
    (name === undefined
      ? "Try it:\n"
      : `Try it:\n  curl -s ${url}/v1/models/${name}/predict -H 'content-type: application/json' \\\n` +
        `       -d ${shellQuote(JSON.stringify(classifier !== undefined ? { text, k: 3 } : { text }))}\n`) +
    (tagger !== undefined && classifier !== undefined
      ? `  curl -s ${url}/v1/models/${tagger.name}/predict -H 'content-type: application/json' \\\n` +
        `       -d ${shellQuote(JSON.stringify({ text: tagText }))}\n`
      : "") +
    `  curl -s ${url}/v1/models\n` +
    `The technology radar: ${url}/dashboard/#/radar, or curl -s ${url}/v1/radar (and /v1/radar/technologies/Quillstack, POST /v1/radar/suggest)\n` +
    `Until a key exists, requests need none; create one with\n` +
    `  TEXTKIT_DATA_DIR=${join(out, "data")} textkit keys create --name me --scope predict,admin\n` +
    (replay
      ? `The monitor's dashboard, with two days of demo news and an incident: ${url}/dashboard/\n`
      : "") +
    (t.shop
      ? `The recommend demo (A/B split, live shoppers): ${url}/dashboard/#/recommend?app=${DEMO_SHOP}\n`
      : "") +
    (assistant !== undefined
      ? `Chat with the assistant: ${url}/dashboard/#/assist, or\n` +
        `  curl -s ${url}/v1/models/${assistant.name}/chat -H 'content-type: application/json' \\\n` +
        `       -d '{"message": "what is my routing number"}'\n`
      : "")
  );
}

/** Serves the trained models with the monitor, the radar and the shop until Ctrl-C. */
async function serveDemo(
  flags: DemoFlags,
  root: string,
  t: Trained,
  monitorConfig: string | null,
  io: CliIo,
) {
  const dataDir = join(flags.out, "data");
  const pool = join(root, "monitor", "stream.jsonl");
  const replay = monitorConfig !== null && existsSync(pool);
  if (replay) await clearDemoMonitor(dataDir);
  if (t.shop) await setDemoSplit(dataDir);
  await buildDemoRadar(dataDir, io);
  // The trainings are done: their runs are finished, not running while the server is.
  await io.finishRun?.();
  await serveUntilStopped(
    {
      modelsDir: join(flags.out, "models"),
      port: flags.port ?? SERVER_DEFAULTS.port,
      // The embedded database (API keys, the monitor) lives beside the models.
      dataDir,
      logger: "warn",
      ...(monitorConfig === null ? {} : { monitor: { config: monitorConfig } }),
    },
    io,
    (url) => servedText(t, url, flags.out, replay),
    async (server) => {
      const stopMonitor = replay ? await replayDemoStream(server, pool, io) : undefined;
      const stopShoppers = t.shop ? simulateShoppers(server, io) : undefined;
      return () => {
        stopMonitor?.();
        stopShoppers?.();
      };
    },
  );
}

async function runDemo(flags: DemoFlags, io: CliIo): Promise<void> {
  const root = flags.samples ?? bundledSamplesDir();
  const { samples, shop } = selectSamples(flags, root);
  const outs = await checkPlan(flags, samples, shop);
  const bar = new ProgressBar(io.stderr, { quiet: flags.quiet });
  const example = await trainSamples(samples, outs, bar, io);
  if (shop) {
    await writeAll(io.stdout, `== ${DEMO_SHOP}: the recommend application's demo shop ==\n\n`);
    await writeAll(io.stdout, `${await trainDemoShop(join(flags.out, "models"))}\n`);
  }
  const trained: Trained = { samples, outs, example, shop };
  await writeAll(io.stdout, tryItText(trained));
  const monitorConfig = await writeDemoMonitorConfig(
    flags.out,
    samples.map((s) => s.name),
  );
  if (monitorConfig !== null) {
    await writeAll(
      io.stdout,
      `\nThe opinion monitor's configuration: ${monitorConfig}\n` +
        (flags.serve === true
          ? ""
          : `  textkit serve --models ${join(flags.out, "models")} --monitor ${monitorConfig} --data-dir ${join(flags.out, "data")}\n`),
    );
  }
  if (flags.serve === true) await serveDemo(flags, root, trained, monitorConfig, io);
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
