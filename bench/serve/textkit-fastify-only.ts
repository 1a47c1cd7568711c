/**
 * textkit's server for bench:serve with the predict fast path off (`fastPath: false`): every
 * request through fastify, as before the fast path. Its row against "textkit, 1 worker, 1
 * text" (the same server through `textkit serve`, fast path on) in the same run is what the
 * fast path saves. Logs to stdout like `textkit serve`.
 *
 * node --import tsx bench/serve/textkit-fastify-only.ts PORT MODELS_DIR
 */
import { startServer } from "../../src/server/index.ts";

const port = Number(process.argv[2] ?? 8099);
const modelsDir = process.argv[3];
if (modelsDir === undefined) throw new Error("usage: textkit-fastify-only.ts PORT MODELS_DIR");
const server = await startServer({ modelsDir, port, host: "127.0.0.1", auth: "off", fastPath: false });
await server.whenReady();
process.on("SIGTERM", () => {
  server.close().then(() => process.exit(0));
});
