/**
 * The dashboard's charts, built on the parts of Chart.js they use (registered once, so the
 * bundle leaves out the rest): the monitor's two, each with a text fallback (a table of the
 * same numbers), and the curves per epoch of the Runs and Models pages.
 */
import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  type ChartDataset,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from "chart.js";
import { h, replaceChildren } from "./dom.ts";
import { formatCount } from "./format.ts";

export type LineChart = Chart<"line", number[], string>;
export type BarChart = Chart<"bar", number[], string>;

let registered = false;

/** Registers the Chart.js parts the dashboard draws with; call before creating a chart. */
export function registerChartParts(): void {
  if (registered) return;
  Chart.register(
    LineController,
    LineElement,
    PointElement,
    BarController,
    BarElement,
    CategoryScale,
    LinearScale,
    Legend,
    Tooltip,
  );
  registered = true;
}

export const SENTIMENT_COLOURS = { negative: "#d64545", neutral: "#9aa0a6", positive: "#2f9e44" } as const;

const TOPIC_COLOURS = [
  "#1f77b4",
  "#ff7f0e",
  "#9467bd",
  "#17becf",
  "#8c564b",
  "#e377c2",
  "#bcbd22",
  "#7f7f7f",
  "#2ca02c",
  "#d62728",
];

/** A topic's colour, stable for its position in the status's topic list. */
export function topicColour(index: number): string {
  return TOPIC_COLOURS[index % TOPIC_COLOURS.length]!;
}

const COMMON_OPTIONS = {
  responsive: true,
  maintainAspectRatio: false,
  // Redraws every 10 s would otherwise animate from zero each time.
  animation: false,
  interaction: { mode: "index", intersect: false },
  plugins: { legend: { position: "bottom" } },
} as const;

/** The "Volume per topic" line chart, empty until `setData`. */
export function createTopicTrendChart(canvas: HTMLCanvasElement): LineChart {
  return new Chart<"line", number[], string>(canvas, {
    type: "line",
    data: { labels: [], datasets: [] },
    options: {
      ...COMMON_OPTIONS,
      scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
      // Monotone curves never dip below zero between two buckets, as plain tension can.
      elements: {
        point: { radius: 0, hitRadius: 6 },
        line: { cubicInterpolationMode: "monotone", borderWidth: 2 },
      },
    },
  });
}

const BUCKET_MS = { minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const;

/**
 * The index of the last bucket when it is still under way at `to` (the range's end), else
 * null. That bucket holds only the minutes so far, so drawn like the others it would look
 * like a fall in volume.
 */
export function unfinishedBucket(
  times: readonly string[],
  bucket: keyof typeof BUCKET_MS,
  to: string,
): number | null {
  const last = times.at(-1);
  if (last === undefined) return null;
  return Date.parse(last) + BUCKET_MS[bucket] > Date.parse(to) ? times.length - 1 : null;
}

/** The dash of a line's segment into the unfinished bucket (solid elsewhere). */
export function unfinishedSegment(index: number | null): {
  borderDash: (ctx: { p1DataIndex: number }) => number[] | undefined;
} {
  return { borderDash: (ctx) => (index !== null && ctx.p1DataIndex === index ? [6, 4] : undefined) };
}

/** One colour per bar, the unfinished bucket's faded so that it reads as "so far". */
export function unfinishedColours(colour: string, n: number, index: number | null): string[] {
  return Array.from({ length: n }, (_, i) => (i === index ? `${colour}59` : colour));
}

/** The "Sentiment over time" stacked bar chart, empty until `setData`. */
export function createSentimentChart(canvas: HTMLCanvasElement): BarChart {
  return new Chart<"bar", number[], string>(canvas, {
    type: "bar",
    data: { labels: [], datasets: [] },
    options: {
      ...COMMON_OPTIONS,
      scales: {
        x: { stacked: true },
        y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } },
      },
    },
  });
}

/**
 * Replaces a chart's labels and datasets and redraws it. Datasets are matched by label so
 * that a redraw keeps which series the person has hidden in the legend.
 */
export function setChartData<T extends "line" | "bar">(
  chart: Chart<T, number[], string>,
  labels: string[],
  datasets: ChartDataset<T, number[]>[],
): void {
  const hidden = new Set<string>();
  chart.data.datasets.forEach((dataset, i) => {
    if (!chart.isDatasetVisible(i) && dataset.label !== undefined) hidden.add(dataset.label);
  });
  chart.data.labels = labels;
  chart.data.datasets = datasets.map((d) =>
    d.label !== undefined && hidden.has(d.label) ? { ...d, hidden: true } : d,
  );
  chart.update();
}

/** A table of the chart's numbers (the chart's text fallback): one row per time, one column per series. */
export function fillDataTable(
  table: HTMLTableElement,
  caption: string,
  labels: string[],
  series: { label: string; data: number[] }[],
): void {
  replaceChildren(
    table,
    h("caption", {}, caption),
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        h("th", { attrs: { scope: "col" } }, "Time"),
        ...series.map((s) => h("th", { className: "num", attrs: { scope: "col" } }, s.label)),
      ),
    ),
    h(
      "tbody",
      {},
      ...labels.map((label, i) =>
        h(
          "tr",
          {},
          h("th", { attrs: { scope: "row" } }, label),
          ...series.map((s) => h("td", { className: "num" }, formatCount(s.data[i] ?? 0))),
        ),
      ),
    ),
  );
}

declare global {
  interface Window {
    /** The Monitor page's charts, for the browser test to read their datasets. */
    __textkitCharts?: { topicTrend: LineChart | null; sentiment: BarChart | null };
  }
}

/** A line chart of metrics per epoch, as the Runs and Models pages draw them. */
export type EpochCurveChart = Chart<"line", { x: number; y: number }[], number>;

/** The figure that holds one metric's curve canvas, captioned with the metric's name. */
export function epochCurveFigure(name: string, canvas: HTMLCanvasElement): HTMLElement {
  return h(
    "figure",
    { className: "curve", dataset: { metric: name } },
    h("figcaption", {}, name),
    h("div", { className: "chart-box" }, canvas),
  );
}

/** One metric's curves per epoch on `canvas`, with a legend at the bottom when asked. */
export function createEpochCurveChart(
  canvas: HTMLCanvasElement,
  datasets: ChartDataset<"line", { x: number; y: number }[]>[],
  legend: boolean,
): EpochCurveChart {
  return new Chart<"line", { x: number; y: number }[], number>(canvas, {
    type: "line",
    data: { datasets },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      parsing: false,
      scales: { x: { type: "linear", title: { display: true, text: "epoch" } } },
      // Monotone curves never overshoot between two points, as plain tension can.
      elements: { point: { radius: 2 }, line: { cubicInterpolationMode: "monotone", borderWidth: 2 } },
      plugins: { legend: legend ? { position: "bottom" } : { display: false } },
    },
  });
}
