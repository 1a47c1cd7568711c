/** What the monitor's route files share: options, query schemas, and the parsing of limits and times. */
import { Type } from "@sinclair/typebox";
import { type Monitor, SENTIMENTS } from "../../apps/monitor/index.ts";
import { TextkitError } from "../../core/index.ts";
import { literalUnion } from "../schemas.ts";

export interface MonitorRoutesOptions {
  /** null: the server runs without a monitor, and every monitor route says so. */
  monitor: Monitor | null;
  /** Most documents in one ingest request. */
  maxDocuments: number;
}

export const MONITOR_TAGS = ["monitor"];
/** Every monitor route needs the `monitor` scope. */
export const MONITOR_CONFIG = { scope: "monitor" as const };

/** The monitor, or MONITOR_DISABLED when the server runs without one. */
export function monitorOf(options: MonitorRoutesOptions): Monitor {
  if (options.monitor === null) {
    throw new TextkitError("MONITOR_DISABLED", "this server runs without the monitor");
  }
  return options.monitor;
}

export const RangeQuery = {
  from: Type.Optional(
    Type.String({ description: "ISO 8601 start (inclusive); default: 24 hours before `to`" }),
  ),
  to: Type.Optional(Type.String({ description: "ISO 8601 end (exclusive); default: now" })),
};
export const TopicQuery = { topic: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })) };
export const SentimentQuery = { sentiment: Type.Optional(literalUnion(SENTIMENTS)) };
// Query strings are text, and this server's schemas never coerce: a limit is digits, checked here.
export const Limit = (max: number) =>
  Type.Optional(Type.String({ pattern: "^[0-9]{1,6}$", description: `a whole number from 1 to ${max}` }));

export function limitOf(value: string | undefined, max: number): { limit?: number } {
  if (value === undefined) return {};
  const n = Number(value);
  if (!(n >= 1 && n <= max)) {
    throw new TextkitError("INPUT_INVALID", `limit must be a whole number from 1 to ${max}`, {
      details: { field: "/limit" },
    });
  }
  return { limit: n };
}

function time(value: string | undefined, field: string): number | undefined {
  if (value === undefined) return undefined;
  const t = Date.parse(value);
  if (!Number.isFinite(t)) {
    throw new TextkitError(
      "INPUT_INVALID",
      `${field} must be an ISO 8601 time such as 2026-11-30T09:00:00Z`,
      {
        details: { field },
      },
    );
  }
  return t;
}

export function range(query: { from?: string; to?: string }): { from?: number; to?: number } {
  const from = time(query.from, "/from");
  const to = time(query.to, "/to");
  return { ...(from === undefined ? {} : { from }), ...(to === undefined ? {} : { to }) };
}

/** A time in ms since 1970 as ISO 8601; null stays null. */
export function iso(t: number): string;
export function iso(t: number | null): string | null;
export function iso(t: number | null): string | null {
  return t === null ? null : new Date(t).toISOString();
}
