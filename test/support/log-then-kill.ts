/**
 * A process that logs through the server's logger to its standard output and then kills
 * itself with SIGKILL, as a crash would: what its parent reads is what survived the crash.
 * An info line, a pause longer than the flush interval, another info line and a warning.
 */
import { setTimeout as sleep } from "node:timers/promises";
import fastify from "fastify";
import { resolveServerConfig } from "../../src/server/config.ts";
import { bufferedStdout, loggerOptions } from "../../src/server/logging.ts";

const resolved = resolveServerConfig({ modelsDir: ".", logger: "info" });
const app = fastify({ logger: loggerOptions(resolved, bufferedStdout()) });
app.log.info("first info line");
await sleep(Number(process.argv[2] ?? 2500));
app.log.info("second info line");
app.log.warn("monitor alert: negative share on acme");
process.kill(process.pid, "SIGKILL");
