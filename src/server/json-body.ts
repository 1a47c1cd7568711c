/**
 * The server's JSON body parser. Fastify's own decodes bytes leniently (a byte that is not
 * UTF-8 becomes U+FFFD and would be stored so), lets `\ud800` escapes through as unpaired
 * surrogates (not text: no UTF-8 can store them), and refuses a `__proto__` key as "not
 * valid JSON". This one refuses all three with a coded 400 that names the field.
 *
 * `__proto__` and `constructor.prototype` keys are refused rather than dropped or kept:
 * JSON.parse makes them plain own properties, but code that later copies a body with
 * assignment (a merge, a masking pass, Object.assign) would set an object's prototype from
 * them, and dropping them silently would store something other than what was sent.
 */
import { isUtf8 } from "node:buffer";
import type { FastifyInstance } from "fastify";
import { TextkitError } from "../core/index.ts";

const UTF8 = new TextDecoder("utf-8", { fatal: true });
const LENIENT = new TextDecoder("utf-8");
/** With the u flag a regular expression sees a pair as one code point: this finds only unpaired ones. */
const UNPAIRED_SURROGATE = /\p{Cs}/u;
const REPLACEMENT = "\uFFFD";
/** U+FFFD as UTF-8: when the body has none, every U+FFFD after lenient decoding marks a bad byte. */
const REPLACEMENT_BYTES = Buffer.from(REPLACEMENT, "utf8");
/** A JSON escape of a UTF-16 unit (`\u` followed by four hex digits). */
const ESCAPE = Buffer.from("\\u", "latin1");
/** In `__proto__` and `prototype`, the keys refused. */
const PROTO = Buffer.from("proto", "latin1");

/** A JSON pointer segment (RFC 6901). */
function segment(key: string): string {
  return key.replaceAll("~", "~0").replaceAll("/", "~1");
}

/** The pointer of the first string or key that `bad` finds, or null. */
function findField(value: unknown, pointer: string, bad: (text: string) => boolean): string | null {
  if (typeof value === "string") return bad(value) ? pointer || "/" : null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findField(value[i], `${pointer}/${i}`, bad);
      if (found !== null) return found;
    }
    return null;
  }
  if (value === null || typeof value !== "object") return null;
  for (const [key, child] of Object.entries(value)) {
    const at = `${pointer}/${segment(key)}`;
    if (bad(key)) return at;
    const found = findField(child, at, bad);
    if (found !== null) return found;
  }
  return null;
}

/** The pointer of the first key that could change a prototype, or null. */
function findForbiddenKey(value: unknown, pointer: string): string | null {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findForbiddenKey(value[i], `${pointer}/${i}`);
      if (found !== null) return found;
    }
    return null;
  }
  if (value === null || typeof value !== "object") return null;
  for (const [key, child] of Object.entries(value)) {
    const at = `${pointer}/${segment(key)}`;
    if (key === "__proto__") return at;
    if (
      key === "constructor" &&
      child !== null &&
      typeof child === "object" &&
      Object.hasOwn(child, "prototype")
    ) {
      return `${at}/prototype`;
    }
    const found = findForbiddenKey(child, at);
    if (found !== null) return found;
  }
  return null;
}

function invalidJson(detail: string): TextkitError {
  return new TextkitError("BODY_INVALID_JSON", `the request body is not valid JSON: ${detail}`);
}

/** Where in a body that is not UTF-8 the first bad byte lands, when that can be told. */
function fieldOfBadBytes(body: Buffer): string | null {
  if (body.includes(REPLACEMENT_BYTES)) return null;
  try {
    return findField(JSON.parse(LENIENT.decode(body)), "", (s) => s.includes(REPLACEMENT));
  } catch {
    return null;
  }
}

/**
 * Parses a request body as JSON, refusing what is not UTF-8, unpaired surrogates and
 * prototype keys with a TextkitError whose `details.field` points at the place.
 *
 * @example
 * parseJsonBody(Buffer.from('{"text": "hi"}')); // { text: "hi" }
 * parseJsonBody(Buffer.from('{"text": "\\ud800"}')); // throws BODY_INVALID_UTF8, field /text
 */
export function parseJsonBody(body: Buffer): unknown {
  if (body.length === 0) {
    throw new TextkitError("BODY_INVALID_JSON", "the request body is empty but declared as JSON");
  }
  if (!isUtf8(body)) {
    const field = fieldOfBadBytes(body);
    throw new TextkitError(
      "BODY_INVALID_UTF8",
      `the request body is not valid UTF-8${field === null ? "" : ` (in ${field})`}; it may be in another encoding such as GBK or Latin-1`,
      field === null ? {} : { details: { field } },
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(UTF8.decode(body));
  } catch (cause) {
    throw invalidJson(cause instanceof Error ? cause.message : String(cause));
  }
  // The bytes are UTF-8, which cannot encode a lone surrogate: only a \u escape can make one,
  // and only an escape or the letters themselves can spell a prototype key. Most bodies have
  // neither, and skip both walks (issue 17, item 3).
  const escaped = body.includes(ESCAPE);
  if (!escaped && !body.includes(PROTO)) return value;
  const surrogate = escaped ? findField(value, "", (s) => UNPAIRED_SURROGATE.test(s)) : null;
  if (surrogate !== null) {
    throw new TextkitError(
      "BODY_INVALID_UTF8",
      `${surrogate} has an unpaired UTF-16 surrogate (an escape such as \\ud800 without its pair), which is not text`,
      { details: { field: surrogate } },
    );
  }
  const forbidden = findForbiddenKey(value, "");
  if (forbidden !== null) {
    throw new TextkitError("BODY_FORBIDDEN_KEY", `${forbidden} is a key this server refuses`, {
      details: { field: forbidden },
    });
  }
  return value;
}

/** Replaces fastify's JSON parser with {@link parseJsonBody}; the body limit stays the server's. */
export function installJsonBodyParser(app: FastifyInstance): void {
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "buffer" }, (_request, body, done) => {
    try {
      done(null, parseJsonBody(typeof body === "string" ? Buffer.from(body, "utf8") : body));
    } catch (error) {
      done(error instanceof Error ? error : new Error(String(error)), undefined);
    }
  });
}
