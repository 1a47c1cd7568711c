/**
 * The server's logger: fastify's pino, JSON lines, with personal data masked in every
 * message and every logged value (e-mail addresses, phone numbers, ID and card numbers),
 * so that a text quoted by an error or a URL never lands in the log as it was sent.
 */
import type { FastifyServerOptions } from "fastify";
import { destination } from "pino";
import { maskDeep, maskPersonalData } from "../core/pii.ts";
import type { LogSink, ResolvedServerConfig } from "./config.ts";

interface SerializedError {
  [key: string]: unknown;
  type: string;
  message: string;
  stack: string;
}

function serializeError(error: unknown, depth = 0): SerializedError {
  if (!(error instanceof Error))
    return { type: typeof error, message: maskPersonalData(String(error)), stack: "" };
  const code = (error as { code?: unknown }).code;
  return {
    type: error.name,
    message: maskPersonalData(error.message),
    ...(typeof code === "string" ? { code } : {}),
    stack: maskPersonalData(error.stack ?? ""),
    ...(error.cause === undefined || depth >= 3 ? {} : { cause: serializeError(error.cause, depth + 1) }),
  };
}

function maskLogObject(object: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(object)) {
    // Errors are masked by their serializer, which runs after this formatter.
    out[key] = value instanceof Error ? value : maskDeep(value);
  }
  return out;
}

type LogArguments = unknown[];

/** Standard output, written in blocks; `flushSync` writes what is buffered. */
export interface BufferedStdout extends LogSink {
  flushSync(): void;
}

/**
 * Standard output for the access log, buffered: one write(2) per 4 KiB of log lines
 * instead of one per request (a synchronous write per request cost a third of the
 * throughput in bench:serve). The server flushes it on close; lines buffered when the
 * process is killed with SIGKILL are lost, the usual trade of an asynchronous log.
 */
export function bufferedStdout(): BufferedStdout {
  return destination({ dest: 1, sync: false, minLength: 4096 });
}

/**
 * Fastify logger options for a resolved config: false for silence, else pino options whose
 * formatter, serializers and log-method hook mask personal data.
 *
 * @example
 * const app = fastify({ logger: loggerOptions(resolveServerConfig({ modelsDir: "models" })) });
 */
export function loggerOptions(
  config: ResolvedServerConfig,
  stdout: LogSink | undefined = undefined,
): FastifyServerOptions["logger"] {
  if (config.logger === false) return false;
  const stream = config.logger.stream ?? stdout;
  return {
    level: config.logger.level,
    ...(stream === undefined ? {} : { stream }),
    formatters: { log: maskLogObject },
    serializers: {
      err: (error: unknown) => serializeError(error),
      error: (error: unknown) => serializeError(error),
    },
    hooks: {
      logMethod(args, method) {
        const list: LogArguments = [...args];
        const first = list[0];
        // pino would take the message from the error itself, unmasked; give it a masked one.
        if (first instanceof Error && typeof list[1] !== "string") {
          list.splice(0, 1, { err: first }, maskPersonalData(first.message));
        } else if (
          first !== null &&
          typeof first === "object" &&
          (first as { err?: unknown }).err instanceof Error &&
          typeof list[1] !== "string"
        ) {
          list.splice(1, 0, maskPersonalData(((first as { err: Error }).err as Error).message));
        }
        const masked = list.map((a) => (typeof a === "string" ? maskPersonalData(a) : a));
        Reflect.apply(method, this, masked);
      },
    },
  };
}
