/** Ring overrides: put a blip in a ring by hand, or hand it back to its score. */
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import { BEARER_SECURITY, responses } from "../schemas.ts";
import { OverrideSchema } from "./radar-schemas.ts";
import {
  DateQuery,
  dateOf,
  iso,
  RADAR_CONFIG,
  RADAR_TAGS,
  type RadarContext,
  TechnologyName,
} from "./radar-shared.ts";

/** GET and POST /radar/overrides. */
export const radarOverrideRoutes: FastifyPluginAsyncTypebox<RadarContext> = async (app, options) => {
  const storeOf = options.store;
  const tags = RADAR_TAGS;
  const config = RADAR_CONFIG;

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
};
