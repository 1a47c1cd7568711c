/**
 * One fetch of an RSS/Atom feed: a conditional GET with the validators of the last poll, a
 * time limit, a size limit read as the body streams in, and the document parsed into
 * monitor documents (feed-parser.ts). Failures are SOURCE_UNAVAILABLE or SOURCE_BAD_FEED.
 */
import { TextkitError } from "../../core/index.ts";
import type { FeedSourceConfig } from "./config.ts";
import type { MonitorDocumentInput } from "./document.ts";
import { decodeBody, parseFeed } from "./feed-parser.ts";
import { describeError, type SourceLog } from "./source-errors.ts";

export const FEED_USER_AGENT = "textkit-monitor/0.1";
export const DEFAULT_FEED_TIMEOUT_MS = 15_000;
export const DEFAULT_FEED_MAX_BYTES = 10 * 1024 * 1024;

/** The validators of the last answer, sent back for a 304. */
export interface FeedValidators {
  etag: string | null;
  lastModified: string | null;
}

/** How a feed is fetched: the fetch function, the limits, and where parse warnings go. */
export interface FeedFetchSettings {
  fetch: typeof fetch;
  timeoutMs: number;
  maxBytes: number;
  log: SourceLog;
}

export /** What one fetch brought: the documents, or 304. */
type Fetched =
  | { kind: "not_modified" }
  | {
      kind: "feed";
      title: string | null;
      items: MonitorDocumentInput[];
      found: number;
      skipped: number;
      etag: string | null;
      lastModified: string | null;
    };

/**
 * Fetches and parses one feed; `stop` aborts it (the abort error is thrown as it is).
 *
 * @example
 * const got = await fetchFeed(feed, { etag: null, lastModified: null }, settings, signal); // { kind: "feed", items, ... }
 */
export async function fetchFeed(
  feed: FeedSourceConfig,
  validators: FeedValidators,
  settings: FeedFetchSettings,
  stop: AbortSignal,
): Promise<Fetched> {
  const headers: Record<string, string> = {
    "user-agent": FEED_USER_AGENT,
    accept:
      "application/rss+xml, application/atom+xml, application/rdf+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5",
  };
  if (validators.etag) headers["if-none-match"] = validators.etag;
  if (validators.lastModified) headers["if-modified-since"] = validators.lastModified;
  const timeout = AbortSignal.timeout(settings.timeoutMs);
  const signal = AbortSignal.any([timeout, stop]);
  const unavailable = (message: string, cause?: unknown): TextkitError =>
    new TextkitError("SOURCE_UNAVAILABLE", message, { cause, details: { url: feed.url } });

  let response: Response;
  let bytes: Uint8Array;
  try {
    response = await settings.fetch(feed.url, { headers, signal, redirect: "follow" });
    if (response.status === 304) {
      await response.body?.cancel().catch(() => undefined);
      return { kind: "not_modified" };
    }
    if (response.status < 200 || response.status > 299) {
      await response.body?.cancel().catch(() => undefined);
      throw unavailable(
        `${feed.url} answered HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ""}`,
      );
    }
    bytes = await readLimited(response, settings.maxBytes, feed.url);
  } catch (error) {
    if (error instanceof TextkitError) throw error;
    if (stop.aborted) throw error;
    if (timeout.aborted) {
      throw unavailable(
        `${feed.url} did not answer within ${Math.round(settings.timeoutMs / 1000)} s`,
        error,
      );
    }
    throw unavailable(`could not fetch ${feed.url}: ${describeError(error)}`, error);
  }
  const xml = decodeBody(bytes, response.headers.get("content-type"));
  const parsed = parseFeed(xml, feed, settings.log);
  return {
    kind: "feed",
    ...parsed,
    etag: response.headers.get("etag"),
    lastModified: response.headers.get("last-modified"),
  };
}

async function readLimited(response: Response, maxBytes: number, url: string): Promise<Uint8Array> {
  const tooLarge = (): TextkitError =>
    new TextkitError(
      "SOURCE_BAD_FEED",
      `${url} sent more than ${maxBytes} bytes; a feed that large is refused (raise maxBytes if it is genuine)`,
      { details: { url, maxBytes } },
    );
  const declared = Number(response.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw tooLarge();
  }
  if (response.body === null) return new Uint8Array(0);
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge();
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}
