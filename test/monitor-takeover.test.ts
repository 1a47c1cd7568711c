/**
 * kill -9 of one of two monitor processes that read one Redis stream (one consumer group)
 * and store into one PostgreSQL database, as an operator would run them: the entries the
 * dead one had read and not acknowledged are taken over by the other within seconds, with
 * the default settings, and every document is stored exactly once.
 */
import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { createClient } from "@redis/client";
import { REDIS_DEFAULTS } from "../src/apps/monitor/config.ts";
import { Random } from "../src/core/random.ts";
import { openDatabase } from "../src/store/index.ts";
import { tempDir } from "./server-helpers.ts";
import { monitorText, TOPICS, writeMonitorModels } from "./support/monitor-data.ts";
import { findPostgresBinaries, type PostgresServer, startPostgres } from "./support/postgres.ts";
import { type RedisServer, redisSkip, startRedis } from "./support/redis.ts";
import { spawnServe } from "./support/serve-process.ts";

const root = tempDir("monitor-takeover");
const modelsDir = join(root.path, "models");
const configPath = join(root.path, "monitor.json");
const dataDir = join(root.path, "data");
const postgresBinaries = findPostgresBinaries();
const STREAM = "news";
const DOCUMENTS = 10_000;
/**
 * The documented takeover time with the defaults is claimIdle (5 s) and one scan (1 s); the
 * bound leaves room for a loaded two-core machine, and stays far below the minute or more
 * it took before.
 */
const TAKEOVER_BOUND_MS = REDIS_DEFAULTS.claimIdleMs + 10_000;

let redis: RedisServer;
let postgres: PostgresServer | undefined;
let dbUrl = "";
let admin: ReturnType<typeof createClient>;

async function storedCount(): Promise<number> {
  try {
    const db = await openDatabase(dbUrl);
    try {
      const [row] = await db.query<{ n: number | string }>("SELECT COUNT(*) AS n FROM monitor_documents");
      return Number(row!.n);
    } finally {
      await db.close();
    }
  } catch {
    return 0; // The table is not there yet.
  }
}

async function tally(): Promise<{ documents: number; minute: number; hour: number; day: number }> {
  const db = await openDatabase(dbUrl);
  try {
    const [docs] = await db.query<{ n: number | string }>("SELECT COUNT(*) AS n FROM monitor_documents");
    const sums = await db.query<{ granularity: string; n: number | string }>(
      "SELECT granularity, SUM(n) AS n FROM monitor_counts GROUP BY granularity",
    );
    const by = Object.fromEntries(sums.map((r) => [r.granularity, Number(r.n)]));
    return {
      documents: Number(docs!.n),
      minute: by["minute"] ?? 0,
      hour: by["hour"] ?? 0,
      day: by["day"] ?? 0,
    };
  } finally {
    await db.close();
  }
}

/** Pending entries of the group by consumer name. */
async function pendingByConsumer(): Promise<Map<string, number>> {
  const summary = await admin.xPending(STREAM, REDIS_DEFAULTS.group);
  return new Map((summary.consumers ?? []).map((c) => [c.name, Number(c.deliveriesCounter)]));
}

async function serve(): Promise<ChildProcess> {
  return spawnServe(
    [
      "--models",
      modelsDir,
      "--monitor",
      configPath,
      "--data-dir",
      dataDir,
      "--database",
      dbUrl,
      "--port",
      "0",
      "--auth",
      "off",
      "--log-level",
      "warn",
    ],
    30_000,
  );
}

async function waitFor(
  what: string,
  condition: () => Promise<boolean>,
  timeoutMs: number,
  everyMs = 100,
): Promise<number> {
  const started = Date.now();
  while (!(await condition())) {
    if (Date.now() - started > timeoutMs) assert.fail(`${what}: not within ${timeoutMs} ms`);
    await sleep(everyMs);
  }
  return Date.now() - started;
}

const skip =
  redisSkip() ||
  (postgresBinaries === null && process.env["TEXTKIT_REQUIRE_POSTGRES"] !== "1"
    ? "PostgreSQL is not installed; apt-get install -y --no-install-recommends postgresql to run this test"
    : false);

/** The documents, added to the stream in batches of 500. */
async function fillStream(): Promise<void> {
  const rng = new Random(20);
  const start = Date.parse("2026-12-01T00:00:00Z");
  for (let i = 0; i < DOCUMENTS; i += 500) {
    const batch = admin.multi();
    for (let j = i; j < Math.min(i + 500, DOCUMENTS); j++) {
      const sentiment = ["positive", "neutral", "negative"][rng.int(3)]!;
      batch.xAdd(STREAM, "*", {
        id: `doc-${j}`,
        text: monitorText(TOPICS[j % 3]!, sentiment, rng),
        publishedAt: new Date(start + j * 5_000).toISOString(),
      });
    }
    await batch.exec();
  }
}

describe("kill -9 of one of two monitor processes reading a Redis stream", { skip }, () => {
  before(async () => {
    assert.ok(postgresBinaries !== null, "TEXTKIT_REQUIRE_POSTGRES=1 but PostgreSQL is not installed");
    postgres = await startPostgres(postgresBinaries);
    dbUrl = await postgres.createDatabase();
    redis = await startRedis();
    admin = createClient({ url: redis.url });
    admin.on("error", () => undefined);
    await admin.connect();
    mkdirSync(modelsDir, { recursive: true });
    await writeMonitorModels(modelsDir);
    // Only the URL and the stream: every other setting at its default.
    writeFileSync(
      configPath,
      JSON.stringify({
        models: { topic: "topic", sentiment: "sentiment" },
        redis: { url: redis.url, stream: STREAM },
      }),
    );
  });

  after(async () => {
    admin?.destroy();
    await redis?.stop();
    await postgres?.stop();
    root.remove();
  });

  it("the other process takes over the dead one's entries within seconds, and every document is stored once", async () => {
    const servers = [await serve(), await serve()];
    try {
      await fillStream();
      await waitFor("the two to store 500 documents", async () => (await storedCount()) >= 500, 60_000);
      // Killed while it holds entries, as a crash in the middle of ingestion would.
      let held: [string, number] | undefined;
      await waitFor(
        "one of the two to hold entries",
        async () => {
          held = [...(await pendingByConsumer())].find(
            ([name, n]) => n > 0 && servers.some((s) => name.endsWith(`-${s.pid}`)),
          );
          return held !== undefined;
        },
        30_000,
        5,
      );
      const [deadName] = held!;
      const victim = servers.find((s) => deadName.endsWith(`-${s.pid}`))!;
      victim.kill("SIGKILL");
      await once(victim, "exit");
      const atKill = (await pendingByConsumer()).get(deadName) ?? 0;
      assert.ok(atKill > 0, "the process was killed while it held entries");
      const takeoverMs = await waitFor(
        `the entries of ${deadName} to be taken over`,
        async () => ((await pendingByConsumer()).get(deadName) ?? 0) === 0,
        TAKEOVER_BOUND_MS,
      );
      process.stdout.write(
        `# takeover of ${atKill} entries: ${(takeoverMs / 1000).toFixed(1)} s after the kill\n`,
      );
      await waitFor("every document to be stored", async () => (await storedCount()) >= DOCUMENTS, 120_000);
      await waitFor(
        "nothing pending",
        async () => Number((await admin.xPending(STREAM, REDIS_DEFAULTS.group)).pending) === 0,
        30_000,
      );
    } finally {
      for (const s of servers) {
        if (s.exitCode !== null || s.signalCode !== null) continue;
        s.kill("SIGTERM");
        const timer = setTimeout(() => s.kill("SIGKILL"), 20_000);
        await once(s, "exit");
        clearTimeout(timer);
      }
    }
    assert.deepEqual(await tally(), {
      documents: DOCUMENTS,
      minute: DOCUMENTS,
      hour: DOCUMENTS,
      day: DOCUMENTS,
    });
  });
});
