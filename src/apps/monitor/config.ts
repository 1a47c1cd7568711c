/**
 * The monitor's configuration: which models label documents, which sources feed it, which
 * alert rules watch it and where alerts go. It is one JSON file (`textkit serve --monitor
 * monitor.json`), checked here in full before anything starts, each mistake named by its
 * key path (`rules[2].window`): the file's shape by its schema (config-schema.ts), then
 * what spans keys, with the defaults filled in.
 */
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { isTextkitError, TextkitError } from "../../core/index.ts";
import { lineOfPath } from "./config-lines.ts";
import { millisecondsOf, minutesOf, resolveRule } from "./config-rules.ts";
import { checkConfigFile, configError, type KeyPath, type MonitorConfigFile } from "./config-schema.ts";
import {
  type ModelChoice,
  type MonitorConfig,
  type MonitorLanguageConfig,
  type MonitorModels,
  REDIS_DEFAULTS,
  type RedisStreamConfig,
  type Sentiment,
} from "./config-types.ts";

export type { MonitorConfigFile } from "./config-schema.ts";
export type {
  AlertKind,
  AlertRule,
  FeedSourceConfig,
  ModelChoice,
  MonitorConfig,
  MonitorLanguageConfig,
  MonitorModels,
  RedisStreamConfig,
  RuleKind,
  Sentiment,
  WebhookTarget,
} from "./config-types.ts";
export {
  EXTERNAL_ALERT_KINDS,
  REDIS_DEFAULTS,
  REDIS_SETTINGS,
  RULE_KINDS,
  SENTIMENTS,
} from "./config-types.ts";

type FileModels = NonNullable<MonitorConfigFile["models"]>;
type FileModelChoice = FileModels["topic"];

function modelChoice(value: FileModelChoice, path: KeyPath, file?: string): ModelChoice | null {
  if (value === undefined || value === null) return null;
  if (typeof value === "string") return value.trim();
  const out: Partial<Record<"en" | "zh", string>> = {};
  if (typeof value.en === "string") out.en = value.en.trim();
  if (typeof value.zh === "string") out.zh = value.zh.trim();
  if (Object.keys(out).length === 0) throw configError(path, 'names no model; give "en" and/or "zh"', file);
  return out;
}

function modelsOf(models: FileModels | undefined | null, file?: string): MonitorModels {
  return {
    topic: modelChoice(models?.topic, ["models", "topic"], file),
    sentiment: modelChoice(models?.sentiment, ["models", "sentiment"], file),
    entities: modelChoice(models?.entities, ["models", "entities"], file),
  };
}

function redisOf(redis: MonitorConfigFile["redis"], file?: string): RedisStreamConfig | null {
  if (redis === undefined || redis === null) return null;
  const stream = redis.stream.trim();
  return {
    url: redis.url.trim(),
    stream,
    group: redis.group?.trim() ?? REDIS_DEFAULTS.group,
    consumer: redis.consumer?.trim() ?? null,
    batchSize: redis.batchSize ?? REDIS_DEFAULTS.batchSize,
    startFrom: redis.startFrom ?? REDIS_DEFAULTS.startFrom,
    claimIdleMs:
      redis.claimIdle == null
        ? REDIS_DEFAULTS.claimIdleMs
        : millisecondsOf(redis.claimIdle, ["redis", "claimIdle"], file),
    removeIdleMs:
      redis.removeIdle == null
        ? REDIS_DEFAULTS.removeIdleMs
        : millisecondsOf(redis.removeIdle, ["redis", "removeIdle"], file),
    deadLetterStream: redis.deadLetterStream?.trim() ?? `${stream}:dead`,
  };
}

function languageOf(language: MonitorConfigFile["language"], file?: string): MonitorLanguageConfig {
  const model = language?.model?.trim() ?? null;
  return {
    model: model === null || model === "auto" || file === undefined ? model : resolve(dirname(file), model),
    minScore: language?.minScore ?? 0.5,
  };
}

/** The file's webhooks, feeds and sentiment labels with their defaults. */
function targetsOf(c: MonitorConfigFile, file?: string) {
  const webhooks = (c.webhooks ?? []).map((w) => {
    const o = typeof w === "string" ? { url: w } : w;
    return { url: o.url.trim(), secret: o.secret?.trim() ?? null, maxAttempts: o.maxAttempts ?? 8 };
  });
  const feeds = (c.feeds ?? []).map((f, i) => {
    const o = typeof f === "string" ? { url: f } : f;
    const interval = o.interval ?? null;
    return {
      url: o.url.trim(),
      name: o.name?.trim() ?? null,
      intervalMinutes: interval === null ? 5 : minutesOf(interval, ["feeds", i, "interval"], file),
      lang: o.lang?.trim().toLowerCase() ?? null,
    };
  });
  const sentimentLabels: Record<string, Sentiment> = {
    positive: "positive",
    neutral: "neutral",
    negative: "negative",
    ...c.sentimentLabels,
  };
  return { webhooks, feeds, sentimentLabels };
}

/**
 * Checks a configuration (parsed JSON) and fills in the defaults. `file` goes into errors.
 *
 * @example
 * const config = resolveMonitorConfig({ models: { topic: "monitor-topic", sentiment: "monitor-sentiment" } });
 */
export function resolveMonitorConfig(value: unknown, file?: string): MonitorConfig {
  const c = checkConfigFile(value, file);
  const ids = new Set<string>();
  const evaluateInterval = c.evaluateInterval ?? null;
  return {
    models: modelsOf(c.models, file),
    language: languageOf(c.language, file),
    entityLabels: c.entityLabels?.map((l) => l.trim()) ?? null,
    termsPerDocument: c.termsPerDocument ?? 8,
    rules: (c.rules ?? []).map((r, i) => resolveRule(r, i, ids, file)),
    ...targetsOf(c, file),
    redis: redisOf(c.redis, file),
    batchSize: c.batchSize ?? 500,
    maxPending: c.maxPending ?? 20_000,
    workers: c.workers ?? "auto",
    evaluateIntervalMs:
      evaluateInterval === null ? 5_000 : minutesOf(evaluateInterval, ["evaluateInterval"], file) * 60_000,
  };
}

/** Reads and checks a configuration file. */
export function readMonitorConfig(path: string): MonitorConfig {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (cause) {
    throw new TextkitError("DATA_FILE_NOT_FOUND", `cannot read the monitor configuration ${path}`, {
      file: path,
      cause,
    });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new TextkitError(
      "DATA_BAD_JSON",
      `${path} is not valid JSON: ${cause instanceof Error ? cause.message : String(cause)}`,
      { file: path, cause },
    );
  }
  try {
    return resolveMonitorConfig(value, path);
  } catch (e) {
    throw withLine(e, text);
  }
}

/** A configuration mistake with the line of its key in `text` added; any other error as it is. */
function withLine(e: unknown, text: string): unknown {
  const keys: unknown = isTextkitError(e) ? e.details?.["keys"] : undefined;
  if (!isTextkitError(e) || e.code !== "MONITOR_CONFIG_INVALID" || !Array.isArray(keys)) return e;
  const path = keys.filter((k): k is string | number => typeof k === "string" || typeof k === "number");
  const line = lineOfPath(text, path);
  return new TextkitError(e.code, e.message, {
    ...(e.file === undefined ? {} : { file: e.file }),
    line,
    ...(e.details === undefined ? {} : { details: e.details }),
    cause: e,
  });
}
