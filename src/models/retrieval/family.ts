import type { ModelFamily } from "../../artifact/index.ts";
import {
  buildRetrievalIndex,
  type IndexHooks,
  loadRetrievalIndex,
  RETRIEVAL_FAMILY,
  type RetrievalIndex,
  type RetrievalItemInput,
  type RetrievalOptions,
} from "./retrieval.ts";
import type { AnyPassageEncoder } from "./vector-index.ts";

/** What a search index is built from: the items, and an encoder for vector search if wanted. */
export interface RetrievalTrainingData {
  items: readonly RetrievalItemInput[];
  encoder?: AnyPassageEncoder;
}

/**
 * Search as a model family: `train` builds an index (its hooks report phases of building,
 * not epochs and losses, so they are `IndexHooks`), `load` reads one whose encoder it can
 * store; its models search a batch of queries (`predict`, beside `search`) and evaluate
 * judged queries into ranking metrics.
 *
 * @example
 * const index = await retrievalFamily.train({ items: passages });
 * const [hits] = index.predict(["lost card"]);
 */
export const retrievalFamily = {
  family: RETRIEVAL_FAMILY,
  summary: "the best passages for a query (BM25, word vectors, or both)",
  train: (data: RetrievalTrainingData, options: Partial<RetrievalOptions> = {}, hooks: IndexHooks = {}) =>
    buildRetrievalIndex(data.items, options, data.encoder, hooks),
  load: (dir: string) => loadRetrievalIndex(dir),
} satisfies ModelFamily<RetrievalTrainingData, RetrievalOptions, RetrievalIndex, IndexHooks>;
