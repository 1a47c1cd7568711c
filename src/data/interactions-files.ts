/**
 * Reading the catalogue and the behaviour events from CSV/TSV with a header or from JSONL,
 * with the usual column names tried when none are given.
 */
import { TextkitError } from "../core/index.ts";
import { ItemCatalog } from "./interactions-catalog.ts";
import { type Interactions, InteractionsBuilder } from "./interactions-columns.ts";
import {
  type BehaviourEvent,
  DEFAULT_EVENT_WEIGHTS,
  type EventColumnNames,
  type EventWeights,
  idOf,
  parseTimestamp,
  textOf,
} from "./interactions-fields.ts";
import { readObjects, type TableFileOptions } from "./table-records.ts";

/** Names tried, in order, for each column when none is given. */
const EVENT_ALIASES: Readonly<Record<keyof EventColumnNames, readonly string[]>> = {
  user: ["user", "user_id", "userId"],
  item: ["item", "item_id", "itemId"],
  type: ["type", "event", "event_type"],
  value: ["value", "rating"],
  time: ["timestamp", "time", "ts"],
};

const ITEM_ALIASES = {
  id: ["id", "item", "item_id", "itemId"],
  title: ["title", "name"],
  description: ["description", "text", "body"],
  tags: ["tags", "genres"],
  category: ["category", "genre"],
  createdAt: ["created", "created_at", "createdAt", "published", "timestamp"],
} as const;

export interface ItemReadOptions extends TableFileOptions {
  /** Separates the tags of a CSV/TSV cell (default "|"); JSONL tags may also be an array. */
  tagSeparator?: string;
}

export interface EventReadOptions extends TableFileOptions {
  /** Weight per event type (default DEFAULT_EVENT_WEIGHTS). */
  weights?: EventWeights;
  /** Column names, where they are not the usual ones (user/user_id, item/item_id, type/event, value/rating, timestamp/time/ts). */
  columns?: Partial<EventColumnNames>;
  /** Type of every event when the file has no type column (default: "rating" with a value column, else "view"). */
  defaultType?: string;
}

/** The first of `candidates` among `names`; undefined when none is there. */
function pick(names: readonly string[], candidates: readonly string[]): string | undefined {
  return candidates.find((c) => names.includes(c));
}

function missingColumn(
  path: string,
  what: string,
  tried: readonly string[],
  names: readonly string[] | null,
) {
  const listed = names === null ? "" : ` (its columns: ${names.map((n) => JSON.stringify(n)).join(", ")})`;
  return new TextkitError(
    "DATA_MISSING_COLUMN",
    `${names === null ? "the first object" : "the header"} has no ${what} column: tried ${tried.map((n) => JSON.stringify(n)).join(", ")}${listed}`,
    { file: path, line: 1, column: tried[0] },
  );
}

/**
 * Reads an items file: one item per row, with an id column (id, item or item_id) and
 * optionally title/name, description/text, tags (separated by "|" in CSV), category and
 * created (ISO 8601 or Unix seconds). Throws DATA_DUPLICATE_ID for a repeated id,
 * DATA_MISSING_COLUMN without an id column, DATA_BAD_TIMESTAMP for a bad creation time.
 *
 * @example
 * const catalog = await readItems("items.csv");
 */
export async function readItems(path: string, options: ItemReadOptions = {}): Promise<ItemCatalog> {
  const catalog = new ItemCatalog([], path);
  const separator = options.tagSeparator ?? "|";
  const firstLine = new Map<string, number>();
  let columns: (Record<keyof typeof ITEM_ALIASES, string | undefined> & { id: string }) | null = null;
  for await (const batch of readObjects(path, options)) {
    for (let r = 0; r < batch.rows.length; r++) {
      const row = batch.rows[r]!;
      const line = batch.lines[r]!;
      const names = batch.names ?? Object.keys(row);
      if (columns === null || batch.names === null) {
        const id = pick(names, ITEM_ALIASES.id);
        if (id === undefined) {
          if (batch.names === null) {
            throw new TextkitError(
              "DATA_MISSING_COLUMN",
              `line ${line} has no id field: tried ${ITEM_ALIASES.id.map((n) => JSON.stringify(n)).join(", ")}`,
              { file: path, line, column: "id" },
            );
          }
          throw missingColumn(path, "id", ITEM_ALIASES.id, names);
        }
        columns = {
          id,
          title: pick(names, ITEM_ALIASES.title),
          description: pick(names, ITEM_ALIASES.description),
          tags: pick(names, ITEM_ALIASES.tags),
          category: pick(names, ITEM_ALIASES.category),
          createdAt: pick(names, ITEM_ALIASES.createdAt),
        };
      }
      const where = { file: path, line };
      const id = idOf(row[columns.id], where, columns.id);
      const before = firstLine.get(id);
      if (before !== undefined) {
        throw new TextkitError(
          "DATA_DUPLICATE_ID",
          `line ${line}: item id "${id}" was given already on line ${before}`,
          { file: path, line, column: columns.id },
        );
      }
      firstLine.set(id, line);
      const rawTags = columns.tags === undefined ? undefined : row[columns.tags];
      const tags = Array.isArray(rawTags)
        ? rawTags.map(textOf).filter((t) => t.length > 0)
        : textOf(rawTags)
            .split(separator)
            .map((t) => t.trim())
            .filter((t) => t.length > 0);
      const created = columns.createdAt === undefined ? undefined : row[columns.createdAt];
      catalog.add(
        {
          id,
          title: columns.title === undefined ? "" : textOf(row[columns.title]),
          description: columns.description === undefined ? "" : textOf(row[columns.description]),
          tags,
          category: columns.category === undefined ? "" : textOf(row[columns.category]),
          createdAt:
            created === undefined || created === null || created === ""
              ? null
              : parseTimestamp(created, where, columns.createdAt!),
        },
        where,
      );
    }
  }
  if (catalog.size === 0) {
    throw new TextkitError("DATA_EMPTY", `${path} has no items`, { file: path });
  }
  return catalog;
}

/**
 * Reads an events file against a catalogue: user, item, and optionally type, value and
 * timestamp columns (see EventReadOptions for the names tried). Every row is checked:
 * an item missing from the catalogue is DATA_UNKNOWN_ITEM, a type without a weight
 * DATA_UNKNOWN_EVENT_TYPE, a value that is not a number DATA_BAD_VALUE, a time that is not
 * ISO 8601 or Unix seconds DATA_BAD_TIMESTAMP, each with the file and line.
 *
 * @example
 * const events = await readEvents("events.csv", await readItems("items.csv"));
 */
export async function readEvents(
  path: string,
  catalog: ItemCatalog,
  options: EventReadOptions = {},
): Promise<Interactions> {
  const builder = new InteractionsBuilder(catalog, options.weights ?? DEFAULT_EVENT_WEIGHTS);
  let names: EventColumnNames | null = null;
  let hasType = false;
  let hasValue = false;
  let hasTime = false;
  let defaultType = "view";
  const event: BehaviourEvent = { user: "", item: "", type: "" };
  for await (const batch of readObjects(path, options)) {
    for (let r = 0; r < batch.rows.length; r++) {
      const row = batch.rows[r]!;
      const line = batch.lines[r]!;
      if (names === null) {
        const available = batch.names ?? Object.keys(row);
        const given = options.columns ?? {};
        const resolve = (key: keyof EventColumnNames, required: boolean): string | undefined => {
          const asked = given[key];
          const tried = asked === undefined ? EVENT_ALIASES[key] : [asked];
          const found = pick(available, tried);
          if (found === undefined && (required || asked !== undefined)) {
            if (batch.names === null) {
              throw new TextkitError(
                "DATA_MISSING_COLUMN",
                `line ${line} has no ${key} field: tried ${tried.map((n) => JSON.stringify(n)).join(", ")}`,
                { file: path, line, column: tried[0] },
              );
            }
            throw missingColumn(path, key, tried, available);
          }
          return found;
        };
        const user = resolve("user", true)!;
        const item = resolve("item", true)!;
        const type = resolve("type", false);
        const value = resolve("value", false);
        const time = resolve("time", false);
        hasType = type !== undefined;
        hasValue = value !== undefined;
        hasTime = time !== undefined;
        defaultType = options.defaultType ?? (hasValue ? "rating" : "view");
        names = {
          user,
          item,
          type: type ?? EVENT_ALIASES.type[0]!,
          value: value ?? EVENT_ALIASES.value[0]!,
          time: time ?? EVENT_ALIASES.time[0]!,
        };
      }
      // JSONL objects may lack a field the first one had: that is a missing value, checked below.
      event.user = row[names.user] as string;
      event.item = row[names.item] as string;
      event.type = hasType ? (row[names.type] as string) : defaultType;
      event.value = hasValue ? (row[names.value] as number | null) : null;
      if (hasTime) {
        const t = row[names.time];
        if (t === undefined || t === null || (typeof t === "string" && t.trim() === "")) {
          throw new TextkitError("DATA_BAD_TIMESTAMP", `line ${line}: ${names.time} is empty`, {
            file: path,
            line,
            column: names.time,
          });
        }
        event.timestamp = t as string | number;
      } else {
        event.timestamp = null;
      }
      builder.add(event, { file: path, line }, names);
    }
  }
  if (builder.length === 0) {
    throw new TextkitError("DATA_EMPTY", `${path} has no events`, { file: path });
  }
  return builder.build(path);
}

/**
 * Reads an items file and an events file that names its items.
 *
 * @example
 * const data = await loadInteractions("items.csv", "events.jsonl", { events: { weights: parseEventWeights("view=0.5") } });
 */
export async function loadInteractions(
  itemsPath: string,
  eventsPath: string,
  options: { items?: ItemReadOptions; events?: EventReadOptions } = {},
): Promise<Interactions> {
  const catalog = await readItems(itemsPath, options.items);
  return readEvents(eventsPath, catalog, options.events);
}
