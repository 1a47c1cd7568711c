/**
 * End-to-end tests of `textkit tag train | eval | predict` on the bundled samples
 * (samples/ner-en in CoNLL, samples/ner-zh in JSONL spans) and on small broken files.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { runCli } from "./support/cli-run.ts";
import { scratchFiles } from "./support/data-files.ts";

const SAMPLES = fileURLToPath(new URL("../samples/", import.meta.url));
const EN = join(SAMPLES, "ner-en");
const ZH = join(SAMPLES, "ner-zh");
const scratch = scratchFiles("cli-tag");

interface Entity {
  text: string;
  label: string;
  start: number;
  end: number;
}

describe("textkit tag on the English sample (CoNLL)", () => {
  const model = join(scratch.path, "ner-en");

  it("trains with dev and test files, printing entity-level then token-level reports", async () => {
    const r = await runCli([
      "tag",
      "train",
      "--train",
      join(EN, "train.conll"),
      "--dev",
      join(EN, "dev.conll"),
      "--test",
      join(EN, "test.conll"),
      "--out",
      model,
      "--epochs",
      "12",
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /^train: \d+ sentences, \d+ tokens, \d+ entities of 6 types/m);
    assert.match(r.stderr, /epoch 1\/12 .*dev entity-F1 0\.\d{4}/);
    const testPart = r.stdout.slice(r.stdout.indexOf("test: "));
    assert.match(testPart, /Entity-level report, strict matching/);
    assert.match(testPart, /Token-level report \(not entity-level\), with O/);
    assert.match(testPart, /Token-level report \(not entity-level\), without O/);
    const micro = /micro avg\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+(\d+)/.exec(testPart);
    assert.ok(micro !== null, testPart);
    // Most test names are unseen in training; a working tagger still finds most entities.
    assert.ok(Number(micro[3]) > 0.5, `test entity F1 ${micro[3]}`);
    assert.ok(existsSync(join(model, "manifest.json")));
    const manifest = JSON.parse(readFileSync(join(model, "manifest.json"), "utf8"));
    assert.equal(manifest.family, "tagger");
    assert.deepEqual(manifest.labels, ["DATE", "LOC", "MONEY", "ORG", "PER", "PRODUCT"]);
    const run = JSON.parse(readFileSync(join(model, "run.json"), "utf8"));
    assert.ok(run.epochs.length >= 1 && run.final.test.entityF1 > 0.5);
  });

  it("evaluates as JSON with the same test F1 the training printed", async () => {
    const r = await runCli(["tag", "eval", "--model", model, "--data", join(EN, "test.conll"), "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const result = JSON.parse(r.stdout);
    const run = JSON.parse(readFileSync(join(model, "run.json"), "utf8"));
    assert.equal(result.metrics.entityF1, run.final.test.entityF1);
    assert.equal(result.entities["micro avg"]["f1-score"], result.metrics.entityF1);
  });

  it("finds entities in raw text with offsets into each line, from a file or standard input", async () => {
    const input = scratch.write(
      ".txt",
      "Maria Lopez moved to Lisbon in March 2025.\n\nNothing to see here\n",
    );
    const r = await runCli(["tag", "predict", "--model", model, "--input", input, "--tokens"]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    assert.deepEqual(
      lines.map((l) => l.line),
      [1, 3],
    );
    for (const l of lines) {
      for (const e of l.entities as Entity[]) assert.equal(l.text.slice(e.start, e.end), e.text);
      assert.ok(Array.isArray(l.tokens) && l.tokens.length > 0);
    }
    const stdin = await runCli(["tag", "predict", "--model", model], {
      stdin: Readable.from(["Apple released the iPhone 17 on Monday\n"]),
    });
    assert.equal(stdin.code, 0, stdin.stderr);
    const one = JSON.parse(stdin.stdout.trim());
    assert.equal(one.line, 1);
    assert.ok(Array.isArray(one.entities));
  });
});

describe("textkit tag on the Chinese sample (JSONL spans)", () => {
  it("trains on characters and returns spans in the original string", async () => {
    const model = join(scratch.path, "ner-zh");
    const r = await runCli([
      "tag",
      "train",
      "--train",
      join(ZH, "train.jsonl"),
      "--dev",
      join(ZH, "dev.jsonl"),
      "--out",
      model,
      "--epochs",
      "8",
      "--quiet",
      "--json",
    ]);
    assert.equal(r.code, 0, r.stderr);
    const result = JSON.parse(r.stdout);
    assert.equal(result.language, "zh");
    assert.ok(result.dev.metrics.entityF1 > 0.4, String(result.dev.metrics.entityF1));
    const text = "我想下周一从招商银行转账5000元给张伟。";
    const p = await runCli(["tag", "predict", "--model", model], { stdin: Readable.from([`${text}\n`]) });
    assert.equal(p.code, 0, p.stderr);
    const out = JSON.parse(p.stdout.trim());
    assert.equal(out.text, text);
    assert.ok(out.entities.length > 0, p.stdout);
    for (const e of out.entities as Entity[]) assert.equal(text.slice(e.start, e.end), e.text);
  });
});

describe("textkit tag convert", () => {
  it("rewrites IOB1 as BIOES and as JSONL spans that read back to the same entities", async () => {
    const iob1 = scratch.write(
      ".conll",
      "-DOCSTART- O\n\nNew I-LOC\nYork I-LOC\nBoston B-LOC\nis O\nbig O\n",
    );
    const bioes = join(scratch.path, "out.conll");
    let r = await runCli(["tag", "convert", "--input", iob1, "--to", "bioes", "--out", bioes]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(readFileSync(bioes, "utf8"), "New B-LOC\nYork E-LOC\nBoston S-LOC\nis O\nbig O\n");
    const spans = join(scratch.path, "out.jsonl");
    r = await runCli(["tag", "convert", "--input", bioes, "--to", "jsonl", "--out", spans]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(readFileSync(spans, "utf8")), {
      text: "New York Boston is big",
      entities: [
        [0, 8, "LOC"],
        [9, 15, "LOC"],
      ],
    });
  });

  it("with --repair, writes the repaired file and says how many tags it repaired", async () => {
    const broken = scratch.write(".conll", "Tim B-PER\nin O\nNew I-LOC\nYork I-LOC\n\nto O\nRome I-LOC\n");
    const out = join(scratch.path, "repaired.conll");
    let r = await runCli([
      "tag",
      "convert",
      "--input",
      broken,
      "--scheme",
      "bio",
      "--to",
      "bio",
      "--out",
      out,
    ]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`^error: ${broken}:3: I-LOC follows O.*at 2 tags in 2 sentences`, "m"));
    assert.match(r.stderr, /^hint: .*--repair/m);
    r = await runCli([
      "tag",
      "convert",
      "--input",
      broken,
      "--scheme",
      "bio",
      "--repair",
      "--to",
      "bio",
      "--out",
      out,
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /repaired 2 tags in 2 sentences as conlleval reads them \(lines 3, 7\)/);
    assert.equal(readFileSync(out, "utf8"), "Tim B-PER\nin O\nNew B-LOC\nYork I-LOC\n\nto O\nRome B-LOC\n");
  });

  it("reads doccano JSONL with code point offsets and inclusive ends when told so", async () => {
    const input = scratch.write(
      ".jsonl",
      `${JSON.stringify({ text: "🎉 hi Anna", label: [[5, 8, "PER"]] })}\n`,
    );
    const out = join(scratch.path, "doccano.conll");
    const args = ["tag", "convert", "--input", input, "--to", "bio", "--out", out];
    const r = await runCli([...args, "--offsets", "codepoint", "--end", "inclusive"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(readFileSync(out, "utf8"), "🎉 O\nhi O\nAnna B-PER\n");
  });

  it("writes nothing when the input is bad", async () => {
    const bad = scratch.write(".conll", "New B-LOC\nYork E-PER\n");
    const out = join(scratch.path, "never.conll");
    const r = await runCli(["tag", "convert", "--input", bad, "--to", "bio", "--out", out]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /DATA_BAD_TAG/);
    assert.equal(existsSync(out), false);
  });
});

describe("textkit tag: bad input gets one clear error with file and line", () => {
  it("a tag that breaks BIOES", async () => {
    const path = scratch.write(".conll", "Paris S-LOC\nis O\n\nNew B-LOC\nYork O\n");
    const r = await runCli(["tag", "train", "--train", path, "--out", join(scratch.path, "x1")]);
    assert.equal(r.code, 1);
    // The O on line 5 leaves the B-LOC of line 4 unclosed.
    assert.match(r.stderr, new RegExp(`^error: ${path}:5: .*B-LOC is not closed`, "m"));
    assert.match(r.stderr, /^hint: /m);
    assert.equal(existsSync(join(scratch.path, "x1")), false);
  });

  it("a line with a different number of columns", async () => {
    const path = scratch.write(".conll", "EU NNP B-ORG\nrejects VBZ O\nGerman B-MISC\n");
    const r = await runCli(["tag", "train", "--train", path, "--out", join(scratch.path, "x2")]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`^error: ${path}:3: .*2 columns`, "m"));
  });

  it("a span outside its text, and overlapping spans", async () => {
    const outside = scratch.write(
      ".jsonl",
      '{"text": "hi Bob", "entities": [[3, 6, "PER"]]}\n{"text": "Bob", "entities": [[0, 9, "PER"]]}\n',
    );
    let r = await runCli(["tag", "train", "--train", outside, "--out", join(scratch.path, "x3")]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`^error: ${outside}:2: `, "m"));
    const overlap = scratch.write(
      ".jsonl",
      '{"text": "New York City", "entities": [[0, 8, "LOC"], [4, 13, "LOC"]]}\n',
    );
    r = await runCli(["tag", "train", "--train", overlap, "--out", join(scratch.path, "x4")]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`^error: ${overlap}:1: .*overlap`, "m"));
  });

  it("unlabelled text without any words, and two sources of clusters", async () => {
    const empty = scratch.write(".txt", "\n\n");
    let r = await runCli([
      "tag",
      "train",
      "--train",
      join(EN, "dev.conll"),
      "--unlabelled",
      empty,
      "--out",
      join(scratch.path, "x6"),
    ]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`^error: ${empty}: .*no text to learn word clusters from`, "m"));
    assert.equal(existsSync(join(scratch.path, "x6")), false);
    r = await runCli([
      "tag",
      "train",
      "--train",
      join(EN, "dev.conll"),
      "--unlabelled",
      empty,
      "--clusters",
      empty,
      "--out",
      join(scratch.path, "x7"),
    ]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /OPTION_INVALID|one source of word clusters/);
  });

  it("a gazetteer line without a type", async () => {
    const gaz = scratch.write(".tsv", "ORG\tAcme Corp\njust a phrase\n");
    const r = await runCli([
      "tag",
      "train",
      "--train",
      join(EN, "train.conll"),
      "--gazetteer",
      gaz,
      "--out",
      join(scratch.path, "x5"),
    ]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`^error: ${gaz}:2: `, "m"));
  });

  it("a classifier given where a tagger is expected", async () => {
    const r = await runCli([
      "tag",
      "eval",
      "--model",
      join(SAMPLES, "intents"),
      "--data",
      join(EN, "test.conll"),
    ]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^error: /m);
  });
});
