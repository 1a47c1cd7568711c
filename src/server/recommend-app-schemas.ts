/**
 * Request and response schemas of the recommend application's routes
 * (/v1/recommend/{app}/...), apart from schemas.ts so that the application's routes and the
 * model routes change independently.
 */
import { type Static, Type } from "@fastify/type-provider-typebox";

const NAME = { minLength: 1, maxLength: 200 } as const;
const MODEL_NAME = { pattern: "^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$" } as const;

export const AppParams = Type.Object({
  app: Type.String({
    ...MODEL_NAME,
    description: "The application's name (its models' split is kept under it).",
  }),
});
export type AppParams = Static<typeof AppParams>;

export const AppUserParams = Type.Object({ ...AppParams.properties, user: Type.String(NAME) });
export type AppUserParams = Static<typeof AppUserParams>;

export const AppItemParams = Type.Object({ ...AppParams.properties, item: Type.String(NAME) });
export type AppItemParams = Static<typeof AppItemParams>;

export const SplitBody = Type.Object(
  {
    control: Type.String({ ...MODEL_NAME, description: "The model serving the control variant." }),
    treatment: Type.Union([Type.String(MODEL_NAME), Type.Null()], {
      description: "The model serving the treatment; null ends the experiment.",
    }),
    share: Type.Number({ description: "Share of users in the treatment, from 0 to 1." }),
  },
  { additionalProperties: false },
);
export type SplitBody = Static<typeof SplitBody>;

const Reason = Type.Object({
  kind: Type.String(),
  text: Type.String(),
  item: Type.Optional(Type.String()),
});

const ServedItem = Type.Object({
  item: Type.String(),
  score: Type.Number(),
  title: Type.String(),
  category: Type.String(),
  reason: Reason,
  position: Type.Integer({ description: "1 for the first item." }),
  impression: Type.String({ description: "Send it with a click or a conversion on this item." }),
});

export const AppRecommendBody = Type.Object(
  {
    user: Type.String({ ...NAME, description: "The user's id; a new one gets popular items." }),
    k: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, description: "How many items (default 10)." })),
    category: Type.Optional(Type.String(NAME)),
  },
  { additionalProperties: false },
);
export type AppRecommendBody = Static<typeof AppRecommendBody>;

export const AppRecommendResponse = Type.Object({
  app: Type.String(),
  user: Type.String(),
  variant: Type.String({ description: "control or treatment." }),
  model: Type.String(),
  engine: Type.String({ description: "The model's kind: als, hybrid, ..." }),
  version: Type.String(),
  items: Type.Array(ServedItem),
});

export const ColdStartBody = Type.Object(
  {
    visitor: Type.Optional(Type.String({ ...NAME, description: "The visitor's id; absent: a new one." })),
    interests: Type.Optional(
      Type.String({ maxLength: 1000, description: "Words about what the visitor likes." }),
    ),
    items: Type.Optional(
      Type.Array(Type.String(NAME), { maxItems: 50, description: "Items the visitor picked as liked." }),
    ),
    k: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
  },
  { additionalProperties: false },
);
export type ColdStartBody = Static<typeof ColdStartBody>;

export const ColdStartResponse = Type.Object({
  ...AppRecommendResponse.properties,
  seeds: Type.Array(Type.String(), { description: "The items taken as the visitor's first events." }),
});

/** The events body; `maxBatch` bounds it as it bounds predict inputs. */
export function appEventsBodySchema(maxBatch: number) {
  return Type.Object(
    {
      events: Type.Array(
        Type.Object(
          {
            id: Type.Optional(
              Type.String({ ...NAME, description: "Your id of the event; sent twice, it counts once." }),
            ),
            user: Type.String(NAME),
            item: Type.String(NAME),
            type: Type.String({ ...NAME, description: "view, click, like, share, purchase, ..." }),
            value: Type.Optional(Type.Union([Type.Number(), Type.Null()])),
            timestamp: Type.Optional(
              Type.Union([Type.String(NAME), Type.Number(), Type.Null()], {
                description: "ISO 8601 or Unix seconds; absent: when the server takes it.",
              }),
            ),
            impression: Type.Optional(
              Type.String({
                ...NAME,
                description: "The impression (from a recommend answer) this event follows.",
              }),
            ),
          },
          { additionalProperties: false },
        ),
        { minItems: 1, maxItems: maxBatch },
      ),
    },
    { additionalProperties: false },
  );
}
export type AppEventsBody = Static<ReturnType<typeof appEventsBodySchema>>;

export const AppEventsResponse = Type.Object({
  app: Type.String(),
  accepted: Type.Integer({ description: "Events stored and applied to the models." }),
  duplicates: Type.Integer({
    description: "Events sent before (same id, or same user, item, type and time).",
  }),
  unknownItems: Type.Array(Type.Object({ index: Type.Integer(), item: Type.String() }), {
    description: "Events on items the catalogue lacks: stored, not applied.",
  }),
  outOfOrder: Type.Integer({ description: "Accepted events older than their user's latest." }),
  newUsers: Type.Array(Type.String()),
  clicks: Type.Integer({ description: "Clicks attributed to an impression." }),
  conversions: Type.Integer({ description: "Likes, shares and purchases attributed to an impression." }),
});

const RateSchema = Type.Object({
  count: Type.Integer(),
  of: Type.Integer(),
  rate: Type.Number(),
  low: Type.Number({ description: "95% Wilson interval." }),
  high: Type.Number(),
});
const Figures = {
  impressions: Type.Integer(),
  ctr: RateSchema,
  conversion: RateSchema,
};
const Difference = Type.Object({
  estimate: Type.Number({ description: "Treatment minus control." }),
  low: Type.Number({ description: "95% Newcombe interval." }),
  high: Type.Number(),
  significant: Type.Boolean(),
});

export const SplitResponse = Type.Object({ app: Type.String(), ...SplitBody.properties });

export const StatsQuery = Type.Object(
  { since: Type.Optional(Type.String({ description: "ISO 8601: only impressions from then on." })) },
  { additionalProperties: false },
);
export type StatsQuery = Static<typeof StatsQuery>;

export const StatsResponse = Type.Object({
  app: Type.String(),
  split: SplitBody,
  byVersion: Type.Array(
    Type.Object({ model: Type.String(), version: Type.String(), variant: Type.String(), ...Figures }),
  ),
  byVariant: Type.Array(Type.Object({ variant: Type.String(), ...Figures })),
  byPosition: Type.Array(Type.Object({ variant: Type.String(), position: Type.Integer(), ...Figures })),
  difference: Type.Union([Type.Object({ ctr: Difference, conversion: Difference }), Type.Null()]),
  events: Type.Object({
    applied: Type.Integer(),
    duplicates: Type.Integer(),
    unknownItem: Type.Integer(),
    outOfOrder: Type.Integer(),
    users: Type.Integer(),
    unknownItems: Type.Array(Type.Object({ item: Type.String(), events: Type.Integer() })),
  }),
});

const CatalogEntry = Type.Object({
  item: Type.String(),
  title: Type.String(),
  category: Type.String(),
  tags: Type.Array(Type.String()),
});

export const UserResponse = Type.Object({
  app: Type.String(),
  user: Type.String(),
  variant: Type.String(),
  model: Type.String(),
  history: Type.Array(
    Type.Object({
      ...CatalogEntry.properties,
      weight: Type.Number({ description: "Summed event weights." }),
    }),
  ),
});

/** A whole number in a query string (which is text: the server does not coerce types). */
const Count = (max: number) =>
  Type.Optional(Type.String({ pattern: "^[0-9]{1,3}$", description: `a whole number from 1 to ${max}` }));

export const SimilarQuery = Type.Object({ k: Count(100) }, { additionalProperties: false });
export type SimilarQuery = Static<typeof SimilarQuery>;

export const SimilarResponse = Type.Object({
  app: Type.String(),
  item: Type.String(),
  model: Type.String(),
  items: Type.Array(
    Type.Object({
      item: Type.String(),
      score: Type.Number(),
      title: Type.String(),
      category: Type.String(),
      reason: Reason,
    }),
  ),
});

export const CatalogQuery = Type.Object(
  {
    q: Type.Optional(
      Type.String({ maxLength: 200, description: "Words to match; absent: the first items." }),
    ),
    limit: Count(100),
  },
  { additionalProperties: false },
);
export type CatalogQuery = Static<typeof CatalogQuery>;

export const CatalogResponse = Type.Object({
  app: Type.String(),
  total: Type.Integer(),
  items: Type.Array(CatalogEntry),
});
