/**
 * The demo's stream: the documents of samples/monitor/stream.jsonl replayed as if they had
 * arrived over the last two days, with the incident (lines marked "incident": true) in the
 * last hour, so that a first look at the dashboard shows trends and a surge that raised an
 * alert; then, while the demo runs, everyday documents at the history's own rate (a faster
 * feed would be a surge of its own, and the volume rules would rightly say so).
 */
import { readFile } from "node:fs/promises";
import { Random, TextkitError } from "../../core/index.ts";
import { type MonitorDocumentInput, parseDocumentInput } from "./document.ts";

const HOUR = 3_600_000;

export interface DemoPool {
  everyday: MonitorDocumentInput[];
  incident: MonitorDocumentInput[];
}

/** Reads and checks the pool; a bad line is an error naming it. */
export async function readDemoPool(path: string): Promise<DemoPool> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (cause) {
    throw new TextkitError("DATA_FILE_NOT_FOUND", `cannot read the demo stream ${path}`, {
      file: path,
      cause,
    });
  }
  const pool: DemoPool = { everyday: [], incident: [] };
  text.split("\n").forEach((line, i) => {
    if (line.trim() === "") return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (cause) {
      throw new TextkitError("DATA_BAD_JSON", `line ${i + 1} is not valid JSON`, {
        file: path,
        line: i + 1,
        cause,
      });
    }
    const incident = (value as { incident?: unknown }).incident === true;
    const { incident: _, topic: _t, sentiment: _s, ...fields } = value as Record<string, unknown>;
    (incident ? pool.incident : pool.everyday).push(parseDocumentInput(fields, { file: path, line: i + 1 }));
  });
  if (pool.everyday.length === 0) {
    throw new TextkitError("DATA_EMPTY", `${path} has no everyday documents to replay`, { file: path });
  }
  return pool;
}

export interface DemoHistoryOptions {
  /** How far back the history reaches (default 48 hours). */
  hours?: number;
  /** Times each everyday document appears in the history, at different times (default 2). */
  copies?: number;
  /** The incident is spread over this many last minutes (default 50). */
  incidentMinutes?: number;
  seed?: number;
}

/**
 * The replayed history, ids "demo-<n>", oldest first.
 *
 * @example
 * const docs = demoHistory(await readDemoPool("samples/monitor/stream.jsonl"), Date.now());
 */
/** Everyday documents per hour in the history `demoHistory` replays with these options. */
export function demoEverydayPerHour(pool: DemoPool, options: DemoHistoryOptions = {}): number {
  const hours = options.hours ?? 48;
  const copies = options.copies ?? 2;
  // All copies spread over the hours before the last, and that rate again in the last hour.
  return (pool.everyday.length * copies) / (hours - 1);
}

/**
 * How often the live feed adds a document so that it runs at the history's rate: with the
 * sample stream, about one every 4.7 minutes.
 *
 * @example
 * setInterval(add, demoLiveIntervalMs(pool));
 */
export function demoLiveIntervalMs(pool: DemoPool, options: DemoHistoryOptions = {}): number {
  return Math.round(HOUR / demoEverydayPerHour(pool, options));
}

export function demoHistory(
  pool: DemoPool,
  now: number,
  options: DemoHistoryOptions = {},
): MonitorDocumentInput[] {
  const rng = new Random(options.seed ?? 7);
  const span = (options.hours ?? 48) * HOUR;
  const copies = options.copies ?? 2;
  const out: MonitorDocumentInput[] = [];
  let n = 0;
  // Everyday documents until an hour ago, at random times.
  for (let c = 0; c < copies; c++) {
    for (const doc of pool.everyday) {
      const publishedAt = now - span + Math.floor(rng.next() * (span - HOUR));
      out.push({ ...doc, id: `demo-${n++}`, publishedAt });
    }
  }
  // A few everyday documents in the last hour too, as on any hour.
  const lastHour = Math.round(demoEverydayPerHour(pool, options));
  for (let i = 0; i < lastHour; i++) {
    const doc = pool.everyday[rng.int(pool.everyday.length)]!;
    out.push({ ...doc, id: `demo-${n++}`, publishedAt: now - Math.floor(rng.next() * HOUR) });
  }
  // The incident in story order over its last minutes.
  const minutes = (options.incidentMinutes ?? 50) * 60_000;
  pool.incident.forEach((doc, i) => {
    const publishedAt =
      now - minutes + Math.floor(((i + rng.next()) / pool.incident.length) * (minutes - 60_000));
    out.push({ ...doc, id: `demo-${n++}`, publishedAt });
  });
  return out.sort((a, b) => a.publishedAt! - b.publishedAt!);
}

/** An endless series of everyday documents stamped `now`, with ids unique to this run. */
export function demoLive(pool: DemoPool, runId: string, seed = 13): (now: number) => MonitorDocumentInput {
  const rng = new Random(seed);
  let n = 0;
  return (now) => {
    const doc = pool.everyday[rng.int(pool.everyday.length)]!;
    return { ...doc, id: `demo-live-${runId}-${n++}`, publishedAt: now };
  };
}
