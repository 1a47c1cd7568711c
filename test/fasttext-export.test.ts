/**
 * `classify export --to fasttext` (issue 19, item 1): a model trained by Debian's
 * `fasttext`, imported into textkit and written back as a .bin, answers in the fastText
 * program exactly as the original file does (every label's probability to 1e-5), and as
 * textkit's own predict does, for softmax, one-vs-all, negative sampling and hierarchical
 * softmax, word and character n-grams, and a quantised .ftz without pruning. A textkit
 * model, a pruned .ftz and a model textkit quantised are refused with a coded error, and
 * nothing is written.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { isTextkitError } from "../src/core/index.ts";
import { datasetFromExamples } from "../src/data/index.ts";
import {
  exportFastText,
  importFastText,
  quantizeClassifier,
  trainClassifier,
} from "../src/models/classifier/index.ts";
import { runCli } from "./support/cli-run.ts";
import { assertSameAnswers, corpus, fasttext, parsePredictions } from "./support/fasttext.ts";
import { requireProgram } from "./support/programs.ts";

const available = requireProgram("fasttext", "TEXTKIT_REQUIRE_FASTTEXT");

const isRefusal = (e: unknown) => isTextkitError(e) && e.code === "FASTTEXT_EXPORT_UNSUPPORTED";

describe("classifiers exported to fastText", {
  skip: available ? false : "fasttext is not installed",
}, () => {
  let dir = "";
  let texts: string[] = [];
  let testFile = "";
  let trainFile = "";
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "textkit-ft-export-"));
    trainFile = join(dir, "train.txt");
    testFile = join(dir, "test.txt");
    writeFileSync(
      trainFile,
      corpus(500, 11)
        .map((e) => `__label__${e.label} ${e.text}\n`)
        .join(""),
    );
    texts = [...corpus(60, 12).map((e) => e.text), "zzz unknownword 未知 🙂"];
    writeFileSync(testFile, texts.map((t) => `${t}\n`).join(""));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const train = (name: string, flags: string[]): string => {
    const out = join(dir, name);
    fasttext(
      ["supervised", "-input", trainFile, "-output", out, "-dim", "10", "-epoch", "6"].concat([
        "-lr",
        "0.5",
        "-thread",
        "1",
        "-verbose",
        "0",
        ...flags,
      ]),
    );
    return `${out}.bin`;
  };
  const predictProb = (file: string) => parsePredictions(fasttext(["predict-prob", file, testFile, "-1"]));

  const cases: { name: string; args: string[] }[] = [
    { name: "softmax-bigrams", args: ["-loss", "softmax", "-wordNgrams", "2", "-bucket", "5000"] },
    {
      name: "ova-chars",
      args: ["-loss", "ova", "-wordNgrams", "2", "-minn", "1", "-maxn", "3", "-bucket", "4000"],
    },
    { name: "ns", args: ["-loss", "ns", "-neg", "3", "-wordNgrams", "2", "-bucket", "3000"] },
    { name: "hs", args: ["-loss", "hs", "-minn", "3", "-maxn", "5", "-bucket", "4000"] },
    { name: "words-only", args: ["-loss", "softmax"] },
  ];
  for (const c of cases) {
    it(`round trip through textkit: ${c.name}`, async () => {
      const original = train(c.name, c.args);
      const expected = predictProb(original);
      const model = await importFastText(original);
      const exported = join(dir, `${c.name}-exported.bin`);
      await exportFastText(model, exported);
      const again = predictProb(exported);
      // fastText on the exported file: the original's answers, and textkit's.
      assert.equal(again.length, expected.length);
      again.forEach((line, i) => {
        for (const [label, p] of expected[i] ?? new Map<string, number>()) {
          const q = line.get(label);
          assert.ok(
            q !== undefined && Math.abs(q - p) <= 1e-5,
            `${c.name} line ${i + 1}: ${label} ${q} vs ${p}`,
          );
        }
      });
      assertSameAnswers(model, texts, again);
      // And it imports again to the same model.
      assertSameAnswers(await importFastText(exported), texts, expected);
    });
  }

  it("writes a quantised .ftz without pruned buckets as a .bin that answers alike; refuses a pruned one", async () => {
    const base = train("quant", ["-wordNgrams", "2", "-bucket", "2000", "-dim", "8"]).replace(/\.bin$/, "");
    fasttext(["quantize", "-input", trainFile, "-output", base, "-dsub", "2", "-qnorm", "-verbose", "0"]);
    const model = await importFastText(`${base}.ftz`);
    const exported = join(dir, "quant-exported.bin");
    await exportFastText(model, exported);
    assertSameAnswers(model, texts, predictProb(`${base}.ftz`));
    assertSameAnswers(model, texts, predictProb(exported));

    const pruned = train("pruned", ["-wordNgrams", "2", "-bucket", "2000", "-dim", "8"]).replace(
      /\.bin$/,
      "",
    );
    fasttext([
      "quantize",
      "-input",
      trainFile,
      "-output",
      pruned,
      "-cutoff",
      "300",
      "-dsub",
      "2",
      "-verbose",
      "0",
    ]);
    const target = join(dir, "pruned-exported.bin");
    await assert.rejects(
      exportFastText(await importFastText(`${pruned}.ftz`), target),
      (e: unknown) => isRefusal(e) && /pruned/.test((e as Error).message),
    );
    assert.equal(existsSync(target), false);
  });

  it("refuses a textkit model and one textkit quantised, writing nothing", async () => {
    const examples = corpus(120, 3).map((e, i) => ({ text: e.text, labels: [e.label], line: i + 1 }));
    const native = await trainClassifier(
      { train: datasetFromExamples("ft", examples) },
      { dim: 8, epochs: 2, buckets: 1000, seed: 1 },
    );
    const target = join(dir, "refused", "native.bin");
    await assert.rejects(
      exportFastText(native, target),
      (e: unknown) => isRefusal(e) && /textkit model/.test((e as Error).message),
    );
    const imported = await importFastText(train("to-quantise", ["-wordNgrams", "2", "-bucket", "2000"]));
    await assert.rejects(exportFastText(await quantizeClassifier(imported, {}), target), isRefusal);
    assert.equal(existsSync(join(dir, "refused")), false);
  });

  it("classify export on the command line: writes the .bin, or exits non-zero with the code", async () => {
    const original = train("cli", ["-loss", "softmax", "-wordNgrams", "2", "-bucket", "3000"]);
    const modelDir = join(dir, "cli-model");
    const imported = await runCli(["classify", "import", "--fasttext", original, "--out", modelDir]);
    assert.equal(imported.code, 0, imported.stderr);
    const out = join(dir, "cli-out.bin");
    const result = await runCli([
      "classify",
      "export",
      "--model",
      modelDir,
      "--to",
      "fasttext",
      "--out",
      out,
    ]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /wrote .*cli-out\.bin: a fastText softmax classifier/);
    assertSameAnswers(await importFastText(original), texts, predictProb(out));
    const bad = await runCli(["classify", "export", "--model", modelDir, "--to", "onnx", "--out", out]);
    assert.notEqual(bad.code, 0);
    const before = readdirSync(dir).length;
    // A textkit-trained model directory: refused with its code.
    const nativeDir = join(dir, "native-model");
    const examples = corpus(60, 4).map((e, i) => ({ text: e.text, labels: [e.label], line: i + 1 }));
    await (
      await trainClassifier(
        { train: datasetFromExamples("ft", examples) },
        { dim: 4, epochs: 1, buckets: 100 },
      )
    ).save(nativeDir);
    const refused = await runCli([
      "classify",
      "export",
      "--model",
      nativeDir,
      "--to",
      "fasttext",
      "--out",
      join(dir, "n.bin"),
    ]);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /FASTTEXT_EXPORT_UNSUPPORTED|cannot be written as a fastText/);
    assert.equal(readdirSync(dir).length, before + 1);
  });
});
