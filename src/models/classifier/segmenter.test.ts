import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { writeArtifact } from "../../artifact/index.ts";
import { TextkitError } from "../../core/index.ts";
import { loadDataset } from "../../data/index.ts";
import { normalizeText, Tokenizer } from "../../text/index.ts";
import type { TextClassifier } from "./classifier.ts";
import { loadClassifier } from "./load-classifier.ts";
import { trainClassifier } from "./ngram-training.ts";
import { quantizeClassifier } from "./quantize.ts";
import { SEGMENTER_FILE } from "./segmenter-file.ts";

const root = mkdtempSync(join(tmpdir(), "textkit-segmenter-"));
after(() => rmSync(root, { recursive: true, force: true }));

const samples = join(import.meta.dirname, "..", "..", "..", "samples", "support-zh");
const train = await loadDataset(join(samples, "train.csv"), { labelColumn: "label" });
const test = await loadDataset(join(samples, "test.csv"), { labelColumn: "label" });
const texts = test.examples.map((e) => e.text);
const fast = { dim: 16, epochs: 5, wordNgrams: 2, minn: 1, maxn: 2, buckets: 20_000 };

const nfkc = (t: string): string => normalizeText(t, { form: "NFKC", lowercase: true });
const labelsOf = (model: TextClassifier, input = texts) => model.predict(input).map((p) => p.labels[0]);

/** Writes `model` as a textkit from before the segmenter option would have: no option, no file. */
async function writeOld(model: TextClassifier, dir: string): Promise<void> {
  const { manifest, files } = model.artifactParts();
  const { segmenter: _dropped, ...options } = manifest.options;
  const old = { ...files };
  delete old[SEGMENTER_FILE];
  await writeArtifact(dir, { ...manifest, options }, old);
}

describe("the classifier's Chinese segmentation dictionary", () => {
  it("is learned from Chinese training text, saved, and predicts the same after loading", async () => {
    const model = await trainClassifier({ train }, fast);
    assert.equal(model.options.segmenter, "dictionary");
    const dictionary = model.featurizer.dictionary;
    assert.ok(dictionary !== null && dictionary.size > 100);
    assert.ok(dictionary.words.includes("手机"));
    const dir = join(root, "dictionary");
    await model.save(dir);
    const lines = readFileSync(join(dir, SEGMENTER_FILE), "utf8").trimEnd().split("\n");
    assert.equal(lines.length, dictionary.size);
    const loaded = await loadClassifier(dir);
    assert.deepEqual(loaded.featurizer.dictionary?.words, dictionary.words);
    assert.deepEqual(labelsOf(loaded), labelsOf(model));
    assert.deepEqual(loaded.tokenize(texts[0] ?? ""), model.tokenize(texts[0] ?? ""));
    assert.equal(loaded.tokenization, model.tokenization);
    assert.match(model.tokenization, / dictionary:[0-9a-f]{8}$/);
    // A quantised copy keeps the dictionary through its own save and load.
    const small = quantizeClassifier(model, { dsub: 2 });
    await small.save(join(root, "quantized"));
    const smallLoaded = await loadClassifier(join(root, "quantized"));
    assert.deepEqual(smallLoaded.featurizer.dictionary?.words, dictionary.words);
    assert.deepEqual(smallLoaded.tokenize(texts[1] ?? ""), model.tokenize(texts[1] ?? ""));
  });

  it("is not made for English text or with segmenter intl, which tokenise with Intl.Segmenter", async () => {
    const intl = await trainClassifier({ train }, { ...fast, segmenter: "intl" });
    assert.equal(intl.featurizer.dictionary, null);
    await intl.save(join(root, "intl"));
    assert.ok(!existsSync(join(root, "intl", SEGMENTER_FILE)));
    const reference = new Tokenizer();
    for (const t of texts.slice(0, 20)) assert.deepEqual(intl.tokenize(t), reference.tokenize(nfkc(t)));
    const english = await trainClassifier(
      {
        train: {
          source: "memory",
          labels: ["a", "b"],
          multiLabel: false,
          examples: [
            { text: "good day", labels: ["a"], line: 1 },
            { text: "bad night", labels: ["b"], line: 2 },
          ],
        },
      },
      fast,
    );
    assert.equal(english.featurizer.dictionary, null);
    assert.doesNotMatch(english.tokenization, /dictionary/);
  });

  it("is absent from models saved before it, which load as intl and tokenise as before", async () => {
    const model = await trainClassifier({ train }, { ...fast, segmenter: "intl" });
    const dir = join(root, "old");
    await writeOld(model, dir);
    const manifest = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8"));
    assert.equal(manifest.options.segmenter, undefined);
    const loaded = await loadClassifier(dir);
    assert.equal(loaded.options.segmenter, "intl");
    assert.equal(loaded.featurizer.dictionary, null);
    const reference = new Tokenizer();
    for (const t of texts.slice(0, 20)) assert.deepEqual(loaded.tokenize(t), reference.tokenize(nfkc(t)));
    assert.deepEqual(labelsOf(loaded), labelsOf(model));
  });

  it("refuses a bad segmenter value and a damaged dictionary with coded errors", async () => {
    await assert.rejects(
      trainClassifier({ train }, { ...fast, segmenter: "jieba" as "intl" }),
      (e: unknown) => e instanceof TextkitError && e.code === "OPTION_INVALID" && /segmenter/.test(e.message),
    );
    const model = await trainClassifier({ train }, fast);
    const { manifest, files } = model.artifactParts();
    const dir = join(root, "damaged");
    await writeArtifact(dir, manifest, { ...files, [SEGMENTER_FILE]: Buffer.from("余额\t3\nabc\t2\n") });
    await assert.rejects(
      loadClassifier(dir),
      (e: unknown) => e instanceof TextkitError && e.code === "ARTIFACT_CORRUPT" && e.line === 2,
    );
    const mismatch = join(root, "mismatch");
    await writeArtifact(
      mismatch,
      { ...manifest, options: { ...manifest.options, segmenter: "intl" } },
      files,
    );
    await assert.rejects(
      loadClassifier(mismatch),
      (e: unknown) => e instanceof TextkitError && e.code === "ARTIFACT_CORRUPT",
    );
  });
});
