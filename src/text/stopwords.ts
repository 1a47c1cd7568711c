/**
 * Function words that say little about what a text is about, for English and Chinese. The
 * monitor leaves them out of its term trends; retrieval leaves them out of its index, so
 * that "the" in a question neither matches nor dilutes anything.
 */

// English: articles, pronouns, auxiliaries, prepositions, conjunctions and the commonest
// adverbs; Chinese: particles, pronouns and the commonest function words Intl.Segmenter
// splits out.
const ENGLISH =
  "a about above after again against all also am an and any are aren't as at be because been before being below between both but by can can't cannot could couldn't did didn't do does doesn't doing don't during each few for from further get gets got had hadn't has hasn't have haven't having he her here hers herself him himself his how i if in into is isn't it it's its itself just let's me more most much must my myself new no nor not now of on once one only or other our ours ourselves over own said same says she should shouldn't so some such than that that's the their theirs them themselves then there there's these they they're this those through to too under until upon us very via was wasn't we we're were weren't what what's when where which while who whom why will with won't would wouldn't yet you you're your yours yourself yourselves";
const CHINESE =
  "的 了 和 是 在 也 就 都 而 及 与 着 或 一个 没有 我们 你们 他们 她们 它们 这个 那个 这些 那些 这样 那样 因为 所以 但是 如果 虽然 已经 可以 还是 就是 不是 自己 什么 怎么 为什么 一些 一下 一直 非常 今天 昨天 明天 目前 表示 认为 进行 以及 对于 关于 其中 之后 之前 以上 以下 今年 去年 同时 相关 此外 不过 还有 然后 由于 通过 其他 这种 那种 仍然 据悉 记者 报道 消息 方面 一次 可能 需要 继续 问题 情况 有关 左右 有些 每个 所有 很多 大家 真的 觉得 一样 这么 那么 还 又 很 被 把 让 给 对 从 向 到 为 以 于 上 下 中 里 个 年 月 日 说 要 会 能 有 没 不 我 你 他 她 它 这 那 哪 谁 吗 呢 吧 啊 呀 哦 嗯";

/** English function words, lower case (contractions with a straight apostrophe). */
export const ENGLISH_STOPWORDS: ReadonlySet<string> = new Set(ENGLISH.split(" "));

/** Chinese function words (simplified characters). */
export const CHINESE_STOPWORDS: ReadonlySet<string> = new Set(CHINESE.split(" "));

/**
 * True when `word` (already lower-cased) is an English or Chinese function word.
 *
 * @example
 * isStopword("the"); // true
 * isStopword("的"); // true
 * isStopword("card"); // false
 */
export function isStopword(word: string): boolean {
  return ENGLISH_STOPWORDS.has(word) || CHINESE_STOPWORDS.has(word);
}
