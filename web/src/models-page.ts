/**
 * The Models page: the served models (GET /v1/models); for the one selected, its versions
 * with readable dates, the run that made each and which one is active, activation and
 * rollback after a confirmation (POST /v1/admin/models/{name}/activate, scope admin), the
 * chosen version's report and curves, and a "try it" box that asks the model.
 */
import { h, replaceChildren } from "./dom.ts";
import { formatCount, formatTime } from "./format.ts";
import { type RunMetricPoint, type RunRecordView, VersionRunView } from "./model-report.ts";
import { TryItBox } from "./model-try.ts";
import { ConfirmDialog, versionRows } from "./model-versions.ts";
import type { Page, PageContext } from "./page.ts";
import type { ModelList, ModelSummary } from "./types.ts";

interface Details {
  name: string;
  /** The version whose run is shown; null: the active one. */
  version: string | null;
  /** The version whose run the view holds now, to redraw only when it changes. */
  shown: string | null;
  tryIt: TryItBox;
  versions: HTMLElement;
  run: VersionRunView;
  /** GET /v1/models/{name} as text: the active version's manifest, metrics and details. */
  json: HTMLPreElement;
}

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
  private models: ModelSummary[] = [];
  /** Digest -> id of the run that made it (null: none recorded). */
  private readonly runOf = new Map<string, string | null>();
  private details: Details | null = null;
  private readonly dialog = new ConfirmDialog();
  private body!: HTMLElement;
  private detailCard!: HTMLElement;

  constructor(ctx: PageContext) {
    this.ctx = ctx;
  }

  mount(root: HTMLElement): void {
    this.body = h("tbody");
    this.detailCard = h("section", { className: "card model-details", testId: "model-card" });
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
      this.dialog.element,
    );
  }

  unmount(): void {
    this.generation++;
    this.details?.run.destroyCharts();
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
    await this.renderDetails(generation);
  }

  private renderList(): void {
    if (this.models.length === 0) {
      replaceChildren(
        this.body,
        h("tr", {}, h("td", { className: "empty", attrs: { colspan: "6" } }, "This server has no models.")),
      );
      return;
    }
    const selected = this.details?.name ?? null;
    replaceChildren(
      this.body,
      ...this.models.map((m) => {
        const active = m.versions.find((v) => v.version === m.activeVersion) ?? null;
        const failed = m.versions.filter((v) => v.state === "failed").length;
        const row = h(
          "tr",
          {
            className: m.name === selected ? "model-row selected" : "model-row",
            testId: "model",
            dataset: { name: m.name },
            attrs: { tabindex: "0", "aria-selected": String(m.name === selected) },
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
    if (this.details?.name === name) return;
    this.details?.run.destroyCharts();
    const model = this.models.find((m) => m.name === name);
    const versions = h("tbody");
    const run = new VersionRunView();
    const tryIt = new TryItBox(this.ctx, name, model?.family ?? null);
    const json = h("pre", { className: "json", testId: "model-details", attrs: { tabindex: "0" } });
    this.details = { name, version: null, shown: null, tryIt, versions, run, json };
    const th = (text: string) => h("th", { attrs: { scope: "col" } }, text);
    replaceChildren(
      this.detailCard,
      h("h2", {}, `Model ${name}`),
      h(
        "div",
        { className: "table-wrap" },
        h(
          "table",
          { className: "versions", testId: "versions" },
          h("thead", {}, h("tr", {}, th("Version"), th("Created"), th("State"), th("Run"), th(""))),
          versions,
        ),
      ),
      tryIt.element,
      h("section", { className: "card" }, h("h3", {}, "Training"), run.element),
      h(
        "details",
        { className: "card", attrs: { open: "" } },
        h("summary", {}, "Manifest and details of the active version (JSON)"),
        json,
      ),
    );
    this.detailCard.hidden = false;
    this.renderList();
    await this.renderDetails(this.generation);
  }

  /** Redraws the versions of the selected model, and its run when the version shown changed. */
  private async renderDetails(generation: number): Promise<void> {
    const details = this.details;
    if (details === null) return;
    const model = this.models.find((m) => m.name === details.name);
    if (model === undefined) {
      this.detailCard.hidden = true;
      this.details = null;
      return;
    }
    await this.lookUpRuns(model);
    if (generation !== this.generation || this.details !== details) return;
    const version = details.version ?? model.activeVersion;
    replaceChildren(
      details.versions,
      ...versionRows(model, this.runOf, version, {
        select: (v) => {
          details.version = v;
          void this.renderDetails(this.generation);
        },
        activate: (v, verb) => void this.activate(model, v, verb),
      }),
    );
    if (version === null || version === details.shown) return;
    details.shown = version;
    void this.showJson(details);
    const digest = model.versions.find((v) => v.version === version)?.digest ?? null;
    const runId = digest === null ? null : (this.runOf.get(digest) ?? null);
    if (runId === null) {
      details.run.showMissing(version);
      return;
    }
    try {
      const res = await this.ctx.api.get<{ run: RunRecordView; metrics: RunMetricPoint[] }>(
        `/v1/runs/${encodeURIComponent(runId)}`,
      );
      if (this.details === details && details.shown === version)
        details.run.show(version, res.run, res.metrics);
    } catch (error) {
      details.shown = null;
      this.ctx.report(error);
    }
  }

  private async showJson(details: Details): Promise<void> {
    try {
      const json = await this.ctx.api.get<unknown>(`/v1/models/${encodeURIComponent(details.name)}`);
      // textContent: a manifest holds whatever its trainer wrote, so it is shown as text only.
      if (this.details === details) details.json.textContent = JSON.stringify(json, null, 2);
    } catch (error) {
      this.ctx.report(error);
    }
  }

  /** Finds the run of each version not looked up yet, by its artifact's digest. */
  private async lookUpRuns(model: ModelSummary): Promise<void> {
    for (const v of model.versions) {
      const digest = v.digest ?? null;
      if (digest === null || this.runOf.has(digest)) continue;
      try {
        const res = await this.ctx.api.get<{ runs: { id: string }[] }>("/v1/runs", {
          tag: `artifact:${digest}`,
          limit: 1,
        });
        this.runOf.set(digest, res.runs[0]?.id ?? null);
      } catch {
        // A server without a runs database: the versions are shown without their runs.
        this.runOf.set(digest, null);
      }
    }
  }

  private async activate(model: ModelSummary, version: string, verb: string): Promise<void> {
    const latest = version === "latest";
    const yes = await this.dialog.ask(
      latest ? `Follow the latest version of ${model.name}?` : `${verb} ${model.name} to version ${version}?`,
      latest
        ? "The newest version that loads becomes active, now and whenever a newer one is added."
        : `Every request to ${model.name} is answered by version ${version} from now on, in every server process, until another version is chosen.`,
      latest ? "Follow latest" : verb,
    );
    if (!yes) return;
    try {
      await this.ctx.api.post(`/v1/admin/models/${encodeURIComponent(model.name)}/activate`, { version });
    } catch (error) {
      this.ctx.report(error);
      return;
    }
    if (this.details !== null && this.details.name === model.name) this.details.version = null;
    await this.refresh();
  }
}
