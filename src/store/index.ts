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
export type { ClassF1Diff, MetricDiff, ParamDiff, RunComparison } from "./run-compare.ts";
export { classF1, compareRuns } from "./run-compare.ts";
export type { ConfusionComparison } from "./run-confusion-compare.ts";
export { compareConfusion, MAX_CONFUSION_LABELS } from "./run-confusion-compare.ts";
export type {
  MetricPoint,
  MetricSummary,
  RunDataFile,
  RunFinish,
  RunStart,
  RunStatus,
  StoredRun,
} from "./run-schema.ts";
export { flatten, higherIsBetter, RUN_MIGRATIONS, RUN_STATUSES } from "./run-schema.ts";
export type { RunStoreOptions } from "./runs.ts";
export { RunHandle, RunStore } from "./runs.ts";
export type { ConditionOp, RunCondition, RunList, RunQuery } from "./runs-query.ts";
export { CONDITION_OPS, MAX_RUN_PAGE, parseRunCondition, RUN_SORT_FIELDS } from "./runs-query.ts";
