/**
 * End-to-end tests of `textkit classify quantize` and `textkit classify autotune`, run
 * in-process through `main` with captured output, on small generated data.
 */
import assert from "node:assert/strict";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  AUTOTUNE_METRICS,
  autotuneClassifier,
  loadDataset,
  loadClassifier as loadFromEntry,
  quantizeClassifier,
  readVecFile,
  SubwordVectors,
  stratifiedSplit,
  trainClassifier,
  trainVectors,
  writeVecFile,
} from "../src/index.ts";
import { loadClassifier } from "../src/models/classifier/index.ts";
import { type CliResult as Result, runCli } from "./support/cli-run.ts";
import { CLI_TOPICS, topicRows } from "./support/topic-corpus.ts";

const run = runCli;

// Three topics with disjoint vocabularies: any working classifier separates them.
const LABELS = Object.keys(CLI_TOPICS);

const csv = (rows: { text: string; label: string }[]): string =>
  `text,label\n${rows.map((r) => `${r.text},${r.label}`).join("\n")}\n`;

/** Small, quick settings; the autotune search moves away from them. */
const FAST = ["--epochs", "10", "--dim", "16", "--buckets", "5000", "--quiet"];

let dir: string;
let data: string;
let devFile: string;
let testFile: string;
let model: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "textkit-cli-qa-"));
  data = join(dir, "train.csv");
  devFile = join(dir, "dev.csv");
  testFile = join(dir, "test.csv");
  writeFileSync(data, csv(topicRows(20)));
  writeFileSync(devFile, csv(topicRows(4, 20)));
  writeFileSync(testFile, csv(topicRows(4, 24)));
  model = join(dir, "model");
  const trained = await run(["classify", "train", "--train", data, "--out", model, ...FAST]);
  assert.equal(trained.code, 0, trained.stderr);
});

after(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** A fresh empty directory under the test's temporary one. */
function scratch(name: string): string {
  const path = join(dir, name);
  mkdirSync(path);
  return path;
}

function directoryBytes(path: string): number {
  return readdirSync(path).reduce((sum, f) => sum + statSync(join(path, f)).size, 0);
}

/** Exit 1, the code at the end of the first stderr line, a hint, no stack, nothing on stdout. */
function assertCodedFailure(result: Result, code: string): void {
  assert.equal(result.code, 1, result.stderr);
  const first = result.stderr.split("\n")[0]!;
  assert.ok(first.startsWith("error: "), first);
  assert.ok(first.endsWith(`[${code}]`), first);
  assert.match(result.stderr, /^hint: \S/m);
  assert.doesNotMatch(result.stderr, /^\s+at /m);
  assert.equal(result.stdout, "");
}

// A tiny model has about as many rows as a codebook has centroids; 16 keep it smaller.
const SMALL = ["--centroids", "16"];

describe("classify quantize", () => {
  it("writes a smaller model that loads and predicts like the original, printing sizes and accuracy", async () => {
    const out = join(dir, "quantized");
    const result = await run([
      "classify",
      "quantize",
      "--model",
      model,
      "--out",
      out,
      ...SMALL,
      "--quantize-output",
      "--eval",
      testFile,
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /^quantizing .*: \d+ embedding rows of dim 16, 3 labels$/m);
    assert.match(result.stdout, /^size: [\d.]+ kB -> [\d.]+ kB \([\d.]+% of the original\)$/m);
    assert.match(
      result.stdout,
      /^rows: all \d+ kept, 2 values per sub-vector, 16 centroids, output matrix 8-bit$/m,
    );
    assert.match(result.stdout, /^eval: 12 examples \(.*test\.csv\)$/m);
    assert.match(result.stdout, /^ {2}accuracy +1\.0000 -> \d\.\d{4} \([+-]\d\.\d{4}\)$/m);
    assert.match(result.stdout, /^ {2}macro-F1 /m);

    assert.ok(directoryBytes(out) < directoryBytes(model), "smaller on disk");
    const manifest = JSON.parse(readFileSync(join(out, "manifest.json"), "utf8"));
    assert.equal(manifest.options.quantized.centroids, 16);
    assert.equal(manifest.options.quantized.quantizeOutput, true);
    assert.ok(existsSync(join(out, "run.json")), "the run record travels with the model");

    const original = await loadClassifier(model);
    const small = await loadClassifier(out);
    assert.notEqual(small.quantized, null);
    const texts = topicRows(4, 24).map((e) => e.text);
    assert.deepEqual(
      small.predict(texts).map((p) => p.labels[0]),
      original.predict(texts).map((p) => p.labels[0]),
    );

    // The quantised model serves classify predict like any other.
    const input = join(dir, "inbox.txt");
    writeFileSync(input, "the goal match team\nrain storm snow\n");
    const predicted = await run(["classify", "predict", "--model", out, "--input", input]);
    assert.equal(predicted.code, 0, predicted.stderr);
    assert.deepEqual(
      predicted.stdout
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line).labels[0]),
      ["sport", "weather"],
    );
  });

  it("prints one JSON object with sizes, settings and the accuracy before and after with --json", async () => {
    const out = join(dir, "quantized-json");
    const result = await run([
      "classify",
      "quantize",
      "--model",
      model,
      "--out",
      out,
      ...SMALL,
      "--dsub",
      "4",
      "--eval",
      testFile,
      "--json",
      "--quiet",
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stderr, "");
    const parsed = JSON.parse(result.stdout);
    assert.equal(parsed.model, model);
    assert.equal(parsed.out, out);
    assert.equal(parsed.bytes.before, directoryBytes(model));
    assert.equal(parsed.bytes.after, directoryBytes(out));
    assert.ok(parsed.bytes.after < parsed.bytes.before);
    assert.equal(parsed.bytes.ratio, parsed.bytes.after / parsed.bytes.before);
    assert.equal(parsed.quantization.dsub, 4);
    assert.equal(parsed.quantization.quantizeOutput, false);
    assert.ok(parsed.distortion >= 0);
    assert.equal(parsed.eval.examples, 12);
    assert.equal(parsed.eval.before.accuracy, 1);
    assert.ok(parsed.eval.after.accuracy >= 0 && parsed.eval.after.accuracy <= 1);
    assert.equal(typeof parsed.eval.after.macroF1, "number");
  });

  it("keeps only the rows that fit --target-ratio, or --cutoff rows", async () => {
    const ratio = join(dir, "quantized-ratio");
    const byRatio = await run([
      "classify",
      "quantize",
      "--model",
      model,
      "--out",
      ratio,
      "--target-ratio",
      "0.8",
      "--quantize-output",
      "--json",
    ]);
    assert.equal(byRatio.code, 0, byRatio.stderr);
    const parsed = JSON.parse(byRatio.stdout);
    assert.ok(parsed.bytes.ratio <= 0.8, String(parsed.bytes.ratio));

    const cutoff = join(dir, "quantized-cutoff");
    const byCutoff = await run(["classify", "quantize", "--model", model, "--out", cutoff, "--cutoff", "20"]);
    assert.equal(byCutoff.code, 0, byCutoff.stderr);
    assert.match(byCutoff.stdout, /^rows: 20 of \d+ kept/m);
    assert.equal((await loadClassifier(cutoff)).quantized?.info.rows, 20);
  });

  const bad: { name: string; args: (work: string) => string[]; code: string }[] = [
    {
      name: "a model directory that does not exist",
      args: (work) => ["--model", join(work, "no-such-model")],
      code: "ARTIFACT_NOT_FOUND",
    },
    {
      name: "--out equal to --model",
      args: () => ["--model", model, "--out", model],
      code: "OPTION_INVALID",
    },
    {
      name: "--cutoff with --target-ratio",
      args: () => ["--model", model, "--cutoff", "10", "--target-ratio", "0.5"],
      code: "OPTION_INVALID",
    },
    {
      name: "a --target-ratio above 1",
      args: () => ["--model", model, "--target-ratio", "1.5"],
      code: "OPTION_INVALID",
    },
    {
      name: "a --target-ratio of 0",
      args: () => ["--model", model, "--target-ratio", "0"],
      code: "OPTION_INVALID",
    },
    {
      name: "a --dsub above the dim",
      args: () => ["--model", model, "--dsub", "17"],
      code: "OPTION_INVALID",
    },
    {
      name: "more than 256 --centroids",
      args: () => ["--model", model, "--centroids", "300"],
      code: "OPTION_INVALID",
    },
    {
      name: "a missing --eval file",
      args: (work) => ["--model", model, "--eval", join(work, "missing.csv")],
      code: "DATA_FILE_NOT_FOUND",
    },
    {
      name: "a model that is quantised already",
      args: () => ["--model", join(dir, "quantized")],
      code: "OPTION_INVALID",
    },
  ];
  for (const c of bad) {
    it(`exits 1 on ${c.name}, printing ${c.code}, and writes nothing`, async () => {
      const work = scratch(`quantize-bad-${c.name.replace(/\W+/g, "-")}`);
      const args = c.args(work);
      const out = args.includes("--out") ? [] : ["--out", join(work, "out")];
      const result = await run(["classify", "quantize", ...args, ...out, "--quiet"]);
      assertCodedFailure(result, c.code);
      assert.deepEqual(readdirSync(work), [], "no output directory, no temporary files");
    });
  }
});

describe("classify autotune", () => {
  it("searches within --duration, printing trials on stderr, then saves the best model with its run record", async () => {
    const out = join(dir, "tuned");
    const result = await run([
      "classify",
      "autotune",
      "--train",
      data,
      "--dev",
      devFile,
      "--test",
      testFile,
      "--out",
      out,
      "--duration",
      "2",
      "--dim",
      "8",
      "--epochs",
      "5",
      "--buckets",
      "5000",
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /^train: 60 examples, 3 labels/m);
    assert.match(result.stderr, /^dev: 12 examples, 3 labels/m);
    assert.match(result.stderr, /^searching for the best dev accuracy for 0:02$/m);
    assert.match(
      result.stderr,
      /^trial 1 dev accuracy \d\.\d{4} \d+\.\d\ds, best \d\.\d{4} \(trial 1\), 0:0\d left: --lr 0\.5 --epochs 5 --dim 8 /m,
    );
    assert.ok(!result.stderr.includes("\r"));

    const best = /^best settings: trial (\d+) of (\d+), dev accuracy (\d\.\d{4})$/m.exec(result.stdout);
    assert.ok(best, result.stdout);
    assert.ok(Number(best[1]) <= Number(best[2]));
    assert.match(
      result.stdout,
      /^ {2}--lr \S+ --epochs \d+ --dim \d+ --word-ngrams \d --minn \d --maxn \d --buckets \d+$/m,
    );
    assert.match(result.stdout, /^dev: 12 examples \(.*dev\.csv\)$/m);
    assert.match(result.stdout, /^test: 12 examples \(.*test\.csv\)$/m);
    assert.ok(result.stdout.includes(`model: ${out} (3 labels, multiclass)`));
    assert.ok(result.stdout.includes(`run record: ${join(out, "run.json")}`));

    const record = JSON.parse(readFileSync(join(out, "run.json"), "utf8"));
    assert.equal(record.final.autotune.metric, "accuracy");
    assert.equal(record.final.autotune.durationSeconds, 2);
    assert.equal(record.final.autotune.bestTrial, Number(best[1]));
    assert.equal(record.final.autotune.trials.length, Number(best[2]));
    assert.equal(record.final.test.examples, 12);
    const tuned = await loadClassifier(out);
    assert.equal(tuned.options.lr, record.options.lr);
    assert.deepEqual(tuned.predict(["the goal match team"])[0]!.labels, ["sport"]);
  });

  it("runs --max-trials trials without a deadline, holds dev out with --split, and prints JSON", async () => {
    const out = join(dir, "tuned-json");
    const args = [
      "classify",
      "autotune",
      "--train",
      data,
      "--out",
      out,
      "--max-trials",
      "3",
      "--metric",
      "macro-f1",
      "--json",
      ...FAST,
    ];
    const result = await run(args);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stderr, "", "--quiet");
    const parsed = JSON.parse(result.stdout);
    assert.equal(parsed.model, out);
    assert.equal(parsed.runRecord, join(out, "run.json"));
    assert.equal(parsed.autotune.metric, "macroF1");
    assert.equal(parsed.autotune.durationSeconds, null);
    assert.deepEqual(
      parsed.autotune.trials.map((t: { trial: number }) => t.trial),
      [1, 2, 3],
    );
    assert.equal(parsed.autotune.trials[0].options.dim, 16);
    assert.equal(
      parsed.autotune.bestMetric,
      Math.max(...parsed.autotune.trials.map((t: { metric: number }) => t.metric)),
    );
    assert.equal(parsed.options.loss, "softmax");
    // the default --split 0.1,0.1 holds 2 of each label's 20 out for dev and 2 for test
    assert.equal(parsed.data.train.examples, 48);
    assert.match(parsed.data.dev.source, /train\.csv, 10% held out by --split$/);
    assert.equal(parsed.metrics.dev.examples, 6);
    assert.equal(parsed.metrics.test.examples, 6);
    assert.equal(parsed.metrics.dev.macroF1, parsed.autotune.bestMetric);
    for (const label of LABELS) assert.equal(parsed.report.test[label].support, 2);

    // Without a deadline the search is deterministic: the same seed gives the same trials.
    const again = await run([...args.slice(0, 5), join(dir, "tuned-json-2"), ...args.slice(6)]);
    assert.equal(again.code, 0, again.stderr);
    const strip = (trials: { seconds: number }[]) => trials.map(({ seconds: _, ...rest }) => rest);
    assert.deepEqual(strip(JSON.parse(again.stdout).autotune.trials), strip(parsed.autotune.trials));
  });

  const bad: { name: string; args: (work: string) => string[]; code: string }[] = [
    { name: "a --duration of 0", args: () => ["--duration", "0"], code: "OPTION_INVALID" },
    { name: "a negative --duration", args: () => ["--duration", "-5"], code: "OPTION_INVALID" },
    { name: "a --duration that is not a number", args: () => ["--duration", "soon"], code: "OPTION_INVALID" },
    { name: "--max-trials 0", args: () => ["--max-trials", "0"], code: "OPTION_INVALID" },
    { name: "an unknown --metric", args: () => ["--metric", "f2"], code: "OPTION_INVALID" },
    { name: "--test without --dev", args: () => ["--test", testFile], code: "OPTION_INVALID" },
    { name: "a --split with no dev part", args: () => ["--split", "0,0.2"], code: "OPTION_INVALID" },
    { name: "--split with --dev", args: () => ["--dev", devFile, "--split", "0.2"], code: "OPTION_INVALID" },
    { name: "a bad --epochs", args: () => ["--epochs", "0"], code: "OPTION_INVALID" },
    {
      name: "a missing --train file",
      args: (work) => ["--train", join(work, "missing.csv")],
      code: "DATA_FILE_NOT_FOUND",
    },
    {
      name: "an empty --dev file",
      args: (work) => {
        const empty = join(dir, `empty-dev-${work.length}.csv`);
        writeFileSync(empty, "text,label\n");
        return ["--dev", empty];
      },
      code: "DATA_EMPTY",
    },
  ];
  for (const c of bad) {
    it(`exits 1 on ${c.name}, printing ${c.code}, and writes nothing`, async () => {
      const work = scratch(`autotune-bad-${c.name.replace(/\W+/g, "-")}`);
      const args = c.args(work);
      const train = args.includes("--train") ? [] : ["--train", data];
      const result = await run([
        "classify",
        "autotune",
        ...train,
        ...args,
        "--out",
        join(work, "out"),
        "--max-trials",
        "1",
        ...FAST,
      ]);
      assertCodedFailure(result, c.code);
      assert.deepEqual(readdirSync(work), [], "no output directory, no temporary files");
    });
  }
});

describe("--help", () => {
  const commands: [string[], RegExp[]][] = [
    [["classify"], [/quantize/, /autotune/]],
    [
      ["classify", "quantize"],
      [/--model <dir>/, /--target-ratio <r>/, /--dsub <n>.*\(default: 2\)/, /--eval <file>/, /Example:/],
    ],
    [
      ["classify", "autotune"],
      [
        /--duration <seconds>/,
        /--metric <metric>.*accuracy, macro-f1, micro-f1/,
        /--split <dev,test>/,
        /Example:/,
      ],
    ],
  ];
  for (const [path, patterns] of commands) {
    it(`describes 'textkit ${path.join(" ")}' and exits 0`, async () => {
      const result = await run([...path, "--help"]);
      assert.equal(result.code, 0, result.stderr);
      for (const pattern of patterns) assert.match(result.stdout, pattern);
    });
  }
});

describe("the library entry", () => {
  it("exports what these commands are built from, so code can do what they do", () => {
    const exported: Record<string, unknown> = {
      quantizeClassifier,
      autotuneClassifier,
      trainClassifier,
      loadFromEntry,
      trainVectors,
      readVecFile,
      writeVecFile,
      loadDataset,
      stratifiedSplit,
      SubwordVectors,
    };
    for (const [name, value] of Object.entries(exported)) assert.equal(typeof value, "function", name);
    assert.equal(loadFromEntry, loadClassifier);
    assert.deepEqual([...AUTOTUNE_METRICS], ["accuracy", "macroF1", "microF1"]);
  });
});
