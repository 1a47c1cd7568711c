/**
 * The opinion monitor: documents in (ingest route, file import, feeds, a stream), labelled
 * by the pipeline, stored with their counts, watched by alert rules, alerts out to webhooks
 * and the log; and the views the API and the dashboard read (trends, terms, entities,
 * documents, alerts, status).
 */
import { TextkitError } from "../../core/index.ts";
import { type LanguageDetector, loadLanguageDetector } from "../../models/classifier/index.ts";
import type { Database } from "../../store/index.ts";
import {
  evaluateCounts,
  evaluateKeywordHits,
  keywordMatcher,
  type RuleFinding,
  ruleWindows,
} from "./alerts.ts";
import { type AlertRule, type MonitorConfig, SENTIMENTS } from "./config.ts";
import type { IngestOutcome, IngestResult, MonitorDocument, MonitorDocumentInput } from "./document.ts";
import type { FeedPoller, FeedStatus } from "./feeds.ts";
import { IngestQueue } from "./ingest-queue.ts";
import { DocumentPipeline, type MonitorModelSource } from "./pipeline.ts";
import { defaultWorkers, PipelinePool } from "./pipeline-pool.ts";
import type { RedisStreamConsumer, RedisStreamStatus } from "./redis-stream.ts";
import {
  type AlertRecord,
  BUCKET_MS,
  type Granularity,
  MonitorStore,
  type RankedEntity,
  type RankedTerm,
  type TimeRange,
} from "./store.ts";
import { type MonitorLog, WebhookDeliverer } from "./webhooks.ts";

export interface MonitorOptions {
  db: Database;
  config: MonitorConfig;
  models: MonitorModelSource;
  log?: MonitorLog;
  now?: () => number;
  /** For feeds and webhooks (default the global fetch). */
  fetch?: typeof fetch;
  /** Poll the configured feeds and read the configured stream (default true). */
  sources?: boolean;
  /** Webhook retry timing (tests make it short). */
  webhookDelays?: { baseDelayMs?: number; maxDelayMs?: number; timeoutMs?: number; pollMs?: number };
}

/** A time range as the API gives it: ISO strings, or nothing for "the last 24 hours". */
export interface RangeQuery {
  from?: number;
  to?: number;
}

export interface TrendSeries {
  total: number[];
  positive: number[];
  neutral: number[];
  negative: number[];
  negativeShare: (number | null)[];
}

export interface TrendsView {
  from: number;
  to: number;
  bucket: Granularity;
  times: number[];
  topics: (TrendSeries & { topic: string })[];
  all: TrendSeries;
}

export interface MonitorStatus {
  documents: number;
  topics: string[];
  sentiments: readonly string[];
  lastIngestAt: number | null;
  queue: { pending: number; capacity: number };
  models: { topic: string | null; sentiment: string | null; entities: string | null; language: string };
  rules: number;
  openAlerts: number;
  sources: { feeds: FeedStatus[]; stream: RedisStreamStatus | null };
}

const DAY = BUCKET_MS.day;
/** The most buckets one trends request may ask for. */
export const MAX_TREND_BUCKETS = 2_000;
/** Alerts are evaluated at most this often because of ingestion (the timer runs besides). */
const EVALUATE_AFTER_INGEST_MS = 1_000;
/** First and longest wait before the stream consumer tries to connect again. */
const STREAM_RETRY_MS = 5_000;
const STREAM_RETRY_MAX_MS = 60_000;

/** The bucket a range is best shown in: minutes up to 3 hours, hours up to a week, else days. */
export function defaultBucket(range: TimeRange): Granularity {
  const span = range.to - range.from;
  if (span <= 3 * BUCKET_MS.hour) return "minute";
  if (span <= 7 * DAY) return "hour";
  return "day";
}

function emptySeries(n: number): TrendSeries {
  return {
    total: new Array(n).fill(0),
    positive: new Array(n).fill(0),
    neutral: new Array(n).fill(0),
    negative: new Array(n).fill(0),
    negativeShare: new Array(n).fill(null),
  };
}

function finishShares(s: TrendSeries): void {
  for (let i = 0; i < s.total.length; i++) {
    const labelled = s.positive[i]! + s.neutral[i]! + s.negative[i]!;
    s.negativeShare[i] = labelled === 0 ? null : s.negative[i]! / labelled;
  }
}

/**
 * @example
 * const monitor = await Monitor.open({ db, config, models });
 * await monitor.start();
 * await monitor.submit([{ text: "Norvale Bank's app is down for the third day" }]);
 * const trends = await monitor.trends({});
 * await monitor.stop();
 */
export class Monitor {
  readonly store: MonitorStore;
  readonly config: MonitorConfig;
  private readonly pipeline: DocumentPipeline;
  private readonly pool: PipelinePool | null;
  private readonly queue: IngestQueue;
  private readonly deliverer: WebhookDeliverer;
  private readonly feeds: FeedPoller | null;
  private readonly stream: RedisStreamConsumer | null;
  private readonly log: MonitorLog;
  private readonly now: () => number;
  private readonly matchKeywords: (doc: MonitorDocument) => string[];
  private timer: NodeJS.Timeout | null = null;
  private evaluating: Promise<AlertRecord[]> | null = null;
  private lastEvaluation = 0;
  private evaluationQueued: NodeJS.Timeout | null = null;
  private started = false;
  private streamStarting: Promise<void> | null = null;
  private streamRetry: NodeJS.Timeout | null = null;

  private constructor(
    options: MonitorOptions,
    store: MonitorStore,
    languages: LanguageDetector,
    sources: {
      feeds: (sink: IngestQueue) => FeedPoller | null;
      stream: (sink: IngestQueue) => RedisStreamConsumer | null;
    },
  ) {
    this.store = store;
    this.config = options.config;
    this.log = options.log ?? (() => undefined);
    this.now = options.now ?? Date.now;
    this.pipeline = new DocumentPipeline(options.config, options.models, languages);
    const workers = options.config.workers === "auto" ? defaultWorkers() : options.config.workers;
    this.pool =
      workers > 0 && PipelinePool.usable(options.config, options.models)
        ? new PipelinePool(options.config, options.models, workers)
        : null;
    this.matchKeywords = keywordMatcher(options.config.rules);
    this.queue = new IngestQueue({
      process: (docs) => this.processBatch(docs),
      batchSize: options.config.batchSize,
      maxPending: options.config.maxPending,
      // With workers, two batches more than workers: one is stored while the workers classify
      // and one more waits at a worker, so no worker idles between batches. One more than
      // workers left the single worker on 2 cores idle while the main thread stored: median of
      // five interleaved runs 17,010 docs/s against 19,903 (bench/prof-whole, 50,000 documents).
      concurrency: this.pool === null ? 1 : this.pool.size + 2,
    });
    this.deliverer = new WebhookDeliverer({
      store,
      targets: options.config.webhooks,
      log: this.log,
      now: this.now,
      ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
      ...options.webhookDelays,
    });
    this.feeds = sources.feeds(this.queue);
    this.stream = sources.stream(this.queue);
  }

  /** Opens the monitor's tables (creating them the first time). Nothing runs until `start`. */
  static async open(options: MonitorOptions): Promise<Monitor> {
    const store = await MonitorStore.open(options.db);
    const languages = await loadLanguageDetector(options.config.language);
    const withSources = options.sources ?? true;
    const { config } = options;
    // Each source's library is loaded only when the configuration uses that source.
    const Feeds = withSources && config.feeds.length > 0 ? (await import("./feeds.ts")).FeedPoller : null;
    const Stream =
      withSources && config.redis !== null ? (await import("./redis-stream.ts")).RedisStreamConsumer : null;
    return new Monitor(options, store, languages, {
      feeds: (sink) =>
        Feeds === null
          ? null
          : new Feeds({
              db: options.db,
              sink,
              feeds: config.feeds,
              ...(options.log === undefined ? {} : { log: options.log }),
              ...(options.now === undefined ? {} : { now: options.now }),
              ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
            }),
      stream: (sink) =>
        Stream === null || config.redis === null
          ? null
          : new Stream({
              config: config.redis,
              sink,
              ...(options.log === undefined ? {} : { log: options.log }),
            }),
    });
  }

  /** Starts alert evaluation, webhook delivery and the sources. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.deliverer.start();
    if (this.config.rules.length > 0) {
      this.timer = setInterval(() => void this.evaluateSafely(), this.config.evaluateIntervalMs);
      this.timer.unref();
    }
    await this.feeds?.start();
    if (this.stream !== null) this.startStream(this.stream);
  }

  /**
   * Connects the stream consumer, trying again every few seconds while the broker cannot be
   * reached, so that a server started before its Redis reads the stream once Redis is up.
   */
  private startStream(stream: RedisStreamConsumer): void {
    const attempt = (delayMs: number): void => {
      this.streamStarting = stream.start().catch((error: unknown) => {
        if (!this.started) return;
        this.log("error", `the stream consumer did not start; trying again in ${delayMs / 1000} s`, {
          err: error instanceof Error ? error.message : String(error),
        });
        this.streamRetry = setTimeout(() => attempt(Math.min(delayMs * 2, STREAM_RETRY_MAX_MS)), delayMs);
        this.streamRetry.unref();
      });
    };
    attempt(STREAM_RETRY_MS);
  }

  /** Stops the sources first, then lets accepted documents be stored, then the rest. */
  async stop(): Promise<void> {
    this.started = false;
    if (this.streamRetry !== null) clearTimeout(this.streamRetry);
    await this.streamStarting;
    await this.stream?.stop();
    await this.feeds?.stop();
    await this.queue.close();
    await this.pool?.close();
    if (this.timer !== null) clearInterval(this.timer);
    if (this.evaluationQueued !== null) clearTimeout(this.evaluationQueued);
    this.timer = null;
    this.evaluationQueued = null;
    await this.evaluating;
    await this.deliverer.stop();
  }

  /** Classifies and stores documents (see DocumentSink): resolves once they are stored. */
  submit(documents: readonly MonitorDocumentInput[]): Promise<IngestOutcome> {
    return this.queue.submit(documents);
  }

  /** The ingest queue, as a sink for sources that run elsewhere (the file import). */
  get sink(): IngestQueue {
    return this.queue;
  }

  private async processBatch(inputs: readonly MonitorDocumentInput[]): Promise<IngestResult[]> {
    // With workers, a worker counts the batch too, off this thread (see precount).
    const { docs, counts } =
      this.pool === null
        ? { docs: await this.pipeline.enrich(inputs, this.now()), counts: undefined }
        : await this.pool.enrichCounted(inputs, this.now());
    const fresh = await this.store.insertDocuments(docs, this.matchKeywords, counts);
    if (fresh.size > 0 && this.config.rules.length > 0) this.evaluateSoon();
    // Within one batch the first of two equal documents is the stored one: its key leaves
    // `fresh` (this batch's own set), so a second one finds it gone.
    return docs.map((d) => ({
      key: d.key,
      status: fresh.delete(d.key) ? "stored" : "duplicate",
      topic: d.topic,
      sentiment: d.sentiment,
    }));
  }

  private evaluateSoon(): void {
    if (!this.started || this.evaluationQueued !== null) return;
    const wait = Math.max(0, this.lastEvaluation + EVALUATE_AFTER_INGEST_MS - this.now());
    this.evaluationQueued = setTimeout(() => {
      this.evaluationQueued = null;
      void this.evaluateSafely();
    }, wait);
    this.evaluationQueued.unref();
  }

  private async evaluateSafely(): Promise<void> {
    try {
      await this.evaluateAlerts();
    } catch (error) {
      this.log("error", "alert evaluation failed", { err: String(error) });
    }
  }

  /** Evaluates every rule now (one evaluation at a time); returns the alerts that fired. */
  evaluateAlerts(now = this.now()): Promise<AlertRecord[]> {
    if (this.evaluating !== null) return this.evaluating.then(() => []);
    this.lastEvaluation = now;
    this.evaluating = (async () => {
      const fired: AlertRecord[] = [];
      for (const rule of this.config.rules) {
        for (const finding of await this.findings(rule, now)) {
          const alert = await this.store.fireAlert(
            finding.draft,
            finding.key,
            rule.cooldownMinutes * 60_000,
            this.config.webhooks.map((w) => w.url),
          );
          if (alert === null) continue;
          fired.push(alert);
          this.log("warn", `monitor alert: ${alert.message}`, {
            alert: alert.id,
            rule: alert.rule,
            topic: alert.topic,
            z: alert.z,
          });
        }
      }
      if (fired.length > 0) this.deliverer.kick();
      return fired;
    })().finally(() => {
      this.evaluating = null;
    });
    return this.evaluating;
  }

  private async findings(rule: AlertRule, now: number): Promise<RuleFinding[]> {
    const windows = ruleWindows(rule, now);
    if (rule.kind === "keyword")
      return evaluateKeywordHits(rule, await this.store.ruleHits(rule.id, windows.span), now);
    const topic = rule.topic === "*" ? undefined : rule.topic;
    return evaluateCounts(rule, await this.store.counts("minute", windows.span, topic), now);
  }

  /** A checked range: the last 24 hours by default. */
  range(query: RangeQuery): TimeRange {
    const to = query.to ?? this.now();
    const from = query.from ?? to - DAY;
    if (!(from < to)) {
      throw new TextkitError("INPUT_INVALID", "from must be before to", { details: { field: "/from" } });
    }
    return { from, to };
  }

  /** Counts per bucket (dense, zero-filled) for each topic and for all of them. */
  async trends(query: RangeQuery & { bucket?: Granularity; topic?: string }): Promise<TrendsView> {
    const range = this.range(query);
    const bucket = query.bucket ?? defaultBucket(range);
    const size = BUCKET_MS[bucket];
    const first = Math.floor(range.from / size) * size;
    const n = Math.ceil((range.to - first) / size);
    if (n > MAX_TREND_BUCKETS) {
      throw new TextkitError(
        "INPUT_INVALID",
        `that range has ${n} ${bucket} buckets; ask for at most ${MAX_TREND_BUCKETS} (a larger bucket, or a shorter range)`,
        { details: { field: "/bucket" } },
      );
    }
    const rows = await this.store.counts(bucket, range, query.topic);
    const times = Array.from({ length: n }, (_, i) => first + i * size);
    const byTopic = new Map<string, TrendSeries>();
    const all = emptySeries(n);
    for (const r of rows) {
      const i = Math.floor((r.bucket - first) / size);
      if (i < 0 || i >= n) continue;
      let s = byTopic.get(r.topic);
      if (s === undefined) {
        s = emptySeries(n);
        byTopic.set(r.topic, s);
      }
      for (const series of [s, all]) {
        series.total[i]! += r.n;
        if (r.sentiment === "positive" || r.sentiment === "neutral" || r.sentiment === "negative") {
          series[r.sentiment][i]! += r.n;
        }
      }
    }
    const topics = [...byTopic]
      .map(([topic, s]) => ({ topic, ...s }))
      .sort((a, b) => sum(b.total) - sum(a.total) || (a.topic < b.topic ? -1 : 1));
    for (const t of topics) finishShares(t);
    finishShares(all);
    return { from: range.from, to: range.to, bucket, times, topics, all };
  }

  terms(query: RangeQuery & { topic?: string; sentiment?: string; limit?: number }): Promise<RankedTerm[]> {
    return this.store.topTerms(this.range(query), { ...query, limit: query.limit ?? 20 });
  }

  entities(
    query: RangeQuery & { topic?: string; sentiment?: string; label?: string; limit?: number },
  ): Promise<RankedEntity[]> {
    return this.store.topEntities(this.range(query), { ...query, limit: query.limit ?? 20 });
  }

  documents(query: RangeQuery & { topic?: string; sentiment?: string; limit?: number; cursor?: string }) {
    return this.store.documents({ ...this.range(query), ...query, limit: query.limit ?? 50 });
  }

  alerts(query: { status?: "open" | "acknowledged"; limit?: number }): Promise<AlertRecord[]> {
    return this.store.alerts({ ...query, limit: query.limit ?? 50 });
  }

  acknowledge(id: string, by: string | null, note: string | null): Promise<AlertRecord> {
    return this.store.acknowledge(id, by, note, this.now());
  }

  rules(): readonly AlertRule[] {
    return this.config.rules;
  }

  async status(): Promise<MonitorStatus> {
    return {
      documents: await this.store.documentCount(),
      topics: await this.store.topics(),
      sentiments: SENTIMENTS,
      lastIngestAt: await this.store.lastIngestAt(),
      queue: { pending: this.queue.pending, capacity: this.queue.capacity },
      models: this.pipeline.describeModels(),
      rules: this.config.rules.length,
      openAlerts: await this.store.openAlertCount(),
      sources: {
        feeds: this.feeds === null ? [] : await this.feeds.status(),
        stream: this.stream === null ? null : this.stream.status(),
      },
    };
  }
}

function sum(values: readonly number[]): number {
  let s = 0;
  for (const v of values) s += v;
  return s;
}
