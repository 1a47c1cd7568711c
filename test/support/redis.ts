/**
 * A real, throw-away Redis server for the stream consumer's tests: `redis-server` on a free
 * loopback port, without persistence, in a temporary directory that is removed afterwards.
 * When redis-server is not installed the tests are skipped, with a message, unless
 * TEXTKIT_REQUIRE_REDIS=1 (CI), where they fail.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { freePort } from "./free-port.ts";

const INSTALL_HINT = "apt-get install -y --no-install-recommends redis-server";
const START_TIMEOUT_MS = 10_000;

/**
 * The redis-server program: $TEXTKIT_REDIS_SERVER, else /usr/bin/redis-server, else on PATH.
 *
 * @example
 * findRedisServer(); // "/usr/bin/redis-server", or null
 */
export function findRedisServer(env: NodeJS.ProcessEnv = process.env): string | null {
  const override = env["TEXTKIT_REDIS_SERVER"];
  if (override !== undefined && override !== "") return existsSync(override) ? override : null;
  const dirs = ["/usr/bin", ...(env["PATH"] ?? "").split(delimiter).filter((d) => d !== "")];
  for (const dir of dirs) {
    const path = join(dir, "redis-server");
    if (existsSync(path)) return path;
  }
  return null;
}

/**
 * Why the Redis tests are skipped (redis-server missing), or false. With
 * TEXTKIT_REQUIRE_REDIS=1 it is always false, and `startRedis` then fails with the hint.
 *
 * @example
 * describe("stream consumer", { skip: redisSkip() }, () => { ... });
 */
export function redisSkip(env: NodeJS.ProcessEnv = process.env): string | false {
  if (env["TEXTKIT_REQUIRE_REDIS"] === "1" || findRedisServer(env) !== null) return false;
  return `redis-server is not installed; ${INSTALL_HINT} to run these tests`;
}

export interface RedisServer {
  /** redis://127.0.0.1:<port> */
  readonly url: string;
  readonly port: number;
  /** Kills the server at once (SIGKILL), as a crash would; `restart` brings it back, empty, on the same port. */
  crash(): Promise<void>;
  restart(): Promise<void>;
  /** Stops the server and removes its directory. Safe to call twice. */
  stop(): Promise<void>;
}

/** True when a server on `port` answers PING with PONG. */
function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    let answer = "";
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once("error", () => done(false));
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.on("data", (chunk: Buffer) => {
      answer += chunk.toString("utf8");
      if (answer.includes("\r\n")) done(answer.startsWith("+PONG"));
    });
  });
}

/**
 * Starts redis-server on a free loopback port and waits until it answers PING.
 *
 * @example
 * const redis = await startRedis();
 * const consumer = new RedisStreamConsumer({ config: { ...config, url: redis.url }, sink });
 * await redis.stop();
 */
export async function startRedis(env: NodeJS.ProcessEnv = process.env): Promise<RedisServer> {
  const program = findRedisServer(env);
  if (program === null) {
    throw new Error(
      `TEXTKIT_REQUIRE_REDIS=1 but redis-server is not installed (not in /usr/bin or on PATH; set TEXTKIT_REDIS_SERVER to it); ${INSTALL_HINT}`,
    );
  }
  const dir = mkdtempSync(join(tmpdir(), "textkit-redis-"));
  const port = await freePort();
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let log = "";
  let stopped = false;

  // Should the test process end without stop(), the server must not outlive it.
  const killOnExit = (): void => {
    child?.kill("SIGKILL");
  };
  process.once("exit", killOnExit);

  const launch = async (): Promise<void> => {
    log = "";
    const proc = spawn(
      program,
      ["--save", "", "--appendonly", "no", "--port", String(port), "--bind", "127.0.0.1", "--dir", dir],
      { cwd: dir, stdio: ["ignore", "pipe", "pipe"] },
    );
    child = proc;
    let gone = false;
    exited = new Promise<void>((resolve) => proc.once("exit", () => resolve())).then(() => {
      gone = true;
    });
    const collect = (chunk: Buffer): void => {
      log += chunk.toString("utf8");
    };
    proc.stdout?.on("data", collect);
    proc.stderr?.on("data", collect);
    const deadline = Date.now() + START_TIMEOUT_MS;
    for (;;) {
      if (gone) throw new Error(`redis-server exited while starting:\n${log}`);
      if (await ping(port)) return;
      if (Date.now() > deadline) {
        proc.kill("SIGKILL");
        throw new Error(`redis-server did not answer PING within ${START_TIMEOUT_MS} ms:\n${log}`);
      }
      await sleep(50);
    }
  };

  const kill = async (signal: NodeJS.Signals): Promise<void> => {
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    child.kill(signal);
    const timer = setTimeout(() => child?.kill("SIGKILL"), 5000);
    await exited;
    clearTimeout(timer);
  };

  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    process.removeListener("exit", killOnExit);
    await kill("SIGTERM");
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    await launch();
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    crash: () => kill("SIGKILL"),
    restart: async () => {
      await kill("SIGKILL");
      await launch();
    },
    stop,
  };
}
