/**
 * The Runs page: the recorded training runs as a table the server filters, sorts and pages
 * (GET /v1/runs), with the metric columns a person chooses; select runs to see their curves
 * overlaid (smoothed without ever leaving the data's range), the parameters that differ and
 * each class's F1 side by side (GET /v1/runs/compare).
 */
import { createEpochCurveChart, type EpochCurveChart, epochCurveFigure } from "./charts.ts";
import { h, replaceChildren } from "./dom.ts";
import { formatTime } from "./format.ts";
import type { Page, PageContext } from "./page.ts";
import type { Comparison, MetricPointView, RunListView, RunView } from "./page-types.ts";
import { fixed, renderRunDiff } from "./run-diff.ts";
import { smooth } from "./smooth.ts";

const PAGE_SIZE = 25;
const COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf"];

function input(
  label: string,
  testId: string,
  placeholder: string,
): { wrap: HTMLElement; field: HTMLInputElement } {
  const field = h("input", { testId, attrs: { type: "text", placeholder, "aria-label": label } });
  return { wrap: h("label", { className: "field" }, `${label} `, field), field };
}

/**
 * The Runs page.
 *
 * @example
 * const page = new RunsPage(context);
 * page.mount(main);
 * await page.refresh();
 */
export class RunsPage implements Page {
  private readonly ctx: PageContext;
  private generation = 0;
  private offset = 0;
  private sort = "started";
  private readonly selected = new Set<string>();
  private linkedShown = false;
  private runs: RunView[] = [];
  private charts: EpochCurveChart[] = [];
  private fields!: Record<"family" | "search" | "where" | "columns", HTMLInputElement>;
  private by!: HTMLSelectElement;
  private topLevel!: HTMLInputElement;
  private smoothing!: HTMLInputElement;
  private allParams!: HTMLInputElement;
  private head!: HTMLElement;
  private body!: HTMLElement;
  private pager!: HTMLElement;
  private curves!: HTMLElement;
  private diff!: HTMLElement;

  /** A run to show on arrival (#/runs?run=<id>, the Models page's link to a version's run). */
  private readonly linked: string | null;

  constructor(ctx: PageContext, params: URLSearchParams = new URLSearchParams()) {
    this.ctx = ctx;
    const run = params.get("run")?.trim() ?? "";
    this.linked = run === "" ? null : run;
  }

  mount(root: HTMLElement): void {
    const family = input("Family", "runs-family", "classifier");
    const search = input("Search", "runs-search", "id, name or command");
    const where = input("Where", "runs-where", "params.lr>=0.5; metrics.dev.accuracy>0.9");
    const columns = input("Columns", "runs-columns", "dev.accuracy, test.accuracy");
    this.fields = { family: family.field, search: search.field, where: where.field, columns: columns.field };
    if (this.linked !== null) {
      search.field.value = this.linked;
      this.selected.add(this.linked);
    }
    this.by = h(
      "select",
      { testId: "runs-by", attrs: { "aria-label": "Sort a metric by" } },
      h("option", { attrs: { value: "best" } }, "best value"),
      h("option", { attrs: { value: "last" } }, "last value"),
    );
    this.topLevel = h("input", { testId: "runs-top-level", attrs: { type: "checkbox" } });
    this.smoothing = h("input", {
      testId: "runs-smoothing",
      attrs: { type: "range", min: "0", max: "0.95", step: "0.05", value: "0", "aria-label": "Smoothing" },
    });
    this.allParams = h("input", { testId: "runs-all-params", attrs: { type: "checkbox" } });
    for (const el of [family.field, search.field, where.field, columns.field, this.by, this.topLevel]) {
      el.addEventListener("change", () => {
        this.offset = 0;
        void this.refresh();
      });
    }
    this.smoothing.addEventListener("input", () => void this.showSelection());
    this.allParams.addEventListener("change", () => void this.showSelection());
    this.head = h("thead");
    this.body = h("tbody");
    this.pager = h("div", { className: "pager", testId: "runs-pager" });
    this.curves = h("div", { className: "run-curves", testId: "run-curves" });
    this.diff = h("div", { className: "run-diff", testId: "run-diff" });
    replaceChildren(
      root,
      h(
        "section",
        { className: "card" },
        h("h2", {}, "Runs"),
        h(
          "div",
          { className: "filters" },
          family.wrap,
          search.wrap,
          where.wrap,
          columns.wrap,
          h("label", { className: "field" }, "Sort metrics by ", this.by),
          h("label", { className: "field" }, this.topLevel, " without child runs"),
        ),
        h(
          "div",
          { className: "table-wrap" },
          h("table", { className: "runs", testId: "runs" }, this.head, this.body),
        ),
        this.pager,
      ),
      h(
        "section",
        { className: "card" },
        h("h2", {}, "Curves"),
        h("label", { className: "field" }, "Smoothing ", this.smoothing),
        this.curves,
      ),
      h(
        "section",
        { className: "card" },
        h("h2", {}, "Comparison"),
        h("label", { className: "field" }, this.allParams, " every parameter, not only those that differ"),
        this.diff,
      ),
    );
  }

  unmount(): void {
    this.generation++;
    for (const chart of this.charts) chart.destroy();
    this.charts = [];
  }

  async refresh(): Promise<void> {
    const generation = ++this.generation;
    let list: RunListView;
    try {
      list = await this.ctx.api.get<RunListView>("/v1/runs", {
        family: this.fields.family.value.trim() || undefined,
        search: this.fields.search.value.trim() || undefined,
        where: this.fields.where.value.trim() || undefined,
        sort: this.sort,
        by: this.by.value,
        topLevel: this.topLevel.checked ? "true" : undefined,
        limit: PAGE_SIZE,
        offset: this.offset,
      });
    } catch (error) {
      if (generation === this.generation) this.ctx.report(error);
      return;
    }
    if (generation !== this.generation) return;
    this.ctx.clearError();
    this.runs = list.runs;
    this.renderTable(list.total);
    if (this.linked !== null && !this.linkedShown) {
      this.linkedShown = true;
      await this.showSelection();
    }
  }

  /** The metric columns: those chosen, else the dev and test scores most runs on the page have. */
  private columns(): string[] {
    const chosen = this.fields.columns.value
      .split(",")
      .map((c) => c.trim())
      .filter((c) => c !== "");
    if (chosen.length > 0) return chosen;
    const counts = new Map<string, number>();
    for (const run of this.runs) {
      for (const name of Object.keys(run.summary)) {
        if (/^(dev|test)\./.test(name)) counts.set(name, (counts.get(name) ?? 0) + 1);
      }
    }
    return [...counts.entries()]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, 3)
      .map(([n]) => n);
  }

  private sortHeader(label: string, field: string, className?: string): HTMLElement {
    const active = this.sort === field;
    return h(
      "th",
      {
        ...(className === undefined ? {} : { className }),
        attrs: { scope: "col", "aria-sort": active ? "descending" : "none" },
      },
      h(
        "button",
        {
          className: active ? "sort active" : "sort",
          dataset: { sort: field },
          onClick: () => {
            this.sort = field;
            this.offset = 0;
            void this.refresh();
          },
        },
        label,
      ),
    );
  }

  private renderTable(total: number): void {
    const columns = this.columns();
    replaceChildren(
      this.head,
      h(
        "tr",
        {},
        h("th", { attrs: { scope: "col" } }, ""),
        h("th", { attrs: { scope: "col" } }, "Run"),
        this.sortHeader("Family", "family"),
        this.sortHeader("Status", "status"),
        this.sortHeader("Name", "name"),
        this.sortHeader("Started", "started"),
        this.sortHeader("Seconds", "seconds", "num"),
        ...columns.map((c) => this.sortHeader(`${c} best (last)`, `metrics.${c}`, "num")),
      ),
    );
    if (this.runs.length === 0) {
      replaceChildren(
        this.body,
        h(
          "tr",
          {},
          h(
            "td",
            { className: "empty", attrs: { colspan: String(7 + columns.length) } },
            "No runs match. Training commands record their runs in the database this server uses.",
          ),
        ),
      );
    } else {
      replaceChildren(this.body, ...this.runs.map((run) => this.row(run, columns)));
    }
    const last = Math.min(this.offset + this.runs.length, total);
    replaceChildren(
      this.pager,
      h(
        "button",
        { attrs: this.offset === 0 ? { disabled: "" } : {}, onClick: () => this.page(-1) },
        "Previous",
      ),
      ` ${total === 0 ? 0 : this.offset + 1}–${last} of ${total} `,
      h("button", { attrs: last >= total ? { disabled: "" } : {}, onClick: () => this.page(1) }, "Next"),
    );
  }

  private row(run: RunView, columns: readonly string[]): HTMLElement {
    const box = h("input", { attrs: { type: "checkbox", "aria-label": `select run ${run.id.slice(0, 8)}` } });
    box.checked = this.selected.has(run.id);
    box.addEventListener("change", () => {
      if (box.checked) this.selected.add(run.id);
      else this.selected.delete(run.id);
      void this.showSelection();
    });
    return h(
      "tr",
      { testId: "run", dataset: { id: run.id } },
      h("td", {}, box),
      h("td", { className: "mono" }, run.id.slice(0, 8)),
      h("td", {}, run.parentId === null ? run.family : `└ ${run.family}`),
      h("td", {}, h("span", { className: `badge status-${run.status}` }, run.status)),
      h("td", {}, run.name ?? ""),
      h("td", { className: "nowrap" }, formatTime(run.startedAt)),
      h("td", { className: "num" }, run.seconds === null ? "—" : run.seconds.toFixed(1)),
      ...columns.map((c) => {
        const s = run.summary[c];
        return h(
          "td",
          { className: "num" },
          s === undefined ? "—" : s.best === s.last ? fixed(s.best) : `${fixed(s.best)} (${fixed(s.last)})`,
        );
      }),
    );
  }

  private page(direction: number): void {
    this.offset = Math.max(0, this.offset + direction * PAGE_SIZE);
    void this.refresh();
  }

  private async showSelection(): Promise<void> {
    const generation = this.generation;
    const ids = [...this.selected];
    try {
      const details = await Promise.all(
        ids.map((id) =>
          this.ctx.api.get<{ run: RunView; metrics: MetricPointView[] }>(
            `/v1/runs/${encodeURIComponent(id)}`,
          ),
        ),
      );
      const comparison =
        ids.length < 2
          ? null
          : await this.ctx.api.get<Comparison>("/v1/runs/compare", {
              ids: ids.join(","),
              all: this.allParams.checked ? "true" : undefined,
            });
      if (generation !== this.generation) return;
      this.drawCurves(details);
      renderRunDiff(this.diff, comparison);
    } catch (error) {
      if (generation === this.generation) {
        renderRunDiff(this.diff, null);
        this.ctx.report(error);
      }
    }
  }

  private drawCurves(details: { run: RunView; metrics: MetricPointView[] }[]): void {
    for (const chart of this.charts) chart.destroy();
    this.charts = [];
    const names = [...new Set(details.flatMap((d) => d.metrics.map((m) => m.name)))]
      .filter((n) => !/seconds$/i.test(n))
      .sort();
    const weight = Number(this.smoothing.value);
    const canvases = names
      .map((name) => {
        const canvas = h("canvas", { attrs: { role: "img", "aria-label": `${name} per step` } });
        const datasets = details.map((d, i) => {
          const points = d.metrics
            .filter((m) => m.name === name && m.step >= 0)
            .sort((a, b) => a.step - b.step);
          const ys = smooth(
            points.map((p) => p.value),
            weight,
          );
          return {
            label: d.run.id.slice(0, 8),
            data: points.map((p, k) => ({ x: p.step, y: ys[k]! })),
            borderColor: COLOURS[i % COLOURS.length]!,
            backgroundColor: COLOURS[i % COLOURS.length]!,
          };
        });
        return { name, canvas, datasets };
      })
      .filter((c) => c.datasets.some((d) => d.data.length > 1));
    replaceChildren(
      this.curves,
      ...(canvases.length === 0
        ? [h("p", { className: "empty" }, "Select runs in the table to see their curves.")]
        : canvases.map((c) => epochCurveFigure(c.name, c.canvas))),
    );
    for (const c of canvases) this.charts.push(createEpochCurveChart(c.canvas, c.datasets, true));
    window.__textkitRunCharts = this.charts;
  }
}

declare global {
  interface Window {
    /** The Runs page's curves, for the browser test to read their datasets. */
    __textkitRunCharts?: EpochCurveChart[];
  }
}
