/**
 * From typed table columns to the design matrix a linear model multiplies: numeric columns
 * (gaps filled, optionally standardised) and one-hot columns for categories. What it
 * learns from the training data (fill values, means and scales, levels) is stored with the
 * model, so that every later table is encoded exactly as the training data was.
 */
import { compareCodePoints, TextkitError, type TextkitErrorOptions } from "../../core/index.ts";
import type { ColumnKind, ImputeStrategy, NumericColumn, Table, TableColumn } from "../../data/index.ts";
import type { UnknownCategoryPolicy } from "./options.ts";
import type { TableProfile } from "./profile.ts";

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

/** Where `encode` writes: rows `start` .. `start + count` of a table, from design column `offset`. */
interface EncodeRows {
  out: Float64Array;
  start: number;
  count: number;
  locate: RowLocator;
  offset: number;
}

/** DATA_UNKNOWN_CATEGORY for `shown`, naming up to eight of the levels the model knows. */
function unknownCategory(
  feature: CategoricalFeature,
  shown: string,
  { where, options }: { where: string; options: TextkitErrorOptions },
): TextkitError {
  const known = feature.levels
    .slice(0, 8)
    .map((l) => JSON.stringify(l))
    .join(", ");
  return new TextkitError(
    "DATA_UNKNOWN_CATEGORY",
    `${where} holds ${JSON.stringify(shown)}, a category the model never saw in training (it knows ${known}${feature.levels.length > 8 ? ", ..." : ""})`,
    options,
  );
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
    out.fill(0, 0, count * this.width);
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
      const rows: EncodeRows = { out, start, count, locate, offset: this.offsets[f] ?? 0 };
      if (feature.kind === "categorical") this.encodeCategorical(feature, f, column, rows);
      else if (column.kind === "numeric") this.encodeNumeric(feature, column, rows);
      else {
        throw new TextkitError(
          "DATA_NOT_NUMERIC",
          `column "${feature.name}" of ${table.source} holds categories, but the model learnt it as numbers`,
          { file: table.source, column: feature.name },
        );
      }
    });
  }

  /** A numeric feature's design column: gaps filled, centred and scaled. */
  private encodeNumeric(feature: NumericFeature, column: NumericColumn, rows: EncodeRows): void {
    const { out, start, count, locate, offset } = rows;
    const width = this.width;
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
  }

  /** A categorical feature's one-hot columns (nothing for the reference level or an ignored unknown). */
  private encodeCategorical(
    feature: CategoricalFeature,
    f: number,
    column: TableColumn,
    rows: EncodeRows,
  ): void {
    const { out, start, count, locate, offset } = rows;
    const width = this.width;
    // Each of the table's levels maps once to a design column (-1: the reference, -2: unknown).
    // Numbers in a column the model learnt as categories (JSON rows): their text is the level.
    const codes = column.kind === "categorical" ? column.codes : null;
    const levels: readonly string[] = column.kind === "categorical" ? column.levels : [];
    const index = this.levelIndex[f] ?? new Map<string, number>();
    const map = new Int32Array(levels.length);
    for (const [l, level] of levels.entries()) map[l] = index.get(level) ?? -2;
    const fillAt = feature.fill === null ? -3 : (index.get(feature.fill) ?? -2);
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
          codes === null
            ? String((column as NumericColumn).values[start + i])
            : (levels[codes[start + i] ?? 0] ?? "");
        throw unknownCategory(feature, shown, locate(start + i, feature.name));
      }
    }
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
