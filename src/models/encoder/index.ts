export type { BatcherOptions, BatchStats } from "./batcher.ts";
export { EncoderBatcher } from "./batcher.ts";
export type { CachedVector, CacheEntry } from "./cache.ts";
export { EmbeddingCache } from "./cache.ts";
export type { EncoderFolder, ModelConfig, ReadFolderOptions } from "./folder.ts";
export { readEncoderFolder, wordPieceTokenizerJson } from "./folder.ts";
export { loadEncoder, OnnxEncoder } from "./loader.ts";
export type { HiddenStates } from "./pooling.ts";
export type { PullOptions, PullProgress, PullResult } from "./pull.ts";
export { DEFAULT_HUB_ENDPOINT, pullEncoder } from "./pull.ts";
export type { SentenceTokenStates, TokenStatesOptions } from "./token-states.ts";
export { planWindows, windowOwners, wordVectors } from "./token-states.ts";
export type { TokenizedText } from "./tokenize.ts";
export type {
  EncodedTexts,
  EncodedWords,
  EncodeOptions,
  EncodeProgress,
  EncoderInfo,
  LoadEncoderOptions,
  PoolingMode,
  PretrainedEncoder,
} from "./types.ts";
export { POOLING_MODES } from "./types.ts";
