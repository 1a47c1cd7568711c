/**
 * A blip's detail on the Radar page: its mentions per period with the forecast's P10–P90
 * band and P50 line, its sentiment, its cell of the risk matrix, the score breakdown (g, m,
 * r with the numbers each comes from, and l and E = g·m·(1 − r)·l for the profile of the
 * suggestions panel), the evidence documents with their links, and related technologies.
 */
import { h } from "./dom.ts";
import { formatCount } from "./format.ts";
import { svg } from "./radar-svg.ts";
import type { RadarBlip, RadarSuggestion, RadarTechnologyView } from "./radar-types.ts";

const WIDTH = 560;
const HEIGHT = 180;
const PAD = 28;

const fixed = (x: number | null | undefined, digits = 3) =>
  x === null || x === undefined || !Number.isFinite(x) ? "–" : x.toFixed(digits);
const percent = (x: number) => `${(100 * x).toFixed(0)}%`;

/** Mentions per period, a marker at the snapshot's date, and the forecast band after the data. */
function trendChart(view: RadarTechnologyView, at: string): SVGSVGElement {
  const mentions = view.series.mentions;
  const forecast = view.blip.forecast;
  const steps = mentions.length + (forecast?.p50.length ?? 0);
  const top = Math.max(1, ...mentions, ...(forecast?.p90 ?? []));
  const x = (i: number) => PAD + ((WIDTH - 2 * PAD) * i) / Math.max(1, steps - 1);
  const y = (v: number) => HEIGHT - PAD - ((HEIGHT - 2 * PAD) * v) / top;
  const line = (values: readonly number[], offset: number) =>
    values.map((v, i) => `${x(i + offset).toFixed(1)},${y(v).toFixed(1)}`).join(" ");
  const chart = svg("svg", {
    viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
    class: "radar-trend",
    role: "img",
    "aria-label": `Mentions of ${view.technology.name} per period, with the forecast`,
    "data-testid": "trend",
  });
  chart.append(
    svg("line", { x1: PAD, y1: HEIGHT - PAD, x2: WIDTH - PAD, y2: HEIGHT - PAD, stroke: "#c5cbd3" }),
    svg("text", { x: 2, y: PAD, class: "axis-label" }, formatCount(top)),
    svg("text", { x: 2, y: HEIGHT - PAD, class: "axis-label" }, "0"),
    svg("polyline", { points: line(mentions, 0), fill: "none", stroke: "#2457c5", "stroke-width": 1.5 }),
  );
  if (forecast !== null && forecast.p50.length > 0) {
    // The band starts at the last observed period so that it joins the line.
    const last = mentions.length - 1;
    const lastValue = mentions[last] ?? 0;
    const upper = [lastValue, ...forecast.p90];
    const lower = [lastValue, ...forecast.p10];
    const lowerBack = line(lower, last).split(" ").reverse().join(" ");
    const band = `${line(upper, last)} ${lowerBack}`;
    chart.append(
      svg("polygon", { points: band, fill: "#2457c5", "fill-opacity": 0.18, "data-testid": "forecast-band" }),
      svg("polyline", {
        points: line([lastValue, ...forecast.p50], last),
        fill: "none",
        stroke: "#2457c5",
        "stroke-dasharray": "4 3",
      }),
    );
  }
  const index = view.series.periods.findIndex((p) => p > at);
  const marker = x(index === -1 ? mentions.length - 1 : Math.max(0, index - 1));
  chart.append(svg("line", { x1: marker, y1: PAD / 2, x2: marker, y2: HEIGHT - PAD, stroke: "#d64545" }));
  return chart;
}

function facts(rows: [string, string | Node][]): HTMLElement {
  const list = h("dl", { className: "facts" });
  for (const [term, value] of rows) list.append(h("dt", {}, term), h("dd", {}, value));
  return list;
}

/** The worst cell of the risk matrix, or the reason there is none. */
function riskCell(blip: RadarBlip): string {
  const risk = blip.risk;
  if (risk === null) return "not scored";
  const cell = risk.cells.find((c) => c.category === risk.worst);
  if (cell === undefined) return `r ${fixed(risk.r)}`;
  return `${cell.category}: likelihood ${cell.likelihoodLevel} × impact ${cell.impactLevel} (L ${fixed(cell.likelihood)}, I ${fixed(cell.impact)}; ${cell.documents} documents from ${cell.sources} sources)`;
}

/** The breakdown table: each factor, what it is made of, and E when the profile lets it be computed. */
function breakdown(blip: RadarBlip, suggestion: RadarSuggestion | null, profileNote: string): HTMLElement {
  const attrs: Record<string, string> = {};
  const rows: [string, string, string][] = [];
  if (blip.status !== "scored" || blip.g === null || blip.m === null || blip.r === null) {
    return h(
      "p",
      { testId: "breakdown", className: "notice" },
      `Not enough data: ${blip.reason ?? "no score"}`,
    );
  }
  const g = blip.growth;
  const m = blip.market;
  attrs["data-g"] = String(blip.g);
  attrs["data-m"] = String(blip.m);
  attrs["data-r"] = String(blip.r);
  attrs["data-score"] = String(blip.score ?? blip.g * blip.m * (1 - blip.r));
  rows.push([
    "g growth",
    fixed(blip.g),
    g === null
      ? ""
      : `slope ${fixed(g.slope, 4)} ± ${fixed(g.slopeStandardError, 4)} log-share a period (R² ${fixed(g.r2, 2)}), recency-weighted slope ${fixed(g.weightedSlope, 4)}, doubling ${g.doublingTime === null ? "never" : `${fixed(g.doublingTime, 1)} periods`}`,
  ]);
  rows.push([
    "m market",
    fixed(blip.m),
    m === null
      ? ""
      : `√(market share ${fixed(m.share)} × presence ${fixed(m.presence)}); Monte Carlo P10 ${fixed(m.p10)}, P50 ${fixed(m.p50)}, P90 ${fixed(m.p90)}`,
  ]);
  rows.push([
    "r risk",
    fixed(blip.r),
    `1 − Π(1 − L·I) over the categories; worst: ${blip.risk?.worst ?? "–"}`,
  ]);
  rows.push(["g·m·(1 − r)", fixed(blip.score), "the profile-free score the rings follow"]);
  if (suggestion !== null) {
    attrs["data-l"] = String(suggestion.l);
    attrs["data-e"] = String(suggestion.e);
    const helped = suggestion.helpedBy.map((x) => `${x.skill} (level ${x.level})`).join(", ");
    rows.push([
      "l learning",
      fixed(suggestion.l),
      `about ${Math.max(1, Math.round(suggestion.weeks))} weeks to proficiency, ${fixed(suggestion.speed, 1)}x speed${helped === "" ? "" : ` thanks to ${helped}`}`,
    ]);
    rows.push(["E = g·m·(1 − r)·l", fixed(suggestion.e, 4), profileNote]);
  } else {
    rows.push(["E", "–", `${profileNote}: nothing left to learn or no profile`]);
  }
  return h(
    "div",
    { className: "table-wrap" },
    h(
      "table",
      { testId: "breakdown", attrs },
      h("thead", {}, h("tr", {}, h("th", {}, "factor"), h("th", {}, "value"), h("th", {}, "from"))),
      h(
        "tbody",
        {},
        ...rows.map(([name, value, from]) =>
          h("tr", {}, h("td", {}, name), h("td", { className: "num" }, value), h("td", {}, from)),
        ),
      ),
    ),
  );
}

function evidenceList(view: RadarTechnologyView): HTMLElement {
  if (view.evidence.length === 0) return h("p", {}, "No evidence documents kept.");
  return h(
    "ul",
    { testId: "evidence" },
    ...view.evidence.slice(0, 12).map((e) => {
      const title =
        e.url === null
          ? h("span", {}, e.title)
          : h("a", { attrs: { href: e.url, target: "_blank", rel: "noopener noreferrer" } }, e.title);
      const tags = [e.source, e.time.slice(0, 10), e.sentiment ?? "", ...e.risks, e.market ? "market" : ""];
      return h(
        "li",
        {},
        title,
        " ",
        h("span", { className: "muted" }, tags.filter((t) => t !== "").join(" · ")),
      );
    }),
  );
}

/**
 * The whole detail panel of one technology at a snapshot's date (`at`, ISO 8601).
 */
export function renderDetail(
  view: RadarTechnologyView,
  at: string,
  suggestion: RadarSuggestion | null,
  profileNote: string,
  onSelect: (technology: string) => void,
): HTMLElement {
  const blip = view.blip;
  const s = blip.sentiment;
  const forecast = blip.forecast;
  const ring = blip.ring ?? "no ring";
  const moved =
    blip.movement === "none"
      ? ""
      : ` (${blip.movement}${blip.previousRing === null ? "" : ` from ${blip.previousRing}`})`;
  const related = h(
    "div",
    { className: "chips", testId: "related" },
    ...view.related.map((r) =>
      h(
        "button",
        { className: "secondary chip", onClick: () => onSelect(r.technology) },
        `${r.technology} ${fixed(r.strength, 2)}`,
      ),
    ),
  );
  return h(
    "div",
    { testId: "blip-detail", dataset: { technology: view.technology.name } },
    h("h3", {}, `${view.technology.name} · ${ring}${moved}`),
    view.technology.description === "" ? null : h("p", {}, view.technology.description),
    facts([
      ["quadrant", view.technology.quadrant],
      ["aliases", view.technology.aliases.join(", ")],
      ["mentions in window", formatCount(blip.mentions)],
      [
        "sentiment",
        s.rated === 0
          ? "not rated"
          : `${percent(s.positive / s.rated)} positive, ${percent(s.negative / s.rated)} negative of ${s.rated} rated`,
      ],
      ["risk-matrix cell", riskCell(blip)],
      [
        "forecast",
        forecast === null
          ? "only at the latest snapshot"
          : `P50 ${forecast.p50.map((v) => v.toFixed(0)).join(", ")}; ring change next period ${percent(forecast.ringChange)}`,
      ],
      ...(blip.override === null
        ? []
        : [
            [
              "override",
              `${blip.override.ring ?? "back to score"} by ${blip.override.by}: ${blip.override.why}`,
            ] as [string, string],
          ]),
    ]),
    h("h4", {}, "Mentions per period and forecast (P10–P90 band, P50 dashed)"),
    trendChart(view, at),
    h("h4", {}, "Score breakdown"),
    breakdown(blip, suggestion, profileNote),
    h("h4", {}, "Evidence"),
    evidenceList(view),
    h("h4", {}, "Related technologies (co-mention strength)"),
    related,
    view.technology.links.length === 0
      ? null
      : h(
          "p",
          {},
          ...view.technology.links.map((l) =>
            h("a", { attrs: { href: l, target: "_blank", rel: "noopener noreferrer" } }, l),
          ),
        ),
  );
}
