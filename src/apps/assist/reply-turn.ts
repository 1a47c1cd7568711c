/**
 * How the assistant decides one turn once the message is understood (its language, its
 * entities, its best intent): the open form first (a slot's value, a yes or no), then a
 * message in a language it does not answer in, then an accepted intent; what is left goes
 * to the FAQ, the help documents, or a person. The decisions are synchronous: only
 * understanding the message and searching the indexes may need an encoder's forward pass,
 * and `Assistant.reply` / `replyAsync` do those before and after calling in here.
 */
import { isOneOf } from "../../core/index.ts";
import type { DetectedLanguage } from "../../models/classifier/index.ts";
import type { SearchHit } from "../../models/retrieval/index.ts";
import { TEXT_LANGUAGES, type TextLanguage } from "../../text/index.ts";
import type { Classification } from "./assistant-types.ts";
import { confirmationOf } from "./confirmation.ts";
import { type ConversationState, NEW_CONVERSATION } from "./conversation-state.ts";
import type { AssistantSettings, Faq } from "./knowledge-types.ts";
import type { AssistantOptions } from "./options.ts";
import {
  ACTION_TEXTS,
  answerIntent,
  confirmation,
  execute,
  type IntentScore,
  type Reply,
  type ReplyBase,
  type ServedIntent,
} from "./reply.ts";
import { type FoundEntity, fillSlots } from "./slots.ts";

/** A reply this short (UTF-16 units) to a slot's question fills the slot when no tagger can. */
const SHORT_REPLY = 40;

function describe(x: number): string {
  return x.toFixed(2);
}

/** What a turn's decisions read of the assistant. */
export interface TurnContext {
  settings: AssistantSettings;
  options: AssistantOptions;
  threshold: number;
  intents: ReadonlyMap<string, ServedIntent>;
  faqs: ReadonlyMap<string, Omit<Faq, "file" | "line">>;
  /** Whether the assistant has an entity tagger for the language. */
  hasTagger: (lang: TextLanguage) => boolean;
}

/** The message as understood: its text, languages, entities and best intent. */
export interface Turn {
  text: string;
  lang: TextLanguage;
  detected: DetectedLanguage;
  entities: FoundEntity[];
  classified: Classification;
  /** The best intent reaches the threshold. */
  accepted: boolean;
  base: ReplyBase;
}

/** The turn of `classified` for a message in `lang` (its base reply names the candidate intent). */
export function turnOf(
  ctx: TurnContext,
  message: { text: string; lang: TextLanguage; detected: DetectedLanguage; entities: FoundEntity[] },
  classified: Classification,
): Turn {
  const accepted =
    classified.id !== null && classified.confidence >= ctx.threshold && classified.confidence > 0;
  const candidate =
    classified.id === null
      ? null
      : { id: classified.id, confidence: classified.confidence, threshold: ctx.threshold, accepted };
  const base: ReplyBase = {
    lang: message.lang,
    detected: message.detected,
    intent: null,
    candidate,
    faq: null,
    passage: null,
    asking: null,
    handover: false,
    action: null,
  };
  return { ...message, classified, accepted, base };
}

/** A reply that hands the conversation to a person. */
export function handover(ctx: TurnContext, lang: TextLanguage, base: ReplyBase, why: string): Reply {
  return {
    ...base,
    intent: null,
    path: "handover",
    text: ctx.settings.handover[lang],
    slots: {},
    asking: null,
    handover: true,
    why,
    state: { ...NEW_CONVERSATION, lang },
  };
}

/** The score of the intent a form serves. */
function served(ctx: TurnContext, intent: ServedIntent, confidence: number): IntentScore {
  return { id: intent.id, confidence, threshold: ctx.threshold, accepted: true };
}

/**
 * The reply of a turn decided without retrieval: the open form's, a handover for a
 * language the assistant does not answer in, or an accepted intent's; null when the FAQ and
 * documents must be searched.
 */
export function decideTurn(ctx: TurnContext, turn: Turn, state: ConversationState): Reply | null {
  const form = state.intent === null ? undefined : ctx.intents.get(state.intent);
  if (form !== undefined) {
    const reply =
      state.phase === "confirming"
        ? confirmingTurn(ctx, turn, form, state)
        : fillingTurn(ctx, turn, form, state);
    if (reply !== null) return reply;
    // Another intent takes over: the form is dropped with its values.
  }
  const { detected, lang, base, classified } = turn;
  // The intents, FAQs and documents are English or Chinese: a message in another language
  // (named by the language model with its probability) goes to a person rather than be
  // matched against them. An open form above still takes its slot's answer.
  if (!isOneOf(detected.language, TEXT_LANGUAGES)) {
    return handover(
      ctx,
      lang,
      { ...base, candidate: null },
      `the message is in "${detected.language}" (probability ${describe(detected.score ?? 0)}), a language this assistant does not answer in`,
    );
  }
  const intent = classified.id === null ? undefined : ctx.intents.get(classified.id);
  if (!turn.accepted || intent === undefined) return null;
  // A new form: only what this message says fills it.
  const slots = fillSlots(intent.slots, turn.text, turn.entities, {});
  return answerIntent(
    intent,
    lang,
    { ...base, intent: base.candidate },
    slots,
    classified.confidence,
    `intent "${intent.id}" at confidence ${describe(classified.confidence)} ≥ threshold ${describe(ctx.threshold)}`,
  );
}

/** A form waiting for yes or no: the answer, a changed value, or asking again; null when another intent takes over. */
function confirmingTurn(
  ctx: TurnContext,
  turn: Turn,
  form: ServedIntent,
  state: ConversationState,
): Reply | null {
  const { text, lang, base } = turn;
  // The form answers in its own language, whatever the language of "500" or "是".
  const formLang = form.lang ?? lang;
  const servedBase = { ...base, lang: formLang, intent: served(ctx, form, state.confidence) };
  const said = confirmationOf(text);
  if (said === "yes")
    return execute(form, formLang, servedBase, state.slots, `the customer confirmed intent "${form.id}"`);
  if (said === "no") {
    return {
      ...servedBase,
      path: "intent",
      text: ACTION_TEXTS[formLang].cancelled,
      slots: state.slots,
      why: `the customer declined intent "${form.id}"; nothing was done and its slots are cleared`,
      state: { ...NEW_CONVERSATION, lang: formLang },
    };
  }
  if (turn.accepted && turn.classified.id !== form.id) return null;
  // A changed value ("make it 300") is confirmed again; anything else asks again.
  const slots = fillSlots(form.slots, text, turn.entities, state.slots);
  const changed = form.slots.some((spec) => slots[spec.name] !== state.slots[spec.name]);
  if (changed)
    return confirmation(form, formLang, servedBase, slots, state.confidence, 0, "the message changed a slot");
  const attempts = state.attempts + 1;
  if (attempts >= ctx.options.slotAttempts) {
    return handover(
      ctx,
      lang,
      base,
      `the confirmation of intent "${form.id}" was asked for ${attempts} times without a yes or a no`,
    );
  }
  return confirmation(
    form,
    formLang,
    servedBase,
    state.slots,
    state.confidence,
    attempts,
    `neither yes nor no to intent "${form.id}" (attempt ${attempts + 1})`,
  );
}

/** A form collecting slots: the value asked for, asking again, or the answer; null when another intent takes over. */
function fillingTurn(
  ctx: TurnContext,
  turn: Turn,
  form: ServedIntent,
  state: ConversationState,
): Reply | null {
  const { text, lang, base } = turn;
  const formLang = form.lang ?? lang;
  const servedBase = { ...base, lang: formLang, intent: served(ctx, form, state.confidence) };
  const slots = fillSlots(form.slots, text, turn.entities, state.slots, state.asked);
  const asked = form.slots.find((spec) => spec.name === state.asked);
  // An entity slot with no tagger for the language: a short reply to its question is the value.
  if (
    asked !== undefined &&
    slots[asked.name] === undefined &&
    asked.entity !== null &&
    !ctx.hasTagger(lang) &&
    text.length <= SHORT_REPLY
  ) {
    slots[asked.name] = text;
  }
  const gave = asked !== undefined && slots[asked.name] !== undefined;
  // The slot asked for comes first; only a message that does not give it may start another intent.
  if (!gave && turn.accepted && turn.classified.id !== form.id) return null;
  if (asked !== undefined && slots[asked.name] === undefined) {
    const attempts = state.attempts + 1;
    if (attempts >= ctx.options.slotAttempts) {
      return handover(
        ctx,
        lang,
        base,
        `the slot "${asked.name}" of intent "${form.id}" was asked for ${attempts} times without an answer`,
      );
    }
    return {
      ...servedBase,
      path: "slot",
      text: asked.prompt ?? "",
      slots,
      asking: asked.name,
      why: `still waiting for the slot "${asked.name}" of intent "${form.id}" (attempt ${attempts + 1})`,
      state: { ...state, lang: formLang, attempts, slots },
    };
  }
  return answerIntent(
    form,
    formLang,
    servedBase,
    slots,
    state.confidence,
    `the message gave the slot "${state.asked}" of intent "${form.id}"`,
  );
}

/** Why no intent answered the turn. */
function notIntent(ctx: TurnContext, classified: Classification): string {
  if (classified.outOfScope) return "the intent model says out of scope";
  if (classified.unsupported === true)
    return `best intent "${classified.id}" shares no word with its examples`;
  if (classified.id === null) return "no intents";
  return `best intent "${classified.id}" at ${describe(classified.confidence)} < threshold ${describe(ctx.threshold)}`;
}

/**
 * The reply of a turn no intent answered, from the best FAQ hit and the best passage hit
 * (of the message's language): the FAQ when it reaches its threshold, else the passage when
 * it reaches its own, else a handover; the reply shows both scores.
 */
export function retrievalReply(
  ctx: TurnContext,
  turn: Turn,
  faqHit: SearchHit | undefined,
  passageHit: SearchHit | undefined,
): Reply {
  const { lang, base } = turn;
  const { options } = ctx;
  const why = [notIntent(ctx, turn.classified)];
  const faqId = faqHit === undefined ? null : String(faqHit.item.meta?.["faq"] ?? faqHit.id);
  const faq = faqId === null ? undefined : ctx.faqs.get(faqId);
  const faqScore =
    faqHit === undefined || faq === undefined
      ? null
      : { id: faq.id, question: faq.question, score: faqHit.score, threshold: options.faqThreshold };
  if (faq !== undefined && faqScore !== null && faqScore.score >= options.faqThreshold) {
    return {
      ...base,
      faq: faqScore,
      path: "faq",
      text: faq.answer,
      slots: {},
      why: `${why.join("; ")}; FAQ "${faq.id}" matches at ${describe(faqScore.score)} ≥ ${describe(options.faqThreshold)}`,
      state: { ...NEW_CONVERSATION, lang },
    };
  }
  if (faqScore !== null)
    why.push(`best FAQ "${faqScore.id}" at ${describe(faqScore.score)} < ${describe(options.faqThreshold)}`);
  const passageScore =
    passageHit === undefined
      ? null
      : {
          id: passageHit.id,
          title: passageHit.item.title ?? "",
          source: passageHit.item.source ?? "",
          score: passageHit.score,
          threshold: options.passageThreshold,
        };
  if (passageHit !== undefined && passageScore !== null && passageScore.score >= options.passageThreshold) {
    const where =
      passageScore.title === "" ? passageScore.source : `${passageScore.source}, ${passageScore.title}`;
    return {
      ...base,
      faq: faqScore,
      passage: passageScore,
      path: "passage",
      text: `${ctx.settings.fallback[lang]}\n\n${passageHit.item.text}\n\n(${where})`,
      slots: {},
      why: `${why.join("; ")}; passage "${passageScore.id}" matches at ${describe(passageScore.score)} ≥ ${describe(options.passageThreshold)}`,
      state: { ...NEW_CONVERSATION, lang },
    };
  }
  if (passageScore !== null)
    why.push(`best passage at ${describe(passageScore.score)} < ${describe(options.passageThreshold)}`);
  return handover(
    ctx,
    lang,
    { ...base, faq: faqScore, passage: passageScore },
    `${why.join("; ")}: nothing answers it well enough`,
  );
}
