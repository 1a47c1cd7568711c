/**
 * The runs store against both adapters: SQLite and a real PostgreSQL server.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { storeTargets } from "../../test/support/postgres.ts";
import { isTextkitError, type RunRecord, type TextkitError } from "../core/index.ts";
import { type Database, openDatabase } from "./database.ts";
import { RunStore, type RunStoreOptions } from "./runs.ts";
import { parseRunCondition } from "./runs-query.ts";

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<TextkitError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(isTextkitError(error), `expected a TextkitError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    return error;
  }
  assert.fail(`expected ${code}, but it resolved`);
}

function record(final: Record<string, unknown>, dev: number[]): RunRecord {
  return {
    runId: "r",
    family: "classifier",
    task: "multiclass",
    startedAt: "2026-12-07T00:00:00.000Z",
    finishedAt: "2026-12-07T00:00:01.000Z",
    seconds: 1,
    options: { lr: 0.1 },
    data: { train: { source: "a.csv", examples: 10, fingerprint: "f" } },
    epochs: dev.map((accuracy, i) => ({
      epoch: i + 1,
      trainLoss: 1 / (i + 1),
      dev: { accuracy },
      seconds: 0.1,
    })),
    stoppedEarly: false,
    bestEpoch: 1,
    final,
  };
}

for (const target of storeTargets()) {
  describe(`RunStore (${target.dialect})`, { skip: target.skip }, () => {
    before(() => target.setup());
    after(() => target.teardown());

    async function fresh(options: RunStoreOptions = {}): Promise<{ db: Database; runs: RunStore }> {
      const db = await openDatabase(await target.freshLocation());
      return { db, runs: await RunStore.open(db, { heartbeatMs: 0, ...options }) };
    }

    it("records a run from start to finish: params, epochs, best and last values, report", async () => {
      const { db, runs } = await fresh();
      try {
        const run = await runs.start({
          family: "classifier",
          command: "textkit classify train",
          argv: ["classify", "train"],
          params: { lr: 0.1, loss: "softmax", nested: { dim: 50 } },
          data: [{ role: "train", file: "data/a.csv", rows: 10, bytes: 99, sha256: "ab" }],
          tags: ["baseline", "baseline", "en"],
        });
        assert.equal((await runs.get(run.id)).status, "running");
        await run.finish({
          record: record(
            { dev: { accuracy: 0.8, report: { macro: { f1: 0.7 } } }, test: { accuracy: 0.75 } },
            [0.6, 0.9, 0.8],
          ),
          artifact: "models/a",
        });
        const got = await runs.get(run.id);
        assert.equal(got.status, "finished");
        assert.equal(got.task, "multiclass");
        assert.equal(got.artifact, "models/a");
        assert.deepEqual(got.params, { lr: 0.1, loss: "softmax", "nested.dim": 50 });
        assert.deepEqual(got.tags, ["baseline", "en"]);
        assert.equal(got.data[0]?.sha256, "ab");
        assert.deepEqual(got.summary["dev.accuracy"], {
          last: 0.8,
          best: 0.9,
          bestStep: 2,
          higherIsBetter: true,
        });
        assert.deepEqual(got.summary["train.loss"], {
          last: 1 / 3,
          best: 1 / 3,
          bestStep: 3,
          higherIsBetter: false,
        });
        assert.equal(got.summary["test.accuracy"]?.last, 0.75);
        assert.equal(got.summary["dev.report.macro.f1"], undefined);
        assert.ok(got.seconds !== null && got.seconds >= 0);
        assert.equal(got.textkitVersion.length > 0, true);
        const points = await runs.metrics(run.id);
        assert.deepEqual(
          points.filter((p) => p.name === "dev.accuracy").map((p) => p.value),
          [0.6, 0.9, 0.8],
        );
      } finally {
        await db.close();
      }
    });

    it("records epochs through training hooks as they happen, and failures with their message", async () => {
      const { db, runs } = await fresh();
      try {
        const run = await runs.start({ family: "mine", command: "api" });
        const seen: number[] = [];
        const hooks = run.hooks({ onEpochEnd: (s) => seen.push(s.epoch) });
        hooks.onEpochEnd?.({ epoch: 1, trainLoss: 2, seconds: 0.5, dev: { f1: 0.4 } });
        hooks.onEpochEnd?.({ epoch: 2, trainLoss: 1, seconds: 0.5, dev: { f1: 0.5 } });
        await run.fail(new Error("out of memory"));
        assert.deepEqual(seen, [1, 2]);
        const got = await runs.get(run.id);
        assert.equal(got.status, "failed");
        assert.equal(got.error, "out of memory");
        assert.equal(got.summary["dev.f1"]?.best, 0.5);
      } finally {
        await db.close();
      }
    });

    it("shows a run whose process died as killed, and one silent for too long too", async () => {
      let now = Date.parse("2026-12-07T10:00:00Z");
      const alive = new Set<number>([100]);
      const { db, runs: first } = await fresh({
        pid: 100,
        host: "h1",
        isAlive: (p) => alive.has(p),
        now: () => now,
      });
      try {
        const dying = await first.start({ family: "classifier", command: "x" });
        const elsewhere = await (
          await RunStore.open(db, { pid: 5, host: "h2", heartbeatMs: 0, now: () => now })
        ).start({ family: "classifier", command: "y" });
        assert.equal((await first.get(dying.id)).status, "running");
        alive.delete(100);
        const killed = await first.get(dying.id);
        assert.equal(killed.status, "killed");
        assert.match(killed.error ?? "", /process 100 on h1/);
        // Another host's run: its pid means nothing here; only its silence counts.
        assert.equal((await first.get(elsewhere.id)).status, "running");
        now += 16 * 60_000;
        assert.equal((await first.get(elsewhere.id)).status, "killed");
      } finally {
        await db.close();
      }
    });

    it("filters on family, data, tags, params and metrics, sorts by best or last, pages", async () => {
      const { db, runs } = await fresh();
      try {
        const ids: string[] = [];
        for (let i = 0; i < 6; i++) {
          const run = await runs.start({
            id: `run-${i}`,
            family: i < 4 ? "classifier" : "tagger",
            command: "c",
            params: { lr: i / 10, loss: i % 2 === 0 ? "softmax" : "ova" },
            data: [{ role: "train", file: i % 2 === 0 ? "data/news.csv" : "data/tweets.csv" }],
            tags: i === 1 ? ["keep"] : [],
          });
          // Best accuracy grows with i; the last value falls for even runs.
          await run.logMetrics(1, { "dev.accuracy": 0.5 + i / 20 });
          await run.logMetrics(2, { "dev.accuracy": i % 2 === 0 ? 0.1 : 0.5 + i / 20 });
          await run.finish();
          ids.push(run.id);
        }
        const family = await runs.list({ family: "tagger" });
        assert.deepEqual(family.runs.map((r) => r.id).sort(), ["run-4", "run-5"]);
        assert.equal(family.total, 2);
        assert.deepEqual((await runs.list({ data: "tweets" })).runs.map((r) => r.id).sort(), [
          "run-1",
          "run-3",
          "run-5",
        ]);
        assert.deepEqual(
          (await runs.list({ tags: ["keep"] })).runs.map((r) => r.id),
          ["run-1"],
        );
        const where = await runs.list({
          where: [parseRunCondition("params.lr>=0.3"), parseRunCondition("params.loss=ova")],
        });
        assert.deepEqual(where.runs.map((r) => r.id).sort(), ["run-3", "run-5"]);
        const metric = await runs.list({ where: [parseRunCondition("metrics.dev.accuracy@last<0.2")] });
        assert.deepEqual(metric.runs.map((r) => r.id).sort(), ["run-0", "run-2", "run-4"]);
        const best = await runs.list({ sort: { field: "metrics.dev.accuracy" } });
        assert.deepEqual(
          best.runs.map((r) => r.id),
          ["run-5", "run-4", "run-3", "run-2", "run-1", "run-0"],
        );
        const last = await runs.list({ sort: { field: "metrics.dev.accuracy", by: "last" }, limit: 2 });
        assert.deepEqual(
          last.runs.map((r) => r.id),
          ["run-5", "run-3"],
        );
        assert.equal(last.total, 6);
        const page = await runs.list({ sort: { field: "params.lr" }, limit: 2, offset: 2 });
        assert.deepEqual(
          page.runs.map((r) => r.id),
          ["run-2", "run-3"],
        );
        await rejectsWith(runs.list({ where: [parseRunCondition("params.nope>1")] }), "RUN_FIELD_UNKNOWN");
        await rejectsWith(runs.list({ sort: { field: "metrics.nope" } }), "RUN_FIELD_UNKNOWN");
        await rejectsWith(runs.list({ sort: { field: "colour" } }), "RUN_FIELD_UNKNOWN");
        assert.throws(
          () => parseRunCondition("lr"),
          (e: unknown) => isTextkitError(e) && e.code === "RUN_FIELD_UNKNOWN",
        );
      } finally {
        await db.close();
      }
    });

    it("keeps autotune trials as children of their search, and deletes them with it", async () => {
      const { db, runs } = await fresh();
      try {
        const parent = await runs.start({ family: "classifier", command: "autotune" });
        for (let i = 0; i < 3; i++) {
          const child = await runs.start({ family: "classifier", command: "trial", parentId: parent.id });
          await child.finish({ final: { score: i } });
        }
        await parent.finish();
        assert.equal((await runs.list({ parentId: parent.id })).total, 3);
        assert.equal((await runs.list({ parentId: null })).total, 1);
        const deleted = await runs.delete([parent.id]);
        assert.equal(deleted.length, 4);
        assert.equal((await runs.list()).total, 0);
        await rejectsWith(runs.get(parent.id), "RUN_NOT_FOUND");
        await rejectsWith(runs.delete(["missing"]), "RUN_NOT_FOUND");
      } finally {
        await db.close();
      }
    });

    it("refuses a runs schema written by a newer textkit", async () => {
      const location = await target.freshLocation();
      const db = await openDatabase(location);
      try {
        await RunStore.open(db);
        await db.run("INSERT INTO schema_migrations (name, version, applied_at) VALUES (?, ?, ?)", [
          "runs",
          99,
          "x",
        ]);
        await rejectsWith(RunStore.open(db), "STORE_SCHEMA_NEWER");
      } finally {
        await db.close();
      }
    });
  });
}
