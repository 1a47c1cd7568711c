/**
 * npm run bench:tag [-- DATASET_DIR ...] [--max-iterations N] [--result NAME]
 *
 * textkit's tagger beside CRFsuite (Okazaki 2007), a linear-chain CRF tagger of the same
 * class as Wapiti, on the same data with exactly the same features, in one run. Prints
 * entity F1 (strict, and conlleval's lenient chunking), training time and tagging speed
 * with ratios, and writes the table to bench/results/tag-<date>.md.
 *
 * The issue named Wapiti "in Debian"; Debian's package `wapiti` is a web-vulnerability
 * scanner, and the CRF tagger is not packaged. CRFsuite comes from the npm registry as the
 * `crfsuite` binding (MIT, compiles CRFsuite 0.12 with node-gyp), installed on first use
 * into bench/.peers (git-ignored), never into the project's dependencies. npm 11 skips a
 * dependency's install script unless allowed, so when the native part is missing the bench
 * builds it itself (node-pre-gyp rebuild with npm's own node-gyp, against /usr/include/node
 * when Node's headers are installed): a fresh machine needs g++, make and python3, and the
 * network or npm's cache for the package; `npm ci` is not involved.
 *
 * Data sets: a folder with train/dev/test files in CoNLL (.txt, .conll) or JSONL spans
 * (.jsonl). Default: ../shared/data/conll2003 (read in place; not redistributable) and the
 * project's own samples/ner-en and samples/ner-zh. `--generated 10,40,120` adds generated
 * slot-filling sets with that many entity types (bench/tag-generated.ts), for how training
 * time grows with labels; `--only-generated` runs those alone. textkit runs twice per set:
 * its default learner (the averaged perceptron, BIOES) and its CRF (`learner: "crf"`, BIO);
 * `--no-crf` leaves the CRF row out, `--only-crf` keeps it alone, `--no-crfsuite` leaves the
 * peer out (for measuring textkit's CRF by itself).
 *
 * Fairness: both systems get the same feature strings for every token (textkit's feature
 * hashes written as text) and the training set; textkit also uses the dev set for early
 * stopping, CRFsuite trains L-BFGS to convergence (or --max-iterations) with its default
 * L2 regularisation (c2 = 1). CRFsuite learns BIO tags as given; textkit learns BIOES and
 * answers in BIO. Times are wall seconds in this process, one thread each; CRFsuite's
 * training time includes writing its model file, textkit's includes computing features.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { loadavg, tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { loadTaggedDataset, type TaggedDataset } from "../src/data/index.ts";
import { entityReport } from "../src/eval/index.ts";
import {
  type SequenceTagger,
  TaggerFeatures,
  type TaggerOptions,
  trainTagger,
} from "../src/models/tagger/index.ts";
import {
  BENCH_DIR,
  fmt,
  machine,
  markdownTable,
  numberArgument,
  ROOT,
  SHARED_DATA,
  today,
  writeResult,
} from "./common.ts";
import { generatedTaggedSets } from "./tag-generated.ts";
import { noisyChineseSets, noisyEnglishSets } from "./tag-noisy.ts";

interface CrfSuite {
  Trainer: new (opts?: {
    debug?: boolean;
  }) => {
    append(xseq: string[][], yseq: string[]): void;
    train(path: string): number;
    set_params(options: Record<string, string>): void;
  };
  // The binding's typings promise { probability, result }; version 1.0.1 returns the tags.
  Tagger: new () => { open(path: string): boolean; tag(xseq: string[][]): string[] | { result: string[] } };
}

const PEERS = join(BENCH_DIR, ".peers");
const CRFSUITE_VERSION = "1.0.1";

function loadCrfSuite(): CrfSuite | null {
  const entry = join(PEERS, "node_modules", "crfsuite");
  if (!existsSync(entry)) {
    console.log(`installing the CRFsuite binding (npm crfsuite@${CRFSUITE_VERSION}) into ${PEERS} ...`);
    const r = spawnSync(
      "npm",
      [
        "install",
        "--prefix",
        PEERS,
        "--no-save",
        "--no-audit",
        "--no-fund",
        "--prefer-offline",
        `crfsuite@${CRFSUITE_VERSION}`,
      ],
      { stdio: "inherit" },
    );
    if (r.status !== 0 || !existsSync(entry)) {
      console.log("could not install crfsuite (no network and not in npm's cache?); CRFsuite rows skipped");
      return null;
    }
  }
  const load = () => createRequire(join(PEERS, "package.json"))("crfsuite") as CrfSuite;
  try {
    return load();
  } catch {
    // npm 11 does not run a dependency's install script unless allowed, so the native
    // part may be missing: build it here, as its own install script would have.
    if (!buildCrfSuite(entry)) return null;
    return load();
  }
}

/**
 * Compiles the binding with node-pre-gyp and the node-gyp that ships with npm, against
 * this Node's own headers when they are installed (no download), else node-gyp's.
 */
function buildCrfSuite(entry: string): boolean {
  console.log(`building the CRFsuite binding in ${entry} (g++, make and python3; about a minute) ...`);
  const npmGyp = join(
    dirname(dirname(process.execPath)),
    "lib",
    "node_modules",
    "npm",
    "node_modules",
    "node-gyp",
  );
  const nodeDir = dirname(dirname(process.execPath));
  const args = ["rebuild"];
  if (existsSync(join(nodeDir, "include", "node", "node_api.h"))) args.push(`--nodedir=${nodeDir}`);
  const path = [join(npmGyp, "bin"), join(PEERS, "node_modules", ".bin"), process.env["PATH"] ?? ""].join(
    ":",
  );
  const r = spawnSync(join(PEERS, "node_modules", ".bin", "node-pre-gyp"), args, {
    cwd: entry,
    stdio: "inherit",
    env: { ...process.env, PATH: path },
  });
  if (r.status !== 0) {
    console.log(
      "could not build the crfsuite binding (it needs g++, make and python3); CRFsuite rows skipped",
    );
    return false;
  }
  return true;
}

function findSplit(dir: string, part: string): string | null {
  for (const name of readdirSync(dir)) {
    if (name.startsWith(`${part}.`) && /\.(txt|conll|jsonl|bio|iob)$/.test(name)) return join(dir, name);
  }
  return null;
}

interface BenchSet {
  name: string;
  train: TaggedDataset;
  dev: TaggedDataset | undefined;
  test: TaggedDataset;
  source: string;
}

async function loadSet(dir: string): Promise<BenchSet | null> {
  if (!existsSync(dir)) {
    console.log(`skipped ${dir}: not there`);
    return null;
  }
  const train = findSplit(dir, "train");
  const test = findSplit(dir, "test");
  if (train === null || test === null) {
    console.log(`skipped ${dir}: no train.* and test.* files`);
    return null;
  }
  const dev = findSplit(dir, "dev") ?? findSplit(dir, "valid");
  const trainSet = await loadTaggedDataset(train);
  const options = { language: trainSet.language };
  return {
    name: basename(dir),
    train: trainSet,
    dev: dev === null ? undefined : await loadTaggedDataset(dev, options),
    test: await loadTaggedDataset(test, options),
    source: dir.startsWith(SHARED_DATA) ? `../shared/data/${basename(dir)}` : dir.replace(`${ROOT}/`, ""),
  };
}

function tokenCount(data: TaggedDataset): number {
  let n = 0;
  for (const s of data.sentences) n += s.tokens.length;
  return n;
}

/** The feature strings textkit computes for each token, for the peer. */
function featureStrings(features: TaggerFeatures, tokens: readonly string[]): string[][] {
  const hashes: number[] = [];
  const offsets: number[] = [];
  features.sentence(tokens, hashes, offsets);
  const out: string[][] = [];
  for (let i = 0; i < tokens.length; i++) {
    const row: string[] = [];
    for (let j = offsets[i]!; j < offsets[i + 1]!; j++) row.push(hashes[j]!.toString(36));
    out.push(row);
  }
  return out;
}

interface Row {
  set: string;
  system: string;
  strict: number;
  conll: number;
  trainSeconds: number;
  tagPerSecond: number;
  /** 1-minute load average when the row was measured. */
  load: number;
  note: string;
}

/** A textkit configuration benchmarked beside the default one. */
interface Variant {
  label: string;
  options: Partial<TaggerOptions>;
}

async function benchSet(
  set: BenchSet,
  crf: CrfSuite | null,
  maxIterations: number,
  variants: Variant[] = [],
): Promise<Row[]> {
  const rows: Row[] = [];
  const truth = set.test.sentences.map((s) => s.tags);
  const testTokens = tokenCount(set.test);
  console.log(
    `${set.name}: train ${set.train.sentences.length} sentences (${tokenCount(set.train)} tokens), ` +
      `dev ${set.dev?.sentences.length ?? 0}, test ${set.test.sentences.length} (${testTokens} tokens), ` +
      `${set.train.language}, types ${set.train.types.join(" ")}`,
  );
  let model: SequenceTagger | null = null;
  // --only-crf leaves the default perceptron (and other variants) out.
  const all = process.argv.includes("--only-crf")
    ? learnerVariants()
    : [{ label: "", options: {} }, ...variants, ...learnerVariants()];
  for (const variant of all) {
    const t0 = performance.now();
    const trained = await trainTagger(
      { train: set.train, ...(set.dev === undefined ? {} : { dev: set.dev }) },
      variant.options,
      {
        onEpochEnd: (e) =>
          process.stdout.write(`  textkit epoch ${e.epoch} dev F1 ${e.dev?.["f1"]?.toFixed(4) ?? "-"}\r`),
      },
    );
    const trainSeconds = (performance.now() - t0) / 1000;
    process.stdout.write("\n");
    const t1 = performance.now();
    const predicted = set.test.sentences.map((s) => trained.tagTokens(s.tokens));
    const tagSeconds = (performance.now() - t1) / 1000;
    rows.push({
      set: set.name,
      system: `textkit (${trained.options.learner === "crf" ? "CRF, SGD" : "averaged perceptron"}, ${trained.tagSet.scheme.toUpperCase()})${variant.label}`,
      strict: entityReport(truth, predicted, { mode: "strict" }).micro.f1,
      conll: entityReport(truth, predicted, { mode: "conlleval" }).micro.f1,
      trainSeconds,
      tagPerSecond: testTokens / tagSeconds,
      load: loadavg()[0]!,
      note:
        `${trained.runRecord?.epochs.length ?? "?"} epochs, best ${trained.runRecord?.bestEpoch ?? "?"}; ` +
        `${fmt.int(trained.table.rows)} features; ${trained.tagSet.tags.length} tags, calibration ` +
        `${fmt.s(Number(trained.runRecord?.final["calibrationSeconds"] ?? 0))} s (included)`,
    });
    console.log(
      `  ${rows[rows.length - 1]!.system}: F1 ${fmt.pct(rows[rows.length - 1]!.strict)} in ${fmt.s(trainSeconds)} s`,
    );
    model ??= trained;
  }
  if (model === null) return rows;
  if (crf === null) return rows;
  const features = new TaggerFeatures(model.language, { gazetteer: null, clusters: null });
  const work = mkdtempSync(join(tmpdir(), "textkit-bench-tag-"));
  try {
    // The binding offers L-BFGS only (its trainer calls select("lbfgs", "crf1d")).
    {
      const t2 = performance.now();
      const trainer = new crf.Trainer({ debug: false });
      trainer.set_params({ max_iterations: String(maxIterations) });
      for (const s of set.train.sentences) trainer.append(featureStrings(features, s.tokens), s.tags);
      const path = join(work, "crf.crfsuite");
      trainer.train(path);
      const crfTrain = (performance.now() - t2) / 1000;
      const tagger = new crf.Tagger();
      if (!tagger.open(path)) throw new Error(`CRFsuite could not open ${path}`);
      const xs = set.test.sentences.map((s) => featureStrings(features, s.tokens));
      const t3 = performance.now();
      const crfPredicted = xs.map((x) => {
        const r = tagger.tag(x);
        return Array.isArray(r) ? r : r.result;
      });
      const crfTag = (performance.now() - t3) / 1000;
      rows.push({
        set: set.name,
        system: "CRFsuite CRF (L-BFGS, c2=1)",
        strict: entityReport(truth, crfPredicted, { mode: "strict" }).micro.f1,
        conll: entityReport(truth, crfPredicted, { mode: "conlleval" }).micro.f1,
        trainSeconds: crfTrain,
        tagPerSecond: testTokens / crfTag,
        load: loadavg()[0]!,
        note: `at most ${maxIterations} iterations; its tagging time excludes making feature strings`,
      });
      console.log(
        `  ${rows[rows.length - 1]!.system}: F1 ${fmt.pct(rows[rows.length - 1]!.strict)} in ${fmt.s(crfTrain)} s`,
      );
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return rows;
}

async function main(): Promise<void> {
  const dirs = process.argv
    .slice(2)
    .filter((a, i, all) => !a.startsWith("--") && !all[i - 1]?.startsWith("--"));
  const maxIterations = numberArgument("--max-iterations", 300);
  const generated = generatedCounts();
  const onlyGenerated = process.argv.includes("--only-generated");
  const targets =
    dirs.length > 0
      ? dirs.map((d) => resolve(d))
      : onlyGenerated || process.argv.includes("--noisy")
        ? []
        : [join(SHARED_DATA, "conll2003"), join(ROOT, "samples", "ner-en"), join(ROOT, "samples", "ner-zh")];
  const crf = process.argv.includes("--no-crfsuite") ? null : loadCrfSuite();
  const rows: Row[] = [];
  const sources: string[] = [];
  // --generated-iterations 100,100,20 caps CRFsuite per generated set (its cost grows with labels²).
  const perSet = listArgument("--generated-iterations");
  for (let g = 0; g < generated.length; g++) {
    const count = generated[g]!;
    const sets = generatedTaggedSets(count);
    const set = { name: `generated-${count}`, ...sets, source: "bench/tag-generated.ts" };
    sources.push(`- ${set.name}: generated by bench/tag-generated.ts (seed 1), ${count} slot types`);
    rows.push(...(await benchSet(set, crf, perSet[g] ?? maxIterations)));
  }
  if (process.argv.includes("--noisy")) rows.push(...(await noisyRows(crf, maxIterations, sources)));
  for (const dir of targets) {
    const set = await loadSet(dir);
    if (set === null) continue;
    sources.push(`- ${set.name}: ${set.source}`);
    rows.push(...(await benchSet(set, crf, maxIterations)));
  }
  const table = markdownTable(
    [
      "data set",
      "system",
      "entity F1 % (strict)",
      "F1 % (conlleval)",
      "train s",
      "peer/textkit train",
      "tag tokens/s",
      "load (1 min)",
      "notes",
    ],
    rows.map((r) => {
      const base = rows.find((x) => x.set === r.set && x.system.startsWith("textkit"))!;
      return [
        r.set,
        r.system,
        fmt.pct(r.strict),
        fmt.pct(r.conll),
        fmt.s(r.trainSeconds),
        fmt.ratio(r.trainSeconds / base.trainSeconds),
        fmt.int(r.tagPerSecond),
        r.load.toFixed(1),
        r.note,
      ];
    }),
  );
  const crfRatios = rows
    .filter((r) => r.system.startsWith("textkit (CRF"))
    .map((r) => {
      const peer = rows.find((x) => x.set === r.set && x.system.startsWith("CRFsuite"));
      return peer === undefined
        ? ""
        : `- ${r.set}: textkit CRF F1 ${fmt.pct(r.strict)} vs CRFsuite ${fmt.pct(peer.strict)}; ` +
            `CRFsuite / textkit CRF training time ${fmt.ratio(peer.trainSeconds / r.trainSeconds)}`;
    })
    .filter((line) => line !== "");
  const body =
    `# bench:tag, ${today()}\n\nMachine: ${machine()}\n\nData:\n${sources.join("\n")}\n\n${table}\n\n` +
    (crfRatios.length > 0 ? `CRF against CRF:\n${crfRatios.join("\n")}\n\n` : "") +
    "Entity F1 is micro-averaged over types on the test set, exact span and type. Strict: ill-formed\n" +
    "predicted tag runs form no entity (seqeval strict); conlleval: lenient chunking as in the CoNLL script.\n" +
    "Both systems get identical per-token feature strings (textkit's feature hashes).\n";
  console.log(`\n${table}\n${crfRatios.join("\n")}`);
  // --result NAME writes bench/results/NAME-DATE.md instead of tag-DATE.md (keeps a day's earlier run).
  const at = process.argv.indexOf("--result");
  const name = at >= 0 ? (process.argv[at + 1] ?? "tag") : "tag";
  console.log(`\nwritten to ${writeResult(name, body)}`);
}

/**
 * The generated social-media-like sets (bench/tag-noisy.ts), English and Chinese: textkit,
 * textkit with word clusters learned from the sets' unlabelled posts, and CRFsuite (given
 * textkit's features without clusters).
 */
async function noisyRows(crf: CrfSuite | null, maxIterations: number, sources: string[]): Promise<Row[]> {
  const rows: Row[] = [];
  const work = mkdtempSync(join(tmpdir(), "textkit-bench-noisy-"));
  try {
    for (const [name, sets] of [
      ["noisy-en", noisyEnglishSets()],
      ["noisy-zh", noisyChineseSets()],
    ] as const) {
      const unlabelled = join(work, `${name}.txt`);
      writeFileSync(unlabelled, `${sets.unlabelled.join("\n")}\n`);
      sources.push(
        `- ${name}: generated by bench/tag-noisy.ts (seed 1), ${sets.train.types.length} types, ` +
          `${fmt.int(sets.unlabelled.length)} unlabelled posts for the clusters row`,
      );
      const set = { name, ...sets, source: "bench/tag-noisy.ts" };
      const variant = { label: " + clusters from unlabelled posts", options: { unlabelled } };
      rows.push(...(await benchSet(set, crf, maxIterations, [variant])));
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return rows;
}

/**
 * textkit's CRF learner beside the default perceptron, unless `--no-crf`: BIO tags (the
 * peer's own), which halve the allowed pairs of its forward-backward.
 */
function learnerVariants(): Variant[] {
  if (process.argv.includes("--no-crf")) return [];
  return [{ label: "", options: { learner: "crf", encoding: "bio" } }];
}

/** The entity-type counts of `--generated 10,40,120`, or none. */
function generatedCounts(): number[] {
  return listArgument("--generated");
}

/** A comma-separated list of whole numbers after `name`, or none. */
function listArgument(name: string): number[] {
  const at = process.argv.indexOf(name);
  if (at < 0) return [];
  return (process.argv[at + 1] ?? "")
    .split(",")
    .map(Number)
    .filter((n) => Number.isInteger(n) && n > 0);
}

await main();
