/** The assistant's knowledge edited while it runs: list, put and delete items. */
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import { type KnowledgeItemKind, parseKnowledgeItem } from "../../apps/assist/index.ts";
import { BEARER_SECURITY, ModelParams, responses } from "../schemas.ts";
import { KnowledgeEditAnswerSchema, KnowledgeSchema } from "../schemas-assist.ts";
import { ASSIST_TAGS, type AssistRouteContext, assistantOf, iso } from "./assist-shared.ts";

const KnowledgeParams = Type.Object({
  name: Type.String({ minLength: 1 }),
  kind: Type.Union([Type.Literal("intents"), Type.Literal("faqs")]),
  id: Type.String({ minLength: 1, maxLength: 200, pattern: "^[A-Za-z0-9][A-Za-z0-9_-]*$" }),
});
const kindOf = (kind: "intents" | "faqs"): KnowledgeItemKind => (kind === "intents" ? "intent" : "faq");

/** GET /models/:name/knowledge, PUT and DELETE /models/:name/knowledge/:kind/:id. */
export const assistKnowledgeRoutes: FastifyPluginAsyncTypebox<AssistRouteContext> = async (app, options) => {
  const { registry, store } = options;
  const tags = ASSIST_TAGS;

  app.get(
    "/models/:name/knowledge",
    {
      config: { scope: "admin" },
      schema: {
        tags,
        summary: "The intents and FAQs the assistant answers from, and the edits waiting for a retrain",
        params: ModelParams,
        security: BEARER_SECURITY,
        response: responses(KnowledgeSchema),
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
        response: responses(KnowledgeEditAnswerSchema),
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
        response: responses(KnowledgeEditAnswerSchema),
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
