/**
 * Comparing runs: which settings differ, how each metric moved, and how each class's (or
 * entity type's) F1 changed, all against the first run given. The CLI prints it, the server
 * returns it and the dashboard draws it.
 */
import { TextkitError } from "../core/index.ts";
import { type ConfusionComparison, compareConfusion } from "./run-confusion-compare.ts";
import type { StoredRun } from "./run-schema.ts";

export interface ParamDiff {
  name: string;
  /** One per run, in the order given; null where a run has no such setting. */
  values: unknown[];
  differs: boolean;
}

export interface MetricDiff {
  name: string;
  higherIsBetter: boolean;
  best: (number | null)[];
  last: (number | null)[];
  /** best of each run minus the first run's best (null where either is missing). */
  deltaBest: (number | null)[];
}

export interface ClassF1Diff {
  /** Which report: "dev" or "test". */
  report: string;
  /** The class or entity type. */
  label: string;
  f1: (number | null)[];
  /** F1 of each run minus the first run's. */
  delta: (number | null)[];
}

export interface RunComparison {
  runs: { id: string; name: string | null; family: string; startedAt: string; status: string }[];
  params: ParamDiff[];
  metrics: MetricDiff[];
  perClass: ClassF1Diff[];
  /** The dev and test confusion matrices, aligned across the runs (classifiers only). */
  confusion: ConfusionComparison[];
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

function deltas(values: readonly (number | null)[]): (number | null)[] {
  const first = values[0] ?? null;
  return values.map((v) => (v === null || first === null ? null : v - first));
}

/**
 * Per-class F1 of one report in a run's final results: a classification report has `labels`
 * rows ({label, f1}), an entity report `types` rows ({type, f1}).
 *
 * @example
 * classF1(run, "test"); // Map { "billing" => 0.91, "card" => 0.88 }
 */
export function classF1(run: StoredRun, report: string): Map<string, number> {
  const out = new Map<string, number>();
  const part = run.final[report];
  if (typeof part !== "object" || part === null || !("report" in part)) return out;
  const body = part.report;
  if (typeof body !== "object" || body === null) return out;
  const rows = "labels" in body ? body.labels : "types" in body ? body.types : undefined;
  if (!Array.isArray(rows)) return out;
  for (const row of rows as unknown[]) {
    if (typeof row !== "object" || row === null || !("f1" in row) || typeof row.f1 !== "number") continue;
    const name = "label" in row ? row.label : "type" in row ? row.type : undefined;
    if (typeof name === "string") out.set(name, row.f1);
  }
  return out;
}

/**
 * Compares runs of one family (RUN_COMPARE_FAMILIES otherwise). With `allParams` false, only
 * the settings that differ are kept.
 *
 * @example
 * compareRuns([a, b]).params; // [{ name: "lr", values: [0.1, 0.5], differs: true }]
 */
export function compareRuns(runs: readonly StoredRun[], allParams = false): RunComparison {
  if (runs.length < 2) {
    throw new TextkitError("OPTION_INVALID", "give at least two runs to compare", {
      details: { runs: runs.length },
    });
  }
  const families = [...new Set(runs.map((r) => r.family))];
  if (families.length > 1) {
    throw new TextkitError(
      "RUN_COMPARE_FAMILIES",
      `these runs are of different families (${families.join(", ")}); their settings and metrics do not compare`,
      { details: { families, runs: runs.map((r) => r.id) } },
    );
  }
  const paramNames = [...new Set(runs.flatMap((r) => Object.keys(r.params)))].sort();
  const params = paramNames
    .map((name) => {
      const values = runs.map((r) => r.params[name] ?? null);
      return { name, values, differs: values.some((v) => !same(v, values[0])) };
    })
    .filter((p) => allParams || p.differs);
  const metricNames = [...new Set(runs.flatMap((r) => Object.keys(r.summary)))].sort();
  const metrics = metricNames.map((name) => {
    const best = runs.map((r) => r.summary[name]?.best ?? null);
    return {
      name,
      higherIsBetter: runs.find((r) => r.summary[name] !== undefined)?.summary[name]?.higherIsBetter ?? true,
      best,
      last: runs.map((r) => r.summary[name]?.last ?? null),
      deltaBest: deltas(best),
    };
  });
  const perClass: ClassF1Diff[] = [];
  for (const report of ["dev", "test"]) {
    const tables = runs.map((r) => classF1(r, report));
    const labels = [...new Set(tables.flatMap((t) => [...t.keys()]))].sort();
    for (const label of labels) {
      const f1 = tables.map((t) => t.get(label) ?? null);
      perClass.push({ report, label, f1, delta: deltas(f1) });
    }
  }
  return {
    runs: runs.map((r) => ({
      id: r.id,
      name: r.name,
      family: r.family,
      startedAt: r.startedAt,
      status: r.status,
    })),
    params,
    metrics,
    perClass,
    confusion: ["dev", "test"]
      .map((report) => compareConfusion(runs, report))
      .filter((c): c is ConfusionComparison => c !== null),
  };
}
