/**
 * The Radar page (#/radar): the technology radar that `textkit radar build` or `textkit demo`
 * stored, at any date of its history. A slider moves through the snapshots and redraws the
 * radar at that date (blips keep their place, see radar-svg.ts); clicking a blip opens its
 * detail (radar-detail.ts); the risk matrix places every scored technology; the suggestions
 * panel ranks what to learn next for a skill profile; the radar exports and imports as
 * Build-Your-Own-Radar CSV or JSON. #/radar?date=2026-01-05 opens it at a date.
 */
import { h, replaceChildren } from "./dom.ts";
import { formatCount } from "./format.ts";
import type { Page, PageContext } from "./page.ts";
import { renderDetail } from "./radar-detail.ts";
import { ProfileForm } from "./radar-profile.ts";
import { renderRiskMatrix } from "./radar-risk-matrix.ts";
import { drawRadar, radarLegend } from "./radar-svg.ts";
import type {
  RadarImportResult,
  RadarSuggestion,
  RadarSuggestions,
  RadarTechnologyView,
  RadarView,
} from "./radar-types.ts";

/** Builds the Radar page. */
export class RadarPage implements Page {
  private readonly context: PageContext;
  private view: RadarView | null = null;
  /** The chosen snapshot's period (ISO), or null for the latest. */
  private date: string | null;
  private selected: string | null = null;
  private readonly slider = h("input", {
    testId: "radar-slider",
    attrs: { type: "range", min: "0", max: "0", step: "1", value: "0", "aria-label": "Snapshot date" },
  });
  private readonly dateLabel = h("strong", { testId: "radar-date" });
  private readonly radar = h("div", { className: "radar-box", testId: "radar" });
  private readonly unplaced = h("div", { testId: "no-ring" });
  private readonly findings = h("div", { testId: "findings" });
  private readonly detail = h("div", { testId: "detail" }, h("p", {}, "Click a blip to see its detail."));
  private readonly matrix = h("div", {});
  private readonly suggestions = h("div", { testId: "suggestions" });
  private readonly imported = h("div", { testId: "import-result" });
  private readonly file = h("input", {
    testId: "import-file",
    attrs: {
      type: "file",
      accept: ".csv,.json,text/csv,application/json",
      "aria-label": "BYOR file to import",
    },
  });
  private readonly profile = new ProfileForm();

  constructor(context: PageContext, params: URLSearchParams) {
    this.context = context;
    this.date = params.get("date");
  }

  mount(root: HTMLElement): void {
    this.slider.addEventListener("input", () => this.showSliderDate());
    this.slider.addEventListener("change", () => void this.moveTo(Number(this.slider.value)));
    this.file.addEventListener("change", () => void this.importFile());
    const exportButton = (format: "csv" | "json") =>
      h(
        "button",
        { className: "secondary", testId: `export-${format}`, onClick: () => void this.download(format) },
        `Export ${format.toUpperCase()}`,
      );
    replaceChildren(
      root,
      h(
        "section",
        { className: "monitor" },
        h(
          "div",
          { className: "card toolbar" },
          h("h2", {}, "Technology radar"),
          h("label", { className: "field radar-slider" }, "Date ", this.slider),
          this.dateLabel,
          exportButton("csv"),
          exportButton("json"),
          h("label", { className: "field" }, "Import BYOR ", this.file),
        ),
        h(
          "div",
          { className: "grid-2" },
          h("section", { className: "card" }, this.radar, radarLegend(), this.unplaced, this.findings),
          h("section", { className: "card" }, this.detail),
        ),
        h(
          "div",
          { className: "grid-2" },
          h("section", { className: "card" }, h("h3", {}, "Risk matrix"), this.matrix),
          h(
            "section",
            { className: "card" },
            h("h3", {}, "What to learn next"),
            this.profile.element(() => void this.suggest()),
            this.suggestions,
          ),
        ),
        h("section", { className: "card" }, h("h3", {}, "Imported radar compared"), this.imported),
      ),
    );
  }

  async refresh(): Promise<void> {
    try {
      this.view = await this.context.api.get<RadarView>("/v1/radar", { date: this.date });
      this.draw();
      this.context.clearError();
    } catch (error) {
      this.context.report(error);
    }
  }

  unmount(): void {}

  private showSliderDate(): void {
    const shot = this.view?.snapshots[Number(this.slider.value)];
    if (shot !== undefined) this.dateLabel.textContent = `${shot.label} (loading…)`;
  }

  /** Loads the snapshot at slider position `index`; the last position follows the latest. */
  private async moveTo(index: number): Promise<void> {
    const snapshots = this.view?.snapshots ?? [];
    const shot = snapshots[index];
    if (shot === undefined) return;
    this.date = index === snapshots.length - 1 ? null : shot.period;
    await this.refresh();
    if (this.selected !== null) await this.select(this.selected);
  }

  private draw(): void {
    const view = this.view;
    if (view === null) return;
    const shot = view.snapshot;
    const index = view.snapshots.findIndex((s) => s.label === shot.label);
    this.slider.max = String(Math.max(0, view.snapshots.length - 1));
    this.slider.value = String(Math.max(0, index));
    this.dateLabel.textContent = `${shot.label} · ${formatCount(shot.documents)} documents`;
    this.dateLabel.dataset["label"] = shot.label;
    const rings = view.rings.map((r) => r.name);
    const drawing = drawRadar(view.quadrants, rings, shot.blips, this.selected, (t) => void this.select(t));
    replaceChildren(this.radar, drawing.element);
    const left = shot.blips.filter((b) => !drawing.drawn.includes(b));
    replaceChildren(
      this.unplaced,
      left.length === 0
        ? null
        : h(
            "p",
            { className: "muted" },
            "No ring at this date: ",
            left.map((b) => `${b.technology} (${b.reason ?? b.movement})`).join("; "),
          ),
    );
    replaceChildren(
      this.findings,
      ...view.findings.map((f) => h("p", { className: "alert-message" }, `⚠ ${f.message}`)),
    );
    replaceChildren(
      this.matrix,
      renderRiskMatrix(shot.blips, (t) => void this.select(t)),
    );
  }

  /** The suggestions for the panel's profile at the shown date (all of them with `limit`). */
  private async fetchSuggestions(limit: number): Promise<RadarSuggestions> {
    return this.context.api.post<RadarSuggestions>("/v1/radar/suggest", {
      ...this.profile.request(),
      ...(this.date === null ? {} : { date: this.date }),
      limit,
    });
  }

  private async select(technology: string): Promise<void> {
    this.selected = technology;
    for (const blip of this.radar.querySelectorAll<SVGGElement>("[data-technology]")) {
      blip.classList.toggle("selected", blip.dataset["technology"] === technology);
    }
    try {
      const view = await this.context.api.get<RadarTechnologyView>(
        `/v1/radar/technologies/${encodeURIComponent(technology)}`,
        { date: this.date },
      );
      let suggestion: RadarSuggestion | null = null;
      let note = this.profile.describe();
      try {
        suggestion =
          (await this.fetchSuggestions(500)).suggestions.find((s) => s.technology === technology) ?? null;
      } catch (error) {
        note = `no l: ${error instanceof Error ? error.message : String(error)}`;
      }
      const at = this.view?.snapshot.period ?? new Date().toISOString();
      replaceChildren(
        this.detail,
        renderDetail(view, at, suggestion, note, (t) => void this.select(t)),
      );
    } catch (error) {
      this.context.report(error);
    }
  }

  private async suggest(): Promise<void> {
    try {
      const result = await this.fetchSuggestions(10);
      replaceChildren(
        this.suggestions,
        h("p", { className: "muted" }, `At ${result.snapshot}, ${this.profile.describe()}:`),
        h(
          "ol",
          {},
          ...result.suggestions.map((s) =>
            h(
              "li",
              { testId: "suggestion", dataset: { technology: s.technology, e: String(s.e) } },
              h(
                "button",
                { className: "secondary", onClick: () => void this.select(s.technology) },
                s.technology,
              ),
              ` E ${s.e.toFixed(3)} · ${s.ring ?? "no ring"} · about ${Math.max(1, Math.round(s.weeks))} weeks`,
              h("ul", {}, ...s.reasons.map((r) => h("li", {}, r))),
            ),
          ),
        ),
      );
      this.context.clearError();
    } catch (error) {
      this.context.report(error);
    }
  }

  /** Downloads the shown snapshot as BYOR CSV or JSON (fetched with the key, then saved). */
  private async download(format: "csv" | "json"): Promise<void> {
    try {
      const text = await this.context.api.text("/v1/radar/export", { format, date: this.date });
      const type = format === "csv" ? "text/csv" : "application/json";
      const url = URL.createObjectURL(new Blob([text], { type }));
      const link = h("a", {
        attrs: { href: url, download: `radar-${this.view?.snapshot.label ?? "latest"}.${format}` },
      });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (error) {
      this.context.report(error);
    }
  }

  /** Sends a chosen BYOR file to the import route and shows how it compares. */
  private async importFile(): Promise<void> {
    const file = this.file.files?.[0];
    if (file === undefined) return;
    try {
      const result = await this.context.api.post<RadarImportResult>("/v1/radar/import", {
        content: await file.text(),
        name: file.name,
        ...(this.date === null ? {} : { date: this.date }),
      });
      const rows = result.comparison.map((c) =>
        h(
          "tr",
          { testId: "import-row", dataset: { technology: c.name } },
          h("td", {}, c.name),
          h("td", {}, c.theirs ?? "–"),
          h("td", {}, c.ours ?? "–"),
          h("td", { className: "num" }, c.difference === null ? "–" : String(c.difference)),
        ),
      );
      replaceChildren(
        this.imported,
        h("p", {}, `${file.name}: ${result.entries} entries against ${result.snapshot}`),
        h(
          "div",
          { className: "table-wrap" },
          h(
            "table",
            {},
            h(
              "thead",
              {},
              h(
                "tr",
                {},
                h("th", {}, "technology"),
                h("th", {}, "theirs"),
                h("th", {}, "ours"),
                h("th", {}, "rings apart"),
              ),
            ),
            h("tbody", {}, ...rows),
          ),
        ),
      );
      this.context.clearError();
    } catch (error) {
      this.context.report(error);
    } finally {
      this.file.value = "";
    }
  }
}
