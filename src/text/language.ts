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
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) {
      if ((c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)) letters++;
      continue;
    }
    let kind: number;
    const low = c >= 0xd800 && c <= 0xdbff && i + 1 < n ? text.charCodeAt(i + 1) : 0;
    if (low >= 0xdc00 && low <= 0xdfff) {
      // A surrogate pair is one character, as `for..of` reads it.
      kind = astralKind(((c - 0xd800) << 10) + (low - 0xdc00) + 0x10000);
      i++;
    } else kind = bmpKind(c);
    if (kind === HAN) {
      han++;
      letters++;
    } else if (kind === LETTER) letters++;
  }
  return han > 0 && han >= HAN_SHARE * letters ? "zh" : "en";
}

/** What a character counts as: a Han character (also a letter), another letter, or neither. */
const OTHER = 1;
const LETTER = 2;
const HAN = 3;
const HAN_SCRIPT = /\p{Script=Han}/u;
const ANY_LETTER = /\p{L}/u;
/** The kind of each code unit below 0x10000, worked out on first sight (0: not yet). */
const bmpKinds = new Uint8Array(0x10000);
const astralKinds = new Map<number, number>();

function kindOf(ch: string): number {
  return HAN_SCRIPT.test(ch) ? HAN : ANY_LETTER.test(ch) ? LETTER : OTHER;
}

function bmpKind(c: number): number {
  let kind = bmpKinds[c] ?? 0;
  if (kind === 0) {
    kind = kindOf(String.fromCharCode(c));
    bmpKinds[c] = kind;
  }
  return kind;
}

function astralKind(cp: number): number {
  let kind = astralKinds.get(cp);
  if (kind === undefined) {
    kind = kindOf(String.fromCodePoint(cp));
    // Astral characters are rare in posts; a text of many distinct ones should not grow the cache without end.
    if (astralKinds.size >= 65_536) astralKinds.clear();
    astralKinds.set(cp, kind);
  }
  return kind;
}
