/**
 * Behaviour events of served recommenders, shared by the routes that take them (the model
 * routes and the recommend application's): stored in the application database before they
 * count, and applied to each loaded model version once. Each request for a user first
 * applies that user's stored events this process has not applied yet, so every worker and
 * every server sharing the database answers with every event, and a restart or a model swap
 * loses none (events stored before a version was saved are taken to be in its training data).
 * One instance per server: two would each apply an event once, so twice in all.
 */
import type { FastifyBaseLogger } from "fastify";
import {
  type Queryable,
  RecommenderEventStore,
  type StoredEvent,
  type StoredEventInput,
} from "../store/index.ts";
import type { DatabaseHandle } from "./database-handle.ts";
import type { RecommenderPredictor, ServedModel } from "./registry.ts";

/** Which stored events one loaded model version has taken already. */
interface Applied {
  /** Events taken before the version was saved are in its training data, presumably. */
  since: number;
  ids: Set<string>;
}

function asEvent(e: StoredEvent) {
  return { user: e.user, item: e.item, type: e.type, value: e.value, timestamp: e.timestamp };
}

/**
 * @example
 * const served = new ServedEvents(database, app.log);
 * await served.catchUp(model, model.recommender, "u1");
 */
export class ServedEvents {
  private readonly database: DatabaseHandle;
  private readonly log: FastifyBaseLogger;
  private readonly applied = new WeakMap<ServedModel, Applied>();
  private store: Promise<RecommenderEventStore> | null = null;

  constructor(database: DatabaseHandle, log: FastifyBaseLogger) {
    this.database = database;
    this.log = log;
  }

  /** The event store, opened on first use (a failed open is retried by the next call). */
  events(): Promise<RecommenderEventStore> {
    this.store ??= this.database.get().then((db) => RecommenderEventStore.open(db));
    this.store.catch(() => {
      this.store = null;
    });
    return this.store;
  }

  private appliedOf(model: ServedModel): Applied {
    let state = this.applied.get(model);
    if (state === undefined) {
      const saved = Date.parse(model.manifest.createdAt);
      state = { since: Number.isFinite(saved) ? saved : 0, ids: new Set() };
      this.applied.set(model, state);
    }
    return state;
  }

  /** Applies the user's stored events that this loaded version has not taken yet. */
  async catchUp(model: ServedModel, recommender: RecommenderPredictor, user: string): Promise<void> {
    const state = this.appliedOf(model);
    const stored = await (await this.events()).since(model.name, user, state.since);
    for (const e of stored) {
      // Checked and marked in one synchronous step, so two requests never apply one event twice.
      if (state.ids.has(e.id)) continue;
      state.ids.add(e.id);
      try {
        recommender.addEvents([asEvent(e)]);
      } catch (error) {
        // An event an older request stored for another version (an item this one lacks):
        // skipped here, kept in the database.
        this.log.warn(
          { model: model.name, event: e.id, err: error },
          "a stored event does not fit this model version",
        );
      }
    }
  }

  /**
   * Stores events of a model and applies them in one transaction: an event the model
   * refuses rolls the whole batch back. Returns the events stored and the users touched.
   */
  async record(
    model: ServedModel,
    recommender: RecommenderPredictor,
    events: readonly StoredEventInput[],
  ): Promise<{ stored: StoredEvent[]; users: string[] }> {
    const state = this.appliedOf(model);
    let users: string[] = [];
    const stored = await (await this.events()).record(model.name, events, (batch) => {
      users = recommender.addEvents(batch.map(asEvent));
      for (const e of batch) state.ids.add(e.id);
    });
    return { stored, users };
  }

  /** As `record`, with `tx` of a transaction the caller runs (and rolls back when this throws). */
  async recordWithin(
    tx: Queryable,
    model: ServedModel,
    recommender: RecommenderPredictor,
    events: readonly StoredEventInput[],
  ): Promise<string[]> {
    const state = this.appliedOf(model);
    const stored = await (await this.events()).recordWithin(tx, model.name, events);
    const users = recommender.addEvents(stored.map(asEvent));
    for (const e of stored) state.ids.add(e.id);
    return users;
  }
}
