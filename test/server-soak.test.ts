/**
 * Soak: 30 s of predictions at a fixed rate (200 a second, 6,000 requests) against a
 * 2-worker cluster on loopback, one worker killed half-way. Every request must end 2xx;
 * only those whose connection was on the killed worker may fail, and only with a connection
 * error, which one retry repairs.
 * TEXTKIT_SOAK_SECONDS and TEXTKIT_SOAK_RATE shorten or change it for a local run.
 */
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { type ClusterProcess, predictWithRetry, startCluster } from "./server-cluster-process.ts";
import { tempDir, trainTopicModel } from "./server-helpers.ts";
import { topicTexts } from "./support/topic-corpus.ts";

const SECONDS = Number(process.env["TEXTKIT_SOAK_SECONDS"] ?? 30);
const RATE = Number(process.env["TEXTKIT_SOAK_RATE"] ?? 200);
const TICK_MS = 10;

const root = tempDir("server-soak");
const modelsDir = join(root.path, "models");
let cluster: ClusterProcess;

before(async () => {
  mkdirSync(modelsDir, { recursive: true });
  await (await trainTopicModel(1)).save(join(modelsDir, "topics", "v1"));
  cluster = await startCluster(modelsDir, 2);
});

after(async () => {
  if (cluster !== undefined && cluster.child.exitCode === null && cluster.child.signalCode === null) {
    cluster.child.kill("SIGTERM");
    const force = setTimeout(() => cluster.child.kill("SIGKILL"), 15_000);
    const exit = await cluster.exited;
    clearTimeout(force);
    assert.deepEqual(exit, { code: 0, signal: null }, "the cluster drains and exits 0 after the soak");
  }
  root.remove();
});

describe("soak", { timeout: (SECONDS + 60) * 1000 }, () => {
  it(`${RATE} requests/s for ${SECONDS} s, one worker killed half-way: no 5xx, no failure after one retry`, async () => {
    const url = `${cluster.url}/v1/models/topics/predict`;
    const texts = topicTexts(64, 9).map((e) => e.text);
    const total = Math.round(SECONDS * RATE);
    const results: Promise<{ status: number; retried: boolean; error?: string }>[] = [];
    const victim = cluster.pids[0]!;
    let killed = false;
    const t0 = performance.now();
    // Issue requests on a fixed schedule, whatever the answers' latency (an open-loop load).
    while (results.length < total) {
      const elapsed = (performance.now() - t0) / 1000;
      const due = Math.min(total, Math.floor(elapsed * RATE));
      while (results.length < due) {
        const i = results.length;
        const body = i % 5 === 0 ? { inputs: texts.slice(0, 8), k: 2 } : { text: texts[i % texts.length]! };
        results.push(predictWithRetry(url, body));
      }
      if (!killed && elapsed >= SECONDS / 2) {
        process.kill(victim, "SIGKILL");
        killed = true;
      }
      await sleep(TICK_MS);
    }
    const settled = await Promise.all(results);
    const seconds = (performance.now() - t0) / 1000;

    assert.equal(settled.length, total);
    assert.ok(seconds < SECONDS + 30, `finished in ${seconds.toFixed(1)} s`);
    const byStatus = new Map<number, number>();
    for (const r of settled) byStatus.set(r.status, (byStatus.get(r.status) ?? 0) + 1);
    const summary = JSON.stringify(Object.fromEntries(byStatus));
    assert.equal(settled.filter((r) => r.status >= 500).length, 0, `no 5xx (statuses ${summary})`);
    const failed = settled.filter((r) => r.status !== 200);
    assert.deepEqual(
      failed.slice(0, 5),
      [],
      `every request answered 200 after at most one retry (statuses ${summary})`,
    );
    const retried = settled.filter((r) => r.retried).length;
    // Only connections on the killed worker may need a retry: a small share of all requests.
    assert.ok(retried <= Math.max(20, total * 0.01), `${retried} retries`);
    const exit = await cluster.waitFor((e) => e.type === "worker-exit" && e.pid === victim);
    assert.equal(exit.signal, "SIGKILL");
    await cluster.waitFor(
      (e) => e.type === "listening" && e.pid !== undefined && !cluster.pids.includes(e.pid),
    );
    process.stdout.write(
      `# soak: ${total} requests in ${seconds.toFixed(1)} s, statuses ${summary}, ${retried} retried after the kill\n`,
    );
  });
});
