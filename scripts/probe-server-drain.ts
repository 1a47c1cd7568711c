/**
 * Probe of `textkit serve --workers 2` under stop and crash, on loopback only:
 *   node --import tsx scripts/probe-server-drain.ts            # drain and crash figures
 *   node --import tsx scripts/probe-server-drain.ts --bench    # SCHED_RR against SCHED_NONE
 *
 * Drain: requests are under way on established connections (16 looping keep-alive clients,
 * plus 16 connections holding half a request head and 16 holding half a body) when the
 * primary gets SIGTERM (then again with SIGTERM sent to the whole process group, as
 * Ctrl-C or systemd do). Every one of those was accepted, so every one must end 200.
 *
 * Crash: 16 clients open a new connection per request (5 s timeout, no retry) while one
 * worker, then the other, is killed with SIGKILL. A request on a connection the dead worker
 * held may be reset; none may hang until its timeout.
 *
 * Bench: the same 2-worker server under each scheduling policy (NODE_CLUSTER_SCHED_POLICY),
 * keep-alive and one-connection-per-request loads for a few seconds each: requests per
 * second, latency, and how the CPU time was shared between the workers.
 *
 * Environment: PROBE_ROUNDS (default 1), PROBE_ONLY=primary|group|crash, PROBE_SETTLE_MS
 * (pause between opening the half requests and the signal, default 300), PROBE_VERBOSE=1
 * (the server's output and the listener's accept queue), PROBE_BENCH_MS, PROBE_POLICIES
 * (bench order, default rr,none; repeat them to see the noise of a shared machine).
 *
 * Everything is bounded (counts and timeouts) and stops by itself; the server is killed if
 * it outlives the probe.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { Agent, request as httpRequest } from "node:http";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { Random } from "../src/core/random.ts";
import { datasetFromExamples } from "../src/data/index.ts";
import { trainClassifier } from "../src/models/classifier/index.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const CLIENTS = 16;
const TIMEOUT_MS = 5000;
const WORDS: Record<string, string[]> = {
  sport: ["match", "goal", "team", "coach", "league", "score"],
  money: ["bank", "loan", "rate", "stock", "price", "market"],
  weather: ["rain", "sunny", "storm", "cloud", "wind", "snow"],
};

async function trainModel(modelsDir: string): Promise<void> {
  const rng = new Random(7);
  const labels = Object.keys(WORDS);
  const examples = Array.from({ length: 300 }, (_, i) => {
    const label = labels[i % 3]!;
    const text = Array.from({ length: 8 }, () => WORDS[label]![rng.int(6)]!).join(" ");
    return { text, labels: [label], line: i + 1 };
  });
  const model = await trainClassifier(
    { train: datasetFromExamples("probe", examples) },
    { dim: 16, epochs: 4, lr: 0.5, buckets: 10_000, seed: 1 },
  );
  await model.save(join(modelsDir, "topics", "v1"));
}

interface Server {
  child: ChildProcess;
  port: number;
  exited: Promise<{ code: number | null; signal: string | null }>;
  output(): string;
}

async function startServer(modelsDir: string, env: NodeJS.ProcessEnv = {}): Promise<Server> {
  const child = spawn(
    process.execPath,
    [
      join(ROOT, "bin", "textkit.js"),
      "serve",
      "--models",
      modelsDir,
      "--port",
      "0",
      "--workers",
      "2",
      "--auth",
      "off",
      "--log-level",
      "error",
    ],
    // Its own process group, so that the probe can signal the group as a terminal does.
    { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"], detached: true },
  );
  let text = "";
  child.stdout!.on("data", (c: Buffer) => {
    text += c.toString();
  });
  child.stderr!.on("data", (c: Buffer) => {
    text += c.toString();
  });
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  for (const until = Date.now() + 60_000; Date.now() < until; await sleep(100)) {
    const m = /on http:\/\/127\.0\.0\.1:(\d+)/.exec(text);
    if (m !== null) return { child, port: Number(m[1]), exited, output: () => text };
    if (child.exitCode !== null) break;
  }
  child.kill("SIGKILL");
  throw new Error(`the server did not start:\n${text}`);
}

/** Pids of the primary's children (the workers), from /proc. */
function workerPids(primary: number): number[] {
  try {
    return readFileSync(`/proc/${primary}/task/${primary}/children`, "utf8")
      .trim()
      .split(/\s+/)
      .filter((s) => s !== "")
      .map(Number);
  } catch {
    return [];
  }
}

/** utime + stime of a process in clock ticks. */
function cpuTicks(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0;
  }
}

type Outcome = "ok" | "503" | "other-status" | "reset" | "refused" | "hung" | "error";

const BODY = JSON.stringify({
  inputs: Array.from({ length: 16 }, (_, i) => `the coach saw rain and a bank loan ${i}`),
});

function post(port: number, agent: Agent | false): Promise<Outcome> {
  return new Promise((resolve) => {
    const req = httpRequest(
      {
        host: "127.0.0.1",
        port,
        method: "POST",
        path: "/v1/models/topics/predict",
        agent,
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(BODY) },
      },
      (res) => {
        res.resume();
        res.on("end", () =>
          resolve(res.statusCode === 200 ? "ok" : res.statusCode === 503 ? "503" : "other-status"),
        );
        res.on("error", () => resolve("reset"));
      },
    );
    req.setTimeout(TIMEOUT_MS, () => {
      req.destroy(new Error("timeout"));
    });
    req.on("error", (error: NodeJS.ErrnoException) => {
      if (error.message === "timeout") resolve("hung");
      else if (error.code === "ECONNREFUSED") resolve("refused");
      else if (error.code === "ECONNRESET" || error.code === "EPIPE" || /hang up/.test(error.message))
        resolve("reset");
      else resolve("error");
    });
    req.end(BODY);
  });
}

function tally(outcomes: Outcome[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const o of outcomes) out[o] = (out[o] ?? 0) + 1;
  return out;
}

/** A raw connection that has sent `sent` and will send `rest` when told; resolves with its status. */
function halfRequest(
  port: number,
  split: "head" | "body",
): Promise<{ finish(): void; status: Promise<Outcome> }> {
  const head =
    "POST /v1/models/topics/predict HTTP/1.1\r\nHost: 127.0.0.1\r\n" +
    `content-type: application/json\r\ncontent-length: ${Buffer.byteLength(BODY)}\r\n\r\n`;
  const whole = head + BODY;
  const cut = split === "head" ? Math.floor(head.length / 2) : head.length + Math.floor(BODY.length / 2);
  return new Promise((resolveReady, rejectReady) => {
    const socket: Socket = connect(port, "127.0.0.1");
    let data = "";
    const status = new Promise<Outcome>((resolve) => {
      const timer = setTimeout(() => {
        socket.destroy();
        resolve("hung");
      }, TIMEOUT_MS * 2);
      socket.on("data", (c: Buffer) => {
        data += c.toString();
      });
      socket.on("error", (error: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        resolve(error.code === "ECONNREFUSED" ? "refused" : "reset");
      });
      socket.on("close", () => {
        clearTimeout(timer);
        const m = /^HTTP\/1\.1 (\d+)/.exec(data);
        resolve(m === null ? "reset" : m[1] === "200" ? "ok" : m[1] === "503" ? "503" : "other-status");
      });
    });
    socket.once("connect", () => {
      socket.write(whole.slice(0, cut));
      resolveReady({ finish: () => socket.end(whole.slice(cut)), status });
    });
    socket.once("error", rejectReady);
  });
}

async function drainRound(modelsDir: string, target: "primary" | "group"): Promise<void> {
  const server = await startServer(modelsDir);
  const agent = new Agent({ keepAlive: true, maxSockets: CLIENTS });
  let signalledAt = Number.POSITIVE_INFINITY;
  // The requests of the looping clients that are under way at the moment of the signal.
  const pending = new Set<Promise<Outcome>>();
  let stop = false;
  const loopers = Array.from({ length: CLIENTS }, async () => {
    while (!stop && performance.now() < signalledAt) {
      const outcome = post(server.port, agent);
      pending.add(outcome);
      await outcome;
      pending.delete(outcome);
    }
  });
  await sleep(1000);
  const halves = [
    ...(await Promise.all(Array.from({ length: CLIENTS }, () => halfRequest(server.port, "head")))),
    ...(await Promise.all(Array.from({ length: CLIENTS }, () => halfRequest(server.port, "body")))),
  ];
  // Long enough for the primary to hand every connection to a worker.
  await sleep(Number(process.env["PROBE_SETTLE_MS"] ?? 300));
  signalledAt = performance.now();
  const inFlight = [...pending];
  process.kill(target === "group" ? -server.child.pid! : server.child.pid!, "SIGTERM");
  if (process.env["PROBE_VERBOSE"] === "1") {
    // Recv-Q of the listener: connections the kernel completed that no worker accepted yet.
    console.log(execFileSync("ss", ["-ltn", `sport = :${server.port}`], { encoding: "utf8" }));
  }
  await sleep(300);
  for (const h of halves) h.finish();
  stop = true;
  const halfOutcomes = await Promise.all(halves.map((h) => h.status));
  await Promise.all(loopers);
  const loopOutcomes = await Promise.all(inFlight);
  const kill = setTimeout(() => server.child.kill("SIGKILL"), 40_000);
  const exit = await server.exited;
  clearTimeout(kill);
  agent.destroy();
  const lost = [...halfOutcomes, ...loopOutcomes].filter((o) => o !== "ok").length;
  console.log(
    JSON.stringify({
      probe: "drain",
      sigterm: target,
      halfHead: tally(halfOutcomes.slice(0, CLIENTS)),
      halfBody: tally(halfOutcomes.slice(CLIENTS)),
      loopersInFlight: tally(loopOutcomes),
      lost,
      of: halfOutcomes.length + loopOutcomes.length,
      exit,
      exitMs: Math.round(performance.now() - signalledAt),
    }),
  );
  if (process.env["PROBE_VERBOSE"] === "1") console.log(server.output());
}

async function crashRound(modelsDir: string): Promise<void> {
  const server = await startServer(modelsDir);
  const outcomes: Outcome[] = [];
  let stop = false;
  const loopers = Array.from({ length: CLIENTS }, async () => {
    while (!stop) outcomes.push(await post(server.port, false));
  });
  const kills: number[] = [];
  await sleep(1500);
  for (let k = 0; k < 2; k++) {
    const victim = workerPids(server.child.pid!)[k === 0 ? 0 : 1];
    if (victim !== undefined) {
      process.kill(victim, "SIGKILL");
      kills.push(victim);
    }
    await sleep(2000);
  }
  stop = true;
  await Promise.all(loopers);
  process.kill(server.child.pid!, "SIGTERM");
  const kill = setTimeout(() => server.child.kill("SIGKILL"), 40_000);
  const exit = await server.exited;
  clearTimeout(kill);
  console.log(
    JSON.stringify({
      probe: "sigkill-worker",
      killed: kills.length,
      requests: outcomes.length,
      outcomes: tally(outcomes),
      hung: outcomes.filter((o) => o === "hung").length,
      failed: outcomes.filter((o) => o !== "ok").length,
      exit,
    }),
  );
}

async function load(port: number, agent: Agent | false, ms: number): Promise<Record<string, number>> {
  const latencies: number[] = [];
  const outcomes: Outcome[] = [];
  const until = performance.now() + ms;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (performance.now() < until) {
        const start = performance.now();
        outcomes.push(await post(port, agent));
        latencies.push(performance.now() - start);
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number): number => Math.round(latencies[Math.floor(q * (latencies.length - 1))]! * 10) / 10;
  return {
    rps: Math.round(outcomes.length / seconds),
    p50ms: at(0.5),
    p99ms: at(0.99),
    failed: outcomes.filter((o) => o !== "ok").length,
  };
}

async function bench(modelsDir: string): Promise<void> {
  const ms = Number(process.env["PROBE_BENCH_MS"] ?? 4000);
  for (const policy of (process.env["PROBE_POLICIES"] ?? "rr,none").split(",")) {
    const server = await startServer(modelsDir, { NODE_CLUSTER_SCHED_POLICY: policy });
    const pids = workerPids(server.child.pid!);
    await load(server.port, new Agent({ keepAlive: true, maxSockets: CLIENTS }), 500);
    for (const mode of ["keep-alive", "new-connection"] as const) {
      const before = pids.map(cpuTicks);
      const agent = mode === "keep-alive" ? new Agent({ keepAlive: true, maxSockets: CLIENTS }) : false;
      const result = await load(server.port, agent, ms);
      if (agent !== false) agent.destroy();
      const used = pids.map((pid, i) => cpuTicks(pid) - before[i]!);
      const total = used.reduce((a, b) => a + b, 0);
      console.log(
        JSON.stringify({
          probe: "bench",
          policy,
          mode,
          ...result,
          workerCpuShare: used.map((u) => (total === 0 ? 0 : Math.round((100 * u) / total))),
        }),
      );
    }
    process.kill(server.child.pid!, "SIGTERM");
    const kill = setTimeout(() => server.child.kill("SIGKILL"), 40_000);
    await server.exited;
    clearTimeout(kill);
  }
}

const dir = mkdtempSync(join(tmpdir(), "textkit-probe-"));
try {
  const modelsDir = join(dir, "models");
  await trainModel(modelsDir);
  if (process.argv.includes("--bench")) {
    await bench(modelsDir);
  } else {
    const rounds = Number(process.env["PROBE_ROUNDS"] ?? 1);
    for (let r = 0; r < rounds; r++) {
      const only = process.env["PROBE_ONLY"];
      if (only === undefined || only === "primary") await drainRound(modelsDir, "primary");
      if (only === undefined || only === "group") await drainRound(modelsDir, "group");
      if (only === undefined || only === "crash") await crashRound(modelsDir);
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
