/**
 * An open-loop (fixed-rate) HTTP load generator for bench:serve, run in a process of its own
 * so that it shares neither the event loop nor the heap of the bench or the server.
 *
 *   node bench/serve/open-loop.mjs URL RATE SECONDS CONNECTIONS BODIES.json [WARMUP_SECONDS]
 *
 * Request i is due at start + i / RATE, whatever happened to the earlier ones. It goes out on
 * one of CONNECTIONS keep-alive sockets, or waits in a queue for a free one. Its latency is
 * taken from the time it was DUE to the end of its response, so that a server (or a generator)
 * that falls behind is charged for the requests it delayed (coordinated omission counted).
 * Clock: process.hrtime.bigint, reported in ms with µs resolution.
 *
 * The first WARMUP_SECONDS (default 1) run at the same rate but are left out of the figures:
 * they open the sockets and warm both JITs. Bounded: nothing is scheduled after WARMUP_SECONDS +
 * SECONDS; requests still open 5 s after that count as timeouts. Prints one JSON object on stdout:
 * sent, completed, non2xx / errors / timeouts (warm-up included), achievedRate (completed / span),
 * p50/p90/p99/max latency in ms, and sendLagP99Ms: how late requests went out on a socket
 * (timer granularity, the generator's CPU share, or no free socket), to tell the delays apart.
 */
import { readFileSync } from "node:fs";
import { connect } from "node:net";

const [url, rateText, secondsText, connectionsText, bodiesFile, warmupText] = process.argv.slice(2);
const rate = Number(rateText);
const seconds = Number(secondsText);
const connections = Number(connectionsText);
if (url === undefined || !(rate > 0) || !(seconds > 0) || !(connections >= 1) || bodiesFile === undefined) {
  console.error("usage: node open-loop.mjs URL RATE SECONDS CONNECTIONS BODIES.json [WARMUP_SECONDS]");
  process.exit(2);
}
const target = new URL(url);
const port = Number(target.port || 80);
// Whole requests, built once: node:http's client costs more CPU a request than the server
// under test can spare on a 2-core machine, and would delay the sends it is meant to time.
const requests = JSON.parse(readFileSync(bodiesFile, "utf8")).map((text) => {
  const body = Buffer.from(text, "utf8");
  const head =
    `POST ${target.pathname}${target.search} HTTP/1.1\r\nHost: ${target.host}\r\n` +
    `Content-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`;
  return Buffer.concat([Buffer.from(head, "latin1"), body]);
});
const warmup = Math.floor(rate * (warmupText === undefined ? 1 : Number(warmupText)));
const total = warmup + Math.floor(rate * seconds);

// NaN until answered: a request that never completes is left out of the percentiles.
const latencyNs = new Float64Array(total).fill(Number.NaN);
const lagNs = new Float64Array(total);
let sent = 0;
let completed = 0;
let non2xx = 0;
let errors = 0;
const intervalNs = 1e9 / rate;
const start = process.hrtime.bigint() + 50_000_000n; // 50 ms to set up

function dueAt(i) {
  return start + BigInt(Math.round(i * intervalNs));
}

/** Requests due and not yet on a connection, oldest first (their latency already runs). */
const waiting = [];
const idle = [];
const HEADER_END = Buffer.from("\r\n\r\n");

function settle() {
  if (completed + errors === total) finish();
}

/** One keep-alive connection: one request at a time, its response read by Content-Length. */
function open() {
  const socket = connect({ host: target.hostname, port, noDelay: true });
  let current = -1;
  let buffered = Buffer.alloc(0);
  const conn = {
    send(i) {
      current = i;
      lagNs[i] = Number(process.hrtime.bigint() - dueAt(i));
      socket.write(requests[i % requests.length]);
    },
  };
  socket.on("data", (chunk) => {
    buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
    for (;;) {
      const end = buffered.indexOf(HEADER_END);
      if (end < 0) return;
      const head = buffered.toString("latin1", 0, end);
      const length = Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? Number.NaN);
      if (!Number.isFinite(length)) {
        socket.destroy(new Error(`response without Content-Length: ${head.slice(0, 200)}`));
        return;
      }
      if (buffered.length < end + 4 + length) return;
      buffered = buffered.subarray(end + 4 + length);
      const status = Number(head.slice(9, 12));
      if (status < 200 || status >= 300) non2xx++;
      if (current >= 0) {
        latencyNs[current] = Number(process.hrtime.bigint() - dueAt(current));
        completed++;
        current = -1;
      }
      const next = waiting.shift();
      if (next === undefined) idle.push(conn);
      else conn.send(next);
      settle();
    }
  });
  socket.on("error", () => {});
  socket.on("close", () => {
    if (current >= 0) {
      errors++;
      current = -1;
      settle();
    }
  });
  return conn;
}

for (let c = 0; c < connections; c++) idle.push(open());

function send(i) {
  const conn = idle.pop();
  if (conn === undefined) waiting.push(i);
  else conn.send(i);
}

/** Sends every request due by now, then sleeps until the next one is due. */
function tick() {
  const now = process.hrtime.bigint();
  while (sent < total) {
    if (dueAt(sent) > now) break;
    send(sent);
    sent++;
  }
  if (sent < total) {
    const waitMs = Number(dueAt(sent) - process.hrtime.bigint()) / 1e6;
    setTimeout(tick, Math.max(0, Math.floor(waitMs)));
  }
}

function percentile(sorted, p) {
  if (sorted.length === 0) return Number.NaN;
  const at = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, at)] / 1e6;
}

let finished = false;
function finish() {
  if (finished) return;
  finished = true;
  const measured = latencyNs.subarray(warmup);
  const latencies = measured.filter((x) => !Number.isNaN(x)).sort();
  const lags = lagNs.subarray(warmup, Math.max(warmup, sent)).sort();
  const answered = latencies.length;
  const spanS = Math.max(Number(dueAt(Math.max(warmup, sent - 1)) - dueAt(warmup)) / 1e9, 1e-9);
  const round = (x) => Math.round(x * 1000) / 1000;
  const result = {
    rate,
    connections,
    warmup,
    sent: Math.max(0, sent - warmup),
    completed: answered,
    non2xx,
    errors,
    timeouts: sent - completed - errors,
    achievedRate: Math.round(answered / spanS),
    p50Ms: round(percentile(latencies, 50)),
    p90Ms: round(percentile(latencies, 90)),
    p99Ms: round(percentile(latencies, 99)),
    maxMs: round(answered === 0 ? Number.NaN : (latencies[answered - 1] ?? 0) / 1e6),
    sendLagP99Ms: round(percentile(lags, 99)),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}

setTimeout(finish, (total / rate) * 1000 + 5000 + 50);
setTimeout(tick, 50);
