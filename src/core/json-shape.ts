/**
 * Checking parsed JSON or YAML against a TypeBox schema, with the first mismatch as a coded
 * error a person can act on: the file, the key (as a JSON pointer, e.g. `/rules/2/topic`),
 * and what the key must be. A schema says what a key must be in its `description` ("a
 * non-empty string"); a union of literals lists its values. The checked value comes back
 * typed, so no caller casts a configuration to its type.
 */
import type { Static, TSchema } from "@sinclair/typebox";
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
