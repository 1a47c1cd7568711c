/**
 * Behaviour events (a user viewed, clicked, liked, shared, bought or rated an item) and
 * the catalogue of items they are about, read from CSV/TSV with a header or from JSONL.
 * Events are held column by column in typed arrays, so that ten million of them cost a
 * few hundred megabytes rather than ten million objects.
 */
import { TextkitError } from "../core/index.ts";
import { showJson } from "./json-line.ts";
import { readObjects, type TableFileOptions } from "./table-records.ts";

export type { TableFileOptions };

/** One item of the catalogue. */
export interface CatalogItem {
  id: string;
  title: string;
  description: string;
  tags: readonly string[];
  /** "" when the item has none. */
  category: string;
  /** Unix seconds; null when the file gives no creation time. */
  createdAt: number | null;
}

/** What a caller gives for a new item: only the id is required. */
export interface CatalogItemInput {
  id: string;
  title?: string;
  description?: string;
  tags?: readonly string[];
  category?: string;
  /** ISO 8601 or Unix seconds. */
  createdAt?: string | number | null;
}

/**
 * The items events may name, in a fixed order: an item's index is its position here.
 *
 * @example
 * const catalog = new ItemCatalog([{ id: "m1", title: "Alien", description: "", tags: [], category: "sci-fi", createdAt: null }]);
 * catalog.indexOf("m1"); // 0
 */
export class ItemCatalog {
  readonly source: string;
  private readonly list: CatalogItem[] = [];
  private readonly index = new Map<string, number>();

  constructor(items: readonly CatalogItem[] = [], source = "memory") {
    this.source = source;
    for (const item of items) this.add(item);
  }

  get size(): number {
    return this.list.length;
  }

  get items(): readonly CatalogItem[] {
    return this.list;
  }

  /** The item's index, or -1 when the catalogue has no such id. */
  indexOf(id: string): number {
    return this.index.get(id) ?? -1;
  }

  at(index: number): CatalogItem {
    const item = this.list[index];
    if (item === undefined) throw new TextkitError("INTERNAL", `no item at index ${index}`);
    return item;
  }

  /** Appends an item and returns its index; an id that is there already is DATA_DUPLICATE_ID. */
  add(item: CatalogItem, where: { file?: string; line?: number } = {}): number {
    if (this.index.has(item.id)) {
      throw new TextkitError("DATA_DUPLICATE_ID", `item id "${item.id}" appears twice`, {
        ...where,
        column: "id",
      });
    }
    const at = this.list.length;
    this.list.push(item);
    this.index.set(item.id, at);
    return at;
  }
}

/** The weight an event type adds to a user's interest in an item: a number, or "value" (the event's own value, as for ratings). */
export type EventWeight = number | "value";
export type EventWeights = Readonly<Record<string, EventWeight>>;

/** Stronger signals weigh more; a rating counts its value. */
export const DEFAULT_EVENT_WEIGHTS: EventWeights = Object.freeze({
  view: 1,
  click: 2,
  comment: 3,
  like: 3,
  share: 4,
  purchase: 5,
  rating: "value",
});

/**
 * Parses `view=1,click=2,rating=value` into weights. Types not named keep their default
 * weight when `base` is given.
 *
 * @example
 * parseEventWeights("view=0.5,rating=value"); // { ...DEFAULT_EVENT_WEIGHTS, view: 0.5 }
 */
export function parseEventWeights(text: string, base: EventWeights = DEFAULT_EVENT_WEIGHTS): EventWeights {
  const out: Record<string, EventWeight> = { ...base };
  for (const part of text.split(",")) {
    const piece = part.trim();
    if (piece.length === 0) continue;
    const eq = piece.indexOf("=");
    const type = eq > 0 ? piece.slice(0, eq).trim() : "";
    const raw = eq > 0 ? piece.slice(eq + 1).trim() : "";
    const weight = raw === "value" ? "value" : NUMBER.test(raw) ? Number(raw) : Number.NaN;
    if (type.length === 0 || (weight !== "value" && !Number.isFinite(weight))) {
      throw new TextkitError(
        "OPTION_INVALID",
        `event weights are type=number or type=value pairs separated by commas (view=1,rating=value), got '${piece}'`,
      );
    }
    out[type] = weight;
  }
  return Object.freeze(out);
}

/** An event as a caller gives it (a line of a file, or a body sent to the server). */
export interface BehaviourEvent {
  user: string;
  item: string;
  /** One of the weighted types (view, click, like, share, purchase, rating...). */
  type: string;
  /** The rating, or any number the type's weight takes ("value"). */
  value?: number | null;
  /** ISO 8601 or Unix seconds; absent: see the reader or `addEvents`. */
  timestamp?: string | number | null;
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const UNIX_SECONDS = /^[+-]?\d+(\.\d+)?$/;
const ISO_8601 =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;
/** Unix seconds beyond this are year 5138: nearly always milliseconds. */
const MAX_SECONDS = 1e11;

interface Where {
  file?: string;
  line?: number;
  /** Which event of a list (0-based), when there is no file. */
  index?: number;
}

function located(where: Where): { file?: string; line?: number; details?: Record<string, unknown> } {
  return {
    ...(where.file === undefined ? {} : { file: where.file }),
    ...(where.line === undefined ? {} : { line: where.line }),
    ...(where.index === undefined ? {} : { details: { index: where.index } }),
  };
}

function prefix(where: Where): string {
  if (where.line !== undefined) return `line ${where.line}: `;
  if (where.index !== undefined) return `event ${where.index + 1}: `;
  return "";
}

/**
 * A time as Unix seconds: ISO 8601 (a date, or a date and time; without a zone it is UTC),
 * or Unix seconds as a number or a string of digits.
 *
 * @example
 * parseTimestamp("2026-03-01T12:00:00Z"); // 1772366400
 * parseTimestamp("1772366400"); // 1772366400
 */
export function parseTimestamp(value: unknown, where: Where = {}, column = "timestamp"): number {
  let seconds = Number.NaN;
  let reason = "";
  if (typeof value === "number") {
    seconds = value;
  } else if (typeof value === "string") {
    const text = value.trim();
    if (UNIX_SECONDS.test(text)) seconds = Number(text);
    else {
      const m = ISO_8601.exec(text);
      if (m !== null) {
        const month = Number(m[2]);
        const day = Number(m[3]);
        const iso = `${m[1]}-${m[2]}-${m[3]}T${m[4] ?? "00"}:${m[5] ?? "00"}:${m[6] ?? "00"}${(m[8] ?? "Z").toUpperCase()}`;
        const ms = month >= 1 && month <= 12 && day >= 1 && day <= 31 ? Date.parse(iso) : Number.NaN;
        // Date.parse rolls 2026-02-30 over to March; a real date keeps its day of the month.
        if (Number.isFinite(ms) && new Date(ms + offsetMs(m[8])).getUTCDate() === day) {
          seconds = ms / 1000 + (m[7] === undefined ? 0 : Number(m[7]));
        } else reason = "; that date does not exist";
      }
    }
  }
  if (Number.isFinite(seconds) && Math.abs(seconds) > MAX_SECONDS) {
    reason = "; that many seconds is after the year 5000 — is it in milliseconds? divide by 1000";
    seconds = Number.NaN;
  }
  if (!Number.isFinite(seconds)) {
    const shown = value === null || value === undefined || value === "" ? "nothing" : showJson(value);
    throw new TextkitError(
      "DATA_BAD_TIMESTAMP",
      `${prefix(where)}${column} ${shown} is not a time (ISO 8601 or Unix seconds)${reason}`,
      { ...located(where), column },
    );
  }
  return seconds;
}

function offsetMs(zone: string | undefined): number {
  if (zone === undefined || zone.toUpperCase() === "Z") return 0;
  const sign = zone.startsWith("-") ? -1 : 1;
  const digits = zone.slice(1).replace(":", "");
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
}

/** A number from a cell: NaN when the cell is empty, DATA_BAD_VALUE when it is not a number. */
function parseValue(value: unknown, where: Where, column: string): number {
  if (value === null || value === undefined) return Number.NaN;
  if (typeof value === "number" && Number.isFinite(value)) return value;
  if (typeof value === "string") {
    const text = value.trim();
    if (text.length === 0) return Number.NaN;
    if (NUMBER.test(text)) return Number(text);
  }
  throw new TextkitError("DATA_BAD_VALUE", `${prefix(where)}${column} ${showJson(value)} is not a number`, {
    ...located(where),
    column,
  });
}

function idOf(value: unknown, where: Where, column: string): string {
  const text = typeof value === "number" ? String(value) : typeof value === "string" ? value.trim() : "";
  if (text.length === 0) {
    throw new TextkitError(
      "DATA_BAD_ROW",
      `${prefix(where)}${column} is ${value === undefined || value === null || value === "" ? "empty" : `${showJson(value)}, not an id`}`,
      { ...located(where), column },
    );
  }
  return text;
}

function textOf(value: unknown): string {
  if (typeof value === "string") return value.trim();
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return "";
}

/** Events in columns; row `r` is user `users[user[r]]` doing `types[type[r]]` on item `item[r]` of the catalogue. */
export interface InteractionColumns {
  user: Int32Array;
  item: Int32Array;
  /** Index into `types`. */
  type: Uint8Array;
  /** The event's value; NaN when it has none. */
  value: Float32Array;
  /** What the event adds to the user's interest in the item (see EventWeights). */
  weight: Float32Array;
  /** Unix seconds; without a timestamp column, the row's position in the file. */
  time: Float64Array;
  /** 1-based line in the source file; 0 when the event did not come from a file. */
  line: Int32Array;
}

/**
 * A set of behaviour events over one item catalogue. Splits share the catalogue, the user
 * list and the types, so an index means the same user or item in every part.
 */
export class Interactions implements InteractionColumns {
  readonly catalog: ItemCatalog;
  /** User ids by index. */
  readonly users: readonly string[];
  /** Event types by index. */
  readonly types: readonly string[];
  readonly weights: EventWeights;
  readonly user: Int32Array;
  readonly item: Int32Array;
  readonly type: Uint8Array;
  readonly value: Float32Array;
  readonly weight: Float32Array;
  readonly time: Float64Array;
  readonly line: Int32Array;
  readonly length: number;
  /** Where the events came from (a path, or a description of a split). */
  readonly source: string;
  /** Whether `time` holds real times (a timestamp column) rather than row positions. */
  readonly timed: boolean;
  private userMap: Map<string, number> | null = null;

  constructor(
    catalog: ItemCatalog,
    users: readonly string[],
    types: readonly string[],
    weights: EventWeights,
    columns: InteractionColumns,
    source: string,
    timed: boolean,
  ) {
    const n = columns.user.length;
    for (const array of [
      columns.item,
      columns.type,
      columns.value,
      columns.weight,
      columns.time,
      columns.line,
    ]) {
      if (array.length !== n) throw new TextkitError("INTERNAL", "interaction columns differ in length");
    }
    this.catalog = catalog;
    this.users = users;
    this.types = types;
    this.weights = weights;
    this.user = columns.user;
    this.item = columns.item;
    this.type = columns.type;
    this.value = columns.value;
    this.weight = columns.weight;
    this.time = columns.time;
    this.line = columns.line;
    this.length = n;
    this.source = source;
    this.timed = timed;
  }

  /** The user's index, or -1 when no event names the user. */
  userIndex(id: string): number {
    if (this.userMap === null) {
      this.userMap = new Map();
      for (let u = 0; u < this.users.length; u++) this.userMap.set(this.users[u]!, u);
    }
    return this.userMap.get(id) ?? -1;
  }

  /** The rows at `rows` (in that order), as a new set over the same catalogue, users and types. */
  subset(rows: ArrayLike<number>, source: string): Interactions {
    const n = rows.length;
    const columns = allocate(n);
    for (let i = 0; i < n; i++) {
      const r = rows[i]!;
      columns.user[i] = this.user[r]!;
      columns.item[i] = this.item[r]!;
      columns.type[i] = this.type[r]!;
      columns.value[i] = this.value[r]!;
      columns.weight[i] = this.weight[r]!;
      columns.time[i] = this.time[r]!;
      columns.line[i] = this.line[r]!;
    }
    return new Interactions(this.catalog, this.users, this.types, this.weights, columns, source, this.timed);
  }
}

/**
 * Collects events one by one (validated as a file's rows are) into an Interactions.
 *
 * @example
 * const builder = new InteractionsBuilder(catalog);
 * builder.add({ user: "u1", item: "m1", type: "rating", value: 4, timestamp: 1772366400 });
 * const data = builder.build("memory");
 */
export class InteractionsBuilder {
  readonly catalog: ItemCatalog;
  readonly weights: EventWeights;
  private readonly users: string[] = [];
  private readonly userMap = new Map<string, number>();
  private readonly types: string[] = [];
  private readonly typeMap = new Map<string, number>();
  private columns: InteractionColumns;
  private n = 0;
  private timed: boolean | null = null;

  constructor(catalog: ItemCatalog, weights: EventWeights = DEFAULT_EVENT_WEIGHTS, capacity = 1024) {
    this.catalog = catalog;
    this.weights = weights;
    this.columns = allocate(Math.max(16, capacity));
  }

  get length(): number {
    return this.n;
  }

  /**
   * Validates an event and appends it. An event without a timestamp gets its position
   * (all events of one builder must have one, or none).
   */
  add(event: BehaviourEvent, where: Where = {}, columnNames: EventColumnNames = DEFAULT_EVENT_FIELDS): void {
    const userId = idOf(event.user, where, columnNames.user);
    const itemId = idOf(event.item, where, columnNames.item);
    const item = this.catalog.indexOf(itemId);
    if (item < 0) {
      throw new TextkitError(
        "DATA_UNKNOWN_ITEM",
        `${prefix(where)}item "${itemId}" is not in the catalogue${this.catalog.source === "memory" ? "" : ` (${this.catalog.source})`}`,
        { ...located(where), column: columnNames.item },
      );
    }
    const typeName = textOf(event.type);
    const rule = Object.hasOwn(this.weights, typeName) ? this.weights[typeName] : undefined;
    if (rule === undefined) {
      throw new TextkitError(
        "DATA_UNKNOWN_EVENT_TYPE",
        `${prefix(where)}event type ${showJson(typeName)} has no weight; known types: ${Object.keys(this.weights).join(", ")}`,
        { ...located(where), column: columnNames.type },
      );
    }
    const value = parseValue(event.value, where, columnNames.value);
    let weight: number;
    if (rule === "value") {
      if (Number.isNaN(value)) {
        throw new TextkitError(
          "DATA_BAD_VALUE",
          `${prefix(where)}a "${typeName}" event weighs its value, and this one has none`,
          { ...located(where), column: columnNames.value },
        );
      }
      weight = value;
    } else {
      weight = rule;
    }
    const hasTime = event.timestamp !== undefined && event.timestamp !== null && event.timestamp !== "";
    if (this.timed === null) this.timed = hasTime;
    else if (this.timed !== hasTime) {
      throw new TextkitError(
        "DATA_BAD_TIMESTAMP",
        `${prefix(where)}${hasTime ? "this event has a timestamp and earlier ones have none" : "this event has no timestamp and earlier ones have one"}; give every event a time, or none`,
        { ...located(where), column: columnNames.time },
      );
    }
    const time = hasTime ? parseTimestamp(event.timestamp, where, columnNames.time) : this.n;
    let user = this.userMap.get(userId);
    if (user === undefined) {
      user = this.users.length;
      this.users.push(userId);
      this.userMap.set(userId, user);
    }
    let type = this.typeMap.get(typeName);
    if (type === undefined) {
      if (this.types.length >= 255) {
        throw new TextkitError("DATA_BAD_ROW", `${prefix(where)}more than 255 event types`, located(where));
      }
      type = this.types.length;
      this.types.push(typeName);
      this.typeMap.set(typeName, type);
    }
    this.push(user, item, type, value, weight, time, where.line ?? 0);
  }

  private push(
    user: number,
    item: number,
    type: number,
    value: number,
    weight: number,
    time: number,
    line: number,
  ): void {
    if (this.n === this.columns.user.length) this.columns = grow(this.columns, this.n * 2);
    const c = this.columns;
    const i = this.n++;
    c.user[i] = user;
    c.item[i] = item;
    c.type[i] = type;
    c.value[i] = value;
    c.weight[i] = weight;
    c.time[i] = time;
    c.line[i] = line;
  }

  build(source: string): Interactions {
    const n = this.n;
    const c = this.columns;
    const columns: InteractionColumns = {
      user: c.user.slice(0, n),
      item: c.item.slice(0, n),
      type: c.type.slice(0, n),
      value: c.value.slice(0, n),
      weight: c.weight.slice(0, n),
      time: c.time.slice(0, n),
      line: c.line.slice(0, n),
    };
    return new Interactions(
      this.catalog,
      [...this.users],
      [...this.types],
      this.weights,
      columns,
      source,
      this.timed ?? false,
    );
  }
}

function allocate(n: number): InteractionColumns {
  return {
    user: new Int32Array(n),
    item: new Int32Array(n),
    type: new Uint8Array(n),
    value: new Float32Array(n),
    weight: new Float32Array(n),
    time: new Float64Array(n),
    line: new Int32Array(n),
  };
}

function grow(c: InteractionColumns, n: number): InteractionColumns {
  const out = allocate(n);
  out.user.set(c.user);
  out.item.set(c.item);
  out.type.set(c.type);
  out.value.set(c.value);
  out.weight.set(c.weight);
  out.time.set(c.time);
  out.line.set(c.line);
  return out;
}

/** The column (CSV/TSV) or field (JSONL) names of an events file. */
export interface EventColumnNames {
  user: string;
  item: string;
  type: string;
  value: string;
  time: string;
}

const DEFAULT_EVENT_FIELDS: EventColumnNames = {
  user: "user",
  item: "item",
  type: "type",
  value: "value",
  time: "timestamp",
};

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

/** A catalogue item from what a caller gives (the id is required; the rest defaults to empty). */
export function catalogItemOf(input: CatalogItemInput, where: Where = {}): CatalogItem {
  const id = idOf(input.id, where, "id");
  const created = input.createdAt;
  return {
    id,
    title: textOf(input.title),
    description: textOf(input.description),
    tags: Array.isArray(input.tags) ? input.tags.map(textOf).filter((t) => t.length > 0) : [],
    category: textOf(input.category),
    createdAt:
      created === undefined || created === null || created === ""
        ? null
        : parseTimestamp(created, where, "createdAt"),
  };
}
