/**
 * The response shapes of the monitor's routes (/v1/monitor/...). Fastify serialises each
 * answer through its schema, so a field missing here would be dropped from the answer; the
 * dashboard's types (web/src/types.ts) are checked against these by test/api-types.test.ts.
 * Times are ISO 8601 strings.
 */
import { type Static, type TSchema, Type } from "@fastify/type-provider-typebox";
import {
  type AlertKind,
  EXTERNAL_ALERT_KINDS,
  RULE_KINDS,
  type RuleKind,
  SENTIMENTS,
  type Sentiment,
} from "../apps/monitor/index.ts";

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const Iso = Type.String({ description: "ISO 8601 time" });

export const FeedStatusSchema = Type.Object({
  url: Type.String(),
  name: Type.String(),
  lastPolledAt: Nullable(Iso),
  lastStatus: Nullable(
    Type.Union([Type.Literal("ok"), Type.Literal("not_modified"), Type.Literal("failed")]),
  ),
  lastError: Nullable(Type.String()),
  lastErrorCode: Nullable(Type.String()),
  failures: Type.Integer(),
  itemsTotal: Type.Integer(),
  nextPollAt: Nullable(Iso),
});

export const StreamStatusSchema = Type.Object({
  stream: Type.String(),
  group: Type.String(),
  consumer: Type.String(),
  connected: Type.Boolean(),
  lastReadAt: Nullable(Iso),
  processed: Type.Integer(),
  duplicates: Type.Integer(),
  deadLettered: Type.Integer(),
  pending: Nullable(Type.Integer()),
  lastError: Nullable(Type.String()),
});

/** GET /v1/monitor/status. */
export const MonitorStatusSchema = Type.Object({
  documents: Type.Integer(),
  topics: Type.Array(Type.String()),
  sentiments: Type.Array(Type.String()),
  lastIngestAt: Nullable(Iso),
  queue: Type.Object({ pending: Type.Integer(), capacity: Type.Integer() }),
  models: Type.Object({
    topic: Nullable(Type.String()),
    sentiment: Nullable(Type.String()),
    entities: Nullable(Type.String()),
    language: Type.String(),
  }),
  rules: Type.Integer(),
  openAlerts: Type.Integer(),
  sources: Type.Object({ feeds: Type.Array(FeedStatusSchema), stream: Nullable(StreamStatusSchema) }),
});

const sentimentSeries = {
  total: Type.Array(Type.Integer()),
  positive: Type.Array(Type.Integer()),
  neutral: Type.Array(Type.Integer()),
  negative: Type.Array(Type.Integer()),
  negativeShare: Type.Array(Nullable(Type.Number())),
};
export const SentimentSeriesSchema = Type.Object(sentimentSeries);

/** GET /v1/monitor/trends: dense arrays, one value per element of `times`. */
export const TrendsSchema = Type.Object({
  from: Iso,
  to: Iso,
  bucket: Type.Union([Type.Literal("minute"), Type.Literal("hour"), Type.Literal("day")]),
  times: Type.Array(Iso),
  topics: Type.Array(Type.Object({ topic: Type.String(), ...sentimentSeries })),
  all: SentimentSeriesSchema,
});

export const TermCountSchema = Type.Object({ term: Type.String(), count: Type.Integer() });
export const TermsSchema = Type.Object({ terms: Type.Array(TermCountSchema) });
export const EntityCountSchema = Type.Object({
  text: Type.String(),
  label: Type.String(),
  count: Type.Integer(),
});
export const EntitiesSchema = Type.Object({ entities: Type.Array(EntityCountSchema) });

export const DocumentEntitySchema = Type.Object({
  text: Type.String(),
  label: Type.String(),
  start: Type.Integer({ description: "UTF-16 offset into the text" }),
  end: Type.Integer({ description: "UTF-16 offset, exclusive" }),
  score: Type.Number(),
});

export const MonitorDocumentSchema = Type.Object({
  key: Type.String(),
  id: Nullable(Type.String()),
  source: Type.String(),
  title: Nullable(Type.String()),
  text: Type.String(),
  url: Nullable(Type.String()),
  lang: Type.String(),
  langScore: Nullable(Type.Number()),
  publishedAt: Iso,
  ingestedAt: Iso,
  topic: Nullable(Type.String()),
  topicScore: Nullable(Type.Number()),
  sentiment: Nullable(Type.String()),
  sentimentScore: Nullable(Type.Number()),
  entities: Type.Array(DocumentEntitySchema),
});
/** GET /v1/monitor/documents. */
export const DocumentPageSchema = Type.Object({
  documents: Type.Array(MonitorDocumentSchema),
  nextCursor: Nullable(Type.String()),
});

/** POST /v1/monitor/documents. */
export const IngestAnswerSchema = Type.Object({
  stored: Type.Integer(),
  duplicates: Type.Integer(),
  results: Type.Array(
    Type.Object({
      index: Type.Integer(),
      key: Type.String(),
      status: Type.Union([Type.Literal("stored"), Type.Literal("duplicate")]),
      topic: Nullable(Type.String()),
      sentiment: Nullable(Type.String()),
    }),
  ),
});

export const DeliverySchema = Type.Object({
  target: Type.String(),
  status: Type.Union([Type.Literal("pending"), Type.Literal("delivered"), Type.Literal("failed")]),
  attempts: Type.Integer(),
  lastError: Nullable(Type.String()),
  deliveredAt: Nullable(Iso),
});

export const AlertSchema = Type.Object({
  id: Type.String(),
  rule: Type.String(),
  /** A rule's kind, or one that another application raises (the radar's). */
  kind: Type.Unsafe<AlertKind>(
    Type.Union([...RULE_KINDS, ...EXTERNAL_ALERT_KINDS].map((k) => Type.Literal(k))),
  ),
  topic: Type.String(),
  message: Type.String(),
  firedAt: Iso,
  window: Type.Object({ from: Iso, to: Iso }),
  value: Type.Number(),
  baseline: Type.Object({
    mean: Nullable(Type.Number()),
    std: Nullable(Type.Number()),
    windows: Type.Integer(),
  }),
  z: Nullable(Type.Number()),
  count: Type.Integer(),
  status: Type.Union([Type.Literal("open"), Type.Literal("acknowledged")]),
  acknowledgedAt: Nullable(Iso),
  acknowledgedBy: Nullable(Type.String()),
  note: Nullable(Type.String()),
  deliveries: Type.Array(DeliverySchema),
});
export const AlertListSchema = Type.Object({ alerts: Type.Array(AlertSchema) });
export const AlertAnswerSchema = Type.Object({ alert: AlertSchema });

export const AlertRuleSchema = Type.Object({
  id: Type.String(),
  kind: Type.Unsafe<RuleKind>(Type.Union(RULE_KINDS.map((k) => Type.Literal(k)))),
  topic: Type.String(),
  windowMinutes: Type.Number(),
  baselineWindows: Type.Integer(),
  minBaselineWindows: Type.Integer(),
  minBaselineDocs: Type.Integer(),
  z: Type.Number(),
  minDocs: Type.Integer(),
  cooldownMinutes: Type.Number(),
  keywords: Type.Array(Type.String()),
  sentiment: Nullable(Type.Unsafe<Sentiment>(Type.Union(SENTIMENTS.map((x) => Type.Literal(x))))),
  description: Type.String(),
});
export const RulesSchema = Type.Object({ rules: Type.Array(AlertRuleSchema) });

export type MonitorStatusJson = Static<typeof MonitorStatusSchema>;
export type TrendsJson = Static<typeof TrendsSchema>;
export type MonitorDocumentJson = Static<typeof MonitorDocumentSchema>;
export type AlertJson = Static<typeof AlertSchema>;
