/**
 * The fields of a behaviour event as callers and files give them: the event types' weights,
 * timestamps, values and ids, each checked with the file and line (or the event's place in
 * a list) of a bad one.
 */
import { TextkitError } from "../core/index.ts";
import { showJson } from "./json-line.ts";

/** The weight an event type adds to a user's interest in an item: a number, or "value" (the event's own value, as for ratings). */
export type EventWeight = number | "value";
export type EventWeights = Readonly<Record<string, EventWeight>>;

/** Stronger signals weigh more; a rating counts its value. */
export const DEFAULT_EVENT_WEIGHTS: EventWeights = Object.freeze({
  view: 1,
  click: 2,
  comment: 3,
  like: 3,
  share: 4,
  purchase: 5,
  rating: "value",
});

/**
 * Parses `view=1,click=2,rating=value` into weights. Types not named keep their default
 * weight when `base` is given.
 *
 * @example
 * parseEventWeights("view=0.5,rating=value"); // { ...DEFAULT_EVENT_WEIGHTS, view: 0.5 }
 */
export function parseEventWeights(text: string, base: EventWeights = DEFAULT_EVENT_WEIGHTS): EventWeights {
  const out: Record<string, EventWeight> = { ...base };
  for (const part of text.split(",")) {
    const piece = part.trim();
    if (piece.length === 0) continue;
    const eq = piece.indexOf("=");
    const type = eq > 0 ? piece.slice(0, eq).trim() : "";
    const raw = eq > 0 ? piece.slice(eq + 1).trim() : "";
    const weight = raw === "value" ? "value" : NUMBER.test(raw) ? Number(raw) : Number.NaN;
    if (type.length === 0 || (weight !== "value" && !Number.isFinite(weight))) {
      throw new TextkitError(
        "OPTION_INVALID",
        `event weights are type=number or type=value pairs separated by commas (view=1,rating=value), got '${piece}'`,
      );
    }
    out[type] = weight;
  }
  return Object.freeze(out);
}

/** An event as a caller gives it (a line of a file, or a body sent to the server). */
export interface BehaviourEvent {
  user: string;
  item: string;
  /** One of the weighted types (view, click, like, share, purchase, rating...). */
  type: string;
  /** The rating, or any number the type's weight takes ("value"). */
  value?: number | null;
  /** ISO 8601 or Unix seconds; absent: see the reader or `addEvents`. */
  timestamp?: string | number | null;
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const UNIX_SECONDS = /^[+-]?\d+(\.\d+)?$/;
const ISO_8601 =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;
/** Unix seconds beyond this are year 5138: nearly always milliseconds. */
const MAX_SECONDS = 1e11;

/** Where a field comes from, for errors: a file and line, or an event's index in a list. */
export interface Where {
  file?: string;
  line?: number;
  /** Which event of a list (0-based), when there is no file. */
  index?: number;
}

export function located(where: Where): { file?: string; line?: number; details?: Record<string, unknown> } {
  return {
    ...(where.file === undefined ? {} : { file: where.file }),
    ...(where.line === undefined ? {} : { line: where.line }),
    ...(where.index === undefined ? {} : { details: { index: where.index } }),
  };
}

export function prefix(where: Where): string {
  if (where.line !== undefined) return `line ${where.line}: `;
  if (where.index !== undefined) return `event ${where.index + 1}: `;
  return "";
}

/**
 * A time as Unix seconds: ISO 8601 (a date, or a date and time; without a zone it is UTC),
 * or Unix seconds as a number or a string of digits.
 *
 * @example
 * parseTimestamp("2026-03-01T12:00:00Z"); // 1772366400
 * parseTimestamp("1772366400"); // 1772366400
 */
export function parseTimestamp(value: unknown, where: Where = {}, column = "timestamp"): number {
  let seconds = Number.NaN;
  let reason = "";
  if (typeof value === "number") {
    seconds = value;
  } else if (typeof value === "string") {
    const text = value.trim();
    if (UNIX_SECONDS.test(text)) seconds = Number(text);
    else {
      const m = ISO_8601.exec(text);
      if (m !== null) {
        const month = Number(m[2]);
        const day = Number(m[3]);
        const iso = `${m[1]}-${m[2]}-${m[3]}T${m[4] ?? "00"}:${m[5] ?? "00"}:${m[6] ?? "00"}${(m[8] ?? "Z").toUpperCase()}`;
        const ms = month >= 1 && month <= 12 && day >= 1 && day <= 31 ? Date.parse(iso) : Number.NaN;
        // Date.parse rolls 2026-02-30 over to March; a real date keeps its day of the month.
        if (Number.isFinite(ms) && new Date(ms + offsetMs(m[8])).getUTCDate() === day) {
          seconds = ms / 1000 + (m[7] === undefined ? 0 : Number(m[7]));
        } else reason = "; that date does not exist";
      }
    }
  }
  if (Number.isFinite(seconds) && Math.abs(seconds) > MAX_SECONDS) {
    reason = "; that many seconds is after the year 5000 — is it in milliseconds? divide by 1000";
    seconds = Number.NaN;
  }
  if (!Number.isFinite(seconds)) {
    const shown = value === null || value === undefined || value === "" ? "nothing" : showJson(value);
    throw new TextkitError(
      "DATA_BAD_TIMESTAMP",
      `${prefix(where)}${column} ${shown} is not a time (ISO 8601 or Unix seconds)${reason}`,
      { ...located(where), column },
    );
  }
  return seconds;
}

function offsetMs(zone: string | undefined): number {
  if (zone === undefined || zone.toUpperCase() === "Z") return 0;
  const sign = zone.startsWith("-") ? -1 : 1;
  const digits = zone.slice(1).replace(":", "");
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
}

/** A number from a cell: NaN when the cell is empty, DATA_BAD_VALUE when it is not a number. */
export function parseValue(value: unknown, where: Where, column: string): number {
  if (value === null || value === undefined) return Number.NaN;
  if (typeof value === "number" && Number.isFinite(value)) return value;
  if (typeof value === "string") {
    const text = value.trim();
    if (text.length === 0) return Number.NaN;
    if (NUMBER.test(text)) return Number(text);
  }
  throw new TextkitError("DATA_BAD_VALUE", `${prefix(where)}${column} ${showJson(value)} is not a number`, {
    ...located(where),
    column,
  });
}

export function idOf(value: unknown, where: Where, column: string): string {
  const text = typeof value === "number" ? String(value) : typeof value === "string" ? value.trim() : "";
  if (text.length === 0) {
    throw new TextkitError(
      "DATA_BAD_ROW",
      `${prefix(where)}${column} is ${value === undefined || value === null || value === "" ? "empty" : `${showJson(value)}, not an id`}`,
      { ...located(where), column },
    );
  }
  return text;
}

export function textOf(value: unknown): string {
  if (typeof value === "string") return value.trim();
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return "";
}

/** The column (CSV/TSV) or field (JSONL) names of an events file. */
export interface EventColumnNames {
  user: string;
  item: string;
  type: string;
  value: string;
  time: string;
}

/** The names an events file's columns have when nothing else is said. */
export const DEFAULT_EVENT_FIELDS: EventColumnNames = {
  user: "user",
  item: "item",
  type: "type",
  value: "value",
  time: "timestamp",
};
