/**
 * A pretrained encoder's word vectors as tagger features (issues 12 and 18): each token
 * (an English word, a Chinese character) gets the last hidden state of its first sub-word
 * piece (BERT-NER's choice; or the mean of its pieces), and the tagger learns dense
 * emission weights over it, `hidden × tags`, updated by the same perceptron step as the
 * sparse features and averaged with them. The scores add to the sparse emissions, and
 * decoding is unchanged (Viterbi over the allowed transitions).
 *
 * The model names its encoder by checksum in `encoder.json`; its weights are `dense.f32`.
 * Tagging needs that encoder again (another is ENCODER_CHANGED), and answers
 * asynchronously: `predictAsync` / `evaluateAsync`.
 */
import { join } from "node:path";
import { readArtifact } from "../../artifact/index.ts";
import {
  readEncoderRef,
  TextkitError,
  WORD_VECTOR_MODES,
  type WordEncoder,
  type WordVectorMode,
} from "../../core/index.ts";

/** The artifact file naming the encoder. */
export const TAGGER_ENCODER_FILE = "encoder.json";
/** The artifact file of the dense emission weights (hidden × tags, float32). */
export const TAGGER_DENSE_FILE = "dense.f32";

/** How a tagger names the encoder its word vectors come from. */
export interface TaggerEncoderRef {
  id: string;
  checksum: string;
  dim: number;
  wordVector: WordVectorMode;
  /** The folder it was loaded from at training time (a hint for loaders; the checksum decides). */
  path: string | null;
  /**
   * Each dimension is standardised before the weights see it: (x − mean) · scale, with the
   * training tokens' mean and 1 / standard deviation. Hidden states share a large common
   * component, and the perceptron learns slowly on uncentred inputs.
   */
  mean: number[];
  scale: number[];
}

/** The mean and 1 / standard deviation of each dimension of `flat` (rows of `dim`). */
export function vectorStats(flat: Float32Array, dim: number): { mean: number[]; scale: number[] } {
  const rows = flat.length / dim;
  const sum = new Float64Array(dim);
  const squares = new Float64Array(dim);
  flat.forEach((v, i) => {
    const d = i % dim;
    sum[d] = (sum[d] ?? 0) + v;
    squares[d] = (squares[d] ?? 0) + v * v;
  });
  const mean = Array.from(sum, (s) => (rows === 0 ? 0 : s / rows));
  const scale = Array.from(squares, (q, d) => {
    const m = mean[d] ?? 0;
    const variance = rows === 0 ? 0 : q / rows - m * m;
    // A dimension that never varies carries nothing: it is zeroed rather than blown up.
    return variance > 1e-12 ? 1 / Math.sqrt(variance) : 0;
  });
  return { mean: mean.map(Math.fround), scale: scale.map(Math.fround) };
}

/** Standardises rows of `flat` in place with `stats` (see `TaggerEncoderRef.mean`). */
export function standardize(
  flat: Float32Array,
  stats: { mean: readonly number[]; scale: readonly number[] },
): void {
  const dim = stats.mean.length;
  flat.forEach((v, i) => {
    const d = i % dim;
    flat[i] = (v - (stats.mean[d] ?? 0)) * (stats.scale[d] ?? 0);
  });
}

/** Word vectors of sentences: one flat `tokens × dim` array and a view of it per sentence. */
export interface SentenceVectors {
  dim: number;
  /** Every token of every sentence, in order. */
  flat: Float32Array;
  /** By `sentenceKey(tokens)`: that sentence's `tokens × dim` view of `flat`. */
  bySentence: Map<string, Float32Array>;
}

/** The key of a sentence's vectors: its tokens. */
export function sentenceKey(tokens: readonly string[]): string {
  return tokens.join("\u0001");
}

/**
 * The encoder's word vectors of `sentences`, checked for shape and finite values.
 *
 * @example
 * const v = await sentenceVectors(encoder, [["Tim", "Cook"]], "first");
 */
export async function sentenceVectors(
  encoder: WordEncoder,
  sentences: readonly (readonly string[])[],
  mode: WordVectorMode,
  onProgress?: (progress: { done: number; total: number }) => void,
  stats?: { mean: readonly number[]; scale: readonly number[] },
): Promise<SentenceVectors> {
  const out = await encoder.embedWords(sentences, {
    wordVector: mode,
    ...(onProgress === undefined ? {} : { onProgress }),
  });
  const dim = encoder.dim;
  let tokens = 0;
  for (const s of sentences) tokens += s.length;
  const flat = new Float32Array(tokens * dim);
  const bySentence = new Map<string, Float32Array>();
  let at = 0;
  sentences.forEach((tokensOf, s) => {
    const v = out.vectors[s];
    if (out.dim !== dim || v === undefined || v.length !== tokensOf.length * dim) {
      throw new TextkitError(
        "INTERNAL",
        `the encoder ${encoder.id} returned word vectors of the wrong shape`,
      );
    }
    for (const value of v) {
      if (!Number.isFinite(value)) {
        throw new TextkitError(
          "DATA_BAD_VECTORS",
          `the encoder ${encoder.id} returned ${value} in a word vector`,
        );
      }
    }
    flat.set(v, at);
    bySentence.set(sentenceKey(tokensOf), flat.subarray(at, at + v.length));
    at += v.length;
  });
  if (stats !== undefined) standardize(flat, stats);
  return { dim, flat, bySentence };
}

/** Adds `x · W` to each token's tag scores: `x` is n × dim, `W` dim × T, `emit` n × T. */
export function addDenseEmissions(
  W: Float32Array,
  x: Float32Array,
  n: number,
  T: number,
  emit: Float64Array,
): void {
  const dim = W.length / T;
  for (let i = 0; i < n; i++) {
    const base = i * T;
    for (let d = 0; d < dim; d++) {
      const v = x[i * dim + d] ?? 0;
      if (v === 0) continue;
      const r = d * T;
      for (let t = 0; t < T; t++) emit[base + t] = (emit[base + t] ?? 0) + v * (W[r + t] ?? 0);
    }
  }
}

/**
 * The perceptron's update of the dense weights for one token (vector `x` at `offset`):
 * towards gold tag `g`, away from predicted `p`; `acc` gathers c · update for averaging.
 */
export function denseUpdate(
  W: Float32Array,
  acc: Float64Array,
  c: number,
  x: Float32Array,
  offset: number,
  g: number,
  p: number,
  T: number,
): void {
  const dim = W.length / T;
  for (let d = 0; d < dim; d++) {
    const v = x[offset + d] ?? 0;
    if (v === 0) continue;
    const r = d * T;
    W[r + g] = (W[r + g] ?? 0) + v;
    acc[r + g] = (acc[r + g] ?? 0) + c * v;
    W[r + p] = (W[r + p] ?? 0) - v;
    acc[r + p] = (acc[r + p] ?? 0) - c * v;
  }
}

/** The reference to record for `encoder`, loaded from `path`. */
export function taggerEncoderRef(
  encoder: WordEncoder,
  path: string | null,
  wordVector: WordVectorMode,
  stats: { mean: number[]; scale: number[] },
): TaggerEncoderRef {
  return { id: encoder.id, checksum: encoder.checksum, dim: encoder.dim, wordVector, path, ...stats };
}

/** Refuses an encoder other than the one the tagger was trained on (by checksum). */
export function checkTaggerEncoder(ref: TaggerEncoderRef, encoder: WordEncoder, where: string): void {
  if (encoder.checksum !== ref.checksum || encoder.dim !== ref.dim) {
    throw new TextkitError(
      "ENCODER_CHANGED",
      `the tagger ${where} was trained on the encoder ${ref.id} (checksum ${ref.checksum.slice(0, 12)}); the encoder given is ${encoder.id}`,
      where === "" ? {} : { file: join(where, TAGGER_ENCODER_FILE) },
    );
  }
}

/** The stored reference, checked: ARTIFACT_CORRUPT naming the file when it is not one. */
export function parseTaggerEncoderRef(data: Uint8Array, where: string): TaggerEncoderRef {
  const file = join(where, TAGGER_ENCODER_FILE);
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(data).toString("utf8"));
  } catch (cause) {
    throw new TextkitError("ARTIFACT_CORRUPT", `${file} is not valid JSON`, { file, cause });
  }
  const ref = readEncoderRef(value);
  const { wordVector, mean, scale } = (value ?? {}) as Record<string, unknown>;
  const numbers = (x: unknown): x is number[] =>
    Array.isArray(x) && x.length === ref?.dim && x.every((v) => typeof v === "number" && Number.isFinite(v));
  if (ref === null || !WORD_VECTOR_MODES.some((m) => m === wordVector) || !numbers(mean) || !numbers(scale)) {
    throw new TextkitError(
      "ARTIFACT_CORRUPT",
      `${file} does not name an encoder (id, checksum, dim, wordVector, path, mean and scale of dim numbers)`,
      { file },
    );
  }
  return { ...ref, wordVector: wordVector as WordVectorMode, mean, scale };
}

/**
 * The encoder a tagger directory needs to tag, or null for a tagger on sparse features
 * alone. Callers load it (from `path`, or a folder of their own with the same checksum).
 *
 * @example
 * const need = await taggerEncoderNeed("models/ner"); // { id, checksum, dim, wordVector, path } | null
 */
export async function taggerEncoderNeed(dir: string): Promise<TaggerEncoderRef | null> {
  const artifact = await readArtifact(dir, "tagger");
  const data = artifact.files[TAGGER_ENCODER_FILE];
  return data === undefined ? null : parseTaggerEncoderRef(data, dir);
}
