/**
 * What a 2-worker cluster does with connections it has accepted when a worker dies or the
 * cluster is stopped (issue 15, item 7), on loopback with raw sockets so that the test
 * decides exactly when each byte of a request is sent.
 */
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { type ClusterProcess, startCluster } from "./server-cluster-process.ts";
import { tempDir, trainTopicModel } from "./server-helpers.ts";

const root = tempDir("server-cluster-drain");
const modelsDir = join(root.path, "models");
const clusters: ClusterProcess[] = [];
/** Long enough for a healthy server on a busy machine; a connection nobody serves never ends. */
const ANSWER_WITHIN_MS = 15_000;

before(async () => {
  mkdirSync(modelsDir, { recursive: true });
  await (await trainTopicModel(1)).save(join(modelsDir, "topics", "v1"));
});

after(() => {
  for (const c of clusters) {
    for (const pid of c.pids) signal(pid, "SIGCONT");
    if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill("SIGKILL");
  }
  root.remove();
});

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // Already gone.
  }
}

async function start(): Promise<ClusterProcess> {
  const c = await startCluster(modelsDir, 2);
  clusters.push(c);
  return c;
}

function portOf(url: string): number {
  return Number(new URL(url).port);
}

function predictRequest(text: string, connection: "keep-alive" | "close"): string {
  const body = JSON.stringify({ text });
  return (
    "POST /v1/models/topics/predict HTTP/1.1\r\nHost: 127.0.0.1\r\n" +
    `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
    `Connection: ${connection}\r\n\r\n${body}`
  );
}

/** A raw loopback connection: what it has received, and whether the server ended it. */
interface RawConnection {
  socket: Socket;
  received(): string;
  /** Resolves with everything received once the server closes or resets the connection. */
  ended: Promise<{ text: string; error: string | null }>;
}

async function open(port: number): Promise<RawConnection> {
  const socket = connect(port, "127.0.0.1");
  let text = "";
  socket.setEncoding("utf8");
  socket.on("data", (chunk: string) => {
    text += chunk;
  });
  const ended = new Promise<{ text: string; error: string | null }>((resolve) => {
    let error: string | null = null;
    socket.on("error", (e: NodeJS.ErrnoException) => {
      error = e.code ?? e.message;
    });
    socket.on("close", () => resolve({ text, error }));
  });
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("error", reject);
  });
  return { socket, received: () => text, ended };
}

/** The connection's outcome, or "no answer" once the bound has passed (the socket is closed then). */
async function outcome(conn: RawConnection): Promise<{ text: string; error: string | null } | "no answer"> {
  const timer = sleep(ANSWER_WITHIN_MS, "no answer" as const);
  const result = await Promise.race([conn.ended, timer]);
  if (result === "no answer") conn.socket.destroy();
  return result;
}

async function untilReceived(conn: RawConnection, pattern: RegExp): Promise<void> {
  for (const until = Date.now() + ANSWER_WITHIN_MS; Date.now() < until; await sleep(20)) {
    if (pattern.test(conn.received())) return;
  }
  assert.fail(`no ${pattern} in: ${conn.received()}`);
}

function statusLines(text: string): string[] {
  return text.match(/HTTP\/1\.1 \d{3}/g) ?? [];
}

describe("cluster: accepted connections", () => {
  it("answers connections that were waiting when a worker was killed; none hangs", async () => {
    const c = await start();
    const [victim, survivor] = c.pids as [number, number];
    // Frozen workers accept nothing: both connections wait, as they would for a busy cluster.
    signal(victim, "SIGSTOP");
    signal(survivor, "SIGSTOP");
    let results: Awaited<ReturnType<typeof outcome>>[];
    try {
      const conns = [await open(portOf(c.url)), await open(portOf(c.url))];
      for (const [i, conn] of conns.entries()) conn.socket.write(predictRequest(`goal ${i}`, "close"));
      // Time for a primary that accepts on the workers' behalf to hand the connections over.
      await sleep(500);
      signal(victim, "SIGKILL");
      signal(survivor, "SIGCONT");
      results = await Promise.all(conns.map(outcome));
    } finally {
      signal(survivor, "SIGCONT");
    }
    for (const [i, result] of results.entries()) {
      assert.notEqual(result, "no answer", `connection ${i} was never answered nor closed`);
      if (result === "no answer") continue;
      assert.deepEqual(statusLines(result.text), ["HTTP/1.1 200"], `connection ${i}: ${result.text}`);
    }
    await c.waitFor((e) => e.type === "worker-exit" && e.pid === victim);
  });

  it("on SIGTERM answers a request still arriving on an accepted connection, then exits 0", async () => {
    const c = await start();
    const port = portOf(c.url);
    // Two accepted keep-alive connections (each answered once), then half of a second request
    // on each: one cut inside its head, one inside its body.
    const conns = [await open(port), await open(port)];
    for (const conn of conns) {
      conn.socket.write(predictRequest("rain", "keep-alive"));
      await untilReceived(conn, /"predictions"/);
    }
    const next = predictRequest("storm and wind", "keep-alive");
    const cuts = [next.indexOf("Content-Type"), next.length - 5];
    for (const [i, conn] of conns.entries()) conn.socket.write(next.slice(0, cuts[i]));
    // An idle keep-alive connection: the drain closes it rather than wait for its client.
    const idle = await open(port);
    idle.socket.write(predictRequest("cloud", "keep-alive"));
    await untilReceived(idle, /"predictions"/);
    await sleep(300);
    c.child.kill("SIGTERM");
    await sleep(500);
    for (const [i, conn] of conns.entries()) conn.socket.write(next.slice(cuts[i]));
    const results = await Promise.all(conns.map(outcome));
    for (const [i, result] of results.entries()) {
      assert.notEqual(result, "no answer", `connection ${i} was never answered nor closed`);
      if (result === "no answer") continue;
      assert.deepEqual(
        statusLines(result.text),
        ["HTTP/1.1 200", "HTTP/1.1 200"],
        `connection ${i}: ${result.text}`,
      );
      const lastHead = result.text.slice(result.text.lastIndexOf("HTTP/1.1 200"));
      assert.match(lastHead, /^connection: close\r$/im, "the drain ends the connection after its answer");
    }
    const idleEnd = await outcome(idle);
    assert.notEqual(idleEnd, "no answer", "the idle connection was closed by the drain");
    assert.deepEqual(await c.exited, { code: 0, signal: null }, c.output());
  });
});
