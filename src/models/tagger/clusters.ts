/** Word clusters as tagger features: read from a cluster file, or made from word vectors. */
import { TextkitError } from "../../core/index.ts";
import { readTextLines, readVecFile } from "../../data/index.ts";
import { kMeans } from "../numeric/index.ts";

/** Reads a cluster file: "word<tab>cluster" or Brown's "bits<tab>word<tab>count". */
export async function readClusterFile(path: string): Promise<Map<string, string>> {
  const map = new Map<string, string>();
  for await (const { text, line } of readTextLines(path)) {
    const fields = text.split("\t");
    let word: string;
    let id: string;
    if (fields.length === 2) [word, id] = [fields[0]!, fields[1]!];
    else if (fields.length === 3) [id, word] = [fields[0]!, fields[1]!];
    else {
      throw new TextkitError(
        "DATA_BAD_ROW",
        `a cluster line has 2 fields (word, cluster) or 3 (bits, word, count); this one has ${fields.length}`,
        { file: path, line },
      );
    }
    const key = word.toLowerCase();
    if (!map.has(key)) map.set(key, id.trim());
  }
  return map;
}

/** Most words of a .vec file grouped into clusters (cosine k-means). */
const MAX_CLUSTERED_WORDS = 20_000;

export async function clustersFromVectors(
  path: string,
  k: number,
  seed: number,
): Promise<Map<string, string>> {
  const wv = await readVecFile(path, { limit: MAX_CLUSTERED_WORDS });
  const n = wv.words.length;
  const dim = wv.dim;
  if (n < k) {
    throw new TextkitError(
      "OPTION_INVALID",
      `${path} has ${n} words; that is fewer than the ${k} clusters asked for`,
      {
        file: path,
      },
    );
  }
  const unit = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    let norm = 0;
    for (let d = 0; d < dim; d++) norm += wv.vectors[i * dim + d]! ** 2;
    const s = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    for (let d = 0; d < dim; d++) unit[i * dim + d] = wv.vectors[i * dim + d]! * s;
  }
  const { assignments } = kMeans(unit, n, dim, { k, seed, maxIterations: 15 });
  const map = new Map<string, string>();
  for (let i = 0; i < n; i++) {
    const key = wv.words[i]!.toLowerCase();
    if (!map.has(key)) map.set(key, `k${assignments[i]}`);
  }
  return map;
}
