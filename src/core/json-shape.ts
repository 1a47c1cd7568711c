/**
 * Checking parsed JSON or YAML against a TypeBox schema, with the first mismatch as a coded
 * error a person can act on: the file, the key (as a JSON pointer, e.g. `/rules/2/topic`),
 * and what the key must be. A schema says what a key must be in its `description` ("a
 * non-empty string"); a union of literals lists its values. The checked value comes back
 * typed, so no caller casts a configuration to its type.
 */
import type { Static, TSchema } from "@sinclair/typebox";
import { type ValueError, ValueErrorType } from "@sinclair/typebox/errors";
import { Value } from "@sinclair/typebox/value";
import { type ErrorCode, TextkitError } from "./errors.ts";

/** Where a checked value comes from, for the error. */
export interface ShapeSource {
  file: string;
  /** The error's code (default OPTION_INVALID). */
  code?: ErrorCode;
  /** 1-based line of the file where the value starts, when the reader knows it. */
  line?: number;
}

function literalsOf(schema: TSchema): unknown[] | null {
  const anyOf: unknown = schema["anyOf"];
  if (!Array.isArray(anyOf)) return null;
  const values: unknown[] = [];
  for (const member of anyOf) {
    if (typeof member !== "object" || member === null || !("const" in member)) return null;
    values.push(member.const);
  }
  return values;
}

function orList(values: readonly unknown[]): string {
  const shown = values.map((v) => JSON.stringify(v));
  return shown.length <= 1 ? (shown[0] ?? "") : `${shown.slice(0, -1).join(", ")} or ${shown.at(-1)}`;
}

/** "/options/epochs" reads `"options.epochs"`; the root reads "the file". */
function keyName(path: string): string {
  if (path === "") return "the file";
  return `"${path
    .slice(1)
    .split("/")
    .map((part) => part.replaceAll("~1", "/").replaceAll("~0", "~"))
    .join(".")}"`;
}

function got(value: unknown): string {
  return value === undefined ? "nothing" : (JSON.stringify(value) ?? String(value));
}

/** The first place where a value does not fit a schema (see firstMismatch). */
export interface ShapeMismatch {
  /** The key path, one entry per level: object keys as strings, list positions as numbers. */
  path: (string | number)[];
  /** The value found there (undefined when a required key is missing). */
  value: unknown;
  /** The schema the value had to fit. */
  schema: TSchema;
  /** Why: a required key is missing, a key is not in the schema, or the value does not fit. */
  reason: "missing" | "unknown-key" | "mismatch";
  /** For "unknown-key": the keys the object may have. */
  known: string[];
  /** TypeBox's own wording, e.g. "Expected string". */
  message: string;
}

function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

/** The one object or array member of a union that a value of its kind must have meant, if any. */
function meantMember(union: TSchema, value: unknown): TSchema | null {
  const kind = kindOf(value);
  if (kind !== "object" && kind !== "array") return null;
  const fits = members(union).filter((m) => m["type"] === kind);
  return fits.length === 1 ? (fits[0] ?? null) : null;
}

/** A union's members, the members of unions inside it included. */
function members(schema: TSchema): TSchema[] {
  const anyOf: unknown = schema["anyOf"];
  if (!Array.isArray(anyOf)) return [schema];
  return anyOf.flatMap((m: TSchema) => members(m));
}

function segments(pointer: string, root: unknown): (string | number)[] {
  if (pointer === "") return [];
  const out: (string | number)[] = [];
  let at: unknown = root;
  for (const raw of pointer.slice(1).split("/")) {
    const key = raw.replaceAll("~1", "/").replaceAll("~0", "~");
    const index = Array.isArray(at) && /^\d+$/.test(key) ? Number(key) : null;
    out.push(index ?? key);
    at = typeof at === "object" && at !== null ? Object.entries(at).find(([k]) => k === key)?.[1] : undefined;
  }
  return out;
}

function mismatchOf(error: ValueError, root: unknown, prefix: (string | number)[]): ShapeMismatch {
  const path = [...prefix, ...segments(error.path, root)];
  if (error.type === ValueErrorType.Union) {
    const member = meantMember(error.schema, error.value);
    const inner = member === null ? undefined : Value.Errors(member, error.value).First();
    if (member !== null && inner !== undefined) return mismatchOf(inner, error.value, path);
  }
  const properties: unknown = error.schema["properties"];
  const known = typeof properties === "object" && properties !== null ? Object.keys(properties) : [];
  const reason =
    error.type === ValueErrorType.ObjectAdditionalProperties
      ? "unknown-key"
      : error.type === ValueErrorType.ObjectRequiredProperty
        ? "missing"
        : "mismatch";
  return { path, value: error.value, schema: error.schema, reason, known, message: error.message };
}

/**
 * Where `value` first fails `schema`, or null when it fits. A union that fails on an object
 * or a list is looked into when only one of its members is an object (or a list), so that
 * the place named is the key inside that is wrong, not the whole union.
 *
 * @example
 * firstMismatch(Type.Object({ n: Type.Integer() }), { n: 1.5 }); // { path: ["n"], reason: "mismatch", ... }
 */
export function firstMismatch(schema: TSchema, value: unknown): ShapeMismatch | null {
  const error = Value.Errors(schema, value).First();
  return error === undefined ? null : mismatchOf(error, value, []);
}

/**
 * `value` typed by `schema`, or TextkitError (OPTION_INVALID unless `source.code` says
 * otherwise) naming the file and the first key that does not fit.
 *
 * @example
 * const Spec = Type.Object({ name: Type.String({ minLength: 1, description: "a non-empty string" }) });
 * const spec = checkShape(Spec, JSON.parse(text), { file: "sample.json" }); // { name: string }
 */
export function checkShape<T extends TSchema>(schema: T, value: unknown, source: ShapeSource): Static<T> {
  if (Value.Check(schema, value)) return value;
  const error = Value.Errors(schema, value).First();
  const where = error === undefined ? "the file" : keyName(error.path);
  const literals = error === undefined ? null : literalsOf(error.schema);
  const description: unknown = error?.schema["description"];
  const must =
    literals !== null
      ? `must be ${orList(literals)}`
      : typeof description === "string"
        ? `must be ${description}`
        : (error?.message.replace(/^Expected/, "must be") ?? "does not fit");
  throw new TextkitError(source.code ?? "OPTION_INVALID", `${where} ${must}, got ${got(error?.value)}`, {
    file: source.file,
    ...(source.line === undefined ? {} : { line: source.line }),
    details: { field: error?.path ?? "" },
  });
}
