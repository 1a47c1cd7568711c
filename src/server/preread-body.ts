/**
 * A request body the predict fast path (fast-predict.ts) has already read when it hands the
 * request to fastify after all (bad JSON, a body the schema refuses, an unknown model): the
 * predict route's preParsing hook gives fastify these bytes in place of the spent stream, so
 * that fastify answers exactly as if it had read them itself.
 */
import type { IncomingMessage } from "node:http";
import { Readable } from "node:stream";
import type { FastifyReply, FastifyRequest } from "fastify";

const PREREAD = Symbol("textkit.prereadBody");

interface WithPreread {
  [PREREAD]?: Buffer;
}

/** Keeps `body`, read from `request`, for {@link replayPrereadBody}. */
export function keepPrereadBody(request: IncomingMessage, body: Buffer): void {
  (request as IncomingMessage & WithPreread)[PREREAD] = body;
}

/**
 * A preParsing hook: the bytes kept by {@link keepPrereadBody} as the payload stream, or the
 * request's own stream when none were kept.
 */
export function replayPrereadBody(
  request: FastifyRequest,
  _reply: FastifyReply,
  payload: Readable,
  done: (error: Error | null, stream?: Readable) => void,
): void {
  const body = (request.raw as IncomingMessage & WithPreread)[PREREAD];
  if (body === undefined) {
    done(null, payload);
    return;
  }
  done(null, Readable.from([body], { objectMode: false }));
}
