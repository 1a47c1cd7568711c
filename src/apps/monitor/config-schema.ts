/**
 * The monitor configuration file as TypeBox schemas: every key, what it must be, and which
 * keys an object may have. `checkConfigFile` returns the file typed by them, or the first
 * mistake as MONITOR_CONFIG_INVALID named by its key path (`rules[2].window`). What one key
 * cannot say alone (a rule's id used twice, a baseline shorter than its minimum) is checked
 * where the configuration is resolved (config.ts, config-rules.ts).
 */
import { type Static, type TSchema, Type } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";
import { firstMismatch, TextkitError } from "../../core/index.ts";
import { RULE_KINDS, SENTIMENTS } from "./config-types.ts";

/** A schema option (kept by TypeBox, read here): what a refused value "is not", after the value itself. */
const REFUSAL = "x-refusal";
const NON_EMPTY = Type.String({ pattern: "\\S", description: "a non-empty string" });
const HTTP_URL = Type.String({
  pattern: "^\\s*[hH][tT][tT][pP][sS]?://",
  description: "an http:// or https:// URL",
});

/** An optional key that may also be null (meaning: the default); refused with `of`'s own words. */
function optional<T extends TSchema>(of: T) {
  return Type.Optional(
    Type.Union([of, Type.Null()], { description: of.description, [REFUSAL]: of[REFUSAL] }),
  );
}

function integer(minimum: number, maximum?: number) {
  const description =
    maximum === undefined
      ? `a whole number of at least ${minimum}`
      : `a whole number from ${minimum} to ${maximum}`;
  return Type.Integer({ minimum, ...(maximum === undefined ? {} : { maximum }), description });
}

/** "15m", "2h", "1d", or a number of minutes above zero. */
function duration(examples: string, units: string) {
  const refusal = { [REFUSAL]: `is not a duration such as ${examples}` };
  return Type.Union(
    [
      Type.Number({ exclusiveMinimum: 0, ...refusal }),
      Type.String({ pattern: `^\\s*\\d+(?:\\.\\d+)?\\s*(?:${units})\\s*$`, ...refusal }),
    ],
    refusal,
  );
}

export const MINUTES = duration('"15m", "2h" or "1d"', "m|min|h|d");
export const SHORT_DURATION = duration('"500ms", "5s" or "2m"', "ms|s|m|min|h");

const ModelChoiceSchema = Type.Union(
  [
    NON_EMPTY,
    Type.Object({ en: optional(NON_EMPTY), zh: optional(NON_EMPTY) }, { additionalProperties: false }),
  ],
  { description: 'a model name, or { "en": name, "zh": name }' },
);

const RuleSchema = Type.Object(
  {
    id: NON_EMPTY,
    kind: Type.Union(
      RULE_KINDS.map((k) => Type.Literal(k)),
      { description: `one of ${RULE_KINDS.join(", ")}` },
    ),
    topic: optional(NON_EMPTY),
    window: optional(MINUTES),
    baseline: optional(integer(2)),
    minBaselineWindows: optional(
      Type.Integer({ description: "a whole number from 1 to the rule's baseline" }),
    ),
    minBaselineDocs: optional(integer(1)),
    z: optional(Type.Number({ exclusiveMinimum: 0, description: "a number above 0" })),
    minDocs: optional(integer(1)),
    cooldown: optional(MINUTES),
    keywords: optional(Type.Array(NON_EMPTY, { description: "a list of words or phrases" })),
    sentiment: optional(
      Type.Union(
        SENTIMENTS.map((s) => Type.Literal(s)),
        { description: `one of ${SENTIMENTS.join(", ")}` },
      ),
    ),
    description: optional(NON_EMPTY),
  },
  { additionalProperties: false, description: "an object" },
);
export type RuleEntry = Static<typeof RuleSchema>;

const WebhookSchema = Type.Union(
  [
    HTTP_URL,
    Type.Object(
      { url: HTTP_URL, secret: optional(NON_EMPTY), maxAttempts: optional(integer(1, 50)) },
      { additionalProperties: false },
    ),
  ],
  { description: "an http:// or https:// URL, or an object with url, secret and maxAttempts" },
);

const FeedSchema = Type.Union(
  [
    HTTP_URL,
    Type.Object(
      {
        url: HTTP_URL,
        name: optional(NON_EMPTY),
        interval: optional(MINUTES),
        lang: optional(
          Type.String({
            pattern: "^\\s*[A-Za-z]{2,3}\\s*$",
            description: 'an ISO 639 code such as "en", "zh" or "fr"',
          }),
        ),
      },
      { additionalProperties: false },
    ),
  ],
  { description: "an http:// or https:// URL, or an object with url, name, interval and lang" },
);

const RedisSchema = Type.Object(
  {
    url: Type.String({
      pattern: "^\\s*[rR][eE][dD][iI][sS][sS]?://",
      description: "a redis:// or rediss:// URL",
    }),
    stream: NON_EMPTY,
    group: optional(NON_EMPTY),
    consumer: optional(NON_EMPTY),
    batchSize: optional(integer(1, 10_000)),
    startFrom: optional(
      Type.Union([Type.Literal("beginning"), Type.Literal("new")], { description: '"beginning" or "new"' }),
    ),
    claimIdle: optional(SHORT_DURATION),
    removeIdle: optional(SHORT_DURATION),
    deadLetterStream: optional(NON_EMPTY),
  },
  { additionalProperties: false, description: "an object" },
);

const LanguageSchema = Type.Object(
  {
    model: optional(NON_EMPTY),
    minScore: optional(Type.Number({ minimum: 0, maximum: 1, description: "a probability from 0 to 1" })),
  },
  { additionalProperties: false, description: "an object" },
);

/** The whole file. Every key may be left out (or null) for its default. */
export const MonitorConfigFileSchema = Type.Object(
  {
    models: optional(
      Type.Object(
        {
          topic: optional(ModelChoiceSchema),
          sentiment: optional(ModelChoiceSchema),
          entities: optional(ModelChoiceSchema),
        },
        { additionalProperties: false, description: "an object" },
      ),
    ),
    sentimentLabels: optional(
      Type.Record(
        Type.String(),
        Type.Union(
          SENTIMENTS.map((s) => Type.Literal(s)),
          { description: `one of ${SENTIMENTS.join(", ")}` },
        ),
        { description: "an object" },
      ),
    ),
    termsPerDocument: optional(integer(0, 50)),
    entityLabels: optional(
      Type.Array(Type.String({ pattern: "\\S", description: "an entity type such as ORG" }), {
        description: "a list",
      }),
    ),
    rules: optional(Type.Array(RuleSchema, { description: "a list" })),
    webhooks: optional(Type.Array(WebhookSchema, { description: "a list" })),
    feeds: optional(Type.Array(FeedSchema, { description: "a list" })),
    redis: optional(RedisSchema),
    batchSize: optional(integer(1, 5000)),
    maxPending: optional(integer(1)),
    evaluateInterval: optional(MINUTES),
    workers: optional(
      Type.Union([Type.Literal("auto"), integer(0, 64)], {
        description: 'a whole number from 0 to 64, or "auto"',
      }),
    ),
    language: optional(LanguageSchema),
  },
  { additionalProperties: false },
);
/** The configuration file as written, checked key by key. */
export type MonitorConfigFile = Static<typeof MonitorConfigFileSchema>;

/** A key's place in the file: ["rules", 2, "window"]. */
export type KeyPath = readonly (string | number)[];

/**
 * MONITOR_CONFIG_INVALID for the key at `path`, the message led by its key path
 * ("rules[2].window: ..."), naming `file` when known; details.path is the key path,
 * details.keys its parts (readMonitorConfig adds the line from them).
 */
export function configError(path: KeyPath, message: string, file?: string): TextkitError {
  const where = keyPath(path);
  return new TextkitError("MONITOR_CONFIG_INVALID", `${where}: ${message}`, {
    ...(file === undefined ? {} : { file }),
    details: { path: where, keys: [...path] },
  });
}

/** `rules[2].window` for ["rules", 2, "window"]. */
export function keyPath(path: KeyPath): string {
  let out = "";
  for (const part of path) out += typeof part === "number" ? `[${part}]` : out === "" ? part : `.${part}`;
  return out === "" ? "(top level)" : out;
}

/** The file typed by its schema, or MONITOR_CONFIG_INVALID naming the first key that does not fit. */
export function checkConfigFile(value: unknown, file?: string): MonitorConfigFile {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw configError([], "the configuration must be one JSON object", file);
  }
  if (Value.Check(MonitorConfigFileSchema, value)) return value;
  const miss = firstMismatch(MonitorConfigFileSchema, value);
  if (miss === null) throw configError([], "does not fit the configuration's schema", file);
  const refusal: unknown = miss.schema[REFUSAL];
  const description: unknown = miss.schema.description;
  const message =
    miss.reason === "unknown-key"
      ? `is not a setting here; the settings are ${miss.known.join(", ")}`
      : miss.reason === "missing"
        ? "is required"
        : typeof refusal === "string"
          ? `${JSON.stringify(miss.value)} ${refusal}`
          : `must be ${typeof description === "string" ? description : miss.message.replace(/^Expected /, "")}`;
  throw configError(miss.path, message, file);
}
