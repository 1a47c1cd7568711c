/** The assistant's options and their defaults (kept apart, so that reading them loads no model code). */
import type { ClassifierOptions } from "../../models/classifier/index.ts";
import type { SearchMode } from "../../models/retrieval/index.ts";

export interface AssistantOptions {
  seed: number;
  /** The intent classifier's options (the defaults suit a few dozen examples per intent). */
  classifier: Partial<ClassifierOptions>;
  /** Share of each intent's examples held out to calibrate, when no validation set is given. */
  validationFraction: number;
  /** Learn the out-of-scope examples as a class of their own (when there are enough). */
  outOfScopeClass: boolean;
  /**
   * The out-of-scope recall the threshold must reach on the held-out questions (the lowest
   * threshold that does); null: the threshold with the best mean of in-scope accuracy and
   * out-of-scope recall.
   */
  outOfScopeRecall: number | null;
  /** Least retrieval score (0..1) for an FAQ answer. */
  faqThreshold: number;
  /** Least retrieval score (0..1) for a passage answer. */
  passageThreshold: number;
  /** Times a missing slot is asked for before the conversation is handed over. */
  slotAttempts: number;
  /**
   * How the FAQ and passage indexes are searched (absent: hybrid for indexes on an encoder,
   * BM25 otherwise). With an encoder, "vector" ranks by cosine alone.
   */
  retrievalMode?: SearchMode;
}

export const DEFAULT_ASSISTANT_OPTIONS: AssistantOptions = Object.freeze({
  seed: 1,
  classifier: Object.freeze({ epochs: 15, lr: 1.0, dim: 50, wordNgrams: 2, minn: 3, maxn: 4, patience: 0 }),
  validationFraction: 0.15,
  outOfScopeClass: true,
  outOfScopeRecall: null,
  faqThreshold: 0.4,
  passageThreshold: 0.5,
  slotAttempts: 2,
});
