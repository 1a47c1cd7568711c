/**
 * How `textkit runs` prints runs for people: a table of runs, one run's details with its
 * curves, a comparison, and the CSV export.
 */
import type { MetricPoint, RunComparison, StoredRun } from "../store/index.ts";

/** Metrics that are timings or speeds: not shown as default columns. */
const NOT_SCORES = /(seconds|PerSecond|Seconds)$/;

function fixed(value: number | null | undefined, digits = 4): string {
  if (value === null || value === undefined) return "-";
  return Number.isInteger(value) ? String(value) : value.toFixed(digits);
}

function signed(value: number | null, digits = 4): string {
  if (value === null) return "-";
  if (value === 0) return "0";
  return `${value > 0 ? "+" : ""}${value.toFixed(digits)}`;
}

/** Columns of text, left-aligned, two spaces apart. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max([...h].length, ...rows.map((r) => [...(r[i] ?? "")].length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  return `${[line(header), ...rows.map(line)].join("\n")}\n`;
}

/** "2026-12-07 10:04" from an ISO time, in UTC. */
export function readableDate(iso: string): string {
  return iso.slice(0, 16).replace("T", " ");
}

/** The metric columns a list shows when none are chosen: the scores most runs have, dev and test first. */
export function defaultColumns(runs: readonly StoredRun[], most = 3): string[] {
  const counts = new Map<string, number>();
  for (const run of runs) {
    for (const name of Object.keys(run.summary)) {
      if (!NOT_SCORES.test(name)) counts.set(name, (counts.get(name) ?? 0) + 1);
    }
  }
  const rank = (name: string) => (name.startsWith("dev.") ? 0 : name.startsWith("test.") ? 1 : 2);
  return [...counts.entries()]
    .sort((a, b) => rank(a[0]) - rank(b[0]) || b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, most)
    .map(([name]) => name);
}

/** The runs table: id (8 characters), family, status, name, started, seconds, and best (last) of each column. */
export function formatRunList(runs: readonly StoredRun[], total: number, columns: readonly string[]): string {
  const header = [
    "id",
    "family",
    "status",
    "name",
    "started",
    "seconds",
    ...columns.map((c) => `${c} best (last)`),
  ];
  const rows = runs.map((run) => [
    run.id.slice(0, 8),
    run.parentId === null ? run.family : `└ ${run.family}`,
    run.status,
    run.name ?? "",
    readableDate(run.startedAt),
    run.seconds === null ? "-" : run.seconds.toFixed(1),
    ...columns.map((c) => {
      const s = run.summary[c];
      return s === undefined
        ? "-"
        : s.best === s.last
          ? fixed(s.best)
          : `${fixed(s.best)} (${fixed(s.last)})`;
    }),
  ]);
  const more =
    total > runs.length ? `${runs.length} of ${total} runs; --offset and --limit page through them\n` : "";
  return `${table(header, rows)}${more}`;
}

/** One run in full: what it was, its data, its settings, its metrics and its curves. */
export function formatRun(run: StoredRun, points: readonly MetricPoint[]): string {
  let out = `run ${run.id}${run.parentId === null ? "" : ` (child of ${run.parentId})`}\n`;
  out += `  family:   ${run.family}${run.task === null ? "" : ` (${run.task})`}\n`;
  out += `  status:   ${run.status}${run.error === null ? "" : `: ${run.error}`}\n`;
  out += `  command:  ${run.command}\n`;
  out += `  started:  ${readableDate(run.startedAt)} UTC on ${run.host} (pid ${run.pid})`;
  out += `${run.seconds === null ? "" : `, ${run.seconds.toFixed(1)} s`}\n`;
  out += `  textkit:  ${run.textkitVersion}${run.gitCommit === null ? "" : `, git ${run.gitCommit.slice(0, 12)}`}\n`;
  if (run.artifact !== null) out += `  artifact: ${run.artifact}\n`;
  if (run.tags.length > 0) out += `  tags:     ${run.tags.join(", ")}\n`;
  if (run.data.length > 0) {
    out += "\ndata:\n";
    out += table(
      ["role", "file", "rows", "bytes", "sha256"],
      run.data.map((d) => [
        d.role,
        d.file,
        d.rows === undefined ? "-" : String(d.rows),
        d.bytes === undefined ? "-" : String(d.bytes),
        d.sha256?.slice(0, 16) ?? d.fingerprint ?? "-",
      ]),
    ).replace(/^(?=.)/gm, "  ");
  }
  const params = Object.entries(run.params);
  if (params.length > 0) {
    out += "\nparameters:\n";
    out += table(
      ["name", "value"],
      params.map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]),
    ).replace(/^(?=.)/gm, "  ");
  }
  const summary = Object.entries(run.summary);
  if (summary.length > 0) {
    out += "\nmetrics:\n";
    out += table(
      ["name", "best", "at step", "last"],
      summary.map(([k, s]) => [
        k,
        fixed(s.best),
        s.bestStep < 0 ? "final" : String(s.bestStep),
        fixed(s.last),
      ]),
    ).replace(/^(?=.)/gm, "  ");
  }
  const curves = [...new Set(points.map((p) => p.name))];
  const steps = [...new Set(points.map((p) => p.step))].sort((a, b) => a - b);
  if (steps.length > 1) {
    out += "\ncurves:\n";
    const byKey = new Map(points.map((p) => [`${p.name}@${p.step}`, p.value]));
    out += table(
      ["step", ...curves],
      steps.map((s) => [String(s), ...curves.map((c) => fixed(byKey.get(`${c}@${s}`)))]),
    ).replace(/^(?=.)/gm, "  ");
  }
  return out;
}

/** A comparison as people read it: changed settings, metric deltas, per-class F1 changes. */
export function formatComparison(c: RunComparison): string {
  const ids = c.runs.map((r) => r.id.slice(0, 8));
  let out = table(
    ["run", "name", "started", "status"],
    c.runs.map((r, i) => [ids[i]!, r.name ?? "", readableDate(r.startedAt), r.status]),
  );
  out += `\nparameters${c.params.every((p) => p.differs) ? " (only those that differ; --all for every one)" : ""}:\n`;
  out +=
    c.params.length === 0
      ? "  (the same in every run)\n"
      : table(
          ["name", ...ids],
          c.params.map((p) => [
            p.name,
            ...p.values.map((v) => (typeof v === "string" ? v : JSON.stringify(v))),
          ]),
        ).replace(/^(?=.)/gm, "  ");
  out += `\nmetrics (best; change against ${ids[0]}):\n`;
  out += table(
    ["name", ...ids],
    c.metrics.map((m) => [
      m.name,
      ...m.best.map((b, i) => (i === 0 ? fixed(b) : `${fixed(b)} (${signed(m.deltaBest[i] ?? null)})`)),
    ]),
  ).replace(/^(?=.)/gm, "  ");
  if (c.perClass.length > 0) {
    out += `\nF1 per class (change against ${ids[0]}):\n`;
    out += table(
      ["report", "class", ...ids],
      c.perClass.map((p) => [
        p.report,
        p.label,
        ...p.f1.map((f, i) => (i === 0 ? fixed(f) : `${fixed(f)} (${signed(p.delta[i] ?? null)})`)),
      ]),
    ).replace(/^(?=.)/gm, "  ");
  }
  return out;
}

function csvCell(value: unknown): string {
  const text =
    value === null || value === undefined ? "" : typeof value === "string" ? value : JSON.stringify(value);
  return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Runs as CSV: one row per run, a column per parameter and per metric (best and last). */
export function runsCsv(runs: readonly StoredRun[]): string {
  const params = [...new Set(runs.flatMap((r) => Object.keys(r.params)))].sort();
  const metrics = [...new Set(runs.flatMap((r) => Object.keys(r.summary)))].sort();
  const header = [
    "id",
    "parent_id",
    "family",
    "task",
    "status",
    "name",
    "started_at",
    "seconds",
    "data",
    ...params.map((p) => `params.${p}`),
    ...metrics.flatMap((m) => [`metrics.${m}.best`, `metrics.${m}.last`]),
  ];
  const rows = runs.map((r) => [
    r.id,
    r.parentId,
    r.family,
    r.task,
    r.status,
    r.name,
    r.startedAt,
    r.seconds,
    r.data.map((d) => d.file).join(" "),
    ...params.map((p) => r.params[p]),
    ...metrics.flatMap((m) => [r.summary[m]?.best, r.summary[m]?.last]),
  ]);
  return `${[header, ...rows].map((row) => row.map(csvCell).join(",")).join("\n")}\n`;
}
