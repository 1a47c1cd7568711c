/**
 * npm run bench:monitor-encoder [-- --docs N]
 *
 * Where the monitor runs a classifier head's encoder (issue 12): documents per second
 * through Monitor.submit with a topic head on samples/encoders/tiny-bert, (a) in the main
 * thread, the encoder's session using every core, which is also what one encoder in the
 * main thread fed by the workers would at best do for the encoder part; and (b) on the
 * pipeline's worker pool, each worker with its own one-thread session (what the pool
 * does), with 1 and 2 workers. Labels are compared between the rows (they must be equal).
 *
 * The encoder has random weights: this measures time only, never accuracy. Data: the
 * monitor's sample texts repeated with distinct ids to --docs documents (default 2,000);
 * the head is trained here on samples/intents. Every row gets a fresh SQLite file.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import {
  loadDirectoryModels,
  Monitor,
  type MonitorDocumentInput,
  resolveMonitorConfig,
} from "../src/apps/monitor/index.ts";
import { loadDataset } from "../src/data/index.ts";
import { trainClassifier } from "../src/models/classifier/index.ts";
import { loadEncoder } from "../src/models/encoder/index.ts";
import { openDatabase } from "../src/store/index.ts";
import { fmt, machine, markdownTable, numberArgument, ROOT, today, writeResult } from "./common.ts";

const DOCS = numberArgument("--docs", 2_000);
const ENCODER = join(ROOT, "samples", "encoders", "tiny-bert");

function documents(n: number): MonitorDocumentInput[] {
  const lines = readFileSync(join(ROOT, "samples", "monitor", "stream.jsonl"), "utf8")
    .trim()
    .split("\n");
  const pool = lines.map((l) => JSON.parse(l) as { title: string; text: string });
  const start = Date.parse("2026-11-30T00:00:00Z");
  return Array.from({ length: n }, (_, i) => {
    const d = pool[i % pool.length] ?? { title: "", text: "" };
    return { title: d.title, text: d.text, id: `b${i}`, source: "bench", publishedAt: start + i * 1000 };
  });
}

interface Row {
  what: string;
  seconds: number;
  cpu: number;
  load: number;
  topics: string[];
}

async function run(work: string, what: string, workers: number, docs: MonitorDocumentInput[]): Promise<Row> {
  const config = resolveMonitorConfig({
    models: { topic: "topics", sentiment: null, entities: null },
    workers,
  });
  const db = await openDatabase(join(work, `${workers}.db`));
  const monitor = await Monitor.open({
    db,
    config,
    models: await loadDirectoryModels(join(work, "models"), config),
    sources: false,
  });
  try {
    await monitor.start();
    // Warm-up: every worker starts and loads the head and its encoder (batches in parallel).
    const warm = docs.slice(0, 40).map((d) => ({ ...d, id: `warm-${d.id}` }));
    await Promise.all([0, 1, 2, 3].map((q) => monitor.submit(warm.slice(q * 10, q * 10 + 10))));
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < docs.length; i += 500) await monitor.submit(docs.slice(i, i + 500));
    const seconds = (performance.now() - t0) / 1000;
    const used = process.cpuUsage(cpu0);
    const { documents } = await monitor.documents({ from: 0, to: Date.now() + 1e9, limit: 100_000 });
    const byId = new Map(documents.map((d) => [d.id ?? "", d.topic]));
    return {
      what,
      seconds,
      cpu: (used.user + used.system) / 1e6,
      load: loadavg()[0] ?? 0,
      topics: docs.map((d) => byId.get(d.id ?? "") ?? ""),
    };
  } finally {
    await monitor.stop();
    await db.close();
  }
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), "bench-monitor-encoder-"));
  try {
    const encoder = await loadEncoder(ENCODER, { threads: 1 });
    const train = await loadDataset(join(ROOT, "samples", "intents", "train.csv"));
    const head = await trainClassifier({ train }, { encoder, encoderPath: ENCODER, head: { epochs: 3 } });
    await encoder.close();
    mkdirSync(join(work, "models"), { recursive: true });
    await head.save(join(work, "models", "topics"));
    const docs = documents(DOCS);
    const rows: Row[] = [];
    rows.push(await run(work, `in process (encoder: ${cpus().length} threads)`, 0, docs));
    rows.push(await run(work, "pool, 1 worker (1-thread session)", 1, docs));
    rows.push(await run(work, "pool, 2 workers (1-thread session each)", 2, docs));
    const base = rows[0];
    const table = markdownTable(
      [
        "where the encoder runs",
        "docs",
        "seconds",
        "docs/s",
        "vs in process",
        "process CPU s",
        "load (1 min)",
        "same labels",
      ],
      rows.map((r) => [
        r.what,
        DOCS,
        fmt.s(r.seconds),
        (DOCS / r.seconds).toFixed(0),
        `${((base?.seconds ?? Number.NaN) / r.seconds).toFixed(2)}x`,
        fmt.s(r.cpu),
        r.load.toFixed(2),
        r.topics.every((t, i) => t === base?.topics[i]) ? "yes" : "NO",
      ]),
    );
    const body =
      `# bench:monitor-encoder, ${today()}\n\n${machine()}\n\n` +
      "Monitor.submit with a topic head on samples/encoders/tiny-bert (random weights: time only, no accuracy).\n\n" +
      `${table}\n`;
    console.log(body);
    console.log(`written: ${writeResult("monitor-encoder", body)}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
