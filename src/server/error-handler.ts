/**
 * One place turns every failure into `{ error: { code, message, hint, field? } }` with the
 * status of its code. A client mistake gets its 4xx; anything else is a 500 whose details
 * go to the log only. No response ever carries a stack trace.
 */
import { STATUS_CODES } from "node:http";
import type { Socket } from "node:net";
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { type ErrorCode, isTextkitError, TextkitError } from "../core/index.ts";

export interface ErrorBody {
  error: {
    code: string;
    message: string;
    hint: string;
    /** JSON pointer into the request body (e.g. /inputs/0) where the problem is. */
    field?: string;
    requestId?: string;
  };
}

interface ValidationIssue {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
  message?: string;
}

interface FrameworkErrorShape {
  code?: unknown;
  statusCode?: unknown;
  validation?: ValidationIssue[];
  validationContext?: string;
}

function frameworkShape(error: unknown): FrameworkErrorShape {
  return error !== null && typeof error === "object" ? (error as FrameworkErrorShape) : {};
}

/** The field a validation issue is about, as a JSON pointer. */
function fieldOf(issue: ValidationIssue): string {
  const extra =
    issue.keyword === "required" && typeof issue.params["missingProperty"] === "string"
      ? issue.params["missingProperty"]
      : issue.keyword === "additionalProperties" && typeof issue.params["additionalProperty"] === "string"
        ? issue.params["additionalProperty"]
        : null;
  const path = issue.instancePath;
  return extra === null ? path || "/" : `${path}/${extra}`;
}

function describeIssue(issue: ValidationIssue, context: string, field: string): string {
  const where = context === "body" ? field : `${context} ${field}`;
  if (issue.keyword === "required") return `${where} is required`;
  if (issue.keyword === "additionalProperties") return `${where} is not a known field`;
  return `${where} ${issue.message ?? "is invalid"}`;
}

function validationError(shape: FrameworkErrorShape, maxBatch: number): TextkitError {
  const issue = shape.validation![0]!;
  const context = shape.validationContext ?? "body";
  const field = fieldOf(issue);
  if (context === "body" && field === "/inputs" && issue.keyword === "maxItems") {
    return new TextkitError(
      "BATCH_TOO_LARGE",
      `/inputs has more than ${maxBatch} texts; this server takes at most ${maxBatch} per request`,
      { details: { field } },
    );
  }
  return new TextkitError("INPUT_INVALID", describeIssue(issue, context, field), { details: { field } });
}

/** Maps what fastify and its plugins throw to textkit's codes. */
export function toTextkitError(
  error: unknown,
  limits: { bodyLimitBytes: number; maxBatch: number },
): TextkitError {
  if (isTextkitError(error)) return error;
  const shape = frameworkShape(error);
  if (Array.isArray(shape.validation) && shape.validation.length > 0)
    return validationError(shape, limits.maxBatch);
  const byCode: Partial<Record<string, [ErrorCode, string]>> = {
    FST_ERR_CTP_BODY_TOO_LARGE: [
      "BODY_TOO_LARGE",
      `the request body is larger than this server's limit of ${limits.bodyLimitBytes} bytes`,
    ],
    FST_ERR_CTP_INVALID_JSON_BODY: ["BODY_INVALID_JSON", "the request body is not valid JSON"],
    FST_ERR_CTP_EMPTY_JSON_BODY: ["BODY_INVALID_JSON", "the request body is empty but declared as JSON"],
    FST_ERR_CTP_INVALID_MEDIA_TYPE: ["UNSUPPORTED_MEDIA_TYPE", "the request body must be application/json"],
    FST_ERR_CTP_INVALID_CONTENT_LENGTH: [
      "INPUT_INVALID",
      "the request body's size does not match its Content-Length",
    ],
    FST_ERR_BAD_URL: ["URL_INVALID", "the URL's path is not valid (a bad percent-encoding such as %zz)"],
    FST_ERR_MAX_PARAM_LENGTH: [
      "URL_PARAM_TOO_LONG",
      "a part of the URL's path is longer than 100 characters",
    ],
  };
  const mapped = typeof shape.code === "string" ? byCode[shape.code] : undefined;
  if (mapped !== undefined) return new TextkitError(mapped[0], mapped[1], { cause: error });
  // JSON.parse errors surface as SyntaxError with status 400 when the parser is replaced.
  if (error instanceof SyntaxError && shape.statusCode === 400)
    return new TextkitError("BODY_INVALID_JSON", "the request body is not valid JSON", { cause: error });
  const status = typeof shape.statusCode === "number" ? shape.statusCode : 500;
  if (status === 404) return new TextkitError("NOT_FOUND", "no such route", { cause: error });
  if (status === 413) return new TextkitError("BODY_TOO_LARGE", "the request is too large", { cause: error });
  if (status === 415)
    return new TextkitError("UNSUPPORTED_MEDIA_TYPE", "the request body must be application/json", {
      cause: error,
    });
  if (status >= 400 && status < 500) {
    // Fastify's own client errors (bad URL, bad header...) carry fixed, safe messages.
    const message = error instanceof Error ? error.message : "bad request";
    return new TextkitError("INPUT_INVALID", message, { cause: error });
  }
  return new TextkitError("INTERNAL", "internal error; the server log has the details", { cause: error });
}

/** The body sent for an error. Never includes `cause`, `details` or a stack. */
export function errorBody(error: TextkitError, requestId?: string): ErrorBody {
  const field = error.details?.["field"];
  return {
    error: {
      code: error.code,
      message: error.message,
      hint: error.hint,
      ...(typeof field === "string" ? { field } : {}),
      ...(requestId === undefined ? {} : { requestId }),
    },
  };
}

/** Installs the error and not-found handlers on the root instance. */
export function installErrorHandlers(
  app: FastifyInstance,
  limits: { bodyLimitBytes: number; maxBatch: number },
): void {
  app.setErrorHandler((raw: FastifyError | TextkitError, request: FastifyRequest, reply: FastifyReply) => {
    const error = toTextkitError(raw, limits);
    request.errorCode = error.code;
    if (error.code === "INTERNAL") {
      request.log.error({ err: raw, code: error.code }, "request failed");
    } else if (error.status >= 500) {
      request.log.warn({ code: error.code, status: error.status }, error.message);
    } else {
      // The access line carries the code; the message is there for debugging.
      request.log.debug({ code: error.code, status: error.status }, error.message);
    }
    // A coded "come back later" (ENCODER_BUSY, MONITOR_BUSY) says when, in seconds.
    const retryMs = Number(error.details?.["retryAfterMs"]);
    if (error.status === 429 && Number.isFinite(retryMs) && retryMs > 0) {
      reply.header("retry-after", String(Math.max(1, Math.ceil(retryMs / 1000))));
    }
    reply.status(error.status).send(errorBody(error, request.id));
  });
  app.setNotFoundHandler((request, reply) => {
    const error = new TextkitError("NOT_FOUND", `no route ${request.method} ${request.url.split("?")[0]}`);
    request.errorCode = error.code;
    reply.status(404).send(errorBody(error, request.id));
  });
}

/**
 * For fastify's `frameworkErrors` option: a URL fastify's router refuses (bad percent-encoding,
 * a path part over the length limit) is answered in textkit's shape, like every other error.
 */
export function frameworkErrorHandler(limits: {
  bodyLimitBytes: number;
  maxBatch: number;
}): (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => void {
  return (raw, request, reply) => {
    const error = toTextkitError(raw, limits);
    request.errorCode = error.code;
    reply.status(error.status).send(errorBody(error, request.id));
  };
}

/** What Node's HTTP parser reports before any request exists, as textkit's error. */
export function clientErrorOf(error: Error & { code?: unknown }): TextkitError {
  switch (error.code) {
    case "HPE_HEADER_OVERFLOW":
      return new TextkitError("HEADERS_TOO_LARGE", "the request's headers are larger than this server takes");
    case "ERR_HTTP_REQUEST_TIMEOUT":
      return new TextkitError("REQUEST_TIMEOUT", "the request did not arrive in time");
    case "HPE_UNEXPECTED_CONTENT_LENGTH":
      return new TextkitError(
        "REQUEST_MALFORMED",
        "the request has both Content-Length and Transfer-Encoding; send one of them",
      );
    default:
      return new TextkitError("REQUEST_MALFORMED", "the request is not valid HTTP/1.1");
  }
}

/**
 * For fastify's `clientErrorHandler` option: a request Node's HTTP parser refuses (headers too
 * large, both Content-Length and Transfer-Encoding, a bad chunk...) gets textkit's error
 * body and status instead of fastify's, then the connection is closed, since what follows on
 * it cannot be trusted to start a request.
 */
export function clientErrorHandler(error: Error & { code?: unknown }, socket: Socket): void {
  // A reset connection has nobody to answer.
  if (error.code === "ECONNRESET" || socket.destroyed) return;
  if (socket.writable) {
    const textkit = clientErrorOf(error);
    const body = JSON.stringify(errorBody(textkit));
    socket.write(
      `HTTP/1.1 ${textkit.status} ${STATUS_CODES[textkit.status] ?? "Error"}\r\n` +
        `Content-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `Connection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}
