/**
 * The assistant: what it learnt from a knowledge folder (an intent classifier with an
 * out-of-scope class, its calibration and threshold, FAQ and passage indexes, entity
 * taggers for slots) and how it answers one message of a conversation:
 *
 * 1. an intent whose calibrated confidence reaches the threshold: its answer, after asking
 *    for any required slot the conversation has not given yet, and, for an intent that
 *    confirms, after the customer said yes to what it will do; an intent with an action
 *    answers from its webhook's answer (see `respond`);
 * 2. otherwise the FAQ, when a question matches well enough;
 * 3. otherwise a passage of the help documents, when one matches well enough;
 * 4. otherwise it says so and hands the conversation to a person.
 *
 * Every reply says which path produced it and why, with the scores and thresholds; only a
 * reply that serves an intent names it (`intent`), the others show the best one as a
 * `candidate`. The assistant holds no conversation itself: the state goes in and comes out
 * (the store keeps it).
 *
 * Slots live like a form's fields: they belong to the intent that collects them, are
 * filled, confirmed where the intent asks for it, and executed; then they are cleared, as
 * they are when the conversation is handed over or another intent takes over. A value a
 * customer gave for one request is never reused for the next.
 */
import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { type ArtifactParts, artifactFile, readArtifact, writeArtifact } from "../../artifact/index.ts";
import type { TrainHooks } from "../../core/index.ts";
import { Random, TEXTKIT_VERSION, TextkitError } from "../../core/index.ts";
import { datasetFromExamples } from "../../data/index.ts";
import { loadClassifier, type TextClassifier, trainClassifier } from "../../models/classifier/index.ts";
import {
  buildRetrievalIndex,
  loadRetrievalIndex,
  type RetrievalIndex,
  splitDocument,
} from "../../models/retrieval/index.ts";
import { loadTagger, type SequenceTagger } from "../../models/tagger/index.ts";
import { detectLanguage, TEXT_LANGUAGES, type TextLanguage } from "../../text/index.ts";
import { type ActionCallOptions, callAction } from "./action.ts";
import {
  applyTemperature,
  chooseThreshold,
  fitTemperature,
  type HeldOutDecision,
  type ThresholdChoice,
} from "./calibration.ts";
import { confirmationOf } from "./confirmation.ts";
import { documentRef } from "./knowledge.ts";
import type { AssistantSettings, Faq, Intent, Knowledge } from "./knowledge-types.ts";
import { type AssistantOptions, DEFAULT_ASSISTANT_OPTIONS } from "./options.ts";
import {
  type FoundEntity,
  fillSlots,
  missingSlot,
  numbersOf,
  renderAnswer,
  type SlotValues,
} from "./slots.ts";

export type { AssistantOptions };
export { DEFAULT_ASSISTANT_OPTIONS };

export const ASSISTANT_FAMILY = "assistant";
/** The intent classifier's label for out-of-scope examples. */
export const OUT_OF_SCOPE = "__oos__";
const ASSISTANT_FILE = "assistant.json";
/** A reply this short (UTF-16 units) to a slot's question fills the slot when no tagger can. */
const SHORT_REPLY = 40;
/** Out-of-scope examples needed before they become a class of their own. */
const MIN_OOS_EXAMPLES = 5;

export const REPLY_PATHS = ["intent", "slot", "confirm", "faq", "passage", "handover"] as const;
export type ReplyPath = (typeof REPLY_PATHS)[number];

export const FORM_PHASES = ["filling", "confirming"] as const;
export type FormPhase = (typeof FORM_PHASES)[number];

export interface ConversationState {
  lang: TextLanguage | null;
  /** The intent whose form is open (waiting for a slot or a yes/no), and the slot asked for. */
  intent: string | null;
  asked: string | null;
  attempts: number;
  /** The open form's values; empty when no form is open. */
  slots: SlotValues;
  /** Filling the slots, or waiting for the customer to confirm them. */
  phase: FormPhase;
  /** The calibrated confidence at which the open form's intent was recognised. */
  confidence: number;
}

export const NEW_CONVERSATION: ConversationState = Object.freeze({
  lang: null,
  intent: null,
  asked: null,
  attempts: 0,
  slots: Object.freeze({}) as SlotValues,
  phase: "filling",
  confidence: 0,
});

/** What became of an intent's action webhook (see `Assistant.respond`). */
export interface ActionResult {
  /** pending: confirmed, not called yet; done; refused: the webhook said no; failed: no answer. */
  status: "pending" | "done" | "refused" | "failed";
  attempts: number;
  error: string | null;
}

/** Said when a webhook failed, refused, or the customer said no; per language. */
const ACTION_TEXTS: Record<
  TextLanguage,
  { failed: string; refused: string; cancelled: string; confirm: string; again: string }
> = {
  en: {
    failed:
      "Sorry, I could not reach the system that does this, so I cannot confirm that it was done. Please try again later, or ask a colleague.",
    refused: "Sorry, this could not be done.",
    cancelled: "All right, I have not done it.",
    confirm: "Please confirm: {summary}. Shall I go ahead? (yes/no)",
    again: "Please answer yes or no.",
  },
  zh: {
    failed: "抱歉，暂时无法连接办理该业务的系统，无法确认是否已办理成功。请稍后再试，或联系人工客服。",
    refused: "抱歉，该业务未能办理。",
    cancelled: "好的，已取消，没有进行任何操作。",
    confirm: "请确认：{summary}。是否继续？（是/否）",
    again: "请回答“是”或“否”。",
  },
};

export interface IntentScore {
  id: string;
  confidence: number;
  threshold: number;
  accepted: boolean;
}

export interface Reply {
  path: ReplyPath;
  text: string;
  lang: TextLanguage;
  /**
   * The intent this reply serves (paths intent, slot and confirm), with the calibrated
   * confidence at which it was recognised; null for a FAQ, passage or handover reply.
   */
  intent: IntentScore | null;
  /** The message's best intent and its confidence against the threshold, whether or not it was taken. */
  candidate: IntentScore | null;
  faq: { id: string; question: string; score: number; threshold: number } | null;
  passage: { id: string; title: string; source: string; score: number; threshold: number } | null;
  slots: SlotValues;
  /** The slot asked for (path "slot"). */
  asking: string | null;
  /** The conversation goes to a person after this reply. */
  handover: boolean;
  /** The intent's action webhook, when this reply carries one out. */
  action: ActionResult | null;
  why: string;
  state: ConversationState;
}

/** The fields every reply builder starts from. */
type ReplyBase = Pick<
  Reply,
  "lang" | "intent" | "candidate" | "faq" | "passage" | "asking" | "handover" | "action"
>;
type ServedIntent = Omit<Intent, "examples" | "file" | "line">;

/** Where `respond` may call an action's webhook from. */
export interface RespondContext extends ActionCallOptions {
  /** The conversation's id, sent to the webhook. */
  conversation?: string | null;
}

/** The best intent of a message, as the assistant weighs it. */
export interface Classification {
  id: string | null;
  /** Calibrated; 0 when the model says out of scope or the message shares no word with the intent's examples. */
  confidence: number;
  outOfScope: boolean;
  /** The message shares no word with the examples of its best intent. */
  unsupported?: boolean;
}

export interface AssistantValidation {
  examples: number;
  outOfScope: number;
  temperature: number;
  threshold: ThresholdChoice;
}

interface AssistantSnapshot {
  settings: AssistantSettings;
  intents: Omit<Intent, "examples" | "file" | "line">[];
  faqs: Omit<Faq, "file" | "line">[];
  options: AssistantOptions;
  temperature: number;
  validation: AssistantValidation;
  taggers: TextLanguage[];
  /** Which indexes the directory holds. */
  indexes: { faq: boolean; passages: boolean; examples: boolean };
}

function describe(x: number): string {
  return x.toFixed(2);
}

/**
 * A trained assistant. Create one with `trainAssistant` or `loadAssistant`.
 *
 * @example
 * const assistant = await trainAssistant(await loadKnowledge("samples/assist"));
 * const reply = assistant.reply("how much is in my checking account", NEW_CONVERSATION);
 * reply.path; // "intent"
 */
export class Assistant {
  readonly settings: AssistantSettings;
  readonly options: AssistantOptions;
  readonly temperature: number;
  readonly validation: AssistantValidation;
  private readonly intents: Map<string, ServedIntent>;
  private readonly faqs: Map<string, Omit<Faq, "file" | "line">>;

  constructor(
    private readonly snapshot: AssistantSnapshot,
    readonly classifier: TextClassifier | null,
    readonly faqIndex: RetrievalIndex | null,
    readonly passageIndex: RetrievalIndex | null,
    readonly taggers: Partial<Record<TextLanguage, SequenceTagger>>,
    /** The intents' training examples, to check that a message shares a word with its intent's. */
    readonly exampleIndex: RetrievalIndex | null = null,
  ) {
    this.settings = snapshot.settings;
    this.options = snapshot.options;
    this.temperature = snapshot.temperature;
    this.validation = snapshot.validation;
    this.intents = new Map(snapshot.intents.map((i) => [i.id, i]));
    this.faqs = new Map(snapshot.faqs.map((f) => [f.id, f]));
  }

  /** The intent ids. */
  get intentIds(): string[] {
    return [...this.intents.keys()];
  }

  /** The intents (without their examples, an action's secret hidden) and FAQs this assistant answers from. */
  knowledge(): { intents: ServedIntent[]; faqs: Omit<Faq, "file" | "line">[] } {
    // An action's secret is not shown, only whether there is one.
    const intents = [...this.intents.values()].map((i) =>
      i.action === null || i.action === undefined || i.action.secret === null
        ? i
        : { ...i, action: { ...i.action, secret: "(set)" } },
    );
    return { intents, faqs: [...this.faqs.values()] };
  }

  get threshold(): number {
    return this.validation.threshold.threshold;
  }

  /**
   * The best intent of a message and its calibrated confidence; an out-of-scope prediction
   * is confidence 0 for every intent.
   */
  classify(message: string, lang?: TextLanguage): Classification {
    if (this.classifier === null) return { id: null, confidence: 0, outOfScope: false };
    const labels = this.classifier.labels;
    const [p] = this.classifier.predict([message], { k: labels.length });
    const q = applyTemperature(distribution(labels, p!), this.temperature);
    if (lang !== undefined) keepLanguage(q, labels, (label) => this.intents.get(label)?.lang ?? null, lang);
    let best = -1;
    for (let i = 0; i < q.length; i++) if (best < 0 || q[i]! > q[best]!) best = i;
    const top = labels[best]!;
    if (top === OUT_OF_SCOPE) {
      let intent = -1;
      for (let i = 0; i < q.length; i++)
        if (labels[i] !== OUT_OF_SCOPE && q[i]! > 0 && (intent < 0 || q[i]! > q[intent]!)) intent = i;
      return { id: intent < 0 ? null : labels[intent]!, confidence: 0, outOfScope: true };
    }
    if (this.exampleIndex !== null && !sharesWords(this.exampleIndex, message, top)) {
      return { id: top, confidence: 0, outOfScope: false, unsupported: true };
    }
    return { id: top, confidence: q[best]!, outOfScope: false };
  }

  /** The entities of a message, by the tagger of its language (none without one). */
  entities(message: string, lang: TextLanguage): FoundEntity[] {
    const tagger = this.taggers[lang];
    return tagger === undefined ? [] : tagger.predict([message])[0]!.entities;
  }

  /**
   * Answers one message of a conversation in `state`; returns the reply and the new state.
   * It calls nothing: a confirmed action comes back with `action.status` "pending" and no
   * text; `respond` calls its webhook and answers from it.
   */
  reply(message: string, state: ConversationState = NEW_CONVERSATION): Reply {
    const text = message.trim();
    // A message without letters ("$250", "42") keeps the conversation's language.
    const lang = /\p{L}/u.test(text) || state.lang === null ? detectLanguage(text) : state.lang;
    const entities = this.entities(text, lang);
    const classified = this.classify(text, lang);
    const accepted =
      classified.id !== null && classified.confidence >= this.threshold && classified.confidence > 0;
    const candidate =
      classified.id === null
        ? null
        : { id: classified.id, confidence: classified.confidence, threshold: this.threshold, accepted };
    const base: ReplyBase = {
      lang,
      intent: null,
      candidate,
      faq: null,
      passage: null,
      asking: null,
      handover: false,
      action: null,
    };

    // An open form: this message may give the slot asked for, or answer the confirmation.
    const form = state.intent === null ? undefined : this.intents.get(state.intent);
    if (form !== undefined) {
      // The form answers in its own language, whatever the language of "500" or "是".
      const formLang = form.lang ?? lang;
      const served = { ...base, lang: formLang, intent: this.served(form, state.confidence) };
      if (state.phase === "confirming") {
        const said = confirmationOf(text);
        if (said === "yes")
          return this.execute(
            form,
            formLang,
            served,
            state.slots,
            `the customer confirmed intent "${form.id}"`,
          );
        if (said === "no") {
          return {
            ...served,
            path: "intent",
            text: ACTION_TEXTS[formLang].cancelled,
            slots: state.slots,
            why: `the customer declined intent "${form.id}"; nothing was done and its slots are cleared`,
            state: { ...NEW_CONVERSATION, lang: formLang },
          };
        }
        if (!(accepted && classified.id !== form.id)) {
          // A changed value ("make it 300") is confirmed again; anything else asks again.
          const slots = fillSlots(form.slots, text, entities, state.slots);
          const changed = form.slots.some((spec) => slots[spec.name] !== state.slots[spec.name]);
          if (changed)
            return this.confirmation(
              form,
              formLang,
              served,
              slots,
              state.confidence,
              0,
              "the message changed a slot",
            );
          const attempts = state.attempts + 1;
          if (attempts >= this.options.slotAttempts) {
            return this.handover(
              lang,
              base,
              `the confirmation of intent "${form.id}" was asked for ${attempts} times without a yes or a no`,
            );
          }
          return this.confirmation(
            form,
            formLang,
            served,
            state.slots,
            state.confidence,
            attempts,
            `neither yes nor no to intent "${form.id}" (attempt ${attempts + 1})`,
          );
        }
        // Another intent takes over: the form is dropped with its values.
      } else {
        const slots = fillSlots(form.slots, text, entities, state.slots, state.asked);
        const asked = form.slots.find((spec) => spec.name === state.asked);
        // An entity slot with no tagger for the language: a short reply to its question is the value.
        if (
          asked !== undefined &&
          slots[asked.name] === undefined &&
          asked.entity !== null &&
          this.taggers[lang] === undefined &&
          text.length <= SHORT_REPLY
        ) {
          slots[asked.name] = text;
        }
        const gave = asked !== undefined && slots[asked.name] !== undefined;
        // The slot asked for comes first; only a message that does not give it may start another intent.
        const switched = !gave && accepted && classified.id !== form.id;
        if (!switched) {
          if (state.asked !== null && slots[state.asked] === undefined) {
            const attempts = state.attempts + 1;
            if (attempts >= this.options.slotAttempts) {
              return this.handover(
                lang,
                base,
                `the slot "${state.asked}" of intent "${form.id}" was asked for ${attempts} times without an answer`,
              );
            }
            const spec = form.slots.find((x) => x.name === state.asked)!;
            return {
              ...served,
              path: "slot",
              text: spec.prompt ?? "",
              slots,
              asking: spec.name,
              why: `still waiting for the slot "${spec.name}" of intent "${form.id}" (attempt ${attempts + 1})`,
              state: { ...state, lang: formLang, attempts, slots },
            };
          }
          return this.answerIntent(
            form,
            formLang,
            served,
            slots,
            state.confidence,
            `the message gave the slot "${state.asked}" of intent "${form.id}"`,
          );
        }
      }
    }

    if (accepted) {
      const intent = this.intents.get(classified.id!)!;
      // A new form: only what this message says fills it.
      const slots = fillSlots(intent.slots, text, entities, {});
      return this.answerIntent(
        intent,
        lang,
        { ...base, intent: candidate },
        slots,
        classified.confidence,
        `intent "${intent.id}" at confidence ${describe(classified.confidence)} ≥ threshold ${describe(this.threshold)}`,
      );
    }

    const why = [
      classified.outOfScope
        ? "the intent model says out of scope"
        : classified.unsupported === true
          ? `best intent "${classified.id}" shares no word with its examples`
          : classified.id === null
            ? "no intents"
            : `best intent "${classified.id}" at ${describe(classified.confidence)} < threshold ${describe(this.threshold)}`,
    ];
    const faqHit = this.faqIndex?.search(text, { k: 3, filter: (item) => sameLanguage(item.meta, lang) })[0];
    const faqId = faqHit === undefined ? null : String(faqHit.item.meta?.["faq"] ?? faqHit.id);
    const faq = faqId === null ? undefined : this.faqs.get(faqId);
    const faqScore =
      faqHit === undefined || faq === undefined
        ? null
        : { id: faq.id, question: faq.question, score: faqHit.score, threshold: this.options.faqThreshold };
    if (faqScore !== null && faqScore.score >= this.options.faqThreshold) {
      return {
        ...base,
        faq: faqScore,
        path: "faq",
        text: faq!.answer,
        slots: {},
        why: `${why.join("; ")}; FAQ "${faq!.id}" matches at ${describe(faqScore.score)} ≥ ${describe(this.options.faqThreshold)}`,
        state: { ...NEW_CONVERSATION, lang },
      };
    }
    if (faqScore !== null)
      why.push(
        `best FAQ "${faqScore.id}" at ${describe(faqScore.score)} < ${describe(this.options.faqThreshold)}`,
      );
    const passageHit = this.passageIndex?.search(text, {
      k: 3,
      filter: (item) => sameLanguage(item.meta, lang),
    })[0];
    const passageScore =
      passageHit === undefined
        ? null
        : {
            id: passageHit.id,
            title: passageHit.item.title ?? "",
            source: passageHit.item.source ?? "",
            score: passageHit.score,
            threshold: this.options.passageThreshold,
          };
    if (
      passageHit !== undefined &&
      passageScore !== null &&
      passageScore.score >= this.options.passageThreshold
    ) {
      const where =
        passageScore.title === "" ? passageScore.source : `${passageScore.source}, ${passageScore.title}`;
      return {
        ...base,
        faq: faqScore,
        passage: passageScore,
        path: "passage",
        text: `${this.settings.fallback[lang]}\n\n${passageHit.item.text}\n\n(${where})`,
        slots: {},
        why: `${why.join("; ")}; passage "${passageScore.id}" matches at ${describe(passageScore.score)} ≥ ${describe(this.options.passageThreshold)}`,
        state: { ...NEW_CONVERSATION, lang },
      };
    }
    if (passageScore !== null)
      why.push(
        `best passage at ${describe(passageScore.score)} < ${describe(this.options.passageThreshold)}`,
      );
    return this.handover(
      lang,
      { ...base, faq: faqScore, passage: passageScore },
      `${why.join("; ")}: nothing answers it well enough`,
    );
  }

  /**
   * Answers one message like `reply`, and carries out a confirmed action: calls the
   * intent's webhook and answers from what it says, or says honestly that it failed.
   *
   * @example
   * const r = await assistant.respond("yes", state, { conversation: "c-42" });
   * r.action; // { status: "done", attempts: 1, error: null }
   */
  async respond(message: string, state: ConversationState, context: RespondContext = {}): Promise<Reply> {
    const reply = this.reply(message, state);
    return reply.action?.status === "pending" ? this.perform(reply, context) : reply;
  }

  /** Calls the webhook of a reply whose action is pending; returns the reply to give. */
  async perform(reply: Reply, context: RespondContext = {}): Promise<Reply> {
    const intent = reply.intent === null ? undefined : this.intents.get(reply.intent.id);
    const action = intent?.action ?? null;
    if (intent === undefined || action === null || reply.action?.status !== "pending") return reply;
    const { conversation = null, ...callOptions } = context;
    const outcome = await callAction(
      action,
      {
        intent: intent.id,
        slots: reply.slots,
        numbers: numbersOf(reply.slots),
        conversation,
        lang: reply.lang,
      },
      callOptions,
    );
    const texts = ACTION_TEXTS[reply.lang];
    let text: string;
    if (outcome.status === "done") {
      // Fields the webhook did not give are left empty rather than shown as {name}.
      const values: SlotValues = Object.fromEntries(action.fields.map((f) => [f, ""]));
      Object.assign(values, outcome.fields, reply.slots);
      text = renderAnswer(outcome.reply ?? intent.answer, intent.slots, values);
    } else if (outcome.status === "refused") {
      text = outcome.reply === null ? texts.refused : renderAnswer(outcome.reply, intent.slots, reply.slots);
    } else {
      text = action.failure ?? texts.failed;
    }
    const error = outcome.status === "done" ? null : outcome.error;
    const tries = `${outcome.attempts} attempt${outcome.attempts === 1 ? "" : "s"}`;
    return {
      ...reply,
      text,
      action: { status: outcome.status, attempts: outcome.attempts, error },
      why: `${reply.why}; its action webhook ${outcome.status === "done" ? "answered" : outcome.status} after ${tries}${error === null ? "" : ` (${error})`}`,
    };
  }

  /** The score of the intent a form serves. */
  private served(intent: ServedIntent, confidence: number): IntentScore {
    return { id: intent.id, confidence, threshold: this.threshold, accepted: true };
  }

  private answerIntent(
    intent: ServedIntent,
    lang: TextLanguage,
    base: ReplyBase,
    slots: SlotValues,
    confidence: number,
    why: string,
  ): Reply {
    const missing = missingSlot(intent.slots, slots);
    if (missing !== null) {
      return {
        ...base,
        path: "slot",
        text: missing.prompt ?? "",
        slots,
        asking: missing.name,
        why: `${why}; its slot "${missing.name}" is missing`,
        state: { ...NEW_CONVERSATION, lang, intent: intent.id, asked: missing.name, slots, confidence },
      };
    }
    if (intent.confirm === true)
      return this.confirmation(intent, lang, base, slots, confidence, 0, `${why}; it asks to confirm first`);
    return this.execute(intent, lang, base, slots, why);
  }

  /** Asks the customer to confirm the filled slots before the intent acts. */
  private confirmation(
    intent: ServedIntent,
    lang: TextLanguage,
    base: ReplyBase,
    slots: SlotValues,
    confidence: number,
    attempts: number,
    why: string,
  ): Reply {
    const texts = ACTION_TEXTS[lang];
    const values = intent.slots
      .map((spec) => [spec.name, slots[spec.name] ?? spec.default] as const)
      .filter(([, v]) => v !== null && v !== undefined);
    const summary = values
      .map(([name, v]) => `${name}${lang === "zh" ? "：" : ": "}${v}`)
      .join(lang === "zh" ? "，" : ", ");
    const question =
      intent.confirmPrompt === null || intent.confirmPrompt === undefined
        ? texts.confirm.replace("{summary}", summary)
        : renderAnswer(intent.confirmPrompt, intent.slots, slots);
    return {
      ...base,
      path: "confirm",
      text: attempts > 0 ? `${texts.again} ${question}` : question,
      slots,
      why,
      state: {
        ...NEW_CONVERSATION,
        lang,
        intent: intent.id,
        slots,
        phase: "confirming",
        attempts,
        confidence,
      },
    };
  }

  /** The intent's answer (or its pending action); the form is complete and its slots are cleared. */
  private execute(
    intent: ServedIntent,
    lang: TextLanguage,
    base: ReplyBase,
    slots: SlotValues,
    why: string,
  ): Reply {
    const done = { ...NEW_CONVERSATION, lang };
    if (intent.action !== null && intent.action !== undefined) {
      return {
        ...base,
        path: "intent",
        text: "",
        slots,
        action: { status: "pending", attempts: 0, error: null },
        why: `${why}; its action webhook is to be called`,
        state: done,
      };
    }
    return {
      ...base,
      path: "intent",
      text: renderAnswer(intent.answer, intent.slots, slots),
      slots,
      handover: intent.handover,
      why: intent.handover ? `${why}; this intent is handed to a person after the answer` : why,
      state: done,
    };
  }

  private handover(lang: TextLanguage, base: ReplyBase, why: string): Reply {
    return {
      ...base,
      intent: null,
      path: "handover",
      text: this.settings.handover[lang],
      slots: {},
      asking: null,
      handover: true,
      why,
      state: { ...NEW_CONVERSATION, lang },
    };
  }

  /** Writes the assistant as one directory, its models inside (see writeArtifact's parts). */
  async save(dir: string): Promise<void> {
    const parts: Record<string, ArtifactParts> = {};
    if (this.classifier !== null) parts["intent"] = this.classifier.artifactParts();
    if (this.faqIndex !== null) parts["faq"] = this.faqIndex.artifactParts();
    if (this.passageIndex !== null) parts["passages"] = this.passageIndex.artifactParts();
    if (this.exampleIndex !== null) parts["examples"] = this.exampleIndex.artifactParts();
    for (const lang of TEXT_LANGUAGES) {
      const tagger = this.taggers[lang];
      if (tagger !== undefined) parts[`tagger-${lang}`] = tagger.artifactParts();
    }
    await writeArtifact(
      dir,
      {
        family: ASSISTANT_FAMILY,
        task: "assistant",
        labels: this.intentIds,
        options: { ...this.options, name: this.settings.name },
        metrics: {
          threshold: this.validation.threshold.threshold,
          validationInScopeAccuracy: this.validation.threshold.inScopeAccuracy,
          validationOutOfScopeRecall: this.validation.threshold.outOfScopeRecall,
          temperature: this.temperature,
        },
        textkitVersion: TEXTKIT_VERSION,
      },
      { [ASSISTANT_FILE]: Buffer.from(`${JSON.stringify(this.snapshot, null, 2)}\n`, "utf8") },
      parts,
    );
  }
}

/** A prediction of every label (k = all of them) as probabilities in the classifier's label order. */
function distribution(labels: readonly string[], p: { labels: string[]; scores: number[] }): Float64Array {
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
function sharesWords(index: RetrievalIndex, message: string, intent: string): boolean {
  return (
    index.search(message, { k: 1, mode: "bm25", filter: (item) => item.meta?.["intent"] === intent }).length >
    0
  );
}

/**
 * Only the intents of the message's language compete (and out of scope): a Chinese intent
 * does not answer an English message. Zeroes the others and renormalises, in place.
 */
function keepLanguage(
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

function sameLanguage(meta: Record<string, unknown> | null | undefined, lang: TextLanguage): boolean {
  const l = meta?.["lang"];
  return l === undefined || l === null || l === lang;
}

/** Held-out data for calibration: text and intent id, or "oos" for out of scope. */
export interface LabelledQuestion {
  text: string;
  intent: string;
}

export interface AssistantTraining {
  knowledge: Knowledge;
  /** Held-out questions to calibrate on (default: a seeded share of each intent's examples and of the out-of-scope ones). */
  validation?: readonly LabelledQuestion[];
  /** Entity taggers for slots, per language. */
  taggers?: Partial<Record<TextLanguage, SequenceTagger>>;
}

function stratifiedSplit<T extends { label: string }>(
  items: readonly T[],
  fraction: number,
  seed: number,
): { train: T[]; held: T[] } {
  const byLabel = new Map<string, T[]>();
  for (const item of items) {
    const list = byLabel.get(item.label) ?? [];
    list.push(item);
    byLabel.set(item.label, list);
  }
  const rng = new Random(seed);
  const train: T[] = [];
  const held: T[] = [];
  for (const list of byLabel.values()) {
    const shuffled = [...list];
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [shuffled[i], shuffled[j]] = [shuffled[j]!, shuffled[i]!];
    }
    // An intent keeps at least one example to learn from.
    const n = Math.min(shuffled.length - 1, Math.round(shuffled.length * fraction));
    held.push(...shuffled.slice(0, n));
    train.push(...shuffled.slice(n));
  }
  return { train, held };
}

/**
 * Trains an assistant on a knowledge folder's contents.
 *
 * @example
 * const assistant = await trainAssistant({ knowledge: await loadKnowledge("samples/assist") });
 * await assistant.save("models/assistant");
 */
export async function trainAssistant(
  training: AssistantTraining,
  partialOptions: Partial<AssistantOptions> = {},
  hooks: TrainHooks = {},
): Promise<Assistant> {
  const options: AssistantOptions = {
    ...DEFAULT_ASSISTANT_OPTIONS,
    ...partialOptions,
    classifier: { ...DEFAULT_ASSISTANT_OPTIONS.classifier, ...partialOptions.classifier },
  };
  const { knowledge } = training;
  const examples = knowledge.intents.flatMap((intent) =>
    intent.examples.map((text) => ({ text, label: intent.id })),
  );
  const useOos = options.outOfScopeClass && knowledge.outOfScope.length >= MIN_OOS_EXAMPLES;
  const oosExamples = useOos ? knowledge.outOfScope.map((o) => ({ text: o.text, label: OUT_OF_SCOPE })) : [];
  let classifier: TextClassifier | null = null;
  let temperature = 1;
  let threshold: ThresholdChoice = {
    threshold: 0,
    rule: "precision",
    inScopeAccuracy: 0,
    outOfScopeRecall: null,
    acceptedAccuracy: 1,
  };
  let exampleIndex: RetrievalIndex | null = null;
  let heldCount = 0;
  let heldOos = 0;
  if (knowledge.intents.length >= 2) {
    let trainItems = [...examples, ...oosExamples];
    let held: LabelledQuestion[];
    if (training.validation !== undefined) {
      held = [...training.validation];
    } else {
      const split = stratifiedSplit(trainItems, options.validationFraction, options.seed);
      trainItems = split.train;
      held = split.held.map((e) => ({ text: e.text, intent: e.label === OUT_OF_SCOPE ? "oos" : e.label }));
      // Out-of-scope examples that are not a class are still held out to choose the threshold.
      if (!useOos) {
        const oosSplit = stratifiedSplit(
          knowledge.outOfScope.map((o) => ({ text: o.text, label: "oos" })),
          0.5,
          options.seed,
        );
        held.push(...oosSplit.held.map((e) => ({ text: e.text, intent: "oos" })));
      }
    }
    const dataset = datasetFromExamples(
      `${knowledge.dir} (intents)`,
      trainItems.map((e, i) => ({ text: e.text, labels: [e.label], line: i + 1 })),
    );
    // Few examples need more passes: about as many updates as 3,000 examples in 15 epochs,
    // 15 epochs from 3,000 examples up, at most 100 (unless the epochs were given).
    if (partialOptions.classifier?.epochs === undefined) {
      options.classifier = {
        ...options.classifier,
        epochs: Math.min(100, Math.max(15, Math.round((15 * 3000) / Math.max(1, trainItems.length)))),
      };
    }
    classifier = await trainClassifier(
      { train: dataset },
      { ...options.classifier, seed: options.seed },
      hooks,
    );
    const labels = classifier.labels;
    const predictions = classifier.predict(
      held.map((h) => h.text),
      { k: labels.length },
    );
    const full = predictions.map((p) => distribution(labels, p));
    // The temperature is fitted on the held-out questions whose label the model has.
    const fit: { p: Float64Array; gold: number }[] = [];
    held.forEach((h, i) => {
      const gold = labels.indexOf(h.intent === "oos" ? OUT_OF_SCOPE : h.intent);
      if (gold >= 0) fit.push({ p: full[i]!, gold });
    });
    temperature = fitTemperature(
      fit.map((f) => f.p),
      fit.map((f) => f.gold),
    );
    const intentLang = new Map(knowledge.intents.map((intent) => [intent.id, intent.lang]));
    const intentExamples = trainItems.filter((e) => e.label !== OUT_OF_SCOPE);
    exampleIndex = await buildRetrievalIndex(
      intentExamples.map((e, i) => ({ id: `${e.label}#${i}`, text: e.text, meta: { intent: e.label } })),
      {},
    );
    const decisions: HeldOutDecision[] = held.map((h, i) => {
      const q = applyTemperature(full[i]!, temperature);
      keepLanguage(q, labels, (label) => intentLang.get(label) ?? null, detectLanguage(h.text));
      let best = 0;
      for (let j = 1; j < q.length; j++) if (q[j]! > q[best]!) best = j;
      const top = labels[best]!;
      const inScope = h.intent !== "oos";
      const supported = top !== OUT_OF_SCOPE && sharesWords(exampleIndex!, h.text, top);
      return {
        confidence: supported ? q[best]! : 0,
        inScope,
        correct: inScope && top === h.intent,
      };
    });
    threshold = chooseThreshold(decisions, options.outOfScopeRecall);
    heldCount = held.length;
    heldOos = held.filter((h) => h.intent === "oos").length;
  }
  const faqItems = knowledge.faqs.flatMap((faq) =>
    [faq.question, ...faq.alternatives].map((question, k) => ({
      id: `${faq.id}#${k}`,
      text: question,
      title: faq.question,
      source: `faq:${faq.id}`,
      meta: { faq: faq.id, lang: faq.lang ?? detectLanguage(question) },
    })),
  );
  const passages = knowledge.documents.flatMap((doc) =>
    splitDocument(doc.text, { format: doc.format, source: documentRef(doc.name) }).map((p) => ({
      id: p.id,
      text: p.text,
      title: p.title,
      source: p.source,
      meta: { lang: detectLanguage(p.text) },
    })),
  );
  // The FAQ's question is its first phrasing already: not indexed again as a title.
  const faqIndex =
    faqItems.length === 0 ? null : await buildRetrievalIndex(faqItems, { includeTitle: false });
  const passageIndex = passages.length === 0 ? null : await buildRetrievalIndex(passages, {});
  const taggers = { ...training.taggers };
  const snapshot: AssistantSnapshot = {
    settings: knowledge.settings,
    intents: knowledge.intents.map(({ examples: _e, file: _f, line: _l, ...rest }) => rest),
    faqs: knowledge.faqs.map(({ file: _f, line: _l, ...rest }) => rest),
    options,
    temperature,
    validation: { examples: heldCount, outOfScope: heldOos, temperature, threshold },
    taggers: TEXT_LANGUAGES.filter((l) => taggers[l] !== undefined),
    indexes: { faq: faqIndex !== null, passages: passageIndex !== null, examples: exampleIndex !== null },
  };
  return new Assistant(snapshot, classifier, faqIndex, passageIndex, taggers, exampleIndex);
}

/** Loads an assistant directory written by `save`, verifying every part's checksums. */
export async function loadAssistant(dir: string): Promise<Assistant> {
  const artifact = await readArtifact(dir, ASSISTANT_FAMILY);
  const bytes = artifactFile(artifact, ASSISTANT_FILE);
  let snapshot: AssistantSnapshot;
  try {
    snapshot = JSON.parse(bytes.toString("utf8")) as AssistantSnapshot;
  } catch (cause) {
    throw new TextkitError("ARTIFACT_CORRUPT", `${dir}/${ASSISTANT_FILE} is not valid JSON`, {
      file: dir,
      cause,
    });
  }
  const labels = artifact.manifest.labels ?? [];
  // The parts the snapshot and labels call for must be the parts the sealed manifest lists,
  // so that no part is silently left out (an assistant without its intent classifier).
  const indexes: unknown = snapshot?.indexes;
  const snapshotTaggers: unknown = snapshot?.taggers;
  if (
    indexes === null ||
    typeof indexes !== "object" ||
    !Array.isArray(snapshotTaggers) ||
    !snapshotTaggers.every((lang) => TEXT_LANGUAGES.includes(lang))
  ) {
    throw new TextkitError("ARTIFACT_CORRUPT", `${dir}/${ASSISTANT_FILE} lacks its indexes or taggers`, {
      file: join(dir, ASSISTANT_FILE),
    });
  }
  const wanted = [
    ...(labels.length >= 2 ? ["intent"] : []),
    ...(["faq", "passages", "examples"] as const).filter((name) => snapshot.indexes[name] === true),
    ...snapshot.taggers.map((lang) => `tagger-${lang}`),
  ].sort();
  const listed = Object.keys(artifact.manifest.parts ?? {}).sort();
  if (wanted.join(",") !== listed.join(",")) {
    throw new TextkitError(
      "ARTIFACT_CORRUPT",
      `${dir} lists the parts ${listed.join(", ") || "(none)"} but its labels and ${ASSISTANT_FILE} call for ${wanted.join(", ") || "(none)"}`,
      { file: join(dir, "manifest.json") },
    );
  }
  // The manifest's options are the snapshot's, plus the assistant's name (for people and listings).
  const { name, ...options } = artifact.manifest.options;
  if (name !== snapshot.settings?.name || !isDeepStrictEqual(options, snapshot.options)) {
    throw new TextkitError(
      "ARTIFACT_CORRUPT",
      `the options in ${dir}/manifest.json are not those of its ${ASSISTANT_FILE}`,
      { file: join(dir, "manifest.json") },
    );
  }
  const classifier = labels.length >= 2 ? await loadClassifier(join(dir, "intent")) : null;
  const faqIndex = snapshot.indexes.faq ? await loadRetrievalIndex(join(dir, "faq")) : null;
  const passageIndex = snapshot.indexes.passages ? await loadRetrievalIndex(join(dir, "passages")) : null;
  const exampleIndex = snapshot.indexes.examples ? await loadRetrievalIndex(join(dir, "examples")) : null;
  const taggers: Partial<Record<TextLanguage, SequenceTagger>> = {};
  for (const lang of snapshot.taggers) taggers[lang] = await loadTagger(join(dir, `tagger-${lang}`));
  return new Assistant(snapshot, classifier, faqIndex, passageIndex, taggers, exampleIndex);
}
