/**
 * The server most end-to-end tests start: a free port on loopback, no keys, no log lines and
 * no directory watch (a test drops files and rescans itself). One place for those settings,
 * so the dashboard and server tests do not each restate them.
 */
import { type RunningServer, type ServerConfig, startServer } from "../../src/server/index.ts";

/**
 * Starts a server on `modelsDir` with the test settings; `config` adds to them or overrides them.
 *
 * @example
 * const server = await startTestServer({ modelsDir, dataDir: join(root, "data") });
 */
export function startTestServer(config: ServerConfig): Promise<RunningServer> {
  return startServer({ port: 0, auth: "off", logger: false, watchIntervalMs: 0, ...config });
}
