import { homedir } from "node:os";
import { join } from "node:path";
import { ApiKeyStore } from "../store/api-keys.ts";
import { type Database, openDatabase } from "../store/database.ts";
import type { KeyVerifier } from "./auth.ts";
import type { ResolvedServerConfig } from "./config.ts";

/** Where the API keys live by default: `<dataDir>/textkit.db`. */
export function defaultDatabaseLocation(dataDir: string | undefined): string {
  return join(dataDir ?? process.env["TEXTKIT_DATA_DIR"] ?? join(homedir(), ".textkit"), "textkit.db");
}

/**
 * Opens the API key store the config names; closes the database on `close` only when it
 * opened it (a Database passed in belongs to the caller).
 */
export async function openKeyStore(
  config: ResolvedServerConfig,
): Promise<{ verifier: KeyVerifier; close(): Promise<void> }> {
  const given = config.database;
  const owned = given === undefined || typeof given === "string";
  const db: Database = owned
    ? await openDatabase(given ?? defaultDatabaseLocation(config.dataDir))
    : (given as Database);
  const store = await ApiKeyStore.open(db);
  let closed = false;
  return {
    verifier: {
      verify: async (token) => {
        const key = await store.verify(token);
        return key === null ? null : { id: key.id, name: key.name, scopes: key.scopes };
      },
      activeCount: () => store.activeCount(),
    },
    close: async () => {
      if (closed || !owned) return;
      closed = true;
      await db.close();
    },
  };
}
