/**
 * `textkit runs list|show|compare|export|delete|retrain`: the training runs recorded in the
 * runs database (--runs-db, $TEXTKIT_RUNS_DB, else the database `textkit serve` uses).
 */
import { existsSync } from "node:fs";
import type { Command } from "commander";
import { Option } from "commander";
import { TextkitError, writeFileAtomic } from "../core/index.ts";
import {
  compareRuns,
  isPostgresUrl,
  openDatabase,
  parseRunCondition,
  RUN_STATUSES,
  type RunCondition,
  type RunQuery,
  type RunStatus,
  RunStore,
} from "../store/index.ts";
import { type CliIo, writeAll } from "./io.ts";
import { parseInteger } from "./parse-options.ts";
import { type RunsDbFlags, runsDatabaseLocation } from "./run-tracking.ts";
import { defaultColumns, formatComparison, formatRun, formatRunList, runsCsv } from "./runs-format.ts";
import { type RunMain, retrainRun } from "./runs-retrain.ts";
import { writeTensorboardDir } from "./runs-tensorboard.ts";

type ExportFlags = ListFlags & { out: string; format: "csv" | "json" | "tensorboard" };

interface ListFlags {
  family?: string[];
  status?: RunStatus;
  data?: string;
  tag?: string[];
  where?: RunCondition[];
  search?: string;
  sort?: string;
  by?: "best" | "last";
  order?: "asc" | "desc";
  limit: number;
  offset: number;
  topLevel?: boolean;
  columns?: string;
  json?: boolean;
}

function collect<T>(parse: (value: string) => T) {
  return (value: string, previous: T[] | undefined): T[] => [...(previous ?? []), parse(value)];
}

/** The runs database of this invocation; RUN_NOT_FOUND-free: a missing SQLite file means no runs. */
function locationOf(command: Command, io: CliIo): string {
  const location = runsDatabaseLocation(command.optsWithGlobals<RunsDbFlags>(), io.env);
  if (location === null) {
    throw new TextkitError(
      "OPTION_INVALID",
      "recording of runs is off (--no-runs or TEXTKIT_RUNS_DB=off); give --runs-db",
    );
  }
  return location;
}

function noDatabase(location: string): boolean {
  return !isPostgresUrl(location) && location !== ":memory:" && !existsSync(location);
}

async function withRuns<T>(
  command: Command,
  io: CliIo,
  fn: (store: RunStore, location: string) => Promise<T>,
): Promise<T> {
  const location = locationOf(command, io);
  const db = await openDatabase(location);
  try {
    return await fn(await RunStore.open(db), location);
  } finally {
    await db.close();
  }
}

function addFilters(command: Command): Command {
  return command
    .option("--family <name>", "only runs of this family (repeat for several)", collect(String))
    .addOption(new Option("--status <status>", "only runs in this state").choices(RUN_STATUSES))
    .option("--data <text>", "only runs that read a data file whose path contains this")
    .option("--tag <tag>", "only runs with this tag (repeat: all of them)", collect(String))
    .option(
      "--where <condition>",
      "params.<name> or metrics.<name> compared with a value, e.g. 'params.lr>=0.5' or 'metrics.dev.accuracy>0.9' (a metric's best; add @last for its last value); repeat for several",
      collect(parseRunCondition),
    )
    .option("--search <text>", "only runs whose id, name or command contains this")
    .option(
      "--sort <field>",
      "started (default), seconds, family, status, name, params.<name> or metrics.<name>",
    )
    .addOption(
      new Option("--by <value>", "for a metric: sort on its best or its last value")
        .choices(["best", "last"])
        .default("best"),
    )
    .addOption(
      new Option("--order <order>", "default: newest first, best first for a metric").choices([
        "asc",
        "desc",
      ]),
    )
    .option("--top-level", "leave out child runs (autotune trials, the models of a demo)");
}

function queryOf(flags: ListFlags): RunQuery {
  return {
    ...(flags.family === undefined ? {} : { family: flags.family }),
    ...(flags.status === undefined ? {} : { status: flags.status }),
    ...(flags.data === undefined ? {} : { data: flags.data }),
    ...(flags.tag === undefined ? {} : { tags: flags.tag }),
    ...(flags.where === undefined ? {} : { where: flags.where }),
    ...(flags.search === undefined ? {} : { search: flags.search }),
    ...(flags.sort === undefined
      ? {}
      : {
          sort: {
            field: flags.sort,
            by: flags.by ?? "best",
            ...(flags.order === undefined ? {} : { order: flags.order }),
          },
        }),
    ...(flags.topLevel === true ? { parentId: null } : {}),
    limit: flags.limit,
    offset: flags.offset,
  };
}

function registerList(runs: Command, io: CliIo): void {
  addFilters(runs.command("list").summary("list runs: filter, sort by a metric's best or last value"))
    .option("--limit <n>", "runs per page (at most 1000)", parseInteger("--limit", 1), 50)
    .option("--offset <n>", "runs to skip", parseInteger("--offset", 0), 0)
    .option(
      "--columns <metrics>",
      "comma-separated metrics to show (default: the dev and test scores most runs have)",
    )
    .option("--json", "print { runs, total } as JSON")
    .action(async (flags: ListFlags, self: Command) => {
      const location = locationOf(self, io);
      if (noDatabase(location)) {
        if (flags.json === true)
          await writeAll(io.stdout, `${JSON.stringify({ runs: [], total: 0 }, null, 2)}\n`);
        else io.stderr.write(`no runs recorded yet at ${location}\n`);
        return;
      }
      const list = await withRuns(self, io, (store) => store.list(queryOf(flags)));
      if (flags.json === true) {
        await writeAll(io.stdout, `${JSON.stringify(list, null, 2)}\n`);
        return;
      }
      if (list.runs.length === 0) {
        io.stderr.write(
          list.total === 0 ? "no runs match\n" : `no runs on this page (${list.total} match)\n`,
        );
        return;
      }
      const columns =
        flags.columns === undefined
          ? defaultColumns(list.runs)
          : flags.columns.split(",").filter((c) => c !== "");
      await writeAll(io.stdout, formatRunList(list.runs, list.total, columns));
    });
}

function registerShowCompare(runs: Command, io: CliIo): void {
  runs
    .command("show")
    .summary("one run: command, data with hashes, parameters, metrics, curves")
    .argument("<id>", "a run id, or its first characters as 'runs list' prints them")
    .option("--json", "print the run and its metric points as JSON")
    .action(async (id: string, flags: { json?: boolean }, self: Command) => {
      const { run, points } = await withRuns(self, io, async (store) => {
        const found = await store.get(await store.resolve(id));
        return { run: found, points: await store.metrics(found.id) };
      });
      const text =
        flags.json === true
          ? `${JSON.stringify({ run, metrics: points }, null, 2)}\n`
          : formatRun(run, points);
      await writeAll(io.stdout, text);
    });
  runs
    .command("compare")
    .summary("compare runs: parameters that differ, metric changes, F1 per class")
    .argument("<ids...>", "two runs or more of one family; changes are against the first")
    .option("--all", "list every parameter, not only those that differ")
    .option("--json", "print the comparison as JSON")
    .action(async (ids: string[], flags: { all?: boolean; json?: boolean }, self: Command) => {
      const comparison = await withRuns(self, io, async (store) => {
        const found = [];
        for (const id of ids) found.push(await store.get(await store.resolve(id)));
        return compareRuns(found, flags.all === true);
      });
      const text =
        flags.json === true ? `${JSON.stringify(comparison, null, 2)}\n` : formatComparison(comparison);
      await writeAll(io.stdout, text);
    });
}

function registerExportDelete(runs: Command, io: CliIo): void {
  addFilters(runs.command("export").summary("write runs to a CSV or JSON file, or TensorBoard event files"))
    .argument("[ids...]", "these runs (default: every run the filters match)")
    .requiredOption(
      "--out <path>",
      "file to write (a directory for tensorboard); one that exists is refused, never overwritten",
    )
    .addOption(
      new Option(
        "--format <format>",
        "csv: a row per run; json: runs with their metric points; tensorboard: a log directory, a folder per run",
      )
        .choices(["csv", "json", "tensorboard"])
        .default("csv"),
    )
    .action(async (ids: string[], flags: ExportFlags, self: Command) => {
      if (existsSync(flags.out)) {
        throw new TextkitError(
          "RUN_EXPORT_EXISTS",
          `${flags.out} exists already; runs export never overwrites it`,
          {
            file: flags.out,
          },
        );
      }
      await withRuns(self, io, async (store) => {
        const chosen = [];
        if (ids.length > 0) {
          for (const id of ids) chosen.push(await store.get(await store.resolve(id)));
        } else {
          for (let offset = 0; ; offset += 1000) {
            const page = await store.list({ ...queryOf({ ...flags, limit: 1000, offset }) });
            chosen.push(...page.runs);
            if (page.runs.length < 1000) break;
          }
        }
        if (flags.format === "csv") return writeFileAtomic(flags.out, runsCsv(chosen));
        const full = [];
        for (const run of chosen) full.push({ ...run, metrics: await store.metrics(run.id) });
        if (flags.format === "json") return writeFileAtomic(flags.out, `${JSON.stringify(full, null, 2)}\n`);
        const names = await writeTensorboardDir(
          flags.out,
          full.map((r) => ({ id: r.id, family: r.family, startedAt: r.startedAt, points: r.metrics })),
        );
        io.stderr.write(
          `${names.length} run${names.length === 1 ? "" : "s"}: tensorboard --logdir ${flags.out}\n`,
        );
      });
      io.stderr.write(`wrote ${flags.out}\n`);
    });
  runs
    .command("delete")
    .summary("delete runs (and their child runs)")
    .argument("<ids...>", "runs to delete")
    .action(async (ids: string[], _flags: unknown, self: Command) => {
      const deleted = await withRuns(self, io, async (store) => {
        const resolved = [];
        for (const id of ids) resolved.push(await store.resolve(id));
        return store.delete(resolved);
      });
      await writeAll(
        io.stdout,
        `deleted ${deleted.length} run${deleted.length === 1 ? "" : "s"}: ${deleted.join(", ")}\n`,
      );
    });
}

/**
 * `textkit runs`.
 *
 * @example
 * registerRuns(program, io, main);
 */
export function registerRuns(program: Command, io: CliIo, main: RunMain): Command {
  const runs = program
    .command("runs")
    .summary("list, compare, export and repeat recorded training runs")
    .description(
      "Training runs: every training command records one (its command, data with SHA-256, " +
        "parameters, metrics per epoch, final report) in the runs database: --runs-db, else " +
        "$TEXTKIT_RUNS_DB, else <data-dir>/textkit.db, the database 'textkit serve' shows on its Runs page.",
    );
  registerList(runs, io);
  registerShowCompare(runs, io);
  registerExportDelete(runs, io);
  runs
    .command("retrain")
    .summary("train again from a run's record: same data and parameters, same model bytes")
    .argument("<id>", "the run to repeat")
    .option(
      "--out <path>",
      "where the new model goes (required when the run wrote one; never the run's own output)",
    )
    .option("--json", "print the outcome as JSON")
    .action(async (id: string, flags: { out?: string; json?: boolean }, self: Command) => {
      const location = locationOf(self, io);
      await retrainRun(location, id, flags, io, main);
    });
  return runs;
}
