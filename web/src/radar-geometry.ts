/**
 * Where things go on the radar, as plain numbers (no DOM, so the browser test checks the
 * drawing against it): quadrants are equal sectors counter-clockwise from 3 o'clock, rings
 * bands of equal area with the first innermost, and a blip's place inside its cell comes from a hash
 * of its name alone, so it stays put between renders and dates while its ring holds.
 */

/** Drawing size; the radius leaves room for the quadrant names around it. */
export const RADAR_SIZE = 640;
export const RADAR_RADIUS = 270;
const CENTRE = RADAR_SIZE / 2;

/** FNV-1a, 32 bits, over the name's UTF-16 code units: the same name, the same number. */
export function nameHash(name: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    hash ^= name.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/**
 * Inner and outer radius of ring `ring` of `rings`: rings of equal area, so that the inner
 * ones, the narrowest sectors, still have room for their blips.
 */
export function ringBand(ring: number, rings: number): { inner: number; outer: number } {
  return {
    inner: RADAR_RADIUS * Math.sqrt(ring / rings),
    outer: RADAR_RADIUS * Math.sqrt((ring + 1) / rings),
  };
}

/** Start angle and span (radians, counter-clockwise from 3 o'clock) of quadrant `q`. */
export function sector(q: number, quadrants: number): { start: number; span: number } {
  const span = (2 * Math.PI) / quadrants;
  return { start: q * span, span };
}

/** The drawing's coordinates of a point at `angle` and `radius` from the centre. */
export function point(angle: number, radius: number): { x: number; y: number } {
  return { x: CENTRE + radius * Math.cos(angle), y: CENTRE - radius * Math.sin(angle) };
}

/**
 * Where a blip goes: its angle and radius inside its cell, from its name's hash (kept off
 * the cell's edges so that marks never straddle a line).
 *
 * @example
 * blipPosition("Kubernetes", 1, 0, 4, 4); // the same { x, y, angle, radius } every time
 */
export function blipPosition(
  name: string,
  quadrant: number,
  ring: number,
  quadrants: number,
  rings: number,
): { x: number; y: number; angle: number; radius: number } {
  const hash = nameHash(name);
  const u = (hash & 0xffff) / 0x10000;
  const v = (hash >>> 16) / 0x10000;
  const { start, span } = sector(quadrant, quadrants);
  const { inner, outer } = ringBand(ring, rings);
  const angle = start + span * (0.1 + 0.8 * u);
  const radius = inner + (outer - inner) * (0.2 + 0.6 * v);
  return { ...point(angle, radius), angle, radius };
}
