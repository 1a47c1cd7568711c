/**
 * Confusion matrices of compared runs as heatmaps side by side, then each run's difference
 * from the first. Cells are shaded by the share of the true label's examples (a row's
 * share), so runs evaluated on different numbers of examples compare; a difference is in
 * percentage points, green where it helps (more right on the diagonal, fewer confusions off
 * it) and red where it hurts.
 */
import { h } from "./dom.ts";
import type { ConfusionView } from "./page-types.ts";

function share(counts: readonly number[][], totals: readonly number[], t: number, p: number): number {
  const total = totals[t] ?? 0;
  return total === 0 ? 0 : (counts[t]?.[p] ?? 0) / total;
}

function table(labels: readonly string[], cell: (t: number, p: number) => HTMLElement): HTMLElement {
  return h(
    "table",
    { className: "heatmap" },
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        h("th", { className: "corner", attrs: { scope: "col" } }, "true \\ predicted"),
        ...labels.map((l) =>
          h("th", { className: "pred", attrs: { scope: "col", title: l } }, h("span", {}, l)),
        ),
      ),
    ),
    h(
      "tbody",
      {},
      ...labels.map((l, t) =>
        h("tr", {}, h("th", { attrs: { scope: "row" } }, l), ...labels.map((_, p) => cell(t, p))),
      ),
    ),
  );
}

function countMap(view: ConfusionView, run: number): HTMLElement | null {
  const counts = view.counts[run];
  const totals = view.rowTotals[run];
  if (counts === null || counts === undefined || totals === null || totals === undefined) return null;
  return table(view.labels, (t, p) => {
    const s = share(counts, totals, t, p);
    const count = counts[t]?.[p] ?? 0;
    const td = h(
      "td",
      {
        className: t === p ? "diag" : "",
        attrs: {
          title: `${view.labels[t]} → ${view.labels[p]}: ${count} of ${totals[t] ?? 0} (${(s * 100).toFixed(0)}%)`,
        },
      },
      count === 0 ? "" : String(count),
    );
    // CSSOM, not a style attribute: the dashboard's CSP forbids inline style attributes.
    td.style.backgroundColor = `rgba(31, 119, 180, ${s.toFixed(3)})`;
    if (s > 0.6) td.classList.add("dark");
    return td;
  });
}

function differenceMap(view: ConfusionView, run: number): HTMLElement | null {
  const a = view.counts[0];
  const aTotals = view.rowTotals[0];
  const b = view.counts[run];
  const bTotals = view.rowTotals[run];
  if (!a || !aTotals || !b || !bTotals) return null;
  return table(view.labels, (t, p) => {
    const d = share(b, bTotals, t, p) - share(a, aTotals, t, p);
    const better = t === p ? d > 0 : d < 0;
    const points = Math.round(d * 100);
    const td = h(
      "td",
      {
        className: points === 0 ? "" : better ? "better" : "worse",
        dataset: { delta: d.toFixed(4) },
        attrs: { title: `${view.labels[t]} → ${view.labels[p]}: ${points > 0 ? "+" : ""}${points} points` },
      },
      points === 0 ? "" : `${points > 0 ? "+" : ""}${points}`,
    );
    const alpha = Math.min(1, Math.abs(d) * 2).toFixed(3);
    td.style.backgroundColor = better ? `rgba(47, 158, 68, ${alpha})` : `rgba(214, 69, 69, ${alpha})`;
    return td;
  });
}

/**
 * The heatmaps of one report: a matrix per run, then each run's difference from the first.
 *
 * @example
 * container.append(confusionHeatmaps(comparison.confusion[0], ["1a2b3c4d", "5e6f7a8b"]));
 */
export function confusionHeatmaps(view: ConfusionView, runIds: readonly string[]): HTMLElement {
  const figures: HTMLElement[] = [];
  runIds.forEach((id, i) => {
    const map = countMap(view, i);
    figures.push(
      h(
        "figure",
        { className: "heatmap-figure", testId: "confusion-run" },
        h("figcaption", {}, id),
        map ?? h("p", { className: "empty" }, "no confusion matrix in this run"),
      ),
    );
  });
  runIds.forEach((id, i) => {
    if (i === 0) return;
    const map = differenceMap(view, i);
    if (map === null) return;
    figures.push(
      h(
        "figure",
        { className: "heatmap-figure", testId: "confusion-diff" },
        h("figcaption", {}, `${id} − ${runIds[0] ?? ""} (points)`),
        map,
      ),
    );
  });
  const cut = view.labels.length < view.totalLabels;
  return h(
    "section",
    { className: "confusion", testId: "confusion", dataset: { report: view.report } },
    h("h4", {}, `Confusion matrix (${view.report})`),
    cut &&
      h(
        "p",
        { className: "muted" },
        `The ${view.labels.length} labels most involved in confusions, of ${view.totalLabels}; shares are of each true label's examples.`,
      ),
    h("div", { className: "heatmaps" }, ...figures),
  );
}
