/**
 * fastText classifiers in textkit: `importFastText` reads a `.bin` or `.ftz` written by the
 * fastText program into a TextClassifier that predicts, evaluates, saves, serves and
 * quantises like any other, and answers exactly as fastText does (compat "fasttext": its
 * whitespace words, its UTF-8 hashing, its tree for hierarchical softmax, its scores).
 */
import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import { TEXTKIT_VERSION, TextkitError } from "../../core/index.ts";
import { FASTTEXT_LABEL_PREFIX } from "../../data/index.ts";
import { TextClassifier } from "./classifier.ts";
import { type FastTextModelFile, parseFastTextModel } from "./fasttext-format.ts";
import { Featurizer } from "./featurizer.ts";
import { type ClassifierOptions, type ModelLoss, resolveClassifierOptions } from "./options.ts";

const LOSS_OF = { softmax: "softmax", ova: "ova", ns: "ova", hs: "hs" } as const satisfies Record<
  FastTextModelFile["args"]["loss"],
  ModelLoss
>;

/**
 * Reads a fastText model file into a textkit classifier.
 *
 * @example
 * const model = await importFastText("lid.176.ftz");
 * model.predict(["bonjour tout le monde"], { k: 2 });
 */
export async function importFastText(file: string): Promise<TextClassifier> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new TextkitError(
      code === "ENOENT" ? "DATA_FILE_NOT_FOUND" : "FASTTEXT_FORMAT",
      code === "ENOENT" ? `${file} does not exist` : `${file} could not be read (${code ?? "error"})`,
      { file },
    );
  }
  return classifierOfFastText(parseFastTextModel(bytes, file), file);
}

/** The textkit classifier that answers as the decoded fastText model does. */
export function classifierOfFastText(model: FastTextModelFile, file: string): TextClassifier {
  const { args } = model;
  const maxn = args.maxn;
  const options: ClassifierOptions = resolveClassifierOptions({
    dim: args.dim,
    epochs: Math.max(1, args.epoch),
    wordNgrams: args.wordNgrams,
    minn: maxn > 0 ? Math.max(1, args.minn) : 0,
    maxn,
    buckets: Math.max(1, args.bucket),
    minCount: Math.max(1, args.minCount),
    loss: LOSS_OF[args.loss],
    lowercase: false,
    normalization: "none",
    compat: "fasttext",
  });
  const words = model.words.map((w) => w.word);
  const usesBuckets = options.wordNgrams > 1 || options.maxn > 0;
  let buckets: Int32Array;
  if (!usesBuckets) buckets = new Int32Array(0);
  else if (model.pruneIndex === null) buckets = Int32Array.from({ length: args.bucket }, (_, i) => i);
  else {
    buckets = new Int32Array(model.pruneIndex.size);
    for (const [bucket, row] of model.pruneIndex) buckets[row] = bucket;
  }
  const featurizer = new Featurizer(options, words, buckets);
  const dim = args.dim;
  const input = model.input.subarray(0, featurizer.rows * dim);
  const labels = model.labels.map((l) =>
    l.word.startsWith(FASTTEXT_LABEL_PREFIX) ? l.word.slice(FASTTEXT_LABEL_PREFIX.length) : l.word,
  );
  if (new Set(labels).size !== labels.length) {
    throw new TextkitError("FASTTEXT_FORMAT", `${file} lists a label twice`, { file });
  }
  const output = new Float32Array(labels.length * dim);
  output.set(model.output.subarray(0, Math.min(model.output.length, output.length)));
  const now = new Date().toISOString();
  const record = {
    runId: `import-${basename(file)}`,
    family: "classifier",
    task: args.loss === "ova" ? "multilabel" : "multiclass",
    startedAt: now,
    finishedAt: now,
    seconds: 0,
    options: { ...options },
    data: { train: { source: file, examples: 0, fingerprint: `fasttext:${basename(file)}` } },
    epochs: [],
    stoppedEarly: false,
    bestEpoch: 0,
    final: {
      importedFrom: {
        program: "fastText",
        file: basename(file),
        formatVersion: model.version,
        quantized: model.quantized,
        loss: args.loss,
        textkitVersion: TEXTKIT_VERSION,
      },
    },
  };
  return new TextClassifier(
    options,
    labels,
    args.loss === "ova",
    featurizer,
    { dim, labels: labels.length, input: Float32Array.from(input), output },
    record,
    null,
    args.loss === "hs" ? model.labels.map((l) => l.count) : null,
  );
}
