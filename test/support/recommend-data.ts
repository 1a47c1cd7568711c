/**
 * Behaviour data with a planted structure, for the recommender's tests: two groups of
 * users, each engaging only with its own group of items (space items, garden items),
 * whose titles and tags also differ. A working model puts a user's own group first.
 */
import { Random } from "../../src/core/random.ts";
import {
  type BehaviourEvent,
  type CatalogItem,
  type Interactions,
  InteractionsBuilder,
  ItemCatalog,
} from "../../src/data/interactions.ts";

export const GROUPS = ["space", "garden"] as const;
export type Group = (typeof GROUPS)[number];

const WORDS: Record<Group, string[]> = {
  space: ["rocket", "orbit", "planet", "galaxy", "astronaut", "telescope", "moon", "launch"],
  garden: ["flower", "soil", "seed", "rose", "compost", "tulip", "hedge", "watering"],
};

export interface PlantedData {
  items: CatalogItem[];
  events: (BehaviourEvent & { timestamp: number })[];
  /** Group of each item id and of each user id. */
  itemGroup: Map<string, Group>;
  userGroup: Map<string, Group>;
}

/**
 * `itemsPerGroup` items and `usersPerGroup` users per group; each user has `perUser`
 * events on distinct items of their own group, one day apart, ending with a "like".
 */
export function plantedData(
  options: { itemsPerGroup?: number; usersPerGroup?: number; perUser?: number; seed?: number } = {},
): PlantedData {
  const itemsPerGroup = options.itemsPerGroup ?? 20;
  const usersPerGroup = options.usersPerGroup ?? 30;
  const perUser = options.perUser ?? 8;
  const rng = new Random(options.seed ?? 7);
  const items: CatalogItem[] = [];
  const itemGroup = new Map<string, Group>();
  const userGroup = new Map<string, Group>();
  const byGroup: Record<Group, string[]> = { space: [], garden: [] };
  const start = Date.UTC(2026, 0, 1) / 1000;
  for (const group of GROUPS) {
    const words = WORDS[group];
    for (let i = 0; i < itemsPerGroup; i++) {
      const id = `${group[0]}${i}`;
      const a = words[i % words.length]!;
      const b = words[(i * 3 + 1) % words.length]!;
      items.push({
        id,
        title: `${a} ${b} ${i}`,
        description: `All about the ${a} and the ${b}.`,
        tags: [group, a],
        category: group,
        createdAt: start - 86_400 * (itemsPerGroup - i),
      });
      itemGroup.set(id, group);
      byGroup[group].push(id);
    }
  }
  const events: PlantedData["events"] = [];
  const types = ["view", "click", "view", "share"];
  for (const group of GROUPS) {
    for (let u = 0; u < usersPerGroup; u++) {
      const user = `${group}-user-${u}`;
      userGroup.set(user, group);
      const own = [...byGroup[group]];
      rng.shuffle(own);
      for (let e = 0; e < perUser; e++) {
        events.push({
          user,
          item: own[e]!,
          type: e === perUser - 1 ? "like" : types[rng.int(types.length)]!,
          timestamp: start + 86_400 * e + 60 * u + (group === "space" ? 0 : 30),
        });
      }
    }
  }
  events.sort((a, b) => a.timestamp - b.timestamp);
  return { items, events, itemGroup, userGroup };
}

/** The planted data as an Interactions over its own catalogue. */
export function plantedInteractions(data: PlantedData = plantedData()): Interactions {
  const builder = new InteractionsBuilder(new ItemCatalog(data.items));
  for (const event of data.events) builder.add(event);
  return builder.build("planted");
}

function csvCell(value: string): string {
  return /[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** items.csv and events.csv of the planted data. */
export function plantedCsv(data: PlantedData = plantedData()): { items: string; events: string } {
  const items = ["id,title,description,tags,category,created"];
  for (const item of data.items) {
    items.push(
      [
        item.id,
        item.title,
        item.description,
        item.tags.join("|"),
        item.category,
        new Date(item.createdAt! * 1000).toISOString(),
      ]
        .map(csvCell)
        .join(","),
    );
  }
  const events = ["user,item,type,timestamp"];
  for (const e of data.events) events.push([e.user, e.item, e.type, String(e.timestamp)].join(","));
  return { items: `${items.join("\n")}\n`, events: `${events.join("\n")}\n` };
}
