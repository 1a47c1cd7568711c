/** Loading a saved n-gram classifier, every file and option checked. */
import { join } from "node:path";
import {
  type Artifact,
  artifactFile,
  artifactFloats,
  artifactInts,
  artifactOptions,
  readArtifact,
} from "../../artifact/index.ts";
import { runRecordOf, TextkitError } from "../../core/index.ts";
import { CLASSIFIER_FAMILY, TextClassifier } from "./classifier.ts";
import { Featurizer } from "./featurizer.ts";
import { ENCODER_HEAD_KIND } from "./head-options.ts";
import { type ClassifierOptions, resolveClassifierOptions } from "./options.ts";
import { readQuantizedForm } from "./quantized-format.ts";
import { readSegmenterFile, SEGMENTER_FILE } from "./segmenter-file.ts";

/**
 * Loads a model directory written by `save`, verifying its checksums, its options and that
 * its weights match its vocabulary and labels (ARTIFACT_CORRUPT otherwise).
 */
export async function loadClassifier(dir: string): Promise<TextClassifier> {
  const artifact = await readArtifact(dir, CLASSIFIER_FAMILY);
  const m = artifact.manifest;
  if (m.options["kind"] === ENCODER_HEAD_KIND) {
    throw new TextkitError(
      "HEAD_ENCODER_REQUIRED",
      `the classifier in ${dir} is a head on a pretrained encoder; load it with its encoder (loadEncoderClassifier, or --encoder DIR)`,
      { file: join(dir, "manifest.json") },
    );
  }
  const corrupt = (what: string, file = join(dir, "manifest.json")): TextkitError =>
    new TextkitError("ARTIFACT_CORRUPT", `the classifier in ${dir} ${what}`, { file });
  const quantized = m.options["quantized"];
  const options = artifactOptions(
    artifact,
    (stored) => resolveClassifierOptions(stored as Partial<ClassifierOptions>),
    ["quantized"],
  );
  // Models saved before the option split Han runs with Intl.Segmenter (and have no dictionary).
  if (m.options["segmenter"] === undefined) options.segmenter = "intl";
  const dictionary = readSegmenterFile(artifact);
  if (dictionary !== null && (options.segmenter !== "dictionary" || options.compat !== "textkit"))
    throw corrupt(
      `has ${SEGMENTER_FILE} but its options say segmenter ${options.segmenter}, compat ${options.compat}`,
    );
  if (typeof options.lowercase !== "boolean")
    throw corrupt("has a lowercase option that is not true or false");
  if (m.task !== "multiclass" && m.task !== "multilabel") throw corrupt(`has an unknown task '${m.task}'`);
  const labels = m.labels ?? [];
  if (labels.length === 0) throw corrupt("lists no labels");
  const record = runRecordOf(artifact.files);
  if (quantized !== undefined) {
    // Quantised weights are dequantised to Float32 here; the codes stay for a later save.
    const form = readQuantizedForm(artifact.files, quantized, options, labels.length, dir, dictionary);
    return new TextClassifier(
      options,
      labels,
      m.task === "multilabel",
      form.featurizer,
      form.weights,
      record,
      form,
      options.loss === "hs" ? readHsCounts(artifact, labels.length, dir) : null,
    );
  }
  const wordsText = artifactFile(artifact, "words.txt").toString("utf8");
  const words = wordsText.length === 0 ? [] : wordsText.split("\n");
  if (new Set(words).size !== words.length) throw corrupt("lists a word twice", join(dir, "words.txt"));
  const buckets = artifactInts(artifact, "buckets.i32");
  const usesBuckets = options.wordNgrams > 1 || options.maxn > 0;
  const seen = new Set<number>();
  for (const bucket of buckets) {
    if (!usesBuckets || bucket < 0 || bucket >= options.buckets || seen.has(bucket)) {
      throw corrupt("has hash buckets that do not match its options", join(dir, "buckets.i32"));
    }
    seen.add(bucket);
  }
  const featurizer = new Featurizer(options, words, buckets, true, dictionary);
  const hsCounts = options.loss === "hs" ? readHsCounts(artifact, labels.length, dir) : null;
  const input = artifactFloats(artifact, "input.f32");
  const output = artifactFloats(artifact, "output.f32");
  if (input.length !== featurizer.rows * options.dim || output.length !== labels.length * options.dim) {
    throw corrupt("has weights that do not match its vocabulary, labels and dim", dir);
  }
  return new TextClassifier(
    options,
    labels,
    m.task === "multilabel",
    featurizer,
    { dim: options.dim, labels: labels.length, input, output },
    record,
    null,
    hsCounts,
  );
}

/** The label counts that fix a hierarchical-softmax model's tree (hs-counts.json). */
function readHsCounts(artifact: Artifact, labels: number, dir: string): number[] {
  const file = join(dir, "hs-counts.json");
  let counts: unknown;
  try {
    counts = JSON.parse(artifactFile(artifact, "hs-counts.json").toString("utf8"));
  } catch (error) {
    if (error instanceof TextkitError) throw error;
    throw new TextkitError("ARTIFACT_CORRUPT", `${file} is not JSON`, { file });
  }
  const out: number[] = [];
  if (Array.isArray(counts)) {
    for (const c of counts) if (typeof c === "number" && Number.isFinite(c) && c >= 0) out.push(c);
  }
  if (!Array.isArray(counts) || out.length !== counts.length || out.length !== labels) {
    throw new TextkitError("ARTIFACT_CORRUPT", `${file} does not hold one count per label`, { file });
  }
  return out;
}
