/**
 * npm run bench:runs [-- --runs 10000 --repeat 15]
 *
 * Experiment tracking at scale and at cost, in one run:
 *
 * 1. Listing: 10,000 runs (12 parameters, 3 epochs of 3 metrics, a final test score, tags)
 *    recorded through RunStore into a SQLite file, then the queries the CLI and the Runs page
 *    make (a page of 50, filtered and sorted) timed, median of `--repeat`. The peer is what
 *    textkit had before the store: a run.json per model on disk, every one read, parsed,
 *    filtered and sorted in JavaScript for each query. Target: every query under 200 ms.
 * 2. Cost of recording: the intents classifier trained with its epochs recorded through
 *    run.hooks() plus finish(), beside the same training without recording, alternating,
 *    median of 3 each; plus hashing its data files as the CLI does. Target: under 1%.
 */
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import {
  loadDataset,
  openDatabase,
  parseRunCondition,
  type RunQuery,
  RunStore,
  trainClassifier,
} from "../src/index.ts";
import { fmt, machine, markdownTable, numberArgument, ROOT, today, writeResult } from "./common.ts";

const RUNS = numberArgument("--runs", 10_000);
const REPEAT = numberArgument("--repeat", 15);
const FAMILIES = ["classifier", "tagger", "regressor", "recommender"];

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

interface Synthetic {
  id: string;
  family: string;
  params: Record<string, number | string>;
  data: string;
  tags: string[];
  epochs: { "train.loss": number; "dev.accuracy": number; "dev.macroF1": number }[];
  test: number;
  started: number;
}

function synthetic(i: number): Synthetic {
  const r = (k: number) => ((i * 2654435761 + k * 40503) % 1000) / 1000;
  return {
    id: `run-${String(i).padStart(6, "0")}`,
    family: FAMILIES[i % FAMILIES.length]!,
    params: {
      lr: Math.round(r(1) * 100) / 100,
      dim: [50, 100, 200][i % 3]!,
      epochs: 5 + (i % 20),
      wordNgrams: 1 + (i % 3),
      minn: i % 4,
      maxn: i % 6,
      buckets: 2_000_000,
      minCount: 1 + (i % 2),
      seed: i,
      loss: i % 2 === 0 ? "softmax" : "ova",
      patience: 5,
      chunkTokens: 0,
    },
    data: `data/set-${i % 50}/train.csv`,
    tags: i % 10 === 0 ? ["baseline"] : [],
    epochs: [1, 2, 3].map((e) => ({
      "train.loss": 1 / (e + r(e)),
      "dev.accuracy": 0.5 + 0.4 * r(e + 10),
      "dev.macroF1": 0.4 + 0.4 * r(e + 20),
    })),
    test: 0.5 + 0.4 * r(30),
    started: Date.parse("2026-01-01") + i * 60_000,
  };
}

const QUERIES: { name: string; query: RunQuery; peer: (s: Synthetic) => boolean; sortBy?: string }[] = [
  { name: "newest 50", query: {}, peer: () => true },
  {
    name: "family=classifier, by best dev.accuracy",
    query: { family: "classifier", sort: { field: "metrics.dev.accuracy" } },
    peer: (s) => s.family === "classifier",
    sortBy: "best",
  },
  {
    name: "params.lr>=0.5 and loss=ova, by last dev.accuracy",
    query: {
      where: [parseRunCondition("params.lr>=0.5"), parseRunCondition("params.loss=ova")],
      sort: { field: "metrics.dev.accuracy", by: "last" },
    },
    peer: (s) => Number(s.params["lr"]) >= 0.5 && s.params["loss"] === "ova",
    sortBy: "last",
  },
  {
    name: "metrics.dev.accuracy>0.85, data contains set-1, tag baseline",
    query: { where: [parseRunCondition("metrics.dev.accuracy>0.85")], data: "set-1", tags: ["baseline"] },
    peer: (s) =>
      Math.max(...s.epochs.map((e) => e["dev.accuracy"])) > 0.85 &&
      s.data.includes("set-1") &&
      s.tags.includes("baseline"),
  },
  { name: "page 100 (offset 5000)", query: { offset: 5000 }, peer: () => true },
];

async function populate(store: RunStore): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < RUNS; i++) {
    const s = synthetic(i);
    const run = await store.start({
      id: s.id,
      family: s.family,
      command: "bench",
      params: s.params,
      data: [{ role: "train", file: s.data }],
      tags: s.tags,
    });
    for (let e = 0; e < s.epochs.length; e++) await run.logMetrics(e + 1, s.epochs[e]!);
    await run.finish({ final: { test: { accuracy: s.test } } });
  }
  return (performance.now() - t0) / RUNS;
}

function writeRunJsons(dir: string): void {
  for (let i = 0; i < RUNS; i++) {
    const s = synthetic(i);
    mkdirSync(join(dir, s.id));
    const record = {
      runId: s.id,
      family: s.family,
      startedAt: new Date(s.started).toISOString(),
      options: s.params,
      data: { train: { source: s.data } },
      tags: s.tags,
      epochs: s.epochs.map((e, k) => ({
        epoch: k + 1,
        trainLoss: e["train.loss"],
        dev: { accuracy: e["dev.accuracy"], macroF1: e["dev.macroF1"] },
      })),
      final: { test: { accuracy: s.test } },
    };
    writeFileSync(join(dir, s.id, "run.json"), JSON.stringify(record, null, 2));
  }
}

/** The peer: read every run.json, filter, sort, page. */
function scanRunJsons(dir: string, q: (typeof QUERIES)[number]): number {
  const all: (Synthetic & { best: number; last: number })[] = [];
  for (const name of readdirSync(dir)) {
    const r = JSON.parse(readFileSync(join(dir, name, "run.json"), "utf8"));
    const dev = r.epochs.map((e: { dev: { accuracy: number } }) => e.dev.accuracy) as number[];
    all.push({
      id: r.runId,
      family: r.family,
      params: r.options,
      data: r.data.train.source,
      tags: r.tags,
      epochs: r.epochs.map((e: { trainLoss: number; dev: { accuracy: number; macroF1: number } }) => ({
        "train.loss": e.trainLoss,
        "dev.accuracy": e.dev.accuracy,
        "dev.macroF1": e.dev.macroF1,
      })),
      test: r.final.test.accuracy,
      started: Date.parse(r.startedAt),
      best: Math.max(...dev),
      last: dev[dev.length - 1]!,
    });
  }
  const kept = all.filter(q.peer);
  if (q.sortBy === "best") kept.sort((a, b) => b.best - a.best);
  else if (q.sortBy === "last") kept.sort((a, b) => b.last - a.last);
  else kept.sort((a, b) => b.started - a.started);
  return kept.slice(q.query.offset ?? 0, (q.query.offset ?? 0) + 50).length;
}

async function listing(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "textkit-bench-runs-"));
  try {
    const db = await openDatabase(join(dir, "runs.db"));
    const store = await RunStore.open(db, { heartbeatMs: 0 });
    const perRun = await populate(store);
    const jsons = join(dir, "json");
    mkdirSync(jsons);
    writeRunJsons(jsons);
    const rows: (string | number)[][] = [];
    for (const q of QUERIES) {
      const ours: number[] = [];
      const peer: number[] = [];
      let total = 0;
      for (let k = 0; k < REPEAT; k++) {
        let t0 = performance.now();
        total = (await store.list(q.query)).total;
        ours.push(performance.now() - t0);
        if (k < Math.min(REPEAT, 5)) {
          t0 = performance.now();
          scanRunJsons(jsons, q);
          peer.push(performance.now() - t0);
        }
      }
      const m = median(ours);
      rows.push([
        q.name,
        total,
        m.toFixed(1),
        median(peer).toFixed(1),
        fmt.ratio(median(peer) / m),
        m < 200 ? "yes" : "NO",
      ]);
    }
    await db.close();
    return (
      `### Listing ${RUNS.toLocaleString("en-US")} runs (SQLite; recording took ${perRun.toFixed(2)} ms per run of 3 epochs)\n\n` +
      markdownTable(
        ["query (page of 50)", "matches", "textkit ms (median)", "run.json scan ms", "speed-up", "< 200 ms"],
        rows,
      )
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function cost(): Promise<string> {
  const trainPath = join(ROOT, "samples", "intents", "train.csv");
  const devPath = join(ROOT, "samples", "intents", "dev.csv");
  const train = await loadDataset(trainPath);
  const dev = await loadDataset(devPath, { minClasses: 1 });
  const options = { epochs: 25, dim: 50, wordNgrams: 2, lr: 0.5, patience: 1000 };
  const dir = mkdtempSync(join(tmpdir(), "textkit-bench-runs-cost-"));
  const db = await openDatabase(join(dir, "runs.db"));
  const store = await RunStore.open(db);
  const plain: number[] = [];
  const recorded: number[] = [];
  try {
    for (let k = 0; k < 3; k++) {
      let t0 = performance.now();
      await trainClassifier({ train, dev }, options);
      plain.push(performance.now() - t0);
      t0 = performance.now();
      const run = await store.start({ family: "classifier", command: "bench", params: options });
      const model = await trainClassifier({ train, dev }, options, run.hooks());
      await run.finish({ record: model.runRecord });
      recorded.push(performance.now() - t0);
    }
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const t0 = performance.now();
  for (const path of [trainPath, devPath]) createHash("sha256").update(readFileSync(path)).digest("hex");
  const hashMs = performance.now() - t0;
  const p = median(plain);
  const r = median(recorded);
  return (
    "### Cost of recording (intents classifier, 25 epochs with dev scores, recorded every epoch)\n\n" +
    markdownTable(
      ["training", "ms (median of 3)", "overhead"],
      [
        ["without recording", p.toFixed(0), "-"],
        ["recorded (start, 25 epochs, finish)", r.toFixed(0), `${fmt.pct((r - p) / p)}%`],
        ["+ SHA-256 of train and dev files (CLI)", hashMs.toFixed(1), `${fmt.pct(hashMs / p)}%`],
      ],
    )
  );
}

const load = loadavg()
  .map((x) => x.toFixed(2))
  .join(", ");
const body =
  `# bench:runs ${today()}\n\n${machine()}; load average at start ${load}\n\n` +
  `${await listing()}\n\n${await cost()}\n\nload average at end ${loadavg()
    .map((x) => x.toFixed(2))
    .join(", ")}\n`;
process.stdout.write(body);
process.stdout.write(`\nwritten to ${writeResult("runs", body)}\n`);
