/**
 * The generated behaviour events of bench:recommend: a catalogue with planted topics and
 * users drawn to two of them, at any size (the quality table's 2 * 10^5 events and the
 * scaling steps' 10^5 to 10^7).
 */
import {
  type CatalogItem,
  DEFAULT_EVENT_WEIGHTS,
  type InteractionColumns,
  Interactions,
  ItemCatalog,
  Random,
} from "../src/index.ts";

const TOPICS = 20;
const DAY = 86_400;
const TYPES = ["view", "click", "like", "share", "purchase"] as const;
const TYPE_SHARE = [0.6, 0.25, 0.1, 0.03, 0.02];

/**
 * `events` behaviour events over a catalogue with planted topics: a user draws 70% of
 * their events from a primary topic, 20% from a secondary one and 10% from anywhere;
 * within a topic, item popularity is Zipf. Titles carry topic words, so text helps too.
 */
export function plantedEvents(events: number, seed: number): Interactions {
  const rng = new Random(seed);
  const users = Math.max(200, Math.round(events / 40));
  const items = Math.max(400, Math.min(40_000, Math.round(Math.sqrt(events) * 10)));
  const catalogItems: CatalogItem[] = [];
  const start = Date.UTC(2026, 0, 1) / 1000;
  for (let i = 0; i < items; i++) {
    const topic = i % TOPICS;
    const word = () => `t${topic}w${rng.int(8)}`;
    catalogItems.push({
      id: `i${i}`,
      title: `${word()} ${word()} ${word()} g${rng.int(50)}`,
      description: "",
      tags: [`topic${topic}`],
      category: `c${topic % 5}`,
      createdAt: start - rng.int(365) * DAY,
    });
  }
  // Items of each topic by popularity rank, and the Zipf cumulative weights over them.
  const perTopic = Math.floor(items / TOPICS);
  const cumulative = new Float64Array(perTopic);
  let total = 0;
  for (let r = 0; r < perTopic; r++) {
    total += 1 / (r + 1);
    cumulative[r] = total;
  }
  const pickInTopic = (topic: number): number => {
    const x = rng.next() * total;
    let lo = 0;
    let hi = perTopic - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return lo * TOPICS + topic;
  };
  const primary = new Int32Array(users);
  const secondary = new Int32Array(users);
  for (let u = 0; u < users; u++) {
    primary[u] = rng.int(TOPICS);
    secondary[u] = (primary[u]! + 1 + rng.int(TOPICS - 1)) % TOPICS;
  }
  const columns: InteractionColumns = {
    user: new Int32Array(events),
    item: new Int32Array(events),
    type: new Uint8Array(events),
    value: new Float32Array(events).fill(Number.NaN),
    weight: new Float32Array(events),
    time: new Float64Array(events),
    line: new Int32Array(events),
  };
  for (let e = 0; e < events; e++) {
    const u = rng.int(users);
    const x = rng.next();
    columns.user[e] = u;
    columns.item[e] =
      x < 0.7 ? pickInTopic(primary[u]!) : x < 0.9 ? pickInTopic(secondary[u]!) : rng.int(items);
    let t = 0;
    const y = rng.next();
    for (let acc = TYPE_SHARE[0]!; y > acc && t < TYPES.length - 1; acc += TYPE_SHARE[t + 1]!) t++;
    columns.type[e] = t;
    columns.weight[e] = DEFAULT_EVENT_WEIGHTS[TYPES[t]!] as number;
    columns.time[e] = start + rng.next() * 180 * DAY;
  }
  return new Interactions(
    new ItemCatalog(catalogItems, "generated"),
    Array.from({ length: users }, (_, u) => `u${u}`),
    [...TYPES],
    DEFAULT_EVENT_WEIGHTS,
    columns,
    `generated (${events} events, ${users} users, ${items} items, ${TOPICS} topics)`,
    true,
  );
}
