/**
 * Dense retrieval: texts become vectors through an encoder, the index keeps them as unit
 * rows of one Float32Array, and a query is compared with every row (exact cosine; at 10^5
 * rows of 300 dimensions that is a few tens of milliseconds, and needs no approximate
 * structure to build, tune or store).
 */
import { TextkitError } from "../../core/index.ts";
import { TopK } from "./top-k.ts";

/**
 * Turns texts into vectors: row i of the result (`dim` values, row-major) is the vector of
 * texts[i]. Any model can be plugged in through this interface; textkit's own is
 * `WordVectorEncoder`.
 *
 * Two optional capabilities: `fit` learns from the texts about to be indexed (word
 * frequencies, for example) and returns the encoder to use; `toArtifact` gives the
 * encoder's state, so that a saved index loads without being handed its encoder again.
 */
export interface PassageEncoder {
  /** Names the encoder and its weights; an index loads only with an encoder of the same id. */
  readonly id: string;
  readonly dim: number;
  encode(texts: readonly string[]): Float32Array;
  fit?(texts: readonly string[]): PassageEncoder;
  toArtifact?(): EncoderArtifact;
}

/** An encoder's state as plain data, stored inside a retrieval index's artifact. */
export interface EncoderArtifact {
  /** Which loader rebuilds it, e.g. "word-vectors". */
  kind: string;
  options: Record<string, unknown>;
  files: Record<string, Uint8Array>;
}

/**
 * An encoder that answers asynchronously, such as a pretrained transformer run by the ONNX
 * runtime (see `SentencePassageEncoder`). An index built with one searches through
 * `searchAsync` / `searchManyAsync`; its artifact names the encoder by `checksum`, and a
 * load with another checksum is ENCODER_CHANGED.
 */
export interface AsyncPassageEncoder {
  /** `NAME@CHECKSUM12`. */
  readonly id: string;
  readonly dim: number;
  /** Names the weights, tokenizer and pooling. */
  readonly checksum: string;
  /** The folder it was loaded from, recorded as a hint for loaders (the checksum decides). */
  readonly path: string | null;
  encodeAsync(texts: readonly string[]): Promise<Float32Array>;
}

/** Either kind of passage encoder. */
export type AnyPassageEncoder = PassageEncoder | AsyncPassageEncoder;

/** True for an encoder that answers asynchronously. */
export function isAsyncEncoder(encoder: AnyPassageEncoder): encoder is AsyncPassageEncoder {
  return typeof (encoder as Partial<AsyncPassageEncoder>).encodeAsync === "function";
}

/** Checks an encoder's answer: `count × dim` finite numbers, or DATA_BAD_VECTORS naming the encoder. */
function checkRows(encoder: AnyPassageEncoder, rows: Float32Array, count: number): Float32Array {
  const expected = count * encoder.dim;
  if (!(rows instanceof Float32Array) || rows.length !== expected) {
    const got = rows instanceof Float32Array ? `${rows.length} values` : "no Float32Array";
    throw new TextkitError(
      "DATA_BAD_VECTORS",
      `encoder '${encoder.id}' returned ${got} for ${count} texts of dimension ${encoder.dim} (expected ${expected})`,
    );
  }
  for (let i = 0; i < rows.length; i++) {
    const value = rows[i] ?? Number.NaN;
    if (!Number.isFinite(value)) {
      throw new TextkitError(
        "DATA_BAD_VECTORS",
        `encoder '${encoder.id}' returned ${value} in the vector of text ${Math.floor(i / encoder.dim) + 1}`,
      );
    }
  }
  return rows;
}

/**
 * Encodes texts and checks what came back: `texts.length × dim` finite numbers, or
 * DATA_BAD_VECTORS naming the encoder.
 *
 * @example
 * const rows = encodeTexts(encoder, ["lost card", "reset pin"]); // 2 × encoder.dim values
 */
export function encodeTexts(encoder: PassageEncoder, texts: readonly string[]): Float32Array {
  return checkRows(encoder, encoder.encode(texts), texts.length);
}

/**
 * `encodeTexts` for either kind of encoder.
 *
 * @example
 * const rows = await encodeTextsAsync(encoder, ["lost card"]);
 */
export async function encodeTextsAsync(
  encoder: AnyPassageEncoder,
  texts: readonly string[],
): Promise<Float32Array> {
  const rows = isAsyncEncoder(encoder) ? await encoder.encodeAsync(texts) : encoder.encode(texts);
  return checkRows(encoder, rows, texts.length);
}

/** Scales each row of `rows` (n × dim) to unit length in place; a zero row stays zero. */
export function normalizeRows(rows: Float32Array, dim: number): void {
  for (let base = 0; base < rows.length; base += dim) {
    let norm = 0;
    for (let j = base, end = base + dim; j < end; j++) norm += rows[j]! * rows[j]!;
    if (norm === 0) continue;
    const scale = 1 / Math.sqrt(norm);
    for (let j = base, end = base + dim; j < end; j++) rows[j]! *= scale;
  }
}

/** Cosine similarities of one query with every row, valid inside `VectorIndex.withSimilarities`. */
export interface VectorScores {
  scoreOf(doc: number): number;
  /** The k most similar rows, best first, those `accept` refuses left out. */
  top(k: number, accept?: (doc: number) => boolean): { doc: number; score: number }[];
}

export class VectorIndex {
  readonly dim: number;
  /** Number of rows. */
  readonly size: number;
  /** size × dim, each row of unit length (or zero: a text the encoder had nothing for). */
  readonly rows: Float32Array;
  private readonly similarities: Float64Array;
  private readonly query: Float32Array;
  private readonly heap = new TopK(64);

  private constructor(rows: Float32Array, dim: number) {
    this.dim = dim;
    this.rows = rows;
    this.size = rows.length / dim;
    this.similarities = new Float64Array(this.size);
    this.query = new Float32Array(dim);
  }

  /**
   * An index of vectors (n × dim, row-major), copied and scaled to unit length.
   *
   * @example
   * const index = VectorIndex.fromRows(encoder.encode(texts), encoder.dim);
   */
  static fromRows(rows: Float32Array, dim: number): VectorIndex {
    if (!(Number.isInteger(dim) && dim >= 1) || rows.length % dim !== 0) {
      throw new TextkitError("DATA_BAD_VECTORS", `${rows.length} values are not rows of dimension ${dim}`);
    }
    const copy = rows.slice();
    normalizeRows(copy, dim);
    return new VectorIndex(copy, dim);
  }

  /** Stored unit rows, checked: ARTIFACT_CORRUPT naming `where` when they are not. */
  static fromUnitRows(rows: Float32Array, dim: number, size: number, where: string): VectorIndex {
    if (!(Number.isInteger(dim) && dim >= 1) || rows.length !== size * dim) {
      throw new TextkitError(
        "ARTIFACT_CORRUPT",
        `the vectors in ${where} are ${rows.length} values; ${size} rows of dimension ${dim} need ${size * dim}`,
        { file: where },
      );
    }
    for (let base = 0; base < rows.length; base += dim) {
      let norm = 0;
      for (let j = base; j < base + dim; j++) norm += rows[j]! * rows[j]!;
      if (!(norm === 0 || Math.abs(norm - 1) < 1e-3)) {
        throw new TextkitError("ARTIFACT_CORRUPT", `vector ${base / dim} in ${where} is not of unit length`, {
          file: where,
        });
      }
    }
    return new VectorIndex(rows, dim);
  }

  /**
   * Compares `vector` (any length; only its direction counts) with every row and hands the
   * cosine similarities to `use`. A zero vector is similar to nothing (all 0).
   *
   * @example
   * const best = index.withSimilarities(queryVector, (s) => s.top(5));
   */
  withSimilarities<T>(vector: Float32Array, use: (scores: VectorScores) => T): T {
    const dim = this.dim;
    if (vector.length !== dim) {
      throw new TextkitError(
        "DATA_BAD_VECTORS",
        `a query vector has ${vector.length} values; this index holds vectors of dimension ${dim}`,
      );
    }
    const q = this.query;
    q.set(vector);
    normalizeRows(q, dim);
    const rows = this.rows;
    const sims = this.similarities;
    for (let d = 0, base = 0; d < this.size; d++, base += dim) {
      let dot = 0;
      for (let j = 0; j < dim; j++) dot += q[j]! * rows[base + j]!;
      sims[d] = dot;
    }
    const heap = this.heap;
    return use({
      scoreOf: (doc) => sims[doc]!,
      top: (k, accept) => {
        heap.reset(k);
        for (let d = 0; d < this.size; d++) if (accept === undefined || accept(d)) heap.offer(d, sims[d]!);
        return heap.drain();
      },
    });
  }

  /**
   * The k rows most similar to `vector`, best first, with their cosine similarity.
   *
   * @example
   * index.search(encoder.encode(["where is my card"]), 3); // [{ doc: 12, score: 0.83 }, ...]
   */
  search(
    vector: Float32Array,
    k: number,
    accept?: (doc: number) => boolean,
  ): { doc: number; score: number }[] {
    return this.withSimilarities(vector, (s) => s.top(k, accept));
  }
}
