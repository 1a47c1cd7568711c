/**
 * Writes a textkit classifier as a fastText model file (`.bin`, file format version 12, the
 * layout FastText::saveModel writes and fastText 0.9 loads), so that the `fasttext` program
 * and its bindings predict with it.
 *
 * Only a classifier that reads text as fastText does can be written: compat "fasttext" (an
 * imported model: fastText's whitespace words, its UTF-8 hash, its word n-gram mixing).
 * textkit's own models normalise, lowercase and tokenise text and hash n-grams their own
 * way; in fastText's file the same rows would be looked up for other features, so such a
 * model is refused rather than written to answer differently. fastText loads pruned n-gram
 * buckets (an `.ftz` made with -cutoff) only from a quantised file, which keeps codes
 * textkit does not: such a model is refused too. A model textkit quantised is refused (its
 * rows are int8 codes of textkit's own format).
 */
import { TextkitError, writeFileAtomic } from "../../core/index.ts";
import { FASTTEXT_LABEL_PREFIX } from "../../data/index.ts";
import type { TextClassifier } from "./classifier.ts";
import { FASTTEXT_MAGIC, FASTTEXT_VERSION } from "./fasttext-format.ts";
import type { ModelLoss } from "./options.ts";

/** fastText's loss_name codes (args.h); an imported ns model is ova in textkit, and predicts alike. */
const LOSS_CODES = { hs: 1, softmax: 3, ova: 4 } as const satisfies Record<ModelLoss, number>;
const SUPERVISED = 3;

/** Little-endian output in growing chunks. */
class Writer {
  private readonly chunks: Buffer[] = [];
  private size = 0;
  private put(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
  }
  i32(v: number): void {
    const b = Buffer.allocUnsafe(4);
    b.writeInt32LE(v);
    this.put(b);
  }
  i64(v: number): void {
    const b = Buffer.allocUnsafe(8);
    b.writeBigInt64LE(BigInt(v));
    this.put(b);
  }
  f64(v: number): void {
    const b = Buffer.allocUnsafe(8);
    b.writeDoubleLE(v);
    this.put(b);
  }
  u8(v: number): void {
    this.put(Buffer.from([v]));
  }
  cstring(s: string): void {
    this.put(Buffer.concat([Buffer.from(s, "utf8"), Buffer.from([0])]));
  }
  /** A dense matrix (matrix.cc): rows and columns as int64, then the values. */
  matrix(values: Float32Array, rows: number, cols: number): void {
    this.i64(rows);
    this.i64(cols);
    const b = Buffer.allocUnsafe(values.length * 4);
    for (let i = 0; i < values.length; i++) b.writeFloatLE(values[i] ?? 0, i * 4);
    this.put(b);
  }
  bytes(): Buffer {
    return Buffer.concat(this.chunks, this.size);
  }
}

function refuse(why: string): TextkitError {
  return new TextkitError(
    "FASTTEXT_EXPORT_UNSUPPORTED",
    `this model cannot be written as a fastText .bin: ${why}`,
  );
}

/** Why `model` cannot be written as fastText's file, or null when it can. */
export function fastTextExportProblem(model: TextClassifier): string | null {
  if (model.options.compat !== "fasttext") {
    return "it is a textkit model, whose features (normalised, lowercased, textkit's tokenizer and n-gram hash) are not fastText's, so fastText would look up other rows and answer differently; only models imported from fastText can be written back";
  }
  if (model.quantized !== null) {
    return "textkit quantised it, and fastText cannot read textkit's int8 rows; export the model before 'classify quantize'";
  }
  const { featurizer, options } = model;
  if (featurizer.usesBuckets) {
    const buckets = featurizer.buckets;
    const whole = buckets.length === options.buckets && buckets.every((b, i) => b === i);
    if (!whole) {
      return "its n-gram buckets were pruned (a .ftz quantised with -cutoff), and fastText reads pruned buckets only from a quantised file, which textkit does not write; export from the original .bin instead";
    }
  }
  return null;
}

/** The bytes of `model` as fastText's model file (see fastTextExportProblem for what is refused). */
export function fastTextModelBytes(model: TextClassifier): Buffer {
  const problem = fastTextExportProblem(model);
  if (problem !== null) throw refuse(problem);
  const { options, featurizer, weights, labels } = model;
  const bucket = featurizer.usesBuckets ? options.buckets : 0;
  const w = new Writer();
  w.i32(FASTTEXT_MAGIC);
  w.i32(FASTTEXT_VERSION);
  // args.cc's save order: dim, ws, epoch, minCount, neg, wordNgrams, loss, model, bucket,
  // minn, maxn, lrUpdateRate, t. ws, neg, lrUpdateRate and t only matter to training.
  for (const v of [
    options.dim,
    5,
    options.epochs,
    options.minCount,
    5,
    options.wordNgrams,
    LOSS_CODES[options.loss],
    SUPERVISED,
    bucket,
    options.maxn > 0 ? options.minn : 0,
    options.maxn,
    100,
  ])
    w.i32(v);
  w.f64(1e-4);
  // dictionary.cc: size, nwords, nlabels, ntokens (int64), pruneidx_size (int64, -1: none),
  // then each entry: the word, its count (int64), its type (0 word, 1 label). Word counts
  // only matter to training (1 each); label counts shape the hierarchical-softmax tree.
  const words = featurizer.words;
  w.i32(words.length + labels.length);
  w.i32(words.length);
  w.i32(labels.length);
  w.i64(words.length);
  w.i64(-1);
  for (const word of words) {
    w.cstring(word);
    w.i64(1);
    w.u8(0);
  }
  labels.forEach((label, i) => {
    w.cstring(`${FASTTEXT_LABEL_PREFIX}${label}`);
    w.i64(model.hsCounts?.[i] ?? 1);
    w.u8(1);
  });
  const dim = options.dim;
  const rows = words.length + bucket;
  if (weights.input.length !== rows * dim) {
    throw refuse(`its input matrix holds ${weights.input.length / dim} rows where fastText expects ${rows}`);
  }
  w.u8(0);
  w.matrix(weights.input, rows, dim);
  w.u8(0);
  w.matrix(weights.output, labels.length, dim);
  return w.bytes();
}

/**
 * Writes `model` as a fastText `.bin` at `path` (atomically: a temporary name, then a
 * rename). A model whose features are not fastText's is FASTTEXT_EXPORT_UNSUPPORTED, and
 * nothing is written.
 *
 * @example
 * const model = await importFastText("model.bin");
 * await exportFastText(model, "copy.bin"); // `fasttext predict-prob copy.bin -` answers alike
 */
export async function exportFastText(model: TextClassifier, path: string): Promise<void> {
  await writeFileAtomic(path, fastTextModelBytes(model));
}
