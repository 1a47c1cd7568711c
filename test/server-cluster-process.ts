/**
 * Starts test/server-launcher.ts as a child process and follows its JSON event lines.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

export interface LauncherEvent {
  type: string;
  url?: string;
  pid?: number;
  pids?: number[];
  code?: number | null;
  signal?: string | null;
  restartInMs?: number | null;
}

export interface ClusterProcess {
  child: ChildProcess;
  url: string;
  pids: number[];
  events: LauncherEvent[];
  /** Resolves with the first event (already seen or to come) that matches. */
  waitFor(match: (e: LauncherEvent) => boolean, timeoutMs?: number): Promise<LauncherEvent>;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output(): string;
}

const launcher = fileURLToPath(new URL("./server-launcher.ts", import.meta.url));

export async function startCluster(modelsDir: string, workers: number): Promise<ClusterProcess> {
  const child = spawn(process.execPath, ["--import", "tsx", launcher], {
    env: { ...process.env, TEXTKIT_TEST_SERVER: JSON.stringify({ modelsDir, workers }) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const events: LauncherEvent[] = [];
  const waiters: { match: (e: LauncherEvent) => boolean; resolve: (e: LauncherEvent) => void }[] = [];
  let text = "";
  let buffered = "";
  child.stdout!.setEncoding("utf8");
  child.stdout!.on("data", (chunk: string) => {
    text += chunk;
    buffered += chunk;
    let newline = buffered.indexOf("\n");
    while (newline >= 0) {
      const line = buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      newline = buffered.indexOf("\n");
      let event: LauncherEvent;
      try {
        event = JSON.parse(line) as LauncherEvent;
      } catch {
        continue;
      }
      events.push(event);
      for (const w of [...waiters]) {
        if (w.match(event)) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(event);
        }
      }
    }
  });
  child.stderr!.setEncoding("utf8");
  child.stderr!.on("data", (chunk: string) => {
    text += chunk;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  const waitFor = (match: (e: LauncherEvent) => boolean, timeoutMs = 30_000): Promise<LauncherEvent> => {
    const seen = events.find(match);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no matching cluster event in ${timeoutMs} ms:\n${text}`)),
        timeoutMs,
      );
      waiters.push({
        match,
        resolve: (e) => {
          clearTimeout(timer);
          resolve(e);
        },
      });
      void exited.then(() => {
        clearTimeout(timer);
        reject(new Error(`the cluster exited before the event:\n${text}`));
      });
    });
  };
  let started: LauncherEvent;
  try {
    started = await waitFor((e) => e.type === "started", 60_000);
  } catch (error) {
    // A cluster that did not start in time would outlive the test and keep its runner waiting.
    child.kill("SIGKILL");
    throw error;
  }
  return {
    child,
    url: started.url!,
    pids: started.pids!,
    events,
    waitFor,
    exited,
    output: () => text,
  };
}

/**
 * A predict call that retries on a connection error or a timeout (never on an HTTP status):
 * a connection that a worker had accepted when it was killed is reset.
 */
export async function predictWithRetry(
  url: string,
  body: unknown,
  timeoutMs = 3000,
  attempts = 3,
): Promise<{ status: number; retried: boolean; error?: string }> {
  const once = async (): Promise<number> => {
    const res = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    await res.arrayBuffer();
    return res.status;
  };
  // A client of a cluster whose worker was just killed sees a reset on the connections that
  // worker held. (Under node:cluster's round-robin policy a connection the primary handed
  // to the dying worker was, rarely, never answered at all; the cluster uses SCHED_NONE,
  // and test/server-cluster-drain.test.ts holds it to no hang.) A client with a retry, as
  // production clients have, gets its answer.
  const errors: string[] = [];
  for (let i = 0; i < attempts; i++) {
    try {
      return { status: await once(), retried: i > 0 };
    } catch (error) {
      errors.push(describe(error));
    }
  }
  return { status: 0, retried: true, error: errors.join("; then ") };
}

function describe(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown } }).cause;
  return `${String(error)}${cause?.code === undefined ? "" : ` (${String(cause.code)})`}`;
}
