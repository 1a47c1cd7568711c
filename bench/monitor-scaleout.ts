/**
 * npm run bench:monitor-scaleout [-- --docs N]
 *
 * Documents per second through the monitor's Redis Streams path with one and with two
 * `textkit serve --monitor` processes in one consumer group, storing into one PostgreSQL
 * database, on this machine: the figure behind "how to size consumers" in the README.
 * Redis and PostgreSQL are throw-away servers on loopback (the test suite's helpers); each
 * row gets a fresh stream and a fresh database. The clock runs from the first entry added
 * (the processes are already up and waiting) to the last document stored.
 *
 * Data: generated English posts on three topics (the test suite's monitor data) with
 * distinct ids, --docs of them (default 20,000), added in pipelined batches of 500.
 */
import type { ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { createClient } from "@redis/client";
import { Random } from "../src/core/random.ts";
import { openDatabase } from "../src/store/index.ts";
import { monitorText, TOPICS, writeMonitorModels } from "../test/support/monitor-data.ts";
import { findPostgresBinaries, startPostgres } from "../test/support/postgres.ts";
import { findRedisServer, startRedis } from "../test/support/redis.ts";
import { spawnServe } from "../test/support/serve-process.ts";
import { fmt, machine, markdownTable, numberArgument, today, writeResult } from "./common.ts";

const DOCS = numberArgument("--docs", 20_000);

async function serve(args: string[]): Promise<ChildProcess> {
  return spawnServe(args, 60_000);
}

async function main(): Promise<void> {
  const postgresBins = findPostgresBinaries();
  if (findRedisServer() === null || postgresBins === null) {
    console.log(
      "bench:monitor-scaleout needs redis-server and PostgreSQL (Debian: redis-server, postgresql); skipped",
    );
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), "textkit-bench-scaleout-"));
  const redis = await startRedis();
  const postgres = await startPostgres(postgresBins);
  const admin = createClient({ url: redis.url });
  admin.on("error", () => undefined);
  await admin.connect();
  const rows: { consumers: number; seconds: number; rate: number; load: number }[] = [];
  try {
    const modelsDir = join(dir, "models");
    mkdirSync(modelsDir);
    await writeMonitorModels(modelsDir);
    for (const consumers of [1, 2]) {
      const stream = `bench-${consumers}`;
      const configPath = join(dir, `monitor-${consumers}.json`);
      writeFileSync(
        configPath,
        JSON.stringify({
          models: { topic: "topic", sentiment: "sentiment" },
          redis: { url: redis.url, stream },
        }),
      );
      const dbUrl = await postgres.createDatabase();
      const args = ["--models", modelsDir, "--monitor", configPath, "--database", dbUrl, "--data-dir", dir];
      const servers: ChildProcess[] = [];
      try {
        for (let i = 0; i < consumers; i++) {
          servers.push(await serve([...args, "--port", "0", "--auth", "off", "--log-level", "warn"]));
        }
        const db = await openDatabase(dbUrl);
        try {
          const rng = new Random(7);
          const start = Date.parse("2026-12-01T00:00:00Z");
          const t0 = performance.now();
          for (let i = 0; i < DOCS; i += 500) {
            const batch = admin.multi();
            for (let j = i; j < Math.min(i + 500, DOCS); j++) {
              const sentiment = ["positive", "neutral", "negative"][rng.int(3)]!;
              batch.xAdd(stream, "*", {
                id: `d${j}`,
                text: monitorText(TOPICS[j % 3]!, sentiment, rng),
                publishedAt: new Date(start + j * 1_000).toISOString(),
              });
            }
            await batch.exec();
          }
          for (;;) {
            const [row] = await db.query<{ n: number | string }>(
              "SELECT COUNT(*) AS n FROM monitor_documents",
            );
            if (Number(row!.n) >= DOCS) break;
            if (performance.now() - t0 > 600_000)
              throw new Error(`${consumers} consumers: not done in 10 minutes`);
            await sleep(100);
          }
          const seconds = (performance.now() - t0) / 1000;
          rows.push({ consumers, seconds, rate: DOCS / seconds, load: loadavg()[0]! });
          console.log(`${consumers} consumer(s): ${DOCS} documents in ${seconds.toFixed(1)} s`);
        } finally {
          await db.close();
        }
      } finally {
        for (const s of servers) {
          s.kill("SIGTERM");
          await once(s, "exit");
        }
      }
    }
  } finally {
    admin.destroy();
    await redis.stop();
    await postgres.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  const one = rows[0]!.rate;
  const table = markdownTable(
    ["processes (consumers)", "documents", "seconds", "docs/s", "vs one", "load average (1 min)"],
    rows.map((r) => [
      String(r.consumers),
      fmt.int(DOCS),
      fmt.s(r.seconds),
      fmt.int(r.rate),
      fmt.ratio(r.rate / one),
      r.load.toFixed(1),
    ]),
  );
  const body = `# bench:monitor-scaleout, ${today()}

${machine()}

Redis Streams into one PostgreSQL database: \`textkit serve --monitor\` processes in one
consumer group (default settings: batchSize 500, 2 batches in hand per process, classification
on worker threads, one per core), on one machine. The clock runs from the first entry added
to the last document stored. The load average is the machine's at the end of the row: above
the number of cores, other work shared the machine and the figures are lower and noisier.

${table}
`;
  console.log(body);
  console.log(`written to ${writeResult("monitor-scaleout", body)}`);
}

await main();
