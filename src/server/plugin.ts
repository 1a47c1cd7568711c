/**
 * textkit's prediction routes as a Fastify plugin, for mounting inside an application that
 * already has its own Fastify server: `app.register(textkitPlugin, { prefix: "/ml",
 * modelsDir: "models" })`. The plugin is encapsulated: its error shape, JSON parser, 404s,
 * decorations and hooks apply under its prefix only, and the host's routes, hooks and
 * error handler stay the host's. `buildServer` remains the way to run textkit on its own
 * (with the dashboard, docs, metrics endpoint, monitor and cluster).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { Authenticator, type KeyVerifier, type RouteScope } from "./auth.ts";
import { resolveServerConfig, type ServerConfig } from "./config.ts";
import { DatabaseHandle } from "./database-handle.ts";
import { installErrorHandlers } from "./error-handler.ts";
import { builtInFamilies } from "./families.ts";
import type { TextkitServerState } from "./fastify-types.ts";
import { installJsonBodyParser } from "./json-body.ts";
import { openKeyStore } from "./keys.ts";
import { ServerMetrics } from "./metrics.ts";
import { ModelRegistry } from "./registry.ts";
import { adminRoutes } from "./routes/admin.ts";
import { assistRoutes } from "./routes/assist.ts";
import { healthRoutes } from "./routes/health.ts";
import { modelRoutes } from "./routes/models.ts";
import { recommendRoutes } from "./routes/recommend.ts";
import { searchRoutes } from "./routes/search.ts";

/**
 * The host's own check of a request to one of textkit's routes: throw (a TextkitError such
 * as AUTH_REQUIRED, or any error the host's code raises) to refuse it. `scope` is what the
 * route needs: "predict" to use models, "admin" to reload or activate versions.
 */
export type TextkitAuthHook = (
  request: FastifyRequest,
  reply: FastifyReply,
  scope: RouteScope,
) => Promise<void>;

export interface TextkitPluginOptions
  extends Pick<
    ServerConfig,
    | "modelsDir"
    | "database"
    | "dataDir"
    | "auth"
    | "maxBatch"
    | "maxTextChars"
    | "textOverflow"
    | "watchIntervalMs"
    | "families"
    | "bodyLimitBytes"
  > {
  /**
   * Replaces textkit's API keys: called for every request to a route that needs a scope.
   * Without it, `auth` decides as for `textkit serve` ("off": no keys; "auto" or "on":
   * keys from `textkit keys create`, in `database`).
   */
  authenticate?: TextkitAuthHook;
}

/**
 * Registers textkit's model, search, recommendation, assistant, admin and health routes
 * under the prefix it is registered with. The models load in the background (GET
 * PREFIX/readyz says when they are ready); closing the host app stops the registry.
 *
 * @example
 * const app = fastify();
 * app.get("/", async () => ({ hello: "world" }));
 * await app.register(textkitPlugin, { prefix: "/ml", modelsDir: "models", auth: "off" });
 * // POST /ml/v1/models/intent/predict {"text": "where is my card"}
 */
export async function textkitPlugin(instance: FastifyInstance, options: TextkitPluginOptions): Promise<void> {
  const { authenticate, ...config } = options;
  const resolved = resolveServerConfig({ ...config, logger: false, docs: false, monitor: undefined });
  const limits = { bodyLimitBytes: resolved.bodyLimitBytes, maxBatch: resolved.maxBatch };
  installJsonBodyParser(instance);
  installErrorHandlers(instance, limits);
  const metrics = new ServerMetrics({ loadedCount: () => registry.loadedCount });
  const registry = new ModelRegistry({
    root: resolved.modelsDir,
    loaders: { ...builtInFamilies(), ...resolved.families },
    log: instance.log.child({ component: "textkit-registry" }),
    watchIntervalMs: resolved.watchIntervalMs,
  });
  const state: TextkitServerState = { config: resolved, registry, metrics, monitor: null, fastPath: null };
  instance.decorate("textkit", state);
  instance.decorateRequest("apiKey", null);
  instance.decorateRequest("errorCode", null);
  const database = new DatabaseHandle(resolved);
  instance.addHook("onClose", async () => {
    await registry.stop();
    await database.close();
  });
  if (authenticate !== undefined) {
    instance.addHook("onRequest", async (request, reply) => {
      const scope = request.routeOptions.config.scope;
      if (scope !== undefined) await authenticate(request, reply, scope);
    });
  } else {
    const keys: KeyVerifier | null = resolved.auth === "off" ? null : await openKeyStore(database);
    instance.addHook("onRequest", new Authenticator(resolved.auth, keys).hook);
  }
  await instance.register(healthRoutes, { registry });
  await instance.register(
    async (v1) => {
      await v1.register(modelRoutes, { registry, config: resolved, metrics });
      await v1.register(recommendRoutes, { registry, config: resolved, database });
      await v1.register(searchRoutes, { registry, config: resolved, metrics });
      await v1.register(assistRoutes, { registry, database, maxTextChars: resolved.maxTextChars });
      await v1.register(adminRoutes, { registry });
    },
    { prefix: "/v1" },
  );
  await registry.start();
}
