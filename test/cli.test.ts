/**
 * End-to-end tests of the `textkit` command line on small generated data. Most commands run
 * in-process through `main` with captured output; the exit codes of a real process (errors,
 * usage, predict on standard input) are checked by spawning `src/cli/main.ts`.
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { Capture, type CliResult as Result, runCli } from "./support/cli-run.ts";
import { CLI_TOPICS, topicRows } from "./support/topic-corpus.ts";

const MAIN = fileURLToPath(new URL("../src/cli/main.ts", import.meta.url));
// Resolved here so that a child started in a temporary directory still finds tsx.
const TSX = import.meta.resolve("tsx");

const run = runCli;

function spawn(args: string[], cwd: string, input?: string | Buffer): Result {
  const env = { ...process.env };
  delete env["TEXTKIT_DEBUG"];
  const child = spawnSync(process.execPath, ["--import", TSX, MAIN, ...args], {
    cwd,
    input,
    encoding: "utf8",
    env,
    timeout: 60_000,
  });
  return { code: child.status ?? -1, stdout: child.stdout, stderr: child.stderr };
}

// Three topics with disjoint vocabularies: any working classifier separates them.
const LABELS = Object.keys(CLI_TOPICS);

const csv = (rows: { text: string; label: string }[]): string =>
  `text,label\n${rows.map((r) => `${r.text},${r.label}`).join("\n")}\n`;
const jsonl = (rows: { text: string; label: string }[]): string =>
  rows.map((r) => `${JSON.stringify({ text: r.text, label: r.label })}\n`).join("");
const fasttext = (rows: { text: string; label: string }[]): string =>
  rows.map((r) => `__label__${r.label} ${r.text}\n`).join("");

const FAST = ["--epochs", "15", "--dim", "16", "--buckets", "5000", "--quiet"];
const HEADER = "precision    recall  f1-score   support";

let dir: string;
let data: string;
let model: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "textkit-cli-"));
  data = join(dir, "train.csv");
  writeFileSync(data, csv(topicRows(20)));
  model = join(dir, "model");
  // One model for the eval and predict tests; the train tests check this run too.
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

describe("classify train", () => {
  it("saves the model with manifest and run record and prints the dev and test reports", async () => {
    const out = join(dir, "trained");
    // --no-refit: the saved model is the one the reports describe (the refit has its own test).
    const result = await run(["classify", "train", "--train", data, "--out", out, "--no-refit", ...FAST]);
    assert.equal(result.code, 0, result.stderr);
    assert.ok(existsSync(join(out, "manifest.json")));
    const manifest = JSON.parse(readFileSync(join(out, "manifest.json"), "utf8"));
    assert.equal(manifest.family, "classifier");
    assert.deepEqual(manifest.labels, [...LABELS].sort());
    assert.equal(manifest.options.epochs, 15);
    // the default --split 0.1,0.1 holds 2 of each label's 20 out for dev and 2 for test
    assert.match(result.stdout, /^dev: 6 examples \(.*train\.csv, 10% held out by --split\)$/m);
    assert.match(result.stdout, /^test: 6 examples \(.*train\.csv, 10% held out by --split\)$/m);
    assert.equal(result.stdout.split(HEADER).length, 3, "one report each for dev and test");
    assert.ok(result.stdout.indexOf("dev: ") < result.stdout.indexOf("test: "));
    assert.ok(result.stdout.includes(`run record: ${join(out, "run.json")}`));
    const record = JSON.parse(readFileSync(join(out, "run.json"), "utf8"));
    assert.equal(record.data.train.examples, 48);
    assert.equal(record.epochs.length, 15);
    assert.equal(record.final.test.examples, 6);
    // --quiet: nothing on stderr
    assert.equal(result.stderr, "");
  });

  it("prints progress, data and epoch lines on stderr unless quiet, without carriage returns off a terminal", async () => {
    const out = join(dir, "verbose");
    const result = await run([
      "classify",
      "train",
      "--train",
      data,
      "--out",
      out,
      "--epochs",
      "3",
      "--dim",
      "8",
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /^train: 48 examples, 3 labels/m);
    assert.match(result.stderr, /^epoch 1\/3 loss \d+\.\d{4} dev accuracy \d\.\d{4} macro-F1/m);
    assert.match(result.stderr, /^epoch 3\/3 /m);
    assert.ok(!result.stderr.includes("\r"));
  });

  it("prints one JSON object with options, metrics and reports with --json", async () => {
    const out = join(dir, "json");
    const result = await run(["classify", "train", "--train", data, "--out", out, "--json", ...FAST]);
    assert.equal(result.code, 0, result.stderr);
    const parsed = JSON.parse(result.stdout);
    assert.equal(parsed.model, out);
    assert.equal(parsed.runRecord, join(out, "run.json"));
    assert.equal(parsed.options.epochs, 15);
    assert.equal(parsed.options.dim, 16);
    assert.equal(parsed.options.loss, "softmax");
    assert.equal(parsed.metrics.test.examples, 6);
    assert.ok(parsed.metrics.dev.accuracy >= 0 && parsed.metrics.dev.accuracy <= 1);
    for (const label of LABELS) assert.equal(parsed.report.test[label].support, 2);
    assert.equal(parsed.report.test["macro avg"].support, 6);
  });

  it("takes separate JSONL dev and test files and fastText training data", async () => {
    const train = join(dir, "train.txt");
    const dev = join(dir, "dev.jsonl");
    const test = join(dir, "test.jsonl");
    writeFileSync(train, fasttext(topicRows(20)));
    writeFileSync(dev, jsonl(topicRows(4, 20)));
    writeFileSync(test, jsonl(topicRows(5, 24)));
    const out = join(dir, "separate");
    const args = ["classify", "train", "--train", train, "--dev", dev, "--test", test, "--out", out];
    const result = await run([...args, ...FAST]);
    assert.equal(result.code, 0, result.stderr);
    assert.ok(result.stdout.includes(`dev: 12 examples (${dev})`));
    assert.ok(result.stdout.includes(`test: 15 examples (${test})`));
    const accuracy = Number(/^test: [\s\S]*?^accuracy (\d\.\d+)/m.exec(result.stdout)?.[1]);
    // the topics share no word, so a trained model gets them all
    assert.ok(accuracy >= 0.9, `test accuracy ${accuracy}`);
  });

  it("trains a one-vs-all model on multi-label data unless told otherwise", async () => {
    const multi = join(dir, "multi.csv");
    const rows = topicRows(20).map((r, i) => ({ ...r, label: i % 4 === 0 ? `${r.label}|news` : r.label }));
    writeFileSync(multi, `text,labels\n${rows.map((r) => `${r.text},${r.label}`).join("\n")}\n`);
    const out = join(dir, "multi-model");
    const result = await run(["classify", "train", "--train", multi, "--out", out, ...FAST]);
    assert.equal(result.code, 0, result.stderr);
    const manifest = JSON.parse(readFileSync(join(out, "manifest.json"), "utf8"));
    assert.equal(manifest.task, "multilabel");
    assert.equal(manifest.options.loss, "ova");
    assert.match(result.stdout, /^ *samples avg /m);
    assert.match(result.stdout, /^exact-match accuracy \d\.\d{4}$/m);
    const softmax = join(dir, "multi-softmax");
    const forced = await run([
      "classify",
      "train",
      "--train",
      multi,
      "--out",
      softmax,
      ...FAST,
      "--loss",
      "softmax",
    ]);
    assert.equal(forced.code, 0, forced.stderr);
    assert.equal(JSON.parse(readFileSync(join(softmax, "manifest.json"), "utf8")).options.loss, "softmax");
  });

  it("refuses --split together with --dev, before training", async () => {
    const out = join(dir, "split-and-dev");
    const result = await run([
      "classify",
      "train",
      "--train",
      data,
      "--dev",
      data,
      "--split",
      "0.2",
      "--out",
      out,
    ]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /--split .* cannot be combined with --dev or --test .*\[OPTION_INVALID\]/);
    assert.ok(!existsSync(out));
  });

  it("refuses to replace a directory that holds something other than a model", async () => {
    const out = scratch("precious");
    writeFileSync(join(out, "notes.txt"), "keep me");
    const result = await run(["classify", "train", "--train", data, "--out", out, ...FAST]);
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      /^error: .*precious: --out .* holds files but no textkit model.*\[OPTION_INVALID\]$/m,
    );
    assert.deepEqual(readdirSync(out), ["notes.txt"]);
  });

  it("replaces a model trained before", async () => {
    const out = join(dir, "retrained");
    assert.equal((await run(["classify", "train", "--train", data, "--out", out, ...FAST])).code, 0);
    const again = await run(["classify", "train", "--train", data, "--out", out, ...FAST, "--dim", "8"]);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(JSON.parse(readFileSync(join(out, "manifest.json"), "utf8")).options.dim, 8);
  });
});

describe("classify eval", () => {
  it("prints scikit-learn's report, accuracy, top-k accuracy and the confusion matrix", async () => {
    const test = join(dir, "eval.csv");
    writeFileSync(test, csv(topicRows(5, 30)));
    const result = await run([
      "classify",
      "eval",
      "--model",
      model,
      "--data",
      test,
      "--confusion",
      "--top-k",
      "2",
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.ok(result.stdout.includes(HEADER));
    assert.match(result.stdout, /^eval: 15 examples /m);
    for (const label of LABELS) assert.match(result.stdout, new RegExp(`^ *${label} +\\d\\.\\d\\d +`, "m"));
    const accuracy = Number(/^accuracy (\d\.\d{4}) {2}top-2 accuracy (\d\.\d{4})$/m.exec(result.stdout)?.[1]);
    assert.ok(accuracy >= 0.9, result.stdout);
    assert.match(result.stdout, /^true \\ pred +food +sport +weather$/m);
  });

  it("prints JSON whose numbers agree with each other", async () => {
    const test = join(dir, "eval.jsonl");
    writeFileSync(test, jsonl(topicRows(4, 40)));
    const result = await run(["classify", "eval", "--model", model, "--data", test, "--json", "--confusion"]);
    assert.equal(result.code, 0, result.stderr);
    const parsed = JSON.parse(result.stdout);
    assert.equal(parsed.examples, 12);
    const cm: number[][] = parsed.confusion.matrix;
    const correct = cm.reduce((sum, row, i) => sum + row[i]!, 0);
    assert.equal(parsed.accuracy, correct / 12);
    assert.equal(parsed.report.accuracy, parsed.accuracy);
    assert.deepEqual(parsed.confusion.labels, [...LABELS].sort());
  });

  it("honours --digits", async () => {
    const result = await run(["classify", "eval", "--model", model, "--data", data, "--digits", "4"]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^ +macro avg +\d\.\d{4} +\d\.\d{4} +\d\.\d{4} +60$/m);
  });

  it("says when the model directory is not a model", async () => {
    const empty = scratch("not-a-model");
    const result = await run(["classify", "eval", "--model", empty, "--data", data]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /\[ARTIFACT_NOT_FOUND\]/);
  });
});

describe("classify predict", () => {
  it("labels standard input, one JSON line per non-blank line, in order (real process)", () => {
    const cwd = scratch("predict-cwd");
    const lines = ["goal match team", "", "rain and storm today", "pizza with cheese", "  ", "coach league"];
    const result = spawn(["classify", "predict", "--model", model, "--k", "2"], cwd, `${lines.join("\n")}\n`);
    assert.equal(result.code, 0, result.stderr);
    const out = result.stdout
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line));
    assert.equal(out.length, 4);
    assert.deepEqual(
      out.map((p) => p.text),
      ["goal match team", "rain and storm today", "pizza with cheese", "coach league"],
    );
    assert.deepEqual(
      out.map((p) => p.line),
      [1, 3, 4, 6],
    );
    assert.deepEqual(
      out.map((p) => p.labels[0]),
      ["sport", "weather", "food", "sport"],
    );
    for (const p of out) {
      assert.equal(p.labels.length, 2);
      assert.equal(p.scores.length, 2);
      assert.ok(p.scores[0] >= p.scores[1]);
      assert.ok(p.scores[0] <= 1 && p.scores[1] >= 0);
    }
  });

  it("reads the text column of a CSV file in batches, keeping the order", async () => {
    const input = join(dir, "predict.csv");
    const rows = topicRows(30, 50);
    writeFileSync(input, csv(rows));
    const result = await run([
      "classify",
      "predict",
      "--model",
      model,
      "--input",
      input,
      "--batch-size",
      "7",
    ]);
    assert.equal(result.code, 0, result.stderr);
    const out = result.stdout
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line));
    assert.equal(out.length, rows.length);
    assert.deepEqual(
      out.map((p) => p.text),
      rows.map((r) => r.text),
    );
    assert.deepEqual(out[0].line, 2);
    const right = out.filter((p, i) => p.labels[0] === rows[i]!.label).length;
    assert.ok(right / rows.length >= 0.9);
  });

  it("names <stdin> and the line of invalid UTF-8 on standard input (real process)", () => {
    const cwd = scratch("predict-bad-cwd");
    const input = Buffer.concat([Buffer.from("goal match\n"), Buffer.from([0x66, 0xff, 0x0a])]);
    const result = spawn(["classify", "predict", "--model", model], cwd, input);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^error: <stdin>:2: .*\[DATA_INVALID_UTF8\]$/m);
    // the line before the bad one was labelled and written
    assert.equal(result.stdout.trimEnd().split("\n").length, 1);
  });

  it("streams standard input in batches, writing before the input ends", async () => {
    // stdin that yields a second batch only after the first batch's predictions are out
    const stdout = new Capture();
    async function* stdin(): AsyncGenerator<Buffer> {
      yield Buffer.from("goal match\nrain storm\n");
      assert.equal(
        stdout.text.trimEnd().split("\n").length,
        2,
        "the first batch is written before more is read",
      );
      yield Buffer.from("pizza soup\n");
    }
    const result = await run(["classify", "predict", "--model", model, "--batch-size", "2"], {
      stdin: stdin(),
      stdout,
    });
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(
      stdout.text
        .trimEnd()
        .split("\n")
        .map((line) => JSON.parse(line).labels[0]),
      ["sport", "weather", "food"],
    );
  });

  it("reads only plain text from standard input", async () => {
    const result = await run(["classify", "predict", "--model", model, "--format", "csv"], {
      stdin: Readable.from([Buffer.from("text\nhi\n")]),
    });
    assert.equal(result.code, 1);
    assert.match(result.stderr, /--format csv reads a file: pass it with --input .*\[OPTION_INVALID\]/);
  });

  it("refuses a text column the file does not have", async () => {
    const input = join(dir, "predict-nocol.jsonl");
    writeFileSync(input, `${JSON.stringify({ body: "goal" })}\n`);
    const result = await run(["classify", "predict", "--model", model, "--input", input]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /predict-nocol\.jsonl:1: .*\[DATA_MISSING_COLUMN\]/);
  });
});

describe("vectors train", () => {
  it("writes a .vec file that classify train can start from", async () => {
    const corpus = join(dir, "corpus.txt");
    writeFileSync(
      corpus,
      `${topicRows(40)
        .map((r) => r.text)
        .join("\n")}\n`,
    );
    const vec = join(dir, "vectors", "words.vec");
    const result = await run([
      "vectors",
      "train",
      "--input",
      corpus,
      "--out",
      vec,
      "--dim",
      "8",
      "--epochs",
      "2",
      "--min-count",
      "2",
      "--quiet",
    ]);
    assert.equal(result.code, 0, result.stderr);
    const lines = readFileSync(vec, "utf8").trimEnd().split("\n");
    const [count, dim] = lines[0]!.split(" ").map(Number);
    assert.equal(dim, 8);
    // every word of the corpus occurs at least twice: 21 topic words and 6 fillers
    assert.equal(count, 27);
    assert.equal(lines.length, 28);
    for (const line of lines.slice(1)) assert.equal(line.split(" ").length, 9);
    assert.ok(result.stdout.includes(`vectors: ${vec} (27 words, dim 8,`));

    const out = join(dir, "pretrained");
    const trained = await run([
      "classify",
      "train",
      "--train",
      data,
      "--out",
      out,
      "--pretrained-vectors",
      vec,
      ...FAST,
      "--dim",
      "8",
    ]);
    assert.equal(trained.code, 0, trained.stderr);
    const manifest = JSON.parse(readFileSync(join(out, "manifest.json"), "utf8"));
    assert.equal(manifest.options.pretrainedVectors, vec);
  });

  it("fails with the input file when too few words are left, writing nothing", async () => {
    const corpus = join(dir, "tiny-corpus.txt");
    writeFileSync(corpus, "one two three\n");
    const vec = join(dir, "tiny.vec");
    const result = await run(["vectors", "train", "--input", corpus, "--out", vec, "--quiet"]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^error: .*tiny-corpus\.txt: .*\[DATA_TOO_FEW_WORDS\]$/m);
    assert.ok(!existsSync(vec));
  });
});

describe("demo", () => {
  it("trains every sample folder with a sample.json into <out>/models/<name>", async () => {
    const samples = scratch("samples");
    const sample = join(samples, "topics");
    mkdirSync(sample);
    writeFileSync(join(sample, "train.csv"), csv(topicRows(10)));
    writeFileSync(join(sample, "test.csv"), csv(topicRows(3, 10)));
    writeFileSync(
      join(sample, "sample.json"),
      JSON.stringify({
        name: "topics",
        description: "three topics",
        train: "train.csv",
        test: "test.csv",
        options: { epochs: 10, dim: 8, buckets: 1000 },
      }),
    );
    mkdirSync(join(samples, "not-a-sample"));
    const out = join(dir, "demo-out");
    const result = await run(["demo", "--samples", samples, "--out", out, "--quiet"]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^== topics: three topics ==$/m);
    assert.ok(result.stdout.includes(HEADER));
    assert.deepEqual(readdirSync(join(out, "models")), ["topics"]);
    const manifest = JSON.parse(readFileSync(join(out, "models", "topics", "manifest.json"), "utf8"));
    assert.equal(manifest.options.epochs, 10);
    assert.ok(result.stdout.includes(`textkit classify predict --model ${join(out, "models", "topics")}`));
  });

  it("trains the bundled Chinese sample to a useful model", async () => {
    const out = join(dir, "demo-zh");
    const result = await run(["demo", "--only", "support-zh", "--out", out, "--quiet"]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^== support-zh: /m);
    assert.match(result.stdout, /^test: 144 examples \(.*support-zh[/\\]test\.csv\)$/m);
    const accuracy = Number(/^test: [\s\S]*?^accuracy (\d\.\d+)/m.exec(result.stdout)?.[1]);
    assert.ok(accuracy > 0.7, `test accuracy ${accuracy}`);
    const manifest = JSON.parse(readFileSync(join(out, "models", "support-zh", "manifest.json"), "utf8"));
    assert.equal(manifest.labels.length, 12);
  });

  it("trains a tagger sample (family: tagger) and suggests tag predict", async () => {
    const out = join(dir, "demo-ner");
    const result = await run(["demo", "--only", "ner-en", "--out", out, "--quiet"]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^== ner-en: /m);
    assert.match(result.stdout, /^test: 153 sentences \(.*ner-en[/\\]test\.conll\)$/m);
    assert.match(result.stdout, /Entity-level report, strict matching/);
    assert.ok(result.stdout.includes(`textkit tag predict --model ${join(out, "models", "ner-en")}`));
    const manifest = JSON.parse(readFileSync(join(out, "models", "ner-en", "manifest.json"), "utf8"));
    assert.equal(manifest.family, "tagger");
  });

  it("trains the monitor's topic and sentiment samples from one file's two label columns, and writes its configuration", async () => {
    const out = join(dir, "demo-monitor");
    const result = await run([
      "demo",
      "--only",
      "monitor-topic",
      "monitor-sentiment",
      "--out",
      out,
      "--quiet",
    ]);
    assert.equal(result.code, 0, result.stderr);
    const accuracyOf = (name: string) =>
      Number(
        new RegExp(`^== ${name}: [\\s\\S]*?^test: [\\s\\S]*?^accuracy (\\d\\.\\d+)`, "m").exec(
          result.stdout,
        )?.[1],
      );
    assert.ok(accuracyOf("monitor-topic") > 0.75, `topic accuracy ${accuracyOf("monitor-topic")}`);
    assert.ok(accuracyOf("monitor-sentiment") > 0.6, `sentiment accuracy ${accuracyOf("monitor-sentiment")}`);
    const labels = (name: string) =>
      JSON.parse(readFileSync(join(out, "models", name, "manifest.json"), "utf8")).labels as string[];
    assert.deepEqual(labels("monitor-topic"), ["banking", "consumer", "economy", "markets", "technology"]);
    assert.deepEqual(labels("monitor-sentiment"), ["negative", "neutral", "positive"]);
    const config = JSON.parse(readFileSync(join(out, "monitor.json"), "utf8"));
    assert.deepEqual(config.models, { topic: "monitor-topic", sentiment: "monitor-sentiment" });
    assert.ok(config.rules.length >= 2);
    assert.ok(result.stdout.includes(`--monitor ${join(out, "monitor.json")}`));
  });

  it("refuses textColumn or labelColumn on a tagger sample", async () => {
    const samples = scratch("bad-columns");
    mkdirSync(join(samples, "x"));
    writeFileSync(
      join(samples, "x", "sample.json"),
      JSON.stringify({ name: "x", train: "t.conll", family: "tagger", labelColumn: "tag" }),
    );
    const result = await run(["demo", "--samples", samples, "--out", join(dir, "demo-bad-columns")]);
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      /sample\.json: "textColumn" and "labelColumn" are for classifier samples.*\[OPTION_INVALID\]/,
    );
  });

  it("refuses a sample.json with an unknown family", async () => {
    const samples = scratch("bad-family");
    mkdirSync(join(samples, "x"));
    writeFileSync(
      join(samples, "x", "sample.json"),
      JSON.stringify({ name: "x", train: "t.csv", family: "parser" }),
    );
    const result = await run(["demo", "--samples", samples, "--out", join(dir, "demo-bad-family")]);
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      /sample\.json: "family" must be "classifier", "tagger" or "assistant", got "parser" \[OPTION_INVALID\]/,
    );
  });

  it("says clearly when there is no samples folder", async () => {
    const result = await run(["demo", "--samples", join(dir, "no-samples"), "--out", join(dir, "demo-none")]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^error: .*no-samples: no such samples folder.*\[DATA_FILE_NOT_FOUND\]$/m);
    assert.ok(!existsSync(join(dir, "demo-none")));
  });

  it("refuses a sample.json with an unknown option, naming the file", async () => {
    const samples = scratch("bad-samples");
    mkdirSync(join(samples, "x"));
    writeFileSync(
      join(samples, "x", "sample.json"),
      JSON.stringify({ name: "x", train: "t.csv", options: { epoch: 3 } }),
    );
    const result = await run(["demo", "--samples", samples, "--out", join(dir, "demo-bad")]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /sample\.json: .*unknown key "epoch".*\[OPTION_INVALID\]/);
  });
});

describe("errors", () => {
  interface BadCase {
    name: string;
    file: string;
    content: string | Buffer;
    extra?: string[];
    code: string;
    /** The line the error must name; null when the error is about the whole file; undefined for no file. */
    line: number | null | undefined;
  }
  const good = csv(topicRows(20));
  const cases: BadCase[] = [
    {
      name: "a missing column",
      file: "nocol.csv",
      content: "body,label\nhi,a\n",
      code: "DATA_MISSING_COLUMN",
      line: 1,
    },
    {
      name: "an empty text",
      file: "empty.csv",
      content: 'text,label\ngoal match,sport\n"  ",food\n',
      code: "DATA_EMPTY_TEXT",
      line: 3,
    },
    {
      name: "a single class",
      file: "single.csv",
      content: "text,label\ngoal,sport\nmatch,sport\n",
      code: "DATA_SINGLE_CLASS",
      line: null,
    },
    {
      name: "invalid UTF-8",
      file: "latin1.csv",
      content: Buffer.concat([
        Buffer.from("text,label\ngoal,sport\n"),
        Buffer.from([0x63, 0x61, 0x66, 0xe9]),
        Buffer.from(",food\n"),
      ]),
      code: "DATA_INVALID_UTF8",
      line: 3,
    },
    {
      name: "an unknown extension",
      file: "data.xlsx",
      content: good,
      code: "DATA_UNKNOWN_FORMAT",
      line: null,
    },
    {
      name: "a bad --epochs",
      file: "ok.csv",
      content: good,
      extra: ["--epochs", "abc"],
      code: "OPTION_INVALID",
      line: undefined,
    },
    {
      name: "a bad --lr",
      file: "ok2.csv",
      content: good,
      extra: ["--lr", "-1"],
      code: "OPTION_INVALID",
      line: undefined,
    },
    {
      name: "an out-of-range --word-ngrams",
      file: "ok3.csv",
      content: good,
      extra: ["--word-ngrams", "99"],
      code: "OPTION_INVALID",
      line: undefined,
    },
    {
      name: "a split too small for the data",
      file: "small.csv",
      content: "text,label\ngoal,sport\nrain,weather\n",
      code: "DATA_SPLIT_TOO_SMALL",
      line: null,
    },
  ];

  for (const c of cases) {
    it(`exits 1 on ${c.name}, printing ${c.code} with file and line, and writes nothing`, async () => {
      const work = scratch(`bad-${c.file}`);
      const path = join(work, c.file);
      writeFileSync(path, c.content);
      const out = join(work, "model");
      const result = await run([
        "classify",
        "train",
        "--train",
        path,
        "--out",
        out,
        ...FAST,
        ...(c.extra ?? []),
      ]);
      assert.equal(result.code, 1, result.stderr);
      const where = c.line === undefined ? "" : c.line === null ? `${path}: ` : `${path}:${c.line}: `;
      const first = result.stderr.split("\n")[0]!;
      assert.ok(first.startsWith(`error: ${where}`), first);
      if (c.line === null) assert.doesNotMatch(first, new RegExp(`${c.file}:\\d+:`));
      assert.ok(first.endsWith(`[${c.code}]`), first);
      assert.match(result.stderr, /^hint: \S/m);
      assert.doesNotMatch(result.stderr, /^\s+at /m);
      assert.equal(result.stdout, "");
      assert.ok(!existsSync(out), "no model directory");
      assert.deepEqual(readdirSync(work), [c.file], "no temporary files left");
    });
  }

  it("exits 1 with file and line and no stack trace from a real process", () => {
    const cwd = scratch("spawn-bad");
    writeFileSync(
      join(cwd, "bad.csv"),
      Buffer.concat([Buffer.from("text,label\n"), Buffer.from([0xff, 0x2c, 0x61, 0x0a])]),
    );
    const result = spawn(["classify", "train", "--train", "bad.csv", "--out", "model"], cwd);
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /^error: bad\.csv:2: .*\[DATA_INVALID_UTF8\]\nhint: /);
    assert.doesNotMatch(result.stderr, /^\s+at /m);
    assert.deepEqual(readdirSync(cwd), ["bad.csv"]);

    const epochs = spawn(
      ["classify", "train", "--train", "bad.csv", "--out", "model", "--epochs", "abc"],
      cwd,
    );
    assert.equal(epochs.code, 1);
    assert.equal(
      epochs.stderr.split("\n")[0],
      "error: --epochs must be a whole number >= 1, got 'abc' [OPTION_INVALID]",
    );
  });

  it("exits 2 on usage errors: a missing required option (real process) or an unknown one", async () => {
    const cwd = scratch("spawn-usage");
    const missing = spawn(["classify", "train", "--out", "model"], cwd);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /required option '--train <file>' not specified/);
    assert.deepEqual(readdirSync(cwd), []);

    const unknown = await run([
      "classify",
      "train",
      "--train",
      data,
      "--out",
      join(dir, "u"),
      "--epoch",
      "3",
    ]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /unknown option '--epoch'/);
    assert.match(unknown.stderr, /Did you mean --epochs\?/);

    const noCommand = await run(["classify"]);
    assert.equal(noCommand.code, 2);
    assert.match(noCommand.stderr, /Usage: textkit classify/);

    const typo = await run(["clasify"]);
    assert.equal(typo.code, 2);
    assert.match(typo.stderr, /unknown command 'clasify'/);
  });

  it("exits 70 and calls it a bug when something unexpected fails", async () => {
    const broken = new Capture();
    broken.write = () => {
      throw new Error("disk on fire");
    };
    const result = await run(["classify", "eval", "--model", model, "--data", data], { stdout: broken });
    assert.equal(result.code, 70);
    assert.match(result.stderr, /^error: disk on fire\nthis is a bug in textkit/);
    assert.doesNotMatch(result.stderr, /^\s+at /m);
  });
});

describe("--help", () => {
  const commands: [string[], RegExp[]][] = [
    [[], [/Usage: textkit \[options\] \[command\]/, /classify/, /vectors/, /demo/]],
    [["classify"], [/train/, /eval/, /predict/]],
    [
      ["classify", "train"],
      [
        /--train <file>/,
        /--epochs <n> +passes over the training data \(default: 10\)/,
        /\(default: 0\.1,0\.1\)/,
      ],
    ],
    [
      ["classify", "eval"],
      [/--model <dir>/, /--top-k <k>.*\(default: 5\)/, /--digits <n>.*\(default: 2\)/],
    ],
    [
      ["classify", "predict"],
      [/standard input/, /--k <k>.*\(default: 1\)/, /--threshold <p>.*\(default: 0\)/],
    ],
    [
      ["vectors", "train"],
      [/\.vec/, /--window <n>.*\(default: 5\)/, /--lr <rate>.*\(default: 0\.05\)/],
    ],
    [["demo"], [/sample\.json/, /--out <dir>.*\(default: "demo-output"\)/]],
  ];
  for (const [path, patterns] of commands) {
    it(`describes 'textkit ${path.join(" ")}' and exits 0`, async () => {
      const result = await run([...path, "--help"]);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stderr, "");
      for (const pattern of patterns) assert.match(result.stdout, pattern);
    });
  }

  it("prints the version", async () => {
    const result = await run(["--version"]);
    assert.equal(result.code, 0);
    const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
    assert.equal(result.stdout.trim(), pkg.version);
  });
});
