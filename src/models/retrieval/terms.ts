/**
 * What retrieval counts in a text. The index and the queries go through the same
 * function, so a question matches a passage when they share terms: lower-cased NFKC words
 * and numbers without function words, and for Chinese both the words Intl.Segmenter finds
 * and every pair of adjacent Han characters. The pairs make a match independent of where
 * the segmenter cut: "信用卡" split as one word in a passage and as "信用 卡" in a question
 * still share "信用" and "用卡".
 */
import { isStopword, normalizeText, Tokenizer } from "../../text/index.ts";

const HAS_WORD_CHARACTER = /[\p{L}\p{N}]/u;
const HAN_RUN = /\p{Script=Han}{2,}/gu;

/** Splits texts into BM25 terms and into the words word vectors are looked up by. */
export class RetrievalTokenizer {
  private readonly tokenizer = new Tokenizer("zh");
  private readonly hanRun = new RegExp(HAN_RUN.source, HAN_RUN.flags);

  /** The text as the index sees it: NFKC, lower case. */
  normalize(text: string): string {
    return normalizeText(text, { form: "NFKC", lowercase: true });
  }

  /**
   * BM25 terms: content words and numbers, then the Han character pairs that are not
   * already a word at the same place.
   *
   * @example
   * new RetrievalTokenizer().terms("How do I block my card?"); // ["block", "card"]
   * new RetrievalTokenizer().terms("信用卡丢了"); // e.g. ["信用卡", "丢", "信用", "用卡", "卡丢", "丢了"]
   */
  terms(text: string): string[] {
    const normal = this.normalize(text);
    const out: string[] = [];
    const spans = this.tokenizer.tokenizeWithOffsets(normal);
    // Two-character words by start offset, so a pair equal to one is not counted twice.
    const pairsAsWords = new Set<number>();
    for (const { token, start, end } of spans) {
      if (!HAS_WORD_CHARACTER.test(token)) continue;
      if (end - start === 2) pairsAsWords.add(start);
      if (!isStopword(token)) out.push(token);
    }
    const run = this.hanRun;
    run.lastIndex = 0;
    for (let m = run.exec(normal); m !== null; m = run.exec(normal)) {
      const chars = Array.from(m[0]);
      let at = m.index;
      for (let i = 0; i + 1 < chars.length; i++) {
        const pair = chars[i]! + chars[i + 1]!;
        if (!(pair.length === 2 && pairsAsWords.has(at)) && !isStopword(pair)) out.push(pair);
        at += chars[i]!.length;
      }
    }
    return out;
  }

  /**
   * Words for word vectors: every word and number, function words included (SIF weighting
   * gives frequent words little weight by itself).
   *
   * @example
   * new RetrievalTokenizer().words("Block my card!"); // ["block", "my", "card"]
   */
  words(text: string): string[] {
    const out: string[] = [];
    for (const token of this.tokenizer.tokenize(this.normalize(text))) {
      if (HAS_WORD_CHARACTER.test(token)) out.push(token);
    }
    return out;
  }
}
