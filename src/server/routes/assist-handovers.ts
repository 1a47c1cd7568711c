/** Conversations handed over to people: the queue and closing one. */
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import { maskPersonalData } from "../../core/index.ts";
import { BEARER_SECURITY, ModelParams, responses } from "../schemas.ts";
import { HandoverClosedSchema, HandoverListSchema } from "../schemas-assist.ts";
import { ASSIST_TAGS, type AssistRouteContext, assistantOf, iso } from "./assist-shared.ts";

/** GET /models/:name/handovers, POST /models/:name/handovers/:id/close. */
export const assistHandoverRoutes: FastifyPluginAsyncTypebox<AssistRouteContext> = async (app, options) => {
  const { registry, store } = options;
  const tags = ASSIST_TAGS;

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
        response: responses(HandoverListSchema),
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
        response: responses(HandoverClosedSchema),
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
};
