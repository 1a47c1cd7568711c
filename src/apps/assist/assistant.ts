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
import { type ArtifactParts, writeArtifact } from "../../artifact/index.ts";
import { isOneOf, TEXTKIT_VERSION } from "../../core/index.ts";
import {
  type DetectedLanguage,
  LanguageDetector,
  type TextClassifier,
} from "../../models/classifier/index.ts";
import type { RetrievalIndex } from "../../models/retrieval/index.ts";
import type { SequenceTagger } from "../../models/tagger/index.ts";
import { detectLanguage, TEXT_LANGUAGES, type TextLanguage } from "../../text/index.ts";
import { callAction } from "./action.ts";
import {
  ASSISTANT_FAMILY,
  ASSISTANT_FILE,
  type AssistantSnapshot,
  type AssistantValidation,
  type Classification,
  OUT_OF_SCOPE,
} from "./assistant-types.ts";
import { applyTemperature } from "./calibration.ts";
import { confirmationOf } from "./confirmation.ts";
import { type ConversationState, NEW_CONVERSATION } from "./conversation-state.ts";
import { distribution, keepLanguage, sameLanguage, sharesWords } from "./intent-scoring.ts";
import type { AssistantSettings, Faq } from "./knowledge-types.ts";
import { type AssistantOptions, DEFAULT_ASSISTANT_OPTIONS } from "./options.ts";
import {
  ACTION_TEXTS,
  answerIntent,
  confirmation,
  execute,
  type IntentScore,
  type Reply,
  type ReplyBase,
  type RespondContext,
  type ServedIntent,
} from "./reply.ts";
import { type FoundEntity, fillSlots, numbersOf, renderAnswer, type SlotValues } from "./slots.ts";

export type { AssistantOptions };
export { DEFAULT_ASSISTANT_OPTIONS };

/** A reply this short (UTF-16 units) to a slot's question fills the slot when no tagger can. */
const SHORT_REPLY = 40;

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
    /** Names each message's language (default: textkit's English/Chinese detector). */
    readonly languages: LanguageDetector = new LanguageDetector(null),
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

  // Long (~210 lines): one pass down the paths (form, intent, FAQ, passage, handover) sharing its locals.
  /**
   * Answers one message of a conversation in `state`; returns the reply and the new state.
   * It calls nothing: a confirmed action comes back with `action.status` "pending" and no
   * text; `respond` calls its webhook and answers from it.
   */
  reply(message: string, state: ConversationState = NEW_CONVERSATION): Reply {
    const text = message.trim();
    // A message without letters ("$250", "42") keeps the conversation's language.
    const detected: DetectedLanguage =
      /\p{L}/u.test(text) || state.lang === null
        ? (this.languages.detect([text])[0] ?? { language: detectLanguage(text), score: null })
        : { language: state.lang, score: null };
    // The reply's language: the detected one when the assistant answers in it, else what
    // textkit's detector says (a French message is answered, or handed over, in English).
    const lang = isOneOf(detected.language, TEXT_LANGUAGES) ? detected.language : detectLanguage(text);
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
      detected,
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
          return execute(form, formLang, served, state.slots, `the customer confirmed intent "${form.id}"`);
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
            return confirmation(
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
          return confirmation(
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
          return answerIntent(
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

    // The intents, FAQs and documents are English or Chinese: a message in another language
    // (named by the language model with its probability) goes to a person rather than be
    // matched against them. An open form above still takes its slot's answer.
    if (!isOneOf(detected.language, TEXT_LANGUAGES)) {
      return this.handover(
        lang,
        { ...base, candidate: null },
        `the message is in "${detected.language}" (probability ${describe(detected.score ?? 0)}), a language this assistant does not answer in`,
      );
    }

    if (accepted) {
      const intent = this.intents.get(classified.id!)!;
      // A new form: only what this message says fills it.
      const slots = fillSlots(intent.slots, text, entities, {});
      return answerIntent(
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
