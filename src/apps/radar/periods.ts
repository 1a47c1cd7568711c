/** Calendar periods in UTC: ISO weeks (starting on Monday) and months. */
import { TextkitError } from "../../core/index.ts";

export const PERIODS = ["week", "month"] as const;
export type Period = (typeof PERIODS)[number];

const DAY = 86_400_000;
/** 1970-01-01 was a Thursday; Monday 1969-12-29 is 3 days before. */
const MONDAY_OFFSET = 3 * DAY;

/** The start of the period that holds `time`. */
export function periodStart(time: number, period: Period): number {
  if (period === "week") return Math.floor((time + MONDAY_OFFSET) / (7 * DAY)) * 7 * DAY - MONDAY_OFFSET;
  const d = new Date(time);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}

/** The start of the period `k` periods after the one starting at `start`. */
export function addPeriods(start: number, period: Period, k: number): number {
  if (period === "week") return start + k * 7 * DAY;
  const d = new Date(start);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + k, 1);
}

/** "2026-W03" or "2026-01". */
export function periodLabel(start: number, period: Period): string {
  if (period === "month") return new Date(start).toISOString().slice(0, 7);
  const thursday = new Date(start + 3 * DAY);
  const year = thursday.getUTCFullYear();
  const week = Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / (7 * DAY)) + 1;
  return `${year}-W${String(week).padStart(2, "0")}`;
}

export function parsePeriod(value: string): Period {
  if (!(PERIODS as readonly string[]).includes(value)) {
    throw new TextkitError("OPTION_INVALID", `period must be one of ${PERIODS.join(", ")}, got '${value}'`);
  }
  return value as Period;
}
