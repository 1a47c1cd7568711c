/**
 * Compression of a trained classifier, after fastText's `quantize` (.ftz files): the
 * embedding rows with the smallest norms are dropped (a dropped word or n-gram is then
 * unknown to the model), the rest are product-quantised (each row cut into sub-vectors of
 * `dsub` values, each sub-vector stored as the one-byte index of its nearest centroid), and
 * the output matrix is optionally stored in 8 bits. The gain is on disk and in transfer:
 * prediction runs on weights dequantised to Float32 when the model is built or loaded.
 */
import { ARTIFACT_FORMAT, ARTIFACT_FORMAT_VERSION, type ManifestInput } from "../../artifact/index.ts";
import { Random, TextkitError } from "../../core/index.ts";
import type { TextClassifier } from "./classifier.ts";
import type { Weights } from "./engine.ts";
import { Featurizer } from "./featurizer.ts";
import { ITERATIONS, productQuantize, type QuantizeHooks } from "./product-quantize.ts";
import {
  dequantize8,
  dequantizeRows,
  encodeBuckets,
  encodeWords,
  FILE_BUCKETS,
  FILE_CODEBOOK,
  FILE_CODES,
  FILE_OUTPUT,
  FILE_OUTPUT_CODES,
  FILE_OUTPUT_RANGE,
  FILE_WORDS,
  type QuantizationInfo,
  quantize8,
} from "./quantized-format.ts";

export interface QuantizeOptions {
  /** Keep at most this many embedding rows, those with the largest L2 norm (0 = keep all). */
  cutoff?: number;
  /** Values per sub-vector of the product quantiser (default 2): fewer bytes per row as it grows. */
  dsub?: number;
  /** Centroids per sub-space, at most 256 so that a code fits a byte (default 256). */
  centroids?: number;
  /** Store the output matrix in 8 bits per value too (default false). */
  quantizeOutput?: boolean;
  seed?: number;
  /**
   * When given and `cutoff` is not: keep as many rows as fit an artifact of at most this
   * fraction of the float model's size (e.g. 0.1 for a tenth).
   */
  targetRatio?: number;
}

interface ResolvedQuantizeOptions {
  cutoff: number | null;
  dsub: number;
  centroids: number;
  quantizeOutput: boolean;
  seed: number;
  targetRatio: number | null;
}

function invalid(message: string): TextkitError {
  return new TextkitError("OPTION_INVALID", message);
}

function resolveQuantizeOptions(options: QuantizeOptions, dim: number): ResolvedQuantizeOptions {
  const isInt = (v: number, min: number, max: number): boolean => Number.isInteger(v) && v >= min && v <= max;
  const { cutoff, dsub = 2, centroids = 256, quantizeOutput = false, seed = 1, targetRatio } = options;
  if (cutoff !== undefined && !isInt(cutoff, 0, 2 ** 31 - 1))
    throw invalid(`cutoff must be a whole number of rows (0 = keep all), got ${cutoff}`);
  if (!isInt(dsub, 1, dim))
    throw invalid(`dsub must be an integer from 1 to the model's dim (${dim}), got ${dsub}`);
  if (!isInt(centroids, 2, 256))
    throw invalid(`centroids must be an integer from 2 to 256, got ${centroids}`);
  if (typeof quantizeOutput !== "boolean")
    throw invalid(`quantizeOutput must be true or false, got ${String(quantizeOutput)}`);
  if (!isInt(seed, 0, 2 ** 32 - 1)) throw invalid(`seed must be an integer from 0 to 2^32-1, got ${seed}`);
  if (targetRatio !== undefined && !(targetRatio > 0 && targetRatio <= 1))
    throw invalid(`targetRatio must be a fraction in (0, 1], e.g. 0.1, got ${targetRatio}`);
  return {
    cutoff: cutoff ?? null,
    dsub,
    centroids,
    quantizeOutput,
    seed,
    targetRatio: targetRatio ?? null,
  };
}

/**
 * Compresses a trained classifier; the model returned predicts like the original (up to
 * the quantisation error) and its `save()` writes the compressed artifact, which
 * `loadClassifier` reads like any other.
 *
 * @example
 * const small = quantizeClassifier(model, { targetRatio: 0.1, quantizeOutput: true });
 * await small.save("models/intent-small");
 */
export function quantizeClassifier(
  model: TextClassifier,
  options: QuantizeOptions = {},
  hooks: QuantizeHooks = {},
): TextClassifier {
  if (model.quantized !== null)
    throw invalid("this model is already quantised; quantise the float model it came from");
  const { dim } = model.weights;
  const o = resolveQuantizeOptions(options, dim);
  const source = model.featurizer;
  const sourceRows = source.rows;
  const order = rowsByNorm(model.weights.input, sourceRows, dim);

  let keep = sourceRows;
  if (o.cutoff !== null && o.cutoff > 0) keep = Math.min(o.cutoff, sourceRows);
  else if (o.cutoff === null && o.targetRatio !== null) keep = cutoffForRatio(model, order, o, o.targetRatio);
  if (keep < 1) throw invalid("cutoff keeps no row; keep at least one");

  const { featurizer, sourceRowOf } = prunedFeaturizer(source, order, keep);
  const rows = featurizer.rows;
  const centroids = Math.min(o.centroids, rows);
  const info: QuantizationInfo = {
    dsub: o.dsub,
    centroids,
    cutoff: keep < sourceRows ? keep : 0,
    sourceRows,
    rows,
    quantizeOutput: o.quantizeOutput,
    seed: o.seed,
    iterations: ITERATIONS,
  };

  const kept = new Float32Array(rows * dim);
  for (let r = 0; r < rows; r++)
    kept.set(model.weights.input.subarray(sourceRowOf[r]! * dim, (sourceRowOf[r]! + 1) * dim), r * dim);
  const { codebook, codes } = productQuantize(kept, rows, dim, o.dsub, centroids, new Random(o.seed), hooks);

  let outputCodes: Uint8Array | null = null;
  let outputRange: Float32Array | null = null;
  let output: Float32Array = model.weights.output.slice();
  if (o.quantizeOutput) {
    ({ codes: outputCodes, range: outputRange } = quantize8(output, model.labels.length, dim));
    output = dequantize8(outputCodes, outputRange, model.labels.length, dim);
  }
  const weights: Weights = {
    dim,
    labels: model.labels.length,
    input: dequantizeRows(codebook, codes, rows, dim, o.dsub, centroids),
    output,
  };
  return model.withQuantized({ info, featurizer, weights, codebook, codes, outputCodes, outputRange });
}

/** Row indices, largest L2 norm first (ties: lower row first, so the order is deterministic). */
function rowsByNorm(input: Float32Array, rows: number, dim: number): Int32Array {
  const norms = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let d = r * dim, end = d + dim; d < end; d++) s += input[d]! * input[d]!;
    norms[r] = s;
  }
  const order = new Int32Array(rows);
  for (let r = 0; r < rows; r++) order[r] = r;
  order.sort((a, b) => norms[b]! - norms[a]! || a - b);
  return order;
}

/**
 * The featurizer of the first `keep` rows of `order`. Words are sorted (they compress
 * better) and buckets ascending (they delta-encode); `sourceRowOf` maps new rows to old.
 */
function prunedFeaturizer(
  source: Featurizer,
  order: Int32Array,
  keep: number,
): { featurizer: Featurizer; sourceRowOf: Int32Array } {
  const { words, buckets } = keptFeatures(source, order, keep);
  const nWords = source.words.length;
  const sourceBuckets = source.buckets;
  const bucketRow = new Map<number, number>();
  for (let i = 0; i < sourceBuckets.length; i++) bucketRow.set(sourceBuckets[i]!, nWords + i);
  const sourceRowOf = new Int32Array(words.length + buckets.length);
  for (let i = 0; i < words.length; i++) sourceRowOf[i] = source.wordId(words[i]!);
  for (let i = 0; i < buckets.length; i++) sourceRowOf[words.length + i] = bucketRow.get(buckets[i]!)!;
  return { featurizer: new Featurizer(source.options, words, buckets, true, source.dictionary), sourceRowOf };
}

function keptFeatures(
  source: Featurizer,
  order: Int32Array,
  keep: number,
): { words: string[]; buckets: Int32Array } {
  const nWords = source.words.length;
  const sourceBuckets = source.buckets;
  const words: string[] = [];
  const bucketIds: number[] = [];
  for (let i = 0; i < keep; i++) {
    const r = order[i]!;
    if (r < nWords) words.push(source.words[r]!);
    else bucketIds.push(sourceBuckets[r - nWords]!);
  }
  words.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const buckets = Int32Array.from(bucketIds).sort();
  return { words, buckets };
}

/** The most rows whose artifact stays within `ratio` of the float artifact's size. */
function cutoffForRatio(
  model: TextClassifier,
  order: Int32Array,
  o: ResolvedQuantizeOptions,
  ratio: number,
): number {
  const dim = model.weights.dim;
  const floatParts = model.artifactParts();
  const budget = Math.floor(ratio * artifactBytes(floatParts.manifest, floatParts.files));
  const labels = model.labels.length;
  const subspaces = Math.ceil(dim / o.dsub);
  const sizeOf = (keep: number): number => {
    const { words, buckets } = keptFeatures(model.featurizer, order, keep);
    const centroids = Math.min(o.centroids, keep);
    const sizes: Record<string, number> = {
      [FILE_WORDS]: encodeWords(words).byteLength,
      [FILE_BUCKETS]: encodeBuckets(buckets).byteLength,
      [FILE_CODES]: keep * subspaces,
      [FILE_CODEBOOK]: centroids * dim * 4,
      ...(o.quantizeOutput
        ? { [FILE_OUTPUT_CODES]: labels * dim, [FILE_OUTPUT_RANGE]: labels * 8 }
        : { [FILE_OUTPUT]: labels * dim * 4 }),
    };
    for (const [name, data] of Object.entries(floatParts.files))
      if (!FLOAT_WEIGHT_FILES.has(name)) sizes[name] = data.byteLength;
    const info: QuantizationInfo = {
      dsub: o.dsub,
      centroids,
      cutoff: keep < order.length ? keep : 0,
      sourceRows: order.length,
      rows: keep,
      quantizeOutput: o.quantizeOutput,
      seed: o.seed,
      iterations: ITERATIONS,
    };
    const manifest = { ...floatParts.manifest, options: { ...floatParts.manifest.options, quantized: info } };
    let total = manifestBytes(manifest, sizes);
    for (const size of Object.values(sizes)) total += size;
    return total;
  };
  if (sizeOf(1) > budget) {
    throw invalid(
      `targetRatio ${ratio} is out of reach: even one row takes ${sizeOf(1)} bytes, ` +
        `${(sizeOf(1) / (budget / ratio)).toFixed(3)} of the float model; ` +
        "raise it, or use quantizeOutput or a larger dsub",
    );
  }
  // The size grows with the rows kept, so the largest that fits is found by bisection.
  let lo = 1;
  let hi = order.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (sizeOf(mid) <= budget) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

const FLOAT_WEIGHT_FILES = new Set(["input.f32", "output.f32", "words.txt", "buckets.i32"]);

/** Bytes of an artifact: its files plus the manifest writeArtifact would write. */
function artifactBytes(manifest: ManifestInput, files: Record<string, Uint8Array>): number {
  const sizes: Record<string, number> = {};
  let total = 0;
  for (const [name, data] of Object.entries(files)) {
    sizes[name] = data.byteLength;
    total += data.byteLength;
  }
  return total + manifestBytes(manifest, sizes);
}

/** Size of manifest.json as writeArtifact writes it (a SHA-256, the digest too, is always 64 hex digits). */
function manifestBytes(manifest: ManifestInput, sizes: Record<string, number>): number {
  const files: Record<string, { bytes: number; sha256: string }> = {};
  for (const [name, bytes] of Object.entries(sizes)) files[name] = { bytes, sha256: "0".repeat(64) };
  const full = {
    format: ARTIFACT_FORMAT,
    formatVersion: ARTIFACT_FORMAT_VERSION,
    ...manifest,
    createdAt: manifest.createdAt ?? new Date(0).toISOString(),
    files,
    digest: "0".repeat(64),
  };
  return Buffer.byteLength(`${JSON.stringify(full, null, 2)}\n`, "utf8");
}
