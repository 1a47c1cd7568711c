/**
 * `textkit runs retrain ID`: runs a recorded training command again, on data whose SHA-256
 * still matches the record, into a new output, and says whether the model's bytes equal the
 * original's (as spaCy's reproducible training promises: same data, same settings, same
 * seed, same model). The manifest and run.json hold times and run ids, so they are left out
 * of the comparison; the checksums of every weight file inside the manifest are not.
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { TextkitError } from "../core/index.ts";
import { openDatabase, RunStore, type StoredRun } from "../store/index.ts";
import { type CliIo, writeAll } from "./io.ts";

/** `main` of the command line, handed in so that this module does not import it back. */
export type RunMain = (argv: string[], io: CliIo) => Promise<number>;

/** Files of a model (a directory or one file) with their hashes, timestamps and ids left out. */
function modelFiles(path: string): Map<string, string> {
  const out = new Map<string, string>();
  const hash = (file: string) => createHash("sha256").update(readFileSync(file)).digest("hex");
  if (statSync(path).isFile()) {
    out.set(".", hash(path));
    return out;
  }
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name !== "manifest.json" && entry.name !== "run.json")
        out.set(relative(path, full), hash(full));
    }
  };
  walk(path);
  return out;
}

/** Checks that every data file of `run` is where it was and unchanged. */
function checkData(run: StoredRun, cwd: string): void {
  for (const data of run.data) {
    if (data.sha256 === undefined) continue;
    const path = resolve(cwd, data.file);
    if (!existsSync(path)) {
      throw new TextkitError(
        "RUN_NOT_REPRODUCIBLE",
        `run ${run.id} read ${path} (${data.role}), which is gone`,
        {
          file: path,
        },
      );
    }
    const now = createHash("sha256").update(readFileSync(path)).digest("hex");
    if (now !== data.sha256) {
      throw new TextkitError(
        "RUN_NOT_REPRODUCIBLE",
        `${path} (${data.role}) has changed since run ${run.id}: its SHA-256 is ${now.slice(0, 16)}..., the run read ${data.sha256.slice(0, 16)}...`,
        { file: path },
      );
    }
  }
}

/** The run's command line with the new output, absolute data paths and this runs database. */
function retrainArgv(
  run: StoredRun,
  argv: readonly string[],
  cwd: string,
  out: string | undefined,
  location: string,
) {
  const files = new Set(run.data.map((d) => d.file));
  const next: string[] = [];
  let hadOut = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--runs-db") {
      i++;
      continue;
    }
    if (arg.startsWith("--runs-db=") || arg === "--no-runs") continue;
    if (arg === "--out" || arg.startsWith("--out=")) {
      hadOut = true;
      const old = arg === "--out" ? (argv[++i] ?? "") : arg.slice(6);
      if (out === undefined) {
        throw new TextkitError("OPTION_INVALID", `run ${run.id} wrote ${old}; give --out for the new model`, {
          details: { option: "out" },
        });
      }
      if (resolve(out) === resolve(cwd, old)) {
        throw new TextkitError(
          "OPTION_INVALID",
          `--out ${out} is the run's own model; give a new path to compare them`,
          {
            details: { option: "out" },
          },
        );
      }
      next.push("--out", resolve(out));
      continue;
    }
    next.push(files.has(arg) ? resolve(cwd, arg) : arg);
  }
  // At the end: before the command, the value would be taken for the command's name.
  next.push("--runs-db", location);
  return { argv: next, hadOut };
}

/**
 * Repeats run `id` of the runs database at `location`, printing how the new model compares.
 *
 * @example
 * await retrainRun("runs.db", "3f2a9c1d", { out: "models/again" }, io, main);
 */
export async function retrainRun(
  location: string,
  id: string,
  flags: { out?: string; json?: boolean },
  io: CliIo,
  main: RunMain,
): Promise<void> {
  const db = await openDatabase(location);
  let run: StoredRun;
  try {
    const store = await RunStore.open(db);
    run = await store.get(await store.resolve(id));
  } finally {
    await db.close();
  }
  if (run.argv === null || run.parentId !== null) {
    throw new TextkitError(
      "RUN_NOT_REPRODUCIBLE",
      `run ${run.id} was not started by a textkit command (${run.command}); only those can be repeated`,
      { details: { id: run.id } },
    );
  }
  const cwd = run.cwd ?? process.cwd();
  checkData(run, cwd);
  const { argv, hadOut } = retrainArgv(run, run.argv, cwd, flags.out, location);
  // The training's own report goes to stderr, so that stdout holds this command's answer.
  const code = await main(argv, { ...io, stdout: io.stderr });
  if (code !== 0) {
    throw new TextkitError(
      "RUN_NOT_REPRODUCIBLE",
      `training again from run ${run.id} failed (exit code ${code}; see above)`,
      {
        details: { id: run.id, argv },
      },
    );
  }
  const original = run.artifact === null ? null : resolve(cwd, run.artifact);
  const fresh = hadOut && flags.out !== undefined ? resolve(flags.out) : null;
  let same: boolean | null = null;
  const differing: string[] = [];
  if (original !== null && fresh !== null && existsSync(original) && existsSync(fresh)) {
    const a = modelFiles(original);
    const b = modelFiles(fresh);
    for (const name of new Set([...a.keys(), ...b.keys()]))
      if (a.get(name) !== b.get(name)) differing.push(name);
    same = differing.length === 0;
  }
  const result = {
    run: run.id,
    argv,
    model: fresh,
    original,
    sameModelBytes: same,
    differingFiles: differing,
  };
  if (flags.json === true) {
    await writeAll(io.stdout, `${JSON.stringify(result, null, 2)}\n`);
    return;
  }
  let text = `trained again from run ${run.id}${fresh === null ? "" : `: ${fresh}`}\n`;
  if (same === true)
    text += `same model bytes as ${original} (every weight file; manifest times and run ids aside)\n`;
  else if (same === false) text += `the model differs from ${original} in: ${differing.join(", ")}\n`;
  else text += "the original model is gone, so the bytes were not compared\n";
  await writeAll(io.stdout, text);
}
