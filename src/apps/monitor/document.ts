/**
 * What the monitor takes in and what it keeps: a document as a source sends it, checked
 * into one shape (with the place of a bad value named), its deduplication key, and its
 * language. Every source (the ingest route, file import, feeds, the stream consumer) turns
 * what it reads into MonitorDocumentInput with `parseDocumentInput` and hands it to a
 * DocumentSink.
 */
import { createHash } from "node:crypto";
import { TextkitError } from "../../core/index.ts";
import { parseTimestamp } from "../../data/index.ts";

/** Longest document text kept (UTF-16 code units); longer texts are refused, not cut. */
export const MAX_DOCUMENT_CHARS = 100_000;
/** Longest id, title, source or URL. */
const MAX_FIELD_CHARS = 2_000;

/** A document as a source sends it, after `parseDocumentInput`. */
export interface MonitorDocumentInput {
  /** The source's own id; when given, the deduplication key is source + id. */
  id?: string;
  text: string;
  title?: string;
  /** Where it came from: a feed, a site, "api" (default "api"). */
  source?: string;
  url?: string;
  /** ISO 639 code ("en", "zh", "fr", ...); detected from the text when absent. */
  lang?: string;
  /** Milliseconds since 1970; the time of ingestion when absent. */
  publishedAt?: number;
}

/** Where a document came from, for error messages: a field of a request, or a file and line. */
export interface DocumentLocation {
  /** JSON pointer of the document in a request, e.g. "/documents/3". */
  field?: string;
  file?: string;
  line?: number;
}

/** One entity found in a document, with UTF-16 offsets into its text. */
export interface MonitorEntity {
  text: string;
  label: string;
  start: number;
  end: number;
  score: number;
}

/** A document with what the pipeline found, as the store keeps it. */
export interface MonitorDocument {
  /** Deduplication key: "id:<source>:<id>" or "sha256:<hash of the normalised title and text>". */
  key: string;
  id: string | null;
  source: string;
  title: string | null;
  text: string;
  url: string | null;
  /**
   * ISO 639 code: the source's, else the language model's guess (see MonitorLanguageConfig),
   * else "en" or "zh" from textkit's own detector.
   */
  lang: string;
  /** The language model's probability for `lang`; null when the source named it or textkit's detector decided. */
  langScore: number | null;
  publishedAt: number;
  ingestedAt: number;
  topic: string | null;
  topicScore: number | null;
  sentiment: string | null;
  sentimentScore: number | null;
  entities: MonitorEntity[];
  /** Content words counted in the term trends (distinct, at most a few per document). */
  terms: string[];
}

/** What a sink answers for each document it was given, in order. */
export interface IngestResult {
  key: string;
  status: "stored" | "duplicate";
  topic: string | null;
  sentiment: string | null;
}

export interface IngestOutcome {
  stored: number;
  duplicates: number;
  results: IngestResult[];
}

/**
 * Where sources put documents. `submit` resolves once every document is stored (or found
 * to be a duplicate), so a source acknowledges its input only after that. When the
 * pipeline is behind it throws MONITOR_BUSY (with `details.retryAfterMs`): the source waits
 * and submits again, so input never outruns classification without bound.
 */
export interface DocumentSink {
  submit(documents: readonly MonitorDocumentInput[]): Promise<IngestOutcome>;
}

function describe(where: DocumentLocation, key?: string): string {
  const field =
    where.field === undefined ? undefined : key === undefined ? where.field : `${where.field}/${key}`;
  if (where.file !== undefined) {
    return `${where.file}${where.line === undefined ? "" : `:${where.line}`}: ${key ?? "document"}`;
  }
  return field ?? key ?? "document";
}

function invalid(where: DocumentLocation, key: string | undefined, message: string): TextkitError {
  const field =
    where.field === undefined ? undefined : key === undefined ? where.field : `${where.field}/${key}`;
  return new TextkitError("INPUT_INVALID", `${describe(where, key)} ${message}`, {
    ...(where.file === undefined ? {} : { file: where.file }),
    ...(where.line === undefined ? {} : { line: where.line }),
    ...(key === undefined ? {} : { column: key }),
    ...(field === undefined ? {} : { details: { field } }),
  });
}

function optionalText(
  record: Record<string, unknown>,
  key: string,
  where: DocumentLocation,
  max = MAX_FIELD_CHARS,
): string | undefined {
  const value = record[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value === "number" && key === "id" && Number.isFinite(value)) return String(value);
  if (typeof value !== "string") throw invalid(where, key, `must be a string, not ${typeof value}`);
  const text = value.trim();
  if (text.length > max) throw invalid(where, key, `has ${text.length} characters; at most ${max} are kept`);
  return text === "" ? undefined : text;
}

/** The fields a document's text may come in, first found first. */
const TEXT_KEYS = ["text", "body", "content"] as const;
/** The fields a document's time may come in, first found first. */
const TIME_KEYS = ["publishedAt", "published_at", "time", "timestamp"] as const;

/**
 * The first of `keys` that `record` has a value for (not undefined or null, nor "" when
 * `nonEmpty`). A loop over a constant list: the ingest route runs this for every document.
 */
function firstPresent(
  record: Record<string, unknown>,
  keys: readonly string[],
  nonEmpty: boolean,
): string | undefined {
  for (const k of keys) {
    const v = record[k];
    if (v !== undefined && v !== null && !(nonEmpty && v === "")) return k;
  }
  return undefined;
}

/**
 * The ISO 639 code of a language tag ("en", "zh-CN" and "zh_TW" are "en", "zh", "zh"),
 * lower-cased, or undefined when the part before "-" or "_" is not two or three letters.
 */
export function languageCode(tag: string): string | undefined {
  const t = tag.trim().toLowerCase();
  let end = t.length;
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (c === 45 || c === 95) {
      end = i;
      break;
    }
  }
  if (end < 2 || end > 3) return undefined;
  for (let i = 0; i < end; i++) {
    const c = t.charCodeAt(i);
    if (c < 97 || c > 122) return undefined;
  }
  return end === t.length ? t : t.slice(0, end);
}

/**
 * Checks one document of a source and brings it into shape: `text` (or `body`/`content`) is
 * required, `title`, `id`, `source`, `url` are optional strings, `lang` is an ISO 639 code ("en", "zh-CN" is "zh"),
 * `publishedAt` (or `published_at`, `time`, `timestamp`) is ISO 8601 or Unix seconds.
 * A bad value throws INPUT_INVALID (DATA_BAD_TIMESTAMP for a time) naming the field, or
 * the file and line.
 *
 * @example
 * parseDocumentInput({ text: "Shares of Acme fell 5%", publishedAt: "2026-11-30T09:00:00Z" }, { field: "/documents/0" });
 */
export function parseDocumentInput(value: unknown, where: DocumentLocation = {}): MonitorDocumentInput {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw invalid(where, undefined, "must be an object with at least a text");
  }
  const record = value as Record<string, unknown>;
  const textKey = firstPresent(record, TEXT_KEYS, false);
  const text = textKey === undefined ? undefined : optionalText(record, textKey, where, MAX_DOCUMENT_CHARS);
  const title = optionalText(record, "title", where);
  if (text === undefined && title === undefined) {
    throw invalid(
      where,
      textKey ?? "text",
      "is missing or empty; every document needs a text (or at least a title)",
    );
  }
  const out: MonitorDocumentInput = { text: text ?? title! };
  if (title !== undefined && text !== undefined) out.title = title;
  const id = optionalText(record, "id", where);
  if (id !== undefined) out.id = id;
  const source = optionalText(record, "source", where);
  if (source !== undefined) out.source = source;
  const url = optionalText(record, "url", where);
  if (url !== undefined) out.url = url;
  const lang = record["lang"] ?? record["language"];
  if (lang !== undefined && lang !== null && lang !== "") {
    const code = typeof lang === "string" ? languageCode(lang) : undefined;
    if (code === undefined) {
      throw invalid(
        where,
        "lang",
        `is ${JSON.stringify(lang)}; give an ISO 639 code such as "en", "zh" or "fr" (or leave it out)`,
      );
    }
    out.lang = code;
  }
  const timeKey = firstPresent(record, TIME_KEYS, true);
  if (timeKey !== undefined) {
    try {
      const value = record[timeKey];
      out.publishedAt = utcMillis(value) ?? Math.round(parseTimestamp(value, {}, timeKey) * 1000);
    } catch (error) {
      if (error instanceof TextkitError) {
        const field = where.field === undefined ? undefined : `${where.field}/${timeKey}`;
        throw new TextkitError(
          "DATA_BAD_TIMESTAMP",
          `${describe(where, timeKey)} ${JSON.stringify(record[timeKey])} is not a time (ISO 8601 or Unix seconds)`,
          {
            ...(where.file === undefined ? {} : { file: where.file }),
            ...(where.line === undefined ? {} : { line: where.line }),
            column: timeKey,
            ...(field === undefined ? {} : { details: { field } }),
            cause: error,
          },
        );
      }
      throw error;
    }
  }
  return out;
}

/**
 * `parseDocumentInput` for each of `items`, the i-th at `field(i)`. The location is made only
 * for a document that fails: the others are checked against no location, then the failing
 * one again at its own, so the error names it as parseDocumentInput would.
 */
export function parseDocumentInputs(
  items: readonly unknown[],
  field: (index: number) => string,
): MonitorDocumentInput[] {
  const out: MonitorDocumentInput[] = new Array(items.length);
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    try {
      out[i] = parseDocumentInput(item, NOWHERE);
    } catch (error) {
      parseDocumentInput(item, { field: field(i) });
      throw error;
    }
  }
  return out;
}

/** No location: for documents whose location is made only if they fail. */
const NOWHERE: DocumentLocation = Object.freeze({});

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** The number of `digits` decimal digits at `at` in `s`, or -1 if a character there is not a digit. */
function digitsAt(s: string, at: number, digits: number): number {
  let n = 0;
  for (let i = at; i < at + digits; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n;
}

/**
 * The common form of a time, "YYYY-MM-DDTHH:MM:SSZ" or with milliseconds
 * ("…SS.sssZ", as `Date.prototype.toISOString` writes it), read without a pattern or
 * Date.parse: the milliseconds `parseTimestamp` would give, exactly, or undefined for any
 * other value, which then takes parseTimestamp's path (other forms, time zones, and every
 * date or time out of range, with its errors).
 */
export function utcMillis(value: unknown): number | undefined {
  if (typeof value !== "string" || (value.length !== 20 && value.length !== 24)) return undefined;
  const s = value;
  if (s[4] !== "-" || s[7] !== "-" || s[10] !== "T" || s[13] !== ":" || s[16] !== ":") return undefined;
  if (s[s.length - 1] !== "Z" || (s.length === 24 && s[19] !== ".")) return undefined;
  const year = digitsAt(s, 0, 4);
  const month = digitsAt(s, 5, 2);
  const day = digitsAt(s, 8, 2);
  const hour = digitsAt(s, 11, 2);
  const minute = digitsAt(s, 14, 2);
  const second = digitsAt(s, 17, 2);
  const fraction = s.length === 24 ? digitsAt(s, 20, 3) : 0;
  if (
    year < 1000 ||
    year > 4999 ||
    month < 1 ||
    month > 12 ||
    hour < 0 ||
    hour > 23 ||
    minute < 0 ||
    minute > 59
  )
    return undefined;
  if (second < 0 || second > 59 || fraction < 0) return undefined;
  const leap = month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day < 1 || day > (DAYS_IN_MONTH[month - 1] ?? 0) + (leap ? 1 : 0)) return undefined;
  // parseTimestamp's Math.round((seconds + 0.fff) * 1000) is exactly this sum: for whole
  // seconds under 2^37 its rounding errors stay under 0.02 of the whole milliseconds.
  return Date.UTC(year, month - 1, day, hour, minute, second) + fraction;
}

/**
 * The deduplication key of a document: its source and id when it has an id, else a hash
 * of its title and text after whitespace and case are folded, so that the same story sent
 * twice (or by two sources without ids) is kept once.
 */
export function documentKey(input: MonitorDocumentInput): string {
  if (input.id !== undefined) return `id:${input.source ?? "api"}:${input.id}`;
  const folded = `${input.title ?? ""}\n${input.text}`
    .normalize("NFKC")
    .toLowerCase()
    .replace(/\s+/g, " ")
    .trim();
  return `sha256:${createHash("sha256").update(folded).digest("hex").slice(0, 32)}`;
}
