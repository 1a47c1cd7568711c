/**
 * The Recommend page: one recommend application (#/recommend?app=shop). Choose a user and
 * see their history beside their recommendations (score, reason, the model and variant that
 * ranked them); Click and Like post events that the next list takes at once (the server
 * applies an event before it answers). A new visitor types interests or picks items and
 * gets cold-start recommendations; "Similar" shows items like one; the online figures
 * (click-through and conversion per variant, model version and position, the A/B
 * difference with its 95% interval, and the events counted as bad) refresh every 10 s.
 */
import { h, replaceChildren } from "./dom.ts";
import { formatNumber } from "./format.ts";
import type { Page, PageContext } from "./page.ts";
import type { CatalogView, Served, ServedItem, SimilarView, Stats, UserView } from "./page-types.ts";

const percent = (x: number) => `${(100 * x).toFixed(1)}%`;
const interval = (r: { low: number; high: number }) => `${percent(r.low)} – ${percent(r.high)}`;

function table(head: string[], rows: (string | number)[][], testId: string): HTMLElement {
  return h(
    "div",
    { className: "table-wrap" },
    h(
      "table",
      { testId },
      h("thead", {}, h("tr", {}, ...head.map((c) => h("th", {}, c)))),
      h("tbody", {}, ...rows.map((r) => h("tr", {}, ...r.map((c) => h("td", {}, String(c)))))),
    ),
  );
}

export class RecommendPage implements Page {
  private readonly context: PageContext;
  private readonly app: string;
  private user: string;
  private readonly userInput = h("input", {
    testId: "user-input",
    attrs: { type: "text", "aria-label": "User id" },
  });
  private readonly interestsInput = h("input", {
    testId: "interests-input",
    attrs: { type: "text", placeholder: "astronomy, 足球, recipes…", "aria-label": "Interests" },
  });
  private readonly searchInput = h("input", {
    testId: "search-input",
    attrs: { type: "text", placeholder: "find items to pick", "aria-label": "Find items" },
  });
  private readonly history = h("div", { testId: "history" });
  private readonly recommendations = h("div", { testId: "recommendations" });
  private readonly visitor = h("div", { testId: "visitor" });
  private readonly picks = h("div", { testId: "picks" });
  private readonly similar = h("div", { testId: "similar" });
  private readonly figures = h("div", { testId: "figures" });
  private readonly picked = new Set<string>();

  constructor(context: PageContext, params: URLSearchParams) {
    this.context = context;
    this.app = params.get("app") ?? "shop";
    this.user = params.get("user") ?? "u0000";
  }

  mount(root: HTMLElement): void {
    this.userInput.value = this.user;
    const show = h("button", { testId: "show-user", onClick: () => void this.showUser() }, "Show");
    const coldStart = h(
      "button",
      { testId: "cold-start", onClick: () => void this.coldStart([...this.picked]) },
      "Recommend for a new visitor",
    );
    const search = h(
      "button",
      { className: "secondary", testId: "search", onClick: () => void this.search() },
      "Find",
    );
    replaceChildren(
      root,
      h(
        "section",
        { className: "monitor" },
        h(
          "div",
          { className: "card toolbar" },
          h("h2", {}, `Recommend · ${this.app}`),
          h("label", {}, "User"),
          this.userInput,
          show,
        ),
        h(
          "div",
          { className: "grid-2" },
          h("section", { className: "card" }, h("h3", {}, "History"), this.history),
          h("section", { className: "card" }, h("h3", {}, "Recommendations"), this.recommendations),
        ),
        h(
          "div",
          { className: "grid-2" },
          h(
            "section",
            { className: "card" },
            h("h3", {}, "New visitor"),
            h("div", { className: "toolbar" }, this.interestsInput, coldStart),
            h("div", { className: "toolbar" }, this.searchInput, search),
            this.picks,
            this.visitor,
          ),
          h("section", { className: "card" }, h("h3", {}, "Similar items"), this.similar),
        ),
        h("section", { className: "card" }, h("h3", {}, "Online figures"), this.figures),
      ),
    );
    void this.showUser();
  }

  async refresh(): Promise<void> {
    try {
      const stats = await this.context.api.get<Stats>(`/v1/recommend/${encodeURIComponent(this.app)}/stats`);
      this.drawFigures(stats);
      this.context.clearError();
    } catch (error) {
      this.context.report(error);
    }
  }

  unmount(): void {}

  private path(rest: string): string {
    return `/v1/recommend/${encodeURIComponent(this.app)}/${rest}`;
  }

  private async showUser(): Promise<void> {
    this.user = this.userInput.value.trim() || this.user;
    try {
      const [view, served] = await Promise.all([
        this.context.api.get<UserView>(this.path(`users/${encodeURIComponent(this.user)}`)),
        this.context.api.post<Served>(this.path("recommend"), { user: this.user, k: 10 }),
      ]);
      replaceChildren(
        this.history,
        view.history.length === 0
          ? h("p", { className: "muted" }, "No events yet: popular items are recommended.")
          : table(
              ["item", "title", "category", "weight"],
              view.history.slice(0, 15).map((e) => [e.item, e.title, e.category, formatNumber(e.weight)]),
              "history-table",
            ),
      );
      this.drawServed(this.recommendations, served, true);
    } catch (error) {
      this.context.report(error);
    }
  }

  private drawServed(into: HTMLElement, served: Served, actions: boolean): void {
    const head = h(
      "p",
      { className: "muted", testId: "served-by" },
      `Ranked by ${served.model} (${served.engine}, version ${served.version}), variant ${served.variant}`,
    );
    const rows = served.items.map((r) =>
      h(
        "li",
        { testId: "rec", dataset: { item: r.item, category: r.category } },
        h("strong", {}, r.title),
        ` · ${r.category} · score ${r.score.toFixed(3)}`,
        h("div", { className: "muted", testId: "reason" }, r.reason.text),
        actions &&
          h(
            "span",
            { className: "toolbar" },
            h(
              "button",
              {
                className: "small-button",
                testId: "click",
                onClick: () => void this.act(served, r, "click"),
              },
              "Click",
            ),
            h(
              "button",
              { className: "small-button", testId: "like", onClick: () => void this.act(served, r, "like") },
              "Like",
            ),
            h(
              "button",
              {
                className: "secondary small-button",
                testId: "similar-button",
                onClick: () => void this.showSimilar(r.item),
              },
              "Similar",
            ),
          ),
      ),
    );
    replaceChildren(into, head, h("ol", {}, ...rows));
  }

  /** Posts the event with its impression; the next list already takes it. */
  private async act(served: Served, r: ServedItem, type: "click" | "like"): Promise<void> {
    try {
      await this.context.api.post(this.path("events"), {
        events: [{ user: served.user, item: r.item, type, impression: r.impression }],
      });
      if (served.user === this.user) await this.showUser();
      await this.refresh();
    } catch (error) {
      this.context.report(error);
    }
  }

  private async coldStart(items: string[]): Promise<void> {
    const interests = this.interestsInput.value.trim();
    try {
      const served = await this.context.api.post<Served>(this.path("cold-start"), {
        ...(interests === "" ? {} : { interests }),
        ...(items.length === 0 ? {} : { items }),
        k: 10,
      });
      replaceChildren(
        this.visitor,
        h(
          "p",
          { className: "muted" },
          `Visitor ${served.user}, from ${served.seeds?.length ?? 0} seed items`,
        ),
      );
      const list = h("div", {});
      this.drawServed(list, served, false);
      this.visitor.append(list);
      await this.refresh();
    } catch (error) {
      this.context.report(error);
    }
  }

  private async search(): Promise<void> {
    try {
      const found = await this.context.api.get<CatalogView>(this.path("catalog"), {
        q: this.searchInput.value.trim(),
        limit: 8,
      });
      replaceChildren(
        this.picks,
        h(
          "ul",
          {},
          ...found.items.map((i) => {
            const box = h("input", {
              testId: "pick",
              attrs: { type: "checkbox", "aria-label": `Pick ${i.title}` },
              dataset: { item: i.item },
            });
            box.checked = this.picked.has(i.item);
            box.addEventListener("change", () => {
              if (box.checked) this.picked.add(i.item);
              else this.picked.delete(i.item);
            });
            return h("li", {}, h("label", {}, box, ` ${i.title} · ${i.category}`));
          }),
        ),
      );
    } catch (error) {
      this.context.report(error);
    }
  }

  private async showSimilar(item: string): Promise<void> {
    try {
      const found = await this.context.api.get<SimilarView>(
        this.path(`items/${encodeURIComponent(item)}/similar`),
        { k: 8 },
      );
      replaceChildren(
        this.similar,
        h("p", { className: "muted" }, `Like ${item}, by ${found.model}`),
        table(
          ["item", "title", "category", "score"],
          found.items.map((s) => [s.item, s.title, s.category, s.score.toFixed(3)]),
          "similar-table",
        ),
      );
    } catch (error) {
      this.context.report(error);
    }
  }

  private drawFigures(stats: Stats): void {
    const { split, difference, events } = stats;
    const splitText =
      split.treatment === null
        ? `No A/B test: every user is served by ${split.control}.`
        : `A/B test: ${percent(split.share)} of users on ${split.treatment} (treatment), the rest on ${split.control} (control).`;
    const diff =
      difference === null
        ? null
        : h(
            "p",
            { testId: "ab-difference" },
            `CTR difference (treatment − control): ${percent(difference.ctr.estimate)}, 95% interval ${interval(difference.ctr)}` +
              (difference.ctr.significant ? " — significant" : " — not significant yet") +
              `; conversion ${percent(difference.conversion.estimate)} (${interval(difference.conversion)}).`,
          );
    replaceChildren(
      this.figures,
      h("p", { testId: "split" }, splitText),
      diff,
      table(
        ["variant", "impressions", "clicks", "CTR", "CTR 95%", "conversions", "conversion"],
        stats.byVariant.map((v) => [
          v.variant,
          v.impressions,
          v.ctr.count,
          percent(v.ctr.rate),
          interval(v.ctr),
          v.conversion.count,
          percent(v.conversion.rate),
        ]),
        "variant-table",
      ),
      table(
        ["model", "version", "variant", "impressions", "CTR", "conversion"],
        stats.byVersion.map((v) => [
          v.model,
          v.version,
          v.variant,
          v.impressions,
          percent(v.ctr.rate),
          percent(v.conversion.rate),
        ]),
        "version-table",
      ),
      table(
        ["variant", "position", "impressions", "CTR"],
        stats.byPosition.slice(0, 20).map((p) => [p.variant, p.position, p.impressions, percent(p.ctr.rate)]),
        "position-table",
      ),
      h(
        "p",
        { className: "muted", testId: "event-issues" },
        `Events: ${events.applied} applied from ${events.users} users; ${events.duplicates} duplicates, ` +
          `${events.unknownItem} on unknown items${events.unknownItems.length > 0 ? ` (${events.unknownItems.map((u) => u.item).join(", ")})` : ""}, ` +
          `${events.outOfOrder} out of order.`,
      ),
    );
  }
}
