/**
 * kill -9 in the middle of ingestion, then a restart: no document is lost and none is
 * counted twice. The import command and the server's ingest route each run as a real
 * process on a real SQLite file and are killed with SIGKILL while they write; afterwards
 * the counts behind the trends agree with the documents stored, and finishing the work
 * (the import run again; the client sending again what was not acknowledged) stores
 * exactly the documents there are.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { Random } from "../src/core/random.ts";
import { openDatabase } from "../src/store/index.ts";
import { tempDir } from "./server-helpers.ts";
import { monitorText, TOPICS, writeMonitorModels } from "./support/monitor-data.ts";

const BIN = fileURLToPath(new URL("../bin/textkit.js", import.meta.url));
const root = tempDir("monitor-crash");
const modelsDir = join(root.path, "models");
const configPath = join(root.path, "monitor.json");
const DOCUMENTS = 12_000;
/** Every tenth line repeats an earlier document. */
const UNIQUE = DOCUMENTS - Math.floor(DOCUMENTS / 10);

interface Doc {
  id: string;
  text: string;
  publishedAt: string;
}

function documents(): Doc[] {
  const rng = new Random(21);
  const start = Date.parse("2026-11-29T00:00:00Z");
  const out: Doc[] = [];
  for (let i = 0; i < DOCUMENTS; i++) {
    if (i % 10 === 9) {
      out.push(out[rng.int(out.length)]!);
      continue;
    }
    const sentiment = ["positive", "neutral", "negative"][rng.int(3)]!;
    out.push({
      id: `doc-${i}`,
      text: monitorText(TOPICS[i % 3]!, sentiment, rng),
      publishedAt: new Date(start + i * 7_000).toISOString(),
    });
  }
  return out;
}

/** Documents stored, and what the minute, hour and day counts and the term counts add up to. */
async function tally(
  dbPath: string,
): Promise<{ documents: number; minute: number; hour: number; day: number }> {
  const db = await openDatabase(dbPath);
  try {
    const [docs] = await db.query<{ n: number }>("SELECT COUNT(*) AS n FROM monitor_documents");
    const sums = await db.query<{ granularity: string; n: number | string }>(
      "SELECT granularity, SUM(n) AS n FROM monitor_counts GROUP BY granularity",
    );
    const by = Object.fromEntries(sums.map((r) => [r.granularity, Number(r.n)]));
    return { documents: docs!.n, minute: by["minute"] ?? 0, hour: by["hour"] ?? 0, day: by["day"] ?? 0 };
  } finally {
    await db.close();
  }
}

async function storedCount(dbPath: string): Promise<number> {
  try {
    const db = await openDatabase(dbPath);
    try {
      const [row] = await db.query<{ n: number }>("SELECT COUNT(*) AS n FROM monitor_documents");
      return row!.n;
    } finally {
      await db.close();
    }
  } catch {
    return 0; // The table is not there yet.
  }
}

function run(args: string[]): ChildProcess {
  return spawn(process.execPath, [BIN, ...args], { stdio: ["ignore", "pipe", "pipe"] });
}

async function killWhenStored(child: ChildProcess, dbPath: string, atLeast: number): Promise<number> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const n = await storedCount(dbPath);
    if (n >= atLeast) break;
    if (child.exitCode !== null)
      assert.fail(`the process ended (code ${child.exitCode}) before it was killed`);
    if (Date.now() > deadline) assert.fail("the process stored too little in 60 s");
    await sleep(10);
  }
  child.kill("SIGKILL");
  await once(child, "exit");
  return storedCount(dbPath);
}

before(async () => {
  mkdirSync(modelsDir, { recursive: true });
  await writeMonitorModels(modelsDir);
  writeFileSync(
    configPath,
    JSON.stringify({ models: { topic: "topic", sentiment: "sentiment" }, batchSize: 200 }),
  );
});

after(() => root.remove());

describe("kill -9 during ingestion", () => {
  it("an import killed half-way leaves consistent counts, and running it again completes it exactly", async () => {
    const dataDir = join(root.path, "import-data");
    const dbPath = join(dataDir, "textkit.db");
    const input = join(root.path, "docs.jsonl");
    writeFileSync(
      input,
      `${documents()
        .map((d) => JSON.stringify(d))
        .join("\n")}\n`,
    );
    const args = ["monitor", "import", "--config", configPath, "--models", modelsDir, "--input", input];
    const first = run([...args, "--data-dir", dataDir, "--quiet"]);
    const atKill = await killWhenStored(first, dbPath, 1_000);
    assert.ok(atKill < UNIQUE, `killed after ${atKill} documents, before the end`);
    const partial = await tally(dbPath);
    assert.deepEqual(partial, { documents: atKill, minute: atKill, hour: atKill, day: atKill });

    const second = run([...args, "--data-dir", dataDir, "--quiet", "--json"]);
    let out = "";
    second.stdout!.on("data", (c: Buffer) => {
      out += c.toString("utf8");
    });
    const [code] = await once(second, "exit");
    assert.equal(code, 0, out);
    const report = JSON.parse(out) as { stored: number; duplicates: number; documents: number };
    assert.equal(report.documents, DOCUMENTS);
    assert.equal(report.stored, UNIQUE - atKill);
    assert.deepEqual(await tally(dbPath), { documents: UNIQUE, minute: UNIQUE, hour: UNIQUE, day: UNIQUE });
  });

  it("a server killed while a client sends: the client sends again what was not acknowledged, nothing is lost or doubled", async () => {
    const dataDir = join(root.path, "server-data");
    const dbPath = join(dataDir, "textkit.db");
    const docs = documents();
    const batches: Doc[][] = [];
    for (let i = 0; i < docs.length; i += 200) batches.push(docs.slice(i, i + 200));
    const acknowledged = new Set<number>();

    const serve = async (): Promise<{ child: ChildProcess; url: string }> => {
      const child = run([
        "serve",
        "--models",
        modelsDir,
        "--monitor",
        configPath,
        "--data-dir",
        dataDir,
        "--port",
        "0",
        "--auth",
        "off",
        "--log-level",
        "silent",
      ]);
      let err = "";
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no server address in 30 s: ${err}`)), 30_000);
        child.stderr!.on("data", (c: Buffer) => {
          err += c.toString("utf8");
          const m = /on (http:\/\/[^\s]+)/.exec(err);
          if (m !== null) {
            clearTimeout(timer);
            resolve(m[1]!);
          }
        });
      });
      return { child, url };
    };

    /** Sends every batch not yet acknowledged, two at a time, until done or the server dies. */
    const send = async (url: string): Promise<void> => {
      const pending = batches.map((_, i) => i).filter((i) => !acknowledged.has(i));
      const worker = async () => {
        for (;;) {
          const i = pending.shift();
          if (i === undefined) return;
          try {
            const res = await fetch(`${url}/v1/monitor/documents`, {
              method: "POST",
              headers: { "content-type": "application/json" },
              body: JSON.stringify(batches[i]),
            });
            await res.arrayBuffer();
            if (res.status === 200) acknowledged.add(i);
            else if (res.status !== 503) assert.fail(`batch ${i}: HTTP ${res.status}`);
          } catch {
            return; // The server went away.
          }
        }
      };
      await Promise.all([worker(), worker()]);
    };

    const first = await serve();
    const sending = send(first.url);
    const atKill = await killWhenStored(first.child, dbPath, 2_000);
    await sending;
    assert.ok(acknowledged.size < batches.length, "the server was killed before the client was done");
    const partial = await tally(dbPath);
    assert.deepEqual(partial, { documents: atKill, minute: atKill, hour: atKill, day: atKill });
    // Every acknowledged document is stored.
    const ackedKeys = new Set([...acknowledged].flatMap((i) => batches[i]!.map((d) => d.id)));
    assert.ok(atKill >= ackedKeys.size, `${atKill} stored, ${ackedKeys.size} acknowledged`);

    const second = await serve();
    try {
      await send(second.url);
      assert.equal(acknowledged.size, batches.length);
    } finally {
      second.child.kill("SIGTERM");
      await once(second.child, "exit");
    }
    assert.deepEqual(await tally(dbPath), { documents: UNIQUE, minute: UNIQUE, hour: UNIQUE, day: UNIQUE });
  });
});
