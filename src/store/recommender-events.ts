/**
 * Behaviour events that reach a served recommender (POST /v1/models/{name}/events), kept
 * in the application database so that none is lost when the server restarts or a model is
 * swapped, and so that every server process (workers, machines sharing PostgreSQL) applies
 * every event, not only the process that received it.
 */
import { randomUUID } from "node:crypto";
import type { Database } from "./database.ts";
import type { Queryable } from "./driver.ts";

/** An event as a client sends it (see BehaviourEvent of the recommender family). */
export interface StoredEventInput {
  user: string;
  item: string;
  type: string;
  value?: number | null;
  timestamp?: string | number | null;
}

export interface StoredEvent {
  id: string;
  user: string;
  item: string;
  type: string;
  value: number | null;
  /** As sent: ISO 8601 or Unix seconds written as text; null when the client sent none. */
  timestamp: string | null;
  /** When the server took it, in milliseconds since 1970. */
  receivedAt: number;
}

/** The recommender_events table's migrations; append, never edit. */
const MIGRATIONS = [
  `CREATE TABLE recommender_events (
    id TEXT PRIMARY KEY,
    model TEXT NOT NULL,
    user_id TEXT NOT NULL,
    item_id TEXT NOT NULL,
    type TEXT NOT NULL,
    value DOUBLE PRECISION,
    event_time TEXT,
    received_at BIGINT NOT NULL
  );
  CREATE INDEX recommender_events_user ON recommender_events (model, user_id, received_at)`,
] as const;

interface EventRow {
  id: string;
  user_id: string;
  item_id: string;
  type: string;
  value: number | null;
  event_time: string | null;
  received_at: number | string;
}

/**
 * The events of served recommenders, per model name.
 *
 * @example
 * const events = await RecommenderEventStore.open(db);
 * await events.record("movies", [{ user: "u1", item: "m7", type: "like" }]);
 * await events.since("movies", "u1", Date.parse("2026-11-01")); // [{ id, user: "u1", item: "m7", ... }]
 */
export class RecommenderEventStore {
  private readonly db: Database;
  private readonly now: () => number;

  private constructor(db: Database, now: () => number) {
    this.db = db;
    this.now = now;
  }

  /** Opens the store, creating or upgrading its table. */
  static async open(db: Database, options: { now?: () => number } = {}): Promise<RecommenderEventStore> {
    await db.migrate("recommender_events", MIGRATIONS);
    return new RecommenderEventStore(db, options.now ?? Date.now);
  }

  /**
   * Writes events of model `model` in one transaction, then runs `apply` with them inside
   * that transaction: when `apply` throws (an event the model refuses), nothing is kept.
   * Returns the events as stored.
   */
  async record(
    model: string,
    events: readonly StoredEventInput[],
    apply: (stored: StoredEvent[]) => void | Promise<void> = () => undefined,
  ): Promise<StoredEvent[]> {
    const stored = this.stored(events);
    await this.db.transaction(async (tx) => {
      await insertAll(tx, model, stored);
      await apply(stored);
    });
    return stored;
  }

  /**
   * Writes events of model `model` with `tx`, inside a transaction the caller runs (an
   * application that stores its own rows with them). Returns the events as stored.
   */
  async recordWithin(
    tx: Queryable,
    model: string,
    events: readonly StoredEventInput[],
  ): Promise<StoredEvent[]> {
    const stored = this.stored(events);
    await insertAll(tx, model, stored);
    return stored;
  }

  private stored(events: readonly StoredEventInput[]): StoredEvent[] {
    const receivedAt = this.now();
    return events.map((e) => ({
      id: randomUUID(),
      user: e.user,
      item: e.item,
      type: e.type,
      value: e.value ?? null,
      timestamp: e.timestamp === undefined || e.timestamp === null ? null : String(e.timestamp),
      receivedAt,
    }));
  }

  /** The user's events for `model` taken at or after `afterMs`, oldest first. */
  async since(model: string, user: string, afterMs: number): Promise<StoredEvent[]> {
    const rows = await this.db.query<EventRow>(
      `SELECT id, user_id, item_id, type, value, event_time, received_at FROM recommender_events
       WHERE model = ? AND user_id = ? AND received_at >= ? ORDER BY received_at, id`,
      [model, user, afterMs],
    );
    return rows.map((r) => ({
      id: r.id,
      user: r.user_id,
      item: r.item_id,
      type: r.type,
      value: r.value === null ? null : Number(r.value),
      timestamp: r.event_time,
      receivedAt: Number(r.received_at),
    }));
  }
}

async function insertAll(tx: Queryable, model: string, events: readonly StoredEvent[]): Promise<void> {
  for (const e of events) {
    await tx.run(
      `INSERT INTO recommender_events (id, model, user_id, item_id, type, value, event_time, received_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      [e.id, model, e.user, e.item, e.type, e.value, e.timestamp, e.receivedAt],
    );
  }
}
