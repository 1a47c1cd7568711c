/**
 * The shapes the dashboard reads from the API: GET /v1/models, the monitor routes under
 * /v1/monitor and an assistant's routes under /v1/models/{name}. Times are ISO 8601 strings.
 * The monitor's and assistant's shapes are the server's response schemas restated
 * (src/server/schemas-monitor.ts, schemas-assist.ts); test/api-types.test.ts fails when
 * one drifts from the other.
 */

export const SENTIMENTS = ["positive", "neutral", "negative"] as const;
export type Sentiment = (typeof SENTIMENTS)[number];

export interface ModelVersion {
  version: string;
  state: "active" | "available" | "failed";
  createdAt: string | null;
  /** The manifest's digest: the run that made the version carries the tag `artifact:<digest>`. */
  digest: string | null;
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

/** POST /v1/models/{name}/predict: one prediction per input, and the version that made them. */
export interface PredictAnswer {
  model: string;
  version: string;
  predictions: unknown[];
}

/** An entity a tagger found: UTF-16 offsets into the input, end exclusive. */
export interface TaggedEntity {
  text: string;
  label: string;
  start: number;
  end: number;
  score: number | null;
}

export interface FeedStatus {
  url: string;
  /** The configured name, else the feed's own title, else the URL's host. */
  name: string;
  lastPolledAt: string | null;
  lastStatus: "ok" | "not_modified" | "failed" | null;
  lastError: string | null;
  lastErrorCode: string | null;
  /** Failed polls in a row. */
  failures: number;
  itemsTotal: number;
  nextPollAt: string | null;
}

/** The Redis stream consumer feeding the monitor. */
export interface StreamStatus {
  stream: string;
  group: string;
  consumer: string;
  connected: boolean;
  lastReadAt: string | null;
  processed: number;
  duplicates: number;
  deadLettered: number;
  /** Entries read but not yet acknowledged; null before the first look. */
  pending: number | null;
  lastError: string | null;
}

export interface MonitorStatus {
  documents: number;
  topics: string[];
  sentiments: string[];
  lastIngestAt: string | null;
  queue: { pending: number; capacity: number };
  models: { topic: string | null; sentiment: string | null; entities: string | null; language: string };
  rules: number;
  openAlerts: number;
  sources: {
    feeds: FeedStatus[];
    stream: StreamStatus | null;
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
  /** The language model's probability; null when the source named the language or textkit's detector did. */
  langScore: number | null;
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

/** A monitor rule's kind, or one the technology radar raises. */
export type AlertKind =
  | "negative_share"
  | "volume_spike"
  | "keyword"
  | "radar_ring_moved"
  | "radar_rising_fast"
  | "radar_risk_jumped";

export interface Alert {
  id: string;
  rule: string;
  kind: AlertKind;
  topic: string;
  message: string;
  firedAt: string;
  window: { from: string; to: string };
  value: number;
  /** Keyword rules have no baseline: mean and std are null, windows 0. */
  baseline: { mean: number | null; std: number | null; windows: number };
  z: number | null;
  count: number;
  status: "open" | "acknowledged";
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
  note: string | null;
  deliveries: Delivery[];
}

/** GET /v1/models/{name}: the active version's manifest (its `labels`) and family details. */
export interface ModelDetails extends ModelSummary {
  manifest: { labels?: string[] } | null;
  details: Record<string, unknown>;
}

// ---- Assistants (family "assistant"): the chat, conversation, feedback and handover routes ----

export const ASSISTANT_FAMILY = "assistant";
export const REPLY_PATHS = ["intent", "slot", "confirm", "faq", "passage", "handover"] as const;
export type ReplyPath = (typeof REPLY_PATHS)[number];

/** The best intent's calibrated confidence, against the threshold. */
export interface IntentScore {
  id: string;
  confidence: number;
  threshold: number;
  accepted: boolean;
}

export interface FaqScore {
  id: string;
  question: string;
  score: number;
  threshold: number;
}

export interface PassageScore {
  id: string;
  title: string;
  /** "doc:card-security.md" */
  source: string;
  score: number;
  threshold: number;
}

/** POST /v1/models/{name}/chat */
export interface ChatReply {
  model: string;
  version: string;
  conversation: string;
  turn: string;
  path: ReplyPath;
  text: string;
  lang: "en" | "zh";
  /** The message's language as detected (an ISO 639 code); score null when textkit's en/zh detector decided. */
  detected: { language: string; score: number | null };
  /** The intent the reply serves; null for faq, passage and handover. */
  intent: IntentScore | null;
  /** The message's best intent, whether or not it was taken. */
  candidate: IntentScore | null;
  /** An intent's action webhook, when the reply carried one out. */
  action: {
    status: "pending" | "done" | "refused" | "failed";
    attempts: number;
    error: string | null;
  } | null;
  faq: FaqScore | null;
  passage: PassageScore | null;
  slots: Record<string, string>;
  /** The slot asked for (path "slot"). */
  asking: string | null;
  handover: boolean;
  handoverId: string | null;
  why: string;
}

/** A recorded turn, personal data masked. */
export interface ConversationTurn {
  id: string;
  conversationId: string;
  seq: number;
  at: string;
  message: string;
  reply: string;
  path: string;
  intent: string | null;
  confidence: number | null;
  /** The reply's reason and scores (why, intent, faq, passage, slots, asking), masked. */
  details: Record<string, unknown>;
}

/** An open form of a conversation: the intent waiting for a slot or a yes/no. */
export interface ConversationState {
  lang: "en" | "zh" | null;
  intent: string | null;
  asked: string | null;
  attempts: number;
  slots: Record<string, string>;
  phase: "filling" | "confirming";
  confidence: number;
}

/** GET /v1/models/{name}/conversations/{id} */
export interface Conversation {
  id: string;
  status: "open" | "handed_over";
  createdAt: string;
  updatedAt: string;
  state: ConversationState;
  turns: ConversationTurn[];
}

export const VERDICTS = ["wrong", "right"] as const;
export type Verdict = (typeof VERDICTS)[number];

/** POST /v1/models/{name}/feedback; `intent` "oos" says the message is out of scope. */
export interface FeedbackBody {
  turn: string;
  verdict: Verdict;
  intent?: string;
  answer?: string;
  by?: string;
}

/** GET /v1/models/{name}/handovers */
export interface Handover {
  id: string;
  conversationId: string;
  /** The turn that handed over. */
  turnId: string;
  at: string;
  reason: string;
  status: "open" | "closed";
  closedAt: string | null;
  closedBy: string | null;
  /** The conversation so far, oldest first. */
  turns: ConversationTurn[];
}
