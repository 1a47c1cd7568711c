/**
 * Thoughtworks' Build-Your-Own-Radar format, CSV or JSON, with the columns name, ring,
 * quadrant, isNew, description: the radar exported so that it can be published with BYOR,
 * and a hand-made BYOR sheet imported so that it can be compared with the data-driven one.
 */
import { parse } from "csv-parse/sync";
import { TextkitError } from "../../core/index.ts";
import type { RadarBuild, Snapshot } from "./build.ts";

export const BYOR_COLUMNS = ["name", "ring", "quadrant", "isNew", "description"] as const;

export interface ByorEntry {
  name: string;
  ring: string;
  quadrant: string;
  isNew: boolean;
  description: string;
  /** Line in the file it was read from (0 for exported entries). */
  line: number;
}

/** The scored blips of a snapshot as BYOR entries (blips without a ring are left out). */
export function byorEntries(radar: Pick<RadarBuild, "technologies">, snapshot: Snapshot): ByorEntry[] {
  return snapshot.blips.flatMap((blip, t) => {
    if (blip.ring === null) return [];
    const tech = radar.technologies[t]!;
    const why =
      blip.score === null
        ? "placed by hand"
        : `score ${blip.score.toFixed(3)} (g ${blip.g!.toFixed(2)}, m ${blip.m!.toFixed(2)}, r ${blip.r!.toFixed(2)})`;
    const override = blip.override === null ? "" : `; ring set by ${blip.override.by}: ${blip.override.why}`;
    const description = [tech.description, `${why}${override}; ${snapshot.label}`]
      .filter((x) => x !== "")
      .join(" ");
    return [
      {
        name: blip.technology,
        ring: blip.ring,
        quadrant: blip.quadrant,
        isNew: blip.movement === "new",
        description,
        line: 0,
      },
    ];
  });
}

function csvCell(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** BYOR CSV (a header, then one row per blip; isNew as TRUE or FALSE). */
export function toByorCsv(entries: readonly ByorEntry[]): string {
  const rows = entries.map((e) =>
    [e.name, e.ring, e.quadrant, e.isNew ? "TRUE" : "FALSE", e.description].map(csvCell).join(","),
  );
  return `${[BYOR_COLUMNS.join(","), ...rows].join("\n")}\n`;
}

/** BYOR JSON (an array of objects). */
export function toByorJson(entries: readonly ByorEntry[]): string {
  return `${JSON.stringify(
    entries.map(({ line: _, ...e }) => e),
    null,
    2,
  )}\n`;
}

function bad(file: string, line: number, message: string): TextkitError {
  return new TextkitError("RADAR_BAD_IMPORT", `${file} ${message}`, { file, line });
}

function entryOf(record: Record<string, unknown>, file: string, line: number): ByorEntry {
  const text = (key: string, required: boolean): string => {
    const value = record[key];
    if (value === undefined || value === null || String(value).trim() === "") {
      if (required) throw bad(file, line, `line ${line} has no ${key}`);
      return "";
    }
    return String(value).trim();
  };
  const flag = text("isNew", false).toLowerCase();
  if (!["", "true", "false", "yes", "no"].includes(flag)) {
    throw bad(file, line, `line ${line}: isNew must be TRUE or FALSE, got '${record["isNew"]}'`);
  }
  return {
    name: text("name", true),
    ring: text("ring", true).toLowerCase(),
    quadrant: text("quadrant", true),
    isNew: flag === "true" || flag === "yes",
    description: text("description", false),
    line,
  };
}

/**
 * Reads a BYOR CSV or JSON text (`file` names it in messages; JSON when it starts with "[").
 *
 * @example
 * parseByor("radar.csv", "name,ring,quadrant,isNew,description\nRust,adopt,languages,FALSE,\n")[0].ring; // "adopt"
 */
export function parseByor(file: string, text: string): ByorEntry[] {
  const trimmed = text.trimStart();
  let out: ByorEntry[];
  if (trimmed.startsWith("[")) {
    let items: unknown;
    try {
      items = JSON.parse(text);
    } catch (cause) {
      throw new TextkitError("RADAR_BAD_IMPORT", `${file} is not valid JSON`, { file, cause });
    }
    if (!Array.isArray(items)) throw bad(file, 1, "must be a JSON array of blips");
    out = items.map((item, i) => {
      if (typeof item !== "object" || item === null) throw bad(file, i + 1, `item ${i + 1} is not an object`);
      return entryOf(item as Record<string, unknown>, file, i + 1);
    });
  } else {
    let rows: string[][];
    try {
      rows = parse(text, { relax_column_count: true, skip_empty_lines: true, bom: true }) as string[][];
    } catch (cause) {
      throw new TextkitError("RADAR_BAD_IMPORT", `${file} is not valid CSV`, { file, cause });
    }
    const header = (rows[0] ?? []).map((h) => h.trim());
    for (const column of ["name", "ring", "quadrant"]) {
      if (!header.includes(column)) {
        throw bad(file, 1, `has no column '${column}' (its header: ${header.join(", ")})`);
      }
    }
    out = rows
      .slice(1)
      .map((row, i) => entryOf(Object.fromEntries(header.map((h, k) => [h, row[k]])), file, i + 2));
  }
  const seen = new Map<string, number>();
  for (const e of out) {
    const twin = seen.get(e.name.toLowerCase());
    if (twin !== undefined) throw bad(file, e.line, `line ${e.line}: '${e.name}' is already on line ${twin}`);
    seen.set(e.name.toLowerCase(), e.line);
  }
  return out;
}

export interface ByorComparison {
  name: string;
  /** Ring in the imported radar, or null when it lacks the technology. */
  theirs: string | null;
  ours: string | null;
  /** Rings between them (ours − theirs, by the radar's order; null when one is missing). */
  difference: number | null;
}

/** Compares an imported BYOR radar with a snapshot, by technology name (any case). */
export function compareByor(
  entries: readonly ByorEntry[],
  snapshot: Snapshot,
  rings: readonly { name: string }[],
): ByorComparison[] {
  const index = (ring: string | null) => (ring === null ? -1 : rings.findIndex((r) => r.name === ring));
  const ours = new Map(snapshot.blips.map((b) => [b.technology.toLowerCase(), b]));
  const out: ByorComparison[] = entries.map((e) => {
    const blip = ours.get(e.name.toLowerCase());
    const mine = blip?.ring ?? null;
    const a = index(e.ring);
    const b = index(mine);
    return {
      name: blip?.technology ?? e.name,
      theirs: e.ring,
      ours: mine,
      difference: a >= 0 && b >= 0 ? b - a : null,
    };
  });
  const named = new Set(entries.map((e) => e.name.toLowerCase()));
  for (const blip of snapshot.blips) {
    if (blip.ring !== null && !named.has(blip.technology.toLowerCase())) {
      out.push({ name: blip.technology, theirs: null, ours: blip.ring, difference: null });
    }
  }
  return out;
}
