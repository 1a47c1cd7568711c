/** Word clusters as tagger features: read from a cluster file, or made from word vectors. */
import { TextkitError } from "../../core/index.ts";
import { readTextLines, readVecFile } from "../../data/index.ts";
import type { TextLanguage } from "../../text/index.ts";
import { kMeans } from "../numeric/index.ts";
import { trainVectors, type VectorsOptions } from "../vectors/index.ts";

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

/** Most words of a .vec file (or of vectors learned from unlabelled text) get clustered. */
const MAX_CLUSTERED_WORDS = 20_000;

/**
 * The words of a .vec file grouped into clusters at several granularities (see
 * `clusterWords`).
 */
export async function clustersFromVectors(
  path: string,
  k: number,
  seed: number,
): Promise<Map<string, string>> {
  const wv = await readVecFile(path, { limit: MAX_CLUSTERED_WORDS });
  if (wv.words.length < k) {
    throw new TextkitError(
      "OPTION_INVALID",
      `${path} has ${wv.words.length} words; that is fewer than the ${k} clusters asked for`,
      { file: path },
    );
  }
  return clusterWords(wv.words, wv.vectors, wv.dim, k, seed);
}

/**
 * Word vectors learned from unlabelled text of the kind the tagger will see (skip-gram with
 * subwords, textkit's own `trainVectors`), then clustered as `clusterWords` does. Chinese
 * text is split into characters first, since the Chinese tagger's tokens are characters.
 */
export async function clustersFromUnlabelled(
  path: string,
  k: number,
  seed: number,
  language: TextLanguage,
): Promise<Map<string, string>> {
  const texts: string[] = [];
  for await (const { text } of readTextLines(path)) {
    const trimmed = text.trim();
    if (trimmed === "") continue;
    texts.push(language === "zh" ? Array.from(trimmed.replace(/\s+/gu, "")).join(" ") : trimmed);
  }
  if (texts.length === 0) {
    throw new TextkitError("DATA_EMPTY", `${path} has no text to learn word clusters from`, {
      file: path,
      hint: "Give a file of unlabelled texts, one a line, of the kind the tagger will see.",
    });
  }
  const vectors = await trainVectors(texts, UNLABELLED_VECTORS(seed));
  const wv = vectors.toWordVectors();
  const words = Math.min(wv.words.length, MAX_CLUSTERED_WORDS);
  if (words < 4) {
    throw new TextkitError(
      "DATA_TOO_FEW_WORDS",
      `${path} has ${words} words seen twice or more; word clusters need more unlabelled text`,
      { file: path },
    );
  }
  const kept = wv.vectors.subarray(0, words * wv.dim);
  return clusterWords(wv.words.slice(0, words), kept, wv.dim, Math.min(k, words), seed);
}

/** Small vectors: they only have to place words near words used alike. */
function UNLABELLED_VECTORS(seed: number): Partial<VectorsOptions> {
  return { dim: 50, epochs: 10, window: 3, sample: 1e-3, minCount: 2, buckets: 200_000, seed };
}

/**
 * Words grouped by cosine k-means at granularities k, k/4 and k/16 (at least 2 each), the
 * finest written `k<id>` and each coarser one `g<granularity>:<id>` after a space: a word
 * shares a coarse feature with many words and a fine one with few, as Brown-cluster
 * prefixes do.
 */
export function clusterWords(
  words: readonly string[],
  vectors: Float32Array,
  dim: number,
  k: number,
  seed: number,
): Map<string, string> {
  const n = words.length;
  const unit = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    let norm = 0;
    for (let d = 0; d < dim; d++) norm += (vectors[i * dim + d] ?? 0) ** 2;
    const s = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    for (let d = 0; d < dim; d++) unit[i * dim + d] = (vectors[i * dim + d] ?? 0) * s;
  }
  const ids = new Array<string>(n).fill("");
  const granularities = [k, Math.floor(k / 4), Math.floor(k / 16)].filter(
    (g, i, all) => g >= 2 && g <= n && all.indexOf(g) === i,
  );
  for (const g of granularities) {
    const { assignments } = kMeans(unit, n, dim, { k: g, seed, maxIterations: 15 });
    for (let i = 0; i < n; i++) {
      const id = g === k ? `k${assignments[i]}` : `g${g}:${assignments[i]}`;
      ids[i] = ids[i] === "" ? id : `${ids[i]} ${id}`;
    }
  }
  const map = new Map<string, string>();
  for (let i = 0; i < n; i++) {
    const key = (words[i] ?? "").toLowerCase();
    if (!map.has(key)) map.set(key, ids[i] ?? "");
  }
  return map;
}
