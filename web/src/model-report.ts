/**
 * One model version's training as the Models page shows it: the run that made it (a link to
 * its entry on the Runs page), its evaluation report per class or entity type, and its
 * curves per epoch. The run is found by the artifact's digest (GET /v1/runs?tag=artifact:…).
 */
import { createEpochCurveChart, type EpochCurveChart, epochCurveFigure } from "./charts.ts";
import { h, replaceChildren } from "./dom.ts";
import { formatCount, formatTime } from "./format.ts";

/** The part of a recorded run this view reads. */
export interface RunRecordView {
  id: string;
  family: string;
  status: string;
  startedAt: string;
  seconds: number | null;
  final: Record<string, unknown>;
}

/** One value of one metric at one step (GET /v1/runs/{id}). */
export interface RunMetricPoint {
  name: string;
  step: number;
  value: number;
}

/** A row of a report's table: a class (classifier) or an entity type (tagger). */
export interface ReportRow {
  name: string;
  precision: number | null;
  recall: number | null;
  f1: number | null;
  support: number | null;
}

function num(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * The per-class rows of the `which` report ("test", else "dev") in a run's final results, and
 * the report's headline numbers; null when the run has no such report (e.g. a regressor's).
 */
export function reportOf(
  final: Record<string, unknown>,
): { which: string; rows: ReportRow[]; headline: [string, number][] } | null {
  for (const which of ["test", "dev"]) {
    const part = final[which];
    if (!isObject(part)) continue;
    const report = part["report"];
    const body = isObject(report) ? report : null;
    const raw = body?.["labels"] ?? body?.["types"];
    const headline: [string, number][] = [];
    for (const [name, value] of Object.entries(part)) {
      const n = num(value);
      if (n !== null) headline.push([name, n]);
    }
    if (!Array.isArray(raw)) {
      if (headline.length > 0) return { which, rows: [], headline };
      continue;
    }
    const rows: ReportRow[] = [];
    for (const row of raw as unknown[]) {
      if (!isObject(row)) continue;
      const name = typeof row["label"] === "string" ? row["label"] : row["type"];
      if (typeof name !== "string") continue;
      rows.push({
        name,
        precision: num(row["precision"]),
        recall: num(row["recall"]),
        f1: num(row["f1"]),
        support: num(row["support"]),
      });
    }
    return { which, rows, headline };
  }
  return null;
}

function fixed(value: number | null): string {
  return value === null ? "—" : value.toFixed(3);
}

function reportTable(rows: readonly ReportRow[], entityTypes: boolean): HTMLElement {
  const th = (text: string, num = false) =>
    h("th", { ...(num ? { className: "num" } : {}), attrs: { scope: "col" } }, text);
  return h(
    "div",
    { className: "table-wrap report-wrap" },
    h(
      "table",
      { className: "report", testId: "model-report" },
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          th(entityTypes ? "Entity type" : "Class"),
          th("Precision", true),
          th("Recall", true),
          th("F1", true),
          th("Support", true),
        ),
      ),
      h(
        "tbody",
        {},
        ...rows.map((r) =>
          h(
            "tr",
            { dataset: { name: r.name } },
            h("th", { attrs: { scope: "row" } }, r.name),
            h("td", { className: "num" }, fixed(r.precision)),
            h("td", { className: "num" }, fixed(r.recall)),
            h("td", { className: "num" }, fixed(r.f1)),
            h("td", { className: "num" }, r.support === null ? "—" : formatCount(r.support)),
          ),
        ),
      ),
    ),
  );
}

/**
 * The training of one version: run link, report and curves, drawn into `element`.
 *
 * @example
 * const view = new VersionRunView();
 * card.append(view.element);
 * view.show(run, metrics);
 */
export class VersionRunView {
  /** The view, to put in the page. */
  readonly element: HTMLElement = h("div", { className: "version-run", testId: "version-run" });
  private charts: EpochCurveChart[] = [];

  /** Says that no recorded run made this version (trained before recording, or elsewhere). */
  showMissing(version: string): void {
    this.destroyCharts();
    replaceChildren(
      this.element,
      h(
        "p",
        { className: "empty" },
        `No recorded run made version ${version} (it was trained with --no-runs, elsewhere, or before runs were recorded).`,
      ),
    );
  }

  /** Draws `run` and its curves. */
  show(version: string, run: RunRecordView, metrics: readonly RunMetricPoint[]): void {
    this.destroyCharts();
    const report = reportOf(run.final);
    const seconds = run.seconds === null ? "" : `, ${run.seconds.toFixed(1)} s`;
    const canvases = this.curves(metrics);
    replaceChildren(
      this.element,
      h(
        "p",
        {},
        `Version ${version} was made by run `,
        h(
          "a",
          { testId: "version-run-link", attrs: { href: `#/runs?run=${encodeURIComponent(run.id)}` } },
          run.id.slice(0, 8),
        ),
        ` (${run.status}, started ${formatTime(run.startedAt)}${seconds}).`,
      ),
      report === null
        ? h("p", { className: "empty" }, "The run holds no evaluation report.")
        : h(
            "div",
            {},
            h(
              "p",
              { testId: "model-headline" },
              `${report.which} set: `,
              report.headline
                .map(
                  ([name, value]) => `${name} ${Number.isInteger(value) ? formatCount(value) : fixed(value)}`,
                )
                .join(", "),
            ),
            report.rows.length > 0 && reportTable(report.rows, run.family === "tagger"),
          ),
      canvases.length === 0
        ? h("p", { className: "empty" }, "The run recorded no curves (one epoch or none).")
        : h("div", { className: "run-curves" }, ...canvases.map((c) => epochCurveFigure(c.name, c.canvas))),
    );
    for (const c of canvases) {
      const dataset = { label: c.name, data: c.points, borderColor: "#1f77b4", backgroundColor: "#1f77b4" };
      this.charts.push(createEpochCurveChart(c.canvas, [dataset], false));
    }
  }

  /** Releases the charts. */
  destroyCharts(): void {
    for (const chart of this.charts) chart.destroy();
    this.charts = [];
  }

  private curves(
    metrics: readonly RunMetricPoint[],
  ): { name: string; canvas: HTMLCanvasElement; points: { x: number; y: number }[] }[] {
    const names = [...new Set(metrics.map((m) => m.name))].filter((n) => !/seconds$/i.test(n)).sort();
    return names
      .map((name) => ({
        name,
        canvas: h("canvas", { attrs: { role: "img", "aria-label": `${name} per epoch` } }),
        points: metrics
          .filter((m) => m.name === name && m.step >= 0)
          .sort((a, b) => a.step - b.step)
          .map((m) => ({ x: m.step, y: m.value })),
      }))
      .filter((c) => c.points.length > 1);
  }
}
