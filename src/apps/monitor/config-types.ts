/**
 * The types of the monitor's configuration once checked and filled in with defaults, and
 * the names and defaults that the README and `textkit monitor --help` quote.
 */
import type { TextLanguage } from "../../text/index.ts";

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
   * Worker threads that classify ("auto", the default: one per core but one, at least one; 0: in the main thread,
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
