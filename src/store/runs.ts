/**
 * The runs store: every training, textkit's own and a user's, as one row with its metrics per
 * step, its final report and its status. A run writes at its start, its epochs at most once a
 * second (batched, in the background) and at its finish, so recording never weighs on training.
 *
 * A run whose process died is not left "running": on every read, a running run whose process
 * is gone (same host, pid no longer alive) or that has not sent a heartbeat for `staleMs` is
 * marked `killed`.
 */
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { type EpochSummary, TEXTKIT_VERSION, TextkitError, type TrainHooks } from "../core/index.ts";
import type { Database } from "./database.ts";
import type { Queryable } from "./driver.ts";
import {
  flatten,
  higherIsBetter,
  type MetricPoint,
  type MetricSummary,
  RUN_MIGRATIONS,
  type RunFinish,
  type RunStart,
  type StoredRun,
} from "./run-schema.ts";
import { listRuns, RUN_COLUMNS, type RunList, type RunQuery, type RunRow, rowToRun } from "./runs-query.ts";

export interface RunStoreOptions {
  /** The clock, in milliseconds (tests set it). */
  now?: () => number;
  /** This machine's name, recorded with each run (default os.hostname()). */
  host?: string;
  /** This process's id (default process.pid). */
  pid?: number;
  /** Whether a process of this host is alive (default: signal 0). */
  isAlive?: (pid: number) => boolean;
  /** A running run silent for longer than this is killed (default 15 minutes). */
  staleMs?: number;
  /** How often a running handle refreshes its heartbeat (default 30 s; 0: never by itself). */
  heartbeatMs?: number;
}

const DEFAULT_STALE_MS = 15 * 60_000;
const DEFAULT_HEARTBEAT_MS = 30_000;
/**
 * Epochs reported through `hooks()` are written at most once a second (and at the end): one
 * transaction per short epoch was most of what recording cost a fast training
 * (bench:runs-cost), while curves a second late are as useful on the Runs page.
 */
const EPOCH_FLUSH_MS = 1000;

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return typeof error === "object" && error !== null && "code" in error && error.code === "EPERM";
  }
}

function json(value: unknown): string {
  return JSON.stringify(value ?? null);
}

/**
 * The runs of the application database.
 *
 * @example
 * const runs = await RunStore.open(await openDatabase("data/textkit.db"));
 * const run = await runs.start({ family: "mine", command: "api", params: { lr: 0.1 } });
 * await run.logMetrics(1, { "train.loss": 0.7, "dev.accuracy": 0.81 });
 * await run.finish({ final: { test: { accuracy: 0.8 } } });
 * (await runs.list({ family: "mine" })).runs[0].summary["dev.accuracy"].best; // 0.81
 */
export class RunStore {
  readonly db: Database;
  readonly host: string;
  readonly pid: number;
  private readonly now: () => number;
  private readonly isAlive: (pid: number) => boolean;
  private readonly staleMs: number;
  readonly heartbeatMs: number;

  private constructor(db: Database, options: RunStoreOptions) {
    this.db = db;
    this.now = options.now ?? Date.now;
    this.host = options.host ?? hostname();
    this.pid = options.pid ?? process.pid;
    this.isAlive = options.isAlive ?? processAlive;
    this.staleMs = options.staleMs ?? DEFAULT_STALE_MS;
    this.heartbeatMs = options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
  }

  /** Opens the store, creating or upgrading its tables (STORE_SCHEMA_NEWER for a newer textkit's). */
  static async open(db: Database, options: RunStoreOptions = {}): Promise<RunStore> {
    await db.migrate("runs", RUN_MIGRATIONS);
    return new RunStore(db, options);
  }

  /** Records the start of a run (status running) and returns its handle. */
  async start(spec: RunStart): Promise<RunHandle> {
    const id = spec.id ?? randomUUID();
    const now = this.now();
    const params = flatten(spec.params ?? {});
    const data = spec.data ?? [];
    await this.db.transaction(async (tx) => {
      await tx.run(
        `INSERT INTO runs (${RUN_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          id,
          spec.parentId ?? null,
          spec.family,
          spec.task ?? null,
          spec.name ?? null,
          spec.command,
          spec.argv === undefined ? null : json(spec.argv),
          spec.cwd ?? null,
          "running",
          new Date(now).toISOString(),
          now,
          null,
          null,
          now,
          this.host,
          this.pid,
          TEXTKIT_VERSION,
          spec.gitCommit ?? null,
          json(params),
          json(data),
          data.map((d) => d.file).join("\n"),
          null,
          null,
          "{}",
        ],
      );
      await writeParams(tx, id, params);
      for (const tag of new Set(spec.tags ?? [])) {
        await tx.run("INSERT INTO run_tags (run_id, tag) VALUES (?, ?)", [id, tag]);
      }
    });
    return new RunHandle(this, id, now);
  }

  /** One run, with a dead process's run marked killed; RUN_NOT_FOUND when there is none. */
  async get(id: string): Promise<StoredRun> {
    await this.reap();
    const rows = await this.db.query<RunRow>(`SELECT ${RUN_COLUMNS} FROM runs WHERE id = ?`, [id]);
    const row = rows[0];
    if (row === undefined) {
      throw new TextkitError("RUN_NOT_FOUND", `there is no run '${id}'`, { details: { id } });
    }
    const [run] = await rowToRun(this.db, [row]);
    return run!;
  }

  /**
   * The id of the run `idOrPrefix` names: an exact id, the start of exactly one (4
   * characters at least, as `runs list` prints 8), or the name of a run (its model
   * directory), for the newest such run. RUN_NOT_FOUND for none or several.
   */
  async resolve(idOrPrefix: string): Promise<string> {
    const exact = await this.db.query<{ id: string }>("SELECT id FROM runs WHERE id = ?", [idOrPrefix]);
    if (exact[0] !== undefined) return exact[0].id;
    const escaped = idOrPrefix.replace(/[\\%_]/g, (c) => `\\${c}`);
    const found =
      idOrPrefix.length < 4
        ? []
        : await this.db.query<{ id: string }>(
            "SELECT id FROM runs WHERE id LIKE ? ESCAPE '\\' ORDER BY id LIMIT 3",
            [`${escaped}%`],
          );
    if (found.length === 1) return found[0]!.id;
    if (found.length === 0) {
      const named = await this.db.query<{ id: string }>(
        "SELECT id FROM runs WHERE name = ? AND parent_id IS NULL ORDER BY started_ms DESC LIMIT 1",
        [idOrPrefix],
      );
      if (named[0] !== undefined) return named[0].id;
    }
    throw new TextkitError(
      "RUN_NOT_FOUND",
      found.length === 0
        ? `there is no run '${idOrPrefix}'`
        : `'${idOrPrefix}' starts several runs (${found.map((f) => f.id).join(", ")}...); give more of the id`,
      { details: { id: idOrPrefix } },
    );
  }

  /** Runs matching `query`, a page at a time (see RunQuery). */
  async list(query: RunQuery = {}): Promise<RunList> {
    await this.reap();
    return listRuns(this.db, query);
  }

  /** Every value of every metric of a run, by step. */
  async metrics(id: string): Promise<MetricPoint[]> {
    const rows = await this.db.query<{ name: string; step: number; value: number }>(
      "SELECT name, step, value FROM run_metrics WHERE run_id = ? ORDER BY name, step",
      [id],
    );
    return rows.map((r) => ({ name: r.name, step: Number(r.step), value: Number(r.value) }));
  }

  /** Deletes runs and their children; returns the ids deleted (RUN_NOT_FOUND for an unknown one). */
  async delete(ids: readonly string[]): Promise<string[]> {
    const deleted: string[] = [];
    await this.db.transaction(async (tx) => {
      const queue = [...ids];
      for (const id of ids) {
        const found = await tx.query("SELECT id FROM runs WHERE id = ?", [id]);
        if (found.length === 0) {
          throw new TextkitError("RUN_NOT_FOUND", `there is no run '${id}'; nothing was deleted`, {
            details: { id },
          });
        }
      }
      while (queue.length > 0) {
        const id = queue.shift()!;
        if (deleted.includes(id)) continue;
        const children = await tx.query<{ id: string }>("SELECT id FROM runs WHERE parent_id = ?", [id]);
        queue.push(...children.map((c) => c.id));
        for (const table of ["run_params", "run_tags", "run_metrics", "run_summary"]) {
          await tx.run(`DELETE FROM ${table} WHERE run_id = ?`, [id]);
        }
        await tx.run("DELETE FROM runs WHERE id = ?", [id]);
        deleted.push(id);
      }
    });
    return deleted;
  }

  /** Marks killed the running runs whose process is gone or silent; returns how many. */
  async reap(): Promise<number> {
    const running = await this.db.query<{ id: string; host: string; pid: number; heartbeat_ms: number }>(
      "SELECT id, host, pid, heartbeat_ms FROM runs WHERE status = 'running'",
    );
    const now = this.now();
    let killed = 0;
    for (const run of running) {
      const gone = run.host === this.host && !this.isAlive(Number(run.pid));
      const silent = now - Number(run.heartbeat_ms) > this.staleMs;
      if (!gone && !silent) continue;
      const result = await this.db.run(
        "UPDATE runs SET status = 'killed', finished_at = ?, error = ? WHERE id = ? AND status = 'running'",
        [
          new Date(now).toISOString(),
          gone ? `process ${run.pid} on ${run.host} ended without finishing the run` : "no heartbeat",
          run.id,
        ],
      );
      killed += result.changes;
    }
    return killed;
  }

  /** @internal The clock, for handles. */
  clock(): number {
    return this.now();
  }
}

async function writeParams(tx: Queryable, id: string, params: Record<string, unknown>): Promise<void> {
  for (const [name, value] of Object.entries(params)) {
    const text = typeof value === "string" ? value : json(value);
    const num =
      typeof value === "number" && Number.isFinite(value)
        ? value
        : typeof value === "boolean"
          ? Number(value)
          : null;
    await tx.run("INSERT INTO run_params (run_id, name, value, num) VALUES (?, ?, ?, ?)", [
      id,
      name,
      text,
      num,
    ]);
  }
}

/** Numeric leaves of a final report, outside its per-class tables. */
function finalMetrics(final: Record<string, unknown>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, value] of Object.entries(flatten(final))) {
    if (typeof value !== "number" || !Number.isFinite(value)) continue;
    if (/(^|\.)(report|autotune|dataDefaults|labels|calibration)(\.|$)/.test(name)) continue;
    out[name] = value;
  }
  return out;
}

/** An epoch's values under the names the store keeps: train.loss, train.seconds, dev.<metric>. */
function epochMetrics(summary: EpochSummary): Record<string, number> {
  const metrics: Record<string, number> = {
    "train.loss": summary.trainLoss,
    "train.seconds": summary.seconds,
  };
  for (const [name, value] of Object.entries(summary.dev ?? {})) metrics[`dev.${name}`] = value;
  return metrics;
}

/**
 * One running run: log metrics and reports, then finish or fail it. Calls made from training
 * hooks (which cannot wait) are queued in order; `finish` and `fail` wait for the queue.
 */
export class RunHandle {
  private readonly summary = new Map<string, MetricSummary>();
  /** Epochs from `hooks()` not written yet, and when they last were. */
  private pending: { step: number; metrics: Record<string, number> }[] = [];
  private lastFlush = Number.NEGATIVE_INFINITY;
  private queue: Promise<void> = Promise.resolve();
  private queueError: unknown = undefined;
  private ended = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: RunStore,
    readonly id: string,
    private readonly startedMs: number,
  ) {
    if (store.heartbeatMs > 0) {
      this.timer = setInterval(() => this.enqueue(() => this.beat()), store.heartbeatMs);
      this.timer.unref();
    }
  }

  /** Records metric values at one step (an epoch); the summary keeps the last and the best. */
  async logMetrics(step: number, metrics: Record<string, number>): Promise<void> {
    await this.logSteps([{ step, metrics }]);
  }

  /** Records the metrics of several steps in one transaction (a finished trainer's epochs). */
  async logSteps(steps: readonly { step: number; metrics: Record<string, number> }[]): Promise<void> {
    if (steps.length === 0) return;
    const now = this.store.clock();
    await this.store.db.transaction(async (tx) => {
      for (const { step, metrics } of steps) {
        for (const [name, value] of Object.entries(metrics)) {
          if (!Number.isFinite(value)) continue;
          await tx.run(
            "INSERT INTO run_metrics (run_id, name, step, value) VALUES (?, ?, ?, ?) " +
              "ON CONFLICT (run_id, name, step) DO UPDATE SET value = excluded.value",
            [this.id, name, step, value],
          );
          await this.updateSummary(tx, name, step, value);
        }
      }
      await tx.run("UPDATE runs SET heartbeat_ms = ? WHERE id = ?", [now, this.id]);
    });
  }

  /** Records an epoch as the trainers report it: train.loss and dev.<metric>. */
  logEpoch(summary: EpochSummary): Promise<void> {
    return this.logMetrics(summary.epoch, epochMetrics(summary));
  }

  /** Adds a named report (e.g. "test") to the run's final results, merged over what is there. */
  async logReport(name: string, report: unknown): Promise<void> {
    await this.store.db.transaction(async (tx) => {
      const rows = await tx.query<{ final: string }>("SELECT final FROM runs WHERE id = ?", [this.id]);
      const final = JSON.parse(rows[0]?.final ?? "{}") as Record<string, unknown>;
      final[name] = report;
      await tx.run("UPDATE runs SET final = ? WHERE id = ?", [json(final), this.id]);
    });
  }

  /**
   * Hooks to hand a trainer: each epoch is recorded (in the background, in order), and
   * `inner`'s hooks still run.
   */
  hooks(inner: TrainHooks = {}): TrainHooks {
    return {
      ...inner,
      onEpochEnd: (summary) => {
        inner.onEpochEnd?.(summary);
        this.pending.push({ step: summary.epoch, metrics: epochMetrics(summary) });
        if (performance.now() - this.lastFlush >= EPOCH_FLUSH_MS) this.flushEpochs();
      },
    };
  }

  /** Ends the run as finished, with the trainer's record and what it produced. */
  async finish(result: RunFinish = {}): Promise<void> {
    this.flushEpochs();
    await this.drain();
    const record = result.record ?? null;
    if (record !== null) {
      await this.logSteps(record.epochs.map((e) => ({ step: e.epoch, metrics: epochMetrics(e) })));
    }
    const final = { ...(record?.final ?? {}), ...(result.final ?? {}) };
    const now = this.store.clock();
    await this.store.db.transaction(async (tx) => {
      const rows = await tx.query<{ final: string }>("SELECT final FROM runs WHERE id = ?", [this.id]);
      const merged = { ...(JSON.parse(rows[0]?.final ?? "{}") as Record<string, unknown>), ...final };
      if (result.params !== undefined) await this.mergeParams(tx, flatten(result.params));
      if (result.data !== undefined) {
        await tx.run("UPDATE runs SET data = ?, data_sources = ? WHERE id = ?", [
          json(result.data),
          result.data.map((d) => d.file).join("\n"),
          this.id,
        ]);
      }
      for (const tag of new Set(result.tags ?? [])) {
        await tx.run(
          "INSERT INTO run_tags (run_id, tag) VALUES (?, ?) ON CONFLICT (run_id, tag) DO NOTHING",
          [this.id, tag],
        );
      }
      for (const [name, value] of Object.entries(finalMetrics(merged))) {
        if (!this.summary.has(name)) await this.updateSummary(tx, name, -1, value);
      }
      await tx.run(
        "UPDATE runs SET status = 'finished', finished_at = ?, seconds = ?, heartbeat_ms = ?, final = ?, " +
          "artifact = COALESCE(?, artifact), task = COALESCE(?, task) WHERE id = ?",
        [
          new Date(now).toISOString(),
          result.seconds ?? (now - this.startedMs) / 1000,
          now,
          json(merged),
          result.artifact ?? null,
          result.task ?? record?.task ?? null,
          this.id,
        ],
      );
    });
    this.end();
  }

  /** Ends the run as failed, with the error's message. */
  async fail(error: unknown): Promise<void> {
    this.flushEpochs();
    await this.drain().catch(() => undefined);
    const now = this.store.clock();
    const message = error instanceof Error ? error.message : String(error);
    await this.store.db.run(
      "UPDATE runs SET status = 'failed', finished_at = ?, seconds = ?, error = ? WHERE id = ?",
      [new Date(now).toISOString(), (now - this.startedMs) / 1000, message, this.id],
    );
    this.end();
  }

  /** Stops the heartbeat without ending the run (the store will call it killed). */
  abandon(): void {
    this.end();
  }
  private end(): void {
    this.ended = true;
    if (this.timer !== undefined) clearInterval(this.timer);
  }

  private async mergeParams(tx: Queryable, params: Record<string, unknown>): Promise<void> {
    const rows = await tx.query<{ params: string }>("SELECT params FROM runs WHERE id = ?", [this.id]);
    const merged = { ...(JSON.parse(rows[0]?.params ?? "{}") as Record<string, unknown>), ...params };
    await tx.run("DELETE FROM run_params WHERE run_id = ?", [this.id]);
    await writeParams(tx, this.id, merged);
    await tx.run("UPDATE runs SET params = ? WHERE id = ?", [json(merged), this.id]);
  }

  private async beat(): Promise<void> {
    await this.store.db.run("UPDATE runs SET heartbeat_ms = ? WHERE id = ?", [this.store.clock(), this.id]);
  }

  /** Writes the epochs `hooks()` has kept, in the background, in order. */
  private flushEpochs(): void {
    if (this.pending.length === 0) return;
    const steps = this.pending;
    this.pending = [];
    this.lastFlush = performance.now();
    this.enqueue(() => this.logSteps(steps));
  }

  private enqueue(op: () => Promise<void>): void {
    if (this.ended) return;
    this.queue = this.queue.then(op).catch((error: unknown) => {
      this.queueError ??= error;
    });
  }

  private async drain(): Promise<void> {
    await this.queue;
    if (this.queueError !== undefined) throw this.queueError;
  }

  private async updateSummary(tx: Queryable, name: string, step: number, value: number): Promise<void> {
    const higher = higherIsBetter(name);
    const old = this.summary.get(name);
    const better = old === undefined || (higher ? value > old.best : value < old.best);
    const next: MetricSummary = {
      last: value,
      best: better ? value : old.best,
      bestStep: better ? step : old.bestStep,
      higherIsBetter: higher,
    };
    this.summary.set(name, next);
    await tx.run(
      "INSERT INTO run_summary (run_id, name, last, best, best_step, higher_better) VALUES (?, ?, ?, ?, ?, ?) " +
        "ON CONFLICT (run_id, name) DO UPDATE SET last = excluded.last, best = excluded.best, best_step = excluded.best_step",
      [this.id, name, next.last, next.best, next.bestStep, higher ? 1 : 0],
    );
  }
}
