export const NORMALIZATION_FORMS = ["NFKC", "none"] as const;
export type NormalizationForm = (typeof NORMALIZATION_FORMS)[number];

export interface NormalizeOptions {
  /** Unicode normalisation; NFKC folds full-width forms (ＡＢＣ１２３) to their ASCII twins. */
  form: NormalizationForm;
  /** Fold case (Unicode-aware lower case). */
  lowercase: boolean;
}

export const DEFAULT_NORMALIZE: NormalizeOptions = Object.freeze({ form: "NFKC", lowercase: true });

/**
 * Normalises text before tokenisation.
 *
 * @example
 * normalizeText("ＨＥＬＬＯ，世界", { form: "NFKC", lowercase: true }); // "hello,世界"
 */
export function normalizeText(text: string, options: NormalizeOptions = DEFAULT_NORMALIZE): string {
  let out = options.form === "NFKC" ? text.normalize("NFKC") : text;
  if (options.lowercase) out = out.toLowerCase();
  return out;
}
