/** What textkit adds to fastify's request and route config (declaration merging). */
import type { Monitor } from "../apps/monitor/index.ts";
import type { RequestKey, RouteScope } from "./auth.ts";
import type { ResolvedServerConfig } from "./config.ts";
import type { ServerMetrics } from "./metrics.ts";
import type { ModelRegistry } from "./registry.ts";

/** What buildServer hangs on the fastify instance (`app.textkit`) for later plugins and tests. */
export interface TextkitServerState {
  config: ResolvedServerConfig;
  registry: ModelRegistry;
  metrics: ServerMetrics;
  /** The opinion monitor, when the server runs one (`monitor` in the config). */
  monitor: Monitor | null;
  /** The predict fast path, when it serves (fast-predict.ts); null: fastify serves every request. */
  fastPath: { readonly served: number } | null;
}

/** Per-request state the server's hooks share. */
export interface ServerRequestState {
  /** The API key the request came with, once verified. */
  apiKey: RequestKey | null;
  /** The error code the response carries, for the access log line. */
  errorCode: string | null;
  /** Counted in http_requests_in_flight and not yet answered nor aborted (buildServer only). */
  inFlight: boolean;
}

declare module "fastify" {
  interface FastifyInstance {
    textkit: TextkitServerState;
  }
  interface FastifyRequest extends ServerRequestState {}
  interface FastifyContextConfig {
    /** The scope a key needs for this route; none: public. */
    scope?: RouteScope;
  }
}
