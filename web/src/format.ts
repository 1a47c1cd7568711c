/** Numbers and times as the dashboard shows them: in the browser's locale and time zone. */

const integer = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
const decimal = new Intl.NumberFormat(undefined, { maximumFractionDigits: 2, minimumFractionDigits: 2 });
const percent = new Intl.NumberFormat(undefined, { style: "percent", maximumFractionDigits: 1 });

/** A count such as 12,345. */
export function formatCount(n: number): string {
  return integer.format(n);
}

/** A score or a z value with two decimals; an em dash for none. */
export function formatNumber(n: number | null | undefined): string {
  return n === null || n === undefined || !Number.isFinite(n) ? "—" : decimal.format(n);
}

/** A share in [0, 1] as a percentage; an em dash for none. */
export function formatShare(n: number | null | undefined): string {
  return n === null || n === undefined || !Number.isFinite(n) ? "—" : percent.format(n);
}

/** An ISO time in local time, date and time; an em dash for none. */
export function formatTime(iso: string | null | undefined): string {
  if (iso === null || iso === undefined) return "—";
  const t = new Date(iso);
  return Number.isNaN(t.getTime())
    ? iso
    : t.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

/** The clock time of an ISO time, in local time; an em dash for none. */
export function formatClock(iso: string | null | undefined): string {
  if (iso === null || iso === undefined) return "—";
  const t = new Date(iso);
  return Number.isNaN(t.getTime()) ? iso : t.toLocaleTimeString(undefined, { timeStyle: "short" });
}

/** The date of an ISO time, in local time; empty for none. */
export function formatDate(iso: string | null | undefined): string {
  if (iso === null || iso === undefined) return "";
  const t = new Date(iso);
  return Number.isNaN(t.getTime()) ? "" : t.toLocaleDateString(undefined, { dateStyle: "medium" });
}

/** A chart axis label for a bucket start: the clock time, with the date where buckets span days. */
export function formatBucket(iso: string, bucket: "minute" | "hour" | "day", spansDays: boolean): string {
  const t = new Date(iso);
  if (bucket === "day") return t.toLocaleDateString(undefined, { month: "short", day: "numeric" });
  const time = t.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" });
  return spansDays ? `${t.toLocaleDateString(undefined, { month: "short", day: "numeric" })} ${time}` : time;
}

/** The first `max` characters of a text on one line, with an ellipsis when cut. */
export function snippet(text: string, max = 90): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length <= max ? line : `${line.slice(0, max - 1)}…`;
}
