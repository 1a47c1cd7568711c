/**
 * The risk matrix of a snapshot: likelihood (rows, 5 at the top) by impact (columns), each
 * scored technology placed in the cell of its worst risk category, as the radar computes
 * it (levels 1..5 of L and I, see docs/radar.md).
 */
import { h } from "./dom.ts";
import type { RadarBlip } from "./radar-types.ts";

const LEVELS = [1, 2, 3, 4, 5] as const;

/** The level pair of a blip's worst category, or null when it has no risk signal. */
export function worstCell(blip: RadarBlip): { likelihood: number; impact: number; category: string } | null {
  const risk = blip.risk;
  if (risk === null) return null;
  const cell = risk.cells.find((c) => c.category === risk.worst);
  if (cell === undefined) return null;
  return { likelihood: cell.likelihoodLevel, impact: cell.impactLevel, category: cell.category };
}

/**
 * Draws the matrix; `onSelect` receives a technology whose chip is clicked.
 */
export function renderRiskMatrix(
  blips: readonly RadarBlip[],
  onSelect: (technology: string) => void,
): HTMLElement {
  const cells = new Map<string, HTMLElement[]>();
  for (const blip of blips) {
    const cell = worstCell(blip);
    if (cell === null) continue;
    const key = `${cell.likelihood}:${cell.impact}`;
    const chip = h(
      "button",
      {
        className: "secondary chip risk-chip",
        testId: "risk-chip",
        dataset: {
          technology: blip.technology,
          likelihood: String(cell.likelihood),
          impact: String(cell.impact),
        },
        attrs: { title: `${blip.technology}: ${cell.category}, r ${(blip.r ?? 0).toFixed(2)}` },
        onClick: () => onSelect(blip.technology),
      },
      blip.technology,
    );
    cells.set(key, [...(cells.get(key) ?? []), chip]);
  }
  const rows = [...LEVELS]
    .reverse()
    .map((likelihood) =>
      h(
        "tr",
        {},
        h("th", { className: "nowrap", attrs: { scope: "row" } }, `L ${likelihood}`),
        ...LEVELS.map((impact) =>
          h(
            "td",
            { className: `risk-cell risk-${Math.min(5, Math.ceil((likelihood * impact) / 5))}` },
            ...(cells.get(`${likelihood}:${impact}`) ?? []),
          ),
        ),
      ),
    );
  return h(
    "div",
    { className: "table-wrap" },
    h(
      "table",
      { className: "risk-matrix", testId: "risk-matrix" },
      h("caption", {}, "Likelihood (share of risk talk) × impact (breadth across sources), worst category"),
      h(
        "thead",
        {},
        h("tr", {}, h("th", {}, ""), ...LEVELS.map((i) => h("th", { className: "nowrap" }, `I ${i}`))),
      ),
      h("tbody", {}, ...rows),
    ),
  );
}
