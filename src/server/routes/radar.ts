/**
 * The technology radar's routes (mounted under /v1), reading the radar that `textkit radar
 * build` (or `textkit demo`) stored in the application database, SQLite or PostgreSQL:
 * the radar at a date, one technology's detail, two dates compared, suggestions for a skill
 * profile, ring overrides, discovery candidates, and Build-Your-Own-Radar export and import.
 * They need the `radar` scope; keys with `monitor` (what they needed before) or `admin` pass too.
 */
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { type Static, Type } from "@sinclair/typebox";
import {
  byorEntries,
  compareByor,
  compareSnapshots,
  parseByor,
  parseProfile,
  profileFromObject,
  type RadarBuild,
  RadarStore,
  type SkillProfile,
  suggest,
  timelineOf,
  toByorCsv,
  toByorJson,
} from "../../apps/radar/index.ts";
import { isTextkitError, TextkitError } from "../../core/index.ts";
import type { DatabaseHandle } from "../database-handle.ts";
import { BEARER_SECURITY, ERROR_RESPONSES } from "../schemas.ts";
import {
  BlipSchema,
  ByorComparisonSchema,
  CandidateSchema,
  EvidenceSchema,
  FindingSchema,
  OverrideSchema,
  RelatedSchema,
  RingChangeSchema,
  SuggestionSchema,
  TechnologySchema,
  TimelinePointSchema,
} from "./radar-schemas.ts";

export interface RadarRoutesOptions {
  database: DatabaseHandle;
}

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

const ProfileBody = Type.Object(
  {
    hoursPerWeek: Type.Number({ exclusiveMinimum: 0, maximum: 100 }),
    horizonWeeks: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 520 })),
    skills: Type.Array(
      Type.Object(
        { name: TechnologyName, level: Type.Number({ minimum: 0, maximum: 5 }) },
        { additionalProperties: false },
      ),
      { maxItems: 500 },
    ),
  },
  { additionalProperties: false },
);

const iso = (t: number) => new Date(t).toISOString();

/** The profile of a suggest body: the object, or the pasted file read with its lines. */
function profileOf(
  body: { profile?: Static<typeof ProfileBody>; profileText?: string },
  radar: RadarBuild,
): SkillProfile {
  const { profile, profileText } = body;
  if (profile !== undefined && profileText === undefined) return profileFromObject(profile, radar);
  if (profile === undefined && profileText !== undefined) {
    try {
      return parseProfile("profileText", profileText, radar);
    } catch (cause) {
      // The error body carries a field, not a line: the line goes into the message.
      if (!isTextkitError(cause) || cause.line === undefined) throw cause;
      throw new TextkitError(cause.code, `${cause.message} (line ${cause.line} of the pasted profile)`, {
        details: { field: "/profileText" },
        cause,
      });
    }
  }
  throw new TextkitError("INPUT_INVALID", "send either profile (an object) or profileText (a profile file)", {
    details: { field: "/profile" },
  });
}

function dateOf(value: string | undefined, field: string): number | undefined {
  if (value === undefined) return undefined;
  const t = Date.parse(value);
  if (!Number.isFinite(t)) {
    throw new TextkitError("INPUT_INVALID", `${field.slice(1)} must be an ISO 8601 date such as 2026-06-01`, {
      details: { field },
    });
  }
  return t;
}

/**
 * @example
 * await app.register(radarRoutes, { prefix: "/v1", database });
 */
export const radarRoutes: FastifyPluginAsyncTypebox<RadarRoutesOptions> = async (app, options) => {
  let opened: Promise<RadarStore> | null = null;
  const storeOf = async (): Promise<RadarStore> => {
    if (opened === null) {
      opened = options.database.get().then((db) => RadarStore.open(db));
      opened.catch(() => {
        opened = null;
      });
    }
    return opened;
  };
  const tags = ["radar"];
  const config = { scope: "radar" as const };
  const responses = (ok: ReturnType<typeof Type.Object>) => ({ 200: ok, ...ERROR_RESPONSES });

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

  app.post(
    "/radar/suggest",
    {
      config,
      schema: {
        tags,
        summary: "What to learn next for a skill profile, ranked by E = g·m·(1 − r)·l",
        body: Type.Object(
          {
            profile: Type.Optional(ProfileBody),
            profileText: Type.Optional(
              Type.String({
                minLength: 1,
                maxLength: 200_000,
                description: "A whole profile file (YAML or JSON), in place of `profile`",
              }),
            ),
            date: DateQuery,
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
          },
          { additionalProperties: false },
        ),
        security: BEARER_SECURITY,
        response: responses(
          Type.Object({ snapshot: Type.String(), suggestions: Type.Array(SuggestionSchema) }),
        ),
      },
    },
    async (request) => {
      const radar = await (await storeOf()).load();
      const profile = profileOf(request.body, radar);
      const date = dateOf(request.body.date, "/date");
      const shot =
        date === undefined ? radar.snapshots.at(-1) : radar.snapshots.filter((s) => s.period <= date).at(-1);
      if (shot === undefined)
        throw new TextkitError("RADAR_NOT_BUILT", "the radar has no snapshot at that date");
      const list = suggest(radar, profile, shot);
      return { snapshot: shot.label, suggestions: list.slice(0, request.body.limit ?? 20) };
    },
  );

  app.get(
    "/radar/overrides",
    {
      config,
      schema: {
        tags,
        summary: "Ring overrides, oldest first",
        security: BEARER_SECURITY,
        response: responses(Type.Object({ overrides: Type.Array(OverrideSchema) })),
      },
    },
    async () => ({
      overrides: (await (await storeOf()).overrides()).map((o) => ({
        ...o,
        at: iso(o.at),
        createdAt: iso(o.createdAt),
      })),
    }),
  );

  app.post(
    "/radar/overrides",
    {
      config,
      schema: {
        tags,
        summary: "Put a blip in a ring by hand (ring null: hand it back to its score)",
        body: Type.Object(
          {
            technology: TechnologyName,
            ring: Type.Union([Type.String({ minLength: 1, maxLength: 100 }), Type.Null()]),
            why: Type.String({ minLength: 1, maxLength: 2000 }),
            by: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
            at: DateQuery,
          },
          { additionalProperties: false },
        ),
        security: BEARER_SECURITY,
        response: responses(Type.Object({ override: OverrideSchema })),
      },
    },
    async (request) => {
      const body = request.body;
      const now = Date.now();
      const by = body.by ?? request.apiKey?.name ?? "anonymous";
      const at = dateOf(body.at, "/at");
      const override = await (await storeOf()).addOverride(
        {
          technology: body.technology,
          ring: body.ring,
          why: body.why,
          by,
          ...(at === undefined ? {} : { at }),
        },
        now,
      );
      return { override: { ...override, at: iso(override.at), createdAt: iso(override.createdAt) } };
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

  app.get(
    "/radar/export",
    {
      config,
      schema: {
        tags,
        summary: "The radar as Build-Your-Own-Radar CSV or JSON (name, ring, quadrant, isNew, description)",
        querystring: Type.Object({
          format: Type.Optional(Type.Union([Type.Literal("csv"), Type.Literal("json")])),
          date: DateQuery,
        }),
        security: BEARER_SECURITY,
      },
    },
    async (request, reply) => {
      const store = await storeOf();
      const summary = await store.summary();
      const snapshot = await store.snapshotAt(dateOf(request.query.date, "/date"));
      const entries = byorEntries(summary, snapshot);
      if (request.query.format === "json") {
        return reply.type("application/json; charset=utf-8").send(toByorJson(entries));
      }
      return reply
        .type("text/csv; charset=utf-8")
        .header("content-disposition", `attachment; filename="radar-${snapshot.label}.csv"`)
        .send(toByorCsv(entries));
    },
  );

  app.post(
    "/radar/import",
    {
      config,
      schema: {
        tags,
        summary: "Compare a Build-Your-Own-Radar CSV or JSON with the radar",
        body: Type.Object(
          {
            content: Type.String({ minLength: 1, maxLength: 5_000_000 }),
            name: Type.Optional(Type.String({ maxLength: 200 })),
            date: DateQuery,
          },
          { additionalProperties: false },
        ),
        security: BEARER_SECURITY,
        response: responses(
          Type.Object({
            snapshot: Type.String(),
            entries: Type.Integer(),
            comparison: Type.Array(ByorComparisonSchema),
          }),
        ),
      },
    },
    async (request) => {
      const store = await storeOf();
      const entries = parseByor(request.body.name ?? "body", request.body.content);
      const summary = await store.summary();
      const snapshot = await store.snapshotAt(dateOf(request.body.date, "/date"));
      return {
        snapshot: snapshot.label,
        entries: entries.length,
        comparison: compareByor(entries, snapshot, summary.rings),
      };
    },
  );
};
