/**
 * What a reply is (its path, intent score, action result) and how one that serves an intent
 * is composed: ask for a missing slot, ask to confirm, or answer (or leave the action pending).
 */
import type { DetectedLanguage } from "../../models/classifier/index.ts";
import type { TextLanguage } from "../../text/index.ts";
import type { ActionCallOptions } from "./action.ts";
import { type ConversationState, NEW_CONVERSATION } from "./conversation-state.ts";
import type { Intent } from "./knowledge-types.ts";
import { missingSlot, renderAnswer, type SlotValues } from "./slots.ts";

export const REPLY_PATHS = ["intent", "slot", "confirm", "faq", "passage", "handover"] as const;
export type ReplyPath = (typeof REPLY_PATHS)[number];

/** What became of an intent's action webhook (see `Assistant.respond`). */
export interface ActionResult {
  /** pending: confirmed, not called yet; done; refused: the webhook said no; failed: no answer. */
  status: "pending" | "done" | "refused" | "failed";
  attempts: number;
  error: string | null;
}

/** Said when a webhook failed, refused, or the customer said no; per language. */
export const ACTION_TEXTS: Record<
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
  /** The language of the reply: English or Chinese, the languages an assistant answers in. */
  lang: TextLanguage;
  /**
   * The message's language as detected: the language model's ISO 639 code and probability
   * when the assistant has one (see AssistantSettings.language), else textkit's en/zh with
   * a null score. A message in a language other than English and Chinese is handed over.
   */
  detected: DetectedLanguage;
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
export type ReplyBase = Pick<
  Reply,
  "lang" | "detected" | "intent" | "candidate" | "faq" | "passage" | "asking" | "handover" | "action"
>;
export type ServedIntent = Omit<Intent, "examples" | "file" | "line">;

/** Where `respond` may call an action's webhook from. */
export interface RespondContext extends ActionCallOptions {
  /** The conversation's id, sent to the webhook. */
  conversation?: string | null;
}

export function answerIntent(
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
    return confirmation(intent, lang, base, slots, confidence, 0, `${why}; it asks to confirm first`);
  return execute(intent, lang, base, slots, why);
}

/** Asks the customer to confirm the filled slots before the intent acts. */
export function confirmation(
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
export function execute(
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
