/**
 * The HTTP server: fastify with one plugin per resource (models, admin, health, metrics,
 * docs), so that the dashboard and the applications join later as further plugins.
 */
import { randomUUID } from "node:crypto";
import type { RequestListener } from "node:http";
import { fastifyCors } from "@fastify/cors";
import { fastifyRateLimit } from "@fastify/rate-limit";
import { fastifySwagger } from "@fastify/swagger";
import { type FastifyInstance, type FastifyRequest, fastify, LogController } from "fastify";
import { Monitor } from "../apps/monitor/index.ts";
import { TEXTKIT_VERSION, TextkitError } from "../core/index.ts";
import { Authenticator, type KeyVerifier } from "./auth.ts";
import { type ResolvedServerConfig, resolveServerConfig, type ServerConfig } from "./config.ts";
import { DatabaseHandle } from "./database-handle.ts";
import { EncoderPool } from "./encoder-pool.ts";
import { clientErrorHandler, frameworkErrorHandler, installErrorHandlers } from "./error-handler.ts";
import { builtInFamilies } from "./families.ts";
import { FastPredict, type FastPredictOptions, fastPathApplies } from "./fast-predict.ts";
import type { TextkitServerState } from "./fastify-types.ts";
import { installJsonBodyParser } from "./json-body.ts";
import { openKeyStore } from "./keys.ts";
import { bufferedStdout, loggerOptions } from "./logging.ts";
import { ServerMetrics } from "./metrics.ts";
import { registryModels } from "./monitor-models.ts";
import { tokenBucketStore } from "./rate-limit.ts";
import { ModelRegistry } from "./registry.ts";
import { RequestObserver } from "./request-observer.ts";
import { adminRoutes } from "./routes/admin.ts";
import { assistRoutes } from "./routes/assist.ts";
import { dashboardRoutes } from "./routes/dashboard.ts";
import { docsRoutes } from "./routes/docs.ts";
import { healthRoutes } from "./routes/health.ts";
import { metricsRoutes } from "./routes/metrics.ts";
import { modelRoutes } from "./routes/models.ts";
import { monitorRoutes } from "./routes/monitor.ts";
import { radarRoutes } from "./routes/radar.ts";
import { recommendRoutes } from "./routes/recommend.ts";
import { recommendAppRoutes } from "./routes/recommend-app.ts";
import { runRoutes } from "./routes/runs.ts";
import { searchRoutes } from "./routes/search.ts";
import { ServedEvents } from "./served-events.ts";

/** What the process around a server may add; used by the cluster, not by applications. */
export interface ServerRuntime {
  /** Metrics of every worker together (the cluster primary aggregates them). */
  clusterMetrics?: () => Promise<string>;
  /**
   * Listen only once the first scan of the models directory is over. A cluster worker
   * needs this: the primary hands connections to any worker that listens, and one still
   * loading its models would answer them 503. A single process listens at once, so that
   * /readyz can say it is not ready yet.
   */
  listenWhenReady?: boolean;
}

/** The parts of a server that hold resources, closed together on close or a failed build. */
interface ServerParts {
  registry: ModelRegistry;
  encoders: EncoderPool;
  database: DatabaseHandle;
  monitor: Monitor | null;
}

/**
 * Builds the server without listening: loads the models in the background (see /readyz),
 * opens the API key store unless auth is "off", and registers every route.
 *
 * @example
 * const app = await buildServer({ modelsDir: "models", auth: "off" });
 * const res = await app.inject({ method: "GET", url: "/v1/models" });
 */
export async function buildServer(
  config: ServerConfig,
  runtime: ServerRuntime = {},
): Promise<FastifyInstance> {
  const resolved = resolveServerConfig(config);
  const stdout =
    resolved.logger !== false && resolved.logger.stream === undefined ? bufferedStdout() : undefined;
  const app = createFastify(resolved, stdout);
  const metrics = new ServerMetrics({ loadedCount: () => registry.loadedCount });
  const encoders = new EncoderPool({
    maxQueue: resolved.encoderQueue,
    onBatch: (encoder, stats) => {
      metrics.encoderSeconds.observe({ encoder }, stats.seconds);
      metrics.encoderBatchTexts.observe({ encoder }, stats.texts);
      metrics.encoderWaitSeconds.observe({ encoder }, stats.waitedSeconds);
    },
  });
  const registry = new ModelRegistry({
    root: resolved.modelsDir,
    loaders: { ...builtInFamilies({ encoders }), ...resolved.families },
    log: app.log.child({ component: "registry" }),
    watchIntervalMs: resolved.watchIntervalMs,
    onSwap: (model) => metrics.swaps.inc({ model: model.name }),
    onLoadFailed: (name) => metrics.reloadFailures.inc({ model: name }),
  });
  const state: TextkitServerState = { config: resolved, registry, metrics, monitor: null, fastPath: null };
  app.decorate("textkit", state);
  app.decorateRequest("apiKey", null);
  app.decorateRequest("errorCode", null);

  const parts: ServerParts = { registry, encoders, database: new DatabaseHandle(resolved), monitor: null };
  try {
    const keys: KeyVerifier | null = resolved.auth === "off" ? null : await openKeyStore(parts.database);
    const auth = new Authenticator(resolved.auth, keys);
    const observer = new RequestObserver(metrics, app.log);
    const closing = await installHooks(app, resolved, auth, observer);
    app.addHook("onClose", async () => {
      await closeParts(parts);
      stdout?.flushSync();
    });
    if (resolved.docs) await app.register(fastifySwagger, SWAGGER_OPTIONS);
    parts.monitor = await openMonitor(app, resolved, parts);
    state.monitor = parts.monitor;
    await app.register(healthRoutes, { registry });
    await app.register(metricsRoutes, {
      metrics,
      requireAuth: resolved.metricsRequireAuth,
      ...(runtime.clusterMetrics === undefined ? {} : { clusterText: runtime.clusterMetrics }),
    });
    await app.register(v1Routes(resolved, parts, metrics, app), { prefix: "/v1" });
    if (resolved.docs) await app.register(docsRoutes);
    await app.register(dashboardRoutes);
    installFastPath(app, { config: resolved, registry, metrics, auth, observer, logger: app.log, closing });
    await registry.start();
    startMonitorWhenReady(app, parts);
  } catch (error) {
    await closeParts(parts);
    throw error;
  }
  return app;
}

/** Fastify with textkit's logger, request ids, body parser and error handlers. */
function createFastify(
  resolved: ResolvedServerConfig,
  stdout: ReturnType<typeof bufferedStdout> | undefined,
): FastifyInstance {
  const limits = { bodyLimitBytes: resolved.bodyLimitBytes, maxBatch: resolved.maxBatch };
  const app = fastify({
    logger: loggerOptions(resolved, stdout),
    bodyLimit: resolved.bodyLimitBytes,
    // One access line per request comes from our onResponse hook instead.
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    // Drain on close: the listener closes and idle keep-alive connections with it, but a
    // request that arrives on a connection already accepted is answered (with
    // `Connection: close`), not refused with 503: its client had no other server to try.
    return503OnClosing: false,
    forceCloseConnections: "idle",
    // The schemas say exactly what is accepted: no silent coercion of numbers to strings.
    ajv: { customOptions: { coerceTypes: false, removeAdditional: false, allErrors: false } },
    // Errors raised before a route runs: in textkit's shape too.
    frameworkErrors: frameworkErrorHandler(limits),
    clientErrorHandler,
  });
  // JSON only: a text/plain body would otherwise reach validation as a string.
  app.removeContentTypeParser("text/plain");
  installJsonBodyParser(app);
  installErrorHandlers(app, limits);
  return app;
}

/**
 * Metrics and access log, CORS, the auth check and the draining `Connection: close`; returns
 * whether the server is draining, for the fast path.
 */
async function installHooks(
  app: FastifyInstance,
  resolved: ResolvedServerConfig,
  auth: Authenticator,
  observer: RequestObserver,
): Promise<() => boolean> {
  observe(app, observer);
  await installCors(app, resolved.cors.origins);
  app.addHook("onRequest", auth.hook);
  // While draining, a response that was in flight ends its keep-alive connection, so that
  // close() does not wait for the client to hang up.
  let closing = false;
  app.addHook("preClose", async () => {
    closing = true;
  });
  // Callback-style hooks (here and in observe) run on every request: an async one costs a
  // promise and a microtask turn each time (issue 17, item 3).
  app.addHook("onSend", (_request, reply, payload, done) => {
    if (closing) reply.header("connection", "close");
    done(null, payload);
  });
  return () => closing;
}

/**
 * The predict fast path (fast-predict.ts) as node:http's request listener, in front of
 * fastify's, where it applies; fastify's listener stays as it is otherwise.
 */
function installFastPath(app: FastifyInstance, options: FastPredictOptions): void {
  if (!fastPathApplies(options.config, options.observer)) return;
  const listeners = app.server.listeners("request");
  const [fastifyListener] = listeners;
  if (listeners.length !== 1 || fastifyListener === undefined) return;
  const fast = new FastPredict(options);
  app.textkit.fastPath = fast;
  app.server.removeListener("request", fastifyListener as RequestListener);
  app.server.on("request", fast.listener(fastifyListener as RequestListener));
}

/**
 * CORS for `origins`, before the auth hook so that a browser can read a 401 too. Without
 * origins, @fastify/cors would run a hook on every request that adds nothing (its origin is
 * `false`) and keep an OPTIONS route that answers 404 NOT_FOUND: that route alone answers
 * the same, without the per-request hook (issue 17, item 3; server-predict-wire.test.ts).
 */
async function installCors(app: FastifyInstance, origins: readonly string[]): Promise<void> {
  if (origins.length === 0) {
    app.options("*", { schema: { hide: true } }, (_request, reply) => {
      reply.callNotFound();
    });
    return;
  }
  await app.register(fastifyCors, {
    origin: origins.includes("*") ? "*" : [...origins],
    methods: ["GET", "POST"],
    allowedHeaders: ["Authorization", "Content-Type"],
    maxAge: 600,
  });
}

/** Closes what the server holds: the monitor first (its sources stop, its documents are stored). */
async function closeParts(parts: ServerParts): Promise<void> {
  await parts.monitor?.stop();
  await parts.registry.stop();
  await parts.encoders.close();
  await parts.database.close();
}

/** The OpenAPI document's header: title, security scheme and tags. */
const SWAGGER_OPTIONS = {
  openapi: {
    openapi: "3.1.0",
    info: {
      title: "textkit",
      version: TEXTKIT_VERSION,
      description:
        "Predict with trained textkit models. Send `Authorization: Bearer <token>` (keys from `textkit keys create`). Health, readiness and metrics need no key.",
    },
    components: { securitySchemes: { bearer: { type: "http" as const, scheme: "bearer" } } },
    tags: [
      { name: "models", description: "Predict and inspect models (scope predict)" },
      { name: "admin", description: "Reload and activate versions (scope admin)" },
      { name: "health", description: "Liveness and readiness" },
      { name: "metrics", description: "Prometheus metrics" },
      { name: "assistants", description: "Chat with assistants, feedback, handovers (scope predict)" },
      { name: "monitor", description: "The opinion monitor: ingest, trends, alerts (scope monitor)" },
      {
        name: "recommend",
        description: "The recommend application: A/B split, impressions, CTR (scope predict)",
      },
      { name: "radar", description: "The technology radar: rings, history, suggestions (scope monitor)" },
    ],
  },
};

/** The opinion monitor, when the configuration asks for one; its sources start later. */
async function openMonitor(
  app: FastifyInstance,
  resolved: ResolvedServerConfig,
  parts: ServerParts,
): Promise<Monitor | null> {
  const m = resolved.monitor;
  if (m === null) return null;
  const log = app.log.child({ component: "monitor" });
  return Monitor.open({
    db: await parts.database.get(),
    config: m.config,
    models: registryModels(parts.registry),
    log: (level, message, data) => log[level](data ?? {}, message),
    sources: m.sources,
    ...(m.fetch === undefined ? {} : { fetch: m.fetch }),
    ...(m.webhookDelays === undefined ? {} : { webhookDelays: m.webhookDelays }),
  });
}

/** Sources start once the models are loaded, so that the first documents find them. */
function startMonitorWhenReady(app: FastifyInstance, parts: ServerParts): void {
  const started = parts.monitor;
  if (started === null) return;
  parts.registry
    .whenReady()
    .then(() => started.start())
    .catch((error: unknown) => app.log.error({ err: error }, "the monitor did not start"));
}

/** Every route under /v1, behind the per-key rate limit when one is configured. */
function v1Routes(
  resolved: ResolvedServerConfig,
  parts: ServerParts,
  metrics: ServerMetrics,
  app: FastifyInstance,
): (v1: FastifyInstance) => Promise<void> {
  const { registry, database, monitor } = parts;
  return async (v1) => {
    if (resolved.rateLimit !== false) {
      const { perMinute, burst } = resolved.rateLimit;
      await v1.register(fastifyRateLimit, {
        global: true,
        max: burst,
        timeWindow: 60_000,
        store: tokenBucketStore(perMinute, burst),
        keyGenerator: (request: FastifyRequest) =>
          request.apiKey === null ? `ip:${request.ip}` : `key:${request.apiKey.id}`,
        errorResponseBuilder: (_request, context) =>
          new TextkitError("RATE_LIMITED", `too many requests; retry in ${context.after}`),
      });
    }
    await v1.register(modelRoutes, { registry, config: resolved, metrics });
    const served = new ServedEvents(database, app.log);
    await v1.register(recommendRoutes, { registry, config: resolved, database, served });
    await v1.register(recommendAppRoutes, {
      registry,
      database,
      served,
      metrics,
      maxBatch: resolved.maxBatch,
    });
    await v1.register(searchRoutes, { registry, config: resolved, metrics });
    await v1.register(assistRoutes, { registry, database, maxTextChars: resolved.maxTextChars });
    await v1.register(adminRoutes, { registry });
    await v1.register(runRoutes, { database });
    await v1.register(monitorRoutes, { monitor, maxDocuments: resolved.monitor?.maxDocuments ?? 0 });
    await v1.register(radarRoutes, { database });
  };
}

/** Request counts, latency, in-flight gauge and one access-log line per request. */
function observe(app: FastifyInstance, observer: RequestObserver): void {
  // A flag on the request rather than a WeakSet of open requests: no hash table and no
  // ephemeron for the collector on every request.
  app.decorateRequest("inFlight", false);
  const finish = (request: FastifyRequest): boolean => {
    if (!request.inFlight) return false;
    request.inFlight = false;
    observer.finished();
    return true;
  };
  app.addHook("onRequest", (request, _reply, done) => {
    request.inFlight = true;
    observer.started();
    done();
  });
  app.addHook("onRequestAbort", (request, done) => {
    finish(request);
    done();
  });
  app.addHook("onResponse", (request, reply, done) => {
    finish(request);
    observer.answered(request, {
      method: request.method,
      route: request.routeOptions.url ?? "unmatched",
      url: request.url,
      status: reply.statusCode,
      elapsedMs: reply.elapsedTime,
      keyId: request.apiKey?.id ?? null,
      code: request.errorCode,
    });
    done();
  });
}
