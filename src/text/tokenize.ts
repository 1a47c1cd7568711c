/**
 * Tokenisation for English and Chinese (and any mix). Latin, Cyrillic and other spaced
 * scripts split into words (with inner apostrophes kept: "don't") and single punctuation
 * marks; runs of Han, Kana or Hangul are segmented into words with Intl.Segmenter, which
 * ships a dictionary-based word breaker for Chinese and Japanese.
 */

const CJK_RUN = String.raw`[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]+`;
const WORD = String.raw`[[\p{L}\p{M}\p{N}]--[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]]+(?:['’][\p{L}\p{N}]+)*`;
const SYMBOL = String.raw`[^\s\p{L}\p{M}\p{N}]`;
const TOKEN_PATTERN = new RegExp(`(${CJK_RUN})|${WORD}|${SYMBOL}`, "gv");

export interface TokenSpan {
  token: string;
  /** Offset of the first UTF-16 code unit in the tokenised string. */
  start: number;
  /** Offset one past the last code unit. */
  end: number;
}

export class Tokenizer {
  private readonly segmenter: Intl.Segmenter;
  private readonly pattern: RegExp;

  /** `locale` picks Intl.Segmenter's dictionary for CJK runs. */
  constructor(locale = "zh") {
    this.segmenter = new Intl.Segmenter(locale, { granularity: "word" });
    this.pattern = new RegExp(TOKEN_PATTERN.source, TOKEN_PATTERN.flags);
  }

  /**
   * Splits text into tokens.
   *
   * @example
   * new Tokenizer().tokenize("I don't like 北京的天气!"); // ["I", "don't", "like", "北京", "的", "天气", "!"]
   */
  tokenize(text: string): string[] {
    const out: string[] = [];
    const pattern = this.pattern;
    pattern.lastIndex = 0;
    for (let m = pattern.exec(text); m !== null; m = pattern.exec(text)) {
      if (m[1] === undefined) {
        out.push(m[0]);
      } else if (m[1].length === 1) {
        out.push(m[1]);
      } else {
        for (const seg of this.segmenter.segment(m[1])) out.push(seg.segment);
      }
    }
    return out;
  }

  /** Like `tokenize`, with the offsets of each token in `text`. */
  tokenizeWithOffsets(text: string): TokenSpan[] {
    const out: TokenSpan[] = [];
    const pattern = this.pattern;
    pattern.lastIndex = 0;
    for (let m = pattern.exec(text); m !== null; m = pattern.exec(text)) {
      if (m[1] === undefined || m[1].length === 1) {
        out.push({ token: m[0], start: m.index, end: m.index + m[0].length });
      } else {
        for (const seg of this.segmenter.segment(m[1])) {
          const start = m.index + seg.index;
          out.push({ token: seg.segment, start, end: start + seg.segment.length });
        }
      }
    }
    return out;
  }
}

/** True when the text contains Han characters (a cheap language hint: zh vs en). */
export function containsHan(text: string): boolean {
  return /\p{Script=Han}/u.test(text);
}
