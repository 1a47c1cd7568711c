/**
 * Listing runs: filters and sorts turned into one indexed query over the runs tables, a page
 * at a time, so that 10,000 runs list as fast as 10. Filters and sorts on parameters and
 * metrics name fields the store knows; an unknown one is refused (RUN_FIELD_UNKNOWN) rather
 * than silently matching nothing.
 */
import { TextkitError } from "../core/index.ts";
import type { Queryable, SqlValue } from "./driver.ts";
import { RUN_STATUSES, type RunDataFile, type RunStatus, type StoredRun } from "./run-schema.ts";

export const RUN_COLUMNS =
  "id, parent_id, family, task, name, command, argv, cwd, status, started_at, started_ms, finished_at, " +
  "seconds, heartbeat_ms, host, pid, textkit_version, git_commit, params, data, data_sources, artifact, error, final";

export interface RunRow {
  id: string;
  parent_id: string | null;
  family: string;
  task: string | null;
  name: string | null;
  command: string;
  argv: string | null;
  cwd: string | null;
  status: string;
  started_at: string;
  finished_at: string | null;
  seconds: number | null;
  host: string;
  pid: number;
  textkit_version: string;
  git_commit: string | null;
  params: string;
  data: string;
  artifact: string | null;
  error: string | null;
  final: string;
}

export const CONDITION_OPS = ["<=", ">=", "!=", "<", ">", "="] as const;
export type ConditionOp = (typeof CONDITION_OPS)[number];

/** A condition on a parameter (`params.lr`) or a metric (`metrics.dev.accuracy`, its best value; add `by: "last"`). */
export interface RunCondition {
  field: string;
  op: ConditionOp;
  value: string | number;
  by?: "best" | "last";
}

/** The fields a list can be sorted on besides `params.<name>` and `metrics.<name>`. */
export const RUN_SORT_FIELDS = ["started", "seconds", "family", "status", "name"] as const;

export interface RunQuery {
  family?: string | readonly string[];
  status?: RunStatus;
  /** Runs that read a data file whose path contains this. */
  data?: string;
  /** Runs that carry every one of these tags. */
  tags?: readonly string[];
  /** Runs whose id, name or command contains this. */
  search?: string;
  where?: readonly RunCondition[];
  /** Default: the newest first. For a metric, `by` picks its best (default) or last value. */
  sort?: { field: string; by?: "best" | "last"; order?: "asc" | "desc" };
  /** `null`: only runs without a parent; a string: the children of that run. */
  parentId?: string | null;
  /** Default 50, at most 1000. */
  limit?: number;
  offset?: number;
}

export interface RunList {
  runs: StoredRun[];
  /** How many runs match, over all pages. */
  total: number;
}

export const MAX_RUN_PAGE = 1000;

/**
 * Splits a condition written as on the command line: `params.lr>0.1`, `metrics.dev.f1>=0.8`,
 * `metrics.train.loss@last<0.3`, `params.loss=softmax`.
 *
 * @example
 * parseRunCondition("metrics.dev.accuracy>=0.9"); // { field: "metrics.dev.accuracy", op: ">=", value: 0.9, by: "best" }
 */
export function parseRunCondition(text: string): RunCondition {
  for (const op of CONDITION_OPS) {
    const at = text.indexOf(op);
    if (at <= 0) continue;
    let field = text.slice(0, at).trim();
    const raw = text.slice(at + op.length).trim();
    let by: "best" | "last" = "best";
    if (field.endsWith("@last")) {
      by = "last";
      field = field.slice(0, -5);
    } else if (field.endsWith("@best")) field = field.slice(0, -5);
    const number = Number(raw);
    const value = raw !== "" && Number.isFinite(number) ? number : raw;
    return { field, op, value, by };
  }
  throw new TextkitError(
    "RUN_FIELD_UNKNOWN",
    `cannot read the condition '${text}': write params.<name> or metrics.<name>, an operator (${CONDITION_OPS.join(" ")}) and a value, e.g. metrics.dev.accuracy>=0.9`,
    { details: { condition: text } },
  );
}

/** Splits `params.lr` / `metrics.dev.f1` into its kind and name, refusing anything else. */
function fieldKind(field: string): { kind: "params" | "metrics"; name: string } {
  const dot = field.indexOf(".");
  const kind = field.slice(0, dot);
  if (dot > 0 && (kind === "params" || kind === "metrics") && dot < field.length - 1) {
    return { kind, name: field.slice(dot + 1) };
  }
  throw new TextkitError(
    "RUN_FIELD_UNKNOWN",
    `unknown field '${field}': use params.<name>, metrics.<name> or one of ${RUN_SORT_FIELDS.join(", ")}`,
    { details: { field } },
  );
}

async function checkKnown(db: Queryable, kind: "params" | "metrics", name: string): Promise<void> {
  const table = kind === "params" ? "run_params" : "run_summary";
  const found = await db.query(`SELECT 1 AS one FROM ${table} WHERE name = ? LIMIT 1`, [name]);
  if (found.length > 0) return;
  const known = await db.query<{ name: string }>(`SELECT DISTINCT name FROM ${table} ORDER BY name LIMIT 40`);
  const list = known.map((k) => `${kind}.${k.name}`);
  throw new TextkitError(
    "RUN_FIELD_UNKNOWN",
    `no run has the field '${kind}.${name}'` +
      (list.length === 0 ? "" : `; the known ${kind} are: ${list.join(", ")}`),
    { details: { field: `${kind}.${name}`, known: list } },
  );
}

/**
 * The WHERE clause of a query, with its parameters; fields are checked against the store.
 * Conditions on params, metrics and tags are `r.id IN (subquery)` rather than correlated
 * EXISTS: the subquery walks the (name, value) index once instead of once per run.
 */
async function whereOf(db: Queryable, query: RunQuery): Promise<{ sql: string; params: SqlValue[] }> {
  const parts: string[] = [];
  const params: SqlValue[] = [];
  const families =
    query.family === undefined ? [] : typeof query.family === "string" ? [query.family] : query.family;
  if (families.length > 0) {
    parts.push(`r.family IN (${families.map(() => "?").join(", ")})`);
    params.push(...families);
  }
  if (query.status !== undefined) {
    if (!RUN_STATUSES.includes(query.status)) {
      throw new TextkitError(
        "RUN_FIELD_UNKNOWN",
        `unknown status '${query.status}': use ${RUN_STATUSES.join(", ")}`,
        {
          details: { field: "status", value: query.status },
        },
      );
    }
    parts.push("r.status = ?");
    params.push(query.status);
  }
  if (query.data !== undefined && query.data !== "") {
    parts.push("r.data_sources LIKE ?");
    params.push(`%${query.data}%`);
  }
  if (query.search !== undefined && query.search !== "") {
    parts.push("(r.id LIKE ? OR r.name LIKE ? OR r.command LIKE ?)");
    params.push(`%${query.search}%`, `%${query.search}%`, `%${query.search}%`);
  }
  if (query.parentId === null) parts.push("r.parent_id IS NULL");
  else if (query.parentId !== undefined) {
    parts.push("r.parent_id = ?");
    params.push(query.parentId);
  }
  for (const tag of query.tags ?? []) {
    parts.push("r.id IN (SELECT t.run_id FROM run_tags t WHERE t.tag = ?)");
    params.push(tag);
  }
  for (const condition of query.where ?? []) {
    const { kind, name } = fieldKind(condition.field);
    await checkKnown(db, kind, name);
    const numeric = typeof condition.value === "number";
    if (kind === "params") {
      const column = numeric ? "p.num" : "p.value";
      parts.push(
        `r.id IN (SELECT p.run_id FROM run_params p WHERE p.name = ? AND ${column} ${condition.op} ?)`,
      );
    } else {
      if (!numeric) {
        throw new TextkitError("RUN_FIELD_UNKNOWN", `metric ${name} is a number; compare it with a number`, {
          details: { field: condition.field, value: condition.value },
        });
      }
      const column = condition.by === "last" ? "m.last" : "m.best";
      parts.push(
        `r.id IN (SELECT m.run_id FROM run_summary m WHERE m.name = ? AND ${column} ${condition.op} ?)`,
      );
    }
    params.push(name, condition.value);
  }
  return { sql: parts.length === 0 ? "" : `WHERE ${parts.join(" AND ")}`, params };
}

/** The JOIN and ORDER BY of a sort. */
async function orderOf(
  db: Queryable,
  sort: RunQuery["sort"],
): Promise<{ join: string; joinParams: SqlValue[]; order: string }> {
  const field = sort?.field ?? "started";
  const plain: Record<string, string> = {
    started: "r.started_ms",
    seconds: "r.seconds",
    family: "r.family",
    status: "r.status",
    name: "r.name",
  };
  const column = plain[field];
  if (column !== undefined) {
    const order = sort?.order ?? (field === "started" || field === "seconds" ? "desc" : "asc");
    return { join: "", joinParams: [], order: `ORDER BY ${column} ${order}, r.started_ms DESC, r.id` };
  }
  const { kind, name } = fieldKind(field);
  await checkKnown(db, kind, name);
  if (kind === "params") {
    const order = sort?.order ?? "asc";
    return {
      join: "LEFT JOIN run_params sp ON sp.run_id = r.id AND sp.name = ?",
      joinParams: [name],
      order: `ORDER BY CASE WHEN sp.value IS NULL THEN 1 ELSE 0 END, sp.num ${order}, sp.value ${order}, r.started_ms DESC, r.id`,
    };
  }
  const value = sort?.by === "last" ? "ss.last" : "ss.best";
  const higher = await db.query<{ h: number }>(
    "SELECT higher_better AS h FROM run_summary WHERE name = ? LIMIT 1",
    [name],
  );
  const order = sort?.order ?? (Number(higher[0]?.h ?? 1) === 1 ? "desc" : "asc");
  return {
    join: "LEFT JOIN run_summary ss ON ss.run_id = r.id AND ss.name = ?",
    joinParams: [name],
    order: `ORDER BY CASE WHEN ${value} IS NULL THEN 1 ELSE 0 END, ${value} ${order}, r.started_ms DESC, r.id`,
  };
}

/** Runs matching `query`, one page, with the total count. */
export async function listRuns(db: Queryable, query: RunQuery): Promise<RunList> {
  const limit = Math.min(Math.max(Math.floor(query.limit ?? 50), 0), MAX_RUN_PAGE);
  const offset = Math.max(Math.floor(query.offset ?? 0), 0);
  const where = await whereOf(db, query);
  const { join, joinParams, order } = await orderOf(db, query.sort);
  const columns = RUN_COLUMNS.split(", ")
    .map((c) => `r.${c}`)
    .join(", ");
  // Counted apart: a window count over the page's query would read every matching row's
  // columns before the LIMIT, where COUNT(*) reads only an index.
  const rows = await db.query<RunRow>(
    `SELECT ${columns} FROM runs r ${join} ${where.sql} ${order} LIMIT ? OFFSET ?`,
    [...joinParams, ...where.params, limit, offset],
  );
  const counted = await db.query<{ n: number }>(
    `SELECT COUNT(*) AS n FROM runs r ${where.sql}`,
    where.params,
  );
  return { runs: await rowToRun(db, rows), total: Number(counted[0]?.n ?? 0) };
}

/** Rows of the runs table as runs, with their summaries and tags. */
export async function rowToRun(db: Queryable, rows: readonly RunRow[]): Promise<StoredRun[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const marks = ids.map(() => "?").join(", ");
  const summaries = await db.query<{
    run_id: string;
    name: string;
    last: number;
    best: number;
    best_step: number;
    higher_better: number;
  }>(
    `SELECT run_id, name, last, best, best_step, higher_better FROM run_summary WHERE run_id IN (${marks})`,
    ids,
  );
  const tags = await db.query<{ run_id: string; tag: string }>(
    `SELECT run_id, tag FROM run_tags WHERE run_id IN (${marks}) ORDER BY tag`,
    ids,
  );
  const runs = new Map<string, StoredRun>();
  for (const row of rows) {
    runs.set(row.id, {
      id: row.id,
      parentId: row.parent_id,
      family: row.family,
      task: row.task,
      name: row.name,
      command: row.command,
      argv: row.argv === null ? null : (JSON.parse(row.argv) as string[]),
      cwd: row.cwd,
      status: row.status as RunStatus,
      startedAt: row.started_at,
      finishedAt: row.finished_at,
      seconds: row.seconds === null ? null : Number(row.seconds),
      host: row.host,
      pid: Number(row.pid),
      textkitVersion: row.textkit_version,
      gitCommit: row.git_commit,
      params: JSON.parse(row.params) as Record<string, unknown>,
      data: JSON.parse(row.data) as RunDataFile[],
      tags: [],
      artifact: row.artifact,
      error: row.error,
      final: JSON.parse(row.final) as Record<string, unknown>,
      summary: {},
    });
  }
  for (const s of summaries) {
    const run = runs.get(s.run_id);
    if (run === undefined) continue;
    run.summary[s.name] = {
      last: Number(s.last),
      best: Number(s.best),
      bestStep: Number(s.best_step),
      higherIsBetter: Number(s.higher_better) === 1,
    };
  }
  for (const t of tags) runs.get(t.run_id)?.tags.push(t.tag);
  return [...runs.values()];
}
