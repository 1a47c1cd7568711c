import type { FastifyInstance } from "fastify";
import { TextkitError } from "../core/index.ts";
import { buildServer, type ServerRuntime } from "./app.ts";
import type { ServerConfig } from "./config.ts";

export interface RunningServer {
  /** Where it listens, e.g. http://127.0.0.1:8080 (a wildcard host is given as loopback). */
  url: string;
  app: FastifyInstance;
  /** Resolves once the first scan of the models directory is over. */
  whenReady(): Promise<void>;
  /** Stops accepting, lets requests under way finish, then closes the key store. */
  close(): Promise<void>;
}

/** The host part of a URL that reaches `host` from this machine. */
export function urlHost(host: string): string {
  if (host === "0.0.0.0") return "127.0.0.1";
  if (host === "::") return "[::1]";
  return host.includes(":") ? `[${host}]` : host;
}

/**
 * Builds the server and listens.
 *
 * @example
 * const server = await startServer({ modelsDir: "models", port: 0, auth: "off" });
 * await server.whenReady();
 * await fetch(`${server.url}/v1/models/intent/predict`, { method: "POST",
 *   headers: { "content-type": "application/json" }, body: JSON.stringify({ text: "hi" }) });
 * await server.close();
 */
export async function startServer(config: ServerConfig, runtime: ServerRuntime = {}): Promise<RunningServer> {
  const app = await buildServer(config, runtime);
  const { host, port } = app.textkit.config;
  try {
    if (runtime.listenWhenReady === true) await app.textkit.registry.whenReady();
    await app.listen({ host, port });
  } catch (cause) {
    await app.close();
    const code = (cause as { code?: unknown }).code;
    if (code === "EADDRINUSE") {
      throw new TextkitError("PORT_IN_USE", `port ${port} on ${host} is in use by another process`, {
        cause,
      });
    }
    if (code === "EACCES" || code === "EADDRNOTAVAIL") {
      throw new TextkitError("OPTION_INVALID", `cannot listen on ${host}:${port} (${String(code)})`, {
        cause,
      });
    }
    throw cause;
  }
  const address = app.server.address();
  const actualPort = address !== null && typeof address === "object" ? address.port : port;
  return {
    url: `http://${urlHost(host)}:${actualPort}`,
    app,
    whenReady: () => app.textkit.registry.whenReady(),
    close: () => app.close(),
  };
}
