/**
 * The comparison part of the Runs page (GET /v1/runs/compare): the parameters that differ,
 * F1 per class side by side, and the confusion matrices as heatmaps with their difference.
 */
import { confusionHeatmaps } from "./confusion-heatmaps.ts";
import { h, replaceChildren } from "./dom.ts";
import type { Comparison } from "./page-types.ts";

/** A metric value with four decimals, integers as they are; an em dash for none. */
export function fixed(value: number | null | undefined): string {
  if (value === null || value === undefined) return "—";
  return Number.isInteger(value) ? String(value) : value.toFixed(4);
}

function signed(value: number | null | undefined): string {
  if (value === null || value === undefined) return "";
  return value === 0 ? " (0)" : ` (${value > 0 ? "+" : ""}${value.toFixed(4)})`;
}

/**
 * Draws `comparison` into `container` (or says what to select when there is none).
 *
 * @example
 * renderRunDiff(section, await api.get<Comparison>("/v1/runs/compare", { ids: "a,b" }));
 */
export function renderRunDiff(container: HTMLElement, comparison: Comparison | null): void {
  if (comparison === null) {
    replaceChildren(
      container,
      h("p", { className: "empty" }, "Select two runs or more of one family to compare them."),
    );
    return;
  }
  const ids = comparison.runs.map((r) => r.id.slice(0, 8));
  const head = (first: string) =>
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        h("th", { attrs: { scope: "col" } }, first),
        ...ids.map((id) => h("th", { attrs: { scope: "col" } }, id)),
      ),
    );
  const text = (v: unknown) => (typeof v === "string" ? v : JSON.stringify(v));
  replaceChildren(
    container,
    h("h3", {}, "Parameters"),
    comparison.params.length === 0
      ? h("p", {}, "The same in every run.")
      : h(
          "table",
          { testId: "param-diff" },
          head("parameter"),
          h(
            "tbody",
            {},
            ...comparison.params.map((p) =>
              h(
                "tr",
                { className: p.differs ? "differs" : "" },
                h("th", { attrs: { scope: "row" } }, p.name),
                ...p.values.map((v) => h("td", {}, text(v))),
              ),
            ),
          ),
        ),
    h("h3", {}, "F1 per class"),
    comparison.perClass.length === 0
      ? h("p", {}, "These runs have no per-class report.")
      : h(
          "table",
          { testId: "class-f1" },
          head("class"),
          h(
            "tbody",
            {},
            ...comparison.perClass.map((p) =>
              h(
                "tr",
                {},
                h("th", { attrs: { scope: "row" } }, `${p.label} (${p.report})`),
                ...p.f1.map((f, i) =>
                  h(
                    "td",
                    {
                      className: `num${(p.delta[i] ?? 0) > 0 ? " up" : (p.delta[i] ?? 0) < 0 ? " down" : ""}`,
                    },
                    `${fixed(f)}${i === 0 ? "" : signed(p.delta[i])}`,
                  ),
                ),
              ),
            ),
          ),
        ),
    h("h3", {}, "Confusion matrices"),
    (comparison.confusion ?? []).length === 0
      ? h("p", {}, "These runs recorded no confusion matrix (single-label classifiers do).")
      : null,
    ...(comparison.confusion ?? []).map((c) => confusionHeatmaps(c, ids)),
  );
}
