/**
 * A time series read from a table: one time column and one value column, rows in strictly
 * increasing time. The step between rows (a day, a week, a month...) is inferred, so that
 * future times and their calendar features can be named.
 */
import { TextkitError } from "../../core/index.ts";
import {
  type Cell,
  MISSING_MARKERS,
  parseNumberCell,
  readTableRecords,
  type TableFormat,
} from "../../data/index.ts";

/** How far apart consecutive points are. */
export interface SeriesStep {
  /** Calendar units for dates ("day" .. "year"), "ms" for other fixed spans, "number" for a numeric time column. */
  unit: "ms" | "day" | "week" | "month" | "quarter" | "year" | "number";
  /** Units per step (for "ms" and "number" the span itself). */
  size: number;
}

export interface TimeSeries {
  /** Where the points came from; errors name it. */
  source: string;
  /** "date": times are milliseconds since 1970 (UTC); "number": the time column's own numbers. */
  timeKind: "date" | "number";
  times: Float64Array;
  values: Float64Array;
  /** 1-based line of each point in its file. */
  lines: Int32Array;
  step: SeriesStep;
  /** Steps between consecutive points that are not one step (skipped times). */
  gaps: number;
}

export interface SeriesReadOptions {
  timeColumn: string;
  valueColumn: string;
  format?: TableFormat;
  delimiter?: string;
}

const MISSING = new Set(MISSING_MARKERS);
const DAY = 86_400_000;
const ISO =
  /^(\d{4})-(\d{2})(?:-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?)?)?$/;

/**
 * Milliseconds since 1970 (UTC) of an ISO 8601 date or date-time ("2024-03", "2024-03-01",
 * "2024-03-01T09:30", "2024-03-01 09:30:00+08:00"), or NaN when the text is not one or names
 * a day that does not exist. A time without an offset is read as UTC.
 *
 * @example
 * parseIsoTime("2024-02-29"); // 1709164800000
 * parseIsoTime("2023-02-29"); // NaN
 */
export function parseIsoTime(text: string): number {
  const m = ISO.exec(text.trim());
  if (m === null) return Number.NaN;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = m[3] === undefined ? 1 : Number(m[3]);
  const hour = m[4] === undefined ? 0 : Number(m[4]);
  const minute = m[5] === undefined ? 0 : Number(m[5]);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  const ms = m[7] === undefined ? 0 : Math.floor(Number(`0.${m[7]}`) * 1000);
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return Number.NaN;
  const t = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  const check = new Date(t);
  if (check.getUTCDate() !== day || check.getUTCMonth() !== month - 1) return Number.NaN;
  let offset = 0;
  const zone = m[8];
  if (zone !== undefined && zone !== "Z") {
    const sign = zone[0] === "-" ? -1 : 1;
    const digits = zone.slice(1).replace(":", "");
    const hours = Number(digits.slice(0, 2));
    const minutes = Number(digits.slice(2));
    if (hours > 23 || minutes > 59) return Number.NaN;
    offset = sign * (hours * 60 + minutes) * 60_000;
  }
  return t - offset;
}

/** A time as people write it: an ISO date (with the time of day when there is one), or the number. */
export function formatTime(series: Pick<TimeSeries, "timeKind">, t: number): string {
  if (series.timeKind === "number") return String(Number(t.toPrecision(12)));
  const iso = new Date(t).toISOString();
  return t % DAY === 0 ? iso.slice(0, 10) : iso.replace(".000Z", "Z");
}

function addMonths(t: number, months: number): number {
  const d = new Date(t);
  const day = d.getUTCDate();
  const target = new Date(
    Date.UTC(
      d.getUTCFullYear(),
      d.getUTCMonth() + months,
      1,
      d.getUTCHours(),
      d.getUTCMinutes(),
      d.getUTCSeconds(),
      d.getUTCMilliseconds(),
    ),
  );
  // Clamp to the month's last day (Jan 31 + 1 month = Feb 28/29).
  const last = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(day, last));
  return target.getTime();
}

/**
 * The time `k` steps after `t`.
 *
 * @example
 * addSteps({ unit: "month", size: 1 }, Date.UTC(2024, 0, 31), 1); // 2024-02-29
 */
export function addSteps(step: SeriesStep, t: number, k: number): number {
  switch (step.unit) {
    case "month":
      return addMonths(t, k * step.size);
    case "quarter":
      return addMonths(t, 3 * k * step.size);
    case "year":
      return addMonths(t, 12 * k * step.size);
    case "day":
      return t + k * step.size * DAY;
    case "week":
      return t + k * step.size * 7 * DAY;
    default:
      return t + k * step.size;
  }
}

/** The most common positive difference between consecutive times. */
function commonDifference(times: Float64Array): number {
  const counts = new Map<number, number>();
  for (let i = 1; i < times.length; i++) {
    const d = times[i]! - times[i - 1]!;
    counts.set(d, (counts.get(d) ?? 0) + 1);
  }
  let best = 0;
  let bestCount = 0;
  for (const [d, c] of counts) {
    if (c > bestCount || (c === bestCount && d < best)) {
      best = d;
      bestCount = c;
    }
  }
  return best;
}

/**
 * The step of a series: calendar months, quarters and years when consecutive dates fall on
 * the same day of the month (28 to 31 days apart, and so on), else the most common span.
 */
export function inferStep(
  times: Float64Array,
  timeKind: "date" | "number",
): { step: SeriesStep; gaps: number } {
  if (times.length < 2) return { step: { unit: timeKind === "number" ? "number" : "day", size: 1 }, gaps: 0 };
  const common = commonDifference(times);
  let step: SeriesStep;
  if (timeKind === "number") step = { unit: "number", size: common };
  else {
    const days = common / DAY;
    const sameDayOfMonth = (): boolean => {
      const first = new Date(times[0]!).getUTCDate();
      for (const t of times) {
        const day = new Date(t).getUTCDate();
        if (day !== first && !(first > 28 && day >= 28)) return false;
      }
      return true;
    };
    if (days >= 28 && days <= 31 && sameDayOfMonth()) step = { unit: "month", size: 1 };
    else if (days >= 89 && days <= 92 && sameDayOfMonth()) step = { unit: "quarter", size: 1 };
    else if (days >= 365 && days <= 366 && sameDayOfMonth()) step = { unit: "year", size: 1 };
    else if (days === 7) step = { unit: "week", size: 1 };
    else if (Number.isInteger(days)) step = { unit: "day", size: days };
    else step = { unit: "ms", size: common };
  }
  let gaps = 0;
  for (let i = 1; i < times.length; i++) if (addSteps(step, times[i - 1]!, 1) !== times[i]) gaps++;
  return { step, gaps };
}

/** A name for one step, for reports: "day", "2 days", "month", "0.5". */
export function describeStep(step: SeriesStep): string {
  if (step.unit === "number") return `${step.size} (time units)`;
  if (step.unit === "ms") {
    const hours = step.size / 3_600_000;
    return Number.isInteger(hours) ? `${hours} hour${hours === 1 ? "" : "s"}` : `${step.size / 1000} s`;
  }
  return step.size === 1 ? step.unit : `${step.size} ${step.unit}s`;
}

function cellText(cell: Cell): string | null {
  if (cell === null) return null;
  const text = typeof cell === "string" ? cell.trim() : String(cell);
  return MISSING.has(text) ? null : text;
}

/**
 * Reads a series from a CSV/TSV/JSONL table: the time column holds ISO dates or numbers (the
 * first row decides which), the value column numbers. Rows must be in strictly increasing
 * time: an earlier or repeated time is DATA_BAD_TIME naming both lines.
 *
 * @example
 * const series = await loadSeries("prices.csv", { timeColumn: "date", valueColumn: "price" });
 * series.step; // { unit: "day", size: 1 }
 */
export async function loadSeries(path: string, options: SeriesReadOptions): Promise<TimeSeries> {
  const { timeColumn, valueColumn } = options;
  if (timeColumn === valueColumn) {
    throw new TextkitError(
      "OPTION_INVALID",
      `the time and value columns must differ; both are "${timeColumn}"`,
    );
  }
  const times: number[] = [];
  const values: number[] = [];
  const lines: number[] = [];
  const clock: SeriesClock = { path, timeColumn, kind: null, t: Number.NaN, text: "", line: 0 };
  let at: { time: number; value: number } | null = null;
  for await (const batch of readTableRecords(path, {
    ...(options.format === undefined ? {} : { format: options.format }),
    ...(options.delimiter === undefined ? {} : { delimiter: options.delimiter }),
    columns: [timeColumn, valueColumn],
  })) {
    at ??= columnIndexes(batch.names, path, timeColumn, valueColumn);
    for (const [r, row] of batch.rows.entries()) {
      const line = batch.lines[r] ?? 0;
      times.push(nextTime(clock, row[at.time] ?? null, line));
      values.push(cellValue(row[at.value] ?? null, line, path, valueColumn));
      lines.push(line);
    }
  }
  if (times.length === 0) {
    throw new TextkitError("DATA_EMPTY", `${path} has no rows: the file is empty, or holds only a header`, {
      file: path,
    });
  }
  const kind = clock.kind ?? "number";
  const timeArray = Float64Array.from(times);
  const { step, gaps } = inferStep(timeArray, kind);
  return {
    source: path,
    timeKind: kind,
    times: timeArray,
    values: Float64Array.from(values),
    lines: Int32Array.from(lines),
    step,
    gaps,
  };
}

/** Where the time and value columns are among `names`; DATA_MISSING_COLUMN listing them when one is absent. */
function columnIndexes(
  names: readonly string[],
  path: string,
  timeColumn: string,
  valueColumn: string,
): { time: number; value: number } {
  const time = names.indexOf(timeColumn);
  const value = names.indexOf(valueColumn);
  for (const [name, index, what] of [
    [timeColumn, time, "the time column"],
    [valueColumn, value, "the value column"],
  ] as const) {
    if (index === -1) {
      throw new TextkitError(
        "DATA_MISSING_COLUMN",
        `${path} has no column named "${name}" (${what}); its columns: ${names.map((n) => JSON.stringify(n)).join(", ")}`,
        {
          file: path,
          column: name,
          hint: "Pass --time-column and --value-column with columns of the file's header.",
        },
      );
    }
  }
  return { time, value };
}

/** The time kind the first row chose, and the previous row's time, text and line. */
interface SeriesClock {
  path: string;
  timeColumn: string;
  kind: "date" | "number" | null;
  t: number;
  text: string;
  line: number;
}

/** The time of a row, checked: present, of the first row's kind, after the previous row's. */
function nextTime(clock: SeriesClock, cell: Cell, line: number): number {
  const { path, timeColumn } = clock;
  const timeText = cellText(cell);
  if (timeText === null) {
    throw new TextkitError("DATA_MISSING_VALUE", `line ${line}: the time column "${timeColumn}" is empty`, {
      file: path,
      line,
      column: timeColumn,
    });
  }
  if (clock.kind === null) clock.kind = Number.isNaN(parseNumberCell(timeText)) ? "date" : "number";
  const t = clock.kind === "number" ? parseNumberCell(timeText) : parseIsoTime(timeText);
  if (!Number.isFinite(t)) {
    const expected =
      clock.kind === "number"
        ? "a number, as the first row's time is"
        : "an ISO date such as 2024-03-01, as the first row's time is";
    throw new TextkitError(
      "DATA_BAD_TIME",
      `line ${line}: time ${JSON.stringify(timeText)} in column "${timeColumn}" is not ${expected}`,
      { file: path, line, column: timeColumn },
    );
  }
  if (t === clock.t) {
    throw new TextkitError(
      "DATA_BAD_TIME",
      `line ${line}: time ${timeText} repeats the time of line ${clock.line}; give one value per time (sum or average the duplicates first)`,
      { file: path, line, column: timeColumn },
    );
  }
  if (t < clock.t) {
    throw new TextkitError(
      "DATA_BAD_TIME",
      `line ${line}: time ${timeText} comes before ${clock.text} on line ${clock.line}; sort the rows by time`,
      { file: path, line, column: timeColumn },
    );
  }
  clock.t = t;
  clock.text = timeText;
  clock.line = line;
  return t;
}

/** The value of a row, checked: present and a finite number. */
function cellValue(cell: Cell, line: number, path: string, valueColumn: string): number {
  const valueText = cellText(cell);
  if (valueText === null) {
    throw new TextkitError(
      "DATA_MISSING_VALUE",
      `line ${line}: the value column "${valueColumn}" is empty; fill the gap (for example with the previous value) or remove the row`,
      { file: path, line, column: valueColumn },
    );
  }
  const value = typeof cell === "number" ? cell : parseNumberCell(valueText);
  if (!Number.isFinite(value)) {
    throw new TextkitError(
      "DATA_NOT_NUMERIC",
      `line ${line}: column "${valueColumn}" holds ${JSON.stringify(valueText)}, which is not a number`,
      { file: path, line, column: valueColumn },
    );
  }
  return value;
}

/**
 * A series from values in memory, one per step from `start` (default: times 0, 1, 2, ...).
 *
 * @example
 * const series = seriesFromValues([10, 12, 15], { start: Date.UTC(2024, 0, 1), step: { unit: "month", size: 1 } });
 */
export function seriesFromValues(
  values: ArrayLike<number>,
  options: { start?: number; step?: SeriesStep; source?: string } = {},
): TimeSeries {
  const step = options.step ?? { unit: "number", size: 1 };
  const start = options.start ?? 0;
  const times = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) times[i] = addSteps(step, start, i);
  const lines = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) lines[i] = i + 1;
  return {
    source: options.source ?? "values",
    timeKind: step.unit === "number" ? "number" : "date",
    times,
    values: Float64Array.from(values),
    lines,
    step,
    gaps: 0,
  };
}
