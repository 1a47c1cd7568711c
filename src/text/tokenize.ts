/**
 * Tokenisation for English and Chinese (and any mix). Latin, Cyrillic and other spaced
 * scripts split into words (with inner apostrophes kept: "don't") and single punctuation
 * marks; runs of Han, Kana or Hangul are segmented into words with Intl.Segmenter, which
 * ships a dictionary-based word breaker for Chinese and Japanese, or, for runs of Han alone
 * when a DictionarySegmenter is given, with that (several times faster; see its file), which
 * hands back to Intl.Segmenter only stretches of two or more characters it has no word for.
 */
import type { DictionarySegmenter } from "./dictionary-segmenter.ts";
import { TokenList, type TokenSink } from "./token-ids.ts";

const CJK_RUN = String.raw`[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]+`;
const WORD = String.raw`[[\p{L}\p{M}\p{N}]--[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]]+(?:['’][\p{L}\p{N}]+)*`;
const SYMBOL = String.raw`[^\s\p{L}\p{M}\p{N}]`;
const TOKEN_PATTERN = new RegExp(`(${CJK_RUN})|${WORD}|${SYMBOL}`, "gv");

/** Stretches without a dictionary word whose words a Tokenizer keeps (a few hundred KiB at most). */
const UNKNOWN_RUNS = 4096;

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
  /** Splits runs of Han characters when set; Intl.Segmenter splits them otherwise. */
  readonly dictionary: DictionarySegmenter | null;
  /** Intl.Segmenter's words of stretches the dictionary has no word for, lately seen (emptied when full). */
  private readonly unknownRuns = new Map<string, readonly string[]>();

  /**
   * `locale` picks Intl.Segmenter's dictionary for CJK runs; `dictionary`, when given, splits
   * the runs of Han characters instead (runs with kana or Hangul still go to Intl.Segmenter,
   * and so do two or more characters in a row that no dictionary word covers).
   */
  constructor(locale = "zh", dictionary: DictionarySegmenter | null = null) {
    this.segmenter = new Intl.Segmenter(locale, { granularity: "word" });
    this.pattern = new RegExp(TOKEN_PATTERN.source, TOKEN_PATTERN.flags);
    this.dictionary = dictionary;
  }

  /**
   * Splits text into tokens.
   *
   * @example
   * new Tokenizer().tokenize("I don't like 北京的天气!"); // ["I", "don't", "like", "北京", "的", "天气", "!"]
   */
  tokenize(text: string): string[] {
    const out = new TokenList();
    this.tokenizeInto(text, out);
    return out.tokens;
  }

  /** The tokens `tokenize` finds, put into `sink` (a token as a range of `text` where it is one). */
  tokenizeInto(text: string, sink: TokenSink): void {
    const n = text.length;
    let i = 0;
    while (i < n) {
      // ASCII is split here by hand, as the pattern would (most English text never reaches
      // the pattern); anything else, or a word that runs into a non-ASCII character, goes to
      // the pattern from where it starts.
      const c = text.charCodeAt(i);
      if (c === 32 || (c >= 9 && c <= 13)) {
        i++;
        continue;
      }
      if (c < 128) {
        if (!isAsciiAlnum(c)) {
          sink.range(text, i, i + 1);
          i++;
          continue;
        }
        const end = asciiWordEnd(text, i);
        if (end > 0) {
          sink.range(text, i, end);
          i = end;
          continue;
        }
      } else {
        const next = this.nonAscii(text, i, sink);
        if (next > 0) {
          i = next;
          continue;
        }
      }
      i = this.tokenizeMatch(text, i, sink);
    }
  }

  /**
   * Where the pattern is sure to do what a code unit's kind says (a space skipped, a mark
   * alone, a run of CJK characters ended by a character of the BMP), does it here, without a
   * match object and its strings; returns where it ends, or -1: the pattern must.
   */
  private nonAscii(text: string, i: number, sink: TokenSink): number {
    const kind = unitKind(text.charCodeAt(i));
    if (kind === KIND_SPACE) return i + 1;
    if (kind === KIND_SYMBOL) {
      sink.range(text, i, i + 1);
      return i + 1;
    }
    if (kind !== KIND_CJK) return -1;
    let end = i + 1;
    while (end < text.length && unitKind(text.charCodeAt(end)) === KIND_CJK) end++;
    // A run going on into a surrogate pair (a Han character outside the BMP) is the pattern's.
    if (end < text.length && unitKind(text.charCodeAt(end)) === KIND_SURROGATE) return -1;
    this.putRun(text, i, end, sink);
    return end;
  }

  /** Puts the tokens of the pattern's next match at or after `from`; returns where it ends. */
  private tokenizeMatch(text: string, from: number, sink: TokenSink): number {
    const pattern = this.pattern;
    pattern.lastIndex = from;
    const m = pattern.exec(text);
    if (m === null) return text.length;
    if (m[1] === undefined) sink.token(m[0]);
    else this.putRun(text, m.index, m.index + m[1].length, sink);
    return pattern.lastIndex;
  }

  /** The words of the run of CJK characters `text[start .. end)`. */
  private putRun(text: string, start: number, end: number, sink: TokenSink): void {
    if (end - start === 1) sink.range(text, start, end);
    else if (!this.cutRun(text, start, end - start, sink, null)) {
      for (const seg of this.segmenter.segment(text.slice(start, end))) sink.token(seg.segment);
    }
  }

  /** Like `tokenize`, with the offsets of each token in `text`. */
  tokenizeWithOffsets(text: string): TokenSpan[] {
    const out: TokenSpan[] = [];
    const pattern = this.pattern;
    pattern.lastIndex = 0;
    for (let m = pattern.exec(text); m !== null; m = pattern.exec(text)) {
      if (m[1] === undefined || m[1].length === 1) {
        out.push({ token: m[0], start: m.index, end: m.index + m[0].length });
      } else if (!this.cutRun(text, m.index, m[1].length, null, out)) {
        for (const seg of this.segmenter.segment(m[1])) {
          const start = m.index + seg.index;
          out.push({ token: seg.segment, start, end: start + seg.segment.length });
        }
      }
    }
    return out;
  }

  /** Splits a run with the dictionary into `tokens` or `spans`; false when it cannot (no dictionary, not all Han). */
  private cutRun(
    text: string,
    start: number,
    length: number,
    tokens: TokenSink | null,
    spans: TokenSpan[] | null,
  ): boolean {
    const dictionary = this.dictionary;
    if (dictionary === null) return false;
    const n = dictionary.cut(text, start, start + length);
    if (n < 0) return false;
    const { cuts, unknown } = dictionary;
    for (let k = 0; k < n; k++) {
      const from = cuts[k] ?? start;
      let e = k;
      while (e < n && unknown[e] === 1) e++;
      if (e - k >= 2) {
        // Characters the dictionary has never seen, side by side: likely a word of its own
        // (a new name), which Intl.Segmenter's general dictionary splits better than one by one.
        this.intlInto(text, from, cuts[e] ?? from, tokens, spans);
        k = e - 1;
        continue;
      }
      const to = cuts[k + 1] ?? from;
      if (spans === null) tokens?.range(text, from, to);
      else spans.push({ token: text.slice(from, to), start: from, end: to });
    }
    return true;
  }

  private intlInto(
    text: string,
    from: number,
    to: number,
    tokens: TokenSink | null,
    spans: TokenSpan[] | null,
  ): void {
    const run = text.slice(from, to);
    if (spans === null) {
      // Such stretches are mostly names, which a stream repeats: their words are kept.
      let words = this.unknownRuns.get(run);
      if (words === undefined) {
        words = Array.from(this.segmenter.segment(run), (seg) => seg.segment);
        if (this.unknownRuns.size >= UNKNOWN_RUNS) this.unknownRuns.clear();
        this.unknownRuns.set(run, words);
      }
      for (const word of words) tokens?.token(word);
      return;
    }
    for (const seg of this.segmenter.segment(run)) {
      tokens?.token(seg.segment);
      const start = from + seg.index;
      spans.push({ token: seg.segment, start, end: start + seg.segment.length });
    }
  }
}

/** What a code unit is to the pattern (0: not worked out yet). */
const KIND_SPACE = 1;
const KIND_SYMBOL = 2;
const KIND_CJK = 3;
/** A letter, mark or number of another script: the pattern's WORD decides. */
const KIND_WORD = 4;
/** Half of a surrogate pair: the pattern reads the pair as one character. */
const KIND_SURROGATE = 5;
const CJK_CHAR = new RegExp(`^${CJK_RUN}$`, "v");
const WORD_CHAR = /^[\p{L}\p{M}\p{N}]$/u;
const SPACE_CHAR = /^\s$/u;
/** The kind of each code unit below 0x10000, worked out on first sight. */
const unitKinds = new Uint8Array(0x10000);

function unitKind(c: number): number {
  let kind = unitKinds[c] ?? 0;
  if (kind === 0) {
    const ch = String.fromCharCode(c);
    kind =
      c >= 0xd800 && c <= 0xdfff
        ? KIND_SURROGATE
        : CJK_CHAR.test(ch)
          ? KIND_CJK
          : SPACE_CHAR.test(ch)
            ? KIND_SPACE
            : WORD_CHAR.test(ch)
              ? KIND_WORD
              : KIND_SYMBOL;
    unitKinds[c] = kind;
  }
  return kind;
}

function isAsciiAlnum(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57);
}

/**
 * The end of the pattern's WORD starting at `start` (an ASCII letter or digit), when the word
 * is ASCII (an apostrophe, ' or ’, may join letters): -1 when a non-ASCII character would
 * decide where it ends, so the pattern must.
 */
function asciiWordEnd(text: string, start: number): number {
  const n = text.length;
  let j = start + 1;
  for (;;) {
    while (j < n && isAsciiAlnum(text.charCodeAt(j))) j++;
    if (j === n) return j;
    const c = text.charCodeAt(j);
    if (c === 39 || c === 0x2019) {
      if (j + 1 === n) return j;
      const next = text.charCodeAt(j + 1);
      if (next >= 128) return -1;
      if (!isAsciiAlnum(next)) return j;
      j += 2;
      continue;
    }
    return c >= 128 ? -1 : j;
  }
}

/** True when the text contains Han characters (a cheap language hint: zh vs en). */
export function containsHan(text: string): boolean {
  return /\p{Script=Han}/u.test(text);
}
