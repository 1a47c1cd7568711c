/**
 * The plain types of the runs store and its tables. A run is one training: what was asked
 * (command, parameters, data), how it went (status, per-step metrics, heartbeat) and what it
 * left (final report, artifact). Numbers that runs are filtered and sorted on live in narrow
 * tables of their own (run_params, run_summary, run_tags) so that a list of 10,000 runs is
 * answered from indexes, not by parsing JSON.
 */
import type { RunRecord } from "../core/index.ts";

export const RUN_STATUSES = ["running", "finished", "failed", "killed"] as const;
/** `killed`: the process that ran it died (or stopped reporting) before it ended. */
export type RunStatus = (typeof RUN_STATUSES)[number];

/** One data file a run read, with what identifies its content. */
export interface RunDataFile {
  /** What the file was for: "train", "dev", "test", "input", "events", ... */
  role: string;
  /** The path as given. */
  file: string;
  /** Rows (examples) the trainer read from it, when known. */
  rows?: number;
  /** Size and SHA-256 of the file's bytes, when it is a file that could be read. */
  bytes?: number;
  sha256?: string;
  /** The trainer's own fingerprint of the parsed data (see RunRecord), when it has one. */
  fingerprint?: string;
}

/** What a run starts with. */
export interface RunStart {
  /** Default: a new random id. */
  id?: string;
  /** classifier, tagger, regressor, ... or a user's own name for theirs. */
  family: string;
  task?: string;
  /** A short name people know the run by: the model directory, say. */
  name?: string;
  /** How it was started: "textkit classify train --train a.csv ..." or "api". */
  command: string;
  /** The command line, when it came from one: what `runs retrain` runs again. */
  argv?: readonly string[];
  /** The working directory `argv` ran in. */
  cwd?: string;
  /** Every setting, defaults included; nested objects are flattened with dots for filters. */
  params?: Record<string, unknown>;
  data?: readonly RunDataFile[];
  tags?: readonly string[];
  /** The run this one belongs to (an autotune search, for its trials). */
  parentId?: string;
  gitCommit?: string | null;
}

/** A run as the store returns it. */
export interface StoredRun {
  id: string;
  parentId: string | null;
  family: string;
  task: string | null;
  name: string | null;
  command: string;
  argv: string[] | null;
  cwd: string | null;
  status: RunStatus;
  /** ISO 8601. */
  startedAt: string;
  finishedAt: string | null;
  seconds: number | null;
  host: string;
  pid: number;
  textkitVersion: string;
  gitCommit: string | null;
  params: Record<string, unknown>;
  data: RunDataFile[];
  tags: string[];
  /** What the run produced: a model directory or file. */
  artifact: string | null;
  /** Why it failed, when it did. */
  error: string | null;
  /** The final evaluation (reports per class or entity type, test metrics, ...). */
  final: Record<string, unknown>;
  /** Per metric: its last value, its best value and the step of the best. */
  summary: Record<string, MetricSummary>;
}

export interface MetricSummary {
  last: number;
  best: number;
  bestStep: number;
  /** True when a higher value is better (accuracy, F1); false for losses and errors. */
  higherIsBetter: boolean;
}

/** One value of one metric at one step (an epoch, a pass, a trial). */
export interface MetricPoint {
  step: number;
  name: string;
  value: number;
}

/** What a finished run adds. */
export interface RunFinish {
  /** The trainer's run record: its epochs become metrics, its `final` the report. */
  record?: RunRecord | null;
  /** Final values beside the record's (merged over them). */
  final?: Record<string, unknown>;
  artifact?: string;
  task?: string;
  /** Settings known only at the end (the trainer's resolved options), merged over the start's. */
  params?: Record<string, unknown>;
  /** How long the training took, when it ran before it was recorded (default: since `start`). */
  seconds?: number;
  /** The data files again, with what only the end knows (rows read, the trainer's fingerprint). */
  data?: readonly RunDataFile[];
  /** Tags known only at the end, added to the start's (e.g. `artifact:<manifest digest>`). */
  tags?: readonly string[];
}

/** The runs tables' migrations; append, never edit. */
export const RUN_MIGRATIONS = [
  `CREATE TABLE runs (
    id TEXT PRIMARY KEY,
    parent_id TEXT,
    family TEXT NOT NULL,
    task TEXT,
    name TEXT,
    command TEXT NOT NULL,
    argv TEXT,
    cwd TEXT,
    status TEXT NOT NULL,
    started_at TEXT NOT NULL,
    started_ms BIGINT NOT NULL,
    finished_at TEXT,
    seconds DOUBLE PRECISION,
    heartbeat_ms BIGINT NOT NULL,
    host TEXT NOT NULL,
    pid BIGINT NOT NULL,
    textkit_version TEXT NOT NULL,
    git_commit TEXT,
    params TEXT NOT NULL,
    data TEXT NOT NULL,
    data_sources TEXT NOT NULL,
    artifact TEXT,
    error TEXT,
    final TEXT NOT NULL
  );
  CREATE INDEX runs_started ON runs (started_ms);
  CREATE INDEX runs_family ON runs (family, started_ms);
  CREATE INDEX runs_status ON runs (status);
  CREATE INDEX runs_parent ON runs (parent_id);
  CREATE TABLE run_params (
    run_id TEXT NOT NULL,
    name TEXT NOT NULL,
    value TEXT NOT NULL,
    num DOUBLE PRECISION,
    PRIMARY KEY (run_id, name)
  );
  CREATE INDEX run_params_name ON run_params (name, num);
  CREATE INDEX run_params_value ON run_params (name, value);
  CREATE TABLE run_tags (run_id TEXT NOT NULL, tag TEXT NOT NULL, PRIMARY KEY (run_id, tag));
  CREATE INDEX run_tags_tag ON run_tags (tag);
  CREATE TABLE run_metrics (
    run_id TEXT NOT NULL,
    name TEXT NOT NULL,
    step BIGINT NOT NULL,
    value DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (run_id, name, step)
  );
  CREATE TABLE run_summary (
    run_id TEXT NOT NULL,
    name TEXT NOT NULL,
    last DOUBLE PRECISION NOT NULL,
    best DOUBLE PRECISION NOT NULL,
    best_step BIGINT NOT NULL,
    higher_better BIGINT NOT NULL,
    PRIMARY KEY (run_id, name)
  );
  CREATE INDEX run_summary_best ON run_summary (name, best);
  CREATE INDEX run_summary_last ON run_summary (name, last)`,
] as const;

/** Names of metrics where lower is better: losses, errors, inertia. */
const LOWER_IS_BETTER = /(loss|error|mse|rmse|mae|mape|inertia|perplexity|seconds|nll)$/i;

/**
 * True when a higher value of the metric `name` is better.
 *
 * @example
 * higherIsBetter("dev.accuracy"); // true
 * higherIsBetter("train.loss"); // false
 */
export function higherIsBetter(name: string): boolean {
  return !LOWER_IS_BETTER.test(name);
}

/**
 * Flattens nested plain objects into dotted names, keeping leaves (numbers, strings,
 * booleans, null, arrays as JSON). Used for parameters and for the final metrics.
 *
 * @example
 * flatten({ a: 1, b: { c: "x" } }); // { a: 1, "b.c": "x" }
 */
export function flatten(value: Record<string, unknown>, prefix = "", out: Record<string, unknown> = {}) {
  for (const [key, v] of Object.entries(value)) {
    const name = prefix === "" ? key : `${prefix}.${key}`;
    if (v !== null && typeof v === "object" && !Array.isArray(v)) {
      flatten(v as Record<string, unknown>, name, out);
    } else if (v !== undefined) {
      out[name] = v;
    }
  }
  return out;
}
