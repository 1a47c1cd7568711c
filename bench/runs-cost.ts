/**
 * npm run bench:runs-cost [-- --repeat 4]
 *
 * What recording a run costs a training, measured two ways in one run:
 *
 * 1. Instrumented: the run store's database is wrapped so that every statement and
 *    transaction it runs is timed; the recording's own time is `start` + the database work
 *    of the per-epoch writes (made in the background while training goes on) + `finish`.
 *    That time against the training's wall time is the cost, and it does not depend on how
 *    loaded the machine is, as a difference of two trainings' times does.
 * 2. A/B: the same training without and with recording, interleaved (A B A B ...), so that
 *    a change in the machine's load hits both; the median of the paired differences.
 *
 * Trainings: the intents sample (2,000 texts, 25 epochs with dev scores every epoch) and
 * CLINC150 (15,000 texts, 150 intents, dev scores every epoch). Target: under 1%.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import {
  type Database,
  type Dataset,
  loadDataset,
  openDatabase,
  type Queryable,
  RunStore,
  trainClassifier,
} from "../src/index.ts";
import {
  fmt,
  machine,
  markdownTable,
  numberArgument,
  ROOT,
  readClinc150,
  today,
  writeResult,
} from "./common.ts";

const REPEAT = numberArgument("--repeat", 4);

/** A database that adds the time of each call it passes on to `ms`. */
class TimedDatabase implements Database {
  ms = 0;
  calls = 0;
  constructor(private readonly inner: Database) {}
  get dialect(): Database["dialect"] {
    return this.inner.dialect;
  }
  get capabilities(): Database["capabilities"] {
    return this.inner.capabilities;
  }
  get location(): string {
    return this.inner.location;
  }
  private async timed<T>(op: () => Promise<T>): Promise<T> {
    const t0 = performance.now();
    try {
      return await op();
    } finally {
      this.ms += performance.now() - t0;
      this.calls++;
    }
  }
  query<T extends object>(sql: string, params?: Parameters<Queryable["query"]>[1]): Promise<T[]> {
    return this.timed(() => this.inner.query<T>(sql, params));
  }
  run(sql: string, params?: Parameters<Queryable["run"]>[1]): ReturnType<Queryable["run"]> {
    return this.timed(() => this.inner.run(sql, params));
  }
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
    return this.timed(() => this.inner.transaction(fn));
  }
  migrate(name: string, steps: readonly string[]): Promise<number> {
    return this.inner.migrate(name, steps);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

interface Case {
  name: string;
  train: Dataset;
  dev: Dataset;
  options: { epochs: number; dim: number; wordNgrams: number; lr: number; patience: number };
}

interface Measured {
  trainMs: number;
  recordMs: number;
  calls: number;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? (s[mid] ?? Number.NaN) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}

async function recorded(c: Case, db: TimedDatabase, store: RunStore): Promise<Measured> {
  const t0 = performance.now();
  db.ms = 0;
  db.calls = 0;
  const run = await store.start({ family: "classifier", command: `bench ${c.name}`, params: c.options });
  const model = await trainClassifier({ train: c.train, dev: c.dev }, c.options, run.hooks());
  await run.finish({ record: model.runRecord });
  return { trainMs: performance.now() - t0, recordMs: db.ms, calls: db.calls };
}

async function plain(c: Case): Promise<number> {
  const t0 = performance.now();
  await trainClassifier({ train: c.train, dev: c.dev }, c.options);
  return performance.now() - t0;
}

async function measure(c: Case, repeat: number, db: TimedDatabase, store: RunStore): Promise<string[][]> {
  const a: number[] = [];
  const b: Measured[] = [];
  for (let k = 0; k < repeat; k++) {
    a.push(await plain(c));
    b.push(await recorded(c, db, store));
  }
  const shares = b.map((m) => m.recordMs / m.trainMs);
  const paired = b.map((m, k) => (m.trainMs - (a[k] ?? Number.NaN)) / (a[k] ?? Number.NaN));
  return [
    [
      c.name,
      String(repeat),
      fmt.int(median(b.map((m) => m.trainMs))),
      median(b.map((m) => m.recordMs)).toFixed(2),
      String(median(b.map((m) => m.calls))),
      `${fmt.pct(median(shares))}%`,
      `${fmt.pct(Math.max(...shares))}%`,
      fmt.int(median(a)),
      `${fmt.pct(median(paired))}%`,
      `${fmt.pct(Math.min(...paired))}% .. ${fmt.pct(Math.max(...paired))}%`,
    ],
  ];
}

const clinc = readClinc150();
const cases: { case: Case; repeat: number }[] = [
  {
    case: {
      name: "intents sample, 25 epochs",
      train: await loadDataset(join(ROOT, "samples", "intents", "train.csv")),
      dev: await loadDataset(join(ROOT, "samples", "intents", "dev.csv"), { minClasses: 1 }),
      options: { epochs: 25, dim: 50, wordNgrams: 2, lr: 0.5, patience: 1000 },
    },
    repeat: REPEAT,
  },
  {
    case: {
      name: "CLINC150, 10 epochs",
      train: clinc.part("train"),
      dev: clinc.part("val"),
      options: { epochs: 10, dim: 50, wordNgrams: 2, lr: 0.5, patience: 1000 },
    },
    repeat: Math.max(2, Math.ceil(REPEAT / 2)),
  },
];

const loadStart = loadavg()
  .map((x) => x.toFixed(2))
  .join(", ");
const dir = mkdtempSync(join(tmpdir(), "textkit-bench-runs-cost-"));
const db = new TimedDatabase(await openDatabase(join(dir, "runs.db")));
const rows: string[][] = [];
try {
  const store = await RunStore.open(db);
  for (const { case: c, repeat } of cases) rows.push(...(await measure(c, repeat, db, store)));
} finally {
  await db.close();
  rmSync(dir, { recursive: true, force: true });
}
const loadEnd = loadavg()
  .map((x) => x.toFixed(2))
  .join(", ");
const body =
  `# bench:runs-cost ${today()}\n\n${machine()}; load average at start ${loadStart}, at end ${loadEnd}\n\n` +
  "Recording on SQLite (the default store), epochs written at most once a second and at the end. Instrumented: time inside the\n" +
  "run store's database calls (start, per-epoch writes, finish) over the recorded training's wall time.\n" +
  "A/B: wall time of the recorded training against the plain one run just before it.\n\n" +
  markdownTable(
    [
      "training",
      "repeats",
      "recorded training ms (median)",
      "recording ms (median)",
      "database calls",
      "recording share (median)",
      "recording share (max)",
      "plain training ms (median)",
      "A/B overhead (median of pairs)",
      "A/B range",
    ],
    rows,
  ) +
  "\n";
process.stdout.write(body);
process.stdout.write(`\nwritten to ${writeResult("runs-cost", body)}\n`);
