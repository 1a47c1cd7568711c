import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import {
  type Assistant,
  AssistStore,
  type KnowledgeItemKind,
  NEW_CONVERSATION,
  OUT_OF_SCOPE,
  parseKnowledgeItem,
  type Reply,
  VERDICTS,
} from "../../apps/assist/index.ts";
import { maskPersonalData, TextkitError } from "../../core/index.ts";
import type { DatabaseHandle } from "../database-handle.ts";
import type { ModelRegistry, ServedModel } from "../registry.ts";
import { BEARER_SECURITY, ERROR_RESPONSES, ModelParams } from "../schemas.ts";

export interface AssistRoutesOptions {
  registry: ModelRegistry;
  database: DatabaseHandle;
  /** Longest message, in UTF-16 code units. */
  maxTextChars: number;
}

const FreeObject = Type.Object({}, { additionalProperties: true });
const RESPONSES = { 200: FreeObject, ...ERROR_RESPONSES } as const;
/** A reply computed from a state another request changed meanwhile is computed again, this often. */
const CONFLICT_RETRIES = 3;

function assistantOf(model: ServedModel): Assistant {
  if (model.assistant === null) {
    throw new TextkitError(
      "MODEL_FAMILY_UNSUPPORTED",
      `model '${model.name}' is a ${model.family}, not an assistant; use /v1/models/${model.name}/predict`,
    );
  }
  return model.assistant;
}

const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());

function replyJson(reply: Reply): Record<string, unknown> {
  const { state: _state, ...rest } = reply;
  return rest;
}

/**
 * The assistant's routes (mounted under /v1): chat with conversations, feedback on a
 * reply, the conversation log, and handovers to people.
 *
 * @example
 * await app.register(assistRoutes, { prefix: "/v1", registry, database, maxTextChars: 10_000 });
 */
export const assistRoutes: FastifyPluginAsyncTypebox<AssistRoutesOptions> = async (app, options) => {
  const { registry, database, maxTextChars } = options;
  let opening: Promise<AssistStore> | null = null;
  const store = (): Promise<AssistStore> => {
    opening ??= database.get().then((db) => AssistStore.open(db));
    opening.catch(() => {
      opening = null;
    });
    return opening;
  };
  const tags = ["assistants"];

  app.post(
    "/models/:name/chat",
    {
      config: { scope: "predict" },
      schema: {
        tags,
        summary: "Send a message to an assistant",
        description:
          "Without `conversation` a new conversation starts; its id comes back. The reply says which path " +
          "produced it (intent, slot: asking for a missing value, confirm: asking yes or no before the intent " +
          "acts, faq, passage, handover) and why, with the calibrated intent confidence, the retrieval scores " +
          "and their thresholds. `intent` names the intent a reply serves (null for faq, passage and handover); " +
          "`candidate` is the message's best intent whether taken or not; `action` reports an intent's webhook.",
        params: ModelParams,
        body: Type.Object(
          {
            message: Type.String({ minLength: 1, maxLength: maxTextChars }),
            conversation: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
          },
          { additionalProperties: false },
        ),
        security: BEARER_SECURITY,
        response: RESPONSES,
      },
    },
    async (request) => {
      const model = registry.resolve(request.params.name);
      const assistant = assistantOf(model);
      const { message, conversation } = request.body;
      if (message.trim() === "") {
        throw new TextkitError("INPUT_INVALID", "/message is empty", { details: { field: "/message" } });
      }
      const s = await store();
      for (let attempt = 0; attempt < CONFLICT_RETRIES; attempt++) {
        const current = conversation === undefined ? null : await s.conversation(model.name, conversation);
        // A confirmed action calls its webhook here. Two requests answering the same
        // confirmation (a double "yes") read the same turn count, so they send the same
        // Idempotency-Key; the one that loses the race then finds the form closed.
        const reply = await assistant.respond(message, current?.state ?? NEW_CONVERSATION, {
          conversation: current?.id ?? null,
          ...(current === null ? {} : { idempotencyKey: `${current.id}:${current.turns}` }),
        });
        const recorded = await s.recordTurn(
          model.name,
          current?.id ?? null,
          current?.turns ?? 0,
          message,
          reply,
        );
        if (recorded !== null) {
          if (recorded.handoverId !== null) {
            request.log.info(
              { conversation: recorded.conversationId, handover: recorded.handoverId },
              "assistant handed over",
            );
          }
          return {
            model: model.name,
            version: model.version,
            conversation: recorded.conversationId,
            turn: recorded.turnId,
            handoverId: recorded.handoverId,
            ...replyJson(reply),
          };
        }
      }
      throw new TextkitError(
        "STORE_BUSY",
        `conversation '${conversation}' keeps changing under this request; send the message again`,
      );
    },
  );

  app.get(
    "/models/:name/conversations/:id",
    {
      config: { scope: "predict" },
      schema: {
        tags,
        summary: "A conversation and its turns (personal data masked)",
        params: Type.Object({
          name: Type.String({ minLength: 1 }),
          id: Type.String({ minLength: 1, maxLength: 100 }),
        }),
        security: BEARER_SECURITY,
        response: RESPONSES,
      },
    },
    async (request) => {
      const model = registry.resolve(request.params.name);
      assistantOf(model);
      const s = await store();
      const c = await s.conversation(model.name, request.params.id);
      const turns = await s.turns(c.id);
      return {
        id: c.id,
        status: c.status,
        createdAt: iso(c.createdAt),
        updatedAt: iso(c.updatedAt),
        state: c.state,
        turns: turns.map((t) => ({ ...t, at: iso(t.at) })),
      };
    },
  );

  app.post(
    "/models/:name/feedback",
    {
      config: { scope: "predict" },
      schema: {
        tags,
        summary: "Say a reply was wrong (with the right intent or answer) or right",
        description:
          "`textkit assist retrain` folds the corrections in: a message with its right intent becomes an " +
          'example of it ("oos": out of scope), a message with its right answer a new FAQ.',
        params: ModelParams,
        body: Type.Object(
          {
            turn: Type.String({ minLength: 1, maxLength: 100 }),
            verdict: Type.Union(VERDICTS.map((v) => Type.Literal(v))),
            intent: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
            answer: Type.Optional(Type.String({ minLength: 1, maxLength: 10_000 })),
            by: Type.Optional(Type.String({ maxLength: 200 })),
          },
          { additionalProperties: false },
        ),
        security: BEARER_SECURITY,
        response: RESPONSES,
      },
    },
    async (request) => {
      const model = registry.resolve(request.params.name);
      const assistant = assistantOf(model);
      const { turn, verdict, intent, answer, by } = request.body;
      if (
        intent !== undefined &&
        intent !== "oos" &&
        intent !== OUT_OF_SCOPE &&
        !assistant.intentIds.includes(intent)
      ) {
        throw new TextkitError(
          "INPUT_INVALID",
          `/intent "${intent}" is not an intent of this assistant; give one of its intents or "oos"`,
          { details: { field: "/intent" } },
        );
      }
      const feedback = await (await store()).addFeedback(model.name, turn, {
        verdict,
        intent: intent ?? null,
        answer: answer ?? null,
        // Masked like the turns: people sign feedback with their e-mail address.
        by: by === undefined ? (request.apiKey?.name ?? null) : maskPersonalData(by),
      });
      return { feedback: { ...feedback, at: iso(feedback.at) } };
    },
  );

  app.get(
    "/models/:name/handovers",
    {
      config: { scope: "predict" },
      schema: {
        tags,
        summary: "Conversations handed to a person, newest first, with the conversation so far",
        params: ModelParams,
        querystring: Type.Object({
          status: Type.Optional(
            Type.Union([Type.Literal("open"), Type.Literal("closed"), Type.Literal("all")]),
          ),
        }),
        security: BEARER_SECURITY,
        response: RESPONSES,
      },
    },
    async (request) => {
      const model = registry.resolve(request.params.name);
      assistantOf(model);
      const status = request.query.status ?? "open";
      const list = await (await store()).handovers(model.name, {
        ...(status === "all" ? {} : { status }),
        limit: 100,
      });
      return {
        handovers: list.map((h) => ({
          ...h,
          at: iso(h.at),
          closedAt: iso(h.closedAt),
          turns: h.turns.map((t) => ({ ...t, at: iso(t.at) })),
        })),
      };
    },
  );

  app.post(
    "/models/:name/handovers/:id/close",
    {
      config: { scope: "predict" },
      schema: {
        tags,
        summary: "Close a handover: a person has taken the conversation",
        params: Type.Object({
          name: Type.String({ minLength: 1 }),
          id: Type.String({ minLength: 1, maxLength: 100 }),
        }),
        body: Type.Optional(
          Type.Object(
            { by: Type.Optional(Type.String({ maxLength: 200 })) },
            { additionalProperties: false },
          ),
        ),
        security: BEARER_SECURITY,
        response: RESPONSES,
      },
    },
    async (request) => {
      const model = registry.resolve(request.params.name);
      assistantOf(model);
      await (await store()).closeHandover(
        model.name,
        request.params.id,
        request.body?.by === undefined ? (request.apiKey?.name ?? null) : maskPersonalData(request.body.by),
      );
      return { closed: request.params.id };
    },
  );

  const KnowledgeParams = Type.Object({
    name: Type.String({ minLength: 1 }),
    kind: Type.Union([Type.Literal("intents"), Type.Literal("faqs")]),
    id: Type.String({ minLength: 1, maxLength: 200, pattern: "^[A-Za-z0-9][A-Za-z0-9_-]*$" }),
  });
  const kindOf = (kind: "intents" | "faqs"): KnowledgeItemKind => (kind === "intents" ? "intent" : "faq");

  app.get(
    "/models/:name/knowledge",
    {
      config: { scope: "admin" },
      schema: {
        tags,
        summary: "The intents and FAQs the assistant answers from, and the edits waiting for a retrain",
        params: ModelParams,
        security: BEARER_SECURITY,
        response: RESPONSES,
      },
    },
    async (request) => {
      const model = registry.resolve(request.params.name);
      const served = assistantOf(model).knowledge();
      const edits = await (await store()).knowledgeEdits(model.name);
      return { ...served, edits: edits.map((e) => ({ ...e, updatedAt: iso(e.updatedAt) })) };
    },
  );

  app.put(
    "/models/:name/knowledge/:kind/:id",
    {
      config: { scope: "admin" },
      schema: {
        tags,
        summary: "Add or replace an intent or an FAQ (applied by the next `textkit assist retrain`)",
        description:
          "The body is the intent or FAQ as in the knowledge files, as JSON: an intent " +
          '`{"examples": [...], "answer": "Sent {amount}.", "slots": {"amount": {"entity": "MONEY", "prompt": "How much?"}}}`, ' +
          'an FAQ `{"question": "...", "alternatives": [...], "answer": "..."}`. It is checked by the rules of the files.',
        params: KnowledgeParams,
        body: Type.Object({}, { additionalProperties: true }),
        security: BEARER_SECURITY,
        response: RESPONSES,
      },
    },
    async (request) => {
      const model = registry.resolve(request.params.name);
      assistantOf(model);
      const { kind, id } = request.params;
      parseKnowledgeItem(kindOf(kind), id, request.body);
      const edit = await (await store()).putKnowledge(
        model.name,
        kindOf(kind),
        id,
        { ...(request.body as Record<string, unknown>), id },
        request.apiKey?.name ?? null,
      );
      return {
        edit: { ...edit, updatedAt: iso(edit.updatedAt) },
        applied: "by the next textkit assist retrain",
      };
    },
  );

  app.delete(
    "/models/:name/knowledge/:kind/:id",
    {
      config: { scope: "admin" },
      schema: {
        tags,
        summary: "Remove an intent or an FAQ (applied by the next `textkit assist retrain`)",
        params: KnowledgeParams,
        security: BEARER_SECURITY,
        response: RESPONSES,
      },
    },
    async (request) => {
      const model = registry.resolve(request.params.name);
      assistantOf(model);
      const { kind, id } = request.params;
      const edit = await (await store()).putKnowledge(
        model.name,
        kindOf(kind),
        id,
        null,
        request.apiKey?.name ?? null,
      );
      return {
        edit: { ...edit, updatedAt: iso(edit.updatedAt) },
        applied: "by the next textkit assist retrain",
      };
    },
  );
};
