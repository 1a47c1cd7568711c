/**
 * npm run bench:monitor-store [-- --base COMMIT --docs N --rounds R --inflight K]
 *
 * The monitor's store alone, this tree against another commit's store in one process:
 * CPU microseconds a document for inserting the bench documents in batches of 500 and
 * rolling up what is left at the end (so every count is paid), in interleaved rounds, each
 * round a fresh SQLite file. The other commit's src/ is extracted with `git archive` into
 * the temporary directory and imported beside this tree's, so both run in the same process
 * on the same documents, and the ratio of their medians is what counts on a loaded machine.
 *
 * Data: the documents of bench:monitor (samples/monitor texts, repeated with distinct ids,
 * spread over one day), classified once by the demo's models and kept in bench/.cache.
 */
import { execFileSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { MonitorDocument } from "../src/apps/monitor/index.ts";
import { DocumentPipeline, loadDirectoryModels, resolveMonitorConfig } from "../src/apps/monitor/index.ts";
import {
  fmt,
  machine,
  markdownTable,
  numberArgument,
  ROOT,
  stringArgument,
  today,
  writeResult,
} from "./common.ts";
import { monitorDocuments, trainMonitorModel } from "./monitor-data.ts";

const DOCS = numberArgument("--docs", 20_000);
const ROUNDS = numberArgument("--rounds", 5);
/** Batches handed to the store at once (the monitor's ingest queue has up to workers + 1). */
const INFLIGHT = numberArgument("--inflight", 1);
const BATCH = 500;
const CACHE = join(ROOT, "bench", ".cache");

/** The classified documents, made once per size and kept in bench/.cache. */
async function enrichedDocuments(n: number): Promise<MonitorDocument[]> {
  const path = join(CACHE, `monitor-store-docs-${n}.json`);
  if (existsSync(path)) return JSON.parse(readFileSync(path, "utf8")) as MonitorDocument[];
  console.log("training the demo's models and classifying the documents (once) ...");
  const models = mkdtempSync(join(tmpdir(), "textkit-bench-store-models-"));
  try {
    for (const [name, labelColumn] of [
      ["monitor-topic", "topic"],
      ["monitor-sentiment", "sentiment"],
    ] as const) {
      await (await trainMonitorModel(name, labelColumn)).save(join(models, name));
    }
    const config = resolveMonitorConfig({
      models: { topic: "monitor-topic", sentiment: "monitor-sentiment" },
    });
    const pipeline = new DocumentPipeline(config, await loadDirectoryModels(models, config));
    const all = monitorDocuments(n);
    const docs: MonitorDocument[] = [];
    for (let i = 0; i < all.length; i += BATCH)
      docs.push(...(await pipeline.enrich(all.slice(i, i + BATCH), 0)));
    mkdirSync(CACHE, { recursive: true });
    writeFileSync(path, JSON.stringify(docs));
    return docs;
  } finally {
    rmSync(models, { recursive: true, force: true });
  }
}

interface StoreModule {
  MonitorStore: {
    open(
      db: unknown,
    ): Promise<{ insertDocuments(d: MonitorDocument[]): Promise<unknown>; rollUp(): Promise<void> }>;
  };
}
interface DatabaseModule {
  openDatabase(path: string): Promise<{ close(): Promise<void> }>;
}
interface Variant {
  name: string;
  store: StoreModule;
  database: DatabaseModule;
  cpu: number[];
}

async function variant(name: string, src: string): Promise<Variant> {
  const load = (p: string) => import(pathToFileURL(join(src, p)).href);
  return {
    name,
    store: (await load("apps/monitor/store.ts")) as StoreModule,
    database: (await load("store/index.ts")) as DatabaseModule,
    cpu: [],
  };
}

/** One round: a fresh file, every batch, then the roll-up of the rest; CPU µs a document. */
async function round(v: Variant, docs: MonitorDocument[]): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), "textkit-bench-store-"));
  try {
    const db = await v.database.openDatabase(join(dir, "store.db"));
    const store = await v.store.MonitorStore.open(db);
    const c0 = process.cpuUsage();
    // INFLIGHT submitters, as the monitor's ingest queue hands over batches (1: one after another).
    let next = 0;
    const submitter = async () => {
      for (let i = next; i < docs.length; i = next) {
        next += BATCH;
        await store.insertDocuments(docs.slice(i, i + BATCH));
      }
    };
    await Promise.all(Array.from({ length: INFLIGHT }, submitter));
    await store.rollUp();
    const u = process.cpuUsage(c0);
    await db.close();
    return (u.user + u.system) / docs.length;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? (s[mid] ?? Number.NaN) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
};

async function main(): Promise<void> {
  const base = stringArgument("--base", "HEAD");
  const commit = execFileSync("git", ["rev-parse", "--short", base], { cwd: ROOT, encoding: "utf8" }).trim();
  // Outside the repository (its tests and sources must not join this tree's), with this
  // tree's packages beside it.
  const baseDir = join(tmpdir(), `textkit-store-base-${commit}`);
  if (!existsSync(join(baseDir, "src"))) {
    mkdirSync(baseDir, { recursive: true });
    execFileSync("sh", ["-c", `git archive ${commit} src | tar -x -C '${baseDir}'`], { cwd: ROOT });
    symlinkSync(join(ROOT, "node_modules"), join(baseDir, "node_modules"));
  }
  const docs = await enrichedDocuments(DOCS);
  const variants = [
    await variant(`commit ${commit}`, join(baseDir, "src")),
    await variant("this tree", join(ROOT, "src")),
  ];
  const loads: number[] = [];
  // A round of each first, not counted: the code is compiled and optimised before the clock runs.
  for (const v of variants) await round(v, docs);
  for (let r = 0; r < ROUNDS; r++) {
    // Interleaved, and the order alternates, so a change of load falls on both alike.
    for (const v of r % 2 === 0 ? variants : [...variants].reverse()) v.cpu.push(await round(v, docs));
    loads.push(loadavg()[0] ?? 0);
    console.log(
      `round ${r + 1}: ${variants.map((v) => `${v.name} ${(v.cpu.at(-1) ?? 0).toFixed(1)}`).join(", ")} µs/doc`,
    );
  }
  const [before, after] = variants.map((v) => median(v.cpu));
  const table = markdownTable(
    [
      "documents (one day)",
      "batches in flight",
      "rounds",
      `${variants[0]?.name}, CPU µs/doc (median)`,
      "this tree, CPU µs/doc (median)",
      "ratio",
      "load (1 min)",
    ],
    [
      [
        fmt.int(DOCS),
        INFLIGHT,
        ROUNDS,
        (before ?? 0).toFixed(1),
        (after ?? 0).toFixed(1),
        `${((after ?? 0) / (before ?? 1)).toFixed(2)}x`,
        `${Math.min(...loads).toFixed(1)}-${Math.max(...loads).toFixed(1)}`,
      ],
    ],
  );
  const body =
    `# bench:monitor-store, ${today()}\n\nMachine: ${machine()}. One process, SQLite, batches of ${BATCH}, each round a fresh file, ` +
    `ending with a roll-up. Command: npm run bench:monitor-store -- --base ${commit} --docs ${DOCS} --rounds ${ROUNDS} --inflight ${INFLIGHT}.\n\n${table}\n`;
  console.log(body);
  if (process.argv.includes("--write")) console.log(`written to ${writeResult("monitor-store", body)}`);
}

await main();
