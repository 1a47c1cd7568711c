/** What the radar's route files share: options, the store opened on first use, query schemas, dates. */
import { Type } from "@sinclair/typebox";
import { RadarStore } from "../../apps/radar/index.ts";
import { TextkitError } from "../../core/index.ts";
import type { DatabaseHandle } from "../database-handle.ts";

export interface RadarRoutesOptions {
  database: DatabaseHandle;
}

/** The radar's route plugins' options: the store, opened on first use and shared. */
export interface RadarContext {
  store: () => Promise<RadarStore>;
}

/** One RadarStore per server, opened on the first request (and again after a failed open). */
export function radarStoreOpener(database: DatabaseHandle): () => Promise<RadarStore> {
  let opening: Promise<RadarStore> | null = null;
  return () => {
    opening ??= database.get().then((db) => RadarStore.open(db));
    opening.catch(() => {
      opening = null;
    });
    return opening;
  };
}

export const RADAR_TAGS = ["radar"];
/** Every radar route needs the `radar` scope. */
export const RADAR_CONFIG = { scope: "radar" as const };

export const DateQuery = Type.Optional(
  Type.String({
    maxLength: 40,
    description: "ISO 8601 date: the snapshot in force then (default: the latest)",
  }),
);
export const TechnologyName = Type.String({ minLength: 1, maxLength: 200 });

export const iso = (t: number) => new Date(t).toISOString();

/** A query's date in ms, INPUT_INVALID naming `field` when it does not parse. */
export function dateOf(value: string | undefined, field: string): number | undefined {
  if (value === undefined) return undefined;
  const t = Date.parse(value);
  if (!Number.isFinite(t)) {
    throw new TextkitError("INPUT_INVALID", `${field.slice(1)} must be an ISO 8601 date such as 2026-06-01`, {
      details: { field },
    });
  }
  return t;
}
