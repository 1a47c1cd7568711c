/**
 * The request and response schemas. Each validates requests (fastify's Ajv) and describes
 * the route in /openapi.json, so the documentation cannot drift from what is enforced.
 */
import { type Static, type TSchema, Type } from "@fastify/type-provider-typebox";
import { type SchemaOptions, type TLiteral, type TUnion, Type as TypeBox } from "@sinclair/typebox";
import { VERSION_STATES } from "./registry.ts";

export const ErrorSchema = Type.Object(
  {
    error: Type.Object({
      code: Type.String({ description: "Stable error code, e.g. INPUT_INVALID, MODEL_NOT_FOUND." }),
      message: Type.String(),
      hint: Type.String({ description: "What to do about it." }),
      field: Type.Optional(
        Type.String({ description: "JSON pointer to the offending field, e.g. /inputs/0." }),
      ),
      requestId: Type.Optional(Type.String()),
    }),
  },
  { description: "An error." },
);

export const ModelParams = Type.Object({
  name: Type.String({ pattern: "^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$", description: "The model's name." }),
});
export type ModelParams = Static<typeof ModelParams>;

/** The predict body; `maxBatch` becomes the schema's maxItems so the docs state the limit. */
export function predictBodySchema(maxBatch: number, maxTextChars: number) {
  return Type.Object(
    {
      inputs: Type.Optional(
        Type.Array(
          Type.Union([
            Type.String({ minLength: 1 }),
            Type.Object(
              {},
              { additionalProperties: true, description: "A row of named values (regressors)." },
            ),
          ]),
          {
            minItems: 1,
            maxItems: maxBatch,
            description:
              `Texts to predict, at most ${maxBatch}, each at most ${maxTextChars} characters; give this or text. ` +
              'Models that predict from tabular rows (regressors) take objects here instead, e.g. [{"area": 70, "city": "Lyon"}].',
          },
        ),
      ),
      text: Type.Optional(
        Type.String({ minLength: 1, description: "One text; the same as inputs: [text]." }),
      ),
      k: Type.Optional(
        Type.Integer({
          minimum: 1,
          maximum: 1000,
          description: "Answers per input, best first (default 1).",
        }),
      ),
      threshold: Type.Optional(Type.Number({ description: "Drop answers scoring below this (default 0)." })),
      version: Type.Optional(
        Type.String({ minLength: 1, maxLength: 100, description: "Fail unless this version is active." }),
      ),
    },
    { additionalProperties: false },
  );
}
export type PredictBody = Static<ReturnType<typeof predictBodySchema>>;

export const PredictResponse = Type.Object({
  model: Type.String(),
  version: Type.String(),
  predictions: Type.Array(Type.Unknown(), {
    description:
      "One per input, in order. Classifier: { labels: string[], scores: number[] }, best first. " +
      "Tagger: { entities: [{ text, label, start, end, score }] }, start and end being UTF-16 offsets into the input (end exclusive), score the calibrated probability of the entity.",
  }),
  truncated: Type.Array(Type.Integer(), {
    description: "Indices of inputs cut to the length limit (when the server truncates rather than rejects).",
  }),
});

const VersionStatusSchema = Type.Object({
  version: Type.String(),
  state: Type.Union([Type.Literal("active"), Type.Literal("available"), Type.Literal("failed")], {
    description: `One of ${VERSION_STATES.join(", ")}: failed versions were refused when loading.`,
  }),
  createdAt: Type.Union([Type.String(), Type.Null()]),
  digest: Type.Union([Type.String(), Type.Null()], {
    description: "The manifest's digest; GET /v1/runs?tag=artifact:<digest> finds the run that made it.",
  }),
  error: Type.Union([Type.Object({ code: Type.String(), message: Type.String() }), Type.Null()]),
});

export const ModelStatusSchema = Type.Object({
  name: Type.String(),
  layout: Type.Union([Type.Literal("single"), Type.Literal("versions")]),
  family: Type.Union([Type.String(), Type.Null()]),
  task: Type.Union([Type.String(), Type.Null()]),
  activeVersion: Type.Union([Type.String(), Type.Null()]),
  pinnedVersion: Type.Union([Type.String(), Type.Null()]),
  labelCount: Type.Union([Type.Integer(), Type.Null()]),
  versions: Type.Array(VersionStatusSchema),
});

export const ModelListResponse = Type.Object({ models: Type.Array(ModelStatusSchema) });

const FreeObject = Type.Object({}, { additionalProperties: true });

export const ModelDetailResponse = Type.Object({
  ...ModelStatusSchema.properties,
  manifest: Type.Union([FreeObject, Type.Null()], {
    description: "The active version's manifest; files list sizes only.",
  }),
  metrics: Type.Union([FreeObject, Type.Null()]),
  details: FreeObject,
});

export const ActivateBody = Type.Object(
  {
    version: Type.String({
      minLength: 1,
      maxLength: 100,
      description: "The version to make active, or 'latest' for the newest that loads.",
    }),
  },
  { additionalProperties: false },
);
export type ActivateBody = Static<typeof ActivateBody>;

/** Response schemas every route shares for errors. */
export const ERROR_RESPONSES = { "4xx": ErrorSchema, "5xx": ErrorSchema } as const;

/** A route's responses: `ok` for 200, the error shape for the rest. */
export function responses<T extends TSchema>(ok: T) {
  return { 200: ok, ...ERROR_RESPONSES } as const;
}

/** Each value of a tuple as its TypeBox literal. */
type LiteralsOf<T extends readonly string[]> = { -readonly [K in keyof T]: TLiteral<T[K]> };

/**
 * A union of the literals `values`, typed as that union. `Type.Union(values.map(Type.Literal))`
 * has an array of literals, not a tuple, and the routes' type provider reads its static type
 * as `never` (querystrings) or refuses the handler's answer (responses); this keeps the tuple.
 *
 * @example
 * const Sentiment = literalUnion(SENTIMENTS); // Static: "positive" | "neutral" | "negative"
 */
export function literalUnion<const T extends readonly string[]>(
  values: T,
  options?: SchemaOptions,
): TUnion<LiteralsOf<T>> {
  const members: TLiteral<T[number]>[] = values.map((v: T[number]) => TypeBox.Literal(v));
  // The array holds one literal per value, in order: the tuple type says exactly that.
  return TypeBox.Union(members, options) as TUnion<LiteralsOf<T>>;
}

/** OpenAPI security requirement of routes that need a key. */
export const BEARER_SECURITY = [{ bearer: [] }];

const NAME = { minLength: 1, maxLength: 200 } as const;

export const RecommendBody = Type.Object(
  {
    user: Type.String({
      ...NAME,
      description: "The user's id; one the model does not know gets popular items.",
    }),
    k: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 1000, description: "How many items (default 10)." }),
    ),
    excludeSeen: Type.Optional(
      Type.Boolean({ description: "Leave out items the user has engaged with (default true)." }),
    ),
    category: Type.Optional(
      Type.Union([Type.String(NAME), Type.Array(Type.String(NAME), { minItems: 1, maxItems: 100 })], {
        description: "Only items of this category, or of one of these.",
      }),
    ),
  },
  { additionalProperties: false },
);
export type RecommendBody = Static<typeof RecommendBody>;

export const RecommendResponse = Type.Object({
  model: Type.String(),
  version: Type.String(),
  user: Type.String(),
  items: Type.Array(Type.Unknown(), {
    description: "Best first: { item, score, title, category, reason: { kind, text, item? } }.",
  }),
});

/** The events body; `maxBatch` bounds the events per request as it bounds predict inputs. */
export function eventsBodySchema(maxBatch: number) {
  return Type.Object(
    {
      events: Type.Array(
        Type.Object(
          {
            user: Type.String(NAME),
            item: Type.String(NAME),
            type: Type.String({ ...NAME, description: "view, click, like, share, purchase, rating, ..." }),
            value: Type.Optional(
              Type.Union([Type.Number(), Type.Null()], { description: "The rating, or a weight." }),
            ),
            timestamp: Type.Optional(
              Type.Union([Type.String(NAME), Type.Number(), Type.Null()], {
                description: "ISO 8601 or Unix seconds; absent: when the server takes it.",
              }),
            ),
          },
          { additionalProperties: false },
        ),
        { minItems: 1, maxItems: maxBatch, description: `At most ${maxBatch} events.` },
      ),
    },
    { additionalProperties: false },
  );
}
export type EventsBody = Static<ReturnType<typeof eventsBodySchema>>;

export const EventsResponse = Type.Object({
  model: Type.String(),
  version: Type.String(),
  recorded: Type.Integer({ description: "Events stored and applied." }),
  users: Type.Array(Type.String(), { description: "The users whose recommendations changed." }),
});
