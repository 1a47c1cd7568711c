import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { assistChatRoutes } from "./assist-chat.ts";
import { assistConversationRoutes } from "./assist-conversations.ts";
import { assistHandoverRoutes } from "./assist-handovers.ts";
import { assistKnowledgeRoutes } from "./assist-knowledge.ts";
import { type AssistRoutesOptions, storeOpener } from "./assist-shared.ts";

export type { AssistRoutesOptions } from "./assist-shared.ts";

/**
 * The assistant's routes (mounted under /v1): chat with conversations, feedback on a
 * reply, the conversation log, and handovers to people.
 *
 * @example
 * await app.register(assistRoutes, { prefix: "/v1", registry, database, maxTextChars: 10_000 });
 */
export const assistRoutes: FastifyPluginAsyncTypebox<AssistRoutesOptions> = async (app, options) => {
  // one plugin per resource, sharing one store opened on first use
  const context = { ...options, store: storeOpener(options.database) };
  await app.register(assistChatRoutes, context);
  await app.register(assistConversationRoutes, context);
  await app.register(assistHandoverRoutes, context);
  await app.register(assistKnowledgeRoutes, context);
};
