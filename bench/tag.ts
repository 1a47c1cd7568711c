/**
 * npm run bench:tag [-- DATASET_DIR ...] [--max-iterations N]
 *
 * textkit's tagger beside CRFsuite (Okazaki 2007), a linear-chain CRF tagger of the same
 * class as Wapiti, on the same data with exactly the same features, in one run. Prints
 * entity F1 (strict, and conlleval's lenient chunking), training time and tagging speed
 * with ratios, and writes the table to bench/results/tag-<date>.md.
 *
 * The issue named Wapiti "in Debian"; Debian's package `wapiti` is a web-vulnerability
 * scanner, and the CRF tagger is not packaged. CRFsuite comes from the npm registry as the
 * `crfsuite` binding (MIT, compiles CRFsuite 0.12 with node-gyp), installed on first use
 * into bench/.peers (git-ignored), never into the project's dependencies.
 *
 * Data sets: a folder with train/dev/test files in CoNLL (.txt, .conll) or JSONL spans
 * (.jsonl). Default: ../shared/data/conll2003 (read in place; not redistributable) and the
 * project's own samples/ner-en and samples/ner-zh. `--generated 10,40,120` adds generated
 * slot-filling sets with that many entity types (bench/tag-generated.ts), for how training
 * time grows with labels; `--only-generated` runs those alone.
 *
 * Fairness: both systems get the same feature strings for every token (textkit's feature
 * hashes written as text) and the training set; textkit also uses the dev set for early
 * stopping, CRFsuite trains L-BFGS to convergence (or --max-iterations) with its default
 * L2 regularisation (c2 = 1). CRFsuite learns BIO tags as given; textkit learns BIOES and
 * answers in BIO. Times are wall seconds in this process, one thread each; CRFsuite's
 * training time includes writing its model file, textkit's includes computing features.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { loadavg, tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import { loadTaggedDataset, type TaggedDataset } from "../src/data/index.ts";
import { entityReport } from "../src/eval/index.ts";
import { TaggerFeatures, trainTagger } from "../src/models/tagger/index.ts";
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
      ["install", "--prefix", PEERS, "--no-save", "--no-audit", "--no-fund", `crfsuite@${CRFSUITE_VERSION}`],
      { stdio: "inherit" },
    );
    if (r.status !== 0 || !existsSync(entry)) {
      console.log(
        "could not install crfsuite (it needs g++, make and python3 for node-gyp); CRFsuite rows skipped",
      );
      return null;
    }
  }
  return createRequire(join(PEERS, "package.json"))("crfsuite") as CrfSuite;
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

async function benchSet(set: BenchSet, crf: CrfSuite | null, maxIterations: number): Promise<Row[]> {
  const rows: Row[] = [];
  const truth = set.test.sentences.map((s) => s.tags);
  const testTokens = tokenCount(set.test);
  console.log(
    `${set.name}: train ${set.train.sentences.length} sentences (${tokenCount(set.train)} tokens), ` +
      `dev ${set.dev?.sentences.length ?? 0}, test ${set.test.sentences.length} (${testTokens} tokens), ` +
      `${set.train.language}, types ${set.train.types.join(" ")}`,
  );

  const t0 = performance.now();
  const model = await trainTagger(
    { train: set.train, ...(set.dev === undefined ? {} : { dev: set.dev }) },
    {},
    {
      onEpochEnd: (e) =>
        process.stdout.write(`  textkit epoch ${e.epoch} dev F1 ${e.dev?.["f1"]?.toFixed(4) ?? "-"}\r`),
    },
  );
  const trainSeconds = (performance.now() - t0) / 1000;
  process.stdout.write("\n");
  const t1 = performance.now();
  const predicted = set.test.sentences.map((s) => model.tagTokens(s.tokens));
  const tagSeconds = (performance.now() - t1) / 1000;
  rows.push({
    set: set.name,
    system: "textkit (averaged perceptron, BIOES)",
    strict: entityReport(truth, predicted, { mode: "strict" }).micro.f1,
    conll: entityReport(truth, predicted, { mode: "conlleval" }).micro.f1,
    trainSeconds,
    tagPerSecond: testTokens / tagSeconds,
    load: loadavg()[0]!,
    note:
      `${model.runRecord?.epochs.length ?? "?"} epochs, best ${model.runRecord?.bestEpoch ?? "?"}; ` +
      `${fmt.int(model.table.rows)} features; ${model.tagSet.tags.length} tags, calibration ` +
      `${fmt.s(Number(model.runRecord?.final["calibrationSeconds"] ?? 0))} s (included)`,
  });

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
      : onlyGenerated
        ? []
        : [join(SHARED_DATA, "conll2003"), join(ROOT, "samples", "ner-en"), join(ROOT, "samples", "ner-zh")];
  const crf = loadCrfSuite();
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
  const body =
    `# bench:tag, ${today()}\n\nMachine: ${machine()}\n\nData:\n${sources.join("\n")}\n\n${table}\n\n` +
    "Entity F1 is micro-averaged over types on the test set, exact span and type. Strict: ill-formed\n" +
    "predicted tag runs form no entity (seqeval strict); conlleval: lenient chunking as in the CoNLL script.\n" +
    "Both systems get identical per-token feature strings (textkit's feature hashes).\n";
  console.log(`\n${table}`);
  console.log(`\nwritten to ${writeResult("tag", body)}`);
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
