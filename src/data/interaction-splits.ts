/**
 * Held-out parts of behaviour events for honest evaluation of recommenders. Each split
 * moves whole (user, item) pairs, so that a held-out item is one the user has not been
 * seen with in training, which is what a recommender that hides seen items can get right.
 */
import { Random, TextkitError } from "../core/index.ts";
import type { Interactions } from "./interactions.ts";

export interface InteractionSplit {
  train: Interactions;
  test: Interactions;
  /** How the split was made, for reports. */
  description: string;
}

/** Event rows grouped by user: rows of user u are order[start[u] .. start[u+1]), in file order. */
function rowsByUser(data: Interactions): { start: Int32Array; order: Int32Array } {
  const users = data.users.length;
  const start = new Int32Array(users + 1);
  for (let r = 0; r < data.length; r++) start[data.user[r]! + 1]!++;
  for (let u = 0; u < users; u++) start[u + 1]! += start[u]!;
  const fill = start.slice(0, users);
  const order = new Int32Array(data.length);
  for (let r = 0; r < data.length; r++) order[fill[data.user[r]!]!++] = r;
  return { start, order };
}

function assemble(data: Interactions, isTest: Uint8Array, description: string): InteractionSplit {
  let tests = 0;
  for (let r = 0; r < data.length; r++) tests += isTest[r]!;
  const trainRows = new Int32Array(data.length - tests);
  const testRows = new Int32Array(tests);
  let a = 0;
  let b = 0;
  for (let r = 0; r < data.length; r++) {
    if (isTest[r] === 1) testRows[b++] = r;
    else trainRows[a++] = r;
  }
  if (trainRows.length === 0 || testRows.length === 0) {
    throw new TextkitError(
      "DATA_SPLIT_TOO_SMALL",
      `${description} leaves ${trainRows.length === 0 ? "nothing to train on" : "nothing to test on"} in ${data.source}`,
      { file: data.source },
    );
  }
  return {
    train: data.subset(trainRows, `${data.source} (train: ${description})`),
    test: data.subset(testRows, `${data.source} (test: ${description})`),
    description,
  };
}

/**
 * Leave-last-out: for every user with at least two distinct items, the item of their
 * latest event (ties: the later row) is held out, with all their events on it.
 *
 * @example
 * const { train, test } = leaveLastOut(data);
 */
export function leaveLastOut(data: Interactions): InteractionSplit {
  const { start, order } = rowsByUser(data);
  const isTest = new Uint8Array(data.length);
  for (let u = 0; u + 1 < start.length; u++) {
    let last = -1;
    for (let p = start[u]!; p < start[u + 1]!; p++) {
      const r = order[p]!;
      if (last < 0 || data.time[r]! >= data.time[last]!) last = r;
    }
    if (last < 0) continue;
    const item = data.item[last]!;
    let other = false;
    for (let p = start[u]!; p < start[u + 1]! && !other; p++) other = data.item[order[p]!] !== item;
    if (!other) continue;
    for (let p = start[u]!; p < start[u + 1]!; p++) {
      const r = order[p]!;
      if (data.item[r] === item) isTest[r] = 1;
    }
  }
  return assemble(data, isTest, "leave-last-out per user");
}

/**
 * Marks each user's latest events: of every user with at least two distinct items, the
 * events on the items they reached last, about `fraction` of their items (at least one,
 * never all). 1 = held out.
 */
export function latestPerUserMask(data: Interactions, fraction: number): Uint8Array {
  if (!(fraction > 0 && fraction < 1)) {
    throw new TextkitError("OPTION_INVALID", `fraction must be between 0 and 1, got ${fraction}`);
  }
  const { start, order } = rowsByUser(data);
  const isTest = new Uint8Array(data.length);
  const firstTime = new Map<number, number>();
  for (let u = 0; u + 1 < start.length; u++) {
    firstTime.clear();
    for (let p = start[u]!; p < start[u + 1]!; p++) {
      const r = order[p]!;
      const item = data.item[r]!;
      const t = firstTime.get(item);
      if (t === undefined || data.time[r]! < t) firstTime.set(item, data.time[r]!);
    }
    if (firstTime.size < 2) continue;
    // Items by when the user first reached them; ties keep the item order.
    const items = [...firstTime.entries()].sort((a, b) => a[1] - b[1] || a[0] - b[0]);
    const n = Math.min(items.length - 1, Math.max(1, Math.round(items.length * fraction)));
    const held = new Set(items.slice(items.length - n).map(([item]) => item));
    for (let p = start[u]!; p < start[u + 1]!; p++) {
      const r = order[p]!;
      if (held.has(data.item[r]!)) isTest[r] = 1;
    }
  }
  return isTest;
}

/**
 * Each user's latest items held out (see latestPerUserMask): a time-based split in which
 * every user with two or more items is tested, which a global cut cannot promise.
 *
 * @example
 * const { train, test } = splitLatestPerUser(data, 0.2);
 */
export function splitLatestPerUser(data: Interactions, fraction: number): InteractionSplit {
  return assemble(
    data,
    latestPerUserMask(data, fraction),
    `the latest ${Math.round(fraction * 100)}% of each user's items`,
  );
}

/**
 * A global time cutoff: events at or after `cutoff` (Unix seconds) are held out.
 *
 * @example
 * const { train, test } = splitByTime(data, Date.parse("2026-03-01T00:00:00Z") / 1000);
 */
export function splitByTime(data: Interactions, cutoff: number): InteractionSplit {
  const isTest = new Uint8Array(data.length);
  for (let r = 0; r < data.length; r++) if (data.time[r]! >= cutoff) isTest[r] = 1;
  const when = data.timed ? new Date(cutoff * 1000).toISOString() : `row ${cutoff}`;
  return assemble(data, isTest, `events from ${when} on`);
}

/**
 * The time before which `1 - fraction` of the events lie: a cutoff for `splitByTime` that
 * holds out about `fraction` of the latest events.
 */
export function timeQuantile(data: Interactions, fraction: number): number {
  if (data.length === 0) throw new TextkitError("DATA_EMPTY", `${data.source} has no events`);
  const times = Float64Array.from(data.time).sort();
  const at = Math.min(times.length - 1, Math.max(0, Math.floor(times.length * (1 - fraction))));
  return times[at]!;
}

/**
 * A random share of every user's distinct items (at least one, for users with two or
 * more) is held out, with all their events: the per-user random split of many published
 * MovieLens results.
 *
 * @example
 * const { train, test } = holdOutPerUser(data, { fraction: 0.25, seed: 1 });
 */
export function holdOutPerUser(
  data: Interactions,
  options: { fraction: number; seed: number },
): InteractionSplit {
  const { fraction, seed } = options;
  if (!(fraction > 0 && fraction < 1)) {
    throw new TextkitError("OPTION_INVALID", `fraction must be between 0 and 1, got ${fraction}`);
  }
  const { start, order } = rowsByUser(data);
  const rng = new Random(seed);
  const isTest = new Uint8Array(data.length);
  const held = new Set<number>();
  for (let u = 0; u + 1 < start.length; u++) {
    const items: number[] = [];
    const seen = new Set<number>();
    for (let p = start[u]!; p < start[u + 1]!; p++) {
      const item = data.item[order[p]!]!;
      if (!seen.has(item)) {
        seen.add(item);
        items.push(item);
      }
    }
    if (items.length < 2) continue;
    rng.shuffle(items);
    const n = Math.min(items.length - 1, Math.max(1, Math.round(items.length * fraction)));
    held.clear();
    for (let i = 0; i < n; i++) held.add(items[i]!);
    for (let p = start[u]!; p < start[u + 1]!; p++) {
      const r = order[p]!;
      if (held.has(data.item[r]!)) isTest[r] = 1;
    }
  }
  return assemble(
    data,
    isTest,
    `${Math.round(fraction * 100)}% of each user's items at random (seed ${seed})`,
  );
}
