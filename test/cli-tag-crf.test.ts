/** `textkit tag train --learner crf` end to end on the English sample, and its bad values. */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { runCli } from "./support/cli-run.ts";
import { scratchFiles } from "./support/data-files.ts";

const EN = fileURLToPath(new URL("../samples/ner-en/", import.meta.url));
const scratch = scratchFiles("cli-tag-crf");

describe("textkit tag train --learner crf", () => {
  it("trains a CRF, reports it, and records the learner in the model", async () => {
    const model = join(scratch.path, "crf");
    const files = ["--train", join(EN, "train.conll"), "--dev", join(EN, "dev.conll")];
    const r = await runCli([
      "tag",
      "train",
      ...files,
      "--learner",
      "crf",
      "--l2",
      "0.5",
      "--out",
      model,
      "--epochs",
      "6",
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /epoch 1\/6 .*dev entity-F1 0\.\d{4}/);
    const manifest = JSON.parse(readFileSync(join(model, "manifest.json"), "utf8"));
    assert.equal(manifest.options.learner, "crf");
    assert.equal(manifest.options.l2, 0.5);
    const run = JSON.parse(readFileSync(join(model, "run.json"), "utf8"));
    assert.equal(run.final.learner, "crf");
    assert.ok(run.final.dev.f1 > 0.5, `dev F1 ${run.final.dev.f1}`);
    const evaluation = await runCli([
      "tag",
      "eval",
      "--model",
      model,
      "--data",
      join(EN, "test.conll"),
      "--json",
    ]);
    assert.equal(evaluation.code, 0, evaluation.stderr);
  });

  it("refuses an unknown learner and a negative L2 coefficient before reading data", async () => {
    for (const [flag, value, message] of [
      ["--learner", "svm", /--learner.*perceptron, crf/],
      ["--l2", "-1", /--l2.*>= 0/],
    ] as const) {
      const out = join(scratch.path, `bad${flag}`);
      const r = await runCli(["tag", "train", "--train", join(EN, "train.conll"), flag, value, "--out", out]);
      assert.equal(r.code, 1, `${flag} ${value}`);
      assert.match(r.stderr, message);
    }
  });
});
