/** The Models page: what GET /v1/models lists, and one model's details as JSON text. */
import { h, replaceChildren } from "./dom.ts";
import { formatCount, formatTime } from "./format.ts";
import type { Page, PageContext } from "./page.ts";
import type { ModelList, ModelSummary } from "./types.ts";

/**
 * The Models page.
 *
 * @example
 * const page = new ModelsPage(context);
 * page.mount(main);
 * await page.refresh();
 */
export class ModelsPage implements Page {
  private readonly ctx: PageContext;
  private generation = 0;
  private selected: string | null = null;
  private models: ModelSummary[] = [];
  private body!: HTMLElement;
  private detailTitle!: HTMLElement;
  private details!: HTMLPreElement;
  private detailCard!: HTMLElement;

  constructor(ctx: PageContext) {
    this.ctx = ctx;
  }

  mount(root: HTMLElement): void {
    this.body = h("tbody");
    this.detailTitle = h("h2", {}, "Details");
    this.details = h("pre", { className: "json", testId: "model-details", attrs: { tabindex: "0" } });
    this.detailCard = h("section", { className: "card" }, this.detailTitle, this.details);
    this.detailCard.hidden = true;
    const th = (text: string, className?: string) =>
      h("th", { ...(className === undefined ? {} : { className }), attrs: { scope: "col" } }, text);
    replaceChildren(
      root,
      h(
        "section",
        { className: "card" },
        h("h2", {}, "Models"),
        h(
          "div",
          { className: "table-wrap" },
          h(
            "table",
            { className: "models", testId: "models" },
            h(
              "thead",
              {},
              h(
                "tr",
                {},
                th("Name"),
                th("Family"),
                th("Task"),
                th("Active version"),
                th("Labels", "num"),
                th("Created"),
              ),
            ),
            this.body,
          ),
        ),
      ),
      this.detailCard,
    );
  }

  unmount(): void {
    this.generation++;
  }

  async refresh(): Promise<void> {
    const generation = ++this.generation;
    let list: ModelList;
    try {
      list = await this.ctx.api.get<ModelList>("/v1/models");
    } catch (error) {
      if (generation === this.generation) this.ctx.report(error);
      return;
    }
    if (generation !== this.generation) return;
    this.ctx.clearError();
    this.models = list.models;
    this.renderList();
    if (this.selected !== null) await this.showDetails(this.selected);
  }

  private renderList(): void {
    if (this.models.length === 0) {
      replaceChildren(
        this.body,
        h("tr", {}, h("td", { className: "empty", attrs: { colspan: "6" } }, "This server has no models.")),
      );
      return;
    }
    replaceChildren(
      this.body,
      ...this.models.map((m) => {
        const active = m.versions.find((v) => v.version === m.activeVersion) ?? null;
        const failed = m.versions.filter((v) => v.state === "failed").length;
        const row = h(
          "tr",
          {
            className: m.name === this.selected ? "model-row selected" : "model-row",
            testId: "model",
            dataset: { name: m.name },
            attrs: { tabindex: "0", "aria-selected": String(m.name === this.selected) },
            onClick: () => void this.select(m.name),
          },
          h("td", {}, h("strong", {}, m.name)),
          h("td", {}, m.family ?? "—"),
          h("td", {}, m.task ?? "—"),
          h(
            "td",
            {},
            m.activeVersion ?? "none",
            failed > 0 && h("span", { className: "badge badge-negative" }, ` ${failed} failed`),
          ),
          h("td", { className: "num" }, m.labelCount === null ? "—" : formatCount(m.labelCount)),
          h("td", { className: "nowrap" }, formatTime(active?.createdAt ?? null)),
        );
        row.addEventListener("keydown", (event) => {
          if (event.key === "Enter" || event.key === " ") {
            event.preventDefault();
            void this.select(m.name);
          }
        });
        return row;
      }),
    );
  }

  private async select(name: string): Promise<void> {
    this.selected = name;
    this.renderList();
    await this.showDetails(name);
  }

  private async showDetails(name: string): Promise<void> {
    const generation = this.generation;
    let details: unknown;
    try {
      details = await this.ctx.api.get<unknown>(`/v1/models/${encodeURIComponent(name)}`);
    } catch (error) {
      if (generation === this.generation) this.ctx.report(error);
      return;
    }
    if (generation !== this.generation || this.selected !== name) return;
    this.detailTitle.textContent = `Details: ${name}`;
    // textContent: a manifest holds whatever its trainer wrote, so it is shown as text only.
    this.details.textContent = JSON.stringify(details, null, 2);
    this.detailCard.hidden = false;
  }
}
