/**
 * Every training command records its run here, in one place, so that no trainer has to know
 * about the runs store: `main` starts a run before a training command's action (status
 * running, its flags, the SHA-256 of every data file it names) and ends it afterwards from the
 * run.json files the command left in its output (epochs, resolved options, final report), or
 * marks it failed. A nested run.json (an assistant's intent classifier, the demo's models)
 * becomes a child run; so does each autotune trial.
 *
 * Recording never fails a training: a store that cannot be opened or written is reported on
 * stderr as a warning and the command goes on.
 */
import { createHash } from "node:crypto";
import { createReadStream, existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { hostname } from "node:os";
import { dirname, join, resolve } from "node:path";
import type { Command } from "commander";
import type { RunRecord } from "../core/index.ts";
import { type Database, openDatabase, type RunDataFile, type RunHandle, RunStore } from "../store/index.ts";
import type { CliIo } from "./io.ts";
import { keysDatabaseLocation } from "./keys.ts";

/**
 * `artifact:<digest>` for the model a run produced: the manifest's digest names the artifact
 * wherever it is copied (a served model's versions folder), so the Models page finds the run
 * that made each version with `GET /v1/runs?tag=artifact:<digest>`.
 */
function artifactTags(dir: string): string[] {
  try {
    const manifest: unknown = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8"));
    if (typeof manifest === "object" && manifest !== null && "digest" in manifest) {
      const digest = manifest.digest;
      if (typeof digest === "string" && /^[0-9a-f]{16,128}$/.test(digest)) return [`artifact:${digest}`];
    }
  } catch {
    // No manifest (a folder of several models, or none written): nothing to tag.
  }
  return [];
}

/** The commands that train, with the family of what they make. */
export const TRAINING_COMMANDS: Readonly<Record<string, string>> = {
  "classify train": "classifier",
  "classify autotune": "classifier",
  "tag train": "tagger",
  "regress train": "regressor",
  forecast: "forecast",
  cluster: "cluster",
  "recommend train": "recommender",
  "vectors train": "vectors",
  "assist train": "assistant",
  "assist retrain": "assistant",
  demo: "demo",
};

/** Options that say how to print, not how to train: kept out of a run's parameters. */
const NOT_PARAMS = new Set(["json", "quiet", "out", "serve", "port", "runs", "runsDb"]);

/** Environment variable with the runs database, or `off`. */
export const RUNS_DB_ENV = "TEXTKIT_RUNS_DB";

/** The root options that choose where runs are recorded. */
export interface RunsDbFlags {
  runsDb?: string;
  /** false with --no-runs. */
  runs?: boolean;
  dataDir?: string;
}

/**
 * Where runs are recorded: --runs-db, else $TEXTKIT_RUNS_DB, else the database `textkit
 * serve` uses by default (`textkit.db` in $TEXTKIT_DATA_DIR or ~/.textkit). Null when
 * recording is off (--no-runs, or TEXTKIT_RUNS_DB=off).
 *
 * @example
 * runsDatabaseLocation({ runsDb: "runs.db" }, {}); // "runs.db"
 */
export function runsDatabaseLocation(flags: RunsDbFlags, env: CliIo["env"]): string | null {
  if (flags.runs === false) return null;
  const given = flags.runsDb ?? env[RUNS_DB_ENV];
  if (given === "off") return null;
  if (given !== undefined && given !== "") return given;
  return keysDatabaseLocation({ ...(flags.dataDir === undefined ? {} : { dataDir: flags.dataDir }) }, env);
}

/** `classify train` for the leaf command of `classify train --train ...`. */
export function commandPath(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c !== null && c.parent !== null; c = c.parent)
    names.unshift(c.name());
  return names.join(" ");
}

async function sha256Of(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/** Every option value that names an existing file (not the output), with its hash. */
async function dataFilesOf(options: Record<string, unknown>): Promise<RunDataFile[]> {
  const files: RunDataFile[] = [];
  for (const [role, value] of Object.entries(options)) {
    if (role === "out") continue;
    const paths = Array.isArray(value) ? value : [value];
    for (const path of paths) {
      if (typeof path !== "string" || path === "" || !existsSync(path)) continue;
      const stat = statSync(path);
      if (!stat.isFile()) continue;
      files.push({ role, file: path, bytes: stat.size, sha256: await sha256Of(path) });
    }
  }
  return files;
}

function paramsOf(options: Record<string, unknown>, data: readonly RunDataFile[]): Record<string, unknown> {
  const files = new Set(data.map((d) => d.role));
  const params: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(options)) {
    if (NOT_PARAMS.has(name) || files.has(name) || value === undefined) continue;
    params[name] = value;
  }
  return params;
}

/** The commit of the git checkout `dir` is in, read from .git without running git; null when none. */
export function gitCommitOf(dir: string): string | null {
  for (let d = resolve(dir); ; d = dirname(d)) {
    const git = join(d, ".git");
    if (existsSync(git)) {
      try {
        let gitDir = git;
        if (statSync(git).isFile())
          gitDir = resolve(
            d,
            readFileSync(git, "utf8")
              .replace(/^gitdir:\s*/, "")
              .trim(),
          );
        const head = readFileSync(join(gitDir, "HEAD"), "utf8").trim();
        if (!head.startsWith("ref: ")) return /^[0-9a-f]{40}$/.test(head) ? head : null;
        const ref = head.slice(5);
        const common = existsSync(join(gitDir, "commondir"))
          ? resolve(gitDir, readFileSync(join(gitDir, "commondir"), "utf8").trim())
          : gitDir;
        for (const base of [gitDir, common]) {
          if (existsSync(join(base, ref))) return readFileSync(join(base, ref), "utf8").trim();
        }
        const packed = join(common, "packed-refs");
        if (existsSync(packed)) {
          const line = readFileSync(packed, "utf8")
            .split("\n")
            .find((l) => l.endsWith(` ${ref}`));
          if (line !== undefined) return line.slice(0, 40);
        }
        return null;
      } catch {
        return null;
      }
    }
    if (dirname(d) === d) return null;
  }
}

/** run.json files at `dir` or below it (not below a directory that has one), to depth 3. */
export function findRunRecords(dir: string, depth = 3): { dir: string; record: RunRecord }[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return [];
  const file = join(dir, "run.json");
  if (existsSync(file)) {
    try {
      return [{ dir, record: JSON.parse(readFileSync(file, "utf8")) as RunRecord }];
    } catch {
      return [];
    }
  }
  if (depth === 0) return [];
  const found: { dir: string; record: RunRecord }[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (entry.isDirectory() && !entry.name.startsWith("."))
      found.push(...findRunRecords(join(dir, entry.name), depth - 1));
  }
  return found;
}

function dataOfRecord(record: RunRecord): RunDataFile[] {
  const { train, dev } = record.data;
  return [
    { role: "train", file: train.source, rows: train.examples, fingerprint: train.fingerprint },
    ...(dev === undefined ? [] : [{ role: "dev", file: dev.source, rows: dev.examples }]),
  ];
}

/** The data files with the rows and fingerprint the trainer's record gives for its train and dev parts. */
function withRows(files: readonly RunDataFile[], record: RunRecord): RunDataFile[] {
  const { train, dev } = record.data;
  return files.map((file) => {
    const part =
      file.role === "train" || file.role === "input" ? train : file.role === "dev" ? dev : undefined;
    if (part === undefined || (part.source !== file.file && !part.source.startsWith(file.file))) return file;
    const fingerprint =
      "fingerprint" in part && typeof part.fingerprint === "string" ? part.fingerprint : undefined;
    return { ...file, rows: part.examples, ...(fingerprint === undefined ? {} : { fingerprint }) };
  });
}

/** One autotune trial as the classifier's search reports it. */
interface Trial {
  trial?: number;
  options?: Record<string, unknown>;
  metric?: number;
  seconds?: number;
  stopped?: boolean;
}

/**
 * The run of one command. `main` makes one per invocation; `start` does nothing for a command
 * that does not train.
 */
export class CommandTracking {
  private db: Database | null = null;
  private store: RunStore | null = null;
  private run: RunHandle | null = null;
  private family = "";
  private out: string | null = null;
  private argv: readonly string[] = [];
  private data: RunDataFile[] = [];

  constructor(private readonly io: CliIo) {}

  /** Starts the run of `command` if it trains; `argv` is the whole command line. */
  async start(command: Command, argv: readonly string[]): Promise<void> {
    const path = commandPath(command);
    const family = TRAINING_COMMANDS[path];
    if (family === undefined) return;
    const options = command.opts<Record<string, unknown>>();
    if (path === "cluster" && options["model"] !== undefined) return; // assigns to a saved model
    // A demo that will stop at once (no samples folder) must not leave its output folder behind.
    if (path === "demo" && typeof options["samples"] === "string" && !existsSync(options["samples"])) return;
    let root: Command = command;
    while (root.parent !== null) root = root.parent;
    const rootFlags = root.opts<RunsDbFlags>();
    const out = typeof options["out"] === "string" ? options["out"] : null;
    const demoDb = path === "demo" && out !== null ? join(out, "data", "textkit.db") : undefined;
    const location = runsDatabaseLocation(
      { ...rootFlags, ...(rootFlags.runsDb === undefined && demoDb !== undefined ? { runsDb: demoDb } : {}) },
      this.io.env,
    );
    if (location === null) return;
    this.family = family;
    this.out = out;
    this.argv = argv;
    await this.guard(async () => {
      const data = await dataFilesOf(options);
      this.data = data;
      this.db = await openDatabase(location);
      this.store = await RunStore.open(this.db);
      this.run = await this.store.start({
        family,
        command: `textkit ${argv.join(" ")}`,
        argv,
        cwd: process.cwd(),
        ...(out === null ? {} : { name: out }),
        params: paramsOf(options, data),
        data,
        gitCommit: gitCommitOf(process.cwd()),
        tags: [`host:${hostname()}`],
      });
    });
  }

  /** Ends the run as finished, from the run records in the command's output. Safe to call twice. */
  async finish(): Promise<void> {
    const run = this.run;
    const store = this.store;
    if (run === null || store === null) return this.close();
    this.run = null;
    await this.guard(async () => {
      const records = this.out === null ? [] : findRunRecords(this.out);
      const own = records.length === 1 && records[0]!.dir === this.out ? records[0]!.record : null;
      if (own === null) {
        for (const { dir, record } of records) await this.child(store, run.id, dir, record);
      } else {
        await this.trials(store, run.id, own);
      }
      await run.finish({
        record: own,
        ...(own === null ? {} : { params: { ...own.options }, data: withRows(this.data, own) }),
        ...(this.out !== null && existsSync(this.out)
          ? { artifact: this.out, tags: artifactTags(this.out) }
          : {}),
      });
    });
    await this.close();
  }

  /** Ends the run as failed with `error`'s message. */
  async fail(error: unknown): Promise<void> {
    const run = this.run;
    this.run = null;
    if (run !== null) await this.guard(() => run.fail(error));
    await this.close();
  }

  /** The command line of the run being recorded. */
  get commandLine(): readonly string[] {
    return this.argv;
  }

  private async child(store: RunStore, parentId: string, dir: string, record: RunRecord): Promise<void> {
    const child = await store.start({
      parentId,
      family: record.family,
      task: record.task,
      name: dir,
      command: `${this.family}: ${dir}`,
      params: { ...record.options },
      data: dataOfRecord(record),
    });
    await child.finish({ record, artifact: dir, seconds: record.seconds, tags: artifactTags(dir) });
  }

  private async trials(store: RunStore, parentId: string, record: RunRecord): Promise<void> {
    const search = record.final["autotune"];
    if (typeof search !== "object" || search === null || !("trials" in search)) return;
    const trials = search.trials;
    if (!Array.isArray(trials)) return;
    const metric = "metric" in search && typeof search.metric === "string" ? search.metric : "metric";
    for (const raw of trials as Trial[]) {
      const child = await store.start({
        parentId,
        family: record.family,
        name: `trial ${raw.trial ?? "?"}`,
        command: "autotune trial",
        params: raw.options ?? {},
        data: dataOfRecord(record),
      });
      await child.finish({
        ...(typeof raw.seconds === "number" ? { seconds: raw.seconds } : {}),
        final: {
          ...(typeof raw.metric === "number" ? { dev: { [metric]: raw.metric } } : {}),
          ...(typeof raw.seconds === "number" ? { trainSeconds: raw.seconds } : {}),
          ...(raw.stopped === true ? { stopped: true } : {}),
        },
      });
    }
  }

  private async guard(op: () => Promise<void>): Promise<void> {
    try {
      await op();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.io.stderr.write(`warning: the run was not recorded: ${message} (--no-runs turns recording off)\n`);
      this.run?.abandon();
      this.run = null;
    }
  }

  private async close(): Promise<void> {
    const db = this.db;
    this.db = null;
    this.store = null;
    if (db !== null) await db.close().catch(() => undefined);
  }
}
