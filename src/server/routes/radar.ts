/**
 * The technology radar's routes (mounted under /v1), reading the radar that `textkit radar
 * build` (or `textkit demo`) stored in the application database, SQLite or PostgreSQL:
 * the radar at a date, one technology's detail, two dates compared, suggestions for a skill
 * profile, ring overrides, discovery candidates, and Build-Your-Own-Radar export and import.
 * They need the `radar` scope; keys with `monitor` (what they needed before) or `admin` pass too.
 */
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { radarByorRoutes } from "./radar-byor.ts";
import { radarOverrideRoutes } from "./radar-overrides.ts";
import { type RadarRoutesOptions, radarStoreOpener } from "./radar-shared.ts";
import { radarSnapshotRoutes, radarTechnologyRoutes } from "./radar-snapshots.ts";
import { radarSuggestRoutes } from "./radar-suggest.ts";

export type { RadarRoutesOptions } from "./radar-shared.ts";

/**
 * @example
 * await app.register(radarRoutes, { prefix: "/v1", database });
 */
export const radarRoutes: FastifyPluginAsyncTypebox<RadarRoutesOptions> = async (app, options) => {
  // one plugin per resource, sharing one store opened on first use
  const context = { store: radarStoreOpener(options.database) };
  await app.register(radarSnapshotRoutes, context);
  await app.register(radarTechnologyRoutes, context);
  await app.register(radarSuggestRoutes, context);
  await app.register(radarOverrideRoutes, context);
  await app.register(radarByorRoutes, context);
};
