/**
 * How well an assistant does on held-out questions, each labelled with its intent, "oos"
 * (none: the assistant should not answer from an intent), "faq:<id>" (the FAQ that answers
 * it) or "doc:<file>" (the help document that does): the intent numbers of CLINC150's
 * protocol at the assistant's threshold, retrieval recall@k and MRR, the whole reply path,
 * a confidence histogram and the intents most often confused.
 */
import { TextkitError } from "../../core/index.ts";
import { readObjects } from "../../data/index.ts";
import type { Assistant } from "./assistant.ts";
import type { LabelledQuestion } from "./assistant-types.ts";
import { NEW_CONVERSATION } from "./conversation-state.ts";

export interface AssistantReport {
  questions: number;
  inScope: number;
  outOfScope: number;
  retrieval: number;
  threshold: number;
  /** In-scope questions answered by their own intent (a rejected one counts as wrong). */
  inScopeAccuracy: number | null;
  /** In-scope questions whose top intent is right, threshold aside. */
  intentAccuracy: number | null;
  /** Out-of-scope questions not answered by an intent. */
  outOfScopeRecall: number | null;
  /** Of the in-scope and out-of-scope questions not answered by an intent, the out-of-scope share. */
  outOfScopePrecision: number | null;
  /** FAQ and document questions whose answer is among the first k results. */
  retrievalRecall: number | null;
  retrievalMrr: number | null;
  /** Questions whose whole reply was the right one: the intent, the FAQ, the document, or a handover for out of scope. */
  answeredRight: number;
  paths: Record<string, number>;
  histogram: { from: number; to: number; right: number; wrong: number; outOfScope: number }[];
  confused: { truth: string; predicted: string; count: number }[];
  /**
   * The FAQ and passage thresholds that would answer most of these questions right, the
   * intent decisions as they are (fitted to this data: check them on other questions).
   */
  suggested: { faqThreshold: number; passageThreshold: number; answeredRight: number } | null;
}

/**
 * Reads questions: a CSV/TSV/JSONL file with `text` and `intent` (or `label`) columns.
 *
 * @example
 * const questions = await readQuestions("samples/assist/tests/questions.csv");
 */
export async function readQuestions(path: string): Promise<LabelledQuestion[]> {
  const out: LabelledQuestion[] = [];
  for await (const batch of readObjects(path, {})) {
    batch.rows.forEach((row, i) => {
      const line = batch.lines[i]!;
      const text = row["text"];
      const intent = row["intent"] ?? row["label"];
      if (typeof text !== "string" || text.trim() === "") {
        throw new TextkitError("DATA_EMPTY_TEXT", `line ${line} has no text`, {
          file: path,
          line,
          column: "text",
        });
      }
      if (typeof intent !== "string" || intent.trim() === "") {
        throw new TextkitError(
          "DATA_NO_LABEL",
          `line ${line} has no intent (an intent id, oos, faq:<id> or doc:<file>)`,
          {
            file: path,
            line,
            column: "intent",
          },
        );
      }
      out.push({ text: text.trim(), intent: intent.trim() });
    });
  }
  if (out.length === 0) throw new TextkitError("DATA_EMPTY", `${path} has no questions`, { file: path });
  return out;
}

const ratio = (a: number, b: number): number | null => (b === 0 ? null : a / b);

/**
 * @example
 * const report = evaluateAssistant(assistant, questions, { k: 5 });
 * report.inScopeAccuracy; report.outOfScopeRecall;
 */
export function evaluateAssistant(
  assistant: Assistant,
  questions: readonly LabelledQuestion[],
  options: { k: number },
): AssistantReport {
  const intents = new Set(assistant.intentIds);
  for (const q of questions) {
    const known =
      intents.has(q.intent) ||
      q.intent === "oos" ||
      q.intent.startsWith("faq:") ||
      q.intent.startsWith("doc:");
    if (!known) {
      throw new TextkitError(
        "DATA_NO_LABEL",
        `the question "${q.text}" has the intent "${q.intent}", which this assistant does not have (nor is it oos, faq:<id> or doc:<file>)`,
      );
    }
  }
  let inScope = 0;
  let outOfScope = 0;
  let retrieval = 0;
  let inScopeRight = 0;
  let topRight = 0;
  let oosRejected = 0;
  let inScopeRejected = 0;
  let found = 0;
  let reciprocal = 0;
  let answeredRight = 0;
  const paths: Record<string, number> = {};
  const histogram = Array.from({ length: 10 }, (_, i) => ({
    from: i / 10,
    to: (i + 1) / 10,
    right: 0,
    wrong: 0,
    outOfScope: 0,
  }));
  const confused = new Map<string, number>();
  const threshold = assistant.threshold;
  // Per question, what the retrieval paths would need: replayed for other thresholds below.
  const replay: {
    intentRight: boolean | null;
    faq: number;
    faqRight: boolean;
    passage: number;
    passageRight: boolean;
    oos: boolean;
  }[] = [];
  for (const q of questions) {
    const reply = assistant.reply(q.text, NEW_CONVERSATION);
    paths[reply.path] = (paths[reply.path] ?? 0) + 1;
    const c = assistant.classify(q.text, reply.lang);
    const accepted = c.id !== null && c.confidence > 0 && c.confidence >= threshold;
    const bin = histogram[Math.min(9, Math.floor(c.confidence * 10))]!;
    const topFaq = reply.faq ?? null;
    const topPassage = reply.passage ?? null;
    replay.push({
      intentRight: accepted ? intents.has(q.intent) && c.id === q.intent : null,
      faq: topFaq?.score ?? -1,
      faqRight: topFaq !== null && q.intent === `faq:${topFaq.id}`,
      passage: topPassage?.score ?? -1,
      passageRight: topPassage !== null && q.intent === topPassage.source,
      oos: q.intent === "oos",
    });
    if (intents.has(q.intent)) {
      inScope++;
      if (c.id === q.intent && !c.outOfScope) topRight++;
      if (accepted && c.id === q.intent) inScopeRight++;
      if (!accepted) inScopeRejected++;
      if (c.id === q.intent && !c.outOfScope) bin.right++;
      else {
        bin.wrong++;
        const key = `${q.intent}\u0000${c.outOfScope ? "oos" : (c.id ?? "none")}`;
        confused.set(key, (confused.get(key) ?? 0) + 1);
      }
      if (
        (reply.path === "intent" || reply.path === "slot" || reply.path === "confirm") &&
        reply.intent?.id === q.intent
      )
        answeredRight++;
    } else if (q.intent === "oos") {
      outOfScope++;
      bin.outOfScope++;
      if (!accepted) oosRejected++;
      if (reply.path === "handover") answeredRight++;
    } else {
      retrieval++;
      let rank = 0;
      if (q.intent.startsWith("faq:")) {
        const want = q.intent.slice(4);
        const hits = assistant.faqIndex?.search(q.text, { k: options.k * 4 }) ?? [];
        const seen: string[] = [];
        for (const h of hits) {
          const id = String(h.item.meta?.["faq"] ?? h.id);
          if (!seen.includes(id)) seen.push(id);
        }
        rank = seen.slice(0, options.k).indexOf(want) + 1;
        if (reply.path === "faq" && reply.faq?.id === want) answeredRight++;
      } else {
        const hits = assistant.passageIndex?.search(q.text, { k: options.k * 4 }) ?? [];
        const sources: string[] = [];
        for (const h of hits) if (!sources.includes(h.item.source ?? "")) sources.push(h.item.source ?? "");
        rank = sources.slice(0, options.k).indexOf(q.intent) + 1;
        if (reply.path === "passage" && reply.passage?.source === q.intent) answeredRight++;
      }
      if (rank > 0) {
        found++;
        reciprocal += 1 / rank;
      }
    }
  }
  let suggested: AssistantReport["suggested"] = null;
  if (retrieval > 0) {
    for (let tf = 0.2; tf <= 0.901; tf += 0.05) {
      for (let tp = 0.2; tp <= 0.901; tp += 0.05) {
        let right = 0;
        for (const r of replay) {
          if (r.intentRight !== null) right += r.intentRight ? 1 : 0;
          else if (r.faq >= tf) right += r.faqRight ? 1 : 0;
          else if (r.passage >= tp) right += r.passageRight ? 1 : 0;
          else right += r.oos ? 1 : 0;
        }
        const share = right / questions.length;
        if (suggested === null || share > suggested.answeredRight + 1e-12) {
          suggested = {
            faqThreshold: Number(tf.toFixed(2)),
            passageThreshold: Number(tp.toFixed(2)),
            answeredRight: share,
          };
        }
      }
    }
  }
  return {
    suggested,
    questions: questions.length,
    inScope,
    outOfScope,
    retrieval,
    threshold,
    inScopeAccuracy: ratio(inScopeRight, inScope),
    intentAccuracy: ratio(topRight, inScope),
    outOfScopeRecall: ratio(oosRejected, outOfScope),
    outOfScopePrecision: ratio(oosRejected, oosRejected + inScopeRejected),
    retrievalRecall: ratio(found, retrieval),
    retrievalMrr: ratio(reciprocal, retrieval),
    answeredRight: answeredRight / Math.max(1, questions.length),
    paths,
    histogram,
    confused: [...confused]
      .map(([key, count]) => {
        const [truth, predicted] = key.split("\u0000");
        return { truth: truth!, predicted: predicted!, count };
      })
      .sort((a, b) => b.count - a.count || (a.truth < b.truth ? -1 : 1))
      .slice(0, 10),
  };
}
