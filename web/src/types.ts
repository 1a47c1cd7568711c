/**
 * The shapes the dashboard reads from the API: GET /v1/models and the monitor routes under
 * /v1/monitor. Times are ISO 8601 strings.
 */

export const SENTIMENTS = ["positive", "neutral", "negative"] as const;
export type Sentiment = (typeof SENTIMENTS)[number];

export interface ModelVersion {
  version: string;
  state: "active" | "available" | "failed";
  createdAt: string | null;
  error: { code: string; message: string } | null;
}

export interface ModelSummary {
  name: string;
  layout: "single" | "versions";
  family: string | null;
  task: string | null;
  activeVersion: string | null;
  pinnedVersion: string | null;
  labelCount: number | null;
  versions: ModelVersion[];
}

export interface ModelList {
  models: ModelSummary[];
}

export interface FeedStatus {
  url: string;
  name: string | null;
  lastPolledAt: string | null;
  lastStatus: string | null;
  lastError: string | null;
  itemsTotal: number;
}

export interface MonitorStatus {
  documents: number;
  topics: string[];
  sentiments: string[];
  lastIngestAt: string | null;
  queue: { pending: number; capacity: number };
  models: { topic: string | null; sentiment: string | null; entities: string | null };
  rules: number;
  openAlerts: number;
  sources: {
    feeds: FeedStatus[];
    stream: null | { stream: string; group: string; consumer: string; connected: boolean; processed: number };
  };
}

/** Counts per bucket, one entry per element of `times`. */
export interface SentimentSeries {
  total: number[];
  positive: number[];
  neutral: number[];
  negative: number[];
  negativeShare: (number | null)[];
}

export interface TopicSeries extends SentimentSeries {
  topic: string;
}

export interface Trends {
  from: string;
  to: string;
  bucket: "minute" | "hour" | "day";
  times: string[];
  topics: TopicSeries[];
  all: SentimentSeries;
}

export interface TermCount {
  term: string;
  count: number;
}

export interface EntityCount {
  text: string;
  label: string;
  count: number;
}

export interface DocumentEntity {
  text: string;
  label: string;
  /** UTF-16 offsets into the document's text, end exclusive. */
  start: number;
  end: number;
  score: number;
}

export interface MonitorDocument {
  key: string;
  id: string | null;
  source: string;
  title: string | null;
  text: string;
  url: string | null;
  lang: string;
  publishedAt: string;
  ingestedAt: string;
  topic: string | null;
  topicScore: number | null;
  sentiment: string | null;
  sentimentScore: number | null;
  entities: DocumentEntity[];
}

export interface Delivery {
  target: string;
  status: "pending" | "delivered" | "failed";
  attempts: number;
  lastError: string | null;
  deliveredAt: string | null;
}

export interface Alert {
  id: string;
  rule: string;
  kind: string;
  topic: string | null;
  message: string;
  firedAt: string;
  window: { from: string; to: string };
  value: number;
  /** Keyword rules have no baseline: mean and std are null, windows 0. */
  baseline: { mean: number | null; std: number | null; windows: number } | null;
  z: number | null;
  count: number;
  status: "open" | "acknowledged";
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
  note: string | null;
  deliveries: Delivery[];
}
