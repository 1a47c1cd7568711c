/**
 * Word vectors of sentences given as words (token-states.ts), through the on-disk
 * embedding cache when the encoder has one: each word's vector is kept under the
 * sentence's words and the word's index, in a cache folder of its own per word-vector
 * mode (keyed by the encoder's checksum), so a tagger trained twice on the same sentences
 * runs the encoder once.
 */
import { createHash } from "node:crypto";
import { dirname } from "node:path";
import { checkOneOf, WORD_VECTOR_MODES, type WordVectorMode } from "../../core/index.ts";
import { EmbeddingCache } from "./cache.ts";
import { type TokenStatesOptions, type TokenStatesRunner, tokenStates, wordVectors } from "./token-states.ts";
import type { EncodedWords } from "./types.ts";

/** The cache of word vectors beside `sentences` (the sentence-vector cache of the same encoder). */
export function openWordCache(
  sentences: EmbeddingCache,
  checksum: string,
  mode: WordVectorMode,
): Promise<EmbeddingCache> {
  const key = createHash("sha256").update(`${checksum}\0words\0${mode}`).digest("hex");
  return EmbeddingCache.open(dirname(sentences.dir), key, sentences.dim);
}

function wordKey(words: readonly string[], w: number): string {
  return `${words.join("\u0001")}\u0000${w}`;
}

/** One vector per word of each sentence; see the file's header. */
export async function embedWordsWith(
  runner: TokenStatesRunner,
  sentences: readonly (readonly string[])[],
  options: TokenStatesOptions & { wordVector?: WordVectorMode },
  forwardRows: number,
  cache: EmbeddingCache | undefined,
): Promise<EncodedWords> {
  const mode = options.wordVector ?? "first";
  checkOneOf("wordVector", mode, WORD_VECTOR_MODES);
  const dim = runner.dim;
  const vectors: Float32Array[] = new Array(sentences.length);
  const todo: number[] = [];
  sentences.forEach((words, s) => {
    if (cache === undefined || !Array.isArray(words)) {
      todo.push(s);
      return;
    }
    const out = new Float32Array(words.length * dim);
    for (let w = 0; w < words.length; w++) {
      const hit = cache.get(wordKey(words, w));
      if (hit === undefined) {
        todo.push(s);
        return;
      }
      out.set(hit.vector, w * dim);
    }
    vectors[s] = out;
  });
  const pending = todo.map((s) => sentences[s] ?? []);
  const states = await tokenStates(runner, pending, options, forwardRows);
  let windowed = 0;
  const fresh: { text: string; vector: Float32Array; truncated: boolean }[] = [];
  states.forEach((state, i) => {
    const s = todo[i] ?? 0;
    const words = pending[i] ?? [];
    const out = wordVectors(state, words.length, dim, mode);
    vectors[s] = out;
    if (state.windows > 1) windowed += 1;
    if (cache !== undefined) {
      for (let w = 0; w < words.length; w++) {
        fresh.push({ text: wordKey(words, w), vector: out.slice(w * dim, (w + 1) * dim), truncated: false });
      }
    }
  });
  if (cache !== undefined && fresh.length > 0) await cache.add(fresh);
  return { vectors, dim, truncated: 0, windowed, cached: sentences.length - todo.length };
}
