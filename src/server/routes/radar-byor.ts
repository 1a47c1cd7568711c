/** Build-Your-Own-Radar export and import. */
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import { byorEntries, compareByor, parseByor, toByorCsv, toByorJson } from "../../apps/radar/index.ts";
import { BEARER_SECURITY, responses } from "../schemas.ts";
import { ByorComparisonSchema } from "./radar-schemas.ts";
import { DateQuery, dateOf, RADAR_CONFIG, RADAR_TAGS, type RadarContext } from "./radar-shared.ts";

/** GET /radar/export, POST /radar/import. */
export const radarByorRoutes: FastifyPluginAsyncTypebox<RadarContext> = async (app, options) => {
  const storeOf = options.store;
  const tags = RADAR_TAGS;
  const config = RADAR_CONFIG;

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
