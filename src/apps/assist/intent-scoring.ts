/** How the classifier's prediction is weighed: as a distribution, by language, and by shared words. */
import type { RetrievalIndex } from "../../models/retrieval/index.ts";
import type { TextLanguage } from "../../text/index.ts";

/** A prediction of every label (k = all of them) as probabilities in the classifier's label order. */
export function distribution(
  labels: readonly string[],
  p: { labels: string[]; scores: number[] },
): Float64Array {
  const out = new Float64Array(labels.length);
  p.labels.forEach((label, i) => {
    out[labels.indexOf(label)] = p.scores[i]!;
  });
  return out;
}

/**
 * Whether `message` shares a term (a word, or a character bigram in Chinese) with one of the
 * examples of `intent`: a softmax always names some intent, even for words it never saw,
 * and this keeps an intent from answering a message that has nothing in common with it.
 */
export function sharesWords(index: RetrievalIndex, message: string, intent: string): boolean {
  return (
    index.search(message, { k: 1, mode: "bm25", filter: (item) => item.meta?.["intent"] === intent }).length >
    0
  );
}

/**
 * Only the intents of the message's language compete (and out of scope): a Chinese intent
 * does not answer an English message. Zeroes the others and renormalises, in place.
 */
export function keepLanguage(
  q: Float64Array,
  labels: readonly string[],
  langOf: (label: string) => TextLanguage | null,
  lang: TextLanguage,
): void {
  let kept = 0;
  for (let i = 0; i < q.length; i++) {
    const intentLang = langOf(labels[i]!);
    if (intentLang !== null && intentLang !== lang) q[i] = 0;
    kept += q[i]!;
  }
  if (kept > 0) for (let i = 0; i < q.length; i++) q[i]! /= kept;
}

export function sameLanguage(meta: Record<string, unknown> | null | undefined, lang: TextLanguage): boolean {
  const l = meta?.["lang"];
  return l === undefined || l === null || l === lang;
}
