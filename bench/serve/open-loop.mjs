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
 * Clock: performance.now() (a double in ms, sub-µs resolution; no BigInt allocated per read).
 * Cheap per request on purpose (the generator shares 2 cores with the server): request bytes
 * built once, responses framed by a byte search for the header rather than a string and a
 * regular expression, the wait queue read by an index rather than Array.shift.
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
import { performance } from "node:perf_hooks";

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
const latencyMs = new Float64Array(total).fill(Number.NaN);
const lagMs = new Float64Array(total);
let sent = 0;
let completed = 0;
let non2xx = 0;
let errors = 0;
const intervalMs = 1000 / rate;
const start = performance.now() + 50; // 50 ms to set up

function dueAt(i) {
  return start + i * intervalMs;
}

/** Requests due and not yet on a connection, oldest first (their latency already runs). */
const waiting = [];
let waitingHead = 0;
/** The oldest waiting request, or undefined; the array is emptied once all are taken. */
function nextWaiting() {
  if (waitingHead >= waiting.length) return undefined;
  const i = waiting[waitingHead++];
  if (waitingHead === waiting.length) {
    waiting.length = 0;
    waitingHead = 0;
  }
  return i;
}
const idle = [];
const HEADER_END = Buffer.from("\r\n\r\n");
const LENGTH_HEADER = Buffer.from("\r\ncontent-length: ", "latin1");

/** The Content-Length of a response head in `buffer` before `end`, or NaN (any case, through a regex). */
function contentLength(buffer, end) {
  const at = buffer.indexOf(LENGTH_HEADER);
  if (at >= 0 && at < end) {
    let value = 0;
    let i = at + LENGTH_HEADER.length;
    for (; i < end; i++) {
      const digit = buffer[i] - 48;
      if (digit < 0 || digit > 9) break;
      value = value * 10 + digit;
    }
    if (i > at + LENGTH_HEADER.length) return value;
  }
  const head = buffer.toString("latin1", 0, end);
  return Number(/\r\ncontent-length: *(\d+)/i.exec(head)?.[1] ?? Number.NaN);
}

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
      lagMs[i] = performance.now() - dueAt(i);
      socket.write(requests[i % requests.length]);
    },
  };
  socket.on("data", (chunk) => {
    buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
    for (;;) {
      const end = buffered.indexOf(HEADER_END);
      if (end < 0) return;
      const length = contentLength(buffered, end);
      if (!Number.isFinite(length)) {
        const head = buffered.toString("latin1", 0, Math.min(end, 200));
        socket.destroy(new Error(`response without Content-Length: ${head}`));
        return;
      }
      if (buffered.length < end + 4 + length) return;
      const status = (buffered[9] - 48) * 100 + (buffered[10] - 48) * 10 + (buffered[11] - 48);
      buffered = buffered.subarray(end + 4 + length);
      if (status < 200 || status >= 300) non2xx++;
      if (current >= 0) {
        latencyMs[current] = performance.now() - dueAt(current);
        completed++;
        current = -1;
      }
      const next = nextWaiting();
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
  const now = performance.now();
  while (sent < total) {
    if (dueAt(sent) > now) break;
    send(sent);
    sent++;
  }
  if (sent < total) {
    const waitMs = dueAt(sent) - performance.now();
    setTimeout(tick, Math.max(0, Math.floor(waitMs)));
  }
}

function percentile(sorted, p) {
  if (sorted.length === 0) return Number.NaN;
  const at = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, at)];
}

let finished = false;
function finish() {
  if (finished) return;
  finished = true;
  const measured = latencyMs.subarray(warmup);
  const latencies = measured.filter((x) => !Number.isNaN(x)).sort();
  const lags = lagMs.subarray(warmup, Math.max(warmup, sent)).sort();
  const answered = latencies.length;
  const spanS = Math.max((dueAt(Math.max(warmup, sent - 1)) - dueAt(warmup)) / 1000, 1e-9);
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
    maxMs: round(answered === 0 ? Number.NaN : (latencies[answered - 1] ?? 0)),
    sendLagP99Ms: round(percentile(lags, 99)),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}

setTimeout(finish, (total / rate) * 1000 + 5000 + 50);
setTimeout(tick, 50);
