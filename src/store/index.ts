export type { ApiKey, ApiKeyScope, ApiKeyStoreOptions, CreatedApiKey } from "./api-keys.ts";
export { API_KEY_SCOPES, ApiKeyStore, hasScope, MAX_KEY_NAME_LENGTH, parseScopes } from "./api-keys.ts";
export type { Database } from "./database.ts";
export { isPostgresUrl, MIGRATIONS_TABLE, openDatabase } from "./database.ts";
export type {
  DatabaseCapabilities,
  Dialect,
  OpenDatabaseOptions,
  Queryable,
  Row,
  RunResult,
  SqlValue,
} from "./driver.ts";
export {
  DEFAULT_BUSY_TIMEOUT_MS,
  DEFAULT_CONNECT_TIMEOUT_MS,
  DEFAULT_MAX_CONNECTIONS,
  DIALECTS,
} from "./driver.ts";
export type { StoredEvent, StoredEventInput } from "./recommender-events.ts";
export { RecommenderEventStore } from "./recommender-events.ts";
