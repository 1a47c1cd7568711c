/**
 * The radar routes' answers as TypeBox schemas, so that OpenAPI documents every field and the
 * dashboard reads what is written here (src/apps/radar/build.ts holds the same shapes as
 * TypeScript). Fields that may be missing for a blip without enough data are `null`, never
 * left out: the serializer would turn a missing number into 0.
 */
import { type TSchema, Type } from "@sinclair/typebox";
import { MOVEMENTS } from "../../apps/radar/index.ts";
import { literalUnion } from "../schemas.ts";

const nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

const Growth = Type.Object({
  g: Type.Number(),
  slope: Type.Number({ description: "Least-squares slope of the log share of documents a period" }),
  slopeStandardError: Type.Number(),
  growthRate: Type.Number(),
  doublingTime: nullable(Type.Number({ description: "Periods; null when not growing" })),
  r2: Type.Number(),
  weightedSlope: Type.Number({ description: "Recency-weighted slope b_w" }),
});

const Market = Type.Object({
  m: Type.Number(),
  share: Type.Number({ description: "Shrunk share of its mentions that speak of the market" }),
  presence: Type.Number(),
  p10: Type.Number(),
  p50: Type.Number(),
  p90: Type.Number(),
});

const RiskCell = Type.Object({
  category: Type.String(),
  likelihood: Type.Number(),
  impact: Type.Number(),
  score: Type.Number({ description: "L·I" }),
  likelihoodLevel: Type.Integer({ minimum: 1, maximum: 5 }),
  impactLevel: Type.Integer({ minimum: 1, maximum: 5 }),
  documents: Type.Number(),
  sources: Type.Integer(),
});

const Risk = Type.Object({
  r: Type.Number(),
  cells: Type.Array(RiskCell),
  worst: Type.String({ description: "The category with the highest L·I" }),
});

const Forecast = Type.Object({
  periods: Type.Array(Type.Number(), { description: "Period starts, ms since 1970" }),
  p10: Type.Array(Type.Number()),
  p50: Type.Array(Type.Number()),
  p90: Type.Array(Type.Number()),
  ringChange: Type.Number({ description: "Probability of another ring next period" }),
  likelyRing: nullable(Type.Integer()),
});

const BlipOverride = Type.Object({
  id: Type.String(),
  technology: Type.String(),
  ring: nullable(Type.String()),
  by: Type.String(),
  why: Type.String(),
  at: Type.Number({ description: "ms since 1970" }),
  createdAt: Type.Number({ description: "ms since 1970" }),
});

/** One technology in one snapshot. */
export const BlipSchema = Type.Object({
  technology: Type.String(),
  quadrant: Type.String(),
  status: Type.Union([Type.Literal("scored"), Type.Literal("insufficient")]),
  reason: nullable(Type.String()),
  mentions: Type.Integer({ description: "Documents mentioning it in the window" }),
  g: nullable(Type.Number()),
  m: nullable(Type.Number()),
  r: nullable(Type.Number()),
  score: nullable(Type.Number({ description: "g·m·(1 − r), what the rings follow" })),
  growth: nullable(Growth),
  market: nullable(Market),
  risk: nullable(Risk),
  sentiment: Type.Object({ negative: Type.Number(), positive: Type.Number(), rated: Type.Number() }),
  ring: nullable(Type.String()),
  previousRing: nullable(Type.String()),
  movement: literalUnion(MOVEMENTS),
  periodsInRing: Type.Integer(),
  override: nullable(BlipOverride),
  forecast: nullable(Forecast),
});

/** A finding of the latest snapshot, what raises an alert. */
export const FindingSchema = Type.Object({
  kind: Type.Union([Type.Literal("ring_moved"), Type.Literal("rising_fast"), Type.Literal("risk_jumped")]),
  technology: Type.String(),
  message: Type.String(),
  value: Type.Number(),
  previous: nullable(Type.Number()),
});

/** A dictionary entry as the radar keeps it. */
export const TechnologySchema = Type.Object({
  name: Type.String(),
  quadrant: Type.String(),
  aliases: Type.Array(Type.String()),
  links: Type.Array(Type.String()),
  description: Type.String(),
  effortHours: Type.Number(),
});

/** One point of a blip's timeline. */
export const TimelinePointSchema = Type.Object({
  period: Type.String({ format: "date-time" }),
  label: Type.String(),
  ring: nullable(Type.String()),
  movement: Type.String(),
  score: nullable(Type.Number()),
  g: nullable(Type.Number()),
  m: nullable(Type.Number()),
  r: nullable(Type.Number()),
  mentions: Type.Integer(),
  overridden: Type.Boolean(),
});

/** A document that mentions the technology. */
export const EvidenceSchema = Type.Object({
  id: Type.String(),
  title: Type.String(),
  url: nullable(Type.String()),
  time: Type.String({ format: "date-time" }),
  source: Type.String(),
  sentiment: nullable(Type.String()),
  risks: Type.Array(Type.String()),
  market: Type.Boolean(),
});

export const RelatedSchema = Type.Object({
  technology: Type.String(),
  strength: Type.Number({ description: "Co-mention strength, 0..1" }),
  documents: Type.Integer(),
});

export const RingChangeSchema = Type.Object({
  technology: Type.String(),
  quadrant: Type.String(),
  from: nullable(Type.String()),
  to: nullable(Type.String()),
  movement: Type.String(),
  scoreFrom: nullable(Type.Number()),
  scoreTo: nullable(Type.Number()),
});

/** An override as the overrides routes show it (times as ISO 8601). */
export const OverrideSchema = Type.Object({
  id: Type.String(),
  technology: Type.String(),
  ring: nullable(Type.String()),
  by: Type.String(),
  why: Type.String(),
  at: Type.String({ format: "date-time" }),
  createdAt: Type.String({ format: "date-time" }),
});

export const CandidateSchema = Type.Object({
  term: Type.String(),
  recent: Type.Integer({ description: "Documents in the recent half of the window" }),
  earlier: Type.Integer(),
  growth: Type.Number({ description: "Recent rate over the earlier rate" }),
  total: Type.Integer(),
});

export const ByorComparisonSchema = Type.Object({
  name: Type.String(),
  theirs: nullable(Type.String()),
  ours: nullable(Type.String()),
  difference: nullable(Type.Integer({ description: "Rings apart, ours − theirs" })),
});

export const SuggestionSchema = Type.Object({
  technology: Type.String(),
  quadrant: Type.String(),
  ring: nullable(Type.String()),
  e: Type.Number({ description: "g·m·(1 − r)·l" }),
  g: Type.Number(),
  m: Type.Number(),
  r: Type.Number(),
  l: Type.Number(),
  weeks: Type.Number({ description: "Weeks to proficiency at the profile's hours" }),
  speed: Type.Number({ description: "How much faster related known skills make it (1: no help)" }),
  helpedBy: Type.Array(Type.Object({ skill: Type.String(), level: Type.Number(), strength: Type.Number() })),
  reasons: Type.Array(Type.String()),
});
