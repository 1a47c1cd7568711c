import { type MonitorConfig, readMonitorConfig, resolveMonitorConfig } from "../apps/monitor/index.ts";
import { TextkitError } from "../core/index.ts";
import type { FamilyLoader } from "./registry.ts";

export const AUTH_MODES = ["auto", "on", "off"] as const;
/** auto: on as soon as one active API key exists; on: always; off: never (admin routes then answer loopback only). */
export type AuthMode = (typeof AUTH_MODES)[number];

export const TEXT_OVERFLOW_MODES = ["reject", "truncate"] as const;
/** What to do with an input longer than maxTextChars. */
export type TextOverflow = (typeof TEXT_OVERFLOW_MODES)[number];

export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Where log lines go when not to stdout (tests capture them this way). */
export interface LogSink {
  write(line: string): unknown;
}

export interface RateLimitConfig {
  /** Sustained requests per minute, per API key (per client IP where no key is sent). */
  perMinute: number;
  /** Requests a client may send at once before the sustained rate applies (default perMinute). */
  burst?: number;
}

export interface ServerConfig {
  /** Directory of models: DIR/<name>/ is one artifact, or DIR/<name>/<version>/ are several. */
  modelsDir: string;
  /** Interface to listen on (default 127.0.0.1). */
  host?: string;
  /** Port (default 8080; 0 picks a free one). */
  port?: number;
  /**
   * Where API keys live: an open database or its location. Default `<dataDir>/textkit.db`.
   * Not opened at all when auth is "off".
   */
  database?: unknown;
  /** Directory for the default database (default ~/.textkit, or $TEXTKIT_DATA_DIR). */
  dataDir?: string;
  auth?: AuthMode;
  /** Origins browsers may call from; none by default (CORS closed). */
  cors?: { origins: string[] };
  /** Largest request body (default 1 MiB). */
  bodyLimitBytes?: number;
  /** Most inputs in one predict request (default 256). */
  maxBatch?: number;
  /** Texts a pretrained encoder may have waiting; beyond it requests are 429 ENCODER_BUSY (default 1024). */
  encoderQueue?: number;
  /** Longest input text in UTF-16 code units (default 10,000). */
  maxTextChars?: number;
  textOverflow?: TextOverflow;
  /** Per-key rate limit; off by default. Each worker counts on its own (see cluster.ts). */
  rateLimit?: RateLimitConfig | false;
  /**
   * Internal: serve POST /v1/models/:name/predict from node:http before fastify where it
   * answers exactly as fastify would (default true; src/server/fast-predict.ts). false sends
   * every request through fastify: for tests comparing the two paths, and as a safety valve
   * (also `TEXTKIT_FAST_PATH=0` in the environment when this is not given).
   */
  fastPath?: boolean;
  /** false: silent; true: info to stdout; a level; or a level and a sink. */
  logger?: boolean | LogLevel | { level?: LogLevel; stream?: LogSink };
  /** How often to rescan the models directory besides file-system events (default 2000; 0: never). */
  watchIntervalMs?: number;
  /** Require the admin scope for GET /metrics (default false: Prometheus scrapes without a key). */
  metricsRequireAuth?: boolean;
  /** Serve the OpenAPI document and the /docs page (default true). */
  docs?: boolean;
  /** Loaders of further model families, by the manifest's `family`; they add to the built-in ones. */
  families?: Record<string, FamilyLoader>;
  /**
   * Run the opinion monitor: `config` is the path of its JSON configuration or the parsed
   * object (see src/apps/monitor/config.ts). Its models are names in modelsDir.
   */
  monitor?: MonitorServerConfig;
}

export interface MonitorServerConfig {
  config: string | Record<string, unknown>;
  /** Poll feeds and read the stream the configuration names (default true). */
  sources?: boolean;
  /** Most documents in one ingest request (default 1000). */
  maxDocuments?: number;
  /** For feeds and webhooks (tests point them at loopback). */
  fetch?: typeof fetch;
  webhookDelays?: { baseDelayMs?: number; maxDelayMs?: number; timeoutMs?: number; pollMs?: number };
}

export interface ResolvedMonitorConfig {
  config: MonitorConfig;
  sources: boolean;
  maxDocuments: number;
  fetch: typeof fetch | undefined;
  webhookDelays: MonitorServerConfig["webhookDelays"];
}

export interface ResolvedServerConfig {
  modelsDir: string;
  host: string;
  port: number;
  database: unknown;
  dataDir: string | undefined;
  auth: AuthMode;
  cors: { origins: string[] };
  bodyLimitBytes: number;
  maxBatch: number;
  encoderQueue: number;
  maxTextChars: number;
  textOverflow: TextOverflow;
  rateLimit: { perMinute: number; burst: number } | false;
  logger: { level: LogLevel; stream: LogSink | undefined } | false;
  fastPath: boolean;
  watchIntervalMs: number;
  metricsRequireAuth: boolean;
  docs: boolean;
  families: Record<string, FamilyLoader>;
  monitor: ResolvedMonitorConfig | null;
}

export const SERVER_DEFAULTS = {
  host: "127.0.0.1",
  port: 8080,
  auth: "auto",
  bodyLimitBytes: 1024 * 1024,
  maxBatch: 256,
  encoderQueue: 1024,
  maxTextChars: 10_000,
  textOverflow: "reject",
  watchIntervalMs: 2000,
} as const;

function invalid(message: string): TextkitError {
  return new TextkitError("OPTION_INVALID", message);
}

function positiveInteger(name: string, value: number | undefined, fallback: number, min = 1): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < min)
    throw invalid(`${name} must be an integer >= ${min}, got ${String(v)}`);
  return v;
}

/**
 * Fills in the defaults and checks every setting, so that a mistake fails at start-up with
 * OPTION_INVALID rather than on the first request.
 *
 * @example
 * const config = resolveServerConfig({ modelsDir: "models", port: 0, auth: "off" });
 * config.maxBatch; // 256
 */
export function resolveServerConfig(config: ServerConfig): ResolvedServerConfig {
  if (typeof config.modelsDir !== "string" || config.modelsDir.length === 0)
    throw invalid("modelsDir is required: the directory that holds the models to serve");
  const auth = config.auth ?? SERVER_DEFAULTS.auth;
  if (!AUTH_MODES.includes(auth))
    throw invalid(`auth must be one of ${AUTH_MODES.join(", ")}, got '${auth}'`);
  const textOverflow = config.textOverflow ?? SERVER_DEFAULTS.textOverflow;
  if (!TEXT_OVERFLOW_MODES.includes(textOverflow))
    throw invalid(`textOverflow must be one of ${TEXT_OVERFLOW_MODES.join(", ")}, got '${textOverflow}'`);
  const port = config.port ?? SERVER_DEFAULTS.port;
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw invalid(`port must be an integer from 0 to 65535, got ${String(port)}`);
  let rateLimit: ResolvedServerConfig["rateLimit"] = false;
  if (config.rateLimit !== undefined && config.rateLimit !== false) {
    const perMinute = positiveInteger("rateLimit.perMinute", config.rateLimit.perMinute, 0);
    rateLimit = { perMinute, burst: positiveInteger("rateLimit.burst", config.rateLimit.burst, perMinute) };
  }
  const origins = config.cors?.origins ?? [];
  for (const origin of origins) {
    if (origin !== "*" && !/^https?:\/\/[^/\s]+$/.test(origin))
      throw invalid(`CORS origin '${origin}' must look like https://host[:port] (no path), or be '*'`);
  }
  return {
    modelsDir: config.modelsDir,
    host: config.host ?? SERVER_DEFAULTS.host,
    port,
    database: config.database,
    dataDir: config.dataDir,
    auth,
    cors: { origins: [...origins] },
    bodyLimitBytes: positiveInteger("bodyLimitBytes", config.bodyLimitBytes, SERVER_DEFAULTS.bodyLimitBytes),
    maxBatch: positiveInteger("maxBatch", config.maxBatch, SERVER_DEFAULTS.maxBatch),
    encoderQueue: positiveInteger("encoderQueue", config.encoderQueue, SERVER_DEFAULTS.encoderQueue),
    maxTextChars: positiveInteger("maxTextChars", config.maxTextChars, SERVER_DEFAULTS.maxTextChars),
    textOverflow,
    rateLimit,
    logger: resolveLogger(config.logger),
    // The safety valve without a code change: TEXTKIT_FAST_PATH=0 textkit serve ...
    fastPath: config.fastPath ?? process.env.TEXTKIT_FAST_PATH !== "0",
    watchIntervalMs: positiveInteger(
      "watchIntervalMs",
      config.watchIntervalMs,
      SERVER_DEFAULTS.watchIntervalMs,
      0,
    ),
    metricsRequireAuth: config.metricsRequireAuth ?? false,
    docs: config.docs ?? true,
    families: { ...config.families },
    monitor: resolveMonitor(config.monitor),
  };
}

function resolveMonitor(monitor: MonitorServerConfig | undefined): ResolvedMonitorConfig | null {
  if (monitor === undefined) return null;
  return {
    config:
      typeof monitor.config === "string"
        ? readMonitorConfig(monitor.config)
        : resolveMonitorConfig(monitor.config),
    sources: monitor.sources ?? true,
    maxDocuments: positiveInteger("monitor.maxDocuments", monitor.maxDocuments, 1000),
    fetch: monitor.fetch,
    webhookDelays: monitor.webhookDelays,
  };
}

function resolveLogger(logger: ServerConfig["logger"]): ResolvedServerConfig["logger"] {
  if (logger === undefined || logger === true) return { level: "info", stream: undefined };
  if (logger === false) return false;
  if (typeof logger === "string") {
    if (!LOG_LEVELS.includes(logger)) throw invalid(`log level must be one of ${LOG_LEVELS.join(", ")}`);
    return { level: logger, stream: undefined };
  }
  const level = logger.level ?? "info";
  if (!LOG_LEVELS.includes(level)) throw invalid(`log level must be one of ${LOG_LEVELS.join(", ")}`);
  return { level, stream: logger.stream };
}
