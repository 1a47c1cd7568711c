/**
 * The retrieval family's public surface, gathered from its files: options and types
 * (`retrieval-options.ts`), items (`retrieval-items.ts`), the index (`retrieval-index.ts`),
 * building (`retrieval-build.ts`) and loading (`retrieval-load.ts`).
 */
export { buildRetrievalIndex } from "./retrieval-build.ts";
export { PRETRAINED_ENCODER_KIND, RetrievalIndex } from "./retrieval-index.ts";
export { searchHitJson } from "./retrieval-items.ts";
export type { PretrainedEncoderNeed } from "./retrieval-load.ts";
export { loadRetrievalIndex, retrievalEncoderNeed } from "./retrieval-load.ts";
export type {
  EncoderInfo,
  IndexHooks,
  IndexProgress,
  LoadRetrievalOptions,
  RetrievalItem,
  RetrievalItemInput,
  RetrievalOptions,
  SearchHit,
  SearchMode,
  SearchOptions,
} from "./retrieval-options.ts";
export {
  DEFAULT_RETRIEVAL_OPTIONS,
  RETRIEVAL_FAMILY,
  RETRIEVAL_TASK,
  resolveRetrievalOptions,
  SEARCH_MODES,
} from "./retrieval-options.ts";
