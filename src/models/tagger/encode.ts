/**
 * Sentences as feature rows: the feature hashes of every token mapped once to weight rows,
 * so that each training epoch only sums rows (no hashing, no map lookups).
 */
import { convertTags, TextkitError } from "../../core/index.ts";
import type { TaggedDataset, TaggedSentence } from "../../data/index.ts";
import { addDenseEmissions } from "./encoder-features.ts";
import { FeatureTable } from "./feature-table.ts";
import type { TaggerFeatures } from "./features.ts";
import type { InternalScheme } from "./tag-set.ts";

/** Sentences as feature rows and gold tag indices, flat. */
export interface EncodedSentences {
  /** Feature rows, flat; token g's rows are feats[tokenStart[g] .. tokenStart[g+1]). */
  feats: Int32Array;
  tokenStart: Int32Array;
  /** First token of sentence s (global index); sentenceStart[count] = total tokens. */
  sentenceStart: Int32Array;
  /** Gold tag index of each token (training data only). */
  gold: Int32Array;
  /** Taggers on an encoder: each token's word vector, `tokens × dim`, in token order. */
  dense?: { vectors: Float32Array; dim: number };
}

/**
 * The training sentences as rows of a new feature table holding every feature seen at
 * least `minCount` times, with gold tags in `scheme`.
 */
export function encodeTraining(
  sentences: readonly TaggedSentence[],
  features: TaggerFeatures,
  lookup: Map<string, number>,
  scheme: InternalScheme,
  minCount: number,
): { encoded: EncodedSentences; table: FeatureTable } {
  const sentenceStart = new Int32Array(sentences.length + 1);
  let tokens = 0;
  for (let s = 0; s < sentences.length; s++) {
    sentenceStart[s] = tokens;
    tokens += sentences[s]!.tokens.length;
  }
  sentenceStart[sentences.length] = tokens;
  const gold = new Int32Array(tokens);
  const rawStart = new Int32Array(tokens + 1);
  const raw: number[] = [];
  const hashes: number[] = [];
  const offsets: number[] = [];
  const counts = new Map<number, number>();
  for (let s = 0; s < sentences.length; s++) {
    const sentence = sentences[s]!;
    const internal = scheme === "bio" ? sentence.tags : convertTags(sentence.tags, "bio", "bioes");
    features.sentence(sentence.tokens, hashes, offsets);
    const base = sentenceStart[s]!;
    for (let i = 0; i < sentence.tokens.length; i++) {
      const tag = lookup.get(internal[i]!);
      if (tag === undefined) throw new TextkitError("INTERNAL", `tag ${internal[i]} is not in the tag set`);
      gold[base + i] = tag;
      rawStart[base + i] = raw.length;
      for (let j = offsets[i]!; j < offsets[i + 1]!; j++) {
        const h = hashes[j]!;
        raw.push(h);
        counts.set(h, (counts.get(h) ?? 0) + 1);
      }
    }
  }
  rawStart[tokens] = raw.length;
  const rowOf = new Map<number, number>();
  const keys: number[] = [];
  for (const [h, c] of counts) {
    if (c >= minCount) {
      rowOf.set(h, keys.length);
      keys.push(h);
    }
  }
  const feats: number[] = [];
  const tokenStart = new Int32Array(tokens + 1);
  for (let g = 0; g < tokens; g++) {
    tokenStart[g] = feats.length;
    for (let j = rawStart[g]!; j < rawStart[g + 1]!; j++) {
      const row = rowOf.get(raw[j]!);
      if (row !== undefined) feats.push(row);
    }
  }
  tokenStart[tokens] = feats.length;
  return {
    encoded: { feats: Int32Array.from(feats), tokenStart, sentenceStart, gold },
    table: new FeatureTable(Uint32Array.from(keys)),
  };
}

/** Adds the emission scores of tokens first..first+n of `encoded` into `emit` (n × T, zeroed here). */
export function addEmissions(
  encoded: { feats: Int32Array; tokenStart: Int32Array; dense?: { vectors: Float32Array; dim: number } },
  first: number,
  n: number,
  w: Float32Array,
  T: number,
  emit: Float64Array,
  dense?: Float32Array,
): void {
  emit.fill(0, 0, n * T);
  for (let i = 0; i < n; i++) {
    const base = i * T;
    for (let j = encoded.tokenStart[first + i]!; j < encoded.tokenStart[first + i + 1]!; j++) {
      const r = encoded.feats[j]! * T;
      for (let t = 0; t < T; t++) emit[base + t]! += w[r + t]!;
    }
  }
  const x = encoded.dense;
  if (dense !== undefined && x !== undefined) {
    addDenseEmissions(dense, x.vectors.subarray(first * x.dim, (first + n) * x.dim), n, T, emit);
  }
}

/** Feature rows of held-out sentences under a fixed table (unseen features dropped), computed once. */
export function encodeHeldOut(
  dataset: TaggedDataset,
  features: TaggerFeatures,
  table: FeatureTable,
): Omit<EncodedSentences, "gold"> {
  const hashes: number[] = [];
  const offsets: number[] = [];
  const feats: number[] = [];
  const tokenStart: number[] = [];
  const sentenceStart: number[] = [];
  for (const sentence of dataset.sentences) {
    sentenceStart.push(tokenStart.length);
    features.sentence(sentence.tokens, hashes, offsets);
    for (let i = 0; i < sentence.tokens.length; i++) {
      tokenStart.push(feats.length);
      for (let j = offsets[i]!; j < offsets[i + 1]!; j++) {
        const row = table.row(hashes[j]!);
        if (row >= 0) feats.push(row);
      }
    }
  }
  sentenceStart.push(tokenStart.length);
  tokenStart.push(feats.length);
  return {
    feats: Int32Array.from(feats),
    tokenStart: Int32Array.from(tokenStart),
    sentenceStart: Int32Array.from(sentenceStart),
  };
}
