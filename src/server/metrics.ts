/**
 * Prometheus metrics of one server process, in a registry of its own (nothing global, so
 * several servers in one process, as in tests, do not mix their counts).
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import { CellCounter, CellHistogram, type CounterCell, type HistogramCell } from "./metric-cells.ts";

export interface MetricsSource {
  /** Models with an active version, read when Prometheus scrapes. */
  loadedCount(): number;
}

/** Latency buckets from half a millisecond, where a single prediction lands, to seconds. */
const DURATION_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

function newCounter<T extends string>(
  registry: Registry,
  name: string,
  help: string,
  labelNames: readonly T[],
): Counter<T> {
  return new Counter({ name, help, labelNames, registers: [registry] });
}

function newHistogram<T extends string>(
  registry: Registry,
  name: string,
  help: string,
  labelNames: readonly T[],
  buckets: number[],
): Histogram<T> {
  return new Histogram({ name, help, labelNames, buckets, registers: [registry] });
}

/**
 * The series of one route and method: its latency histogram and one request counter per
 * status code, resolved once, so that a request adds to numbers (issue 17, item 3).
 */
export class RouteMetrics {
  private readonly statuses = new Map<number, CounterCell>();
  private readonly latency: HistogramCell;

  constructor(
    private readonly requests: CellCounter<"method" | "route" | "status">,
    private readonly duration: CellHistogram<"method" | "route">,
    readonly method: string,
    readonly route: string,
  ) {
    this.latency = duration.cell({ method, route });
  }

  /** A request answered with `status` after `seconds`: http_requests_total and http_request_duration_seconds. */
  answered(status: number, seconds: number): void {
    let cell = this.statuses.get(status);
    if (cell === undefined) {
      cell = this.requests.cell({ method: this.method, route: this.route, status: String(status) });
      this.statuses.set(status, cell);
    }
    cell.value += 1;
    this.duration.record(this.latency, seconds);
  }
}

/** http_requests_in_flight, set from `count` when Prometheus scrapes. */
function inFlightGauge(registry: Registry, count: () => number): Gauge {
  return new Gauge({
    name: "http_requests_in_flight",
    help: "Requests received and not yet answered.",
    registers: [registry],
    collect() {
      this.set(count());
    },
  });
}

/**
 * The server's counters, gauges and histograms.
 *
 * @example
 * const metrics = new ServerMetrics({ loadedCount: () => registry.loadedCount });
 * metrics.requests.inc({ method: "GET", route: "/healthz", status: "200" });
 * await metrics.text();
 */
export class ServerMetrics {
  readonly registry: Registry;
  /** Counted through {@link route}'s cells; `inc()` with labels lands in the same series. */
  readonly requests: CellCounter<"method" | "route" | "status">;
  readonly duration: CellHistogram<"method" | "route">;
  private readonly routes = new Map<string, Map<string, RouteMetrics>>();
  private readonly predictionCells = new Map<string, CounterCell>();
  /** Read from {@link requestStarted} and {@link requestFinished} when Prometheus scrapes. */
  readonly inFlight: Gauge;
  private inFlightCount = 0;
  readonly reloadFailures: Counter<"model">;
  readonly swaps: Counter<"model">;
  /** Counted through {@link predictionsOf}'s cells; `inc()` with labels lands in the same series. */
  readonly predictions: CellCounter<"model">;
  /** The recommend application: items shown, and the clicks and conversions they took. */
  readonly recommendImpressions: Counter<"app" | "model" | "version" | "variant">;
  readonly recommendClicks: Counter<"app" | "model" | "version" | "variant">;
  readonly recommendConversions: Counter<"app" | "model" | "version" | "variant">;
  /** Events counted and reported rather than applied as sent: duplicate, unknown_item, out_of_order. */
  readonly recommendEventIssues: Counter<"app" | "kind">;
  /** Forward passes of the shared pretrained encoders (see encoder-pool.ts). */
  readonly encoderSeconds: Histogram<"encoder">;
  readonly encoderBatchTexts: Histogram<"encoder">;
  readonly encoderWaitSeconds: Histogram<"encoder">;

  constructor(source: MetricsSource, options: { processMetrics?: boolean } = {}) {
    const registry = new Registry();
    this.registry = registry;
    const counter = <T extends string>(name: string, help: string, labels: readonly T[]): Counter<T> =>
      newCounter(registry, name, help, labels);
    const histogram = <T extends string>(name: string, help: string, labels: readonly T[]): Histogram<T> =>
      newHistogram(registry, name, help, labels, DURATION_BUCKETS);
    const cellCounter = <T extends string>(name: string, help: string, labelNames: readonly T[]) =>
      new CellCounter({ name, help, labelNames, registers: [registry] });
    this.requests = cellCounter(
      "http_requests_total",
      "HTTP requests answered, by method, route pattern and status code.",
      ["method", "route", "status"],
    );
    this.duration = new CellHistogram({
      name: "http_request_duration_seconds",
      help: "Time from receiving a request to sending the response, by route pattern.",
      labelNames: ["method", "route"],
      buckets: DURATION_BUCKETS,
      registers: [registry],
    });
    this.inFlight = inFlightGauge(registry, () => this.inFlightCount);
    this.reloadFailures = counter(
      "textkit_model_reload_failures_total",
      "Model versions refused when loading (broken or foreign artifacts).",
      ["model"],
    );
    this.swaps = counter("textkit_model_swaps_total", "Model versions loaded and made active.", ["model"]);
    this.predictions = cellCounter("textkit_predictions_total", "Inputs predicted, by model.", ["model"]);
    const served = ["app", "model", "version", "variant"] as const;
    this.recommendImpressions = counter(
      "textkit_recommend_impressions_total",
      "Items the recommend application showed, by model version and A/B variant.",
      served,
    );
    this.recommendClicks = counter(
      "textkit_recommend_clicks_total",
      "Clicks attributed to shown items (click-through rate: divide by the impressions).",
      served,
    );
    this.recommendConversions = counter(
      "textkit_recommend_conversions_total",
      "Likes, shares and purchases attributed to shown items.",
      served,
    );
    this.recommendEventIssues = counter(
      "textkit_recommend_event_issues_total",
      "Events counted and reported: duplicate (not applied again), unknown_item (kept, not applied), out_of_order (applied).",
      ["app", "kind"],
    );
    this.encoderSeconds = histogram(
      "textkit_encoder_batch_seconds",
      "Time of one forward pass of a pretrained encoder (tokenising and pooling included), by encoder id.",
      ["encoder"],
    );
    this.encoderBatchTexts = newHistogram(
      registry,
      "textkit_encoder_batch_texts",
      "Texts in one dynamic batch of a pretrained encoder, by encoder id.",
      ["encoder"],
      [1, 2, 4, 8, 16, 32, 64, 128],
    );
    this.encoderWaitSeconds = histogram(
      "textkit_encoder_wait_seconds",
      "Longest time a request of a batch waited for the batch to start, by encoder id.",
      ["encoder"],
    );
    new Gauge({
      name: "textkit_models_loaded",
      help: "Models with an active version.",
      registers: [registry],
      // Under a cluster the primary sums gauges; the minimum says whether some worker lags.
      aggregator: "min",
      collect() {
        this.set(source.loadedCount());
      },
    });
    if (options.processMetrics !== false) collectDefaultMetrics({ register: registry });
  }

  /** The series of requests to `route` (its pattern, or "unmatched") with `method`, made the first time. */
  route(method: string, route: string): RouteMetrics {
    let byRoute = this.routes.get(method);
    if (byRoute === undefined) {
      byRoute = new Map();
      this.routes.set(method, byRoute);
    }
    let found = byRoute.get(route);
    if (found === undefined) {
      found = new RouteMetrics(this.requests, this.duration, method, route);
      byRoute.set(route, found);
    }
    return found;
  }

  /** The textkit_predictions_total cell of a model: add the inputs it predicted. */
  predictionsOf(model: string): CounterCell {
    let cell = this.predictionCells.get(model);
    if (cell === undefined) {
      cell = this.predictions.cell({ model });
      this.predictionCells.set(model, cell);
    }
    return cell;
  }

  /**
   * A request was received: counted in http_requests_in_flight until {@link requestFinished}.
   * A plain number read at scrape time: a gauge's inc() and dec() on every request would each
   * hash its (empty) label set (issue 17, item 3).
   */
  requestStarted(): void {
    this.inFlightCount++;
  }

  /** A request was answered or aborted. */
  requestFinished(): void {
    this.inFlightCount--;
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}
