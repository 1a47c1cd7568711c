/** A conversation's log (personal data masked), and feedback on one of its replies. */
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import { OUT_OF_SCOPE, VERDICTS } from "../../apps/assist/index.ts";
import { maskPersonalData, TextkitError } from "../../core/index.ts";
import { BEARER_SECURITY, literalUnion, ModelParams, responses } from "../schemas.ts";
import { ConversationSchema, FeedbackAnswerSchema } from "../schemas-assist.ts";
import { ASSIST_TAGS, type AssistRouteContext, assistantOf, iso } from "./assist-shared.ts";

/** GET /models/:name/conversations/:id, POST /models/:name/feedback. */
export const assistConversationRoutes: FastifyPluginAsyncTypebox<AssistRouteContext> = async (
  app,
  options,
) => {
  const { registry, store } = options;
  const tags = ASSIST_TAGS;

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
        response: responses(ConversationSchema),
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
            verdict: literalUnion(VERDICTS),
            intent: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
            answer: Type.Optional(Type.String({ minLength: 1, maxLength: 10_000 })),
            by: Type.Optional(Type.String({ maxLength: 200 })),
          },
          { additionalProperties: false },
        ),
        security: BEARER_SECURITY,
        response: responses(FeedbackAnswerSchema),
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
};
