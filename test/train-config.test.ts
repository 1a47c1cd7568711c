/**
 * `textkit train config.yaml`: a configuration file trains any family as its flags would,
 * `--set` overrides a key, unknown keys stop with the file and line, and the resolved
 * configuration is sealed into the model.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { parse } from "yaml";
import { loadClassifier } from "../src/models/classifier/index.ts";
import { loadTagger } from "../src/models/tagger/index.ts";
import { runCli } from "./support/cli-run.ts";

describe("textkit train config.yaml", () => {
  let dir = "";
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "textkit-train-config-"));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("trains a classifier from the file, with --set over it, and seals the resolved configuration", async () => {
    const config = join(dir, "intent.yaml");
    const out = join(dir, "models", "intent");
    writeFileSync(
      config,
      [
        "family: classifier",
        "data:",
        "  train: samples/intents/train.csv",
        "  dev: samples/intents/dev.csv",
        "model:",
        "  dim: 40",
        "  wordNgrams: 2",
        "training:",
        "  epochs: 3",
        `output: ${out}`,
        "",
      ].join("\n"),
    );
    const res = await runCli([
      "train",
      config,
      "--set",
      "training.epochs=4",
      "--set",
      "model.minn=2",
      "--set",
      "model.maxn=3",
    ]);
    assert.equal(res.code, 0, res.stderr);
    const model = await loadClassifier(out);
    assert.equal(model.options.dim, 40);
    assert.equal(model.options.maxn, 3);
    assert.equal(model.runRecord?.epochs.length, 4);
    const sealed = parse(readFileSync(join(out, "train-config.yaml"), "utf8")) as Record<
      string,
      Record<string, unknown>
    >;
    assert.equal(sealed["family"], "classifier");
    assert.equal(sealed["training"]!["epochs"], 4);
    // Defaults the file left out are written down too.
    assert.equal(sealed["model"]!["buckets"], 2_000_000);
    assert.equal(sealed["model"]!["lr"], 0.5);
  });

  it("trains a tagger the same way", async () => {
    const config = join(dir, "ner.yaml");
    const out = join(dir, "models", "ner");
    writeFileSync(
      config,
      `family: tagger\ndata:\n  train: samples/ner-en/train.conll\ntraining:\n  epochs: 2\noutput: ${out}\n`,
    );
    const res = await runCli(["train", config]);
    assert.equal(res.code, 0, res.stderr);
    assert.ok((await loadTagger(out)).runRecord !== null);
    assert.ok(existsSync(join(out, "train-config.yaml")));
  });

  it("stops on an unknown key, a misplaced key, an unknown family or a bad --set, naming file and line, writing nothing", async () => {
    const bad = join(dir, "bad.yaml");
    const out = join(dir, "models", "never");
    writeFileSync(
      bad,
      `family: classifier\ndata:\n  train: samples/intents/train.csv\nmodel:\n  wordNgram: 2\noutput: ${out}\n`,
    );
    let res = await runCli(["train", bad]);
    assert.equal(res.code, 1);
    assert.match(
      res.stderr,
      /bad\.yaml:5: unknown key model\.wordNgram; model keys: .*wordNgrams.* \[CONFIG_INVALID\]/,
    );
    writeFileSync(bad, `family: classifier\nmodel:\n  train: samples/intents/train.csv\noutput: ${out}\n`);
    res = await runCli(["train", bad]);
    assert.match(res.stderr, /bad\.yaml:3: train belongs in the data section, not model/);
    writeFileSync(bad, `family: translator\noutput: ${out}\n`);
    res = await runCli(["train", bad]);
    assert.match(res.stderr, /bad\.yaml:1: family must be one of classifier, tagger/);
    writeFileSync(bad, `family: classifier\ndata:\n  train: samples/intents/train.csv\noutput: ${out}\n`);
    res = await runCli(["train", bad, "--set", "training.epoch=3"]);
    assert.match(res.stderr, /unknown key training\.epoch/);
    res = await runCli(["train", bad, "--set", "epochs"]);
    assert.match(res.stderr, /write section\.key=value/);
    assert.ok(!existsSync(out));
  });

  it("--print-config prints every default and trains nothing", async () => {
    const config = join(dir, "print.yaml");
    const out = join(dir, "models", "printed");
    writeFileSync(config, `family: classifier\ndata:\n  train: samples/intents/train.csv\noutput: ${out}\n`);
    const res = await runCli(["train", config, "--print-config"]);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stderr, /wordNgrams: 2/);
    assert.ok(!existsSync(out));
  });
});
