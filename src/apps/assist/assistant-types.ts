/** Names and shapes shared by the assistant, its training and its artifact. */
import type { SentenceEncoder } from "../../core/index.ts";
import type { ClassifierOptions, HeadOptions } from "../../models/classifier/index.ts";
import type { SequenceTagger } from "../../models/tagger/index.ts";
import type { TextLanguage } from "../../text/index.ts";
import type { ThresholdChoice } from "./calibration.ts";
import type { AssistantSettings, Faq, Intent, Knowledge } from "./knowledge-types.ts";
import type { AssistantOptions } from "./options.ts";

export const ASSISTANT_FAMILY = "assistant";
/** The intent classifier's label for out-of-scope examples. */
export const OUT_OF_SCOPE = "__oos__";
export const ASSISTANT_FILE = "assistant.json";

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

export interface AssistantSnapshot {
  settings: AssistantSettings;
  intents: Omit<Intent, "examples" | "file" | "line">[];
  faqs: Omit<Faq, "file" | "line">[];
  options: AssistantOptions;
  temperature: number;
  validation: AssistantValidation;
  taggers: TextLanguage[];
  /** Which indexes the directory holds. */
  indexes: { faq: boolean; passages: boolean; examples: boolean };
  /** The pretrained encoder of the intent head and the FAQ and passage vectors (absent or null: none). */
  encoder?: AssistantEncoderRef | null;
}

/** How an assistant names the pretrained encoder it was trained on. */
export interface AssistantEncoderRef {
  id: string;
  /** What a load must match (ENCODER_CHANGED otherwise). */
  checksum: string;
  dim: number;
  /** The folder it was loaded from at training time (a hint for loaders; the checksum decides). */
  path: string | null;
}

/** Training an assistant on a pretrained encoder: the intent model is a head on it, the indexes use its vectors. */
export interface AssistantEncoderTraining {
  encoder: SentenceEncoder;
  /** Its folder: recorded in the assistant, and what saving with `bundle` copies. */
  path?: string;
  /** The head's options (as `classify train --encoder`); epochs etc. default to the head's. */
  head?: Partial<HeadOptions>;
  /**
   * Also train the n-gram intent model and mix the two; the weight is chosen on the
   * held-out questions (those that also calibrate the threshold).
   */
  ensemble?: Partial<ClassifierOptions> | false;
  /** Search the head's settings over this many trials, scored on the held-out questions. */
  autotuneTrials?: number;
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
  /** A pretrained encoder for the intents (a head on it) and the FAQ and passage indexes (dense or hybrid). */
  encoder?: AssistantEncoderTraining;
}
