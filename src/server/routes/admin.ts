import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { ModelRegistry } from "../registry.ts";
import {
  ActivateBody,
  BEARER_SECURITY,
  ERROR_RESPONSES,
  ModelListResponse,
  ModelParams,
  ModelStatusSchema,
} from "../schemas.ts";

export interface AdminRoutesOptions {
  registry: ModelRegistry;
}

/**
 * Reload and activate models (mounted under /v1; scope admin). Under --workers, a reload
 * runs in the worker that got the request; the others see the same files within their
 * watch interval. An activation is written to DIR/<name>/ACTIVE, which every worker reads.
 *
 * @example
 * await app.register(adminRoutes, { prefix: "/v1", registry });
 */
export const adminRoutes: FastifyPluginAsyncTypebox<AdminRoutesOptions> = async (app, { registry }) => {
  app.post(
    "/admin/reload",
    {
      config: { scope: "admin" },
      schema: {
        tags: ["admin"],
        summary: "Rescan the models directory now",
        security: BEARER_SECURITY,
        response: { 200: ModelListResponse, ...ERROR_RESPONSES },
      },
    },
    async () => {
      await registry.rescan();
      return { models: registry.list() };
    },
  );

  app.post(
    "/admin/models/:name/reload",
    {
      config: { scope: "admin" },
      schema: {
        tags: ["admin"],
        summary: "Load a model's preferred version again from disk and swap it in",
        description: "A version that does not load is refused with its error; the old one keeps serving.",
        params: ModelParams,
        security: BEARER_SECURITY,
        response: { 200: ModelStatusSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => registry.reload(request.params.name),
  );

  app.post(
    "/admin/models/:name/activate",
    {
      config: { scope: "admin" },
      schema: {
        tags: ["admin"],
        summary: "Make a version active (or 'latest': the newest that loads)",
        params: ModelParams,
        body: ActivateBody,
        security: BEARER_SECURITY,
        response: { 200: ModelStatusSchema, ...ERROR_RESPONSES },
      },
    },
    async (request) => registry.activate(request.params.name, request.body.version),
  );
};
