/**
 * Behaviour events held column by column in typed arrays, so that ten million of them cost
 * a few hundred megabytes rather than ten million objects, and the builder that collects
 * them one by one.
 */
import { TextkitError } from "../core/index.ts";
import type { ItemCatalog } from "./interactions-catalog.ts";
import {
  type BehaviourEvent,
  DEFAULT_EVENT_FIELDS,
  DEFAULT_EVENT_WEIGHTS,
  type EventColumnNames,
  type EventWeights,
  idOf,
  located,
  parseTimestamp,
  parseValue,
  prefix,
  textOf,
  type Where,
} from "./interactions-fields.ts";
import { showJson } from "./json-line.ts";

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
