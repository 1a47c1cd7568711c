/**
 * The radar drawn as SVG at the places radar-geometry.ts gives: quadrants, rings, one blip
 * per technology with a ring at the date. A blip's mark says how it moved: a circle when it stayed,
 * a circle in a ring when new, a triangle pointing to the centre when it moved in and away
 * from it when it moved out.
 */
import { blipPosition, point, RADAR_RADIUS, RADAR_SIZE, ringBand, sector } from "./radar-geometry.ts";
import type { RadarBlip } from "./radar-types.ts";

const SVG_NS = "http://www.w3.org/2000/svg";
const CENTRE = RADAR_SIZE / 2;
const SIDE_ROOM = 110;
const COLOURS = ["#2457c5", "#2f9e44", "#c2410c", "#7c3aed", "#0e7490", "#b91c1c", "#a16207", "#4b5563"];

/** Creates an SVG element with its attributes (never a style attribute: the CSP forbids it). */
export function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number> = {},
  ...children: (SVGElement | string)[]
): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [name, value] of Object.entries(attrs)) el.setAttribute(name, String(value));
  for (const child of children) el.append(child);
  return el;
}

/** The colour of quadrant `index`. */
export function quadrantColour(index: number): string {
  return COLOURS[index % COLOURS.length] ?? "#4b5563";
}

/** The mark of a blip by its movement, centred on (x, y). */
function blipMark(
  movement: RadarBlip["movement"],
  x: number,
  y: number,
  angle: number,
  colour: string,
): SVGElement {
  if (movement === "in" || movement === "out") {
    // A triangle whose tip points to the centre (in) or away from it (out).
    const towards = movement === "in" ? angle + Math.PI : angle;
    const tip = { x: x + 9 * Math.cos(towards), y: y - 9 * Math.sin(towards) };
    const side = (turn: number) => ({
      x: x + 7 * Math.cos(towards + turn),
      y: y - 7 * Math.sin(towards + turn),
    });
    const a = side((2 * Math.PI) / 3);
    const b = side((-2 * Math.PI) / 3);
    const points = [tip, a, b].map((p) => `${p.x.toFixed(2)},${p.y.toFixed(2)}`).join(" ");
    return svg("polygon", { points, fill: colour, class: "blip-mark" });
  }
  const group = svg("g", { class: "blip-mark" });
  if (movement === "new") {
    group.append(svg("circle", { cx: x, cy: y, r: 10, fill: "none", stroke: colour, "stroke-width": 2 }));
  }
  group.append(svg("circle", { cx: x, cy: y, r: 6, fill: colour }));
  return group;
}

function grid(quadrantNames: readonly string[], ringNames: readonly string[]): SVGElement {
  const group = svg("g", { class: "radar-grid" });
  for (let j = ringNames.length - 1; j >= 0; j--) {
    const { outer } = ringBand(j, ringNames.length);
    group.append(
      svg("circle", {
        cx: CENTRE,
        cy: CENTRE,
        r: outer,
        fill: j % 2 === 0 ? "#f1f3f6" : "#ffffff",
        stroke: "#c5cbd3",
      }),
    );
  }
  quadrantNames.forEach((name, q) => {
    const { start, span } = sector(q, quadrantNames.length);
    const edge = point(start, RADAR_RADIUS);
    group.append(svg("line", { x1: CENTRE, y1: CENTRE, x2: edge.x, y2: edge.y, stroke: "#8d96a3" }));
    const mid = point(start + span / 2, RADAR_RADIUS + 18);
    const anchor = mid.x > CENTRE + 5 ? "start" : mid.x < CENTRE - 5 ? "end" : "middle";
    group.append(
      svg(
        "text",
        { x: mid.x, y: mid.y, "text-anchor": anchor, fill: quadrantColour(q), class: "radar-quadrant" },
        name,
      ),
    );
  });
  ringNames.forEach((name, j) => {
    const { inner, outer } = ringBand(j, ringNames.length);
    group.append(
      svg(
        "text",
        { x: CENTRE, y: CENTRE - (inner + outer) / 2 + 4, "text-anchor": "middle", class: "radar-ring-name" },
        name,
      ),
    );
  });
  return group;
}

export interface RadarDrawing {
  element: SVGSVGElement;
  /** Blips with a ring (drawn); the others have no ring at this date. */
  drawn: RadarBlip[];
}

/**
 * Draws the radar of one snapshot; `onSelect` receives the technology of a clicked blip.
 */
export function drawRadar(
  quadrants: readonly string[],
  rings: readonly string[],
  blips: readonly RadarBlip[],
  selected: string | null,
  onSelect: (technology: string) => void,
): RadarDrawing {
  const element = svg("svg", {
    // Wider than the circle so that long quadrant names on either side fit.
    viewBox: `${-SIDE_ROOM} 0 ${RADAR_SIZE + 2 * SIDE_ROOM} ${RADAR_SIZE}`,
    role: "img",
    "aria-label": "Technology radar",
    class: "radar-svg",
    "data-testid": "radar-svg",
  });
  element.append(grid(quadrants, rings));
  const drawn: RadarBlip[] = [];
  for (const blip of blips) {
    const q = quadrants.indexOf(blip.quadrant);
    const j = blip.ring === null ? -1 : rings.indexOf(blip.ring);
    if (q < 0 || j < 0) continue;
    drawn.push(blip);
    const place = blipPosition(blip.technology, q, j, quadrants.length, rings.length);
    const x = Number(place.x.toFixed(2));
    const y = Number(place.y.toFixed(2));
    const group = svg("g", {
      class: blip.technology === selected ? "blip selected" : "blip",
      tabindex: 0,
      role: "button",
      "data-testid": "blip",
      "data-technology": blip.technology,
      "data-ring": blip.ring ?? "",
      "data-quadrant": blip.quadrant,
      "data-movement": blip.movement,
      "data-x": x,
      "data-y": y,
    });
    group.append(
      svg(
        "title",
        {},
        `${blip.technology}: ${blip.ring} (${blip.movement === "none" ? "no move" : blip.movement})`,
      ),
      blipMark(blip.movement, x, y, place.angle, quadrantColour(q)),
      svg("text", { x: x + 11, y: y + 4, class: "blip-label" }, blip.technology),
    );
    group.addEventListener("click", () => onSelect(blip.technology));
    group.addEventListener("keydown", (event) => {
      if (event.key === "Enter" || event.key === " ") onSelect(blip.technology);
    });
    element.append(group);
  }
  return { element, drawn };
}

/** A legend of the marks. */
export function radarLegend(): SVGSVGElement {
  const items: [RadarBlip["movement"], string][] = [
    ["none", "stayed"],
    ["new", "new"],
    ["in", "moved in"],
    ["out", "moved out"],
  ];
  const legend = svg("svg", { viewBox: "0 0 440 24", class: "radar-legend", "aria-label": "Legend" });
  items.forEach(([movement, text], k) => {
    legend.append(
      blipMark(movement, 12 + k * 110, 12, Math.PI / 4, "#5f6877"),
      svg("text", { x: 26 + k * 110, y: 16, class: "blip-label" }, text),
    );
  });
  return legend;
}
