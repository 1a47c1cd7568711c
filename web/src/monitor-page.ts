/**
 * The Monitor page: volume and sentiment over time, open alerts, top terms and entities,
 * and the latest documents, for a chosen range and topic.
 */
import type { ChartDataset } from "chart.js";
import { ApiError } from "./api.ts";
import {
  type BarChart,
  createSentimentChart,
  createTopicTrendChart,
  fillDataTable,
  type LineChart,
  SENTIMENT_COLOURS,
  setChartData,
  topicColour,
  unfinishedBucket,
  unfinishedColours,
  unfinishedSegment,
} from "./charts.ts";
import { h, replaceChildren } from "./dom.ts";
import {
  formatBucket,
  formatClock,
  formatCount,
  formatDate,
  formatNumber,
  formatShare,
  formatTime,
  snippet,
} from "./format.ts";
import type { Page, PageContext } from "./page.ts";
import type {
  Alert,
  DocumentEntity,
  EntityCount,
  MonitorDocument,
  MonitorStatus,
  SentimentSeries,
  TermCount,
  Trends,
} from "./types.ts";

const RANGES = [
  { key: "1h", label: "Last hour", ms: 3_600_000 },
  { key: "6h", label: "Last 6 hours", ms: 6 * 3_600_000 },
  { key: "24h", label: "Last 24 hours", ms: 24 * 3_600_000 },
  { key: "48h", label: "Last 48 hours", ms: 48 * 3_600_000 },
  { key: "7d", label: "Last 7 days", ms: 7 * 24 * 3_600_000 },
] as const;
type RangeKey = (typeof RANGES)[number]["key"];
const DEFAULT_RANGE: RangeKey = "24h";

const ALL_TOPICS = "";

interface Tile {
  value: HTMLElement;
  note: HTMLElement;
}

function isRangeKey(value: string | null): value is RangeKey {
  return RANGES.some((r) => r.key === value);
}

function sum(values: readonly number[]): number {
  let total = 0;
  for (const v of values) total += v;
  return total;
}

/** A URL a link may point to: http(s) only, so that a document cannot smuggle in javascript: links. */
function safeHref(url: string | null): string | null {
  if (url === null) return null;
  try {
    const parsed = new URL(url);
    return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : null;
  } catch {
    return null;
  }
}

/** The text with its entities marked, built from text nodes; overlapping or stray spans are skipped. */
export function highlightEntities(text: string, entities: readonly DocumentEntity[]): Node[] {
  const spans = entities
    .filter(
      (e) => Number.isInteger(e.start) && Number.isInteger(e.end) && e.start >= 0 && e.end <= text.length,
    )
    .filter((e) => e.end > e.start)
    .sort((a, b) => a.start - b.start || b.end - a.end);
  const out: Node[] = [];
  let at = 0;
  for (const entity of spans) {
    if (entity.start < at) continue;
    if (entity.start > at) out.push(document.createTextNode(text.slice(at, entity.start)));
    out.push(
      h(
        "mark",
        { className: "entity", attrs: { title: `${entity.label} (${formatNumber(entity.score)})` } },
        text.slice(entity.start, entity.end),
        h("span", { className: "entity-label" }, entity.label),
      ),
    );
    at = entity.end;
  }
  if (at < text.length) out.push(document.createTextNode(text.slice(at)));
  return out;
}

function sentimentBadge(sentiment: string | null, score: number | null): HTMLElement {
  if (sentiment === null) return h("span", { className: "badge badge-none" }, "—");
  return h(
    "span",
    { className: `badge badge-${sentiment}`, dataset: { sentiment } },
    sentiment,
    score !== null && h("span", { className: "badge-score" }, ` ${formatNumber(score)}`),
  );
}

/**
 * The Monitor page.
 *
 * @example
 * const page = new MonitorPage(context, new URLSearchParams("range=6h"));
 * page.mount(main);
 * await page.refresh();
 */
export class MonitorPage implements Page {
  private readonly ctx: PageContext;
  private range: RangeKey;
  private topic: string;
  private generation = 0;
  private readonly expanded = new Set<string>();
  private documents: MonitorDocument[] = [];
  private topics: string[] = [];

  private toolbar!: HTMLElement;
  private disabledPanel!: HTMLElement;
  private content!: HTMLElement;
  private topicSelect!: HTMLSelectElement;
  private updated!: HTMLElement;
  private tiles!: Record<"documents" | "negative" | "alerts" | "last", Tile>;
  private statusLine!: HTMLElement;
  private trendTable!: HTMLTableElement;
  private sentimentTable!: HTMLTableElement;
  private sentimentTitle!: HTMLElement;
  private alertList!: HTMLElement;
  private termList!: HTMLElement;
  private entityList!: HTMLElement;
  private documentBody!: HTMLElement;
  private topicTrend: LineChart | null = null;
  private sentiment: BarChart | null = null;

  constructor(ctx: PageContext, params: URLSearchParams) {
    this.ctx = ctx;
    const range = params.get("range");
    this.range = isRangeKey(range) ? range : DEFAULT_RANGE;
    this.topic = params.get("topic") ?? ALL_TOPICS;
  }

  mount(root: HTMLElement): void {
    const rangeSelect = h(
      "select",
      { testId: "range", attrs: { id: "range" } },
      ...RANGES.map((r) => h("option", { attrs: { value: r.key } }, r.label)),
    );
    rangeSelect.value = this.range;
    rangeSelect.addEventListener("change", () => {
      if (isRangeKey(rangeSelect.value)) this.range = rangeSelect.value;
      this.changed();
    });
    this.topicSelect = h("select", { testId: "topic-filter", attrs: { id: "topic-filter" } });
    this.fillTopics([]);
    this.topicSelect.addEventListener("change", () => {
      this.topic = this.topicSelect.value;
      this.changed();
    });
    this.updated = h("span", { className: "updated", attrs: { "aria-live": "polite" } });

    this.disabledPanel = h("section", { className: "card notice", testId: "monitor-disabled" });
    this.disabledPanel.hidden = true;

    const tile = (key: string, label: string): [HTMLElement, Tile] => {
      const value = h("span", { className: "tile-value" }, "—");
      const note = h("span", { className: "tile-note" });
      return [
        h(
          "div",
          { className: "tile", testId: `summary-${key}` },
          h("span", { className: "tile-label" }, label),
          value,
          note,
        ),
        { value, note },
      ];
    };
    const [docTile, documents] = tile("documents", "Documents in range");
    const [negTile, negative] = tile("negative", "Negative share");
    const [alertTile, alerts] = tile("alerts", "Open alerts");
    const [lastTile, last] = tile("last", "Last document");
    this.tiles = { documents, negative, alerts, last };
    this.statusLine = h("p", { className: "status-line", testId: "monitor-status" });

    const trendCanvas = h(
      "canvas",
      {
        attrs: {
          role: "img",
          "aria-label": "Line chart: documents per topic over time; the table below lists the numbers",
        },
      },
      "Documents per topic over time; the table below lists the numbers.",
    );
    const sentimentCanvas = h(
      "canvas",
      {
        attrs: {
          role: "img",
          "aria-label":
            "Stacked bar chart: negative, neutral and positive documents over time; the table below lists the numbers",
        },
      },
      "Negative, neutral and positive documents over time; the table below lists the numbers.",
    );
    this.trendTable = h("table", { className: "data-table" });
    this.sentimentTable = h("table", { className: "data-table" });
    this.sentimentTitle = h("h2", {}, "Sentiment over time");
    this.alertList = h("ul", { className: "alerts", testId: "alerts" });
    this.termList = h("ol", { className: "bars", testId: "terms" });
    this.entityList = h("ol", { className: "bars", testId: "entities" });
    this.documentBody = h("tbody");

    this.content = h(
      "div",
      { className: "monitor" },
      h(
        "section",
        { className: "summary", testId: "summary", attrs: { "aria-label": "Summary" } },
        docTile,
        negTile,
        alertTile,
        lastTile,
      ),
      this.statusLine,
      h(
        "div",
        { className: "grid-2" },
        h(
          "section",
          { className: "card" },
          h("h2", {}, "Volume per topic"),
          h("div", { className: "chart-box", testId: "topic-trend-chart" }, trendCanvas),
          h("details", {}, h("summary", {}, "Show the numbers"), this.trendTable),
        ),
        h(
          "section",
          { className: "card" },
          this.sentimentTitle,
          h("div", { className: "chart-box", testId: "sentiment-chart" }, sentimentCanvas),
          h("details", {}, h("summary", {}, "Show the numbers"), this.sentimentTable),
        ),
      ),
      h("section", { className: "card" }, h("h2", {}, "Alerts"), this.alertList),
      h(
        "div",
        { className: "grid-2" },
        h("section", { className: "card" }, h("h2", {}, "Top terms"), this.termList),
        h("section", { className: "card" }, h("h2", {}, "Top entities"), this.entityList),
      ),
      h(
        "section",
        { className: "card" },
        h("h2", {}, "Recent documents"),
        h(
          "div",
          { className: "table-wrap" },
          h(
            "table",
            { className: "documents", testId: "documents" },
            h(
              "thead",
              {},
              h(
                "tr",
                {},
                h("th", { attrs: { scope: "col" } }, "Time"),
                h("th", { attrs: { scope: "col" } }, "Source"),
                h("th", { attrs: { scope: "col" } }, "Title"),
                h("th", { attrs: { scope: "col" } }, "Topic"),
                h("th", { attrs: { scope: "col" } }, "Sentiment"),
              ),
            ),
            this.documentBody,
          ),
        ),
      ),
    );

    this.toolbar = h(
      "div",
      { className: "toolbar" },
      h("label", { attrs: { for: "range" } }, "Range"),
      rangeSelect,
      h("label", { attrs: { for: "topic-filter" } }, "Topic"),
      this.topicSelect,
      this.updated,
    );
    replaceChildren(root, this.toolbar, this.disabledPanel, this.content);
    this.topicTrend = createTopicTrendChart(trendCanvas);
    this.sentiment = createSentimentChart(sentimentCanvas);
    window.__textkitCharts = { topicTrend: this.topicTrend, sentiment: this.sentiment };
  }

  unmount(): void {
    this.generation++;
    this.topicTrend?.destroy();
    this.sentiment?.destroy();
    this.topicTrend = null;
    this.sentiment = null;
    window.__textkitCharts = { topicTrend: null, sentiment: null };
  }

  async refresh(): Promise<void> {
    const generation = ++this.generation;
    const current = () => generation === this.generation;
    let status: MonitorStatus;
    try {
      status = await this.ctx.api.get<MonitorStatus>("/v1/monitor/status");
    } catch (error) {
      if (!current()) return;
      // A server without the monitor routes at all (older, or built without them) says NOT_FOUND.
      if (
        error instanceof ApiError &&
        error.status === 404 &&
        (error.code === "MONITOR_DISABLED" || error.code === "NOT_FOUND")
      ) {
        this.showDisabled();
        this.ctx.clearError();
        return;
      }
      this.ctx.report(error);
      return;
    }
    if (!current()) return;
    this.disabledPanel.hidden = true;
    this.content.hidden = false;
    this.toolbar.hidden = false;
    this.fillTopics(status.topics);

    const to = new Date();
    const from = new Date(to.getTime() - RANGES.find((r) => r.key === this.range)!.ms);
    const span = { from: from.toISOString(), to: to.toISOString() };
    const filtered = { ...span, topic: this.topic === ALL_TOPICS ? null : this.topic };
    const api = this.ctx.api;
    // The routes' default limits (50 alerts, 20 terms and entities, 50 documents) are the ones shown.
    const [trends, alerts, terms, entities, documents] = await Promise.allSettled([
      api.get<Trends>("/v1/monitor/trends", span),
      api.get<{ alerts: Alert[] }>("/v1/monitor/alerts", { status: "all" }),
      api.get<{ terms: TermCount[] }>("/v1/monitor/terms", filtered),
      api.get<{ entities: EntityCount[] }>("/v1/monitor/entities", filtered),
      api.get<{ documents: MonitorDocument[] }>("/v1/monitor/documents", filtered),
    ]);
    if (!current()) return;

    this.renderStatus(status);
    if (trends.status === "fulfilled") this.renderTrends(trends.value, to.getTime() - from.getTime());
    if (alerts.status === "fulfilled") this.renderAlerts(alerts.value.alerts);
    if (terms.status === "fulfilled") this.renderTerms(terms.value.terms);
    if (entities.status === "fulfilled") this.renderEntities(entities.value.entities);
    if (documents.status === "fulfilled") {
      this.documents = documents.value.documents;
      this.renderDocuments();
    }
    const failed = [trends, alerts, terms, entities, documents].find((r) => r.status === "rejected");
    if (failed !== undefined && failed.status === "rejected") this.ctx.report(failed.reason);
    else this.ctx.clearError();
    this.updated.textContent = `Updated ${to.toLocaleTimeString()}`;
  }

  /** A new range or topic: remember it in the address (without a hashchange) and fetch again. */
  private changed(): void {
    const params = new URLSearchParams();
    if (this.range !== DEFAULT_RANGE) params.set("range", this.range);
    if (this.topic !== ALL_TOPICS) params.set("topic", this.topic);
    const query = params.toString();
    history.replaceState(null, "", query === "" ? "#/monitor" : `#/monitor?${query}`);
    void this.refresh();
  }

  private fillTopics(topics: readonly string[]): void {
    const wanted = [...topics];
    // A topic chosen before (from the address) stays selectable even when no longer listed.
    if (this.topic !== ALL_TOPICS && !wanted.includes(this.topic)) wanted.push(this.topic);
    if (this.topicSelect.options.length === wanted.length + 1 && wanted.every((t, i) => t === this.topics[i]))
      return;
    this.topics = wanted;
    replaceChildren(
      this.topicSelect,
      h("option", { attrs: { value: ALL_TOPICS } }, "All topics"),
      ...wanted.map((t) => h("option", { attrs: { value: t } }, t)),
    );
    this.topicSelect.value = this.topic;
  }

  private showDisabled(): void {
    this.content.hidden = true;
    replaceChildren(
      this.disabledPanel,
      h("h2", {}, "The monitor is not enabled on this server"),
      h(
        "p",
        {},
        "Start the server with a monitor configuration: ",
        h("code", {}, "textkit serve --monitor monitor.json"),
        ", or try the demo with ",
        h("code", {}, "npm run demo"),
        ".",
      ),
    );
    this.disabledPanel.hidden = false;
    this.toolbar.hidden = true;
  }

  private renderStatus(status: MonitorStatus): void {
    const { alerts, last } = this.tiles;
    alerts.value.textContent = formatCount(status.openAlerts);
    alerts.note.textContent = `${formatCount(status.rules)} rule${status.rules === 1 ? "" : "s"}`;
    last.value.textContent = formatClock(status.lastIngestAt);
    last.note.textContent = `${formatDate(status.lastIngestAt)} · ${formatCount(status.documents)} stored in all`;
    const models = status.models;
    const parts = [
      `Topic model: ${models.topic ?? "none"}`,
      `sentiment model: ${models.sentiment ?? "none"}`,
      `entity model: ${models.entities ?? "none"}`,
      ...(models.language === undefined ? [] : [`language: ${models.language}`]),
      `queue ${formatCount(status.queue.pending)} / ${formatCount(status.queue.capacity)}`,
    ];
    const feeds = status.sources.feeds;
    if (feeds.length > 0) {
      const failing = feeds.filter((f) => f.lastError !== null).length;
      parts.push(
        `${feeds.length} feed${feeds.length === 1 ? "" : "s"}${failing > 0 ? ` (${failing} failing)` : ""}`,
      );
    }
    const stream = status.sources.stream;
    if (stream !== null)
      parts.push(`stream ${stream.stream} ${stream.connected ? "connected" : "disconnected"}`);
    this.statusLine.textContent = parts.join(" · ");
  }

  private renderTrends(trends: Trends, spanMs: number): void {
    const labels = trends.times.map((t) => formatBucket(t, trends.bucket, spanMs > 24 * 3_600_000));
    // The bucket under way is drawn apart (dashed, faded, "so far"), not as a drop.
    const unfinished = unfinishedBucket(trends.times, trends.bucket, trends.to);
    if (unfinished !== null) labels[unfinished] = `${labels[unfinished]} (so far)`;
    const selected = this.topic === ALL_TOPICS ? null : this.topic;
    const lines: ChartDataset<"line", number[]>[] = trends.topics.map((series) => {
      const index = this.topics.indexOf(series.topic);
      const colour = topicColour(index === -1 ? trends.topics.indexOf(series) : index);
      const dimmed = selected !== null && series.topic !== selected;
      return {
        label: series.topic,
        data: series.total,
        borderColor: dimmed ? `${colour}55` : colour,
        backgroundColor: colour,
        borderWidth: selected === series.topic ? 3 : 2,
        segment: unfinishedSegment(unfinished),
      };
    });
    if (this.topicTrend !== null) setChartData(this.topicTrend, labels, lines);
    fillDataTable(
      this.trendTable,
      "Documents per topic",
      labels,
      lines.map((l) => ({ label: l.label ?? "", data: l.data })),
    );

    const series: SentimentSeries =
      selected === null
        ? trends.all
        : (trends.topics.find((t) => t.topic === selected) ?? emptySeries(trends.times.length));
    this.sentimentTitle.textContent =
      selected === null ? "Sentiment over time" : `Sentiment over time: ${selected}`;
    const bars: ChartDataset<"bar", number[]>[] = (["negative", "neutral", "positive"] as const).map((s) => ({
      label: s,
      data: series[s],
      backgroundColor: unfinishedColours(SENTIMENT_COLOURS[s], series[s].length, unfinished),
      stack: "sentiment",
    }));
    if (this.sentiment !== null) setChartData(this.sentiment, labels, bars);
    fillDataTable(
      this.sentimentTable,
      "Documents per sentiment",
      labels,
      bars.map((b) => ({ label: b.label ?? "", data: b.data })),
    );

    const total = sum(series.total);
    const labelled = sum(series.positive) + sum(series.neutral) + sum(series.negative);
    this.tiles.documents.value.textContent = formatCount(total);
    this.tiles.documents.note.textContent = selected === null ? "all topics" : selected;
    this.tiles.negative.value.textContent = formatShare(
      labelled === 0 ? null : sum(series.negative) / labelled,
    );
    this.tiles.negative.note.textContent = `of ${formatCount(labelled)} with a sentiment`;
  }

  private renderAlerts(alerts: Alert[]): void {
    const selected = this.topic === ALL_TOPICS ? null : this.topic;
    // With a topic chosen, its alerts only, as for the charts and the documents.
    const shown = selected === null ? alerts : alerts.filter((a) => a.topic === selected);
    const sorted = [...shown].sort(
      (a, b) =>
        Number(b.status === "open") - Number(a.status === "open") || b.firedAt.localeCompare(a.firedAt),
    );
    if (selected !== null) {
      const { alerts: tile } = this.tiles;
      tile.value.textContent = formatCount(shown.filter((a) => a.status === "open").length);
      tile.note.textContent = `on ${selected}`;
    }
    if (sorted.length === 0) {
      replaceChildren(
        this.alertList,
        h(
          "li",
          { className: "empty" },
          selected === null ? "No alerts have fired." : `No alerts have fired on ${selected}.`,
        ),
      );
      return;
    }
    replaceChildren(this.alertList, ...sorted.map((a) => this.alertItem(a)));
  }

  private alertItem(alert: Alert): HTMLElement {
    const share = alert.kind === "negative_share";
    const value = (n: number | null) => (share ? formatShare(n) : formatNumber(n));
    const b = alert.baseline;
    const baseline =
      b === null || b.mean === null
        ? "no baseline"
        : `baseline ${value(b.mean)} ± ${value(b.std)} over ${b.windows} window${b.windows === 1 ? "" : "s"}`;
    const deliveries =
      alert.deliveries.length === 0
        ? "no webhooks configured"
        : alert.deliveries
            .map(
              (d) =>
                `${d.target}: ${d.status} (${d.attempts} attempt${d.attempts === 1 ? "" : "s"})${d.lastError === null ? "" : `, ${d.lastError}`}`,
            )
            .join("; ");
    const fact = (name: string, text: string) => [h("dt", {}, name), h("dd", {}, text)];
    const ack = h(
      "button",
      {
        testId: "ack",
        attrs: { type: "button" },
        onClick: () => void this.acknowledge(alert.id, ack),
      },
      "Acknowledge",
    );
    return h(
      "li",
      {
        className: `alert alert-${alert.status}`,
        testId: "alert",
        dataset: { status: alert.status, id: alert.id },
      },
      h(
        "div",
        { className: "alert-head" },
        h(
          "h3",
          {},
          alert.rule,
          alert.topic !== null && h("span", { className: "muted" }, ` · ${alert.topic}`),
        ),
        h("span", { className: `badge badge-${alert.status}` }, alert.status),
        alert.status === "open" && ack,
      ),
      h("p", { className: "alert-message" }, alert.message),
      h(
        "dl",
        { className: "facts" },
        ...fact("Fired", formatTime(alert.firedAt)),
        ...fact("Window", `${formatTime(alert.window.from)} – ${formatTime(alert.window.to)}`),
        ...fact("Value", `${value(alert.value)} vs ${baseline}`),
        ...fact("z", formatNumber(alert.z)),
        ...fact("Documents", formatCount(alert.count)),
        ...fact("Delivery", deliveries),
        ...(alert.status === "acknowledged"
          ? fact(
              "Acknowledged",
              `${formatTime(alert.acknowledgedAt)}${alert.acknowledgedBy === null ? "" : ` by ${alert.acknowledgedBy}`}${alert.note === null ? "" : `: ${alert.note}`}`,
            )
          : []),
      ),
    );
  }

  private async acknowledge(id: string, button: HTMLButtonElement): Promise<void> {
    button.disabled = true;
    try {
      // With a key, the server records the key's name; without one, say where it came from.
      const body = this.ctx.api.key === null ? { by: "dashboard" } : {};
      await this.ctx.api.post(`/v1/monitor/alerts/${encodeURIComponent(id)}/ack`, body);
    } catch (error) {
      button.disabled = false;
      this.ctx.report(error);
      return;
    }
    await this.refresh();
  }

  private renderTerms(terms: TermCount[]): void {
    this.renderBars(
      this.termList,
      terms.map((t) => ({ name: t.term, label: null, count: t.count })),
      "No terms in this range.",
    );
  }

  private renderEntities(entities: EntityCount[]): void {
    this.renderBars(
      this.entityList,
      entities.map((e) => ({ name: e.text, label: e.label, count: e.count })),
      "No entities in this range.",
    );
  }

  private renderBars(
    list: HTMLElement,
    rows: { name: string; label: string | null; count: number }[],
    empty: string,
  ): void {
    if (rows.length === 0) {
      replaceChildren(list, h("li", { className: "empty" }, empty));
      return;
    }
    const max = Math.max(...rows.map((r) => r.count), 1);
    replaceChildren(
      list,
      ...rows.map((r) => {
        const bar = h("span", { className: "bar" });
        // CSSOM, not a style attribute: the page's CSP allows no inline styles.
        bar.style.width = `${(100 * r.count) / max}%`;
        return h(
          "li",
          {},
          h(
            "span",
            { className: "bar-name" },
            r.name,
            r.label !== null && h("span", { className: "chip" }, r.label),
          ),
          h("span", { className: "bar-track", attrs: { "aria-hidden": "true" } }, bar),
          h("span", { className: "num" }, formatCount(r.count)),
        );
      }),
    );
  }

  private renderDocuments(): void {
    if (this.documents.length === 0) {
      replaceChildren(
        this.documentBody,
        h("tr", {}, h("td", { className: "empty", attrs: { colspan: "5" } }, "No documents in this range.")),
      );
      return;
    }
    const rows: HTMLElement[] = [];
    for (const doc of this.documents) {
      const open = this.expanded.has(doc.key);
      const row = h(
        "tr",
        {
          className: "document-row",
          testId: "document",
          dataset: { key: doc.key },
          attrs: { tabindex: "0", "aria-expanded": String(open) },
          onClick: () => this.toggleDocument(doc.key),
        },
        h("td", { className: "nowrap" }, formatTime(doc.publishedAt)),
        h("td", {}, doc.source),
        h("td", { className: "title" }, doc.title ?? snippet(doc.text)),
        h(
          "td",
          { className: "nowrap" },
          doc.topic ?? "—",
          doc.topicScore !== null && h("span", { className: "muted" }, ` ${formatNumber(doc.topicScore)}`),
        ),
        h("td", { className: "nowrap" }, sentimentBadge(doc.sentiment, doc.sentimentScore)),
      );
      row.addEventListener("keydown", (event) => {
        if (event.key === "Enter" || event.key === " ") {
          event.preventDefault();
          this.toggleDocument(doc.key);
        }
      });
      rows.push(row);
      if (open) rows.push(this.documentDetail(doc));
    }
    replaceChildren(this.documentBody, ...rows);
  }

  private documentDetail(doc: MonitorDocument): HTMLElement {
    const href = safeHref(doc.url);
    return h(
      "tr",
      { className: "document-detail", testId: "document-detail" },
      h(
        "td",
        { attrs: { colspan: "5" } },
        doc.title !== null && h("h3", {}, doc.title),
        h(
          "p",
          { className: "document-text", testId: "document-text" },
          ...highlightEntities(doc.text, doc.entities),
        ),
        h(
          "p",
          { className: "muted" },
          `Language ${doc.lang}${typeof doc.langScore === "number" ? ` (${doc.langScore.toFixed(2)})` : ""} · ingested ${formatTime(doc.ingestedAt)}${doc.id === null ? "" : ` · id ${doc.id}`}`,
          href !== null && " · ",
          href !== null &&
            h("a", { attrs: { href, rel: "noopener noreferrer nofollow", target: "_blank" } }, "open source"),
        ),
      ),
    );
  }

  private toggleDocument(key: string): void {
    if (this.expanded.has(key)) this.expanded.delete(key);
    else this.expanded.add(key);
    this.renderDocuments();
    const row = [...this.documentBody.querySelectorAll<HTMLElement>("tr.document-row")].find(
      (r) => r.dataset["key"] === key,
    );
    row?.focus();
  }
}

function emptySeries(length: number): SentimentSeries {
  const zeros = () => new Array<number>(length).fill(0);
  return {
    total: zeros(),
    positive: zeros(),
    neutral: zeros(),
    negative: zeros(),
    negativeShare: new Array<number | null>(length).fill(null),
  };
}
