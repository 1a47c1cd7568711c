/**
 * End-to-end tests of `textkit cluster` on small generated corpora with obvious topics
 * (English and Chinese), on numeric tables, and on broken input.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { describe, it } from "node:test";
import { runCli } from "./support/cli-run.ts";
import { scratchFiles } from "./support/data-files.ts";
import { CHINESE_TOPICS, ENGLISH_TOPICS, topicCorpus } from "./support/topic-corpus.ts";

const scratch = scratchFiles("cli-cluster");
const english = topicCorpus("en", 30);
const chinese = topicCorpus("zh", 30);
const textFile = scratch.write(".txt", `${english.map((t) => t.text).join("\n")}\n`);

function csvField(text: string): string {
  return `"${text.replace(/"/g, '""')}"`;
}

/** The terms printed for each cluster, in order. */
function printedTerms(stdout: string): string[][] {
  return [...stdout.matchAll(/^ {2}terms: (.*)$/gm)].map((m) => m[1]!.split(", "));
}

/** The topic all of whose words the first five terms are, or null. */
function topicOf(terms: string[], topics: Readonly<Record<string, readonly string[]>>): string | null {
  const top = terms.slice(0, 5);
  for (const [name, words] of Object.entries(topics)) if (top.every((t) => words.includes(t))) return name;
  return null;
}

describe("textkit cluster on texts", () => {
  const model = join(scratch.path, "topics");

  it("splits three obvious topics into three clusters named by their words, and saves the model", async () => {
    const r = await runCli(["cluster", "--input", textFile, "--k", "3", "--out", model]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /^input: 90 texts \(/m);
    assert.equal((r.stdout.match(/^cluster \d: 30 texts \(33\.3%\)$/gm) ?? []).length, 3, r.stdout);
    const topics = printedTerms(r.stdout).map((terms) => topicOf(terms, ENGLISH_TOPICS));
    assert.deepEqual(topics.sort(), ["computers", "cooking", "sports"], r.stdout);
    // Two example texts per cluster, quoted.
    assert.equal((r.stdout.match(/^ {2}e\.g\. ".*"$/gm) ?? []).length, 3);
    assert.equal((r.stdout.match(/^ {7}".*"$/gm) ?? []).length, 3);
    assert.match(
      r.stdout,
      /clusters: 3, inertia [\d.]+, silhouette 0\.\d{4} \(90 texts, \d+ terms, cosine\)/,
    );
    assert.match(r.stdout, /run record: .*run\.json/);
    const manifest = JSON.parse(readFileSync(join(model, "manifest.json"), "utf8"));
    assert.equal(manifest.family, "cluster");
    assert.equal(manifest.options.k, 3);
    const run = JSON.parse(readFileSync(join(model, "run.json"), "utf8"));
    assert.equal(run.final.k, 3);
    assert.equal(run.data.train.examples, 90);
  });

  it("assigns new texts to the saved clusters, one JSON line each, from standard input", async () => {
    const trained = await runCli(["cluster", "--input", textFile, "--k", "3", "--json", "-q"]);
    const clusters = JSON.parse(trained.stdout).clusters as {
      cluster: number;
      topTerms: { term: string }[];
    }[];
    const clusterOf = (topic: string) =>
      clusters.find(
        (c) =>
          topicOf(
            c.topTerms.map((t) => t.term),
            ENGLISH_TOPICS,
          ) === topic,
      )!.cluster;
    const r = await runCli(["cluster", "--model", model], {
      stdin: Readable.from(["my laptop screen and keyboard\n\nbake a cake: flour, sugar, butter\n"]),
    });
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    assert.equal(lines.length, 2);
    assert.deepEqual(
      lines.map((l) => [l.line, l.cluster]),
      [
        [1, clusterOf("computers")],
        [3, clusterOf("cooking")],
      ],
    );
    assert.ok(lines.every((l) => l.distance >= 0 && l.distance <= 1));
  });

  it("clusters the text column of a Chinese CSV and compares the clusters with its labels", async () => {
    const csv = scratch.write(
      ".csv",
      `id,content,label\n${chinese.map((t, i) => `${i},${csvField(t.text)},${t.topic}`).join("\n")}\n`,
    );
    const r = await runCli(["cluster", "--input", csv, "--text-column", "content", "--k", "3", "-q"]);
    assert.equal(r.code, 0, r.stderr);
    const topics = printedTerms(r.stdout).map((terms) => topicOf(terms, CHINESE_TOPICS));
    assert.deepEqual(topics.sort(), ["computers", "cooking", "sports"], r.stdout);
    assert.match(r.stdout, /adjusted Rand index against the labels: 1\.0000 \(90 texts, 3 labels\)/);
  });

  it("with a k range, prints the table of k, inertia and silhouette and keeps the best", async () => {
    const r = await runCli(["cluster", "--input", textFile, "--k", "2..5", "--n-init", "4"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^k\s+inertia\s+silhouette\s+iterations\s+time$/m);
    const rows = [...r.stdout.matchAll(/^\s*(\d)\s+([\d.]+)\s+(0\.\d{4})\s+\d+\s+[\d.]+s(.*)$/gm)];
    assert.deepEqual(
      rows.map((m) => Number(m[1])),
      [2, 3, 4, 5],
    );
    const best = rows.find((m) => m[4]!.includes("<- best silhouette"))!;
    assert.equal(Number(best[1]), 3);
    assert.equal(Math.max(...rows.map((m) => Number(m[3]))), Number(best[3]));
    assert.match(r.stdout, /^clusters: 3,/m);

    const json = await runCli([
      "cluster",
      "--input",
      textFile,
      "--k",
      "2..5",
      "--n-init",
      "4",
      "--json",
      "-q",
    ]);
    const result = JSON.parse(json.stdout);
    assert.equal(result.k, 3);
    assert.equal(result.selection.length, 4);
    assert.equal(result.clusters.length, 3);
    assert.equal(result.options.nInit, 4);
  });
});

describe("textkit cluster --numeric", () => {
  const rows: string[] = ["x,y"];
  for (let i = 0; i < 30; i++) {
    const [cx, cy] = [
      [0, 0],
      [20, 0],
      [0, 20],
    ][i % 3]!;
    rows.push(`${cx! + (i % 5) * 0.3},${cy! - (i % 7) * 0.2}`);
  }
  const table = scratch.write(".csv", `${rows.join("\n")}\n`);

  it("clusters rows of numbers, saves the model and assigns rows with it", async () => {
    const out = join(scratch.path, "numeric");
    const r = await runCli([
      "cluster",
      "--input",
      table,
      "--numeric",
      "--k",
      "2..4",
      "--out",
      out,
      "--json",
      "-q",
    ]);
    assert.equal(r.code, 0, r.stderr);
    const result = JSON.parse(r.stdout);
    assert.equal(result.task, "numeric-clustering");
    assert.equal(result.k, 3);
    assert.ok(result.silhouette > 0.9);
    assert.deepEqual(
      result.clusters.map((c: { size: number }) => c.size),
      [10, 10, 10],
    );
    const assigned = await runCli(["cluster", "--model", out, "--input", table]);
    assert.equal(assigned.code, 0, assigned.stderr);
    const lines = assigned.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    assert.equal(lines.length, 30);
    assert.deepEqual(lines[0], { cluster: lines[3].cluster, distance: lines[0].distance, line: 2 });
  });

  it("refuses an empty cell and a cell that is not a number with the file, line and column, writing nothing", async () => {
    const out = join(scratch.path, "never");
    const missing = scratch.write(".csv", "x,y\n1,2\n3,4\n5,\n");
    let r = await runCli(["cluster", "--input", missing, "--numeric", "--k", "2", "--out", out]);
    assert.equal(r.code, 1);
    assert.ok(r.stderr.includes(`${missing}:4: line 4, column "y" (2 of 2) has no value`), r.stderr);
    assert.match(r.stderr, /\[DATA_MISSING_VALUE\]/);
    const text = scratch.write(".csv", "x,y\n1,2\nthree,4\n5,6\n");
    r = await runCli(["cluster", "--input", text, "--numeric", "--k", "2", "--out", out]);
    assert.equal(r.code, 1);
    assert.ok(r.stderr.includes(`${text}:3: line 3, column "x" (1 of 2) holds "three"`), r.stderr);
    assert.match(r.stderr, /\[DATA_NOT_NUMERIC\]/);
    assert.equal(r.stdout, "");
    assert.ok(!existsSync(out));
  });
});

describe("textkit cluster refuses", () => {
  it("bad options before reading anything, and more clusters than texts", async () => {
    let r = await runCli(["cluster", "--input", textFile, "--k", "many"]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /--k must be a number of clusters such as 8, or a range such as 4\.\.12/);
    r = await runCli(["cluster", "--input", textFile, "--k", "6..3"]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /OPTION_INVALID/);
    const few = scratch.write(".txt", "one text\nanother text\n");
    r = await runCli(["cluster", "--input", few, "--k", "5", "--min-df", "1"]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /5 clusters need at least 5 texts; there are 2/);
    r = await runCli(["cluster", "--input", textFile, "--features", "vectors"]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /needs a \.vec file/);
    r = await runCli(["cluster", "--input", textFile, "--numeric", "--min-df", "3"]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /--min-df applies to texts/);
    r = await runCli(["cluster", "--input", textFile, "--numeric", "--no-header"]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /--numeric reads a table with a header row/);
  });

  it("an empty or missing input, and a model directory that holds other files", async () => {
    const empty = scratch.write(".txt", "\n\n");
    let r = await runCli(["cluster", "--input", empty, "--k", "2"]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /DATA_EMPTY/);
    r = await runCli(["cluster", "--input", join(scratch.path, "absent.txt")]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /DATA_FILE_NOT_FOUND/);
    const busy = join(scratch.path, "busy");
    mkdirSync(busy);
    writeFileSync(join(busy, "notes.txt"), "keep me");
    r = await runCli(["cluster", "--input", textFile, "--k", "3", "--out", busy]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /holds files but no textkit model/);
  });

  it("training options with --model, and a directory that is not a model", async () => {
    let r = await runCli(["cluster", "--model", scratch.path, "--k", "3", "--input", textFile]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /--k applies to training/);
    r = await runCli(["cluster", "--model", scratch.path, "--input", textFile]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /ARTIFACT_NOT_FOUND/);
  });
});
