export { charNgramHashes, combineHash, FNV_OFFSET, FNV_PRIME, fnv1a } from "./hash.ts";
export type { NormalizationForm, NormalizeOptions } from "./normalize.ts";
export { DEFAULT_NORMALIZE, NORMALIZATION_FORMS, normalizeText } from "./normalize.ts";
export { tokenizeForTagging } from "./tag-tokens.ts";
export type { TokenSpan } from "./tokenize.ts";
export { containsHan, Tokenizer } from "./tokenize.ts";
