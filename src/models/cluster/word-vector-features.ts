/**
 * Averaged word vectors as clustering features: the words of the training texts that a
 * .vec file knows, kept in the model so that it predicts without the file.
 */
import { TextkitError } from "../../core/index.ts";
import { readVecFile } from "../../data/index.ts";

/** Words read from a .vec file at most (fastText sorts them by frequency). */
const MAX_VECTOR_WORDS = 1_000_000;

/** Averaged word vectors: the words of the training texts that the .vec file knows. */
export class WordVectorFeatures {
  readonly words: readonly string[];
  /** words.length × dim. */
  readonly vectors: Float32Array;
  readonly dim: number;
  private readonly index = new Map<string, number>();

  constructor(words: readonly string[], vectors: Float32Array, dim: number) {
    if (vectors.length !== words.length * dim) {
      throw new TextkitError(
        "INPUT_INVALID",
        `${words.length} words of ${dim} need ${words.length * dim} values`,
      );
    }
    this.words = words;
    this.vectors = vectors;
    this.dim = dim;
    for (let w = 0; w < words.length; w++) this.index.set(words[w]!, w);
  }

  /** The mean vector of each document's known words (zeros when it has none), n × dim. */
  transform(documents: readonly (readonly string[])[]): Float32Array {
    const dim = this.dim;
    const out = new Float32Array(documents.length * dim);
    const sum = new Float64Array(dim);
    for (let i = 0; i < documents.length; i++) {
      sum.fill(0);
      let found = 0;
      for (const t of documents[i]!) {
        const w = this.index.get(t);
        if (w === undefined) continue;
        found++;
        for (let d = 0; d < dim; d++) sum[d]! += this.vectors[w * dim + d]!;
      }
      if (found > 0) for (let d = 0; d < dim; d++) out[i * dim + d] = sum[d]! / found;
    }
    return out;
  }
}

/** The words of the texts that the .vec file has a vector for. */
export async function wordVectorsFor(
  path: string,
  documents: readonly (readonly string[])[],
): Promise<WordVectorFeatures> {
  const wanted = new Set<string>();
  for (const d of documents) for (const t of d) wanted.add(t);
  const wv = await readVecFile(path, { limit: MAX_VECTOR_WORDS });
  const words: string[] = [];
  const rows: number[] = [];
  const taken = new Set<string>();
  for (let w = 0; w < wv.words.length; w++) {
    const word = wv.words[w]!;
    if (wanted.has(word) && !taken.has(word)) {
      taken.add(word);
      words.push(word);
      rows.push(w);
    }
  }
  if (words.length === 0) {
    throw new TextkitError(
      "DATA_TOO_FEW_WORDS",
      `none of the ${wanted.size} distinct words of the texts has a vector in ${path}; use vectors of the texts' language (and case)`,
      { file: path },
    );
  }
  const vectors = new Float32Array(words.length * wv.dim);
  for (let r = 0; r < rows.length; r++) {
    vectors.set(wv.vectors.subarray(rows[r]! * wv.dim, (rows[r]! + 1) * wv.dim), r * wv.dim);
  }
  return new WordVectorFeatures(words, vectors, wv.dim);
}
