/**
 * Runs the server cluster for the end-to-end tests: `node --import tsx test/server-launcher.ts`
 * with TEXTKIT_TEST_SERVER set to JSON `{ modelsDir, workers }`. The primary prints one JSON
 * line per cluster event and a final `{ "type": "started", url, pids }`; workers run the
 * same file (node:cluster) and start the server.
 */
import { runCluster } from "../src/server/index.ts";
import { TEST_FAMILIES } from "./server-helpers.ts";

const spec = JSON.parse(process.env["TEXTKIT_TEST_SERVER"] ?? "{}") as { modelsDir: string; workers: number };
const print = (event: object): void => {
  process.stdout.write(`${JSON.stringify(event)}\n`);
};

const running = await runCluster(
  {
    modelsDir: spec.modelsDir,
    port: 0,
    auth: "off",
    logger: process.env["TEXTKIT_TEST_LOG"] === "1" ? "info" : false,
    families: TEST_FAMILIES,
    watchIntervalMs: 0,
  },
  spec.workers,
  { onEvent: print, drainTimeoutMs: 10_000 },
);
if (running.role === "primary") print({ type: "started", url: running.url, pids: running.workerPids() });
