/**
 * Reads fastText's binary model files (`.bin`, and `.ftz` quantised ones): the layout of
 * FastText::saveModel in fastText 0.9 (file format version 12; version 11 files, which
 * predate character n-grams in supervised models, are read as fastText reads them).
 * Quantised matrices are decoded to Float32 here, as fastText adds them up when it predicts.
 */
import { TextkitError } from "../../core/index.ts";

export const FASTTEXT_MAGIC = 793712314;
export const FASTTEXT_VERSION = 12;

/** fastText's loss_name and model_name enums (args.h). */
const LOSSES = { 1: "hs", 2: "ns", 3: "softmax", 4: "ova" } as const;
const MODELS = { 1: "cbow", 2: "skipgram", 3: "supervised" } as const;

export type FastTextLoss = (typeof LOSSES)[keyof typeof LOSSES];

export interface FastTextArgs {
  dim: number;
  ws: number;
  epoch: number;
  minCount: number;
  neg: number;
  wordNgrams: number;
  loss: FastTextLoss;
  model: (typeof MODELS)[keyof typeof MODELS];
  bucket: number;
  minn: number;
  maxn: number;
  lrUpdateRate: number;
  t: number;
}

export interface FastTextEntry {
  word: string;
  count: number;
  /** 0: word, 1: label. */
  type: 0 | 1;
}

/** A fastText model file, decoded. */
export interface FastTextModelFile {
  version: number;
  args: FastTextArgs;
  /** Words first (in row order), then labels (in output order). */
  words: FastTextEntry[];
  labels: FastTextEntry[];
  /** Pruned buckets of a quantised model: bucket -> index among the kept n-gram rows; null when not pruned. */
  pruneIndex: Map<number, number> | null;
  /** rows x dim, rows = words + buckets (or kept n-grams). */
  input: Float32Array;
  inputRows: number;
  /** outputRows x dim: one row per label (softmax, ova, ns) or per inner tree node (hs). */
  output: Float32Array;
  outputRows: number;
  quantized: boolean;
}

/** Reads little-endian values from a buffer, with a coded error when the file ends too soon. */
class Reader {
  private offset = 0;
  private readonly view: DataView;
  constructor(
    private readonly bytes: Uint8Array,
    private readonly file: string,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  get position(): number {
    return this.offset;
  }
  get remaining(): number {
    return this.bytes.length - this.offset;
  }
  private need(n: number, what: string): void {
    if (this.offset + n > this.bytes.length) {
      throw new TextkitError(
        "FASTTEXT_FORMAT",
        `${this.file} ends at byte ${this.bytes.length} while reading ${what}: the file is truncated`,
        { file: this.file },
      );
    }
  }
  i32(what: string): number {
    this.need(4, what);
    const v = this.view.getInt32(this.offset, true);
    this.offset += 4;
    return v;
  }
  i64(what: string): number {
    this.need(8, what);
    const v = this.view.getBigInt64(this.offset, true);
    this.offset += 8;
    if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < 0n) {
      throw new TextkitError("FASTTEXT_FORMAT", `${this.file} has ${what} = ${v}, which is not a size`, {
        file: this.file,
      });
    }
    return Number(v);
  }
  f64(what: string): number {
    this.need(8, what);
    const v = this.view.getFloat64(this.offset, true);
    this.offset += 8;
    return v;
  }
  u8(what: string): number {
    this.need(1, what);
    return this.bytes[this.offset++]!;
  }
  bytesOf(n: number, what: string): Uint8Array {
    this.need(n, what);
    const out = this.bytes.subarray(this.offset, this.offset + n);
    this.offset += n;
    return out;
  }
  f32s(n: number, what: string): Float32Array {
    this.need(n * 4, what);
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = this.view.getFloat32(this.offset + 4 * i, true);
    this.offset += n * 4;
    return out;
  }
  cstring(what: string): string {
    const start = this.offset;
    const end = this.bytes.indexOf(0, start);
    if (end < 0) this.need(this.bytes.length - start + 1, what);
    this.offset = end + 1;
    return Buffer.from(this.bytes.buffer, this.bytes.byteOffset + start, end - start).toString("utf8");
  }
}

function invalid(file: string, what: string): TextkitError {
  return new TextkitError("FASTTEXT_FORMAT", `${file} is not a valid fastText model: ${what}`, { file });
}

function readArgs(r: Reader, file: string): FastTextArgs {
  const dim = r.i32("dim");
  const ws = r.i32("ws");
  const epoch = r.i32("epoch");
  const minCount = r.i32("minCount");
  const neg = r.i32("neg");
  const wordNgrams = r.i32("wordNgrams");
  const lossCode = r.i32("loss");
  const modelCode = r.i32("model");
  const bucket = r.i32("bucket");
  const minn = r.i32("minn");
  const maxn = r.i32("maxn");
  const lrUpdateRate = r.i32("lrUpdateRate");
  const t = r.f64("t");
  const loss = LOSSES[lossCode as keyof typeof LOSSES];
  const model = MODELS[modelCode as keyof typeof MODELS];
  if (loss === undefined) throw invalid(file, `unknown loss code ${lossCode}`);
  if (model === undefined) throw invalid(file, `unknown model code ${modelCode}`);
  if (dim <= 0 || dim > 100_000) throw invalid(file, `dim ${dim}`);
  if (bucket < 0 || minn < 0 || maxn < 0 || wordNgrams < 1) {
    throw invalid(file, `bucket ${bucket}, minn ${minn}, maxn ${maxn}, wordNgrams ${wordNgrams}`);
  }
  return { dim, ws, epoch, minCount, neg, wordNgrams, loss, model, bucket, minn, maxn, lrUpdateRate, t };
}

function readDictionary(r: Reader, file: string): Pick<FastTextModelFile, "words" | "labels" | "pruneIndex"> {
  const size = r.i32("the dictionary size");
  const nwords = r.i32("the word count");
  const nlabels = r.i32("the label count");
  r.i64("the token count");
  const pruneSize = r.i32("the pruned-bucket count (low half)");
  const pruneHigh = r.i32("the pruned-bucket count (high half)");
  if (size < 0 || nwords < 0 || nlabels < 0 || nwords + nlabels !== size) {
    throw invalid(file, `its dictionary says ${size} entries, ${nwords} words and ${nlabels} labels`);
  }
  const words: FastTextEntry[] = [];
  const labels: FastTextEntry[] = [];
  for (let i = 0; i < size; i++) {
    const word = r.cstring(`dictionary entry ${i + 1}`);
    const count = r.i64(`the count of '${word}'`);
    const type = r.u8(`the type of '${word}'`);
    if (type !== 0 && type !== 1) throw invalid(file, `entry '${word}' has type ${type}`);
    (type === 0 ? words : labels).push({ word, count, type });
  }
  if (words.length !== nwords)
    throw invalid(file, `${words.length} word entries where ${nwords} were announced`);
  // pruneidx_size_ is an int64 that is -1 when nothing was pruned.
  const pruned = pruneHigh === 0 && pruneSize >= 0;
  if (!pruned && !(pruneHigh === -1 && pruneSize === -1))
    throw invalid(file, "a pruned-bucket count out of range");
  let pruneIndex: Map<number, number> | null = null;
  if (pruned && pruneSize > 0) {
    pruneIndex = new Map();
    for (let i = 0; i < pruneSize; i++) {
      const from = r.i32("a pruned bucket");
      const to = r.i32("a pruned bucket's row");
      pruneIndex.set(from, to);
    }
  } else if (pruned) {
    pruneIndex = new Map();
  }
  return { words, labels, pruneIndex };
}

/** A product-quantizer (quantizer.cc) and the rows it encodes, decoded to Float32. */
function readQuantMatrix(
  r: Reader,
  file: string,
  what: string,
): { rows: number; dim: number; data: Float32Array } {
  const qnorm = r.u8(`${what}: qnorm`) !== 0;
  const m = r.i64(`${what}: rows`);
  const n = r.i64(`${what}: columns`);
  const codesize = r.i32(`${what}: code size`);
  const codes = r.bytesOf(codesize, `${what}: codes`);
  const pq = readQuantizer(r, `${what}: quantizer`);
  if (pq.dim !== n || codesize !== m * pq.nsubq)
    throw invalid(file, `${what} has codes that do not match its shape`);
  let normCodes: Uint8Array | null = null;
  let npq: Quantizer | null = null;
  if (qnorm) {
    normCodes = r.bytesOf(m, `${what}: norm codes`);
    npq = readQuantizer(r, `${what}: norm quantizer`);
  }
  const data = new Float32Array(m * n);
  const x = new Float32Array(n);
  for (let t = 0; t < m; t++) {
    const norm = npq !== null && normCodes !== null ? npq.centroids[normCodes[t]!]! : 1;
    x.fill(0);
    for (let sub = 0; sub < pq.nsubq; sub++) {
      const d = sub === pq.nsubq - 1 ? pq.lastdsub : pq.dsub;
      const code = codes[pq.nsubq * t + sub]!;
      const base =
        sub === pq.nsubq - 1 ? sub * 256 * pq.dsub + code * pq.lastdsub : (sub * 256 + code) * pq.dsub;
      for (let k = 0; k < d; k++)
        x[sub * pq.dsub + k] = Math.fround(
          x[sub * pq.dsub + k]! + Math.fround(norm * pq.centroids[base + k]!),
        );
    }
    data.set(x, t * n);
  }
  return { rows: m, dim: n, data };
}

interface Quantizer {
  dim: number;
  nsubq: number;
  dsub: number;
  lastdsub: number;
  centroids: Float32Array;
}

function readQuantizer(r: Reader, what: string): Quantizer {
  const dim = r.i32(`${what} dim`);
  const nsubq = r.i32(`${what} subquantizers`);
  const dsub = r.i32(`${what} sub-dimension`);
  const lastdsub = r.i32(`${what} last sub-dimension`);
  if (dim <= 0 || nsubq <= 0 || dsub <= 0 || lastdsub <= 0) {
    throw new TextkitError("FASTTEXT_FORMAT", `${what} has a shape that is not positive`);
  }
  const centroids = r.f32s(dim * 256, `${what} centroids`);
  return { dim, nsubq, dsub, lastdsub, centroids };
}

function readDense(r: Reader, file: string, what: string): { rows: number; dim: number; data: Float32Array } {
  const m = r.i64(`${what}: rows`);
  const n = r.i64(`${what}: columns`);
  if (m * n * 4 > r.remaining) throw invalid(file, `${what} says ${m} x ${n} values but the file is shorter`);
  return { rows: m, dim: n, data: r.f32s(m * n, what) };
}

/**
 * Decodes a fastText model file's bytes. Word-vector models (cbow, skipgram) are refused
 * with FASTTEXT_UNSUPPORTED: textkit imports classifiers.
 */
export function parseFastTextModel(bytes: Uint8Array, file: string): FastTextModelFile {
  const r = new Reader(bytes, file);
  if (bytes.length < 8 || r.i32("the magic number") !== FASTTEXT_MAGIC) {
    throw invalid(
      file,
      "it does not start with fastText's magic number (is it a .bin or .ftz written by fastText?)",
    );
  }
  const version = r.i32("the version");
  if (version !== 11 && version !== FASTTEXT_VERSION) {
    throw new TextkitError(
      "FASTTEXT_UNSUPPORTED",
      `${file} is fastText file format version ${version}; textkit reads versions 11 and 12 (fastText 0.1 to 0.9)`,
      { file },
    );
  }
  const args = readArgs(r, file);
  if (args.model !== "supervised") {
    throw new TextkitError(
      "FASTTEXT_UNSUPPORTED",
      `${file} is a fastText ${args.model} word-vector model, not a classifier; textkit imports supervised models (train word vectors with 'textkit vectors train', or read a .vec file with --pretrained-vectors)`,
      { file },
    );
  }
  // fastText 0.1 supervised models had no character n-grams (FastText::loadModel).
  if (version === 11) args.maxn = 0;
  const dict = readDictionary(r, file);
  if (dict.labels.length === 0) throw invalid(file, "it has no labels");
  const quantInput = r.u8("the input-quantised flag") !== 0;
  const input = quantInput
    ? readQuantMatrix(r, file, "the input matrix")
    : readDense(r, file, "the input matrix");
  const quantOutput = r.u8("the output-quantised flag") !== 0;
  const output = quantOutput
    ? readQuantMatrix(r, file, "the output matrix")
    : readDense(r, file, "the output matrix");
  if (r.remaining !== 0) throw invalid(file, `${r.remaining} bytes follow the output matrix`);
  const ngramRows = dict.pruneIndex === null ? args.bucket : dict.pruneIndex.size;
  if (input.dim !== args.dim || input.rows !== dict.words.length + ngramRows) {
    throw invalid(
      file,
      `its input matrix is ${input.rows} x ${input.dim}, not (${dict.words.length} words + ${ngramRows} n-gram rows) x ${args.dim}`,
    );
  }
  const outputRows = args.loss === "hs" ? dict.labels.length - 1 : dict.labels.length;
  if (output.dim !== args.dim || output.rows < outputRows) {
    throw invalid(
      file,
      `its output matrix is ${output.rows} x ${output.dim}, not ${dict.labels.length} x ${args.dim}`,
    );
  }
  return {
    version,
    args,
    ...dict,
    input: input.data,
    inputRows: input.rows,
    output: output.data,
    outputRows: output.rows,
    quantized: quantInput || quantOutput,
  };
}
