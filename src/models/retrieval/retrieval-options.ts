/**
 * The retrieval family's vocabulary: what is indexed, what a search returns, and the
 * options of building, searching and loading an index.
 */
import { TextkitError } from "../../core/index.ts";
import { type Bm25Options, DEFAULT_BM25_OPTIONS, resolveBm25Options } from "./bm25.ts";
import type { AnyPassageEncoder } from "./vector-index.ts";

export const RETRIEVAL_FAMILY = "retrieval";
export const RETRIEVAL_TASK = "retrieval";

export const SEARCH_MODES = ["bm25", "vector", "hybrid"] as const;
export type SearchMode = (typeof SEARCH_MODES)[number];

/** What is indexed: a passage, an FAQ question, any text with an id. */
export interface RetrievalItemInput {
  id: string;
  text: string;
  /** Indexed with the text (unless includeTitle is false) and returned with it, e.g. "Cards > Lost card". */
  title?: string | null;
  /** Where the item comes from, e.g. a file name; returned, not indexed. */
  source?: string | null;
  /** Anything JSON the caller wants back with the item (an answer id, offsets...). */
  meta?: Record<string, unknown> | null;
}

/** An item as the index keeps and returns it. */
export interface RetrievalItem {
  id: string;
  text: string;
  title: string | null;
  source: string | null;
  meta: Record<string, unknown> | null;
}

export interface RetrievalOptions extends Bm25Options {
  /** Share of the cosine in the hybrid score, 0..1 (default 0.5): w·cosine + (1 − w)·BM25. */
  vectorWeight: number;
  /** Best items taken from each side before hybrid ranking (default 50). */
  candidates: number;
  /** Index an item's title with its text (default true). */
  includeTitle: boolean;
}

export const DEFAULT_RETRIEVAL_OPTIONS: Readonly<RetrievalOptions> = Object.freeze({
  ...DEFAULT_BM25_OPTIONS,
  vectorWeight: 0.5,
  candidates: 50,
  includeTitle: true,
});

export interface SearchOptions {
  /** Most hits (default 5). */
  k?: number;
  /** Default: hybrid when the index has vectors, else bm25. */
  mode?: SearchMode;
  /** Only items this accepts are ranked (applied before the top k, not after). */
  filter?: (item: RetrievalItem) => boolean;
}

export interface SearchHit {
  id: string;
  /** The ranking score in [0, 1]: bm25, vector, or their weighted mean, by mode. */
  score: number;
  /** BM25 divided by the query's BM25 against itself, clamped to [0, 1]. */
  bm25: number;
  /** Cosine similarity clamped to [0, 1]; null in bm25 mode. */
  vector: number | null;
  item: RetrievalItem;
}

/** How far building has come; `buildRetrievalIndex` reports it to `onProgress`. */
export interface IndexProgress {
  phase: "terms" | "vectors";
  done: number;
  total: number;
  /** Fraction of the phase done, 0..1. */
  progress: number;
  /** Texts per second in this phase. */
  speed: number;
  etaSeconds: number;
}

export interface IndexHooks {
  onProgress?: (progress: IndexProgress) => void;
}

/** The encoder an index's vectors came from. */
export interface EncoderInfo {
  id: string;
  dim: number;
  /** A pretrained encoder's checksum (what a load must match); null for other encoders. */
  checksum?: string | null;
  /** The folder a pretrained encoder was loaded from when the index was built (a hint). */
  path?: string | null;
}

export interface LoadRetrievalOptions {
  /**
   * The encoder of an index built with one that cannot be stored: the same id and dimension,
   * or, for a pretrained encoder, the same checksum (ENCODER_CHANGED otherwise).
   */
  encoder?: AnyPassageEncoder;
  /**
   * Load an index whose encoder is not given anyway: it then searches with BM25 only, and
   * vector or hybrid searches are RETRIEVAL_ENCODER_MISMATCH (the server does this).
   */
  allowMissingEncoder?: boolean;
}

/**
 * Checks retrieval options, refusing a bad value with OPTION_INVALID.
 *
 * @example
 * resolveRetrievalOptions({ vectorWeight: 0.7 }).candidates; // 50
 */
export function resolveRetrievalOptions(partial: Partial<RetrievalOptions> = {}): RetrievalOptions {
  const o = { ...DEFAULT_RETRIEVAL_OPTIONS, ...partial, ...resolveBm25Options(partial) };
  if (!(o.vectorWeight >= 0 && o.vectorWeight <= 1)) {
    throw new TextkitError("OPTION_INVALID", `vectorWeight must be between 0 and 1, got ${o.vectorWeight}`);
  }
  if (!(Number.isInteger(o.candidates) && o.candidates >= 1)) {
    throw new TextkitError("OPTION_INVALID", `candidates must be a whole number >= 1, got ${o.candidates}`);
  }
  if (typeof o.includeTitle !== "boolean") {
    throw new TextkitError(
      "OPTION_INVALID",
      `includeTitle must be true or false, got ${String(o.includeTitle)}`,
    );
  }
  return {
    k1: o.k1,
    b: o.b,
    vectorWeight: o.vectorWeight,
    candidates: o.candidates,
    includeTitle: o.includeTitle,
  };
}
