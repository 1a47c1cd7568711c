import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@fastify/type-provider-typebox";
import type { ModelRegistry } from "../registry.ts";

export interface HealthRoutesOptions {
  registry: ModelRegistry;
}

const Health = Type.Object({ status: Type.String() });
const Ready = Type.Object({ status: Type.String(), models: Type.Integer() });

/**
 * Liveness and readiness, public (a load balancer sends no key). /readyz answers 503 until
 * the first scan of the models directory is over.
 *
 * @example
 * await app.register(healthRoutes, { registry });
 */
export const healthRoutes: FastifyPluginAsyncTypebox<HealthRoutesOptions> = async (app, { registry }) => {
  app.get(
    "/healthz",
    { schema: { tags: ["health"], summary: "The process is alive", response: { 200: Health } } },
    async () => ({ status: "ok" }),
  );
  app.get(
    "/readyz",
    {
      schema: {
        tags: ["health"],
        summary: "Models are loaded and the server takes traffic (503 until then)",
        response: { 200: Ready, 503: Ready },
      },
    },
    async (_request, reply) => {
      const ready = registry.ready;
      reply.status(ready ? 200 : 503);
      return { status: ready ? "ready" : "loading", models: registry.loadedCount };
    },
  );
};
