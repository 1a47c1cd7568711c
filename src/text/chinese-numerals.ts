/**
 * Numbers written in Chinese characters, alone or mixed with Arabic digits: 五百, 两千,
 * 三千五百, 三千五 (spoken: 3500), 3千5百, 1.5万, 一万零五, 十二, 两亿, 零点五, 八八四二
 * (a digit string). A customer writes amounts, dates and counts this way, and an
 * entity tagger trained on news may call 五百元 a place; a slot pattern that looks for
 * digits finds them once these spans are rewritten as Arabic numbers.
 *
 * Grammar, as the parser reads it: a section below 万 is digits each followed by a
 * falling unit (千, 百, 十), 零 marking a skipped unit; 万 and 亿 multiply what precedes
 * them. A last digit after a unit with no 零 before it stands for the next lower unit
 * (三千五 = 3500, 两万三 = 23000), as people say it.
 */

const DIGITS: Readonly<Record<string, number>> = {
  零: 0,
  〇: 0,
  一: 1,
  壹: 1,
  二: 2,
  贰: 2,
  两: 2,
  三: 3,
  叁: 3,
  四: 4,
  肆: 4,
  五: 5,
  伍: 5,
  六: 6,
  陆: 6,
  七: 7,
  柒: 7,
  八: 8,
  捌: 8,
  九: 9,
  玖: 9,
};
const SMALL_UNITS: Readonly<Record<string, number>> = {
  十: 10,
  拾: 10,
  百: 100,
  佰: 100,
  千: 1000,
  仟: 1000,
};
const BIG_UNITS: Readonly<Record<string, number>> = { 万: 1e4, 萬: 1e4, 亿: 1e8, 億: 1e8 };
/** Full-width digits are read as ASCII ones. */
const FULL_WIDTH_ZERO = 0xff10;

function asciiDigit(ch: string): number | null {
  const c = ch.charCodeAt(0);
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= FULL_WIDTH_ZERO && c <= FULL_WIDTH_ZERO + 9) return c - FULL_WIDTH_ZERO;
  return null;
}

function isNumeralChar(ch: string): boolean {
  return (
    asciiDigit(ch) !== null ||
    DIGITS[ch] !== undefined ||
    SMALL_UNITS[ch] !== undefined ||
    BIG_UNITS[ch] !== undefined
  );
}

type Token =
  | { kind: "num"; value: number; digits: number; decimal: boolean; arabic: boolean }
  | { kind: "zero" }
  | { kind: "unit"; value: number }
  | { kind: "big"; value: number };

/** Splits a span into numbers, 零, units; null when it holds anything else. */
function tokens(s: string): Token[] | null {
  const out: Token[] = [];
  let i = 0;
  while (i < s.length) {
    const ch = s[i]!;
    if (asciiDigit(ch) !== null) {
      let j = i;
      let text = "";
      while (j < s.length) {
        const d = asciiDigit(s[j]!);
        if (d !== null) text += String(d);
        else if (s[j] === "," && /^[0-9０-９]{3}(?![0-9０-９])/.test(s.slice(j + 1)) && text !== "") {
          // a thousands separator: 1,200
        } else if (
          (s[j] === "." || s[j] === "点") &&
          !text.includes(".") &&
          j + 1 < s.length &&
          asciiDigit(s[j + 1]!) !== null
        ) {
          text += ".";
        } else break;
        j++;
      }
      out.push({
        kind: "num",
        value: Number(text),
        digits: text.replace(".", "").length,
        decimal: text.includes("."),
        arabic: true,
      });
      i = j;
      continue;
    }
    const d = DIGITS[ch];
    if (d !== undefined) {
      // A run of plain Chinese digits (八八四二), with a decimal part after 点 (零点五).
      let j = i;
      let text = "";
      while (j < s.length && DIGITS[s[j]!] !== undefined) text += String(DIGITS[s[j++]!]);
      let decimal = false;
      if (s[j] === "点" && j + 1 < s.length && DIGITS[s[j + 1]!] !== undefined) {
        decimal = true;
        text += ".";
        j++;
        while (j < s.length && DIGITS[s[j]!] !== undefined) text += String(DIGITS[s[j++]!]);
      }
      if (text === "0" && !decimal) out.push({ kind: "zero" });
      else {
        // 零 before digits inside a number (一万零五) marks a skipped unit.
        if (!decimal && text.length > 1 && text.startsWith("0") && /^0+[1-9]$/.test(text)) {
          out.push({ kind: "zero" });
          text = text.replace(/^0+/, "");
        }
        out.push({ kind: "num", value: Number(text), digits: text.length, decimal, arabic: false });
      }
      i = j;
      continue;
    }
    const unit = SMALL_UNITS[ch];
    if (unit !== undefined) {
      out.push({ kind: "unit", value: unit });
      i++;
      continue;
    }
    const big = BIG_UNITS[ch];
    if (big !== undefined) {
      out.push({ kind: "big", value: big });
      i++;
      continue;
    }
    return null;
  }
  return out;
}

/**
 * The value of a numeral such as 三千五百 or 1.5万; null when `text` is not one number.
 *
 * @example
 * parseChineseNumber("两千"); // 2000
 * parseChineseNumber("3千5百"); // 3500
 * parseChineseNumber("一万零五"); // 10005
 * parseChineseNumber("零点五"); // 0.5
 */
export function parseChineseNumber(text: string): number | null {
  const ts = tokens(text.trim());
  if (ts === null || ts.length === 0) return null;
  if (ts.length === 1) {
    const only = ts[0]!;
    if (only.kind === "num") return only.value;
    if (only.kind === "zero") return 0;
    if (only.kind === "unit" && only.value === 10) return 10;
    return null;
  }
  let total = 0;
  let section = 0;
  let pending: Extract<Token, { kind: "num" }> | null = null;
  /** The last unit of the section (falling order), and of all (for 三千五). */
  let sectionUnit = Number.POSITIVE_INFINITY;
  let lastUnit = 0;
  let lastBig = 0;
  let zeroSince = false;
  let any = false;
  for (const t of ts) {
    if (t.kind === "num") {
      if (pending !== null) return null;
      // A Chinese digit string or a decimal is only a number of its own (or before 万/亿).
      pending = t;
      any = true;
    } else if (t.kind === "zero") {
      if (pending !== null) return null;
      zeroSince = true;
    } else if (t.kind === "unit") {
      if (t.value >= sectionUnit) return null;
      let n: number;
      if (pending === null) {
        // 十二: a 十 with nothing before it is one ten, at the start of a section only.
        if (t.value !== 10 || section !== 0) return null;
        n = 1;
      } else {
        if (pending.decimal || (!pending.arabic && pending.digits > 1)) return null;
        n = pending.value;
      }
      section += n * t.value;
      sectionUnit = t.value;
      lastUnit = t.value;
      pending = null;
      zeroSince = false;
      any = true;
    } else {
      const v = section + (pending?.value ?? 0);
      if (v === 0 && pending === null) return null;
      if (lastBig === 0 || t.value > lastBig) {
        total = (total + v) * t.value;
      } else {
        if (t.value === lastBig) return null;
        total += v * t.value;
      }
      lastBig = t.value;
      lastUnit = t.value;
      section = 0;
      sectionUnit = Number.POSITIVE_INFINITY;
      pending = null;
      zeroSince = false;
    }
  }
  if (!any) return null;
  let tail = 0;
  if (pending !== null) {
    // 三千五 is 3500 and 两万三 is 23000; 一万零五 (零 before it) is 10005.
    const spoken = !zeroSince && lastUnit >= 100 && pending.digits === 1 && !pending.decimal;
    tail = spoken ? (pending.value * lastUnit) / 10 : pending.value;
  }
  const value = total + section + tail;
  return Number.isFinite(value) ? Number(value.toPrecision(15)) : null;
}

/** A number found in a text: where, as written, and its value. */
export interface NumberSpan {
  start: number;
  end: number;
  text: string;
  value: number;
  /** Written with a Chinese numeral character (not digits alone). */
  chinese: boolean;
}

/**
 * The numbers of a text, Arabic, Chinese or mixed, each the longest span that reads as one
 * number. A lone digit character (张三, 一下) is not taken for a number unless a unit or a
 * currency follows it (三个, 五元): names and words hold them too.
 *
 * @example
 * findNumbers("我想转账五百元").map((n) => n.value); // [500]
 */
export function findNumbers(text: string): NumberSpan[] {
  const out: NumberSpan[] = [];
  let i = 0;
  while (i < text.length) {
    if (!isNumeralChar(text[i]!)) {
      i++;
      continue;
    }
    let j = i;
    while (
      j < text.length &&
      (isNumeralChar(text[j]!) ||
        ((text[j] === "." || text[j] === "点" || text[j] === ",") &&
          j + 1 < text.length &&
          isNumeralChar(text[j + 1]!) &&
          j > i))
    )
      j++;
    // The longest prefix that is one number; what is left is scanned again.
    let end = j;
    let value: number | null = null;
    while (end > i) {
      value = parseChineseNumber(text.slice(i, end));
      if (value !== null) break;
      end--;
    }
    if (value === null) {
      i++;
      continue;
    }
    const span = text.slice(i, end);
    const chinese = [...span].some((ch) => asciiDigit(ch) === null && /\p{Script=Han}/u.test(ch));
    const lone = chinese && span.length === 1 && DIGITS[span] !== undefined;
    if (
      !lone ||
      /^\s*(?:[元块圆角毛分个只张次笔天年月日号周岁位份件条]|美元|港币|人民币)/u.test(text.slice(end))
    )
      out.push({ start: i, end, text: span, value, chinese });
    i = end;
  }
  return out;
}

/** A number as Arabic digits, without exponent or trailing zeros. */
export function formatNumber(value: number): string {
  if (Number.isInteger(value)) return BigInt(Math.round(value)).toString();
  return String(Number(value.toFixed(10)));
}

/**
 * The text with every number written in Chinese characters rewritten in Arabic digits
 * (三千五百元 → 3500元), so that a pattern looking for digits finds it.
 *
 * @example
 * arabicNumerals("转账1.5万元给两个人"); // "转账15000元给2个人"
 */
export function arabicNumerals(text: string): string {
  let out = "";
  let at = 0;
  for (const n of findNumbers(text)) {
    if (!n.chinese) continue;
    out += text.slice(at, n.start) + formatNumber(n.value);
    at = n.end;
  }
  return out + text.slice(at);
}
