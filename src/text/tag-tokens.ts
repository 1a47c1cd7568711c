/**
 * Tokens for sequence labelling (named entities). Unlike `Tokenizer`, which serves
 * classifiers, these tokens must look like the tokens of CoNLL data, because a tagger
 * trained on CoNLL files tags the output of this function, and an entity can only start or
 * end at a token edge:
 *
 * - words are runs of letters, marks and digits, joined across an inner `.` `-` `'` `’`
 *   `&` that has a letter or digit on both sides ("U.S", "1996-08-22", "AT&T", "O'Neil",
 *   "3.5"), and across a `,` between digits ("1,000", as CoNLL writes numbers);
 * - an abbreviation of single letters and dots keeps its final dot ("U.S.", "e.g.");
 * - a possessive 's (or ’s) is a token of its own ("Apple's" → "Apple", "'s"), also where
 *   it stands apart ("Apple 's", as in CoNLL text);
 * - every other character that is not whitespace is a token of its own, with the marks,
 *   skin-tone modifiers and zero-width-joined characters that follow it (an emoji stays
 *   whole); control and format characters (such as U+200B) separate tokens like spaces;
 * - Han, Kana and Hangul letters never join a word of other letters: in Chinese ("zh")
 *   each is one token, in English ("en") a run of them is one token.
 */
import type { TextLanguage } from "./language.ts";
import type { TokenSpan } from "./tokenize.ts";

const CJK = String.raw`[[\p{L}\p{N}]&&[\p{scx=Han}\p{scx=Hiragana}\p{scx=Katakana}\p{scx=Hangul}]]`;
const WORD_CHAR = String.raw`[[\p{L}\p{M}\p{N}]--${CJK}]`;
const LETTER_OR_DIGIT = String.raw`[[\p{L}\p{N}]--${CJK}]`;
const LETTER = String.raw`[\p{L}--${CJK}]`;
// An apostrophe joins unless it starts a final possessive "'s".
const JOINER = String.raw`(?:[.\-&]|['’](?![sS](?!${WORD_CHAR}))|(?<=\p{N}),(?=\p{N}))(?=${LETTER_OR_DIGIT})`;
const ABBREVIATION = String.raw`(?:${LETTER}\.){2,}(?!${LETTER_OR_DIGIT})`;
const WORD = `${WORD_CHAR}+(?:${JOINER}${WORD_CHAR}+)*`;
// Also after a space, as CoNLL text joined with spaces has it ("Apple 's").
const POSSESSIVE = `['’][sS](?!${WORD_CHAR})`;
const ATTACHED = String.raw`[\p{M}\p{Emoji_Modifier}]*`;
const SYMBOL = String.raw`(?:\p{Regional_Indicator}{2}|[^\s\p{L}\p{M}\p{N}\p{Cc}\p{Cf}])${ATTACHED}(?:\u200D[^\s\p{Cc}\p{Cf}]${ATTACHED})*`;

const SOURCES: Readonly<Record<TextLanguage, string>> = {
  // CJK first: no other alternative starts with a CJK character, and in Chinese text it is
  // the one that matches most often.
  en: `(?:${CJK}\\p{M}*)+|${ABBREVIATION}|${WORD}|${POSSESSIVE}|${SYMBOL}`,
  zh: `${CJK}\\p{M}*|${ABBREVIATION}|${WORD}|${POSSESSIVE}|${SYMBOL}`,
};

// Built on first use: parsing these Unicode sets takes milliseconds, which importing the
// module should not cost.
const patterns: Partial<Record<TextLanguage, RegExp>> = {};

/**
 * Splits text into the tokens a tagger labels, with UTF-16 offsets into `text` (token i is
 * `text.slice(start, end)`). Whitespace is never part of a token; a character outside the
 * BMP is never cut in two.
 *
 * @example
 * tokenizeForTagging("Apple's U.S. sales", "en").map((t) => t.token); // ["Apple", "'s", "U.S.", "sales"]
 * tokenizeForTagging("我用iPhone 15拍照", "zh").map((t) => t.token); // ["我", "用", "iPhone", "15", "拍", "照"]
 */
export function tokenizeForTagging(text: string, language: TextLanguage): TokenSpan[] {
  let pattern = patterns[language];
  if (pattern === undefined) {
    pattern = new RegExp(SOURCES[language], "gv");
    patterns[language] = pattern;
  }
  // The loop below runs to the end without yielding, so a shared lastIndex is safe.
  pattern.lastIndex = 0;
  const out: TokenSpan[] = [];
  for (let m = pattern.exec(text); m !== null; m = pattern.exec(text)) {
    out.push({ token: m[0], start: m.index, end: m.index + m[0].length });
  }
  return out;
}
