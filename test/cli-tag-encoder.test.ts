/**
 * `textkit tag train --encoder DIR` end to end, on the fixture encoder: the model records
 * its encoder, `tag predict` and `tag eval` reopen it from the folder it was trained with,
 * and another encoder or a misplaced flag is refused with its code.
 */
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { runCli } from "./support/cli-run.ts";
import { scratchFiles } from "./support/data-files.ts";

const ENCODERS = fileURLToPath(new URL("./fixtures/encoders/", import.meta.url));
const scratch = scratchFiles("cli-tag-encoder");

/** "atm" is an ORG five words after a money word and O otherwise (see tagger-encoder.test.ts). */
function conll(): string {
  let out = "";
  for (let copy = 0; copy < 3; copy++) {
    for (const filler of ["the", "a"]) {
      for (const cue of ["card", "bank", "money", "weather", "movie", "film"]) {
        const org = ["card", "bank", "money"].includes(cue);
        out += `${cue} O\n`;
        for (let i = 0; i < 4; i++) out += `${filler} O\n`;
        out += `atm ${org ? "B-ORG" : "O"}\n\n`;
      }
    }
  }
  return out;
}

describe("textkit tag train --encoder", () => {
  const data = scratch.write(".conll", conll());
  const model = join(scratch.path, "ner-encoder");
  const sparse = join(scratch.path, "ner-sparse");
  const encoder = join(ENCODERS, "bert-wordpiece");

  it("trains on the encoder's word vectors and records the encoder", async () => {
    const r = await runCli([
      "tag",
      "train",
      "--train",
      data,
      "--out",
      model,
      "--epochs",
      "5",
      "--encoder",
      encoder,
      "--encoder-threads",
      "1",
      "--json",
      "-q",
    ]);
    assert.equal(r.code, 0, r.stderr);
    const result = JSON.parse(r.stdout);
    assert.match(result.encoder.id, /^bert-wordpiece@[0-9a-f]{12}$/);
    assert.equal(result.encoder.wordVector, "first");
    assert.equal(result.options.wordVector, "first");
    const ref = JSON.parse(readFileSync(join(model, "encoder.json"), "utf8"));
    assert.equal(ref.path, encoder);
    assert.ok(existsSync(join(model, "dense.f32")));
  });

  it("predicts and evaluates with the encoder it was trained with, and refuses another", async () => {
    const input = scratch.write(".txt", "card the the the the atm\nmovie a a a a atm\n");
    const p = await runCli(["tag", "predict", "--model", model, "--input", input, "--encoder-threads", "1"]);
    assert.equal(p.code, 0, p.stderr);
    const lines = p.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    assert.equal(lines.length, 2);
    for (const line of lines) {
      for (const e of line.entities) assert.equal(line.text.slice(e.start, e.end), e.text);
    }
    const e = await runCli(["tag", "eval", "--model", model, "--data", data, "--json"]);
    assert.equal(e.code, 0, e.stderr);
    assert.ok(JSON.parse(e.stdout).metrics.entityF1 > 0.5, e.stdout);
    const other = await runCli([
      "tag",
      "predict",
      "--model",
      model,
      "--input",
      input,
      "--encoder",
      join(ENCODERS, "xlmr-unigram"),
    ]);
    assert.notEqual(other.code, 0);
    assert.match(other.stderr, /ENCODER_CHANGED/);
  });

  it("refuses --word-vector without --encoder, and --encoder for a tagger on sparse features", async () => {
    const w = await runCli(["tag", "train", "--train", data, "--out", sparse, "--word-vector", "mean", "-q"]);
    assert.notEqual(w.code, 0);
    assert.match(w.stderr, /--word-vector applies[\s\S]*OPTION_INVALID/);
    const t = await runCli(["tag", "train", "--train", data, "--out", sparse, "--epochs", "2", "-q"]);
    assert.equal(t.code, 0, t.stderr);
    const input = scratch.write(".txt", "card the atm\n");
    const p = await runCli(["tag", "predict", "--model", sparse, "--input", input, "--encoder", encoder]);
    assert.notEqual(p.code, 0);
    assert.match(p.stderr, /OPTION_INVALID/);
  });
});
