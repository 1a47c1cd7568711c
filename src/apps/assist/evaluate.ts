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
import type { Classification, LabelledQuestion } from "./assistant-types.ts";
import { NEW_CONVERSATION } from "./conversation-state.ts";
import type { Reply } from "./reply.ts";

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

/** What the retrieval paths of one question would need: replayed for other thresholds. */
interface Replay {
  intentRight: boolean | null;
  faq: number;
  faqRight: boolean;
  passage: number;
  passageRight: boolean;
  oos: boolean;
}

/** The counts `evaluateAssistant` adds up over the questions. */
interface Tally {
  inScope: number;
  outOfScope: number;
  retrieval: number;
  inScopeRight: number;
  topRight: number;
  oosRejected: number;
  inScopeRejected: number;
  found: number;
  reciprocal: number;
  answeredRight: number;
  paths: Record<string, number>;
  histogram: AssistantReport["histogram"];
  confused: Map<string, number>;
  replay: Replay[];
}

function newTally(): Tally {
  return {
    inScope: 0,
    outOfScope: 0,
    retrieval: 0,
    inScopeRight: 0,
    topRight: 0,
    oosRejected: 0,
    inScopeRejected: 0,
    found: 0,
    reciprocal: 0,
    answeredRight: 0,
    paths: {},
    histogram: Array.from({ length: 10 }, (_, i) => ({
      from: i / 10,
      to: (i + 1) / 10,
      right: 0,
      wrong: 0,
      outOfScope: 0,
    })),
    confused: new Map(),
    replay: [],
  };
}

function checkQuestions(intents: ReadonlySet<string>, questions: readonly LabelledQuestion[]): void {
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
}

/** The rank (1-based; 0: not among the first k) of the FAQ or document a retrieval question names. */
async function retrievalRank(assistant: Assistant, q: LabelledQuestion, k: number): Promise<number> {
  const mode = assistant.options.retrievalMode;
  const options = { k: k * 4, ...(mode === undefined ? {} : { mode }) };
  const seen: string[] = [];
  if (q.intent.startsWith("faq:")) {
    const hits = (await assistant.faqIndex?.searchAsync(q.text, options)) ?? [];
    for (const h of hits) {
      const id = String(h.item.meta?.["faq"] ?? h.id);
      if (!seen.includes(id)) seen.push(id);
    }
    return seen.slice(0, k).indexOf(q.intent.slice(4)) + 1;
  }
  const hits = (await assistant.passageIndex?.searchAsync(q.text, options)) ?? [];
  for (const h of hits) if (!seen.includes(h.item.source ?? "")) seen.push(h.item.source ?? "");
  return seen.slice(0, k).indexOf(q.intent) + 1;
}

/** Adds an in-scope question: its top intent, whether it was answered, what it was confused with. */
function tallyInScope(t: Tally, q: LabelledQuestion, reply: Reply, c: Classification, accepted: boolean) {
  const bin = binOf(t, c);
  t.inScope++;
  if (c.id === q.intent && !c.outOfScope) {
    t.topRight++;
    bin.right++;
  } else {
    bin.wrong++;
    const key = `${q.intent}\u0000${c.outOfScope ? "oos" : (c.id ?? "none")}`;
    t.confused.set(key, (t.confused.get(key) ?? 0) + 1);
  }
  if (accepted && c.id === q.intent) t.inScopeRight++;
  if (!accepted) t.inScopeRejected++;
  const servesIntent = reply.path === "intent" || reply.path === "slot" || reply.path === "confirm";
  if (servesIntent && reply.intent?.id === q.intent) t.answeredRight++;
}

function binOf(t: Tally, c: Classification): Tally["histogram"][number] {
  const bin = t.histogram[Math.min(9, Math.floor(c.confidence * 10))];
  if (bin === undefined) throw new TextkitError("INTERNAL", `confidence ${c.confidence} is outside 0..1`);
  return bin;
}

/** Adds one question's reply and classification to the tally. */
async function tallyQuestion(t: Tally, assistant: Assistant, q: LabelledQuestion, k: number): Promise<void> {
  const reply = await assistant.replyAsync(q.text, NEW_CONVERSATION);
  t.paths[reply.path] = (t.paths[reply.path] ?? 0) + 1;
  const c = await assistant.classifyAsync(q.text, reply.lang);
  const accepted = c.id !== null && c.confidence > 0 && c.confidence >= assistant.threshold;
  const inScope = assistant.intentIds.includes(q.intent);
  t.replay.push({
    intentRight: accepted ? inScope && c.id === q.intent : null,
    faq: reply.faq?.score ?? -1,
    faqRight: reply.faq !== null && q.intent === `faq:${reply.faq.id}`,
    passage: reply.passage?.score ?? -1,
    passageRight: reply.passage !== null && q.intent === reply.passage.source,
    oos: q.intent === "oos",
  });
  if (inScope) tallyInScope(t, q, reply, c, accepted);
  else if (q.intent === "oos") {
    t.outOfScope++;
    binOf(t, c).outOfScope++;
    if (!accepted) t.oosRejected++;
    if (reply.path === "handover") t.answeredRight++;
  } else {
    t.retrieval++;
    const rank = await retrievalRank(assistant, q, k);
    const right = q.intent.startsWith("faq:")
      ? reply.path === "faq" && reply.faq?.id === q.intent.slice(4)
      : reply.path === "passage" && reply.passage?.source === q.intent;
    if (right) t.answeredRight++;
    if (rank > 0) {
      t.found++;
      t.reciprocal += 1 / rank;
    }
  }
}

/** The FAQ and passage thresholds under which the replayed questions are answered right most often. */
function suggestThresholds(replay: readonly Replay[]): AssistantReport["suggested"] {
  let suggested: AssistantReport["suggested"] = null;
  for (let tf = 0.2; tf <= 0.901; tf += 0.05) {
    for (let tp = 0.2; tp <= 0.901; tp += 0.05) {
      let right = 0;
      for (const r of replay) {
        if (r.intentRight !== null) right += r.intentRight ? 1 : 0;
        else if (r.faq >= tf) right += r.faqRight ? 1 : 0;
        else if (r.passage >= tp) right += r.passageRight ? 1 : 0;
        else right += r.oos ? 1 : 0;
      }
      const share = right / Math.max(1, replay.length);
      if (suggested === null || share > suggested.answeredRight + 1e-12) {
        suggested = {
          faqThreshold: Number(tf.toFixed(2)),
          passageThreshold: Number(tp.toFixed(2)),
          answeredRight: share,
        };
      }
    }
  }
  return suggested;
}

/**
 * Scores the assistant on labelled questions, each asked as the first message of a
 * conversation, through any models (a pretrained encoder's included).
 *
 * @example
 * const report = await evaluateAssistant(assistant, questions, { k: 5 });
 * report.inScopeAccuracy; report.outOfScopeRecall;
 */
export async function evaluateAssistant(
  assistant: Assistant,
  questions: readonly LabelledQuestion[],
  options: { k: number },
): Promise<AssistantReport> {
  checkQuestions(new Set(assistant.intentIds), questions);
  const t = newTally();
  for (const q of questions) await tallyQuestion(t, assistant, q, options.k);
  return {
    suggested: t.retrieval > 0 ? suggestThresholds(t.replay) : null,
    questions: questions.length,
    inScope: t.inScope,
    outOfScope: t.outOfScope,
    retrieval: t.retrieval,
    threshold: assistant.threshold,
    inScopeAccuracy: ratio(t.inScopeRight, t.inScope),
    intentAccuracy: ratio(t.topRight, t.inScope),
    outOfScopeRecall: ratio(t.oosRejected, t.outOfScope),
    outOfScopePrecision: ratio(t.oosRejected, t.oosRejected + t.inScopeRejected),
    retrievalRecall: ratio(t.found, t.retrieval),
    retrievalMrr: ratio(t.reciprocal, t.retrieval),
    answeredRight: t.answeredRight / Math.max(1, questions.length),
    paths: t.paths,
    histogram: t.histogram,
    confused: [...t.confused]
      .map(([key, count]) => {
        const [truth = "", predicted = ""] = key.split("\u0000");
        return { truth, predicted, count };
      })
      .sort((a, b) => b.count - a.count || (a.truth < b.truth ? -1 : 1))
      .slice(0, 10),
  };
}
