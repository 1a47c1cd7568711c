/**
 * What every answered request records, whichever path served it (fastify's hooks or the
 * predict fast path, src/server/fast-predict.ts): its count and latency by route pattern and
 * status, the in-flight gauge, and one access line. One code path for both, so that the two
 * give the same metric lines and access lines (test/server-fast-path.test.ts).
 */
import type { FastifyBaseLogger } from "fastify";
import { AccessLog, type AccessRequest } from "./logging.ts";
import type { ServerMetrics } from "./metrics.ts";

/** The URL decoded, so that the log's masking sees e-mail addresses as people write them. */
export function readableUrl(url: string): string {
  if (!url.includes("%")) return url;
  try {
    return decodeURIComponent(url);
  } catch {
    return url;
  }
}

/** One answered request, as the metrics and the access line see it. */
export interface AnsweredRequest {
  method: string;
  /** The route pattern, e.g. /v1/models/:name/predict; "unmatched" when none matched. */
  route: string;
  /** The URL as sent (path and query). */
  url: string;
  status: number;
  /** From the request's arrival to the response's end, in milliseconds. */
  elapsedMs: number;
  keyId: string | null;
  /** The error code of an error response. */
  code: string | null;
}

/**
 * Counts and logs requests for one server.
 *
 * @example
 * const observer = new RequestObserver(metrics, app.log);
 * observer.started();
 * observer.answered(request, { method: "GET", route: "/healthz", url: "/healthz", status: 200, elapsedMs: 0.4, keyId: null, code: null });
 */
export class RequestObserver {
  private readonly metrics: ServerMetrics;
  private readonly access: AccessLog;

  constructor(metrics: ServerMetrics, logger: FastifyBaseLogger) {
    this.metrics = metrics;
    this.access = new AccessLog(logger);
  }

  /** Whether access lines are written by hand (a pino logger as textkit configures it). */
  get writesAccessLinesDirectly(): boolean {
    return this.access.direct;
  }

  /** A request arrived: counted in http_requests_in_flight until {@link finished}. */
  started(): void {
    this.metrics.requestStarted();
  }

  /** A request counted by {@link started} was answered or aborted. */
  finished(): void {
    this.metrics.requestFinished();
  }

  /** Counts `answered` by route and status and writes its access line. */
  answered(request: AccessRequest, answered: AnsweredRequest): void {
    const { method, route, status, elapsedMs } = answered;
    this.metrics.route(method, route).answered(status, elapsedMs / 1000);
    this.access.write(request, {
      method,
      route,
      url: readableUrl(answered.url),
      status,
      ms: Math.round(elapsedMs * 100) / 100,
      keyId: answered.keyId,
      ...(answered.code === null ? {} : { code: answered.code }),
    });
  }
}
