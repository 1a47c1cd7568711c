/**
 * The predict fast path (issue 17, item 3): POST /v1/models/:name/predict answered straight
 * from node:http's request listener, before fastify's, for the requests it can answer
 * exactly as fastify would: the same auth decision (Authenticator.admitNow), the same
 * prediction code (predictOnce), the same metrics and access line (RequestObserver), the
 * same draining `Connection: close`. Everything else goes to fastify untouched: other
 * methods and URLs, a query string, another content type, no content-length or one over the
 * body limit, a request auth would refuse or must ask the key store about, and, once the body
 * is read, a body that is not plain JSON of the predict schema or whose prediction fails (the
 * body is handed over with it, see preread-body.ts), so that every error is fastify's.
 *
 * Off with `fastPath: false` in the server's configuration (tests compare both paths; a
 * safety valve), and off by itself where it could not answer as fastify does: with a rate
 * limit or CORS origins configured (their headers are fastify plugins'), or a logger that
 * the access line cannot be written for by hand.
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import { performance } from "node:perf_hooks";
import type { FastifyBaseLogger } from "fastify";
import type { Authenticator, RequestKey } from "./auth.ts";
import type { ResolvedServerConfig } from "./config.ts";
import { parseJsonBody } from "./json-body.ts";
import type { ServerMetrics } from "./metrics.ts";
import { keepPrereadBody } from "./preread-body.ts";
import type { ModelRegistry } from "./registry.ts";
import type { RequestObserver } from "./request-observer.ts";
import { type PredictReply, predictOnce } from "./routes/models.ts";
import type { PredictBody } from "./schemas.ts";

const PREFIX = "/v1/models/";
const SUFFIX = "/predict";
const ROUTE = "/v1/models/:name/predict";
/** ModelParams' pattern (schemas.ts). */
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
const BODY_KEYS = new Set(["inputs", "text", "k", "threshold", "version"]);

/** What the fast path serves with. */
export interface FastPredictOptions {
  config: ResolvedServerConfig;
  registry: ModelRegistry;
  metrics: ServerMetrics;
  auth: Authenticator;
  observer: RequestObserver;
  logger: FastifyBaseLogger;
  /** Whether the server is draining: responses then carry `Connection: close`. */
  closing: () => boolean;
}

/** Whether a string is one the predict schema takes (minLength 1, at most `max` UTF-16 units). */
function isText(value: unknown, max: number): value is string {
  return typeof value === "string" && value.length >= 1 && value.length <= max;
}

/** Whether the inputs are 1 to `maxBatch` texts. */
function isTextList(value: unknown, maxBatch: number): value is string[] {
  if (!Array.isArray(value) || value.length < 1 || value.length > maxBatch) return false;
  for (const item of value) if (!isText(item, Number.MAX_SAFE_INTEGER)) return false;
  return true;
}

/**
 * The body when it is certainly valid for the predict schema (texts only, no row inputs),
 * else null: fastify's validation then answers it, valid or not.
 */
export function simplePredictBody(value: unknown, maxBatch: number): PredictBody | null {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return null;
  const body = value as Record<string, unknown>;
  for (const key of Object.keys(body)) if (!BODY_KEYS.has(key)) return null;
  const { inputs, text, k, threshold, version } = body;
  if (inputs !== undefined && !isTextList(inputs, maxBatch)) return null;
  if (text !== undefined && !isText(text, Number.MAX_SAFE_INTEGER)) return null;
  if (k !== undefined && !(Number.isInteger(k) && (k as number) >= 1 && (k as number) <= 1000)) return null;
  if (threshold !== undefined && typeof threshold !== "number") return null;
  // 50 UTF-16 units are at most 50 code points: within the schema's 100 however it counts.
  if (version !== undefined && !isText(version, 50)) return null;
  return body as PredictBody;
}

/** The model name of a predict URL this path serves, or null. */
function modelOf(url: string | undefined): string | null {
  if (url === undefined || !url.startsWith(PREFIX) || !url.endsWith(SUFFIX)) return null;
  const name = url.slice(PREFIX.length, url.length - SUFFIX.length);
  return NAME.test(name) ? name : null;
}

/** Whether the fast path can answer as fastify does under this configuration. */
export function fastPathApplies(config: ResolvedServerConfig, observer: RequestObserver): boolean {
  return (
    config.fastPath &&
    config.rateLimit === false &&
    config.cors.origins.length === 0 &&
    (config.logger === false || observer.writesAccessLinesDirectly)
  );
}

/**
 * Serves predict requests before `fallback` (fastify's request listener), which gets the rest.
 *
 * @example
 * const fast = new FastPredict(options);
 * server.removeAllListeners("request");
 * server.on("request", fast.listener(fastifyListener));
 */
export class FastPredict {
  /** Requests this path answered (tests read it to know which path served). */
  served = 0;
  private readonly options: FastPredictOptions;
  private readonly jsonTypes = new Set(["application/json", "application/json; charset=utf-8"]);

  constructor(options: FastPredictOptions) {
    this.options = options;
  }

  /** The request listener: this path where it applies, `fallback` otherwise. */
  listener(fallback: RequestListener): RequestListener {
    return (request, response) => {
      if (!this.take(request, response, fallback)) fallback(request, response);
    };
  }

  /** Starts serving `request` and returns true, or returns false to leave it to fastify. */
  private take(request: IncomingMessage, response: ServerResponse, fallback: RequestListener): boolean {
    if (request.method !== "POST") return false;
    const name = modelOf(request.url);
    if (name === null || this.options.closing()) return false;
    const headers = request.headers;
    const type = headers["content-type"];
    if (type === undefined || !this.jsonTypes.has(type)) return false;
    if (headers["transfer-encoding"] !== undefined) return false;
    const length = Number(headers["content-length"]);
    if (!Number.isInteger(length) || length < 1 || length > this.options.config.bodyLimitBytes) return false;
    const key = this.options.auth.admitNow(headers.authorization, request.socket.remoteAddress, "predict");
    if (key === undefined) return false;
    const startMs = performance.now();
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const body = chunks.length === 1 && chunks[0] !== undefined ? chunks[0] : Buffer.concat(chunks);
      this.answer({ request, response, fallback, name, key, startMs }, body);
    });
    return true;
  }

  /** Predicts and answers, or hands the request with its body to fastify. */
  private answer(exchange: Exchange, body: Buffer): void {
    const handOver = (): void => {
      keepPrereadBody(exchange.request, body);
      exchange.fallback(exchange.request, exchange.response);
    };
    let value: unknown;
    try {
      value = parseJsonBody(body);
    } catch {
      handOver();
      return;
    }
    const { config, registry, metrics, observer } = this.options;
    const predictBody = simplePredictBody(value, config.maxBatch);
    if (predictBody === null) {
      handOver();
      return;
    }
    observer.started();
    let reply: PredictReply | Promise<PredictReply>;
    try {
      reply = predictOnce(registry, config, metrics, exchange.name, predictBody);
    } catch {
      observer.finished();
      handOver();
      return;
    }
    if (!(reply instanceof Promise)) {
      this.send(exchange, reply);
      return;
    }
    reply.then(
      (answered) => this.send(exchange, answered),
      () => {
        // The model failed or refused (busy, closed): fastify predicts again and answers.
        observer.finished();
        handOver();
      },
    );
  }

  /** Writes the answer as fastify serializes it, then counts and logs the request. */
  private send(exchange: Exchange, reply: PredictReply): void {
    const { response } = exchange;
    const payload = JSON.stringify({
      model: reply.model,
      version: reply.version,
      predictions: reply.predictions,
      truncated: reply.truncated,
    });
    const headers: Record<string, string | number> = {
      "content-type": "application/json; charset=utf-8",
      "content-length": Buffer.byteLength(payload),
    };
    if (this.options.closing()) headers.connection = "close";
    response.writeHead(200, headers);
    response.end(payload);
    this.served++;
    const { observer, logger } = this.options;
    observer.finished();
    observer.answered(
      { id: randomUUID(), log: logger },
      {
        method: "POST",
        route: ROUTE,
        url: exchange.request.url ?? "",
        status: 200,
        elapsedMs: performance.now() - exchange.startMs,
        keyId: exchange.key?.id ?? null,
        code: null,
      },
    );
  }
}

/** One request under way on the fast path. */
interface Exchange {
  request: IncomingMessage;
  response: ServerResponse;
  fallback: RequestListener;
  name: string;
  key: RequestKey | null;
  startMs: number;
}
