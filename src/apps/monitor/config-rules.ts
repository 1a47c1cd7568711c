/**
 * An alert rule of the configuration file resolved into an AlertRule: defaults by kind,
 * durations in minutes, and the checks that span keys (an id used twice, a keyword rule
 * without keywords, a minimum above its baseline). Also the durations of the whole file.
 */
import { configError, type KeyPath, type RuleEntry } from "./config-schema.ts";
import type { AlertRule, RuleKind } from "./config-types.ts";

const UNIT_MINUTES = new Map([
  ["m", 1],
  ["min", 1],
  ["h", 60],
  ["d", 1440],
]);
const UNIT_MS = new Map([
  ["ms", 1],
  ["s", 1000],
  ["m", 60_000],
  ["min", 60_000],
  ["h", 3_600_000],
]);

/** The number and the unit of a duration the schema accepted ("2h", " 15 min "). */
function split(text: string): [number, string] {
  const m = /^(\d+(?:\.\d+)?)\s*([a-z]+)$/.exec(text.trim());
  return [Number(m?.[1] ?? Number.NaN), m?.[2] ?? ""];
}

/** Minutes in "15m", "2h", "1d", or a plain number of minutes (a duration the schema accepted). */
export function minutesOf(value: number | string, path: KeyPath, file?: string): number {
  if (typeof value === "number") return value;
  const [n, unit] = split(value);
  const minutes = n * (UNIT_MINUTES.get(unit) ?? Number.NaN);
  if (!(minutes > 0)) throw configError(path, "must be longer than zero", file);
  return minutes;
}

/** Milliseconds in "500ms", "5s", "2m", "1h", or a plain number of minutes. */
export function millisecondsOf(value: number | string, path: KeyPath, file?: string): number {
  if (typeof value === "number") return value * 60_000;
  const [n, unit] = split(value);
  const ms = n * (UNIT_MS.get(unit) ?? Number.NaN);
  if (!(ms >= 1)) throw configError(path, "must be at least 1 ms", file);
  return ms;
}

/** The rule's own description when it gives none. */
export function describeRule(kind: RuleKind, windowMinutes: number): string {
  const span = windowMinutes % 60 === 0 ? `${windowMinutes / 60} h` : `${windowMinutes} min`;
  if (kind === "negative_share") return `negative share over ${span} above its baseline`;
  if (kind === "volume_spike") return `document volume over ${span} above its baseline`;
  return `keywords mentioned within ${span}`;
}

/** The baseline settings: only negative_share and volume_spike rules have a baseline. */
function baselineOf(entry: RuleEntry, error: (key: string, message: string) => Error) {
  const baselineWindows = entry.baseline ?? 24;
  if (entry.kind === "keyword") {
    for (const key of ["minBaselineWindows", "minBaselineDocs"] as const) {
      if (entry[key] !== undefined && entry[key] !== null)
        throw error(key, "is for negative_share and volume_spike rules; a keyword rule has no baseline");
    }
  }
  const minBaselineWindows = entry.minBaselineWindows ?? Math.max(2, Math.ceil(baselineWindows / 4));
  if (minBaselineWindows < 1 || minBaselineWindows > baselineWindows) {
    throw error(
      "minBaselineWindows",
      `must be a whole number from 1 to the rule's baseline (${baselineWindows})`,
    );
  }
  return { baselineWindows, minBaselineWindows, minBaselineDocs: entry.minBaselineDocs ?? 10 };
}

/**
 * Rule `index` of the file, checked against the rules before it (`ids`, to which its id is added).
 *
 * @example
 * resolveRule({ id: "neg", kind: "negative_share", window: "2h" }, 0, new Set()); // windowMinutes 120, baselineWindows 24, ...
 */
export function resolveRule(entry: RuleEntry, index: number, ids: Set<string>, file?: string): AlertRule {
  const at = (key: string): KeyPath => ["rules", index, key];
  const error = (key: string, message: string) => configError(at(key), message, file);
  const id = entry.id.trim();
  if (ids.has(id)) throw error("id", `"${id}" is the id of an earlier rule; give each rule its own`);
  ids.add(id);
  const kind = entry.kind;
  const keywords = (entry.keywords ?? []).map((k) => k.trim().toLowerCase());
  if (kind === "keyword" && keywords.length === 0)
    throw error("keywords", "a keyword rule needs at least one");
  const window = entry.window ?? null;
  const windowMinutes =
    window === null ? (kind === "keyword" ? 10 : 60) : minutesOf(window, at("window"), file);
  if (!Number.isInteger(windowMinutes)) throw error("window", "must be a whole number of minutes");
  const cooldown = entry.cooldown ?? null;
  return {
    id,
    kind,
    topic: entry.topic?.trim() ?? "*",
    windowMinutes,
    ...baselineOf(entry, error),
    z: entry.z ?? 3,
    minDocs: entry.minDocs ?? (kind === "keyword" ? 1 : 20),
    cooldownMinutes: cooldown === null ? 360 : minutesOf(cooldown, at("cooldown"), file),
    keywords,
    sentiment: entry.sentiment ?? null,
    description: entry.description?.trim() ?? describeRule(kind, windowMinutes),
  };
}
