/** Reading a radar's history: one blip's timeline, and two dates compared. */
import type { Blip, RadarBuild, Snapshot } from "./build.ts";
import { type Movement, movementOf } from "./rings.ts";

export interface TimelinePoint {
  period: number;
  label: string;
  ring: string | null;
  movement: Movement;
  score: number | null;
  g: number | null;
  m: number | null;
  r: number | null;
  mentions: number;
  overridden: boolean;
}

/** The blip of technology `index` in every snapshot, oldest first. */
export function timelineOf(snapshots: readonly Snapshot[], index: number): TimelinePoint[] {
  return snapshots.map((s) => {
    const b: Blip = s.blips[index]!;
    return {
      period: s.period,
      label: s.label,
      ring: b.ring,
      movement: b.movement,
      score: b.score,
      g: b.g,
      m: b.m,
      r: b.r,
      mentions: b.mentions,
      overridden: b.override !== null,
    };
  });
}

export interface RingChange {
  technology: string;
  quadrant: string;
  from: string | null;
  to: string | null;
  movement: Movement;
  scoreFrom: number | null;
  scoreTo: number | null;
}

/**
 * Every technology's ring at two snapshots and the movement between them.
 *
 * @example
 * compareSnapshots(radar, older, newer).filter((c) => c.movement !== "none");
 */
export function compareSnapshots(
  radar: Pick<RadarBuild, "rings">,
  from: Snapshot,
  to: Snapshot,
): RingChange[] {
  const index = new Map(radar.rings.map((r, i) => [r.name, i]));
  return to.blips.map((b, t) => {
    const a = from.blips[t]!;
    return {
      technology: b.technology,
      quadrant: b.quadrant,
      from: a.ring,
      to: b.ring,
      movement: movementOf(
        a.ring === null ? null : index.get(a.ring)!,
        b.ring === null ? null : index.get(b.ring)!,
      ),
      scoreFrom: a.score,
      scoreTo: b.score,
    };
  });
}
