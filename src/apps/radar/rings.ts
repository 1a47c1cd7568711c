/**
 * Rings from the profile-free score S = g·m·(1 − r), period after period, so that blips do
 * not flicker:
 *
 * - hysteresis: a blip moves inward only when S clears the inner ring's threshold by
 *   `hysteresis`, and outward only when S falls below its ring's threshold by `hysteresis`;
 * - minimum time: a blip stays at least `minPeriodsInRing` periods in a ring before it moves
 *   (its first ring included);
 * - a manual override puts a blip in a ring from its period on, whatever S says, and
 *   records who, why and when; the blip then stays there until a later override clears it
 *   (ring null), after which the score decides again.
 *
 * A blip without enough data has no ring; it comes back through the rules above as new.
 */
import type { RingDefinition } from "./dictionary.ts";

export const MOVEMENTS = ["new", "in", "out", "gone", "none"] as const;
export type Movement = (typeof MOVEMENTS)[number];

export interface RingSettings {
  hysteresis: number;
  minPeriodsInRing: number;
}

export const DEFAULT_RING_SETTINGS: Readonly<RingSettings> = Object.freeze({
  hysteresis: 0.02,
  minPeriodsInRing: 3,
});

/** A person's decision on a blip's ring. */
export interface RingOverride {
  id: string;
  technology: string;
  /** The ring, or null to hand the blip back to its score. */
  ring: string | null;
  by: string;
  why: string;
  /** From when it applies (ms since 1970): the snapshots of periods that end after it. */
  at: number;
  createdAt: number;
}

/** Where a blip stands in one snapshot, as the ring pass leaves it. */
export interface RingState {
  ring: number | null;
  periodsInRing: number;
  movement: Movement;
  previousRing: number | null;
  override: RingOverride | null;
}

/** The ring S falls in without any history: the innermost whose threshold S reaches. */
export function ringOf(score: number, rings: readonly RingDefinition[]): number {
  const i = rings.findIndex((r) => score >= r.min);
  return i === -1 ? rings.length - 1 : i;
}

/**
 * The next ring of a blip at ring `current` (null: none yet) that has spent `periods` there,
 * given its new score.
 *
 * @example
 * nextRing(0.21, 1, 3, DEFAULT_RINGS, { hysteresis: 0.02, minPeriodsInRing: 3 }); // 1: 0.21 does not clear adopt's 0.2 by 0.02, so it stays in trial
 */
export function nextRing(
  score: number,
  current: number | null,
  periods: number,
  rings: readonly RingDefinition[],
  settings: RingSettings,
): number {
  if (current === null) return ringOf(score, rings);
  if (periods < settings.minPeriodsInRing) return current;
  const h = settings.hysteresis;
  const inward = ringOf(score - h, rings);
  if (inward < current) return inward;
  const outward = ringOf(score + h, rings);
  if (outward > current) return outward;
  return current;
}

export function movementOf(previous: number | null, now: number | null): Movement {
  if (previous === null) return now === null ? "none" : "new";
  if (now === null) return "gone";
  if (now < previous) return "in";
  if (now > previous) return "out";
  return "none";
}

/**
 * Runs the ring pass over one technology's scores (null: not enough data), oldest first,
 * with the period end of each and the overrides of that technology.
 */
export function ringHistory(
  scores: readonly (number | null)[],
  periodEnds: readonly number[],
  overrides: readonly RingOverride[],
  rings: readonly RingDefinition[],
  settings: RingSettings,
): RingState[] {
  const byName = new Map(rings.map((r, i) => [r.name, i]));
  const sorted = [...overrides].sort((a, b) => a.at - b.at || a.createdAt - b.createdAt);
  let current: number | null = null;
  let periods = 0;
  let active: RingOverride | null = null;
  let next = 0;
  return scores.map((score, k) => {
    while (next < sorted.length && sorted[next]!.at < periodEnds[k]!) {
      const o = sorted[next++]!;
      active = o.ring === null ? null : o;
    }
    const previous = current;
    let ring: number | null;
    if (active !== null && active.ring !== null && byName.has(active.ring)) ring = byName.get(active.ring)!;
    else if (score === null) ring = null;
    else ring = nextRing(score, current, periods, rings, settings);
    periods = ring !== null && ring === previous ? periods + 1 : 1;
    current = ring;
    return {
      ring,
      periodsInRing: ring === null ? 0 : periods,
      movement: movementOf(previous, ring),
      previousRing: previous,
      override: active,
    };
  });
}
