/**
 * Masks personal data in text bound for logs. Each item becomes a typed placeholder
 * (`[email]`, `[id]`, `[card]`, `[phone]`) so that a log line still says what was there.
 *
 * Every detector is linear in the text: e-mails are found by a hand-written scan around
 * each `@`, and the digit patterns have a bounded length, so the regex engine does bounded
 * work per start position whatever the input.
 */

/** The kinds of personal data, in priority order: an earlier kind wins an overlap. */
export const PII_KINDS = ["email", "id", "card", "phone"] as const;

export type PiiKind = (typeof PII_KINDS)[number];

/** One item of personal data: `text.slice(start, end)` is the item. */
export interface PiiMatch {
  kind: PiiKind;
  start: number;
  end: number;
}

// A digit match may not be part of a longer run of ASCII letters or digits, nor the
// fraction of a decimal ("0.13812345678"). Chinese characters around it are fine.
const BEFORE = String.raw`(?<![0-9A-Za-z]|[0-9]\.)`;
const AFTER = String.raw`(?![0-9A-Za-z]|\.[0-9])`;

interface DigitDetector {
  kind: Exclude<PiiKind, "email">;
  pattern: RegExp;
  /** Length of the prefix of `candidate` that is personal data; 0 to reject it. */
  accept: (candidate: string) => number;
}

const DIGIT_DETECTORS: readonly DigitDetector[] = [
  {
    kind: "id",
    // 18-digit resident ID (last char may be X) or the old 15-digit form
    pattern: new RegExp(`${BEFORE}(?:[0-9]{17}[0-9Xx]|[0-9]{15})${AFTER}`, "g"),
    accept: (candidate) => (isResidentId(candidate) ? candidate.length : 0),
  },
  {
    kind: "card",
    pattern: new RegExp(
      `${BEFORE}(?:[0-9]{13,19}` +
        // 4-4-4-4 with a short tail (13 to 19 digits), and Amex's 4-6-5
        `|[0-9]{4}(?:[ -][0-9]{4}){2,3}(?:[ -][0-9]{1,3})?` +
        `|[0-9]{4}[ -][0-9]{6}[ -][0-9]{4,5})${AFTER}`,
      "g",
    ),
    accept: acceptCard,
  },
  {
    kind: "phone",
    pattern: new RegExp(
      // Chinese mobile, optionally +86/0086/86, grouped 3-4-4 by one kind of separator
      String.raw`${BEFORE}(?:(?:(?:\+|00)?86[ -]?)?1[3-9][0-9]([ -]?)[0-9]{4}\1[0-9]{4}` +
        // international: a leading + is required, so that plain numbers are never phones
        String.raw`|\+[1-9][0-9]{0,2}(?:[ -]?\([0-9]{1,4}\))?(?:[ -]?[0-9]){6,13}` +
        // Chinese landline with its area code: 010-12345678, 0755-8601338
        `|0[1-9][0-9]{1,2}-[2-9][0-9]{6,7})${AFTER}`,
      "g",
    ),
    // E.164 numbers have at most 15 digits
    accept: (candidate) => {
      const digits = countDigits(candidate);
      return digits >= 8 && digits <= 15 ? candidate.length : 0;
    },
  },
];

/**
 * Finds the personal data in `text`, sorted by position and never overlapping.
 *
 * @example
 * ```ts
 * findPersonalData("mail a@b.com");
 * // [{ kind: "email", start: 5, end: 12 }]
 * ```
 */
/** The fewest digits of a match: a phone number (8), a card (13), an ID (15). */
const MIN_DIGITS = 8;

/** False when `text` has no @ and fewer than 8 ASCII digits: then no detector can match. */
function mayHoldPersonalData(text: string): boolean {
  let digits = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 64) return true;
    if (c >= 48 && c <= 57 && ++digits >= MIN_DIGITS) return true;
  }
  return false;
}

export function findPersonalData(text: string): PiiMatch[] {
  // Every digit detector needs at least 8 ASCII digits and an e-mail needs an @: most log
  // fields (a method, a route such as /v1/models/:name/predict) have neither, and every
  // access line of the server masks them; skip the scans for them.
  if (!mayHoldPersonalData(text)) return [];
  const matches = findEmails(text);
  const taken = new Uint8Array(text.length);
  for (const m of matches) taken.fill(1, m.start, m.end);

  for (const { kind, pattern, accept } of DIGIT_DETECTORS) {
    // a private copy, so that the shared pattern's lastIndex is never touched
    const re = new RegExp(pattern);
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      const start = m.index;
      const length = accept(m[0]);
      const end = start + length;
      if (length === 0 || taken.subarray(start, end).includes(1)) {
        // Another candidate may begin inside this one ("1234 4111 1111 1111 1111"), so
        // resume one character on; the bounded patterns keep that linear.
        re.lastIndex = start + 1;
        continue;
      }
      taken.fill(1, start, end);
      matches.push({ kind, start, end });
      re.lastIndex = end;
    }
  }
  return matches.sort((a, b) => a.start - b.start);
}

/**
 * Replaces e-mail addresses, Chinese resident ID numbers, bank card numbers (Luhn-checked)
 * and phone numbers in `text` by `[email]`, `[id]`, `[card]` and `[phone]`.
 *
 * @example
 * ```ts
 * maskPersonalData("我的手机号是13812345678，邮箱是zhang.san@example.com。");
 * // "我的手机号是[phone]，邮箱是[email]。"
 * ```
 */
export function maskPersonalData(text: string): string {
  const matches = findPersonalData(text);
  if (matches.length === 0) return text;
  let out = "";
  let last = 0;
  for (const { kind, start, end } of matches) {
    out += `${text.slice(last, start)}[${kind}]`;
    last = end;
  }
  return out + text.slice(last);
}

const MAX_DEPTH = 10;

/**
 * Returns a copy of a JSON-like value with every string masked by {@link maskPersonalData}.
 * Numbers, booleans and null are kept; an object that contains itself becomes
 * `"[circular]"` and an object or array nested more than 10 levels deep becomes `"[deep]"`.
 * Like JSON.stringify it uses `toJSON` (so a Date becomes its ISO string) and copies own
 * enumerable properties; an Error keeps its name, message, stack and cause. Object keys are
 * kept as they are: they name fields, and masking them could merge two of them.
 *
 * @example
 * ```ts
 * maskDeep({ user: { email: "a@b.com", age: 30 }, tags: ["tel 13812345678"] });
 * // { user: { email: "[email]", age: 30 }, tags: ["tel [phone]"] }
 * ```
 */
export function maskDeep(value: unknown): unknown {
  return maskValue(value, 0, new Set());
}

function maskValue(value: unknown, depth: number, ancestors: Set<object>): unknown {
  if (typeof value === "string") return maskPersonalData(value);
  if (typeof value !== "object" || value === null) return value;
  // Only ancestors count as circular: an object shared by two branches is copied twice.
  if (ancestors.has(value)) return "[circular]";
  if (depth > MAX_DEPTH) return "[deep]";
  ancestors.add(value);
  try {
    if (Array.isArray(value)) return value.map((item) => maskValue(item, depth + 1, ancestors));
    const toJson: unknown = Reflect.get(value, "toJSON");
    if (typeof toJson === "function") {
      const json: unknown = toJson.call(value);
      if (json !== value) return maskValue(json, depth, ancestors);
    }
    const entries: [string, unknown][] = [];
    if (value instanceof Error) {
      entries.push(["name", value.name], ["message", value.message]);
      if (value.stack !== undefined) entries.push(["stack", value.stack]);
      if ("cause" in value) entries.push(["cause", value.cause]);
    }
    for (const key of Object.keys(value)) entries.push([key, Reflect.get(value, key)]);
    // fromEntries defines own properties, so a "__proto__" key stays data
    return Object.fromEntries(entries.map(([key, item]) => [key, maskValue(item, depth + 1, ancestors)]));
  } finally {
    ancestors.delete(value);
  }
}

// ---------------------------------------------------------------------------------------
// E-mail

const DOT = 0x2e;

function isAsciiAlnum(c: number): boolean {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

function isLocalChar(c: number): boolean {
  // . _ % + -
  return isAsciiAlnum(c) || c === DOT || c === 0x5f || c === 0x25 || c === 0x2b || c === 0x2d;
}

function isDomainChar(c: number): boolean {
  return isAsciiAlnum(c) || c === DOT || c === 0x2d;
}

/**
 * Scans outwards from each `@`. Neither side's character set contains `@`, so each
 * character is read at most once from the `@` before it and once from the one after it.
 */
function findEmails(text: string): PiiMatch[] {
  const matches: PiiMatch[] = [];
  let floor = 0; // the end of the previous address; the next one may not reach back past it
  for (let at = text.indexOf("@"); at !== -1; at = text.indexOf("@", at + 1)) {
    let start = at;
    while (start > floor && isLocalChar(text.charCodeAt(start - 1))) start--;
    while (start < at && text.charCodeAt(start) === DOT) start++;
    if (start === at) continue;
    let runEnd = at + 1;
    while (runEnd < text.length && isDomainChar(text.charCodeAt(runEnd))) runEnd++;
    const end = domainEnd(text, at + 1, runEnd);
    if (end === -1) continue;
    matches.push({ kind: "email", start, end });
    floor = end;
  }
  return matches;
}

/**
 * The end of the longest domain at the start of `text[from, to)`: two or more non-empty
 * labels ending in an alphabetic top-level domain. -1 if there is none.
 */
function domainEnd(text: string, from: number, to: number): number {
  let best = -1;
  let labels = 0;
  for (let i = from; i < to; ) {
    let j = i;
    while (j < to && text.charCodeAt(j) !== DOT) j++;
    if (j === i) break;
    labels++;
    if (labels >= 2 && isTopLevelDomain(text.slice(i, j))) best = j;
    i = j + 1;
  }
  return best;
}

function isTopLevelDomain(label: string): boolean {
  return /^(?:[A-Za-z]{2,63}|xn--[A-Za-z0-9-]{1,59})$/.test(label);
}

// ---------------------------------------------------------------------------------------
// Resident ID and bank card

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK_CHARS = "10X98765432";

/**
 * A Chinese resident ID: a region code (11 to 82, so a leading 1 to 8), a real birth date,
 * and for the 18-character form the ISO 7064 MOD 11-2 check character. The 15-digit form
 * (before 1999) has a two-digit year in the 1900s and no check digit.
 */
function isResidentId(candidate: string): boolean {
  const first = candidate.charCodeAt(0);
  if (first < 0x31 || first > 0x38) return false;
  if (candidate.length === 15) {
    return /^[0-9]{15}$/.test(candidate) && isDate(`19${candidate.slice(6, 12)}`);
  }
  if (!/^[0-9]{17}[0-9Xx]$/.test(candidate)) return false;
  const year = Number(candidate.slice(6, 10));
  if (year < 1900 || year > 2099 || !isDate(candidate.slice(6, 14))) return false;
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += (candidate.charCodeAt(i) - 0x30) * ID_WEIGHTS[i]!;
  return ID_CHECK_CHARS[sum % 11] === candidate[17]!.toUpperCase();
}

/** Whether `yyyymmdd` is a day that exists in the Gregorian calendar. */
function isDate(yyyymmdd: string): boolean {
  const year = Number(yyyymmdd.slice(0, 4));
  const month = Number(yyyymmdd.slice(4, 6));
  const day = Number(yyyymmdd.slice(6, 8));
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
  return day <= days;
}

/** Whether the digit string passes the Luhn check used by payment card numbers. */
function isLuhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 0x30;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/**
 * The longest prefix of a card candidate, ending at a group boundary, that is a card
 * number: "4111 1111 1111 1111 12" is a card followed by a stray "12".
 */
function acceptCard(candidate: string): number {
  const groups = candidate.split(/[ -]/);
  let digits = groups.join("");
  let length = candidate.length;
  for (let g = groups.length - 1; g >= 0; g--) {
    if (digits.length >= 13 && digits.length <= 19 && isCardNumber(digits)) return length;
    length -= groups[g]!.length + 1;
    digits = digits.slice(0, digits.length - groups[g]!.length);
  }
  return 0;
}

function isCardNumber(digits: string): boolean {
  // No issuer number starts with 0, and 13-digit numbers were only ever Visa (4...): this
  // keeps millisecond timestamps (1732512345678) and zero-padded counters out.
  if (digits[0] === "0" || (digits.length === 13 && digits[0] !== "4")) return false;
  return isLuhnValid(digits);
}

function countDigits(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) n++;
  }
  return n;
}
