/**
 * From typed table columns to the design matrix a linear model multiplies: numeric columns
 * (gaps filled, optionally standardised) and one-hot columns for categories. What it
 * learns from the training data (fill values, means and scales, levels) is stored with the
 * model, so that every later table is encoded exactly as the training data was.
 */
import { createHash } from "node:crypto";
import { compareCodePoints, TextkitError, type TextkitErrorOptions } from "../../core/index.ts";
import type { ColumnKind, ImputeStrategy, NumericColumn, Table } from "../../data/index.ts";
import type { UnknownCategoryPolicy } from "./options.ts";

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

export interface NumericFeature {
  kind: "numeric";
  name: string;
  /** The design column is (value - center) / scale. */
  center: number;
  scale: number;
  /** What a missing value becomes; null: missing values are refused. */
  fill: number | null;
}

export interface CategoricalFeature {
  kind: "categorical";
  name: string;
  /** Levels seen in training, in code point order. */
  levels: string[];
  /** One-hot columns leave out the first level (the reference), as OLS needs. */
  dropFirst: boolean;
  fill: string | null;
}

export type FeatureSpec = NumericFeature | CategoricalFeature;

/** The encoder as plain data, as the artifact stores it. */
export interface EncoderSpec {
  target: string;
  features: FeatureSpec[];
  unknownCategory: UnknownCategoryPolicy;
}

export interface EncoderFitOptions {
  standardize: boolean;
  impute: ImputeStrategy;
  dropFirst: boolean;
  unknownCategory: UnknownCategoryPolicy;
}

/** Median of sorted values (mean of the two middle ones for an even count), as numpy's. */
function median(sorted: Float64Array): number {
  const n = sorted.length;
  const mid = n >> 1;
  return n % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The most frequent value; among ties the smallest, as scikit-learn's SimpleImputer. */
function modeOf(sorted: Float64Array): number {
  let best = sorted[0]!;
  let bestCount = 0;
  let i = 0;
  while (i < sorted.length) {
    let j = i + 1;
    while (j < sorted.length && sorted[j] === sorted[i]) j++;
    if (j - i > bestCount) {
      bestCount = j - i;
      best = sorted[i]!;
    }
    i = j;
  }
  return best;
}

/** Finds where a row of a table is, to name it in an error. */
export type RowLocator = (row: number, column: string) => { where: string; options: TextkitErrorOptions };

/** Rows named by their file and line. */
export function fileRows(table: Table): RowLocator {
  return (row, column) => ({
    where: `line ${table.lines[row]}: column "${column}"`,
    options: { file: table.source, line: table.lines[row], column },
  });
}

/**
 * Encodes tables as design matrices (row-major Float64Array, one row per table row, no
 * intercept column). Create one with `DesignEncoder.fit` or `DesignEncoder.fromSpec`.
 */
export class DesignEncoder {
  readonly target: string;
  readonly features: readonly FeatureSpec[];
  readonly unknownCategory: UnknownCategoryPolicy;
  /** Names of the design columns: a numeric feature's name, or "feature=level". */
  readonly names: readonly string[];
  /** For each design column, the feature it comes from. */
  readonly sources: Int32Array;
  readonly width: number;
  private readonly offsets: Int32Array;
  private readonly levelIndex: Map<string, number>[];

  constructor(spec: EncoderSpec) {
    this.target = spec.target;
    this.features = spec.features;
    this.unknownCategory = spec.unknownCategory;
    const names: string[] = [];
    const sources: number[] = [];
    this.offsets = new Int32Array(spec.features.length);
    this.levelIndex = [];
    spec.features.forEach((feature, f) => {
      this.offsets[f] = names.length;
      const index = new Map<string, number>();
      if (feature.kind === "numeric") {
        names.push(feature.name);
        sources.push(f);
      } else {
        feature.levels.forEach((level, l) => {
          if (feature.dropFirst && l === 0) {
            index.set(level, -1);
            return;
          }
          index.set(level, names.length - this.offsets[f]!);
          names.push(`${feature.name}=${level}`);
          sources.push(f);
        });
      }
      this.levelIndex.push(index);
    });
    this.names = names;
    this.sources = Int32Array.from(sources);
    this.width = names.length;
  }

  /** Learns fill values, centres, scales and levels from a training profile. */
  static fit(profile: TableProfile, target: string, options: EncoderFitOptions): DesignEncoder {
    const features = profile.columns.map((column): FeatureSpec => {
      const total = column.count + column.missing;
      if (column.kind === "categorical") {
        const levels = [...column.levels.keys()].sort(compareCodePoints);
        let fill: string | null = null;
        if (options.impute !== "none") {
          let bestCount = -1;
          for (const level of levels) {
            const count = column.levels.get(level)!;
            if (count > bestCount) {
              bestCount = count;
              fill = level;
            }
          }
        }
        return { kind: "categorical", name: column.name, levels, dropFirst: options.dropFirst, fill };
      }
      let fill: number | null = null;
      if (options.impute === "mean") fill = column.mean;
      else if (options.impute === "median" || options.impute === "mode") {
        if (column.values === null) {
          throw new TextkitError(
            "OPTION_INVALID",
            `--impute ${options.impute} needs the training data in memory; with streamed training data use --impute mean`,
          );
        }
        const sorted = column.values.slice().sort();
        fill = options.impute === "median" ? median(sorted) : modeOf(sorted);
      }
      let center = 0;
      let scale = 1;
      if (options.standardize) {
        // Statistics after the gaps are filled, as a scaler after an imputer sees them.
        const k = column.missing;
        const filled = fill ?? column.mean;
        const mean = total === 0 ? 0 : (column.count * column.mean + k * filled) / total;
        const m2 = column.m2 + (total === 0 ? 0 : (column.count * k * (column.mean - filled) ** 2) / total);
        const std = total === 0 ? 0 : Math.sqrt(m2 / total);
        center = mean;
        // A constant column keeps scale 1 (as scikit-learn's StandardScaler does).
        scale = std > 0 ? std : 1;
      }
      return { kind: "numeric", name: column.name, center, scale, fill };
    });
    return new DesignEncoder({ target, features, unknownCategory: options.unknownCategory });
  }

  /** Checks and wraps a stored spec; a broken one is ARTIFACT_CORRUPT naming `file`. */
  static fromSpec(value: unknown, file: string): DesignEncoder {
    const corrupt = (what: string) =>
      new TextkitError("ARTIFACT_CORRUPT", `the encoder in ${file} is damaged: ${what}`, { file });
    if (typeof value !== "object" || value === null) throw corrupt("not an object");
    const spec = value as Partial<EncoderSpec>;
    if (typeof spec.target !== "string") throw corrupt("no target");
    if (spec.unknownCategory !== "error" && spec.unknownCategory !== "ignore")
      throw corrupt("no unknownCategory");
    if (!Array.isArray(spec.features) || spec.features.length === 0) throw corrupt("no features");
    for (const f of spec.features as unknown[]) {
      const feature = f as Partial<FeatureSpec> | null;
      if (feature === null || typeof feature !== "object" || typeof feature.name !== "string") {
        throw corrupt("a feature has no name");
      }
      if (feature.kind === "numeric") {
        if (typeof feature.center !== "number" || typeof feature.scale !== "number" || !(feature.scale > 0)) {
          throw corrupt(`feature "${feature.name}" has no centre and scale`);
        }
        if (feature.fill !== null && typeof feature.fill !== "number")
          throw corrupt(`feature "${feature.name}" fill`);
      } else if (feature.kind === "categorical") {
        if (!Array.isArray(feature.levels) || !feature.levels.every((l) => typeof l === "string")) {
          throw corrupt(`feature "${feature.name}" has no levels`);
        }
        if (typeof feature.dropFirst !== "boolean") throw corrupt(`feature "${feature.name}" dropFirst`);
        if (feature.fill !== null && typeof feature.fill !== "string")
          throw corrupt(`feature "${feature.name}" fill`);
      } else {
        throw corrupt(`feature "${feature.name}" has an unknown kind`);
      }
    }
    return new DesignEncoder(spec as EncoderSpec);
  }

  toSpec(): EncoderSpec {
    return {
      target: this.target,
      features: this.features.map((f) => ({ ...f })),
      unknownCategory: this.unknownCategory,
    };
  }

  /** The kind of each feature, for reading later tables the way the training data was read. */
  kinds(): Record<string, ColumnKind> {
    return Object.fromEntries(this.features.map((f) => [f.name, f.kind]));
  }

  featureNames(): string[] {
    return this.features.map((f) => f.name);
  }

  /**
   * The mean of every design column over the training data, derived from its profile (for
   * ridge, which centres the design): numeric columns from their filled statistics, one-hot
   * columns from their levels' shares.
   */
  designMeans(profile: TableProfile): Float64Array {
    const means = new Float64Array(this.width);
    this.features.forEach((feature, f) => {
      const column = profile.columns[f]!;
      const total = column.count + column.missing;
      const offset = this.offsets[f]!;
      if (feature.kind === "numeric" && column.kind === "numeric") {
        const filled = feature.fill ?? column.mean;
        const mean = (column.count * column.mean + column.missing * filled) / total;
        means[offset] = (mean - feature.center) / feature.scale;
      } else if (feature.kind === "categorical" && column.kind === "categorical") {
        const index = this.levelIndex[f]!;
        for (const [level, count] of column.levels) {
          const at = index.get(level)!;
          const extra = level === feature.fill ? column.missing : 0;
          if (at >= 0) means[offset + at] = (count + extra) / total;
        }
      }
    });
    return means;
  }

  /**
   * Writes the design rows of `table` (rows `start` .. `start + count`) into `out`, row-major.
   * Throws DATA_MISSING_VALUE for a gap the model cannot fill and DATA_UNKNOWN_CATEGORY for
   * a category not seen in training (unless the policy is "ignore"), named by `locate`.
   */
  encode(
    table: Table,
    out: Float64Array,
    start = 0,
    count: number = table.rows - start,
    locate: RowLocator = fileRows(table),
  ): void {
    const width = this.width;
    out.fill(0, 0, count * width);
    const byName = new Map(table.columns.map((c) => [c.name, c]));
    this.features.forEach((feature, f) => {
      const column = byName.get(feature.name);
      if (column === undefined) {
        throw new TextkitError(
          "DATA_MISSING_COLUMN",
          `${table.source} has no column "${feature.name}", which the model needs`,
          { file: table.source, column: feature.name },
        );
      }
      const offset = this.offsets[f]!;
      if (feature.kind === "numeric") {
        if (column.kind !== "numeric") {
          throw new TextkitError(
            "DATA_NOT_NUMERIC",
            `column "${feature.name}" of ${table.source} holds categories, but the model learnt it as numbers`,
            { file: table.source, column: feature.name },
          );
        }
        const { center, scale, fill } = feature;
        const values = column.values;
        for (let i = 0; i < count; i++) {
          let v = values[start + i]!;
          if (Number.isNaN(v)) {
            if (fill === null) throw this.missing(locate, start + i, feature.name);
            v = fill;
          }
          out[i * width + offset] = (v - center) / scale;
        }
        return;
      }
      // Each of the table's levels maps once to a design column (-1: the reference, -2: unknown).
      let map: Int32Array;
      let codes: Int32Array | null = null;
      let levels: readonly string[];
      if (column.kind === "categorical") {
        levels = column.levels;
        codes = column.codes;
      } else {
        // Numbers in a column the model learnt as categories (JSON rows): their text is the level.
        levels = [];
      }
      const index = this.levelIndex[f]!;
      map = new Int32Array(levels.length);
      for (let l = 0; l < levels.length; l++) map[l] = index.get(levels[l]!) ?? -2;
      const fillAt = feature.fill === null ? -3 : index.get(feature.fill)!;
      for (let i = 0; i < count; i++) {
        let at: number;
        if (codes === null) {
          const v = (column as NumericColumn).values[start + i]!;
          at = Number.isNaN(v) ? -4 : (index.get(String(v)) ?? -2);
        } else {
          const code = codes[start + i]!;
          at = code < 0 ? -4 : map[code]!;
        }
        if (at === -4) {
          if (fillAt === -3) throw this.missing(locate, start + i, feature.name);
          at = fillAt;
        }
        if (at >= 0) out[i * width + offset + at] = 1;
        else if (at === -2 && this.unknownCategory === "error") {
          const shown =
            codes === null ? String((column as NumericColumn).values[start + i]) : levels[codes[start + i]!]!;
          const { where, options } = locate(start + i, feature.name);
          const known = feature.levels
            .slice(0, 8)
            .map((l) => JSON.stringify(l))
            .join(", ");
          throw new TextkitError(
            "DATA_UNKNOWN_CATEGORY",
            `${where} holds ${JSON.stringify(shown)}, a category the model never saw in training (it knows ${known}${feature.levels.length > 8 ? ", ..." : ""})`,
            options,
          );
        }
      }
    });
  }

  private missing(locate: RowLocator, row: number, name: string): TextkitError {
    const { where, options } = locate(row, name);
    return new TextkitError(
      "DATA_MISSING_VALUE",
      `${where} has no value, and the model was trained without filling gaps (--impute none)`,
      options,
    );
  }
}
