/**
 * Compile-time checks, run by test/api-types.test.ts (and by the project's typecheck): the
 * dashboard's hand-written types (web/src/types.ts) and the records the monitor and the
 * assistant return must each be mutually assignable with the server's response schemas
 * (`Static<typeof XSchema>`). A field added, removed, renamed or retyped on one side and not
 * the other makes a `Same<...>` false, and `Assert` refuses it. Both directions are needed:
 * Fastify serialises through the schema, so a field the handler returns that the schema
 * lacks is silently dropped from the answer.
 */
import type { Static, TSchema } from "@fastify/type-provider-typebox";
import type {
  Assistant,
  ConversationState,
  Faq,
  Feedback,
  Handover,
  KnowledgeEdit,
  Reply,
  Turn,
} from "../../src/apps/assist/index.ts";
import type {
  AlertJson,
  AlertRecord,
  AlertRule,
  IngestResult,
  MonitorEntity,
  MonitorDocument as MonitorRecord,
  MonitorStatus as MonitorStatusRecord,
  RankedEntity,
  RankedTerm,
  TrendsView,
} from "../../src/apps/monitor/index.ts";
import type {
  AppRecommendResponse,
  CatalogResponse,
  ColdStartResponse,
  SimilarResponse,
  StatsResponse,
  UserResponse,
} from "../../src/server/recommend-app-schemas.ts";
import type { BlipSchema, EvidenceSchema, SuggestionSchema } from "../../src/server/routes/radar-schemas.ts";
import type { RunDetailResponse, RunListResponse } from "../../src/server/routes/runs.ts";
import type { ModelDetailResponse, ModelListResponse, ModelStatusSchema } from "../../src/server/schemas.ts";
import type {
  ChatReplySchema,
  ConversationSchema,
  ConversationStateSchema,
  FeedbackAnswerSchema,
  HandoverSchema,
  KnowledgeEditSchema,
  ServedFaqSchema,
  ServedIntentSchema,
  TurnSchema,
} from "../../src/server/schemas-assist.ts";
import type {
  AlertRuleSchema,
  AlertSchema,
  DeliverySchema,
  DocumentEntitySchema,
  EntityCountSchema,
  FeedStatusSchema,
  IngestAnswerSchema,
  MonitorDocumentSchema,
  MonitorStatusSchema,
  SentimentSeriesSchema,
  StreamStatusSchema,
  TermCountSchema,
  TrendsSchema,
} from "../../src/server/schemas-monitor.ts";
import type { compareRuns } from "../../src/store/index.ts";
import type * as WebPages from "../../web/src/page-types.ts";
import type * as WebRadar from "../../web/src/radar-types.ts";
import type * as Web from "../../web/src/types.ts";

/** true when each of A and B is assignable to the other. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** Compiles only for true. */
type Assert<T extends true> = T;
type S<T extends TSchema> = Static<T>;
/**
 * A page that reads part of an answer: the answer fits the page's view (every field the page
 * reads is answered, with a type the page accepts; the answer may carry more).
 */
type Reads<View, Answer> = [Answer] extends [View] ? true : false;
/** The same keys, for records whose times the route turns into ISO strings. */
type SameKeys<A, B> = Same<keyof A, keyof B>;

/** The dashboard reads what the server answers. */
export type DashboardMatchesServer = [
  Assert<Same<Web.MonitorStatus, S<typeof MonitorStatusSchema>>>,
  Assert<Same<Web.FeedStatus, S<typeof FeedStatusSchema>>>,
  Assert<Same<Web.StreamStatus, S<typeof StreamStatusSchema>>>,
  Assert<Same<Web.Trends, S<typeof TrendsSchema>>>,
  Assert<Same<Web.SentimentSeries, S<typeof SentimentSeriesSchema>>>,
  Assert<Same<Web.TermCount, S<typeof TermCountSchema>>>,
  Assert<Same<Web.EntityCount, S<typeof EntityCountSchema>>>,
  Assert<Same<Web.MonitorDocument, S<typeof MonitorDocumentSchema>>>,
  Assert<Same<Web.DocumentEntity, S<typeof DocumentEntitySchema>>>,
  Assert<Same<Web.Alert, S<typeof AlertSchema>>>,
  Assert<Same<Web.Delivery, S<typeof DeliverySchema>>>,
  Assert<Same<Web.ChatReply, S<typeof ChatReplySchema>>>,
  Assert<Same<Web.ConversationTurn, S<typeof TurnSchema>>>,
  Assert<Same<Web.ConversationState, S<typeof ConversationStateSchema>>>,
  Assert<Same<Web.Conversation, S<typeof ConversationSchema>>>,
  Assert<Same<Web.Handover, Omit<S<typeof HandoverSchema>, "turns"> & { turns: Web.ConversationTurn[] }>>,
  Assert<Same<Web.FeedbackBody["verdict"], S<typeof FeedbackAnswerSchema>["feedback"]["verdict"]>>,
];

type Iso<T, K extends keyof T> = Omit<T, K> & { [P in K]: null extends T[P] ? string | null : string };
type Ingested = S<typeof IngestAnswerSchema>["results"][number];
type ServedIntent = ReturnType<Assistant["knowledge"]>["intents"][number];

/** The schemas keep every field the monitor's and assistant's records carry (none is dropped). */
export type SchemasMatchRecords = [
  Assert<Same<S<typeof FeedStatusSchema>, MonitorStatusRecord["sources"]["feeds"][number]>>,
  Assert<Same<S<typeof StreamStatusSchema>, NonNullable<MonitorStatusRecord["sources"]["stream"]>>>,
  Assert<SameKeys<S<typeof MonitorStatusSchema>, MonitorStatusRecord>>,
  Assert<
    Same<Omit<S<typeof TrendsSchema>, "from" | "to" | "times">, Omit<TrendsView, "from" | "to" | "times">>
  >,
  Assert<Same<S<typeof TermCountSchema>, RankedTerm>>,
  Assert<Same<S<typeof EntityCountSchema>, RankedEntity>>,
  Assert<Same<S<typeof DocumentEntitySchema>, MonitorEntity>>,
  // `terms` is what the store counts, not part of the answer.
  Assert<SameKeys<S<typeof MonitorDocumentSchema>, Omit<MonitorRecord, "terms">>>,
  Assert<Same<Ingested, IngestResult & { index: number }>>,
  Assert<SameKeys<S<typeof AlertSchema>, AlertRecord>>,
  // The API answers with the webhook payload's alertJson (kind narrower than the schema's string).
  Assert<SameKeys<S<typeof AlertSchema>, AlertJson>>,
  Assert<Same<S<typeof AlertRuleSchema>, AlertRule>>,
  Assert<
    Same<
      Omit<S<typeof ChatReplySchema>, "model" | "version" | "conversation" | "turn" | "handoverId">,
      Omit<Reply, "state">
    >
  >,
  Assert<Same<S<typeof TurnSchema>, Iso<Turn, "at">>>,
  Assert<Same<S<typeof ConversationStateSchema>, ConversationState>>,
  Assert<
    SameKeys<
      S<typeof ConversationSchema>,
      Omit<import("../../src/apps/assist/index.ts").Conversation, "assistant" | "turns"> & { turns: unknown }
    >
  >,
  Assert<Same<S<typeof FeedbackAnswerSchema>["feedback"], Iso<Feedback, "at">>>,
  Assert<SameKeys<S<typeof HandoverSchema>, Handover>>,
  Assert<Same<S<typeof ServedIntentSchema>, ServedIntent>>,
  Assert<Same<S<typeof ServedFaqSchema>, Omit<Faq, "file" | "line">>>,
  Assert<Same<S<typeof KnowledgeEditSchema>, Iso<KnowledgeEdit, "updatedAt">>>,
];

/** The radar page reads what the radar routes answer. */
export type RadarPageMatchesServer = [
  Assert<Same<WebRadar.RadarBlip, S<typeof BlipSchema>>>,
  Assert<Same<WebRadar.RadarEvidence, S<typeof EvidenceSchema>>>,
  Assert<Same<WebRadar.RadarSuggestion, S<typeof SuggestionSchema>>>,
];

/** The models, runs and recommender pages read what their routes answer. */
export type PagesReadServer = [
  Assert<Same<Web.ModelSummary, S<typeof ModelStatusSchema>>>,
  Assert<Same<Web.ModelList, S<typeof ModelListResponse>>>,
  // `manifest` and `details` are free-form objects in the schema (`object`): answered, not typed.
  Assert<Reads<Omit<Web.ModelDetails, "manifest" | "details">, S<typeof ModelDetailResponse>>>,
  Assert<Reads<Record<"manifest" | "details", unknown>, S<typeof ModelDetailResponse>>>,
  Assert<Reads<WebPages.RunListView, S<typeof RunListResponse>>>,
  Assert<Reads<{ run: WebPages.RunView; metrics: WebPages.MetricPointView[] }, S<typeof RunDetailResponse>>>,
  // The compare route answers compareRuns' record through a free-form schema.
  Assert<Reads<WebPages.Comparison, ReturnType<typeof compareRuns>>>,
  Assert<Reads<WebPages.Served, S<typeof AppRecommendResponse>>>,
  Assert<Reads<WebPages.Served, S<typeof ColdStartResponse>>>,
  Assert<Reads<WebPages.UserView, S<typeof UserResponse>>>,
  Assert<Reads<WebPages.Stats, S<typeof StatsResponse>>>,
  Assert<Reads<WebPages.SimilarView, S<typeof SimilarResponse>>>,
  Assert<Reads<WebPages.CatalogView, S<typeof CatalogResponse>>>,
];
