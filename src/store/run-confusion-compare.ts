/**
 * Confusion matrices of several runs, aligned on one label order so that they can be drawn
 * side by side with their difference. With many labels (CLINC150 has 151) a 151 x 151
 * heatmap is unreadable, so only the labels most involved in confusions are kept; each
 * run's row totals over every label are kept too, so that shares stay true.
 */
import type { StoredRun } from "./run-schema.ts";

/** At most this many labels are shown; past it, those confused most. */
export const MAX_CONFUSION_LABELS = 15;

export interface ConfusionComparison {
  /** Which report: "dev" or "test". */
  report: string;
  /** The labels kept, rows and columns alike. */
  labels: string[];
  /** How many labels the runs' matrices have together (more than `labels` when cut). */
  totalLabels: number;
  /** Per run, counts[true][predicted] over `labels`; null where the run has no matrix. */
  counts: (number[][] | null)[];
  /** Per run, the examples of each kept true label over every predicted label. */
  rowTotals: (number[] | null)[];
}

interface Matrix {
  labels: string[];
  matrix: number[][];
}

function matrixOf(run: Pick<StoredRun, "final">, report: string): Matrix | null {
  const part = run.final[report];
  if (typeof part !== "object" || part === null || !("confusion" in part)) return null;
  const c = part.confusion;
  if (typeof c !== "object" || c === null || !("labels" in c) || !("matrix" in c)) return null;
  const { labels, matrix } = c;
  if (!Array.isArray(labels) || !Array.isArray(matrix) || matrix.length !== labels.length) return null;
  if (!labels.every((l): l is string => typeof l === "string")) return null;
  const rows: number[][] = [];
  for (const row of matrix as unknown[]) {
    if (!Array.isArray(row) || row.length !== labels.length) return null;
    rows.push(row.map((v) => (typeof v === "number" && Number.isFinite(v) ? v : 0)));
  }
  return { labels, matrix: rows };
}

/** Off-diagonal shares of each label (as true and as predicted), summed over the runs. */
function confusionMass(matrices: readonly (Matrix | null)[]): Map<string, number> {
  const mass = new Map<string, number>();
  for (const m of matrices) {
    if (m === null) continue;
    const total = m.matrix.reduce((s, row) => s + row.reduce((a, b) => a + b, 0), 0) || 1;
    m.matrix.forEach((row, t) => {
      row.forEach((count, p) => {
        if (t === p || count === 0) return;
        for (const label of [m.labels[t], m.labels[p]]) {
          if (label !== undefined) mass.set(label, (mass.get(label) ?? 0) + count / total);
        }
      });
    });
  }
  return mass;
}

/**
 * The runs' confusion matrices of `report`, aligned; null when no run has one.
 *
 * @example
 * compareConfusion([a, b], "dev")?.labels; // ["balance", "transfer", ...]
 */
export function compareConfusion(
  runs: readonly Pick<StoredRun, "final">[],
  report: string,
): ConfusionComparison | null {
  const matrices = runs.map((r) => matrixOf(r, report));
  if (matrices.every((m) => m === null)) return null;
  const all = [...new Set(matrices.flatMap((m) => m?.labels ?? []))].sort();
  let labels = all;
  if (all.length > MAX_CONFUSION_LABELS) {
    const mass = confusionMass(matrices);
    const chosen = new Set(
      [...all]
        .sort((a, b) => (mass.get(b) ?? 0) - (mass.get(a) ?? 0) || a.localeCompare(b))
        .slice(0, MAX_CONFUSION_LABELS),
    );
    labels = all.filter((l) => chosen.has(l));
  }
  const counts = matrices.map((m) => {
    if (m === null) return null;
    const at = new Map(m.labels.map((l, i) => [l, i]));
    return labels.map((t) => {
      const row = m.matrix[at.get(t) ?? -1];
      return labels.map((p) => (row === undefined ? 0 : (row[at.get(p) ?? -1] ?? 0)));
    });
  });
  const rowTotals = matrices.map((m) => {
    if (m === null) return null;
    const at = new Map(m.labels.map((l, i) => [l, i]));
    return labels.map((t) => (m.matrix[at.get(t) ?? -1] ?? []).reduce((a, b) => a + b, 0));
  });
  return { report, labels, totalLabels: all.length, counts, rowTotals };
}
