/**
 * What the training data says about its columns (counts, means, squared deviations,
 * levels, the first gap, a fingerprint), gathered chunk by chunk so that a file too big
 * for memory can be profiled as it streams past. `DesignEncoder.fit` learns from it.
 */
import { createHash } from "node:crypto";
import { TextkitError } from "../../core/index.ts";
import type { Table } from "../../data/index.ts";

/** What the training data says about one column. */
export type ColumnProfile =
  | {
      kind: "numeric";
      name: string;
      /** Values present, and missing. */
      count: number;
      missing: number;
      mean: number;
      /** Sum of squared deviations from the mean. */
      m2: number;
      /** Every present value, when the profile was asked to keep them (median, mode). */
      values: Float64Array | null;
    }
  | { kind: "categorical"; name: string; count: number; missing: number; levels: Map<string, number> };

export interface TableProfile {
  source: string;
  rows: number;
  columns: ColumnProfile[];
  target: { name: string; mean: number; m2: number };
  /** SHA-256 of the rows' values, in order: which data trained a model. */
  fingerprint: string;
  /** Line of the first row with a missing feature value, and its column (for a clear refusal). */
  firstMissing: { line: number; column: string } | null;
}

/** Mean and sum of squared deviations of `values` (two passes: accurate for any offset). */
function meanAndM2(values: Float64Array): { count: number; mean: number; m2: number } {
  let count = 0;
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isNaN(v)) {
      sum += v;
      count++;
    }
  }
  if (count === 0) return { count, mean: 0, m2: 0 };
  const mean = sum / count;
  let m2 = 0;
  let drift = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isNaN(v)) {
      const d = v - mean;
      m2 += d * d;
      drift += d;
    }
  }
  // The corrected two-pass formula: removes the rounding left in `mean`.
  return { count, mean: mean + drift / count, m2: m2 - (drift * drift) / count };
}

/** Chan et al.'s merge of two groups' counts, means and squared deviations. */
function merge(
  a: { count: number; mean: number; m2: number },
  b: { count: number; mean: number; m2: number },
): { count: number; mean: number; m2: number } {
  if (a.count === 0) return { ...b };
  if (b.count === 0) return { ...a };
  const count = a.count + b.count;
  const delta = b.mean - a.mean;
  return {
    count,
    mean: a.mean + (delta * b.count) / count,
    m2: a.m2 + b.m2 + (delta * delta * a.count * b.count) / count,
  };
}

/**
 * Gathers a `TableProfile` chunk by chunk, so that a file too big for memory can be
 * profiled as it streams past.
 */
export class TableProfiler {
  private readonly keepValues: boolean;
  private columns: ColumnProfile[] | null = null;
  private kept: Float64Array[][] = [];
  private target = { count: 0, mean: 0, m2: 0 };
  private targetName = "";
  private rows = 0;
  private source = "";
  private readonly hash = createHash("sha256");
  private firstMissing: { line: number; column: string } | null = null;

  constructor(keepValues: boolean) {
    this.keepValues = keepValues;
  }

  add(table: Table): void {
    if (table.target === null) {
      throw new TextkitError("DATA_MISSING_COLUMN", `${table.source} has no target column to learn from`, {
        file: table.source,
      });
    }
    if (this.columns === null) {
      this.source = table.source;
      this.targetName = table.target.name;
      this.columns = table.columns.map((c) =>
        c.kind === "numeric"
          ? { kind: "numeric", name: c.name, count: 0, missing: 0, mean: 0, m2: 0, values: null }
          : { kind: "categorical", name: c.name, count: 0, missing: 0, levels: new Map() },
      );
      this.kept = table.columns.map(() => []);
    }
    const hash = this.hash;
    for (let c = 0; c < table.columns.length; c++) {
      const column = table.columns[c]!;
      let profile = this.columns[c]!;
      hash.update(`\u0000${column.name}\u0000`);
      if (column.kind === "categorical" && profile.kind === "numeric") {
        // A streamed column whose first chunks held no value at all, then categories.
        profile = {
          kind: "categorical",
          name: column.name,
          count: 0,
          missing: profile.missing,
          levels: new Map(),
        };
        this.columns[c] = profile;
      }
      if (column.missing > 0 && this.firstMissing === null) {
        for (let i = 0; i < table.rows; i++) {
          const absent = column.kind === "numeric" ? Number.isNaN(column.values[i]!) : column.codes[i]! < 0;
          if (absent) {
            this.firstMissing = { line: table.lines[i]!, column: column.name };
            break;
          }
        }
      }
      profile.missing += column.missing;
      if (column.kind === "numeric" && profile.kind === "numeric") {
        const stats = merge(profile, meanAndM2(column.values));
        profile.count = stats.count;
        profile.mean = stats.mean;
        profile.m2 = stats.m2;
        hash.update(new Uint8Array(column.values.buffer, column.values.byteOffset, column.values.byteLength));
        if (this.keepValues) this.kept[c]!.push(column.values.slice());
      } else if (column.kind === "categorical" && profile.kind === "categorical") {
        const counts = new Float64Array(column.levels.length);
        for (let i = 0; i < table.rows; i++) {
          const code = column.codes[i]!;
          if (code >= 0) counts[code]!++;
        }
        for (let l = 0; l < counts.length; l++) {
          if (counts[l]! > 0) {
            const level = column.levels[l]!;
            profile.levels.set(level, (profile.levels.get(level) ?? 0) + counts[l]!);
            profile.count += counts[l]!;
          }
        }
        const texts: string[] = new Array(table.rows);
        for (let i = 0; i < table.rows; i++) {
          const code = column.codes[i]!;
          texts[i] = code < 0 ? "" : column.levels[code]!;
        }
        hash.update(texts.join("\u0001"));
      } else if (column.kind === "numeric" && profile.kind === "categorical") {
      }
    }
    const target = table.target.values;
    this.target = merge(this.target, meanAndM2(target));
    hash.update("\u0000target\u0000");
    hash.update(new Uint8Array(target.buffer, target.byteOffset, target.byteLength));
    this.rows += table.rows;
  }

  finish(): TableProfile {
    if (this.columns === null || this.rows === 0) {
      throw new TextkitError(
        "DATA_EMPTY",
        `${this.source || "the training data"} has no rows to learn from`,
        {
          ...(this.source === "" ? {} : { file: this.source }),
        },
      );
    }
    const columns = this.columns.map((profile, c) => {
      if (profile.kind !== "numeric" || !this.keepValues) return profile;
      const parts = this.kept[c]!;
      const values = new Float64Array(profile.count);
      let at = 0;
      for (const part of parts) for (const v of part) if (!Number.isNaN(v)) values[at++] = v;
      return { ...profile, values };
    });
    return {
      source: this.source,
      rows: this.rows,
      columns,
      target: { name: this.targetName, mean: this.target.mean, m2: this.target.m2 },
      fingerprint: this.hash.digest("hex"),
      firstMissing: this.firstMissing,
    };
  }
}
