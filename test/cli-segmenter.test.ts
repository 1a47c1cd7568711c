/** `classify train --segmenter`: the choice of Chinese word splitting, recorded in the model. */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { runCli } from "./support/cli-run.ts";

const dir = mkdtempSync(join(tmpdir(), "textkit-cli-segmenter-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const train = join(import.meta.dirname, "..", "samples", "support-zh", "train.csv");
const FAST = ["--epochs", "2", "--dim", "8", "--no-refit"];

describe("classify train --segmenter", () => {
  it("is listed in --help with its default", async () => {
    const result = await runCli(["classify", "train", "--help"]);
    assert.equal(result.code, 0);
    assert.match(
      result.stdout,
      /--segmenter <how>[\s\S]*dictionary[\s\S]*intl[\s\S]*\(default: dictionary\)/,
    );
  });

  it("learns and saves the dictionary by default, and not with intl", async () => {
    for (const segmenter of ["dictionary", "intl"]) {
      const out = join(dir, segmenter);
      const flags = segmenter === "dictionary" ? [] : ["--segmenter", segmenter];
      const result = await runCli(["classify", "train", "--train", train, "--out", out, ...FAST, ...flags]);
      assert.equal(result.code, 0, result.stderr);
      const manifest = JSON.parse(readFileSync(join(out, "manifest.json"), "utf8"));
      assert.equal(manifest.options.segmenter, segmenter);
      assert.equal(existsSync(join(out, "segmenter.tsv")), segmenter === "dictionary");
    }
  });

  it("refuses a value it does not know with OPTION_INVALID, before training", async () => {
    const out = join(dir, "bad");
    const result = await runCli([
      "classify",
      "train",
      "--input",
      train,
      "--out",
      out,
      "--segmenter",
      "jieba",
    ]);
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      /--segmenter must be one of dictionary, intl, got 'jieba' \[OPTION_INVALID\]/,
    );
    assert.ok(!existsSync(out));
  });
});
