/** The radar at a date, one technology, two dates compared, and discovery candidates. */
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import { compareSnapshots, timelineOf } from "../../apps/radar/index.ts";
import { TextkitError } from "../../core/index.ts";
import { BEARER_SECURITY, responses } from "../schemas.ts";
import {
  BlipSchema,
  CandidateSchema,
  EvidenceSchema,
  FindingSchema,
  RelatedSchema,
  RingChangeSchema,
  TechnologySchema,
  TimelinePointSchema,
} from "./radar-schemas.ts";
import { dateOf, iso, RADAR_CONFIG, RADAR_TAGS, type RadarContext } from "./radar-shared.ts";

const Ring = Type.Object({ name: Type.String(), min: Type.Number() });
const DateQuery = Type.Optional(
  Type.String({
    maxLength: 40,
    description: "ISO 8601 date: the snapshot in force then (default: the latest)",
  }),
);
const TechnologyName = Type.String({ minLength: 1, maxLength: 200 });

const RadarResponse = Type.Object({
  builtAt: Type.String(),
  period: Type.String({ description: "week or month" }),
  documents: Type.Integer(),
  quadrants: Type.Array(Type.String()),
  rings: Type.Array(Ring),
  snapshots: Type.Array(Type.Object({ period: Type.String(), label: Type.String() })),
  snapshot: Type.Object({
    period: Type.String(),
    label: Type.String(),
    documents: Type.Integer(),
    blips: Type.Array(BlipSchema, {
      description:
        "One per technology: ring, movement, score and its g, m, r breakdown, risk matrix cells, forecast (latest snapshot).",
    }),
  }),
  findings: Type.Array(FindingSchema),
});

/** GET /radar, /radar/compare, /radar/discovery. */
export const radarSnapshotRoutes: FastifyPluginAsyncTypebox<RadarContext> = async (app, options) => {
  const storeOf = options.store;
  const tags = RADAR_TAGS;
  const config = RADAR_CONFIG;

  app.get(
    "/radar",
    {
      config,
      schema: {
        tags,
        summary: "The radar at a date",
        querystring: Type.Object({ date: DateQuery }),
        security: BEARER_SECURITY,
        response: responses(RadarResponse),
      },
    },
    async (request) => {
      const store = await storeOf();
      const summary = await store.summary();
      const snapshot = await store.snapshotAt(dateOf(request.query.date, "/date"));
      return {
        builtAt: iso(summary.builtAt),
        period: summary.settings.period,
        documents: summary.documents,
        quadrants: summary.quadrants,
        rings: summary.rings,
        snapshots: summary.snapshotPeriods.map((s) => ({ period: iso(s.period), label: s.label })),
        snapshot: { ...snapshot, period: iso(snapshot.period) },
        findings: snapshot.period === summary.snapshotPeriods.at(-1)?.period ? summary.findings : [],
      };
    },
  );

  app.get(
    "/radar/compare",
    {
      config,
      schema: {
        tags,
        summary: "Every technology's ring at two dates, and its movement",
        querystring: Type.Object({ from: Type.String({ maxLength: 40 }), to: DateQuery }),
        security: BEARER_SECURITY,
        response: responses(
          Type.Object({ from: Type.String(), to: Type.String(), changes: Type.Array(RingChangeSchema) }),
        ),
      },
    },
    async (request) => {
      const store = await storeOf();
      const from = await store.snapshotAt(dateOf(request.query.from, "/from"));
      const to = await store.snapshotAt(dateOf(request.query.to, "/to"));
      const summary = await store.summary();
      return { from: from.label, to: to.label, changes: compareSnapshots(summary, from, to) };
    },
  );

  app.get(
    "/radar/discovery",
    {
      config,
      schema: {
        tags,
        summary: "Growing terms the dictionary does not know yet",
        security: BEARER_SECURITY,
        response: responses(Type.Object({ candidates: Type.Array(CandidateSchema) })),
      },
    },
    async () => ({ candidates: (await (await storeOf()).summary()).discovery }),
  );
};

/** GET /radar/technologies/:name. */
export const radarTechnologyRoutes: FastifyPluginAsyncTypebox<RadarContext> = async (app, options) => {
  const storeOf = options.store;
  const tags = RADAR_TAGS;
  const config = RADAR_CONFIG;

  app.get(
    "/radar/technologies/:name",
    {
      config,
      schema: {
        tags,
        summary: "One technology: its blip, timeline, mentions, evidence and related technologies",
        params: Type.Object({ name: TechnologyName }),
        querystring: Type.Object({ date: DateQuery }),
        security: BEARER_SECURITY,
        response: responses(
          Type.Object({
            technology: TechnologySchema,
            blip: BlipSchema,
            timeline: Type.Array(TimelinePointSchema),
            series: Type.Object({ periods: Type.Array(Type.String()), mentions: Type.Array(Type.Integer()) }),
            evidence: Type.Array(EvidenceSchema),
            related: Type.Array(RelatedSchema),
          }),
        ),
      },
    },
    async (request) => {
      const radar = await (await storeOf()).load();
      const wanted = request.params.name.toLowerCase();
      const t = radar.technologies.findIndex(
        (x) => x.name.toLowerCase() === wanted || x.aliases.some((a) => a.toLowerCase() === wanted),
      );
      if (t === -1) {
        throw new TextkitError(
          "RADAR_UNKNOWN_TECHNOLOGY",
          `'${request.params.name}' is not a technology of the radar`,
          {
            details: { field: "/name" },
          },
        );
      }
      const tech = radar.technologies[t]!;
      const date = dateOf(request.query.date, "/date");
      const shot =
        date === undefined ? radar.snapshots.at(-1) : radar.snapshots.filter((s) => s.period <= date).at(-1);
      if (shot === undefined)
        throw new TextkitError("RADAR_NOT_BUILT", "the radar has no snapshot at that date");
      return {
        technology: tech,
        blip: shot.blips[t]!,
        timeline: timelineOf(radar.snapshots, t).map((p) => ({ ...p, period: iso(p.period) })),
        series: { periods: radar.periods.map((p) => iso(p.start)), mentions: radar.series[t]! },
        evidence: (radar.evidence[tech.name] ?? []).map((e) => ({ ...e, time: iso(e.time) })),
        related: radar.graph
          .filter((g) => g.a === tech.name || g.b === tech.name)
          .map((g) => ({
            technology: g.a === tech.name ? g.b : g.a,
            strength: g.strength,
            documents: g.documents,
          }))
          .slice(0, 10),
      };
    },
  );
};
