import { createServer } from "node:net";
import { availableParallelism } from "node:os";
import { type Command, Option } from "commander";
import { TextkitError } from "../core/index.ts";
import type { RunningServer } from "../server/index.ts";
// The settings only: the server itself (fastify, prom-client: half a second to load) is
// imported when a command serves, so that every other command starts without it.
import {
  AUTH_MODES,
  type AuthMode,
  LOG_LEVELS,
  type LogLevel,
  SERVER_DEFAULTS,
  type ServerConfig,
  TEXT_OVERFLOW_MODES,
  type TextOverflow,
} from "../server/index.ts";
import type { CliIo } from "./io.ts";
import { parseChoice, parseInteger } from "./parse-options.ts";

interface ServeFlags {
  models: string;
  host: string;
  port: number;
  workers: number;
  auth: AuthMode;
  database?: string;
  dataDir?: string;
  cors?: string;
  rateLimit?: number;
  rateBurst?: number;
  maxBatch: number;
  maxTextChars: number;
  textOverflow: TextOverflow;
  bodyLimit: number;
  logLevel: LogLevel;
  docs: boolean;
  monitor?: string;
}

function parseWorkers(value: string): number {
  if (value === "auto") return availableParallelism();
  return parseInteger("--workers", 1)(value);
}

/** The server settings the flags describe; `env` fills in the data directory. */
export function serverConfigOf(flags: ServeFlags, env: CliIo["env"]): ServerConfig {
  const dataDir = flags.dataDir ?? env["TEXTKIT_DATA_DIR"];
  return {
    modelsDir: flags.models,
    host: flags.host,
    port: flags.port,
    auth: flags.auth,
    ...(flags.database === undefined ? {} : { database: flags.database }),
    ...(dataDir === undefined ? {} : { dataDir }),
    cors: {
      origins: (flags.cors ?? "")
        .split(",")
        .map((o) => o.trim())
        .filter((o) => o.length > 0),
    },
    ...(flags.rateLimit === undefined
      ? {}
      : {
          rateLimit: {
            perMinute: flags.rateLimit,
            ...(flags.rateBurst === undefined ? {} : { burst: flags.rateBurst }),
          },
        }),
    maxBatch: flags.maxBatch,
    maxTextChars: flags.maxTextChars,
    textOverflow: flags.textOverflow,
    bodyLimitBytes: flags.bodyLimit,
    logger: flags.logLevel,
    docs: flags.docs,
    ...(flags.monitor === undefined ? {} : { monitor: { config: flags.monitor } }),
  };
}

/**
 * Fails at once, with PORT_IN_USE, when nothing could listen on `host:port`: loading the
 * models (and, for the demo, training them) takes a while, and the listen that follows it
 * would only then find the port taken. Port 0 is always free. The check closes its socket
 * again, so the server itself may still lose a race for the port; it reports that too.
 *
 * @example
 * await checkPortFree("127.0.0.1", 8080); // throws PORT_IN_USE while another server holds it
 */
export async function checkPortFree(host: string, port: number): Promise<void> {
  if (port === 0) return;
  const probe = createServer();
  try {
    await new Promise<void>((resolve, reject) => {
      probe.once("error", reject);
      probe.listen({ host, port, exclusive: true }, resolve);
    });
  } catch (cause) {
    throw listenError(host, port, cause);
  } finally {
    await new Promise<void>((resolve) => probe.close(() => resolve()));
  }
}

/** The coded error for a failed listen on `host:port` (the cause's errno code picks the hint). */
export function listenError(host: string, port: number, cause: unknown): unknown {
  const code = (cause as { code?: unknown }).code;
  if (code === "EADDRINUSE") {
    return new TextkitError("PORT_IN_USE", `port ${port} on ${host} is in use by another process`, {
      cause,
      details: { host, port },
    });
  }
  if (code === "EACCES") {
    return new TextkitError("OPTION_INVALID", `no permission to listen on port ${port} of ${host}`, {
      cause,
      hint: "Ports below 1024 need extra privileges; pass --port 1024 or above.",
    });
  }
  if (code === "EADDRNOTAVAIL" || code === "ENOTFOUND") {
    return new TextkitError("OPTION_INVALID", `${host} is not an address of this machine`, {
      cause,
      hint: "Pass --host with an address of this machine: 127.0.0.1, 0.0.0.0 (every interface) or ::.",
    });
  }
  return cause;
}

/** Resolves on the first SIGTERM or SIGINT. */
function nextStopSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const on = (signal: NodeJS.Signals): void => {
      process.off("SIGTERM", on);
      process.off("SIGINT", on);
      resolve(signal);
    };
    process.on("SIGTERM", on);
    process.on("SIGINT", on);
  });
}

async function runServe(flags: ServeFlags, io: CliIo): Promise<void> {
  const config = serverConfigOf(flags, io.env);
  await checkPortFree(flags.host, flags.port);
  if (flags.workers > 1) {
    const { runCluster } = await import("../server/index.ts");
    const running = await runCluster(config, flags.workers, {
      onEvent: (event) => {
        if (event.type === "worker-exit" && event.restartInMs !== null) {
          io.stderr.write(
            `worker ${event.pid} exited (${event.signal ?? `code ${String(event.code)}`}); ` +
              `replacing it in ${event.restartInMs} ms\n`,
          );
        }
        if (event.type === "stopping") io.stderr.write("draining requests under way, then stopping\n");
      },
    });
    if (running.role === "primary") {
      io.stderr.write(
        `textkit serving ${flags.models} on ${running.url} with ${flags.workers} workers ` +
          `(docs: ${running.url}/docs; Ctrl-C or SIGTERM stops)\n`,
      );
    }
    return;
  }
  await serveUntilStopped(config, io);
}

/** Where and to whom `serve` answers: address, processes, keys and browsers. */
function addListenOptions(command: Command): void {
  command
    .option("--host <host>", "interface to listen on (0.0.0.0 for every interface)", SERVER_DEFAULTS.host)
    .option("--port <n>", "port (0 picks a free one)", parseInteger("--port", 0), SERVER_DEFAULTS.port)
    .addOption(
      new Option("--workers <n>", "processes that serve requests; 'auto' = one per core")
        .argParser(parseWorkers)
        .default(1),
    )
    .addOption(
      new Option("--auth <mode>", "auto: keys required once one exists; on: always; off: never")
        .choices(AUTH_MODES)
        .argParser(parseChoice("--auth", AUTH_MODES))
        .default(SERVER_DEFAULTS.auth),
    )
    .option(
      "--database <location>",
      "API key store: a SQLite file or postgres://... (default: <data-dir>/textkit.db)",
    )
    .option(
      "--data-dir <dir>",
      "directory of the default database (default: $TEXTKIT_DATA_DIR or ~/.textkit)",
    )
    .option("--cors <origins>", "comma-separated origins browsers may call from (default: none)");
}

/** What `serve` accepts of a request (rate, batch, text and body sizes) and what it logs and serves besides. */
function addLimitOptions(command: Command): void {
  command
    .option(
      "--rate-limit <n>",
      "requests per minute per API key (default: no limit)",
      parseInteger("--rate-limit", 1),
    )
    .option(
      "--rate-burst <n>",
      "requests a client may send at once (default: the rate limit)",
      parseInteger("--rate-burst", 1),
    )
    .option(
      "--max-batch <n>",
      "most texts in one predict request",
      parseInteger("--max-batch", 1),
      SERVER_DEFAULTS.maxBatch,
    )
    .option(
      "--max-text-chars <n>",
      "longest text accepted",
      parseInteger("--max-text-chars", 1),
      SERVER_DEFAULTS.maxTextChars,
    )
    .addOption(
      new Option("--text-overflow <mode>", "what to do with a longer text")
        .choices(TEXT_OVERFLOW_MODES)
        .argParser(parseChoice("--text-overflow", TEXT_OVERFLOW_MODES))
        .default(SERVER_DEFAULTS.textOverflow),
    )
    .option(
      "--body-limit <bytes>",
      "largest request body",
      parseInteger("--body-limit", 1),
      SERVER_DEFAULTS.bodyLimitBytes,
    )
    .addOption(
      new Option("--log-level <level>", "JSON log lines on stdout from this level up")
        .choices(LOG_LEVELS)
        .argParser(parseChoice("--log-level", LOG_LEVELS))
        .default("info"),
    )
    .option("--no-docs", "do not serve /openapi.json and /docs")
    .option(
      "--monitor <config.json>",
      "run the opinion monitor with this configuration ('textkit monitor --help'); its models are in --models",
    );
}

/**
 * Runs one server process until SIGTERM or SIGINT, then drains it. `announce` may add lines
 * after the address (the demo prints a curl command there).
 */
export async function serveUntilStopped(
  config: ServerConfig,
  io: CliIo,
  announce: (url: string) => string = () => "",
  onReady: (server: RunningServer) => Promise<(() => void) | undefined> = async () => undefined,
): Promise<void> {
  const { startServer } = await import("../server/index.ts");
  const server = await startServer(config);
  // Announce once the first scan of the models directory is over, so that a request sent
  // on seeing the line finds the models loaded.
  await server.whenReady();
  const stopExtras = await onReady(server);
  io.stderr.write(
    `textkit serving ${config.modelsDir} on ${server.url} (dashboard: ${server.url}/dashboard/, docs: ${server.url}/docs; Ctrl-C or SIGTERM stops)\n${announce(server.url)}`,
  );
  const signal = await nextStopSignal();
  io.stderr.write(`${signal}: draining requests under way, then stopping\n`);
  stopExtras?.();
  await server.close();
}

export function registerServe(program: Command, io: CliIo): void {
  const command = program
    .command("serve")
    .summary("serve trained models over HTTP")
    .description(
      "Serve every model in a directory over HTTP: predict, model list and manifests, admin routes, " +
        "/healthz, /readyz, /metrics (Prometheus), /openapi.json and /docs. A new version dropped " +
        "into the directory is checked and swapped in without dropping a request.\n\n" +
        "Keys: with --auth auto (the default) requests need a bearer key as soon as one exists " +
        "('textkit keys create'); admin routes always need the admin scope, or loopback when no key exists.",
    )
    .requiredOption("--models <dir>", "directory of models: DIR/<name>/ or DIR/<name>/<version>/");
  addListenOptions(command);
  addLimitOptions(command);
  command
    .addHelpText(
      "after",
      "\nExample:\n" +
        "  textkit serve --models models --port 8080 --workers auto\n" +
        "  textkit serve --models models --monitor monitor.json     # dashboard: http://127.0.0.1:8080/dashboard/\n" +
        "  curl -s localhost:8080/v1/models/intents/predict -H 'content-type: application/json' \\\n" +
        '       -H "authorization: Bearer $TOKEN" -d \'{"text": "what is my balance"}\'\n',
    )
    .action(async (flags: ServeFlags) => runServe(flags, io));
}
