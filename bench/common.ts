/** Shared helpers of the benchmarks: machine description, timing, tables, peers on PATH. */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type Dataset, datasetFromExamples, type Example } from "../src/index.ts";
import { resultJson } from "./result-json.ts";

export const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
export const ROOT = resolve(BENCH_DIR, "..");
export const SHARED_DATA = resolve(ROOT, "..", "shared", "data");

/** The number after `name` on the command line (`--seconds 10`), or `fallback`. */
export function numberArgument(name: string, fallback: number): number {
  const at = process.argv.indexOf(name);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
}

/** The word after `name` on the command line (`--base HEAD`), or `fallback`. */
export function stringArgument(name: string, fallback: string): string {
  const at = process.argv.indexOf(name);
  return (at >= 0 ? process.argv[at + 1] : undefined) ?? fallback;
}

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

/**
 * Writes `bench/results/NAME-DATE.md` and, beside it, `NAME-DATE.json` with the same tables as
 * rows of named values plus the machine (see result-json.ts); returns the Markdown's path.
 */
export function writeResult(name: string, body: string): string {
  const dir = join(ROOT, "bench", "results");
  if (!existsSync(dir)) mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}-${today()}.md`);
  writeFileSync(path, body);
  const json = resultJson(name, today(), machine(), body);
  writeFileSync(path.replace(/\.md$/, ".json"), `${JSON.stringify(json, null, 2)}\n`);
  return path;
}

export const fmt = {
  pct: (x: number): string => (Number.isFinite(x) ? (100 * x).toFixed(2) : "n/a"),
  s: (x: number): string => (Number.isFinite(x) ? x.toFixed(2) : "n/a"),
  ratio: (x: number): string => (Number.isFinite(x) ? `${x.toFixed(2)}x` : "n/a"),
  int: (x: number): string => (Number.isFinite(x) ? Math.round(x).toLocaleString("en-US") : "n/a"),
};

/** CLINC150 as published (data_full.json): each part as a dataset, or just its texts. */
export interface Clinc150 {
  file: string;
  /** "train", "val", "test", "oos_train"... as labelled examples. */
  part(key: string): Dataset;
  /** The texts of these parts, in order, without their labels. */
  texts(...keys: string[]): string[];
}

/** Reads `<dir>/data_full.json`; throws when it is not there. */
export function readClinc150(dir = join(SHARED_DATA, "clinc150")): Clinc150 {
  const file = join(dir, "data_full.json");
  const raw = JSON.parse(readFileSync(file, "utf8")) as Record<string, [string, string][]>;
  return {
    file,
    part: (key) =>
      datasetFromExamples(
        `${file}#${key}`,
        (raw[key] ?? []).map(([text, label], i): Example => ({ text, labels: [label], line: i + 1 })),
      ),
    texts: (...keys) => keys.flatMap((k) => (raw[k] ?? []).map(([text]) => text)),
  };
}

/** An nlp.js NLP manager as the benchmarks use it: English, quiet, not saving itself. */
export interface NlpJs {
  addDocument(lang: string, text: string, intent: string): void;
  train(): Promise<unknown>;
  process(
    lang: string,
    text: string,
  ): Promise<{ intent: string; score: number; classifications?: { intent: string; score: number }[] }>;
}

/**
 * A fresh English nlp.js manager (the TypeScript-world peer), or null with a message when
 * nlp.js is not installed (it is a dev dependency).
 */
export async function createNlpJs(): Promise<NlpJs | null> {
  let modules: [
    typeof import("@nlpjs/core"),
    typeof import("@nlpjs/nlp"),
    typeof import("@nlpjs/lang-en-min"),
  ];
  try {
    modules = await Promise.all([import("@nlpjs/core"), import("@nlpjs/nlp"), import("@nlpjs/lang-en-min")]);
  } catch {
    console.error("skip nlp.js: not installed (npm ci installs it as a dev dependency)");
    return null;
  }
  const [{ containerBootstrap }, { Nlp }, { LangEn }] = modules;
  const container = await containerBootstrap();
  container.use(Nlp);
  container.use(LangEn);
  const nlp = container.get("nlp");
  nlp.settings.autoSave = false;
  nlp.settings.log = false;
  nlp.settings.nlu = { log: false };
  nlp.addLanguage("en");
  return nlp as NlpJs;
}
