/**
 * `textkit demo`: trains every sample bundled under samples/ so that a person sees the
 * whole loop (data, training, report, model on disk) in one command. A sample is a folder
 * with a sample.json; adding one needs no code.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from "node:fs";
import { isAbsolute, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { Type } from "@sinclair/typebox";
import type { Command } from "commander";
import { type AssistantOptions, DEFAULT_ASSISTANT_OPTIONS } from "../apps/assist/index.ts";
import { checkShape, TextkitError, writeFileAtomic } from "../core/index.ts";
import { loadDataset, loadTaggedDataset } from "../data/index.ts";
import {
  type ClassifierOptions,
  DEFAULT_CLASSIFIER_OPTIONS,
  resolveClassifierOptions,
} from "../models/classifier/index.ts";
import {
  DEFAULT_TAGGER_OPTIONS,
  readGazetteerEntries,
  resolveTaggerOptions,
  type TaggerOptions,
} from "../models/tagger/index.ts";
import type { RunningServer } from "../server/index.ts";
import { SERVER_DEFAULTS } from "../server/index.ts";
import { formatOutcome, type HeldOut, type TrainingPlan, trainAndSave } from "./classify-train.ts";
import {
  DEMO_SHOP,
  DEMO_SHOP_TREATMENT,
  setDemoSplit,
  simulateShoppers,
  trainDemoShop,
} from "./demo-recommend.ts";
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

/** What a sample.json says. Paths are relative to its folder. */
export interface SampleSpec {
  name: string;
  description: string;
  train: string;
  dev?: string;
  test?: string;
  /**
   * What the sample trains: a text classifier (the default), an entity tagger, or an
   * assistant (then `train` is its knowledge folder, `test` its questions).
   */
  family: "classifier" | "tagger" | "assistant";
  /** Assistant samples: the tagger samples (by name) that fill its slots, per language. */
  taggers: Partial<Record<"en" | "zh", string>>;
  options: Partial<ClassifierOptions> | Partial<TaggerOptions>;
  /** Tagger samples: gazetteer files as `textkit tag train --gazetteer` takes them. */
  gazetteers: string[];
  /** Classifier samples: the CSV/TSV columns of the text and the label (default text and label). */
  textColumn?: string;
  labelColumn?: string;
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
const NON_EMPTY = Type.String({ minLength: 1, description: "a non-empty string" });
/** What a sample.json may hold; keys it does not name are left alone. */
const SAMPLE_SCHEMA = Type.Object(
  {
    name: NON_EMPTY,
    description: Type.Optional(Type.String({ description: "a string" })),
    train: NON_EMPTY,
    dev: Type.Optional(NON_EMPTY),
    test: Type.Optional(NON_EMPTY),
    family: Type.Optional(
      Type.Union([Type.Literal("classifier"), Type.Literal("tagger"), Type.Literal("assistant")]),
    ),
    options: Type.Optional(
      Type.Record(Type.String(), Type.Unknown(), {
        description: 'an object of options such as {"epochs": 10}',
      }),
    ),
    gazetteers: Type.Optional(
      Type.Array(NON_EMPTY, { description: "a list of files (TYPE=file or a TSV of type and phrase)" }),
    ),
    taggers: Type.Optional(
      Type.Object(
        { en: Type.Optional(NON_EMPTY), zh: Type.Optional(NON_EMPTY) },
        {
          additionalProperties: false,
          description: 'an object mapping "en" and/or "zh" to the names of tagger samples',
        },
      ),
    ),
    textColumn: Type.Optional(NON_EMPTY),
    labelColumn: Type.Optional(NON_EMPTY),
  },
  { description: "one JSON object with name, description, train, dev, test and options" },
);
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
  const spec = checkShape(SAMPLE_SCHEMA, raw, { file });
  const { name, dev, test, textColumn, labelColumn } = spec;
  if (!SAMPLE_NAME.test(name)) {
    throw bad(
      `"name" must be letters, digits, '.', '_' or '-' (it names the model directory), got "${name}"`,
    );
  }
  const family = spec.family ?? "classifier";
  const known: object =
    family === "tagger"
      ? DEFAULT_TAGGER_OPTIONS
      : family === "assistant"
        ? DEFAULT_ASSISTANT_OPTIONS
        : DEFAULT_CLASSIFIER_OPTIONS;
  const options = spec.options ?? {};
  for (const key of Object.keys(options)) {
    if (!Object.hasOwn(known, key)) {
      throw bad(
        `"options" has an unknown key "${key}"; the ${family} options are ${Object.keys(known).join(", ")}`,
      );
    }
  }
  if (family !== "classifier" && (textColumn !== undefined || labelColumn !== undefined)) {
    throw bad(
      `"textColumn" and "labelColumn" are for classifier samples; a tagger reads CoNLL or JSONL spans`,
    );
  }
  return {
    name,
    description: spec.description ?? "",
    train: spec.train,
    ...(dev === undefined ? {} : { dev }),
    ...(test === undefined ? {} : { test }),
    family,
    // Keys checked above against the family's defaults; values by the trainer's own checks.
    options: options as Partial<ClassifierOptions> | Partial<TaggerOptions>,
    gazetteers: spec.gazetteers ?? [],
    taggers: spec.taggers ?? {},
    ...(textColumn === undefined ? {} : { textColumn }),
    ...(labelColumn === undefined ? {} : { labelColumn }),
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

async function runDemo(flags: DemoFlags, io: CliIo): Promise<void> {
  const root = flags.samples ?? bundledSamplesDir();
  let samples = findSamples(root);
  if (flags.only !== undefined) {
    const names = new Set(samples.map((s) => s.name));
    if (flags.samples === undefined) names.add(DEMO_SHOP);
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
  // The recommend application's shop comes with the bundled samples (not with --samples).
  const shop = flags.samples === undefined && (flags.only === undefined || flags.only.includes(DEMO_SHOP));
  // Assistants last: they use the taggers trained before them.
  samples = [
    ...samples.filter((s) => s.family !== "assistant"),
    ...samples.filter((s) => s.family === "assistant"),
  ];
  // Check every sample, and the port to serve on, before training any, so that a bad one
  // late in the list (or a port in use) costs no time.
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
  const bar = new ProgressBar(io.stderr, { quiet: flags.quiet });
  // Held-out data of the first sample, for the commands suggested at the end.
  let example: HeldOut | undefined;
  for (let i = 0; i < samples.length; i++) {
    const spec = samples[i]!;
    const path = (file: string) => displayPath(join(spec.dir, file));
    const title = spec.description === "" ? spec.name : `${spec.name}: ${spec.description}`;
    if (spec.family === "assistant") {
      await writeAll(io.stdout, `== ${title} ==\n\n`);
      await writeAll(io.stdout, await trainDemoAssistant(spec, outs[i]!, samples, outs, bar));
      continue;
    }
    if (spec.family === "tagger") {
      await writeAll(io.stdout, `== ${title} ==\n\n`);
      const plan = await taggerPlan(spec, outs[i]!, path);
      bar.log(describeTaggedDataset("train", plan.train));
      const outcome = await trainTaggerAndSave(plan, bar);
      await writeAll(io.stdout, `${formatTaggerOutcome(plan, outcome)}\n`);
      continue;
    }
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
    example ??= test ?? dev;
    const plan: TrainingPlan = {
      train,
      ...(dev === undefined ? {} : { dev }),
      ...(test === undefined ? {} : { test }),
      options: {
        ...(train.multiLabel ? { loss: "ova" as const } : {}),
        ...(spec.options as Partial<ClassifierOptions>),
      },
      out: outs[i]!,
    };
    await writeAll(io.stdout, `== ${title} ==\n\n`);
    bar.log(describeDataset("train", train));
    const outcome = await trainAndSave(plan, bar);
    await writeAll(io.stdout, `${formatOutcome(plan, outcome)}\n`);
  }
  if (shop) {
    await writeAll(io.stdout, `== ${DEMO_SHOP}: the recommend application's demo shop ==\n\n`);
    await writeAll(io.stdout, `${await trainDemoShop(join(flags.out, "models"))}\n`);
  }
  const classifierAt = samples.findIndex((s) => s.family === "classifier");
  const taggerAt = samples.findIndex((s) => s.family === "tagger");
  const assistantAt = samples.findIndex((s) => s.family === "assistant");
  const tagText = samples[taggerAt]?.name.endsWith("-zh")
    ? "我想下周一从招商银行转账5000元给张伟"
    : "Maria Lopez flew to Berlin on Friday to meet Siemens";
  let tryIt = "Try a model:\n";
  if (classifierAt >= 0) {
    const first = outs[classifierAt]!;
    tryIt +=
      `  echo ${shellQuote(example?.data.examples[0]?.text ?? "a text to label")} | textkit classify predict --model ${first} --k 3\n` +
      `  textkit classify eval --model ${first} --data ${example === undefined ? "<labelled file>" : shellQuote(example.source)} --confusion\n`;
  }
  if (taggerAt >= 0)
    tryIt += `  echo ${shellQuote(tagText)} | textkit tag predict --model ${outs[taggerAt]!}\n`;
  await writeAll(io.stdout, tryIt);
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
  if (flags.serve === true) {
    const port = flags.port ?? SERVER_DEFAULTS.port;
    // Undefined when only the shop was asked for.
    const name = samples[Math.max(classifierAt, 0)]?.name;
    const text = classifierAt >= 0 ? (example?.data.examples[0]?.text ?? "a text to label") : tagText;
    const dataDir = join(flags.out, "data");
    const pool = join(root, "monitor", "stream.jsonl");
    const replay = monitorConfig !== null && existsSync(pool);
    if (replay) await clearDemoMonitor(dataDir);
    if (shop) await setDemoSplit(dataDir);
    await buildDemoRadar(dataDir, io);
    // The trainings are done: their runs are finished, not running while the server is.
    await io.finishRun?.();
    await serveUntilStopped(
      {
        modelsDir: join(flags.out, "models"),
        port,
        // The embedded database (API keys, the monitor) lives beside the models.
        dataDir,
        logger: "warn",
        ...(monitorConfig === null ? {} : { monitor: { config: monitorConfig } }),
      },
      io,
      (url) =>
        (name === undefined
          ? "Try it:\n"
          : `Try it:\n  curl -s ${url}/v1/models/${name}/predict -H 'content-type: application/json' \\\n` +
            `       -d ${shellQuote(JSON.stringify(classifierAt >= 0 ? { text, k: 3 } : { text }))}\n`) +
        (taggerAt >= 0 && classifierAt >= 0
          ? `  curl -s ${url}/v1/models/${samples[taggerAt]!.name}/predict -H 'content-type: application/json' \\\n` +
            `       -d ${shellQuote(JSON.stringify({ text: tagText }))}\n`
          : "") +
        `  curl -s ${url}/v1/models\n` +
        `The technology radar: ${url}/dashboard/#/radar, or curl -s ${url}/v1/radar (and /v1/radar/technologies/Quillstack, POST /v1/radar/suggest)\n` +
        `Until a key exists, requests need none; create one with\n` +
        `  TEXTKIT_DATA_DIR=${join(flags.out, "data")} textkit keys create --name me --scope predict,admin\n` +
        (replay
          ? `The monitor's dashboard, with two days of demo news and an incident: ${url}/dashboard/\n`
          : "") +
        (shop
          ? `The recommend demo (A/B split, live shoppers): ${url}/dashboard/#/recommend?app=${DEMO_SHOP}\n`
          : "") +
        (assistantAt >= 0
          ? `Chat with the assistant: ${url}/dashboard/#/assist, or\n` +
            `  curl -s ${url}/v1/models/${samples[assistantAt]!.name}/chat -H 'content-type: application/json' \\\n` +
            `       -d '{"message": "what is my routing number"}'\n`
          : ""),
      async (server) => {
        const stopMonitor = replay ? await replayDemoStream(server, pool, io) : undefined;
        const stopShoppers = shop ? simulateShoppers(server, io) : undefined;
        return () => {
          stopMonitor?.();
          stopShoppers?.();
        };
      },
    );
  }
}

/** Trains an assistant sample with the taggers it names (when trained in this run); returns its report. */
async function trainDemoAssistant(
  spec: SampleSpec,
  out: string,
  samples: readonly SampleSpec[],
  outs: readonly string[],
  bar: ProgressBar,
): Promise<string> {
  const { evaluateAssistant, loadKnowledge, readQuestions, trainAssistant } = await import(
    "../apps/assist/index.ts"
  );
  const { loadTagger } = await import("../models/tagger/index.ts");
  const knowledge = await loadKnowledge(join(spec.dir, spec.train));
  const taggers: Partial<Record<"en" | "zh", Awaited<ReturnType<typeof loadTagger>>>> = {};
  for (const [lang, name] of Object.entries(spec.taggers) as ["en" | "zh", string][]) {
    const at = samples.findIndex((s) => s.name === name && s.family === "tagger");
    if (at >= 0) taggers[lang] = await loadTagger(outs[at]!);
  }
  const examples = knowledge.intents.reduce((a, i) => a + i.examples.length, 0);
  bar.log(
    `knowledge: ${knowledge.intents.length} intents (${examples} examples), ${knowledge.outOfScope.length} out-of-scope examples, ` +
      `${knowledge.faqs.length} FAQs, ${knowledge.documents.length} documents; slot taggers: ${Object.keys(taggers).join(", ") || "none"}`,
  );
  const started = performance.now();
  const assistant = await trainAssistant({ knowledge, taggers }, spec.options as Partial<AssistantOptions>, {
    onProgress: (p) => bar.update(p),
  });
  bar.finish();
  await assistant.save(out);
  const v = assistant.validation;
  const pct = (x: number | null) => (x === null ? "n/a" : `${(x * 100).toFixed(1)}%`);
  let text =
    `trained in ${((performance.now() - started) / 1000).toFixed(1)} s; intent threshold ${v.threshold.threshold.toFixed(3)} ` +
    `chosen on ${v.examples} held-out questions (in-scope accuracy ${pct(v.threshold.inScopeAccuracy)}, out-of-scope recall ${pct(v.threshold.outOfScopeRecall)})\n`;
  if (spec.test !== undefined) {
    const report = await evaluateAssistant(assistant, await readQuestions(join(spec.dir, spec.test)), {
      k: 5,
    });
    text +=
      `test (${spec.test}, ${report.questions} questions): in-scope accuracy ${pct(report.inScopeAccuracy)}, ` +
      `out-of-scope recall ${pct(report.outOfScopeRecall)}, retrieval recall@5 ${pct(report.retrievalRecall)}, ` +
      `answered right ${pct(report.answeredRight)}\n`;
  }
  return `${text}model: ${out}\n  textkit assist chat --model ${out} --why\n\n`;
}

/** The monitor of the demo: the sample topic and sentiment models, the sample taggers, three rules. */
async function writeDemoMonitorConfig(out: string, trained: readonly string[]): Promise<string | null> {
  if (!trained.includes("monitor-topic") || !trained.includes("monitor-sentiment")) return null;
  const entities = {
    ...(trained.includes("ner-en") ? { en: "ner-en" } : {}),
    ...(trained.includes("ner-zh") ? { zh: "ner-zh" } : {}),
  };
  const config = {
    models: {
      topic: "monitor-topic",
      sentiment: "monitor-sentiment",
      ...(Object.keys(entities).length === 0 ? {} : { entities }),
    },
    // Dates and amounts are found too, but the monitor follows who and what is talked about.
    entityLabels: ["ORG", "PER", "PRODUCT", "LOC"],
    rules: [
      {
        id: "negative-surge",
        kind: "negative_share",
        topic: "*",
        window: "1h",
        // The whole replayed history: a topic has about three documents an hour, and a day of
        // such hours leaves the baseline's spread too uncertain to call even a 90% surge.
        baseline: 47,
        z: 3,
        minDocs: 20,
        cooldown: "6h",
        description: "a topic's negative share over the last hour, far above the two days before",
      },
      {
        id: "volume-spike",
        kind: "volume_spike",
        topic: "*",
        window: "1h",
        baseline: 47,
        z: 4,
        minDocs: 30,
        cooldown: "6h",
        description: "a topic's volume over the last hour, far above the two days before",
      },
      {
        id: "outage-words",
        kind: "keyword",
        keywords: ["outage", "breach", "recall", "宕机", "泄露", "召回"],
        window: "30m",
        minDocs: 5,
        cooldown: "2h",
        description: "outages, breaches and recalls mentioned five times within half an hour",
      },
    ],
  };
  const path = join(out, "monitor.json");
  mkdirSync(out, { recursive: true });
  await writeFileAtomic(path, `${JSON.stringify(config, null, 2)}\n`);
  return path;
}

/**
 * The technology radar of the demo: two years of generated technology news (English and
 * Chinese) with its planted stories, built into the server's database and printed.
 */
async function buildDemoRadar(dataDir: string, io: CliIo): Promise<void> {
  const { openDatabase } = await import("../store/index.ts");
  const radar = await import("../apps/radar/index.ts");
  const { describeSnapshot } = await import("./radar.ts");
  mkdirSync(dataDir, { recursive: true });
  const db = await openDatabase(join(dataDir, "textkit.db"));
  try {
    const store = await radar.RadarStore.open(db);
    const dictionary = radar.parseDictionary("demo radar dictionary", radar.DEMO_DICTIONARY_YAML);
    const built = await radar.buildRadar(radar.demoCorpus(), dictionary, {
      overrides: await store.overrides(),
    });
    await store.save(built);
    const last = built.snapshots.at(-1);
    if (last !== undefined) {
      await writeAll(
        io.stdout,
        `
The technology radar of ${built.documents} generated news and posts (textkit radar --help; docs/radar.md):
${describeSnapshot(built, last.blips, last.label)}`,
      );
    }
  } finally {
    await db.close();
  }
}

/** The demo starts its monitor afresh: earlier demo documents and alerts would be days old. */
async function clearDemoMonitor(dataDir: string): Promise<void> {
  const { openDatabase } = await import("../store/index.ts");
  const { MonitorStore } = await import("../apps/monitor/index.ts");
  const db = await openDatabase(join(dataDir, "textkit.db"));
  try {
    await (await MonitorStore.open(db)).clear();
  } finally {
    await db.close();
  }
}

/**
 * Replays the demo stream into the server's monitor, then adds everyday documents at the
 * history's rate: faster, the live feed would itself be a volume spike on every topic.
 */
async function replayDemoStream(server: RunningServer, pool: string, io: CliIo): Promise<() => void> {
  const { demoHistory, demoLive, demoLiveIntervalMs, readDemoPool } = await import(
    "../apps/monitor/index.ts"
  );
  const monitor = server.app.textkit.monitor;
  if (monitor === null) return () => undefined;
  const documents = await readDemoPool(pool);
  const history = demoHistory(documents, Date.now());
  for (let i = 0; i < history.length; i += 200) await monitor.submit(history.slice(i, i + 200));
  const fired = await monitor.evaluateAlerts();
  io.stderr.write(
    `monitor: replayed ${history.length} demo documents over the last 48 hours` +
      (fired.length === 0 ? "\n" : `; ${fired.length} alert${fired.length === 1 ? "" : "s"} fired\n`),
  );
  const next = demoLive(documents, String(Date.now()));
  const interval = demoLiveIntervalMs(documents);
  io.stderr.write(
    `monitor: a new demo document every ${(interval / 60_000).toFixed(1)} min, the history's rate\n`,
  );
  const timer = setInterval(() => {
    monitor.submit([next(Date.now())]).catch((error: unknown) => {
      io.stderr.write(`monitor: a live demo document was not stored: ${String(error)}\n`);
    });
  }, interval);
  timer.unref();
  return () => clearInterval(timer);
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
