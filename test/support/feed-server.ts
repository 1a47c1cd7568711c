/**
 * A real HTTP server on 127.0.0.1 that serves feed documents for the feed poller's tests:
 * each path answers what the test last set for it, honours If-None-Match and
 * If-Modified-Since like a well-behaved feed host, and records every request it gets.
 */
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface FeedAnswer {
  /** Default 200. */
  status?: number;
  body?: string | Buffer;
  /** Default "application/xml; charset=utf-8". */
  contentType?: string;
  etag?: string;
  lastModified?: string;
  /** Waits this long before answering (for timeouts and overlapping polls). */
  delayMs?: number;
}

export interface RecordedRequest {
  path: string;
  headers: IncomingHttpHeaders;
  /** What the server answered. */
  status: number;
}

export interface FeedServer {
  /** The absolute URL of `path` on this server. */
  url(path: string): string;
  /** What `path` answers from now on. */
  set(path: string, answer: FeedAnswer): void;
  /** Every request so far, oldest first. */
  readonly requests: RecordedRequest[];
  /** The most requests for `path` that were being answered at the same time. */
  maxConcurrent(path: string): number;
  close(): Promise<void>;
}

/**
 * Starts the server on a free loopback port.
 *
 * @example
 * const server = await startFeedServer();
 * server.set("/news.xml", { body: rss, etag: '"v1"' });
 * await fetch(server.url("/news.xml")); // 200, then 304 with If-None-Match: "v1"
 * await server.close();
 */
export async function startFeedServer(): Promise<FeedServer> {
  const answers = new Map<string, FeedAnswer>();
  const requests: RecordedRequest[] = [];
  const active = new Map<string, number>();
  const maxConcurrent = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0]!;
    const now = (active.get(path) ?? 0) + 1;
    active.set(path, now);
    maxConcurrent.set(path, Math.max(maxConcurrent.get(path) ?? 0, now));
    const answer = answers.get(path) ?? { status: 404, body: "not found", contentType: "text/plain" };
    const respond = (): void => {
      const unchanged =
        (answer.etag !== undefined && req.headers["if-none-match"] === answer.etag) ||
        (answer.etag === undefined &&
          answer.lastModified !== undefined &&
          req.headers["if-modified-since"] === answer.lastModified);
      const status = unchanged ? 304 : (answer.status ?? 200);
      requests.push({ path, headers: req.headers, status });
      const headers: Record<string, string> = {};
      if (answer.etag !== undefined) headers["etag"] = answer.etag;
      if (answer.lastModified !== undefined) headers["last-modified"] = answer.lastModified;
      if (status !== 304) headers["content-type"] = answer.contentType ?? "application/xml; charset=utf-8";
      res.writeHead(status, headers);
      res.end(status === 304 ? undefined : answer.body);
    };
    res.once("close", () => {
      active.set(path, (active.get(path) ?? 1) - 1);
    });
    if (answer.delayMs === undefined) respond();
    else {
      const timer = setTimeout(respond, answer.delayMs);
      res.once("close", () => clearTimeout(timer));
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: (path) => `http://127.0.0.1:${port}${path}`,
    set: (path, answer) => {
      answers.set(path, answer);
    },
    requests,
    maxConcurrent: (path) => maxConcurrent.get(path) ?? 0,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
