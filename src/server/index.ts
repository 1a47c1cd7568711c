export type { ServerRuntime } from "./app.ts";
export { buildServer } from "./app.ts";
export type { KeyVerifier, RequestKey, RouteScope } from "./auth.ts";
export { Authenticator, ROUTE_SCOPES } from "./auth.ts";
export type { ClusterEvent, ClusterOptions, RunningCluster } from "./cluster.ts";
export { restartDelayMs, runCluster } from "./cluster.ts";
export type {
  AuthMode,
  LogLevel,
  LogSink,
  RateLimitConfig,
  ResolvedServerConfig,
  ServerConfig,
  TextOverflow,
} from "./config.ts";
export {
  AUTH_MODES,
  LOG_LEVELS,
  resolveServerConfig,
  SERVER_DEFAULTS,
  TEXT_OVERFLOW_MODES,
} from "./config.ts";
export type { ErrorBody } from "./error-handler.ts";
export { errorBody, toTextkitError } from "./error-handler.ts";
export { builtInFamilies, loadClassifierPredictor } from "./families.ts";
export type { ServerRequestState, TextkitServerState } from "./fastify-types.ts";
export { defaultDatabaseLocation } from "./keys.ts";
export type { BuiltInFamily, LoadedModel, ModelOf } from "./loaded-model.ts";
export { isLoadedFamily } from "./loaded-model.ts";
export { ServerMetrics } from "./metrics.ts";
export type { TextkitAuthHook, TextkitPluginOptions } from "./plugin.ts";
export { textkitPlugin } from "./plugin.ts";
export type { RadarAlertOptions } from "./radar-alerts.ts";
export { DEFAULT_RADAR_ALERT_COOLDOWN_MS, fireRadarAlerts } from "./radar-alerts.ts";
export { tokenBucketStore } from "./rate-limit.ts";
export type {
  FamilyLoader,
  ModelPredictOptions,
  ModelStatus,
  Predictor,
  RegistryLog,
  RegistryOptions,
  ServedModel,
  VersionState,
  VersionStatus,
} from "./registry.ts";
export { compareVersions, ModelRegistry, PIN_FILE, VERSION_STATES } from "./registry.ts";
export type { RunningServer } from "./start.ts";
export { startServer } from "./start.ts";
