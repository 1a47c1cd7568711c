/**
 * The conversation state a reply carries: the open form (its intent, the slot asked for,
 * its values) and whether it is filling or waiting for a yes/no.
 */
import type { TextLanguage } from "../../text/index.ts";
import type { SlotValues } from "./slots.ts";

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
