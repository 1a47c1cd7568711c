export { compareCodePoints } from "./code-point-order.ts";
export type { ErrorCode, ErrorLocation, TextkitErrorOptions } from "./errors.ts";
export { ERROR_CATALOGUE, isTextkitError, TextkitError } from "./errors.ts";
export { minimizeGoldenSection } from "./golden-section.ts";
export { nestedDeeperThan } from "./json-depth.ts";
export type { ShapeMismatch, ShapeSource } from "./json-shape.ts";
export { checkShape, firstMismatch } from "./json-shape.ts";
export { checkBoolean, checkInt, checkNumber, checkOneOf, isOneOf, withDefaults } from "./options.ts";
export type { PiiKind, PiiMatch } from "./pii.ts";
export { findPersonalData, maskDeep, maskPersonalData, PII_KINDS } from "./pii.ts";
export type { EpochSummary, TrainHooks, TrainProgress } from "./progress.ts";
export { Random } from "./random.ts";
export type { RunRecord } from "./run-record.ts";
export { newRunId, runManifestFields, runRecordFiles, runRecordOf } from "./run-record.ts";
export type {
  EncoderRef,
  SentenceEncodeOptions,
  SentenceEncoder,
  SentenceVectors,
  WordEncodeOptions,
  WordEncoder,
  WordVectorMode,
} from "./sentence-encoder.ts";
export { readEncoderRef, WORD_VECTOR_MODES } from "./sentence-encoder.ts";
export type { Chunk, ParsedTag, TagPrefix, TagScheme, TagViolation } from "./tag-schemes.ts";
export {
  chunksToTags,
  convertTags,
  detectTagScheme,
  findTagViolation,
  parseTag,
  TAG_SCHEMES,
  tagChunks,
} from "./tag-schemes.ts";
export { TEXTKIT_VERSION } from "./version.ts";
export { signWebhookBody, verifyWebhookSignature, WEBHOOK_SIGNATURE_HEADER } from "./webhook-signature.ts";
export { writeFileAtomic } from "./write-file-atomic.ts";
