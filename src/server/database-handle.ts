/**
 * The server's application database, opened on first use and shared by what needs it
 * (API keys, recommender events): `config.database` (a Database object, or a location such
 * as postgres://...), else `<dataDir>/textkit.db`. A database the server opened is closed
 * with it; one passed in belongs to the caller.
 */
import { homedir } from "node:os";
import { join } from "node:path";
import { type Database, openDatabase } from "../store/index.ts";
import type { ResolvedServerConfig } from "./config.ts";

/** Where the application data lives by default: `<dataDir>/textkit.db`. */
export function defaultDatabaseLocation(dataDir: string | undefined): string {
  return join(dataDir ?? process.env["TEXTKIT_DATA_DIR"] ?? join(homedir(), ".textkit"), "textkit.db");
}

export class DatabaseHandle {
  private readonly given: ResolvedServerConfig["database"];
  private readonly dataDir: string | undefined;
  private opening: Promise<Database> | null = null;
  private closed = false;

  constructor(config: Pick<ResolvedServerConfig, "database" | "dataDir">) {
    this.given = config.database;
    this.dataDir = config.dataDir;
  }

  /** The database, opened the first time it is asked for. */
  get(): Promise<Database> {
    if (this.opening === null) {
      const given = this.given;
      this.opening =
        given !== undefined && typeof given !== "string"
          ? Promise.resolve(given as Database)
          : openDatabase(given ?? defaultDatabaseLocation(this.dataDir));
      // A failed open is tried again on the next request (the disk may have come back).
      this.opening.catch(() => {
        this.opening = null;
      });
    }
    return this.opening;
  }

  /** Closes the database if this handle opened it. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const owned = this.given === undefined || typeof this.given === "string";
    if (this.opening === null || !owned) return;
    const db = await this.opening.catch(() => null);
    await db?.close();
  }
}
