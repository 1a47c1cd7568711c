/**
 * The response shapes of an assistant's routes (/v1/models/{name}/chat, conversations,
 * feedback, handovers, knowledge). Fastify serialises each answer through its schema, so a
 * field missing here would be dropped; the dashboard's types (web/src/types.ts) are checked
 * against these by test/api-types.test.ts. Times are ISO 8601 strings.
 */
import { type Static, type TSchema, Type } from "@fastify/type-provider-typebox";
import {
  FORM_PHASES,
  type FormPhase,
  REPLY_PATHS,
  type ReplyPath,
  VERDICTS,
  type Verdict,
} from "../apps/assist/index.ts";

const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const Iso = Type.String({ description: "ISO 8601 time" });
// The languages an assistant answers in (TEXT_LANGUAGES); test/support/api-types-check.ts
// fails if the assistant's replies gain one this list lacks.
const Language = Type.Union([Type.Literal("en"), Type.Literal("zh")]);
const Slots = Type.Record(Type.String(), Type.String());

export const IntentScoreSchema = Type.Object({
  id: Type.String(),
  confidence: Type.Number(),
  threshold: Type.Number(),
  accepted: Type.Boolean(),
});
export const FaqScoreSchema = Type.Object({
  id: Type.String(),
  question: Type.String(),
  score: Type.Number(),
  threshold: Type.Number(),
});
export const PassageScoreSchema = Type.Object({
  id: Type.String(),
  title: Type.String(),
  source: Type.String({ description: 'e.g. "doc:card-security.md"' }),
  score: Type.Number(),
  threshold: Type.Number(),
});
export const ActionResultSchema = Type.Object({
  status: Type.Union([
    Type.Literal("pending"),
    Type.Literal("done"),
    Type.Literal("refused"),
    Type.Literal("failed"),
  ]),
  attempts: Type.Integer(),
  error: Nullable(Type.String()),
});

/** POST /v1/models/{name}/chat: the reply, without the conversation state the store keeps. */
export const ChatReplySchema = Type.Object({
  model: Type.String(),
  version: Type.String(),
  conversation: Type.String(),
  turn: Type.String(),
  handoverId: Nullable(Type.String()),
  path: Type.Unsafe<ReplyPath>(Type.Union(REPLY_PATHS.map((p) => Type.Literal(p)))),
  text: Type.String(),
  lang: Language,
  detected: Type.Object({ language: Type.String(), score: Nullable(Type.Number()) }),
  intent: Nullable(IntentScoreSchema),
  candidate: Nullable(IntentScoreSchema),
  faq: Nullable(FaqScoreSchema),
  passage: Nullable(PassageScoreSchema),
  slots: Slots,
  asking: Nullable(Type.String()),
  handover: Type.Boolean(),
  action: Nullable(ActionResultSchema),
  why: Type.String(),
});

/** A recorded turn, personal data masked. */
export const TurnSchema = Type.Object({
  id: Type.String(),
  conversationId: Type.String(),
  seq: Type.Integer(),
  at: Iso,
  message: Type.String(),
  reply: Type.String(),
  path: Type.String(),
  intent: Nullable(Type.String()),
  confidence: Nullable(Type.Number()),
  details: Type.Record(Type.String(), Type.Unknown(), {
    description: "The reply's reason and scores (why, intent, faq, passage, slots, asking), masked",
  }),
});

export const ConversationStateSchema = Type.Object({
  lang: Nullable(Language),
  intent: Nullable(Type.String()),
  asked: Nullable(Type.String()),
  attempts: Type.Integer(),
  slots: Slots,
  phase: Type.Unsafe<FormPhase>(Type.Union(FORM_PHASES.map((p) => Type.Literal(p)))),
  confidence: Type.Number(),
});

/** GET /v1/models/{name}/conversations/{id}. */
export const ConversationSchema = Type.Object({
  id: Type.String(),
  status: Type.Union([Type.Literal("open"), Type.Literal("handed_over")]),
  createdAt: Iso,
  updatedAt: Iso,
  state: ConversationStateSchema,
  turns: Type.Array(TurnSchema),
});

/** POST /v1/models/{name}/feedback. */
export const FeedbackAnswerSchema = Type.Object({
  feedback: Type.Object({
    id: Type.String(),
    turnId: Type.String(),
    at: Iso,
    verdict: Type.Unsafe<Verdict>(Type.Union(VERDICTS.map((v) => Type.Literal(v)))),
    intent: Nullable(Type.String()),
    answer: Nullable(Type.String()),
    by: Nullable(Type.String()),
  }),
});

export const HandoverSchema = Type.Object({
  id: Type.String(),
  conversationId: Type.String(),
  turnId: Type.String(),
  at: Iso,
  reason: Type.String(),
  status: Type.Union([Type.Literal("open"), Type.Literal("closed")]),
  closedAt: Nullable(Iso),
  closedBy: Nullable(Type.String()),
  turns: Type.Array(TurnSchema, { description: "The conversation so far, oldest first" }),
});
/** GET /v1/models/{name}/handovers. */
export const HandoverListSchema = Type.Object({ handovers: Type.Array(HandoverSchema) });
/** POST /v1/models/{name}/handovers/{id}/close. */
export const HandoverClosedSchema = Type.Object({ closed: Type.String() });

const SlotSpecSchema = Type.Object({
  name: Type.String(),
  entity: Nullable(Type.String()),
  pattern: Nullable(Type.String()),
  prompt: Nullable(Type.String()),
  optional: Type.Boolean(),
  default: Nullable(Type.String()),
});
const IntentActionSchema = Type.Object({
  url: Type.String(),
  secret: Nullable(Type.String({ description: '"(set)" when there is one; the secret itself is not shown' })),
  timeoutMs: Type.Integer(),
  retries: Type.Integer(),
  fields: Type.Array(Type.String()),
  failure: Nullable(Type.String()),
});
export const ServedIntentSchema = Type.Object({
  id: Type.String(),
  lang: Nullable(Language),
  description: Type.String(),
  answer: Type.String(),
  slots: Type.Array(SlotSpecSchema),
  handover: Type.Boolean(),
  confirm: Type.Optional(Type.Boolean()),
  confirmPrompt: Type.Optional(Nullable(Type.String())),
  action: Type.Optional(Nullable(IntentActionSchema)),
});
export const ServedFaqSchema = Type.Object({
  id: Type.String(),
  lang: Nullable(Language),
  question: Type.String(),
  alternatives: Type.Array(Type.String()),
  answer: Type.String(),
});
export const KnowledgeEditSchema = Type.Object({
  kind: Type.Union([Type.Literal("intent"), Type.Literal("faq")]),
  id: Type.String(),
  body: Nullable(
    Type.Record(Type.String(), Type.Unknown(), {
      description: "The item as checked, as in the knowledge files; null when the edit removes it",
    }),
  ),
  updatedAt: Iso,
  by: Nullable(Type.String()),
});
/** GET /v1/models/{name}/knowledge. */
export const KnowledgeSchema = Type.Object({
  intents: Type.Array(ServedIntentSchema),
  faqs: Type.Array(ServedFaqSchema),
  edits: Type.Array(KnowledgeEditSchema),
});
/** PUT and DELETE /v1/models/{name}/knowledge/{kind}/{id}. */
export const KnowledgeEditAnswerSchema = Type.Object({
  edit: KnowledgeEditSchema,
  applied: Type.String(),
});

export type ChatReplyJson = Static<typeof ChatReplySchema>;
export type TurnJson = Static<typeof TurnSchema>;
export type ConversationJson = Static<typeof ConversationSchema>;
export type HandoverJson = Static<typeof HandoverSchema>;
