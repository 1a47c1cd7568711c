/**
 * Which of textkit's two languages a text is in: Chinese or English. Used where nothing
 * says (a monitored post, a customer's message).
 */

export const TEXT_LANGUAGES = ["en", "zh"] as const;
export type TextLanguage = (typeof TEXT_LANGUAGES)[number];

/** Share of Han characters among letters from which a text counts as Chinese. */
const HAN_SHARE = 0.2;

/**
 * The language of a text, "zh" or "en": Chinese when at least a fifth of its letters are
 * Han characters (a Chinese post with an English brand name stays Chinese).
 *
 * @example
 * detectLanguage("苹果发布了新款 iPhone"); // "zh"
 */
export function detectLanguage(text: string): TextLanguage {
  let han = 0;
  let letters = 0;
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (c < 0x80) {
      if ((c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)) letters++;
    } else if (/\p{Script=Han}/u.test(ch)) {
      han++;
      letters++;
    } else if (/\p{L}/u.test(ch)) letters++;
  }
  return han > 0 && han >= HAN_SHARE * letters ? "zh" : "en";
}
