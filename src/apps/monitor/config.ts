/**
 * The monitor's configuration: which models label documents, which sources feed it, which
 * alert rules watch it and where alerts go. It is one JSON file (`textkit serve --monitor
 * monitor.json`), checked here in full before anything starts, each mistake named by its
 * key path (`rules[2].window`).
 */
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { isOneOf, TextkitError } from "../../core/index.ts";
import { TEXT_LANGUAGES, type TextLanguage } from "../../text/index.ts";

export const SENTIMENTS = ["positive", "neutral", "negative"] as const;
export type Sentiment = (typeof SENTIMENTS)[number];

export const RULE_KINDS = ["negative_share", "volume_spike", "keyword"] as const;
export type RuleKind = (typeof RULE_KINDS)[number];

/**
 * Kinds of alerts that other applications raise through the monitor's alert machinery
 * (store, webhooks, cooldown, acknowledgement): the technology radar's. They are not rules
 * of a monitor configuration.
 */
export const EXTERNAL_ALERT_KINDS = ["radar_ring_moved", "radar_rising_fast", "radar_risk_jumped"] as const;
/** What an alert's `kind` can be: a rule's kind, or an external one. */
export type AlertKind = RuleKind | (typeof EXTERNAL_ALERT_KINDS)[number];

/** A model for all languages, or one per language (a language without one goes unlabelled). */
export type ModelChoice = string | Partial<Record<TextLanguage, string>>;

export interface MonitorModels {
  /** A classifier whose labels are the topics. */
  topic: ModelChoice | null;
  /** A classifier whose labels map onto positive / neutral / negative (see sentimentLabels). */
  sentiment: ModelChoice | null;
  /** An entity tagger. */
  entities: ModelChoice | null;
}

export interface AlertRule {
  id: string;
  kind: RuleKind;
  /** A topic, or "*" for each topic separately (keyword rules: "*" means any topic). */
  topic: string;
  /** Length of the window watched, in minutes. */
  windowMinutes: number;
  /** Earlier windows of the same length that make the baseline (negative_share, volume_spike). */
  baselineWindows: number;
  /**
   * Baseline windows that must hold documents on the topic before the rule may fire
   * (negative_share, volume_spike; default a quarter of `baselineWindows`, at least 2).
   */
  minBaselineWindows: number;
  /** Documents on the topic the baseline windows must hold in all before the rule may fire (default 10). */
  minBaselineDocs: number;
  /** Standard deviations above the baseline's mean that fire the rule. */
  z: number;
  /** Documents the window needs before the rule may fire. */
  minDocs: number;
  /** After firing, the same rule and topic stay quiet this long, in minutes. */
  cooldownMinutes: number;
  /** keyword: words or phrases, matched case-insensitively in title and text. */
  keywords: string[];
  /** keyword: only documents of this sentiment count (null: any). */
  sentiment: Sentiment | null;
  description: string;
}

export interface WebhookTarget {
  url: string;
  /** Signs each body: header X-Textkit-Signature: sha256=<HMAC-SHA256 of the body, hex>. */
  secret: string | null;
  /** Attempts before a delivery is given up (default 8). */
  maxAttempts: number;
}

export interface FeedSourceConfig {
  url: string;
  /** The documents' `source` (default: the feed's own title, else its host). */
  name: string | null;
  /** Minutes between two polls (default 5). */
  intervalMinutes: number;
  /** ISO 639 code of every item's language (default: detected per item). */
  lang: string | null;
}

export interface RedisStreamConfig {
  /** redis://host:port/db */
  url: string;
  stream: string;
  /** Consumer group; every process of the group shares the stream's entries (default "textkit-monitor"). */
  group: string;
  /** This process's name in the group (default: host name and process id). */
  consumer: string | null;
  /** Entries read at a time (default 500). */
  batchSize: number;
  /** Where a new group starts: "beginning" of the stream or only "new" entries (default "beginning"). */
  startFrom: "beginning" | "new";
  /**
   * Entries another consumer has held unacknowledged this long are taken over (default
   * 5,000 ms): a live consumer keeps the entries it works on fresh, so this is how long the
   * entries of a dead one wait. Takeover happens within claimIdleMs and one more second.
   */
  claimIdleMs: number;
  /** Consumers of the group with nothing pending and idle this long are removed from it (default 10 minutes). */
  removeIdleMs: number;
  /** Entries that are not valid documents go here with the error (default "<stream>:dead"). */
  deadLetterStream: string;
}

/** The keys of the "redis" object, each documented in the README and `textkit monitor --help`. */
export const REDIS_SETTINGS = [
  "url",
  "stream",
  "group",
  "consumer",
  "batchSize",
  "startFrom",
  "claimIdle",
  "removeIdle",
  "deadLetterStream",
] as const;

/** Defaults of the Redis settings that the README and `textkit monitor --help` quote. */
export const REDIS_DEFAULTS = {
  group: "textkit-monitor",
  batchSize: 500,
  startFrom: "beginning",
  claimIdleMs: 5_000,
  removeIdleMs: 600_000,
} as const;

export interface MonitorConfig {
  models: MonitorModels;
  /** Sentiment model label -> positive / neutral / negative (default: each of the three to itself). */
  sentimentLabels: Record<string, Sentiment>;
  /** Content words per document counted in the term trends (default 5). */
  termsPerDocument: number;
  /** Entity types kept (default null: every type the tagger finds), e.g. ["ORG", "PER", "PRODUCT"]. */
  entityLabels: string[] | null;
  rules: AlertRule[];
  webhooks: WebhookTarget[];
  feeds: FeedSourceConfig[];
  redis: RedisStreamConfig | null;
  /** Documents taken per transaction (default 500). */
  batchSize: number;
  /** Documents waiting to be classified before new ones are refused with MONITOR_BUSY (default 20,000). */
  maxPending: number;
  /** How often alert rules are evaluated, in ms (default 5,000; they also run after ingestion). */
  evaluateIntervalMs: number;
  /**
   * Worker threads that classify ("auto", the default: one per core; 0: in the main thread,
   * through the server's own model loaders).
   */
  workers: number | "auto";
  /** How each document's language is found (see MonitorLanguageConfig). */
  language: MonitorLanguageConfig;
}

/**
 * The language identifier of the monitor's documents: fastText's lid.176 (or another
 * fastText language model) names any of its languages when its probability reaches
 * minScore; otherwise, and when no model is set, textkit's English/Chinese detector decides.
 */
export interface MonitorLanguageConfig {
  /** A .bin/.ftz file or an imported textkit model directory (relative to the configuration file), "auto", or null (default). */
  model: string | null;
  /** Least probability of the model's guess (default 0.5). */
  minScore: number;
}

const DURATION = /^(\d+(?:\.\d+)?)\s*(m|min|h|d)$/;
const SHORT_DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|min|h)$/;
const SHORT_UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, min: 60_000, h: 3_600_000 };

/** Milliseconds in "500ms", "5s", "2m", "1h", or a plain number of minutes (as every duration of the configuration). */
function milliseconds(value: unknown, path: string, file?: string): number {
  if (typeof value === "number" && Number.isFinite(value) && value > 0) return value * 60_000;
  const m = typeof value === "string" ? SHORT_DURATION.exec(value.trim()) : null;
  if (m === null)
    throw configError(path, `${JSON.stringify(value)} is not a duration such as "500ms", "5s" or "2m"`, file);
  const ms = Number(m[1]) * SHORT_UNIT_MS[m[2]!]!;
  if (!(ms >= 1)) throw configError(path, "must be at least 1 ms", file);
  return ms;
}

/** Minutes in "15m", "2h", "1d", or a plain number of minutes. */
function minutes(value: unknown, path: string, file?: string): number {
  if (typeof value === "number" && Number.isFinite(value) && value > 0) return value;
  const m = typeof value === "string" ? DURATION.exec(value.trim()) : null;
  if (m === null)
    throw configError(path, `${JSON.stringify(value)} is not a duration such as "15m", "2h" or "1d"`, file);
  const n = Number(m[1]);
  const unit = m[2] === "d" ? 1440 : m[2] === "h" ? 60 : 1;
  if (!(n > 0)) throw configError(path, "must be longer than zero", file);
  return n * unit;
}

function configError(path: string, message: string, file?: string): TextkitError {
  return new TextkitError("MONITOR_CONFIG_INVALID", `${path}: ${message}`, {
    ...(file === undefined ? {} : { file }),
    details: { path },
  });
}

type Json = Record<string, unknown>;

class Reader {
  constructor(
    private readonly file: string | undefined,
    private readonly record: Json,
    private readonly path: string,
    known: readonly string[],
  ) {
    for (const key of Object.keys(record)) {
      if (!known.includes(key)) {
        throw this.error(key, `is not a setting here; the settings are ${known.join(", ")}`);
      }
    }
  }

  at(key: string): string {
    return this.path === "" ? key : `${this.path}.${key}`;
  }

  error(key: string, message: string): TextkitError {
    return configError(this.at(key), message, this.file);
  }

  has(key: string): boolean {
    return this.record[key] !== undefined && this.record[key] !== null;
  }

  raw(key: string): unknown {
    return this.record[key];
  }

  string(key: string, fallback?: string): string {
    const v = this.record[key];
    if (v === undefined || v === null) {
      if (fallback !== undefined) return fallback;
      throw this.error(key, "is required");
    }
    if (typeof v !== "string" || v.trim() === "") throw this.error(key, "must be a non-empty string");
    return v.trim();
  }

  number(key: string, fallback: number, check: (n: number) => boolean, what: string): number {
    const v = this.record[key];
    if (v === undefined || v === null) return fallback;
    if (typeof v !== "number" || !Number.isFinite(v) || !check(v)) throw this.error(key, `must be ${what}`);
    return v;
  }

  minutes(key: string, fallback: number): number {
    return this.has(key) ? minutes(this.record[key], this.at(key), this.file) : fallback;
  }

  milliseconds(key: string, fallback: number): number {
    return this.has(key) ? milliseconds(this.record[key], this.at(key), this.file) : fallback;
  }

  object(key: string): Json | null {
    const v = this.record[key];
    if (v === undefined || v === null) return null;
    if (typeof v !== "object" || Array.isArray(v)) throw this.error(key, "must be an object");
    return v as Json;
  }

  list(key: string): unknown[] {
    const v = this.record[key];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) throw this.error(key, "must be a list");
    return v;
  }

  child(key: string, value: unknown, known: readonly string[]): Reader {
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      throw configError(key, "must be an object", this.file);
    }
    return new Reader(this.file, value as Json, key, known);
  }
}

function modelChoice(r: Reader, key: string): ModelChoice | null {
  const v = r.raw(key);
  if (v === undefined || v === null) return null;
  if (typeof v === "string" && v.trim() !== "") return v.trim();
  if (typeof v === "object" && !Array.isArray(v)) {
    const per = r.child(r.at(key), v, TEXT_LANGUAGES);
    const out: Partial<Record<TextLanguage, string>> = {};
    for (const lang of TEXT_LANGUAGES) if (per.has(lang)) out[lang] = per.string(lang);
    if (Object.keys(out).length === 0) throw r.error(key, 'names no model; give "en" and/or "zh"');
    return out;
  }
  throw r.error(key, 'must be a model name, or { "en": name, "zh": name }');
}

function rule(file: string | undefined, value: unknown, index: number, ids: Set<string>): AlertRule {
  const path = `rules[${index}]`;
  const r = new Reader(file, {}, path, []).child(path, value, [
    "id",
    "kind",
    "topic",
    "window",
    "baseline",
    "minBaselineWindows",
    "minBaselineDocs",
    "z",
    "minDocs",
    "cooldown",
    "keywords",
    "sentiment",
    "description",
  ]);
  const id = r.string("id");
  if (ids.has(id)) throw r.error("id", `"${id}" is the id of an earlier rule; give each rule its own`);
  ids.add(id);
  const kind = r.string("kind");
  if (!isOneOf(kind, RULE_KINDS)) throw r.error("kind", `must be one of ${RULE_KINDS.join(", ")}`);
  const keywords = r.list("keywords").map((k, i) => {
    if (typeof k !== "string" || k.trim() === "")
      throw r.error(`keywords[${i}]`, "must be a non-empty string");
    return k.trim().toLowerCase();
  });
  if (kind === "keyword" && keywords.length === 0)
    throw r.error("keywords", "a keyword rule needs at least one");
  const sentimentRaw = r.has("sentiment") ? r.string("sentiment") : null;
  if (sentimentRaw !== null && !isOneOf(sentimentRaw, SENTIMENTS)) {
    throw r.error("sentiment", `must be one of ${SENTIMENTS.join(", ")}`);
  }
  const windowMinutes = r.minutes("window", kind === "keyword" ? 10 : 60);
  if (!Number.isInteger(windowMinutes)) throw r.error("window", "must be a whole number of minutes");
  const baselineWindows = r.number(
    "baseline",
    24,
    (n) => Number.isInteger(n) && n >= 2,
    "a whole number of at least 2",
  );
  if (kind === "keyword") {
    for (const key of ["minBaselineWindows", "minBaselineDocs"]) {
      if (r.has(key))
        throw r.error(key, "is for negative_share and volume_spike rules; a keyword rule has no baseline");
    }
  }
  const minBaselineWindows = r.number(
    "minBaselineWindows",
    Math.max(2, Math.ceil(baselineWindows / 4)),
    (n) => Number.isInteger(n) && n >= 1 && n <= baselineWindows,
    `a whole number from 1 to the rule's baseline (${baselineWindows})`,
  );
  const minBaselineDocs = r.number(
    "minBaselineDocs",
    10,
    (n) => Number.isInteger(n) && n >= 1,
    "a whole number of at least 1",
  );
  const out: AlertRule = {
    id,
    kind,
    topic: r.string("topic", "*"),
    windowMinutes,
    baselineWindows,
    minBaselineWindows,
    minBaselineDocs,
    z: r.number("z", 3, (n) => n > 0, "a number above 0"),
    minDocs: r.number(
      "minDocs",
      kind === "keyword" ? 1 : 20,
      (n) => Number.isInteger(n) && n >= 1,
      "a whole number of at least 1",
    ),
    cooldownMinutes: r.minutes("cooldown", 360),
    keywords,
    sentiment: sentimentRaw,
    description: r.has("description") ? r.string("description") : describeRule(kind, windowMinutes),
  };
  return out;
}

function describeRule(kind: RuleKind, windowMinutes: number): string {
  const span = windowMinutes % 60 === 0 ? `${windowMinutes / 60} h` : `${windowMinutes} min`;
  if (kind === "negative_share") return `negative share over ${span} above its baseline`;
  if (kind === "volume_spike") return `document volume over ${span} above its baseline`;
  return `keywords mentioned within ${span}`;
}

/**
 * Checks a configuration (parsed JSON) and fills in the defaults. `file` goes into errors.
 *
 * @example
 * const config = resolveMonitorConfig({ models: { topic: "monitor-topic", sentiment: "monitor-sentiment" } });
 */
export function resolveMonitorConfig(value: unknown, file?: string): MonitorConfig {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw configError("(top level)", "the configuration must be one JSON object", file);
  }
  const top = new Reader(file, value as Json, "", [
    "models",
    "sentimentLabels",
    "termsPerDocument",
    "entityLabels",
    "rules",
    "webhooks",
    "feeds",
    "redis",
    "batchSize",
    "maxPending",
    "evaluateInterval",
    "workers",
    "language",
  ]);
  const modelsRaw = top.object("models") ?? {};
  const m = top.child("models", modelsRaw, ["topic", "sentiment", "entities"]);
  const models: MonitorModels = {
    topic: modelChoice(m, "topic"),
    sentiment: modelChoice(m, "sentiment"),
    entities: modelChoice(m, "entities"),
  };
  const sentimentLabels: Record<string, Sentiment> = {
    positive: "positive",
    neutral: "neutral",
    negative: "negative",
  };
  const labelsRaw = top.object("sentimentLabels");
  if (labelsRaw !== null) {
    for (const [label, target] of Object.entries(labelsRaw)) {
      if (!isOneOf(target, SENTIMENTS)) {
        throw top.error(`sentimentLabels.${label}`, `must be one of ${SENTIMENTS.join(", ")}`);
      }
      sentimentLabels[label] = target;
    }
  }
  const entityLabels = top.has("entityLabels")
    ? top.list("entityLabels").map((v, i) => {
        if (typeof v !== "string" || v.trim() === "") {
          throw top.error(`entityLabels[${i}]`, "must be an entity type such as ORG");
        }
        return v.trim();
      })
    : null;
  const ids = new Set<string>();
  const rules = top.list("rules").map((v, i) => rule(file, v, i, ids));
  const webhooks = top.list("webhooks").map((v, i) => {
    const path = `webhooks[${i}]`;
    const w = top.child(path, typeof v === "string" ? { url: v } : v, ["url", "secret", "maxAttempts"]);
    const url = w.string("url");
    if (!/^https?:\/\//i.test(url)) throw w.error("url", "must be an http:// or https:// URL");
    return {
      url,
      secret: w.has("secret") ? w.string("secret") : null,
      maxAttempts: w.number(
        "maxAttempts",
        8,
        (n) => Number.isInteger(n) && n >= 1 && n <= 50,
        "a whole number from 1 to 50",
      ),
    };
  });
  const feeds = top.list("feeds").map((v, i) => {
    const path = `feeds[${i}]`;
    const f = top.child(path, typeof v === "string" ? { url: v } : v, ["url", "name", "interval", "lang"]);
    const url = f.string("url");
    if (!/^https?:\/\//i.test(url)) throw f.error("url", "must be an http:// or https:// URL");
    const lang = f.has("lang") ? f.string("lang").toLowerCase() : null;
    if (lang !== null && !/^[a-z]{2,3}$/.test(lang)) {
      throw f.error("lang", 'must be an ISO 639 code such as "en", "zh" or "fr"');
    }
    return {
      url,
      name: f.has("name") ? f.string("name") : null,
      intervalMinutes: f.minutes("interval", 5),
      lang,
    };
  });
  const redisRaw = top.object("redis");
  let redis: RedisStreamConfig | null = null;
  if (redisRaw !== null) {
    const r = top.child("redis", redisRaw, REDIS_SETTINGS);
    const url = r.string("url");
    if (!/^rediss?:\/\//i.test(url)) throw r.error("url", "must be a redis:// or rediss:// URL");
    const stream = r.string("stream");
    const startFrom = r.string("startFrom", REDIS_DEFAULTS.startFrom);
    if (startFrom !== "beginning" && startFrom !== "new")
      throw r.error("startFrom", 'must be "beginning" or "new"');
    redis = {
      url,
      stream,
      group: r.string("group", REDIS_DEFAULTS.group),
      consumer: r.has("consumer") ? r.string("consumer") : null,
      batchSize: r.number(
        "batchSize",
        REDIS_DEFAULTS.batchSize,
        (n) => Number.isInteger(n) && n >= 1 && n <= 10_000,
        "a whole number from 1 to 10000",
      ),
      startFrom,
      claimIdleMs: r.milliseconds("claimIdle", REDIS_DEFAULTS.claimIdleMs),
      removeIdleMs: r.milliseconds("removeIdle", REDIS_DEFAULTS.removeIdleMs),
      deadLetterStream: r.string("deadLetterStream", `${stream}:dead`),
    };
  }
  return {
    models,
    language: languageConfig(top, file),
    sentimentLabels,
    entityLabels,
    termsPerDocument: top.number(
      "termsPerDocument",
      8,
      (n) => Number.isInteger(n) && n >= 0 && n <= 50,
      "a whole number from 0 to 50",
    ),
    rules,
    webhooks,
    feeds,
    redis,
    batchSize: top.number(
      "batchSize",
      500,
      (n) => Number.isInteger(n) && n >= 1 && n <= 5000,
      "a whole number from 1 to 5000",
    ),
    maxPending: top.number(
      "maxPending",
      20_000,
      (n) => Number.isInteger(n) && n >= 1,
      "a whole number of at least 1",
    ),
    workers:
      top.raw("workers") === "auto" || !top.has("workers")
        ? "auto"
        : top.number(
            "workers",
            0,
            (n) => Number.isInteger(n) && n >= 0 && n <= 64,
            'a whole number from 0 to 64, or "auto"',
          ),
    evaluateIntervalMs: top.has("evaluateInterval")
      ? minutes(top.raw("evaluateInterval"), "evaluateInterval", file) * 60_000
      : 5_000,
  };
}

function languageConfig(top: Reader, file: string | undefined): MonitorLanguageConfig {
  const raw = top.object("language");
  if (raw === null) return { model: null, minScore: 0.5 };
  const r = top.child("language", raw, ["model", "minScore"]);
  const model = r.has("model") ? r.string("model") : null;
  return {
    model: model === null || model === "auto" || file === undefined ? model : resolve(dirname(file), model),
    minScore: r.number("minScore", 0.5, (n) => n >= 0 && n <= 1, "a probability from 0 to 1"),
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
  return resolveMonitorConfig(value, path);
}
