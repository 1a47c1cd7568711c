/**
 * The server's logger: fastify's pino, JSON lines, with personal data masked in every
 * message and every logged value (e-mail addresses, phone numbers, ID and card numbers),
 * so that a text quoted by an error or a URL never lands in the log as it was sent.
 */
import { writeSync } from "node:fs";
import type { FastifyBaseLogger, FastifyServerOptions } from "fastify";
import pino from "pino";
import { maskDeep, maskPersonalData } from "../core/index.ts";
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
  for (const key in object) {
    if (!Object.hasOwn(object, key)) continue;
    const value = object[key];
    // Strings and plain values (most of an access line) directly: maskDeep would set up its
    // walk for each of them, on every request. Errors are masked by their serializer, which
    // runs after this formatter.
    out[key] =
      typeof value === "string"
        ? maskPersonalData(value)
        : typeof value !== "object" || value === null || value instanceof Error
          ? value
          : maskDeep(value);
  }
  return out;
}

type LogArguments = unknown[];

/** Standard output, written in blocks; `flushSync` writes what is buffered. */
export interface BufferedStdout extends LogSink {
  flushSync(): void;
}

/** pino's number for "warn": such lines, and worse, are written at once. */
const WARN_LEVEL = 40;
/** Bytes of info lines gathered into one write(2). */
const BLOCK_BYTES = 16 * 1024;
/** Longest an info line waits in the buffer. */
const FLUSH_INTERVAL_MS = 1000;

/**
 * A file descriptor written in blocks: info lines gather until BLOCK_BYTES or for at most
 * FLUSH_INTERVAL_MS; a warning, an alert or an error is written at once, together with what
 * was gathered before it, so the lines that matter survive a SIGKILL and stay in order.
 * Writes are synchronous (one write(2) per block, no fsync): once written, a line is the
 * kernel's and outlives the process.
 */
export class BlockWriter implements BufferedStdout {
  private readonly parts: string[] = [];
  private bytes = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly fd: number,
    private readonly blockBytes = BLOCK_BYTES,
    private readonly intervalMs = FLUSH_INTERVAL_MS,
  ) {}

  write(line: string): boolean {
    this.parts.push(line);
    this.bytes += line.length;
    if (levelOf(line) >= WARN_LEVEL || this.bytes >= this.blockBytes) this.flushSync();
    else if (this.timer === undefined) {
      this.timer = setTimeout(() => this.flushSync(), this.intervalMs);
      // A buffered line never keeps the process alive; close() flushes it.
      this.timer.unref();
    }
    return true;
  }

  flushSync(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.parts.length === 0) return;
    const block = Buffer.from(this.parts.join(""), "utf8");
    this.parts.length = 0;
    this.bytes = 0;
    writeFully(this.fd, block);
  }
}

const LEVEL_PREFIX = '{"level":';

/**
 * The level of a pino line, read from its start ({"level":30,...; 40 is warn): cheaper than
 * pino's per-line metadata, which cost about 5% of the requests per second of a short
 * serve measurement (autocannon, one worker, 2 cores).
 * A line of another shape counts as important and is written at once.
 */
export function levelOf(line: string): number {
  if (!line.startsWith(LEVEL_PREFIX)) return Number.POSITIVE_INFINITY;
  let level = 0;
  let i = LEVEL_PREFIX.length;
  for (; i < line.length; i++) {
    const digit = line.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) break;
    level = level * 10 + digit;
  }
  return i === LEVEL_PREFIX.length ? Number.POSITIVE_INFINITY : level;
}

const pause = new Int32Array(new SharedArrayBuffer(4));

/** write(2) until every byte is out; a non-blocking pipe that is full (EAGAIN) is waited on. */
function writeFully(fd: number, block: Buffer): void {
  let offset = 0;
  let waited = 0;
  while (offset < block.length) {
    try {
      offset += writeSync(fd, block, offset);
    } catch (error) {
      const code = error instanceof Error ? (error as NodeJS.ErrnoException).code : undefined;
      // A reader that stops reading for 10 s loses lines rather than the server its requests.
      if ((code !== "EAGAIN" && code !== "EBUSY") || waited >= 10_000) return;
      Atomics.wait(pause, 0, 0, 5);
      waited += 5;
    }
  }
}

/**
 * Standard output for the log, in blocks: one write(2) per 16 KiB of info lines instead of
 * one per request (a write per request cost a third of the throughput in bench:serve), at
 * most a second late, and warnings, alerts and errors at once, so that a SIGKILL loses at
 * most the last second of info lines. The server flushes it on close.
 */
export function bufferedStdout(): BufferedStdout {
  return new BlockWriter(1);
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
        // The common call, an object and a message (every access line): only the message
        // needs masking here (the formatter masks the object), without copying the arguments.
        const [head, message] = args;
        if (
          args.length === 2 &&
          typeof message === "string" &&
          typeof head === "object" &&
          head !== null &&
          !(head instanceof Error) &&
          !((head as { err?: unknown }).err instanceof Error)
        ) {
          Reflect.apply(method, this, [head, maskPersonalData(message)]);
          return;
        }
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

/** The fields of one access line, in the order they are written. */
export interface AccessFields {
  method: string;
  route: string;
  url: string;
  status: number;
  ms: number;
  keyId: string | null;
  code?: string;
}

/** What {@link AccessLog} reads from a request. */
export interface AccessRequest {
  id: string;
  log: FastifyBaseLogger;
}

/** The parts of a pino logger that an access line is written with, when pino has them. */
interface PinoParts {
  chindings: string;
  stream: { write(line: string): unknown };
  enabled: () => boolean;
}

/** pino's own serialized bindings and stream (its exported symbols), or null. */
function pinoParts(logger: FastifyBaseLogger): PinoParts | null {
  const fields = logger as unknown as Record<symbol, unknown>;
  const chindings = fields[pino.symbols.chindingsSym];
  const stream = fields[pino.symbols.streamSym] as { write?: unknown } | null | undefined;
  const isLevelEnabled = (logger as unknown as { isLevelEnabled?: unknown }).isLevelEnabled;
  const messageKey = fields[pino.symbols.messageKeySym];
  const levelStarts = fields[pino.symbols.lsCacheSym] as Record<number, unknown> | undefined;
  if (
    levelStarts?.[30] !== '{"level":30' ||
    fields[pino.symbols.timeSym] !== pino.stdTimeFunctions.epochTime ||
    fields[pino.symbols.endSym] !== "}\n" ||
    typeof chindings !== "string" ||
    typeof stream?.write !== "function" ||
    typeof isLevelEnabled !== "function" ||
    messageKey !== "msg" ||
    // A stream that wants pino's metadata per line (pino.multistream) gets pino's own write.
    (stream as Record<symbol, unknown>)[Symbol.for("pino.metadata")] === true
  )
    return null;
  return {
    chindings,
    stream: stream as PinoParts["stream"],
    enabled: () => isLevelEnabled.call(logger, "info") === true,
  };
}

/**
 * A string as pino writes it: as it is between quotes with `"` and `\` escaped, or through
 * JSON.stringify when it is long or holds a control character.
 */
function pinoString(text: string): string {
  if (text.length > 100) return JSON.stringify(text);
  let escaped = false;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 32) return JSON.stringify(text);
    if (unit === 34 || unit === 92) escaped = true;
  }
  return escaped ? `"${text.replace(/["\\]/g, "\\$&")}"` : `"${text}"`;
}

/**
 * One access line per request, "request" at level info: the line pino writes for
 * `request.log.info(fields, "request")` (personal data masked, the request id from the
 * request's bindings), built by hand and written to the logger's stream. Through pino it
 * cost about four times as much (its masking hooks and formatter, in a micro-benchmark). A logger
 * that is not pino, or one configured otherwise, gets the same call through pino.
 */
export class AccessLog {
  private readonly parts: PinoParts | null;

  constructor(logger: FastifyBaseLogger) {
    this.parts = pinoParts(logger);
  }

  /** Whether lines are built by hand (false: each goes through `request.log.info`). */
  get direct(): boolean {
    return this.parts !== null;
  }

  write(request: AccessRequest, fields: AccessFields): void {
    const parts = this.parts;
    if (parts === null) {
      request.log.info({ ...fields }, "request");
      return;
    }
    if (!parts.enabled()) return;
    const keyId = fields.keyId === null ? "null" : pinoString(maskPersonalData(fields.keyId));
    const code = fields.code === undefined ? "" : `,"code":${pinoString(maskPersonalData(fields.code))}`;
    parts.stream.write(
      `{"level":30,"time":${Date.now()}${parts.chindings},"reqId":${JSON.stringify(request.id)},"method":${pinoString(maskPersonalData(fields.method))},"route":${pinoString(maskPersonalData(fields.route))},"url":${pinoString(maskPersonalData(fields.url))},"status":${finite(fields.status)},"ms":${finite(fields.ms)},"keyId":${keyId}${code},"msg":"request"}\n`,
    );
  }
}

function finite(value: number): string {
  return Number.isFinite(value) ? String(value) : "null";
}
