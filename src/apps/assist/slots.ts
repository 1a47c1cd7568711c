/**
 * Slots: the values an answer template needs ({amount}, {date}), found in a customer's
 * message by the entity tagger (a slot with an entity type) or by a pattern, and kept for
 * the form (the intent) that asked for them. Two slots of one entity type (from and to
 * cities) take the entities in the order they appear.
 *
 * Numbers come first: an amount (五百元, 3千5百块, $200, 200 dollars) or a count is read by
 * textkit's own number reader before the tagger, and a tagger's other label on that span (a
 * news-trained tagger may call 五百元 a place) is ignored. A pattern that looks for digits
 * also sees the message with Chinese numerals written as digits.
 */
import { arabicNumerals, findNumbers, formatNumber, type NumberSpan } from "../../text/index.ts";
import type { SlotSpec } from "./knowledge-types.ts";

export interface FoundEntity {
  text: string;
  label: string;
  start: number;
  end: number;
}

export type SlotValues = Record<string, string>;

/** Entity types whose value is a number, read by the number reader before the tagger. */
const NUMERIC_ENTITIES = new Set(["MONEY", "CARDINAL", "QUANTITY", "PERCENT", "COUNT", "NUMBER"]);
const CURRENCY_AFTER =
  /^\s?(块钱|美元|美金|欧元|英镑|日元|港币|港元|人民币|元|块|圆|dollars?|bucks?|usd|rmb|yuan|euros?|pounds?)(?![a-z])/iu;
const CURRENCY_BEFORE = /[$¥￥€£]\s?$/u;
const COUNT_AFTER = /^\s?(?:[个张次笔件份位条只台本名人天周]|times?\b|cards?\b|people\b|days?\b)/iu;
const DATE_AFTER = /^\s?[年月日号点时]/u;

/** A number in a message that a slot may take: where, and its value as the slot keeps it. */
interface NumberValue {
  start: number;
  end: number;
  text: string;
  money: boolean;
  /** A count word follows (三张, 两个, 5 cards): the number counts something. */
  count: boolean;
  /** A date word follows (三月, 十二号, 2026年): part of a date, not a count. */
  date: boolean;
}

/**
 * The numbers of a message, each an amount when a currency comes with it. An amount written
 * with Chinese numerals is kept in digits (五百元 → 500元); one in digits as it was written.
 */
function numbersIn(message: string): NumberValue[] {
  return findNumbers(message).map((n: NumberSpan) => {
    const after = CURRENCY_AFTER.exec(message.slice(n.end));
    const before = CURRENCY_BEFORE.exec(message.slice(0, n.start));
    const start = before === null ? n.start : n.start - before[0].length;
    const end = after === null ? n.end : n.end + after[0].length;
    const digits = n.chinese ? formatNumber(n.value) : n.text;
    const text = n.chinese
      ? `${before?.[0].trim() ?? ""}${digits}${after?.[1] ?? ""}`
      : message.slice(start, end).trim();
    const rest = message.slice(n.end);
    return {
      start,
      end,
      text,
      money: after !== null || before !== null,
      count: COUNT_AFTER.test(rest),
      date: DATE_AFTER.test(rest),
    };
  });
}

/** A reply this short (UTF-16 units) to an amount's question may give it without a currency. */
const SHORT_ANSWER = 40;
const compiled = new Map<string, RegExp>();

function patternOf(source: string): RegExp {
  let re = compiled.get(source);
  if (re === undefined) {
    re = new RegExp(source, "iu");
    compiled.set(source, re);
  }
  return re;
}

/**
 * The slots `message` fills, given the values known already (which it may replace with a
 * new value it states). `asked` is the slot the assistant just asked for: a bare number
 * ("五百", "250") answers it when it wants an amount or a count.
 *
 * @example
 * fillSlots(slots, "send $50 to savings", [], {});
 * // { amount: "$50", account: "savings" }
 * fillSlots(slots, "我想转账五百元", [{ text: "五百元", label: "LOC", start: 4, end: 7 }], {});
 * // { amount: "500元" }
 */
export function fillSlots(
  specs: readonly SlotSpec[],
  message: string,
  entities: readonly FoundEntity[],
  known: SlotValues,
  asked: string | null = null,
): SlotValues {
  const out: SlotValues = { ...known };
  const numbers = numbersIn(message);
  const usedNumbers = new Set<NumberValue>();
  // A tagger's non-numeric label on an amount is wrong: the amount wins.
  const amounts = numbers.filter((n) => n.money);
  const used = new Set<FoundEntity>(
    entities.filter(
      (e) => !NUMERIC_ENTITIES.has(e.label) && amounts.some((n) => e.start < n.end && n.start < e.end),
    ),
  );
  for (const spec of specs) {
    if (spec.entity !== null) {
      if (NUMERIC_ENTITIES.has(spec.entity)) {
        const money = spec.entity === "MONEY";
        const free = numbers.filter((x) => !usedNumbers.has(x));
        const n =
          (money
            ? free.find((x) => x.money)
            : (free.find((x) => x.count) ?? free.find((x) => !x.money && !x.date))) ??
          (money && spec.name === asked && message.length <= SHORT_ANSWER ? free[0] : undefined);
        if (n !== undefined) {
          usedNumbers.add(n);
          for (const e of entities) if (e.start < n.end && n.start < e.end) used.add(e);
          out[spec.name] = n.text;
          continue;
        }
      }
      const e = entities.find((x) => x.label === spec.entity && !used.has(x));
      if (e !== undefined) {
        used.add(e);
        out[spec.name] = e.text;
      }
    } else if (spec.pattern !== null) {
      const re = patternOf(spec.pattern);
      // A pattern for digits also finds numbers written in characters (三千五 → 3500).
      const m = (/\\d|0-9/.test(spec.pattern) ? re.exec(arabicNumerals(message)) : null) ?? re.exec(message);
      if (m !== null) {
        const value = (m[1] ?? m[0]).trim();
        if (value !== "") out[spec.name] = value;
      }
    }
  }
  return out;
}

/** The slots whose value is one number (500元 → 500, $1,200 → 1200), for an action's webhook. */
export function numbersOf(values: SlotValues): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [name, value] of Object.entries(values)) {
    const found = findNumbers(value);
    if (found.length === 1) out[name] = found[0]!.value;
  }
  return out;
}

/** The first required slot without a value (optional ones take their default). */
export function missingSlot(specs: readonly SlotSpec[], values: SlotValues): SlotSpec | null {
  for (const spec of specs)
    if (values[spec.name] === undefined && !spec.optional && spec.default === null) return spec;
  return null;
}

/** The template with its slots filled ({name} replaced by the value, or the slot's default). */
export function renderAnswer(template: string, specs: readonly SlotSpec[], values: SlotValues): string {
  return template.replace(/\{([^{}]*)\}/g, (whole, raw: string) => {
    const name = raw.trim();
    const spec = specs.find((s) => s.name === name);
    return values[name] ?? spec?.default ?? whole;
  });
}
