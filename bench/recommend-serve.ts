/**
 * bench:recommend's serving rows: one user's top 10 with reasons from a trained model,
 * called in this process, and over HTTP from `textkit serve` on loopback under autocannon.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";
import { Random, type Recommender } from "../src/index.ts";
import { ROOT } from "./common.ts";

/** Calls (or requests) made, their rate, and latency percentiles in milliseconds. */
export interface Serving {
  calls: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Non-2xx answers, socket errors and timeouts (HTTP only). */
  errors?: number;
}

/**
 * Serving one model: `recommend(user, { k: 10 })` with reasons for random known users,
 * called back to back in this process for `seconds`; calls per second and latency
 * percentiles in milliseconds.
 */
export function serveTiming(
  m: Recommender,
  users: readonly string[],
  seconds: number,
  seed: number,
): Serving {
  const rng = new Random(seed);
  const times: number[] = [];
  const end = performance.now() + seconds * 1000;
  for (let i = 0; i < 20; i++) m.recommend(users[rng.int(users.length)] ?? "", { k: 10 });
  const t0 = performance.now();
  while (performance.now() < end) {
    const user = users[rng.int(users.length)] ?? "";
    const a = performance.now();
    const list = m.recommend(user, { k: 10 });
    times.push(performance.now() - a);
    if (list.length !== 10 || list.some((r) => r.reason.text.length === 0))
      throw new Error("a list without reasons");
  }
  const wall = (performance.now() - t0) / 1000;
  times.sort((a, b) => a - b);
  const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? Number.NaN;
  return { calls: times.length, perSecond: times.length / wall, p50Ms: at(0.5), p99Ms: at(0.99) };
}

/** Connections autocannon keeps open (closed loop: each sends its next request on an answer). */
export const HTTP_CONNECTIONS = 8;
const PORT = 8097;
/** Distinct users the requests cycle through. */
const HTTP_USERS = 500;

async function waitUntilUp(url: string, body: string, timeoutMs = 120_000): Promise<unknown> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body });
      if (res.status === 200) return await res.json();
    } catch {
      // not listening yet
    }
    if (Date.now() > until) throw new Error(`${url} did not answer 200 within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Checks one answer of POST /v1/models/{name}/recommend: ten items, each with a reason. */
function checkAnswer(answer: unknown): void {
  const items = (answer as { items?: { reason?: { text?: string } }[] } | null)?.items;
  if (!Array.isArray(items) || items.length !== 10 || items.some((i) => !(i.reason?.text ?? "")))
    throw new Error(
      `the server's answer is not ten items with reasons: ${JSON.stringify(answer).slice(0, 300)}`,
    );
}

/**
 * The same model saved and served by `textkit serve` (one worker, auth off, its event
 * store in a temporary folder) on loopback: autocannon asks for random known users' top
 * 10 over HTTP_CONNECTIONS connections for `seconds` after a 3 s warm-up.
 */
export async function httpServing(
  m: Recommender,
  users: readonly string[],
  seconds: number,
  seed: number,
): Promise<Serving> {
  const work = mkdtempSync(join(tmpdir(), "textkit-bench-recommend-"));
  await m.save(join(work, "models", "rec"));
  const child = spawn(
    process.execPath,
    [
      join(ROOT, "bin", "textkit.js"),
      "serve",
      "--models",
      join(work, "models"),
      "--auth",
      "off",
      "--port",
      String(PORT),
    ],
    { env: { ...process.env, TEXTKIT_DATA_DIR: join(work, "data") }, stdio: ["ignore", "ignore", "inherit"] },
  );
  try {
    const url = `http://127.0.0.1:${PORT}/v1/models/rec/recommend`;
    const rng = new Random(seed);
    const requests = Array.from({ length: HTTP_USERS }, () => ({
      method: "POST" as const,
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ user: users[rng.int(users.length)] ?? "", k: 10 }),
    }));
    checkAnswer(await waitUntilUp(url, requests[0]?.body ?? "{}"));
    const run = (duration: number) => autocannon({ url, connections: HTTP_CONNECTIONS, duration, requests });
    await run(3);
    const result = await run(seconds);
    return {
      calls: result.requests.total,
      perSecond: result.requests.average,
      p50Ms: result.latency.p50,
      p99Ms: result.latency.p99,
      errors: result.non2xx + result.errors + result.timeouts,
    };
  } finally {
    await new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
      setTimeout(() => child.kill("SIGKILL"), 10_000).unref();
    });
    rmSync(work, { recursive: true, force: true });
  }
}
