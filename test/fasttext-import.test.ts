/**
 * Models trained by the fastText program (Debian's `fasttext`) imported into textkit: the
 * labels and probabilities of `fasttext predict-prob` and textkit's predict agree to 1e-5,
 * for softmax, one-vs-all and hierarchical softmax, with word and character n-grams, on
 * text with accents, Chinese and emoji (UTF-8 hashing), and for quantised .ftz files.
 */
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { TextkitError } from "../src/core/index.ts";
import { parseFastTextModel } from "../src/models/classifier/fasttext-format.ts";
import { importFastText, loadClassifier, quantizeClassifier } from "../src/models/classifier/index.ts";
import { runCli } from "./support/cli-run.ts";
import { assertSameAnswers, corpus, fasttext, parsePredictions } from "./support/fasttext.ts";
import { requireProgram } from "./support/programs.ts";

const available = requireProgram("fasttext", "TEXTKIT_REQUIRE_FASTTEXT");

describe("fastText models imported", { skip: available ? false : "fasttext is not installed" }, () => {
  let dir = "";
  let test: { text: string; label: string }[] = [];
  let testFile = "";
  let trainFile = "";
  before(() => {
    dir = mkdtempSync(join(tmpdir(), "textkit-ft-"));
    const train = corpus(600, 1);
    test = corpus(80, 2);
    // Words fastText never saw, and a label-looking word it must ignore.
    test.push({ text: "zzz unknownword 未知 __label__sport 🙂", label: "sport" });
    trainFile = join(dir, "train.txt");
    testFile = join(dir, "test.txt");
    writeFileSync(trainFile, train.map((e) => `__label__${e.label} ${e.text}\n`).join(""));
    writeFileSync(testFile, test.map((e) => `${e.text}\n`).join(""));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** `fasttext supervised` on the training file into OUT.bin: one thread, quiet, and the given dim, epochs and flags. */
  const trainFastText = (out: string, dim: number, epochs: number, flags: string[]): void => {
    fasttext([
      "supervised",
      "-input",
      trainFile,
      "-output",
      out,
      "-dim",
      String(dim),
      "-epoch",
      String(epochs),
      "-thread",
      "1",
      "-verbose",
      "0",
      ...flags,
    ]);
  };

  const cases: { name: string; args: string[] }[] = [
    { name: "softmax with word bigrams", args: ["-loss", "softmax", "-wordNgrams", "2", "-bucket", "5000"] },
    {
      name: "softmax with character n-grams",
      args: ["-loss", "softmax", "-minn", "2", "-maxn", "4", "-bucket", "3000"],
    },
    {
      name: "one-vs-all",
      args: ["-loss", "ova", "-wordNgrams", "3", "-minn", "1", "-maxn", "3", "-bucket", "4000"],
    },
    {
      name: "hierarchical softmax",
      args: ["-loss", "hs", "-wordNgrams", "2", "-minn", "3", "-maxn", "5", "-bucket", "4000"],
    },
    { name: "words only", args: ["-loss", "softmax"] },
  ];

  for (const c of cases) {
    it(`answers as fasttext predict-prob: ${c.name}`, async () => {
      const out = join(dir, c.name.replace(/\W+/g, "-"));
      trainFastText(out, 12, 8, ["-lr", "0.5", ...c.args]);
      const expected = parsePredictions(fasttext(["predict-prob", `${out}.bin`, testFile, "-1"]));
      const model = await importFastText(`${out}.bin`);
      assertSameAnswers(
        model,
        test.map((e) => e.text),
        expected,
      );
      // The imported model saves and loads like any classifier, with the same answers.
      await model.save(join(dir, `${c.name.replace(/\W+/g, "-")}-model`));
      const loaded = await loadClassifier(join(dir, `${c.name.replace(/\W+/g, "-")}-model`));
      assertSameAnswers(
        loaded,
        test.map((e) => e.text),
        expected,
      );
    });
  }

  it("reads quantised .ftz models (pruned buckets and words, quantised norms)", async () => {
    const out = join(dir, "quant");
    trainFastText(out, 16, 8, ["-wordNgrams", "2", "-minn", "2", "-maxn", "3", "-bucket", "3000"]);
    fasttext([
      "quantize",
      "-input",
      trainFile,
      "-output",
      out,
      "-qnorm",
      "-cutoff",
      "400",
      "-dsub",
      "2",
      "-retrain",
      "-epoch",
      "2",
      "-thread",
      "1",
      "-verbose",
      "0",
    ]);
    const expected = parsePredictions(fasttext(["predict-prob", `${out}.ftz`, testFile, "-1"]));
    const model = await importFastText(`${out}.ftz`);
    assertSameAnswers(
      model,
      test.map((e) => e.text),
      expected,
    );
  });

  it("quantises an imported model with textkit's quantiser and keeps most answers", async () => {
    const out = join(dir, "for-quantise");
    trainFastText(out, 16, 8, ["-wordNgrams", "2", "-bucket", "3000"]);
    const model = await importFastText(`${out}.bin`);
    const small = await quantizeClassifier(model, {});
    const texts = test.map((e) => e.text);
    const a = model.predict(texts).map((p) => p.labels[0]);
    const b = small.predict(texts).map((p) => p.labels[0]);
    const same = a.filter((label, i) => label === b[i]).length;
    assert.ok(same >= 0.9 * texts.length, `${same} of ${texts.length} answers kept`);
    await small.save(join(dir, "quantised-import"));
    const reloaded = await loadClassifier(join(dir, "quantised-import"));
    assert.deepEqual(
      reloaded.predict(texts).map((p) => p.labels[0]),
      b,
    );
  });

  it("textkit classify import, predict --output-format fasttext and eval --output-format fasttext speak fastText", async () => {
    const out = join(dir, "cli");
    trainFastText(out, 10, 6, ["-wordNgrams", "2", "-bucket", "2000"]);
    const imported = await runCli([
      "classify",
      "import",
      "--fasttext",
      `${out}.bin`,
      "--out",
      join(dir, "cli-model"),
    ]);
    assert.equal(imported.code, 0, imported.stderr);
    assert.match(imported.stdout, /a fastText softmax classifier .* 4 labels/);
    const predicted = await runCli([
      "classify",
      "predict",
      "--model",
      join(dir, "cli-model"),
      "--input",
      testFile,
      "--output-format",
      "fasttext",
      "--k",
      "2",
    ]);
    assert.equal(predicted.code, 0, predicted.stderr);
    const ours = parsePredictions(predicted.stdout);
    const theirs = parsePredictions(fasttext(["predict-prob", `${out}.bin`, testFile, "2"]));
    assert.equal(ours.length, theirs.length);
    for (let i = 0; i < ours.length; i++) {
      assert.deepEqual([...ours[i]!.keys()], [...theirs[i]!.keys()], `line ${i + 1}`);
      for (const [label, p] of theirs[i]!)
        assert.ok(Math.abs(ours[i]!.get(label)! - p) <= 2e-6, `line ${i + 1} ${label}`);
    }
    const labelled = join(dir, "labelled.txt");
    // Without the last line, whose text holds a second __label__ word (fastText counts it as a gold label).
    writeFileSync(
      labelled,
      test
        .slice(0, -1)
        .map((e) => `__label__${e.label} ${e.text}\n`)
        .join(""),
    );
    const evaluated = await runCli([
      "classify",
      "eval",
      "--model",
      join(dir, "cli-model"),
      "--data",
      labelled,
      "--output-format",
      "fasttext",
      "--k",
      "2",
    ]);
    assert.equal(evaluated.code, 0, evaluated.stderr);
    const theirTest = fasttext(["test", `${out}.bin`, labelled, "2"]);
    assert.ok(evaluated.stdout.startsWith(theirTest), `${evaluated.stdout.slice(0, 60)} vs ${theirTest}`);
    assert.match(evaluated.stdout, /precision +recall +f1-score +support/);
  });

  it("refuses word-vector models, other files, and truncated files with coded errors", () => {
    const vectors = join(dir, "vectors");
    fasttext([
      "skipgram",
      "-input",
      testFile,
      "-output",
      vectors,
      "-dim",
      "5",
      "-epoch",
      "1",
      "-minCount",
      "1",
      "-thread",
      "1",
      "-verbose",
      "0",
      "-bucket",
      "100",
    ]);
    const isCode = (code: string, pattern: RegExp) => (error: unknown) =>
      error instanceof TextkitError && error.code === code && pattern.test(error.message);
    assert.throws(
      () => parseFastTextModel(readFileSync(`${vectors}.bin`), "v.bin"),
      isCode("FASTTEXT_UNSUPPORTED", /skipgram word-vector model/),
    );
    assert.throws(
      () => parseFastTextModel(Buffer.from("not a model at all"), "x.bin"),
      isCode("FASTTEXT_FORMAT", /magic number/),
    );
    const good = readFileSync(join(dir, "words-only.bin"));
    assert.throws(
      () => parseFastTextModel(good.subarray(0, good.length - 10), "t.bin"),
      isCode("FASTTEXT_FORMAT", /truncated|shorter/),
    );
    const newer = Buffer.from(good);
    newer.writeInt32LE(13, 4);
    assert.throws(() => parseFastTextModel(newer, "n.bin"), isCode("FASTTEXT_UNSUPPORTED", /version 13/));
  });
});
