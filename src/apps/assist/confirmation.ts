/**
 * A customer's answer to "shall I go ahead?": yes, no, or neither (then the message is read
 * as anything else would be). Short answers only: "yes please", "no, cancel it", 好的, 确认,
 * 不用了, 算了. A longer message that merely starts with "ok" is not a yes.
 */

export type Confirmation = "yes" | "no";

const EN_YES = new Set([
  "yes",
  "y",
  "yeah",
  "yep",
  "yup",
  "sure",
  "ok",
  "okay",
  "confirm",
  "confirmed",
  "correct",
  "right",
  "go ahead",
  "do it",
  "please do",
  "proceed",
  "that's right",
  "thats right",
  "absolutely",
  "of course",
]);
const EN_NO = new Set([
  "no",
  "n",
  "nope",
  "nah",
  "cancel",
  "stop",
  "don't",
  "dont",
  "do not",
  "never mind",
  "nevermind",
  "abort",
  "not now",
  "wrong",
]);
/** Words that may follow a yes or a no without changing it. */
const EN_TAIL = new Set(["please", "thanks", "thank you", "it", "that", "cancel it", "go ahead", "do it"]);

/** Checked in this order: a no first, since 不 starts many of them (不是, 不确认). */
const ZH_NO = ["不是", "不要", "不用", "不对", "不行", "不了", "取消", "算了", "别", "否", "不"];
const ZH_YES = [
  "是的",
  "是",
  "好的",
  "好",
  "确认",
  "确定",
  "对的",
  "对",
  "可以",
  "行",
  "嗯",
  "没错",
  "同意",
  "没问题",
];
/** What may follow in Chinese: particles, thanks and the verb (确认转账, 好的谢谢, 不用了). */
const ZH_TAIL = [
  "谢谢",
  "转",
  "办",
  "麻烦了",
  "转账",
  "转吧",
  "继续",
  "执行",
  "操作",
  "办理",
  "啊",
  "呀",
  "吧",
  "了",
  "的",
  "呢",
  "哦",
  "嗯",
];
/** A short answer, at most this many UTF-16 units once stripped. */
const SHORT = 24;

/**
 * Whether `message` says yes or no to a question; null when it says neither.
 *
 * @example
 * confirmationOf("Yes, please"); // "yes"
 * confirmationOf("算了"); // "no"
 * confirmationOf("what is my balance"); // null
 */
export function confirmationOf(message: string): Confirmation | null {
  const plain = message
    .toLowerCase()
    .replace(/[\p{P}\p{S}]+/gu, " ")
    .replace(/\s+/g, " ")
    .trim();
  if (plain === "" || plain.length > SHORT) return null;
  if (/\p{Script=Han}/u.test(plain)) {
    const compact = plain.replace(/\s/g, "");
    for (const [words, answer] of [
      [ZH_NO, "no"],
      [ZH_YES, "yes"],
    ] as const) {
      for (const w of words)
        if (compact.startsWith(w) && zhTail(compact.slice(w.length), answer)) return answer;
    }
    return null;
  }
  // The longest leading phrase that is a yes or a no, the rest only polite words or a repeat.
  const words = plain.split(" ");
  for (let n = Math.min(3, words.length); n >= 1; n--) {
    const head = words.slice(0, n).join(" ");
    const answer: Confirmation | null = EN_NO.has(head) ? "no" : EN_YES.has(head) ? "yes" : null;
    if (answer === null) continue;
    const rest = words.slice(n);
    const tailOk = rest.length === 0 || isTail(rest, answer);
    if (tailOk) return answer;
  }
  return null;
}

function isTail(rest: readonly string[], answer: Confirmation): boolean {
  // "yes please", "no thanks", "yes yes", "no cancel it"
  let i = 0;
  while (i < rest.length) {
    let matched = 0;
    for (let n = Math.min(2, rest.length - i); n >= 1; n--) {
      const phrase = rest.slice(i, i + n).join(" ");
      const same = answer === "yes" ? EN_YES.has(phrase) : EN_NO.has(phrase);
      if (EN_TAIL.has(phrase) || same) {
        matched = n;
        break;
      }
    }
    if (matched === 0) return false;
    i += matched;
  }
  return true;
}

/** Whether the rest of a Chinese answer only repeats it (不确认: 不 negates what follows). */
function zhTail(rest: string, answer: Confirmation): boolean {
  // Longest first: 转账 before 转.
  const allowed = (answer === "no" ? [...ZH_NO, ...ZH_YES, ...ZH_TAIL] : [...ZH_YES, ...ZH_TAIL]).sort(
    (a, b) => b.length - a.length,
  );
  let at = 0;
  while (at < rest.length) {
    const w = allowed.find((x) => rest.startsWith(x, at));
    if (w === undefined) return false;
    at += w.length;
  }
  return true;
}
