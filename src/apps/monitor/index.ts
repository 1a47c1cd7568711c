export type { RuleFinding, RuleWindows } from "./alerts.ts";
export { evaluateCounts, evaluateKeywordHits, keywordMatcher, ruleWindows } from "./alerts.ts";
export type {
  AlertKind,
  AlertRule,
  FeedSourceConfig,
  ModelChoice,
  MonitorConfig,
  MonitorModels,
  RedisStreamConfig,
  RuleKind,
  Sentiment,
  WebhookTarget,
} from "./config.ts";
export {
  EXTERNAL_ALERT_KINDS,
  REDIS_DEFAULTS,
  REDIS_SETTINGS,
  RULE_KINDS,
  readMonitorConfig,
  resolveMonitorConfig,
  SENTIMENTS,
} from "./config.ts";
export { demoHistory, demoLive, demoLiveIntervalMs, readDemoPool } from "./demo-stream.ts";
export { classifierLabeler, loadDirectoryModels, taggerFinder } from "./directory-models.ts";
export type {
  DocumentLocation,
  DocumentSink,
  IngestOutcome,
  IngestResult,
  MonitorDocument,
  MonitorDocumentInput,
  MonitorEntity,
} from "./document.ts";
export {
  documentKey,
  MAX_DOCUMENT_CHARS,
  parseDocumentInput,
  parseDocumentInputs,
} from "./document.ts";
export type { BatchProcessor, IngestQueueOptions } from "./ingest-queue.ts";
export { IngestQueue } from "./ingest-queue.ts";
export type { MonitorOptions, MonitorStatus, RangeQuery, TrendSeries, TrendsView } from "./monitor.ts";
export { defaultBucket, MAX_TREND_BUCKETS, Monitor } from "./monitor.ts";
export type { EntityFinder, MonitorModelSource, TextLabeler, TopLabel } from "./pipeline.ts";
export { DocumentPipeline, NO_SENTIMENT, NO_TOPIC } from "./pipeline.ts";
export type {
  AlertDraft,
  AlertRecord,
  CountRow,
  Delivery,
  DeliveryStatus,
  DocumentFilter,
  Granularity,
  RankedEntity,
  RankedTerm,
  TimeRange,
} from "./store.ts";
export { BUCKET_MS, DELIVERY_STATUSES, documentRow, GRANULARITIES, MonitorStore } from "./store.ts";
export { type BatchPrecount, precount } from "./store-counts.ts";
export { TermExtractor } from "./terms.ts";
export type { AlertJson, DeliveryJson, MonitorLog, WebhookDelivererOptions } from "./webhooks.ts";
export { alertJson, WebhookDeliverer } from "./webhooks.ts";
