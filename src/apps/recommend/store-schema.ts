/**
 * The recommend application's tables: its settings (the A/B split), impressions, outcomes,
 * events and counters, as migrations that are appended to, never edited.
 */

/** Append, never edit. */
export const MIGRATIONS = [
  `CREATE TABLE recommend_settings (
    app TEXT PRIMARY KEY,
    control TEXT NOT NULL,
    treatment TEXT,
    share DOUBLE PRECISION NOT NULL,
    updated_at BIGINT NOT NULL
  );
  CREATE TABLE recommend_impressions (
    id TEXT PRIMARY KEY,
    app TEXT NOT NULL,
    model TEXT NOT NULL,
    version TEXT NOT NULL,
    variant TEXT NOT NULL,
    user_id TEXT NOT NULL,
    item_id TEXT NOT NULL,
    position INTEGER NOT NULL,
    shown_at BIGINT NOT NULL
  );
  CREATE INDEX recommend_impressions_user ON recommend_impressions (app, user_id, item_id, shown_at);
  CREATE INDEX recommend_impressions_time ON recommend_impressions (app, shown_at);
  CREATE TABLE recommend_outcomes (
    impression_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    at BIGINT NOT NULL,
    PRIMARY KEY (impression_id, kind)
  );
  CREATE TABLE recommend_events (
    app TEXT NOT NULL,
    event_key TEXT NOT NULL,
    user_id TEXT NOT NULL,
    item_id TEXT NOT NULL,
    type TEXT NOT NULL,
    value DOUBLE PRECISION,
    event_time DOUBLE PRECISION NOT NULL,
    received_at BIGINT NOT NULL,
    status TEXT NOT NULL,
    out_of_order INTEGER NOT NULL,
    PRIMARY KEY (app, event_key)
  );
  CREATE INDEX recommend_events_user ON recommend_events (app, user_id, event_time);
  CREATE TABLE recommend_counters (
    app TEXT NOT NULL,
    name TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (app, name)
  )`,
] as const;
