import { ApiKeyStore } from "../store/index.ts";
import type { KeyVerifier } from "./auth.ts";
import type { DatabaseHandle } from "./database-handle.ts";

export { defaultDatabaseLocation } from "./database-handle.ts";

/** The API key store in the server's database, as the authenticator uses it. */
export async function openKeyStore(database: DatabaseHandle): Promise<KeyVerifier> {
  const store = await ApiKeyStore.open(await database.get());
  return {
    verify: async (token) => {
      const key = await store.verify(token);
      return key === null ? null : { id: key.id, name: key.name, scopes: key.scopes };
    },
    activeCount: () => store.activeCount(),
  };
}
