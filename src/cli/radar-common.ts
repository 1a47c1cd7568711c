/**
 * What the `textkit radar` subcommands share: the database flags and the store they open,
 * date options, and the marks and number format of the text output.
 */
import type { Command } from "commander";
import { type Blip, RadarStore } from "../apps/radar/index.ts";
import { TextkitError } from "../core/index.ts";
import { defaultDatabaseLocation } from "../server/index.ts";
import { type Database, openDatabase } from "../store/index.ts";

/** --database, --data-dir and --json, on every subcommand that reads or writes the radar. */
export interface DatabaseFlags {
  database?: string;
  dataDir?: string;
  json?: boolean;
}

/** Opens the database of `flags` (SQLite file or PostgreSQL URL) and its radar store for `run`, and closes it. */
export async function withStore<T>(
  flags: DatabaseFlags,
  run: (store: RadarStore, db: Database) => Promise<T>,
): Promise<T> {
  const db = await openDatabase(flags.database ?? defaultDatabaseLocation(flags.dataDir));
  try {
    return await run(await RadarStore.open(db), db);
  } finally {
    await db.close();
  }
}

/** Adds --database, --data-dir and --json to a subcommand. */
export function databaseOptions(command: Command): Command {
  return command
    .option("--database <location>", "a SQLite file or postgres://... URL (default: <data-dir>/textkit.db)")
    .option(
      "--data-dir <dir>",
      "directory of the default database (default: $TEXTKIT_DATA_DIR or ~/.textkit)",
    )
    .option("--json", "print JSON instead of text");
}

/** Parses a --date style option; OPTION_INVALID for what is not a date. */
export function dateFlag(value: string): number {
  const t = Date.parse(value);
  if (!Number.isFinite(t))
    throw new TextkitError("OPTION_INVALID", `'${value}' is not a date; write it as 2026-06-01`);
  return t;
}

/** The text mark of each movement. */
export const ARROW: Record<Blip["movement"], string> = { new: "★", in: "▲", out: "▼", gone: "✕", none: " " };

/** A score with `digits` decimals, or a dash for none. */
export function fmt(x: number | null, digits = 2): string {
  return x === null ? "  -" : x.toFixed(digits);
}
