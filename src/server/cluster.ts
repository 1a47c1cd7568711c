/**
 * `--workers N`: one primary process that only supervises, and N workers that each run a
 * full server on the same port.
 *
 * The workers accept connections themselves from the one listening socket (SCHED_NONE), not
 * through the primary (node:cluster's default round-robin on Linux). Under round-robin the
 * primary accepts a connection and passes it to a worker; if that worker dies before it
 * acknowledges, the primary keeps the socket open and the client waits for an answer that
 * never comes. With SCHED_NONE a connection no worker has taken stays in the kernel's queue
 * for the next worker that calls accept(), and one a killed worker had taken is reset by
 * the kernel, which a client sees at once. scripts/probe-server-drain.ts measures both
 * policies; NODE_CLUSTER_SCHED_POLICY=rr still selects round-robin.
 *
 * On SIGTERM the primary asks every worker to drain: a worker closes its listener, answers
 * every request it has accepted (those that arrive on its open connections meanwhile too,
 * with `Connection: close`), closes idle keep-alive connections and exits; one that takes
 * longer than the grace period is killed.
 *
 * Workers hold no state a request depends on beyond the model files every one of them
 * loads itself, so any worker can answer any request. What is per worker: rate-limit
 * counters (a client gets up to N times its limit across the workers; put a shared
 * limiter in front for exact global limits) and a reload triggered through the admin
 * route (the others pick up the same files through their own watch within seconds; an
 * activation is written to disk, so all follow it). GET /metrics aggregates all workers.
 */
import cluster, { type Worker } from "node:cluster";
import { stat } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { AggregatorRegistry, type PrometheusContentType } from "prom-client";
import { TextkitError } from "../core/index.ts";
import { resolveServerConfig, type ServerConfig } from "./config.ts";
import { type RunningServer, startServer, urlHost } from "./start.ts";

export type ClusterEvent =
  | { type: "listening"; pid: number; url: string }
  | {
      type: "worker-exit";
      pid: number;
      code: number | null;
      signal: string | null;
      restartInMs: number | null;
    }
  | { type: "stopping" }
  | { type: "stopped" };

export interface ClusterOptions {
  /** Hear what the primary does (workers listening, exiting, being replaced). */
  onEvent?(event: ClusterEvent): void;
  /** How long a worker may take to drain before it is killed (default 30 s). */
  drainTimeoutMs?: number;
  /** Stop on SIGTERM and SIGINT, then exit the process with 0 (default true). */
  handleSignals?: boolean;
}

export interface RunningCluster {
  role: "primary" | "worker";
  /** Where the workers listen. */
  url: string;
  /** Process ids of the live workers (the primary's view; a worker sees only itself). */
  workerPids(): number[];
  /** Drains every worker and waits for them to exit. */
  close(): Promise<void>;
}

const SHUTDOWN = "textkit:shutdown";
const METRICS_REQUEST = "textkit:metrics-request";
const METRICS_RESPONSE = "textkit:metrics-response";
/** Crashes counted for the backoff are those within this window. */
const CRASH_WINDOW_MS = 60_000;
const MAX_BACKOFF_MS = 30_000;

interface Message {
  type?: unknown;
  id?: unknown;
  text?: unknown;
  error?: unknown;
}

function asMessage(value: unknown): Message {
  return value !== null && typeof value === "object" ? (value as Message) : {};
}

/** Delay before replacing a worker after `recent` crashes in the last minute: 0, 0.5 s, 1 s, 2 s... 30 s. */
export function restartDelayMs(recent: number): number {
  if (recent <= 1) return 0;
  return Math.min(MAX_BACKOFF_MS, 500 * 2 ** (recent - 2));
}

/**
 * Runs the server on `workers` processes. Call it from the program's entry point: in the
 * primary it forks the workers (which run the same entry point, so they call it too) and
 * resolves once all listen; in a worker it starts the server.
 *
 * @example
 * // bin entry point, run as the primary and as each worker
 * const running = await runCluster({ modelsDir: "models", port: 8080 }, 4);
 * if (running.role === "primary") console.log(`listening on ${running.url}`);
 */
export async function runCluster(
  config: ServerConfig,
  workers: number = availableParallelism(),
  options: ClusterOptions = {},
): Promise<RunningCluster> {
  if (cluster.isPrimary) return runPrimary(config, workers, options);
  return runWorker(config, options);
}

interface PrimaryState {
  /** Set once stopping began; workers that exit then are not replaced. */
  stopping: Promise<void> | null;
  /** Where the workers listen, known once the first one does. */
  url: string;
}

type Emit = (event: ClusterEvent) => void;

async function runPrimary(
  config: ServerConfig,
  workers: number,
  options: ClusterOptions,
): Promise<RunningCluster> {
  const resolved = resolveServerConfig(config);
  await checkPrimary(resolved.modelsDir, workers);
  // Before the first fork: node:cluster freezes the policy then. An explicit environment
  // setting (NODE_CLUSTER_SCHED_POLICY=rr) is the operator's choice and stays.
  if (process.env["NODE_CLUSTER_SCHED_POLICY"] === undefined) cluster.schedulingPolicy = cluster.SCHED_NONE;
  const emit: Emit = (event) => options.onEvent?.(event);
  const drainTimeoutMs = options.drainTimeoutMs ?? 30_000;
  const state: PrimaryState = { stopping: null, url: "" };
  const stop = (): Promise<void> => {
    if (state.stopping === null) state.stopping = stopWorkers(emit, drainTimeoutMs);
    return state.stopping;
  };
  const started = superviseWorkers(resolved.host, workers, { emit, state, stop });
  answerMetricsRequests(new AggregatorRegistry());
  if (options.handleSignals !== false) {
    const onSignal = (): void => {
      void stop().then(() => process.exit(0));
    };
    process.once("SIGTERM", onSignal);
    process.once("SIGINT", onSignal);
  }
  for (let i = 0; i < workers; i++) cluster.fork();
  await started;
  return {
    role: "primary",
    url: state.url,
    workerPids: () => liveWorkers().map((w) => w.process.pid ?? 0),
    close: stop,
  };
}

/** Fails here, once, rather than in every worker and again in each replacement. */
async function checkPrimary(modelsDir: string, workers: number): Promise<void> {
  if (!Number.isInteger(workers) || workers < 1)
    throw new TextkitError("OPTION_INVALID", `workers must be an integer >= 1, got ${String(workers)}`);
  const isDir = await stat(modelsDir).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!isDir) {
    throw new TextkitError("MODELS_DIR_NOT_FOUND", `models directory ${modelsDir} does not exist`, {
      file: modelsDir,
    });
  }
}

/**
 * Follows the workers: resolves once `workers` of them listen, replaces one that crashes
 * (after `restartDelayMs` of the crashes in the last minute), and rejects (stopping the rest)
 * when one exits before any worker ever listened.
 */
function superviseWorkers(
  host: string,
  workers: number,
  primary: { emit: Emit; state: PrimaryState; stop(): Promise<void> },
): Promise<void> {
  const { emit, state } = primary;
  const crashes: number[] = [];
  let everListened = false;
  return new Promise<void>((resolve, reject) => {
    const listening = new Set<number>();
    cluster.on("listening", (worker, address) => {
      everListened = true;
      state.url = `http://${urlHost(host)}:${address.port}`;
      emit({ type: "listening", pid: worker.process.pid ?? 0, url: state.url });
      listening.add(worker.id);
      if (listening.size >= workers) resolve();
    });
    cluster.on("exit", (worker, code, signal) => {
      const pid = worker.process.pid ?? 0;
      if (state.stopping !== null || !everListened) {
        emit({ type: "worker-exit", pid, code, signal, restartInMs: null });
      }
      if (state.stopping !== null) return;
      if (!everListened) {
        // A worker that cannot even start (bad config, port taken) would only crash again.
        reject(
          new TextkitError(
            "INTERNAL",
            `a server worker exited (code ${String(code)}, signal ${String(signal)}) before listening; its error is in the log above`,
          ),
        );
        void primary.stop();
        return;
      }
      const now = Date.now();
      crashes.push(now);
      while ((crashes[0] ?? now) < now - CRASH_WINDOW_MS) crashes.shift();
      const delay = restartDelayMs(crashes.length);
      emit({ type: "worker-exit", pid, code, signal, restartInMs: delay });
      setTimeout(() => {
        if (state.stopping === null) cluster.fork();
      }, delay).unref();
    });
  });
}

/** Answers a worker's request for the metrics of all workers (for its GET /metrics). */
function answerMetricsRequests(aggregator: AggregatorRegistry<PrometheusContentType>): void {
  cluster.on("message", (worker: Worker, raw: unknown) => {
    const message = asMessage(raw);
    if (message.type !== METRICS_REQUEST) return;
    aggregator.clusterMetrics().then(
      (text) => worker.isConnected() && worker.send({ type: METRICS_RESPONSE, id: message.id, text }),
      (error: unknown) =>
        worker.isConnected() && worker.send({ type: METRICS_RESPONSE, id: message.id, error: String(error) }),
    );
  });
}

function liveWorkers(): Worker[] {
  return Object.values(cluster.workers ?? {}).filter((w): w is Worker => w !== undefined);
}

/** Asks every worker to drain, kills one still alive after `drainTimeoutMs`, waits for all. */
async function stopWorkers(emit: Emit, drainTimeoutMs: number): Promise<void> {
  emit({ type: "stopping" });
  const exits = liveWorkers().map(
    (worker) =>
      new Promise<void>((resolve) => {
        if (worker.isDead()) {
          resolve();
          return;
        }
        worker.once("exit", () => resolve());
        if (worker.isConnected()) worker.send({ type: SHUTDOWN });
        else worker.kill("SIGTERM");
        setTimeout(() => {
          if (!worker.isDead()) worker.process.kill("SIGKILL");
        }, drainTimeoutMs).unref();
      }),
  );
  await Promise.all(exits);
  emit({ type: "stopped" });
}

async function runWorker(config: ServerConfig, options: ClusterOptions): Promise<RunningCluster> {
  const metrics = metricsFromPrimary();
  const server = await startWorkerServer(config, metrics.clusterMetrics);
  // The primary collects each worker's registry when asked (prom-client's own IPC protocol).
  new AggregatorRegistry();
  AggregatorRegistry.setRegistries([server.app.textkit.metrics.registry]);
  const drain = drainOnce(server, options.drainTimeoutMs ?? 30_000);
  const drainAndExit = (): void => {
    drain().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on("message", (raw: unknown) => {
    const message = asMessage(raw);
    if (message.type === SHUTDOWN) drainAndExit();
    else if (message.type === METRICS_RESPONSE) metrics.receive(message);
  });
  // The primary is gone: nobody would replace or stop this worker any more.
  process.once("disconnect", drainAndExit);
  if (options.handleSignals !== false) {
    process.once("SIGTERM", drainAndExit);
    process.once("SIGINT", drainAndExit);
  }
  return {
    role: "worker",
    url: server.url,
    workerPids: () => [process.pid],
    close: drain,
  };
}

/** Starts this worker's server; a worker that cannot start says why and exits with 1. */
async function startWorkerServer(
  config: ServerConfig,
  clusterMetrics: () => Promise<string>,
): Promise<RunningServer> {
  try {
    return await startServer(config, { clusterMetrics, listenWhenReady: true });
  } catch (error) {
    process.stderr.write(
      `${error instanceof TextkitError ? error.describe() : error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  }
}

/**
 * The worker's side of the metrics exchange: `clusterMetrics()` asks the primary for every
 * worker's metrics (failing after 5 s), `receive` hands it an answer.
 */
function metricsFromPrimary(): { clusterMetrics(): Promise<string>; receive(message: Message): void } {
  const pending = new Map<number, { resolve(text: string): void; reject(error: Error): void }>();
  let nextId = 0;
  const clusterMetrics = (): Promise<string> =>
    new Promise<string>((resolve, reject) => {
      const id = nextId++;
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error("the cluster primary did not send metrics in time"));
      }, 5000);
      pending.set(id, {
        resolve: (text) => {
          clearTimeout(timer);
          resolve(text);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      process.send?.({ type: METRICS_REQUEST, id });
    });
  const receive = (message: Message): void => {
    if (typeof message.id !== "number") return;
    const waiter = pending.get(message.id);
    if (waiter === undefined) return;
    pending.delete(message.id);
    if (typeof message.text === "string") waiter.resolve(message.text);
    else waiter.reject(new Error(String(message.error)));
  };
  return { clusterMetrics, receive };
}

/** Closes `server` once however often it is called; exits with 1 if that takes over `timeoutMs`. */
function drainOnce(server: RunningServer, timeoutMs: number): () => Promise<void> {
  let draining: Promise<void> | null = null;
  return () => {
    if (draining !== null) return draining;
    draining = (async () => {
      const timer = setTimeout(() => process.exit(1), timeoutMs);
      timer.unref();
      try {
        await server.close();
      } finally {
        clearTimeout(timer);
      }
    })();
    return draining;
  };
}
