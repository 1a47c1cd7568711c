import { fastifySwaggerUi } from "@fastify/swagger-ui";
import type { FastifyPluginAsync } from "fastify";

/**
 * GET /openapi.json (the document @fastify/swagger builds from the route schemas) and the
 * /docs page, whose assets come from node_modules, so it works offline. Register after
 * `@fastify/swagger` and after the routes it documents.
 *
 * @example
 * await app.register(docsRoutes);
 */
export const docsRoutes: FastifyPluginAsync = async (app) => {
  app.get("/openapi.json", { schema: { hide: true } }, async () => app.swagger());
  await app.register(fastifySwaggerUi, {
    routePrefix: "/docs",
    uiConfig: { docExpansion: "list", deepLinking: false },
  });
};
