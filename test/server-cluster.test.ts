/**
 * The server under node:cluster, as a child process: a killed worker is replaced while the
 * server keeps answering, metrics cover all workers, and SIGTERM drains in-flight requests
 * before the process exits 0.
 */
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { restartDelayMs } from "../src/server/index.ts";
import { type ClusterProcess, predictWithRetry, startCluster } from "./server-cluster-process.ts";
import { tempDir, trainTopicModel, writeTestArtifact } from "./server-helpers.ts";

const root = tempDir("server-cluster");
const modelsDir = join(root.path, "models");
let cluster: ClusterProcess;

before(async () => {
  mkdirSync(modelsDir, { recursive: true });
  await (await trainTopicModel(1)).save(join(modelsDir, "topics", "v1"));
  await writeTestArtifact(join(modelsDir, "slow"), "test-slow", { delayMs: 1500 });
  await writeTestArtifact(join(modelsDir, "slowload"), "test-slow-load", { loadMs: 1500 });
  cluster = await startCluster(modelsDir, 2);
});

after(async () => {
  if (cluster !== undefined && cluster.child.exitCode === null && cluster.child.signalCode === null) {
    cluster.child.kill("SIGKILL");
  }
  root.remove();
});

describe("restartDelayMs", () => {
  it("replaces the first crash at once and backs off on a crash loop, up to 30 s", () => {
    assert.equal(restartDelayMs(1), 0);
    assert.equal(restartDelayMs(2), 500);
    assert.equal(restartDelayMs(3), 1000);
    assert.equal(restartDelayMs(50), 30_000);
  });
});

describe("cluster", () => {
  it("runs the requested number of workers, all answering", async () => {
    assert.equal(cluster.pids.length, 2);
    assert.equal(new Set(cluster.pids).size, 2);
    const res = await predictWithRetry(`${cluster.url}/v1/models/topics/predict`, { text: "goal" });
    assert.equal(res.status, 200);
  });

  it("replaces a killed worker and keeps answering meanwhile, the replacement only once its models are loaded", async () => {
    const victim = cluster.pids[0]!;
    process.kill(victim, "SIGKILL");
    let replacedAt: number | null = null;
    void cluster
      .waitFor((e) => e.type === "listening" && !cluster.pids.includes(e.pid!))
      .then(() => {
        replacedAt = Date.now();
      });
    // Until two seconds after the replacement listens, longer than "slowload" takes to load
    // (a worker that listened before loading would answer 503 for it meanwhile).
    const results: { status: number; retried: boolean; error?: string }[] = [];
    for (const deadline = Date.now() + 20_000; Date.now() < deadline; ) {
      if (replacedAt !== null && Date.now() > replacedAt + 2000) break;
      for (const model of ["topics", "slowload"]) {
        results.push(await predictWithRetry(`${cluster.url}/v1/models/${model}/predict`, { text: "goal" }));
      }
    }
    assert.ok(replacedAt !== null, "the killed worker was replaced");
    assert.ok(results.length >= 20);
    assert.deepEqual(
      results.filter((r) => r.status !== 200),
      [],
      "every request answered (a connection to the dead worker is retried once)",
    );
    const exit = await cluster.waitFor((e) => e.type === "worker-exit" && e.pid === victim);
    assert.equal(exit.signal, "SIGKILL");
    assert.equal(exit.restartInMs, 0);
    const replacement = await cluster.waitFor(
      (e) => e.type === "listening" && !cluster.pids.includes(e.pid!),
    );
    assert.ok(replacement.pid! > 0);
    for (let i = 0; i < 10; i++) {
      const r = await predictWithRetry(`${cluster.url}/v1/models/topics/predict`, { text: "rain" });
      assert.equal(r.status, 200);
    }
  });

  it("aggregates the metrics of every worker", async () => {
    // The minimum over workers: every worker loaded the three models before it listened.
    let text = "";
    for (const until = Date.now() + 15_000; Date.now() < until; await sleep(200)) {
      const res = await fetch(`${cluster.url}/metrics`);
      assert.equal(res.status, 200);
      text = await res.text();
      if (/^textkit_models_loaded 3$/m.test(text)) break;
    }
    assert.match(
      text,
      /^textkit_models_loaded 3$/m,
      "the minimum over workers: both loaded all three models",
    );
    const line = text
      .split("\n")
      .find((l) =>
        l.startsWith('http_requests_total{method="POST",route="/v1/models/:name/predict",status="200"}'),
      );
    assert.ok(line !== undefined, text.slice(0, 2000));
    // Requests made before the kill died with that worker's counters; those after remain.
    assert.ok(Number(line.split(" ").pop()) >= 10, line);
  });

  it("drains in-flight requests on SIGTERM, then exits 0", async () => {
    const slow = predictWithRetry(`${cluster.url}/v1/models/slow/predict`, { text: "take your time" });
    await sleep(400);
    const started = Date.now();
    cluster.child.kill("SIGTERM");
    const res = await slow;
    assert.equal(res.status, 200, res.error ?? cluster.output());
    assert.equal(res.retried, false, "the request in flight completed on its worker");
    const exit = await cluster.exited;
    assert.deepEqual(exit, { code: 0, signal: null }, cluster.output());
    assert.ok(Date.now() - started < 10_000, "it exits promptly once drained");
    await assert.rejects(fetch(`${cluster.url}/healthz`), "nothing listens any more");
  });
});
