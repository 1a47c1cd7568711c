/** Shared helpers of the benchmarks: machine description, timing, tables, peers on PATH. */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
export const ROOT = resolve(BENCH_DIR, "..");
export const SHARED_DATA = resolve(ROOT, "..", "shared", "data");

export function machine(): string {
  const list = cpus();
  return `${list[0]?.model ?? "unknown CPU"}, ${list.length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
}

export function today(): string {
  return new Date().toISOString().slice(0, 10);
}

export function hasProgram(name: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" }).status === 0;
}

/** Runs a program, returns its wall seconds; throws with its stderr on failure. */
export function timeProgram(
  cmd: string,
  args: string[],
): { seconds: number; stdout: string; stderr: string } {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { encoding: "utf8", maxBuffer: 1 << 30 });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed: ${r.stderr}`);
  return { seconds, stdout: r.stdout, stderr: r.stderr };
}

export function markdownTable(header: string[], rows: (string | number)[][]): string {
  const lines = [`| ${header.join(" | ")} |`, `|${header.map(() => "---").join("|")}|`];
  for (const row of rows) lines.push(`| ${row.map(String).join(" | ")} |`);
  return lines.join("\n");
}

export function writeResult(name: string, body: string): string {
  const dir = join(ROOT, "bench", "results");
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}-${today()}.md`);
  writeFileSync(path, body);
  return path;
}

export const fmt = {
  pct: (x: number): string => (Number.isFinite(x) ? (100 * x).toFixed(2) : "n/a"),
  s: (x: number): string => (Number.isFinite(x) ? x.toFixed(2) : "n/a"),
  ratio: (x: number): string => (Number.isFinite(x) ? `${x.toFixed(2)}x` : "n/a"),
  int: (x: number): string => (Number.isFinite(x) ? Math.round(x).toLocaleString("en-US") : "n/a"),
};
