export type { NumberSpan } from "./chinese-numerals.ts";
export { arabicNumerals, findNumbers, formatNumber, parseChineseNumber } from "./chinese-numerals.ts";
export { DictionarySegmenter, isHanWord, MAX_WORD_UNITS } from "./dictionary-segmenter.ts";
export {
  fastTextCharNgrams,
  fastTextHash,
  fastTextHashBytes,
  fastTextWordNgrams,
  fastTextWords,
} from "./fasttext-hash.ts";
export { charNgramHashes, combineHash, FNV_OFFSET, FNV_PRIME, fnv1a } from "./hash.ts";
export type { HtmlBlock } from "./html.ts";
export { decodeHtmlEntities, decodeHtmlEntity, htmlBlocks, htmlToText } from "./html.ts";
export type { TextLanguage } from "./language.ts";
export { detectLanguage, TEXT_LANGUAGES } from "./language.ts";
export type { NormalizationForm, NormalizeOptions } from "./normalize.ts";
export { DEFAULT_NORMALIZE, NORMALIZATION_FORMS, normalizeText } from "./normalize.ts";
export { CHINESE_STOPWORDS, ENGLISH_STOPWORDS, isStopword } from "./stopwords.ts";
export { tokenizeForTagging } from "./tag-tokens.ts";
export type { TokenIdLists, TokenSink } from "./token-ids.ts";
export { TokenIds, TokenList } from "./token-ids.ts";
export type { TokenSpan } from "./tokenize.ts";
export { containsHan, Tokenizer } from "./tokenize.ts";
