/**
 * The quantised classifier's file format: what a quantised artifact holds next to its
 * manifest (the vocabulary deflated, bucket ids as varints, the product-quantisation codes
 * and codebook, the output matrix in 8 bits or as floats) and how it is read back and
 * checked. Apart from quantize.ts, which trains the codes, so that the classifier can load a
 * quantised model without importing the quantiser, which imports the classifier.
 */
import { join } from "node:path";
import { deflateRawSync, inflateRawSync } from "node:zlib";
import { bytesOf, float32FromBuffer } from "../../artifact/index.ts";
import { TextkitError } from "../../core/index.ts";
import type { DictionarySegmenter } from "../../text/index.ts";
import type { Weights } from "./engine.ts";
import { Featurizer } from "./featurizer.ts";
import type { ClassifierOptions } from "./options.ts";

/** What a quantised artifact records about its compression (manifest `options.quantized`). */
export interface QuantizationInfo {
  dsub: number;
  /** Centroids actually used per sub-space (fewer than asked when fewer rows are kept). */
  centroids: number;
  /** Rows kept, 0 when no row was dropped. */
  cutoff: number;
  /** Embedding rows of the float model and of the quantised one. */
  sourceRows: number;
  rows: number;
  quantizeOutput: boolean;
  seed: number;
  iterations: number;
}

/** @internal The stored form of a quantised model, next to the dequantised weights it predicts with. */
export interface QuantizedForm {
  info: QuantizationInfo;
  featurizer: Featurizer;
  weights: Weights;
  /** Sub-space m's centroids start at centroids * (first value of m); each is that sub-space's width. */
  codebook: Float32Array;
  /** rows x sub-spaces */
  codes: Uint8Array;
  /** 8-bit output rows with (min, step) per row, when the output is quantised. */
  outputCodes: Uint8Array | null;
  outputRange: Float32Array | null;
}

export const FILE_WORDS = "words.txt.deflate";
export const FILE_BUCKETS = "buckets.varint";
export const FILE_CODES = "input.codes";
export const FILE_CODEBOOK = "input.codebook.f32";
export const FILE_OUTPUT = "output.f32";
export const FILE_OUTPUT_CODES = "output.u8";
export const FILE_OUTPUT_RANGE = "output.range.f32";

export function dequantizeRows(
  codebook: Float32Array,
  codes: Uint8Array,
  rows: number,
  dim: number,
  dsub: number,
  k: number,
): Float32Array {
  const subspaces = Math.ceil(dim / dsub);
  const out = new Float32Array(rows * dim);
  for (let r = 0; r < rows; r++) {
    for (let m = 0; m < subspaces; m++) {
      const first = m * dsub;
      const width = Math.min(dsub, dim - first);
      const src = k * first + codes[r * subspaces + m]! * width;
      for (let j = 0; j < width; j++) out[r * dim + first + j] = codebook[src + j]!;
    }
  }
  return out;
}

/** Per row: value ~ min + step * code, with codes 0..255 spanning the row's range. */
export function quantize8(
  values: Float32Array,
  rows: number,
  dim: number,
): { codes: Uint8Array; range: Float32Array } {
  const codes = new Uint8Array(rows * dim);
  const range = new Float32Array(rows * 2);
  for (let r = 0; r < rows; r++) {
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (let d = 0; d < dim; d++) {
      const v = values[r * dim + d]!;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    const min = Math.fround(lo);
    const step = Math.fround(hi > lo ? (hi - lo) / 255 : 0);
    range[2 * r] = min;
    range[2 * r + 1] = step;
    for (let d = 0; d < dim; d++) {
      const q = step > 0 ? Math.round((values[r * dim + d]! - min) / step) : 0;
      codes[r * dim + d] = Math.max(0, Math.min(255, q));
    }
  }
  return { codes, range };
}

export function dequantize8(codes: Uint8Array, range: Float32Array, rows: number, dim: number): Float32Array {
  const out = new Float32Array(rows * dim);
  for (let r = 0; r < rows; r++) {
    const min = range[2 * r]!;
    const step = range[2 * r + 1]!;
    for (let d = 0; d < dim; d++) out[r * dim + d] = min + step * codes[r * dim + d]!;
  }
  return out;
}

export function encodeWords(words: readonly string[]): Uint8Array {
  return deflateRawSync(Buffer.from(words.join("\n"), "utf8"), { level: 9 });
}

/** Ascending bucket ids as LEB128 varints of their gaps: 1 to 3 bytes each instead of 4. */
export function encodeBuckets(buckets: Int32Array): Uint8Array {
  const out: number[] = [];
  let previous = 0;
  for (let i = 0; i < buckets.length; i++) {
    let gap = buckets[i]! - previous;
    previous = buckets[i]!;
    while (gap >= 0x80) {
      out.push((gap & 0x7f) | 0x80);
      gap >>>= 7;
    }
    out.push(gap);
  }
  return Uint8Array.from(out);
}

function decodeBuckets(data: Uint8Array, dir: string): Int32Array {
  const out: number[] = [];
  let previous = 0;
  let gap = 0;
  let shift = 0;
  for (let i = 0; i < data.length; i++) {
    const byte = data[i]!;
    gap += (byte & 0x7f) * 2 ** shift;
    if (byte & 0x80) {
      shift += 7;
      if (shift > 28) throw corrupt(dir, "a bucket id is too long");
    } else {
      previous += gap;
      out.push(previous);
      gap = 0;
      shift = 0;
    }
  }
  if (shift !== 0) throw corrupt(dir, "the bucket list is truncated");
  return Int32Array.from(out);
}

function corrupt(dir: string, why: string): TextkitError {
  return new TextkitError("ARTIFACT_CORRUPT", `the quantised model in ${dir} is damaged: ${why}`, {
    file: dir,
  });
}

/** @internal The files a quantised model's artifact holds (besides run.json). */
export function quantizedFiles(form: QuantizedForm): Record<string, Uint8Array> {
  const files: Record<string, Uint8Array> = {
    [FILE_WORDS]: encodeWords(form.featurizer.words),
    [FILE_BUCKETS]: encodeBuckets(form.featurizer.buckets),
    [FILE_CODES]: form.codes,
    [FILE_CODEBOOK]: bytesOf(form.codebook),
  };
  if (form.outputCodes !== null && form.outputRange !== null) {
    files[FILE_OUTPUT_CODES] = form.outputCodes;
    files[FILE_OUTPUT_RANGE] = bytesOf(form.outputRange);
  } else {
    files[FILE_OUTPUT] = bytesOf(form.weights.output);
  }
  return files;
}

/** @internal Rebuilds a quantised model's featurizer and dequantised weights from its files. */
export function readQuantizedForm(
  files: Record<string, Buffer>,
  rawInfo: unknown,
  options: ClassifierOptions,
  labels: number,
  dir: string,
  dictionary: DictionarySegmenter | null = null,
): QuantizedForm {
  const info = checkInfo(rawInfo, options.dim, dir);
  const need = (name: string): Buffer => {
    const data = files[name];
    if (data === undefined) throw corrupt(dir, `${name} is not listed in the manifest`);
    return data;
  };
  const dim = options.dim;
  let words: string[];
  try {
    const text = inflateRawSync(need(FILE_WORDS)).toString("utf8");
    words = text.length === 0 ? [] : text.split("\n");
  } catch (cause) {
    if (cause instanceof TextkitError) throw cause;
    throw corrupt(dir, `${FILE_WORDS} does not inflate`);
  }
  const buckets = decodeBuckets(need(FILE_BUCKETS), dir);
  const rows = words.length + buckets.length;
  for (let i = 0; i < buckets.length; i++)
    if (buckets[i]! >= options.buckets) throw corrupt(dir, `bucket ${buckets[i]} is out of range`);
  const subspaces = Math.ceil(dim / info.dsub);
  const codes = new Uint8Array(need(FILE_CODES));
  const codebook = float32FromBuffer(need(FILE_CODEBOOK), join(dir, FILE_CODEBOOK));
  if (rows !== info.rows || codes.length !== rows * subspaces || codebook.length !== info.centroids * dim)
    throw corrupt(dir, "the codes do not match the vocabulary and the dimension");
  for (let i = 0; i < codes.length; i++)
    if (codes[i]! >= info.centroids) throw corrupt(dir, "a code names a centroid that does not exist");
  let output: Float32Array;
  let outputCodes: Uint8Array | null = null;
  let outputRange: Float32Array | null = null;
  if (info.quantizeOutput) {
    outputCodes = new Uint8Array(need(FILE_OUTPUT_CODES));
    outputRange = float32FromBuffer(need(FILE_OUTPUT_RANGE), join(dir, FILE_OUTPUT_RANGE));
    if (outputCodes.length !== labels * dim || outputRange.length !== labels * 2)
      throw corrupt(dir, "the output matrix does not match the labels");
    output = dequantize8(outputCodes, outputRange, labels, dim);
  } else {
    output = float32FromBuffer(need(FILE_OUTPUT), join(dir, FILE_OUTPUT));
    if (output.length !== labels * dim) throw corrupt(dir, "the output matrix does not match the labels");
  }
  return {
    info,
    featurizer: new Featurizer(options, words, buckets, true, dictionary),
    weights: {
      dim,
      labels,
      input: dequantizeRows(codebook, codes, rows, dim, info.dsub, info.centroids),
      output,
    },
    codebook,
    codes,
    outputCodes,
    outputRange,
  };
}

function checkInfo(raw: unknown, dim: number, dir: string): QuantizationInfo {
  const bad = (): TextkitError => corrupt(dir, "its manifest's quantized record is incomplete");
  if (raw === null || typeof raw !== "object") throw bad();
  const r = raw as Record<string, unknown>;
  const int = (key: string, min: number, max: number): number => {
    const v = r[key];
    if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) throw bad();
    return v;
  };
  if (typeof r["quantizeOutput"] !== "boolean") throw bad();
  return {
    dsub: int("dsub", 1, dim),
    centroids: int("centroids", 1, 256),
    cutoff: int("cutoff", 0, 2 ** 31 - 1),
    sourceRows: int("sourceRows", 0, 2 ** 31 - 1),
    rows: int("rows", 0, 2 ** 31 - 1),
    quantizeOutput: r["quantizeOutput"],
    seed: int("seed", 0, 2 ** 32 - 1),
    iterations: int("iterations", 0, 1_000_000),
  };
}
