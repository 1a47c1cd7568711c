/** Chatting with an assistant: a message in, the assistant's reply out. */
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import { NEW_CONVERSATION } from "../../apps/assist/index.ts";
import { TextkitError } from "../../core/index.ts";
import { BEARER_SECURITY, ModelParams, responses } from "../schemas.ts";
import { ChatReplySchema } from "../schemas-assist.ts";
import {
  ASSIST_TAGS,
  type AssistRouteContext,
  assistantOf,
  CONFLICT_RETRIES,
  replyJson,
} from "./assist-shared.ts";

/** POST /models/:name/chat. */
export const assistChatRoutes: FastifyPluginAsyncTypebox<AssistRouteContext> = async (app, options) => {
  const { registry, maxTextChars, store } = options;
  const tags = ASSIST_TAGS;

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
        response: responses(ChatReplySchema),
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
};
