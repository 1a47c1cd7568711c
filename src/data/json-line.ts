/**
 * One line of a JSONL file as an object, the same way for every reader in this folder
 * (labelled examples, tagged sentences, tables, posts): the same codes and the same
 * wording name the line that is not valid JSON or not an object.
 */
import { nestedDeeperThan, TextkitError } from "../core/index.ts";

/** Whether `value` is a JSON object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** What a JSON value is, for a message: "null", "an array", "a string". */
export function describeJson(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return `a ${typeof value}`;
}

/**
 * `value` as JSON for a message, cut to about `limit` characters. A value read from a file
 * may be huge or nested deeper than JSON.stringify's recursion goes (which throws a
 * RangeError, issue 15); each level written costs at least one character, so the walk
 * never goes deeper than `limit`.
 *
 * @example
 * showJson([[[1, 2]]]); // "[[[1,2]]]"
 * showJson("x".repeat(100), 10); // '"xxxxxxxxx...'
 */
export function showJson(value: unknown, limit = 60): string {
  let out = "";
  // Each returns false once the budget is spent, which ends the walk.
  const put = (text: string): boolean => {
    out += text;
    return out.length <= limit;
  };
  const walk = (v: unknown): boolean => {
    if (Array.isArray(v)) {
      if (!put("[")) return false;
      for (let i = 0; i < v.length; i++) if ((i > 0 && !put(",")) || !walk(v[i])) return false;
      return put("]");
    }
    if (isRecord(v)) {
      if (!put("{")) return false;
      let first = true;
      for (const key of Object.keys(v)) {
        if ((!first && !put(",")) || !put(`${JSON.stringify(key.slice(0, limit))}:`) || !walk(v[key]))
          return false;
        first = false;
      }
      return put("}");
    }
    if (typeof v === "string") return put(JSON.stringify(v.length > limit ? v.slice(0, limit) : v));
    return put(v === undefined ? "undefined" : String(JSON.stringify(v) ?? v));
  };
  return walk(value) ? out : `${out.slice(0, limit)}...`;
}

/**
 * Deepest nesting of arrays and objects a JSONL record may have. Records of textkit's
 * formats nest two or three levels; JSON.parse takes any depth, but code that walks a value
 * recursively (JSON.stringify when a model or an index is saved, String() of an array)
 * overflows the stack on one nested thousands deep (issue 15).
 */
export const MAX_JSON_DEPTH = 64;

/**
 * Parses line `line` of `file` as a JSON object; null for a blank line. Throws
 * DATA_BAD_JSON naming the line when it is not valid JSON, when it nests more than
 * MAX_JSON_DEPTH deep, or when it is valid JSON but not an object (`example`, when given, shows what an object of this file looks like).
 *
 * @example
 * parseJsonObjectLine('{"text": "hi"}', "a.jsonl", 3, '{"text": "..."}'); // { text: "hi" }
 */
export function parseJsonObjectLine(
  raw: string,
  file: string,
  line: number,
  example?: string,
): Record<string, unknown> | null {
  // Blank lines are found before parsing: a failed JSON.parse throws, and a file of many
  // blank lines spent most of its time building those errors (issue 15). A record starts
  // with a printable ASCII character, so it never pays for the trim.
  if (raw.length === 0) return null;
  const first = raw.charCodeAt(0);
  if ((first <= 32 || first > 126) && raw.trim().length === 0) return null;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new TextkitError("DATA_BAD_JSON", `line ${line} is not valid JSON (${reason})`, {
      file,
      line,
      cause: error,
    });
  }
  if (nestedDeeperThan(value, MAX_JSON_DEPTH)) {
    throw new TextkitError(
      "DATA_BAD_JSON",
      `line ${line} nests arrays and objects more than ${MAX_JSON_DEPTH} deep; a record of this file holds text, labels and short lists`,
      { file, line },
    );
  }
  if (!isRecord(value)) {
    const such = example === undefined ? "" : ` such as ${example}`;
    throw new TextkitError(
      "DATA_BAD_JSON",
      `line ${line} is ${describeJson(value)}, not a JSON object${such}`,
      {
        file,
        line,
      },
    );
  }
  return value;
}
