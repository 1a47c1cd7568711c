/** What to learn next for a skill profile. */
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { type Static, Type } from "@sinclair/typebox";
import {
  parseProfile,
  profileFromObject,
  type RadarBuild,
  type SkillProfile,
  suggest,
} from "../../apps/radar/index.ts";
import { isTextkitError, TextkitError } from "../../core/index.ts";
import { BEARER_SECURITY, responses } from "../schemas.ts";
import { SuggestionSchema } from "./radar-schemas.ts";
import {
  DateQuery,
  dateOf,
  RADAR_CONFIG,
  RADAR_TAGS,
  type RadarContext,
  TechnologyName,
} from "./radar-shared.ts";

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

const _iso = (t: number) => new Date(t).toISOString();

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

/** POST /radar/suggest. */
export const radarSuggestRoutes: FastifyPluginAsyncTypebox<RadarContext> = async (app, options) => {
  const storeOf = options.store;
  const tags = RADAR_TAGS;
  const config = RADAR_CONFIG;

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
};
