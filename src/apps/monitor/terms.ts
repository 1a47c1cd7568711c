/**
 * The content words of a document that the term trends count: words of the title first,
 * then of the text, lower-cased, without function words, numbers and punctuation, each
 * once, at most a few per document (so that one long article does not outweigh a hundred
 * posts). Chinese is split into words by Intl.Segmenter (through the shared Tokenizer).
 */
import { Tokenizer } from "../../text/index.ts";

// Function words that say nothing about what a document is about. English: articles,
// pronouns, auxiliaries, prepositions, conjunctions and the commonest adverbs; Chinese:
// particles, pronouns and the commonest function words Intl.Segmenter splits out.
const ENGLISH_STOPWORDS =
  "a about above after again against all also am an and any are aren't as at be because been before being below between both but by can can't cannot could couldn't did didn't do does doesn't doing don't during each few for from further get gets got had hadn't has hasn't have haven't having he her here hers herself him himself his how i if in into is isn't it it's its itself just let's me more most much must my myself new no nor not now of on once one only or other our ours ourselves over own said same says she should shouldn't so some such than that that's the their theirs them themselves then there there's these they they're this those through to too under until upon us very via was wasn't we we're were weren't what what's when where which while who whom why will with won't would wouldn't yet you you're your yours yourself yourselves";
const CHINESE_STOPWORDS =
  "的 了 和 是 在 也 就 都 而 及 与 着 或 一个 没有 我们 你们 他们 她们 它们 这个 那个 这些 那些 这样 那样 因为 所以 但是 如果 虽然 已经 可以 还是 就是 不是 自己 什么 怎么 为什么 一些 一下 一直 非常 今天 昨天 明天 目前 表示 认为 进行 以及 对于 关于 其中 之后 之前 以上 以下 今年 去年 同时 相关 此外 不过 还有 然后 由于 通过 其他 这种 那种 仍然 据悉 记者 报道 消息 方面 一次 可能 需要 继续 问题 情况 有关 目前 左右 有些 每个 所有 很多 大家 真的 觉得 一样 这么 那么 还 又 很 被 把 让 给 对 从 向 到 为 以 于 上 下 中 里 个 年 月 日 说 要 会 能 有 没 不 我 你 他 她 它 这 那 哪 谁 吗 呢 吧 啊 呀 哦 嗯";

const STOPWORDS = new Set([...ENGLISH_STOPWORDS.split(" "), ...CHINESE_STOPWORDS.split(" ")]);
const HAN = /\p{Script=Han}/u;
const LETTER = /\p{L}/u;

/**
 * Picks the terms of documents.
 *
 * @example
 * new TermExtractor(5).terms("Norvale Bank app outage", "Customers could not log in to the app.");
 * // ["norvale", "bank", "app", "outage", "customers"]
 */
export class TermExtractor {
  private readonly tokenizer = new Tokenizer("zh");

  constructor(readonly perDocument: number) {}

  /** Up to `perDocument` distinct content words of the title, then the text. */
  terms(title: string | null, text: string): string[] {
    if (this.perDocument === 0) return [];
    return this.fromTokens(this.tokenizer.tokenize(title === null ? text : `${title}\n${text}`));
  }

  /** The same from tokens a model made of the title and text (Tokenizer's tokens, maybe normalised). */
  fromTokens(tokens: readonly string[]): string[] {
    const out: string[] = [];
    if (this.perDocument === 0) return out;
    for (const token of tokens) {
      const term = token.toLowerCase();
      if (!isContentWord(term) || out.includes(term)) continue;
      out.push(term);
      if (out.length === this.perDocument) return out;
    }
    return out;
  }
}

/** A word worth counting: it has letters, is not a function word, and is two letters or more (a Chinese word two characters). */
function isContentWord(term: string): boolean {
  if (term.length < 2 || term.length > 40 || STOPWORDS.has(term)) return false;
  if (!LETTER.test(term)) return false;
  // A Chinese word of one character is almost always a function word or a fragment.
  return !(HAN.test(term) && [...term].length < 2);
}
