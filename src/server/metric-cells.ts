/**
 * prom-client metrics whose label sets are resolved once: a caller keeps the cell of a label
 * set (one per route and status, one per model) and adds to a plain number on each request.
 * prom-client's own `inc()` and `observe()` build and hash a key from the label object on
 * every call, which the profile of a predict request put at several µs (issue 17, item 3).
 *
 * The text and JSON they expose are what prom-client's Counter and Histogram expose for the
 * same calls, series in the order they first appeared (metrics.test.ts compares both byte
 * for byte), so /metrics and the cluster's aggregation read them as before. Their `inc()` and
 * `observe()` still take label objects, and go to the same cells.
 */
import { Counter, type CounterConfiguration, Histogram, type HistogramConfiguration } from "prom-client";

/** A label set as prom-client takes it. */
type Labels<T extends string> = Partial<Record<T, string | number>>;

/** One series of a counter: add to `value`. */
export interface CounterCell {
  value: number;
}

/** One series of a histogram: counts per bucket (not cumulative), the last one past every bound. */
export interface HistogramCell {
  readonly buckets: Float64Array;
  sum: number;
  count: number;
}

/** A value of a metric as prom-client's registry reads it. */
interface ExportedValue {
  labels: Record<string, string | number>;
  value: number;
  metricName?: string;
  exemplar?: null | undefined;
  sharedLabels?: Record<string, string | number>;
}

/** What a histogram hands the registry. */
interface ExportedMetric {
  name: string;
  help: string;
  type: string;
  values: ExportedValue[];
  aggregator: string;
}

function numberOrUndefined(value: unknown): number | undefined {
  return value === undefined ? undefined : (value as number);
}

/** The key of a label set: its values in the order of the label names (`\u0000` cannot be in one). */
function keyOf<T extends string>(names: readonly T[], labels: Labels<T>): string {
  for (const label of Object.keys(labels)) {
    if (!names.includes(label as T)) {
      throw new Error(`Added label "${label}" is not included in initial labelset: [ ${names.join(", ")} ]`);
    }
  }
  return names.map((name) => String(labels[name] ?? "")).join("\u0000");
}

/** prom-client's checks of a counter increment; undefined counts 1. */
function increment(value: number | undefined): number {
  if (value === undefined) return 1;
  if (value && !Number.isFinite(value)) throw new TypeError(`Value is not a valid number: ${value}`);
  if (value < 0) throw new Error("It is not possible to decrease a counter");
  return value;
}

/**
 * A Counter whose series are {@link CounterCell}s.
 *
 * @example
 * const cell = counter.cell({ model: "intents" }); // once
 * cell.value += 3; // per request
 */
export class CellCounter<T extends string> extends Counter<T> {
  private readonly names: readonly T[];
  // Not initialised here: prom-client's constructor calls reset() before this class's fields exist.
  private cells: Map<string, { labels: Labels<T>; cell: CounterCell }> | undefined;

  constructor(config: CounterConfiguration<T> & { labelNames: readonly T[] }) {
    super(config);
    this.names = config.labelNames;
    // prom-client sets `inc` on the instance in its constructor; this one takes its place.
    this.inc = (...args: unknown[]): void => this.add(args);
  }

  /** The cell of `labels`, made (at 0) the first time. */
  cell(labels: Labels<T>): CounterCell {
    const cells = this.cells ?? new Map();
    this.cells = cells;
    const key = keyOf(this.names, labels);
    let entry = cells.get(key);
    if (entry === undefined) {
      entry = { labels: { ...labels }, cell: { value: 0 } };
      cells.set(key, entry);
    }
    return entry.cell;
  }

  /** prom-client's `inc(labels?, value?)` (exemplars are not enabled), into the same cells. */
  private add(args: readonly unknown[]): void {
    const [first, second] = args;
    if (typeof first === "object" && first !== null) {
      this.cell(first as Labels<T>).value += increment(numberOrUndefined(second));
    } else {
      this.cell({}).value += increment(numberOrUndefined(first));
    }
  }

  /** Forgets every series, as prom-client's reset(); cells handed out before no longer count. */
  override reset(): void {
    super.reset();
    this.cells = new Map();
  }

  override async get(): ReturnType<Counter<T>["get"]> {
    // prom-client's own series stay empty: every increment lands in a cell.
    const base = await super.get();
    const values: typeof base.values = [];
    for (const { labels, cell } of this.cells?.values() ?? []) values.push({ value: cell.value, labels });
    return { ...base, values };
  }
}

/**
 * A Histogram whose series are {@link HistogramCell}s; see {@link CellHistogram.record}.
 *
 * @example
 * const cell = histogram.cell({ method: "POST", route: "/v1/models/:name/predict" }); // once
 * histogram.record(cell, 0.0012); // per request
 */
export class CellHistogram<T extends string> extends Histogram<T> {
  private readonly names: readonly T[];
  private readonly bounds: readonly number[];
  // Not initialised here: prom-client's constructor calls reset() before this class's fields exist.
  private cells: Map<string, { labels: Labels<T>; cell: HistogramCell }> | undefined;

  private readonly meta: { name: string; help: string; aggregator: string };

  constructor(config: HistogramConfiguration<T> & { labelNames: readonly T[]; buckets: number[] }) {
    super(config);
    this.names = config.labelNames;
    this.bounds = [...config.buckets];
    this.meta = { name: config.name, help: config.help, aggregator: config.aggregator ?? "sum" };
    // prom-client's unlabelled histogram starts with a series at zero; these always have labels.
    if (config.labelNames.length === 0) throw new Error(`histogram ${config.name} needs labels`);
    // prom-client sets `observe` on the instance in its constructor; this one takes its place.
    this.observe = (...args: unknown[]): void => this.add(args);
  }

  /** The cell of `labels`, made (empty) the first time. */
  cell(labels: Labels<T>): HistogramCell {
    const cells = this.cells ?? new Map();
    this.cells = cells;
    const key = keyOf(this.names, labels);
    let entry = cells.get(key);
    if (entry === undefined) {
      entry = {
        labels: { ...labels },
        cell: { buckets: new Float64Array(this.bounds.length + 1), sum: 0, count: 0 },
      };
      cells.set(key, entry);
    }
    return entry.cell;
  }

  /** Counts `value` in `cell`, in the first bucket whose bound is at least `value`. */
  record(cell: HistogramCell, value: number): void {
    if (!Number.isFinite(value)) throw new TypeError(`Value is not a valid number: ${value}`);
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && !(value <= (bounds[i] ?? 0))) i++;
    cell.buckets[i] = (cell.buckets[i] ?? 0) + 1;
    cell.sum += value;
    cell.count += 1;
  }

  /** prom-client's `observe(labels?, value)` (exemplars are not enabled), into the same cells. */
  private add(args: readonly unknown[]): void {
    const [first, second] = args;
    if (typeof first === "object" && first !== null) {
      this.record(this.cell(first as Labels<T>), numberOrUndefined(second) ?? Number.NaN);
    } else {
      this.record(this.cell({}), numberOrUndefined(first) ?? Number.NaN);
    }
  }

  /** Forgets every series, as prom-client's reset(); cells handed out before no longer count. */
  override reset(): void {
    super.reset();
    this.cells = new Map();
  }

  /**
   * The values as prom-client's Histogram hands them to the registry's text format; its
   * `get()` (the JSON the cluster aggregates) calls this one and folds the labels together.
   */
  async getForPromString(): Promise<ExportedMetric> {
    const { name, help, aggregator } = this.meta;
    const values: ExportedValue[] = [];
    const bucketName = `${name}_bucket`;
    for (const { labels, cell } of this.cells?.values() ?? []) {
      const shared = labels as Record<string, string | number>;
      let cumulative = 0;
      for (const [i, bound] of this.bounds.entries()) {
        cumulative += cell.buckets[i] ?? 0;
        values.push({
          labels: { le: bound },
          sharedLabels: shared,
          value: cumulative,
          metricName: bucketName,
          exemplar: null,
        });
      }
      values.push(
        {
          labels: { le: "+Inf" },
          sharedLabels: shared,
          value: cell.count,
          metricName: bucketName,
          exemplar: null,
        },
        { labels: {}, sharedLabels: shared, value: cell.sum, metricName: `${name}_sum`, exemplar: undefined },
        {
          labels: {},
          sharedLabels: shared,
          value: cell.count,
          metricName: `${name}_count`,
          exemplar: undefined,
        },
      );
    }
    return { name, help, type: "histogram", values, aggregator };
  }
}
