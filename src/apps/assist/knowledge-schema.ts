/**
 * The assistant's knowledge files (intents.yaml, faq.yaml, assistant.yaml) as TypeBox
 * schemas: each key, what it must be, and which keys a mapping may have. `checkKnowledge`
 * returns a file's value typed by its schema, or KNOWLEDGE_INVALID naming the file, the line
 * and the key path of the first mistake. What one key cannot say alone (an id used twice, a
 * slot an answer names but no one declares) is checked by knowledge-rules.ts.
 */
import { type Static, type TSchema, Type } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";
import { firstMismatch, type TextkitError } from "../../core/index.ts";
import { TEXT_LANGUAGES } from "../../text/index.ts";
import type { SourceFile } from "./knowledge-source.ts";

export const MAX_ACTION_TIMEOUT_MS = 60_000;
export const MAX_ACTION_RETRIES = 5;

const MAPPING = "a mapping of keys to values";
/** YAML reads `answer: 42` or `answer: yes` as a number or a boolean; they are texts here. */
const Text = Type.Union([Type.String(), Type.Number(), Type.Boolean()], { description: "a text" });
const Texts = Type.Array(Text, { description: "a list of texts" });
const Flag = Type.Boolean({ description: "true or false" });
const Lang = Type.Union(
  TEXT_LANGUAGES.map((l) => Type.Literal(l)),
  { description: `one of ${TEXT_LANGUAGES.join(", ")}` },
);

/** A key that may be left out or null; refused in `of`'s words. Required texts are checked by the reader. */
function maybe<T extends TSchema>(of: T) {
  return Type.Optional(Type.Union([of, Type.Null()], { description: of.description }));
}

function mapping<T extends Parameters<typeof Type.Object>[0]>(properties: T) {
  return Type.Object(properties, { additionalProperties: false, description: MAPPING });
}

function wholeNumber(minimum: number, maximum: number) {
  return Type.Integer({ minimum, maximum, description: `a whole number from ${minimum} to ${maximum}` });
}

const SlotSchema = mapping({
  entity: maybe(Text),
  pattern: maybe(Text),
  prompt: maybe(Text),
  optional: maybe(Flag),
  default: maybe(Text),
});

const ActionSchema = mapping({
  url: maybe(Text),
  secret: maybe(Type.String({ description: "a text (the shared secret the requests are signed with)" })),
  timeoutMs: maybe(wholeNumber(1, MAX_ACTION_TIMEOUT_MS)),
  retries: maybe(wholeNumber(0, MAX_ACTION_RETRIES)),
  fields: maybe(Texts),
  failure: maybe(Text),
});

const IntentSchema = mapping({
  id: maybe(Text),
  lang: maybe(Lang),
  description: maybe(Text),
  examples: maybe(Texts),
  answer: maybe(Text),
  slots: maybe(Type.Record(Type.String(), SlotSchema, { description: MAPPING })),
  handover: maybe(Flag),
  confirm: maybe(
    Type.Union([Type.Boolean(), Type.String({ pattern: "\\S" })], {
      description: "true, false, or the question that asks to confirm (with {slot} references)",
    }),
  ),
  action: maybe(ActionSchema),
});
/** One intent of intents.yaml as written. */
export type IntentEntry = Static<typeof IntentSchema>;
/** An intent's slots as written. */
export type SlotEntries = NonNullable<IntentEntry["slots"]>;
/** An intent's action as written. */
export type ActionEntry = Static<typeof ActionSchema>;

/** intents.yaml. */
export const IntentsFileSchema = mapping({
  intents: maybe(Type.Array(IntentSchema, { description: "a list of intents" })),
  out_of_scope: maybe(Texts),
});

/** faq.yaml. */
export const FaqFileSchema = mapping({
  faqs: maybe(
    Type.Array(
      mapping({
        id: maybe(Text),
        lang: maybe(Lang),
        question: maybe(Text),
        alternatives: maybe(Texts),
        answer: maybe(Text),
      }),
      { description: "a list of questions and answers" },
    ),
  ),
});

const PerLanguage = Type.Union([Text, mapping({ en: maybe(Text), zh: maybe(Text) })], {
  description: "a text, or a mapping of en and zh to texts",
});

/** assistant.yaml. */
export const SettingsFileSchema = mapping({
  name: maybe(Text),
  description: maybe(Text),
  languages: maybe(Type.Array(Lang, { description: "a list of texts" })),
  handover: maybe(PerLanguage),
  fallback: maybe(PerLanguage),
  language: maybe(
    Type.Union(
      [
        Type.String(),
        mapping({
          model: maybe(Text),
          minScore: maybe(Type.Number({ minimum: 0, maximum: 1, description: "a probability from 0 to 1" })),
        }),
      ],
      { description: 'a model path, "auto", or a mapping with model and minScore' },
    ),
  ),
});

/** A text as the knowledge files mean it: trimmed, and null when empty or absent. */
export function textOf(value: string | number | boolean | null | undefined): string | null {
  if (value === undefined || value === null) return null;
  const t = String(value).trim();
  return t === "" ? null : t;
}

/** A text that must be there: "is required" when absent, "must not be empty" when blank. */
export function requiredText(
  file: SourceFile,
  value: string | number | boolean | null | undefined,
  path: readonly (string | number)[],
): string {
  if (value === undefined || value === null) throw file.error(path, "is required");
  const t = textOf(value);
  if (t === null) throw file.error(path, "must not be empty");
  return t;
}

function mismatchError(file: SourceFile, schema: TSchema, value: unknown): TextkitError {
  const miss = firstMismatch(schema, value);
  if (miss === null) return file.error([], "does not fit the knowledge file's schema");
  if (miss.reason === "unknown-key")
    return file.error(miss.path, `is not a setting here; the settings are ${miss.known.join(", ")}`);
  if (miss.reason === "missing") return file.error(miss.path, "is required");
  const description: unknown = miss.schema.description;
  return file.error(
    miss.path,
    `must be ${typeof description === "string" ? description : miss.message.replace(/^Expected /, "")}`,
  );
}

/**
 * The file's value typed by `schema` (an empty file reads as an empty mapping), or
 * KNOWLEDGE_INVALID at the line and key of the first mistake.
 *
 * @example
 * const intents = checkKnowledge(file, IntentsFileSchema).intents ?? [];
 */
export function checkKnowledge<T extends TSchema>(file: SourceFile, schema: T): Static<T> {
  const value = file.root ?? {};
  if (Value.Check(schema, value)) return value;
  throw mismatchError(file, schema, value);
}
