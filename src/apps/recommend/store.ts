/**
 * The recommend application's tables, in the application database (SQLite by default,
 * PostgreSQL for several processes): the A/B split of each application, the impressions it
 * served (which model and version showed which item at which position to whom), the clicks
 * and conversions attributed to them, and every behaviour event it took.
 *
 * Nothing is lost and nothing counts twice: an event is stored under a key (the client's id,
 * or its user, item, type and time), so one sent again is counted as a duplicate and not
 * applied twice; an event on an item the catalogue lacks is stored as such, counted and
 * reported, never applied; an event older than the user's latest is applied and counted as
 * out of order. An impression takes at most one click and one conversion.
 *
 * The tables are in store-schema.ts, what the store takes and answers in store-records.ts,
 * and the row-by-row steps of an intake (keys, attribution, counters) in store-attribution.ts.
 */
import { randomUUID } from "node:crypto";
import { type BehaviourEvent, parseTimestamp } from "../../data/index.ts";
import type { Database, Queryable, SqlValue } from "../../store/index.ts";
import { checkSplit, type SplitConfig, type Variant } from "./ab-split.ts";
import { rateDifference } from "./measurement.ts";
import { attribute, bump, eventKey } from "./store-attribution.ts";
import {
  type AppEventInput,
  type AppStats,
  CLICK_TYPES,
  CONVERSION_TYPES,
  FIGURES,
  type FigureRow,
  figures,
  type Impression,
  type ImpressionInput,
  type IntakeResult,
  variantOf,
} from "./store-records.ts";
import { MIGRATIONS } from "./store-schema.ts";

/**
 * The recommend application's store.
 *
 * @example
 * const store = await RecommendStore.open(db);
 * await store.setSplit("shop", { control: "shop-als", treatment: "shop-hybrid", share: 0.5 });
 * const shown = await store.logImpressions("shop", { model: "shop-hybrid", version: "v2", variant: "treatment", user: "u1" }, [{ item: "a1", position: 1 }]);
 * await store.intake("shop", [{ user: "u1", item: "a1", type: "click", impression: shown[0].id }], (id) => id === "a1");
 * (await store.stats("shop")).byVariant; // [{ variant: "treatment", impressions: 1, ctr: { rate: 1, ... } }]
 */
export class RecommendStore {
  private readonly db: Database;
  private readonly now: () => number;

  private constructor(db: Database, now: () => number) {
    this.db = db;
    this.now = now;
  }

  /** Opens the store, creating or upgrading its tables. */
  static async open(db: Database, options: { now?: () => number } = {}): Promise<RecommendStore> {
    await db.migrate("recommend_app", MIGRATIONS);
    return new RecommendStore(db, options.now ?? Date.now);
  }

  /** The application's split; without one stored, `fallback` (every user on the control). */
  async split(app: string, fallback: SplitConfig): Promise<SplitConfig> {
    const rows = await this.db.query<{ control: string; treatment: string | null; share: number }>(
      "SELECT control, treatment, share FROM recommend_settings WHERE app = ?",
      [app],
    );
    const row = rows[0];
    return row === undefined
      ? fallback
      : { control: row.control, treatment: row.treatment, share: Number(row.share) };
  }

  /** Stores the application's split (checked first: a share outside [0, 1] is OPTION_INVALID). */
  async setSplit(app: string, config: SplitConfig): Promise<SplitConfig> {
    const checked = checkSplit(config);
    await this.db.run(
      `INSERT INTO recommend_settings (app, control, treatment, share, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (app) DO UPDATE SET control = excluded.control, treatment = excluded.treatment,
       share = excluded.share, updated_at = excluded.updated_at`,
      [app, checked.control, checked.treatment, checked.share, this.now()],
    );
    return checked;
  }

  /** Records the items one answer showed; returns them with their impression ids. */
  async logImpressions(
    app: string,
    served: { model: string; version: string; variant: Variant; user: string },
    items: readonly ImpressionInput[],
  ): Promise<Impression[]> {
    const at = this.now();
    const out = items.map((i) => ({ ...i, id: randomUUID() }));
    await this.db.transaction(async (tx) => {
      for (const i of out) {
        await tx.run(
          `INSERT INTO recommend_impressions (id, app, model, version, variant, user_id, item_id, position, shown_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          [i.id, app, served.model, served.version, served.variant, served.user, i.item, i.position, at],
        );
      }
    });
    return out;
  }

  /**
   * Takes a batch of events in one transaction: each is stored under its key; duplicates are
   * counted and dropped, events on unknown items (`known` says false) stored and reported,
   * the rest returned to be applied, with clicks and conversions attributed to impressions.
   * `apply` runs inside the transaction with the accepted events: when it throws, nothing is kept.
   * A timestamp that cannot be read is DATA_BAD_TIMESTAMP and refuses the batch.
   */
  async intake(
    app: string,
    events: readonly AppEventInput[],
    known: (item: string) => boolean,
    apply: (accepted: IntakeResult["accepted"], tx: Queryable) => void | Promise<void> = () => undefined,
  ): Promise<IntakeResult> {
    const receivedAt = this.now();
    const parsed = events.map((e, index) => ({
      ...e,
      timestamp:
        e.timestamp === undefined || e.timestamp === null
          ? receivedAt / 1000
          : parseTimestamp(e.timestamp, { index }),
    }));
    return this.db.transaction(async (tx) => {
      const result: IntakeResult = {
        accepted: [],
        duplicates: 0,
        unknownItems: [],
        outOfOrder: 0,
        newUsers: [],
        clicks: 0,
        conversions: 0,
        outcomes: [],
      };
      const latest = new Map<string, number | null>();
      for (const [index, e] of parsed.entries()) {
        const raw = events[index]?.timestamp;
        const step = { app, index, untimed: raw === undefined || raw === null, receivedAt };
        await this.intakeOne(tx, e, step, known(e.item), latest, result);
      }
      if (result.duplicates > 0) await bump(tx, app, "duplicates", result.duplicates);
      await apply(result.accepted, tx);
      return result;
    });
  }

  /**
   * One event of an intake: stored under its key (a duplicate is counted and dropped), its
   * user's latest time kept in `latest`, and a known item's event accepted and attributed.
   */
  private async intakeOne(
    tx: Queryable,
    e: ParsedEvent,
    step: { app: string; index: number; untimed: boolean; receivedAt: number },
    isKnown: boolean,
    latest: Map<string, number | null>,
    result: IntakeResult,
  ): Promise<void> {
    const { app, index, receivedAt } = step;
    const last = latest.has(e.user) ? (latest.get(e.user) ?? null) : await latestEventTime(tx, app, e.user);
    const late = isKnown && last !== null && e.timestamp < last;
    const inserted = await tx.run(
      `INSERT INTO recommend_events (app, event_key, user_id, item_id, type, value, event_time, received_at, status, out_of_order)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (app, event_key) DO NOTHING`,
      [
        app,
        eventKey(e, step.untimed),
        e.user,
        e.item,
        e.type,
        e.value ?? null,
        e.timestamp,
        receivedAt,
        isKnown ? "applied" : "unknown_item",
        late ? 1 : 0,
      ],
    );
    if (inserted.changes === 0) {
      result.duplicates++;
      latest.set(e.user, last);
      return;
    }
    if (last === null && !result.newUsers.includes(e.user)) result.newUsers.push(e.user);
    latest.set(e.user, last === null ? e.timestamp : Math.max(last, e.timestamp));
    if (!isKnown) {
      result.unknownItems.push({ index, item: e.item });
      return;
    }
    if (late) result.outOfOrder++;
    result.accepted.push({
      user: e.user,
      item: e.item,
      type: e.type,
      value: e.value ?? null,
      timestamp: e.timestamp,
    });
    const kind = CLICK_TYPES.includes(e.type)
      ? "click"
      : CONVERSION_TYPES.includes(e.type)
        ? "conversion"
        : null;
    const outcome = kind === null ? null : await attribute(tx, app, e, kind, receivedAt);
    if (outcome !== null) {
      result.outcomes.push(outcome);
      if (outcome.kind === "click") result.clicks++;
      else result.conversions++;
    }
  }

  /** Online figures of the application since `sinceMs` (default: all time). */
  async stats(app: string, split: SplitConfig, sinceMs = 0): Promise<AppStats> {
    const where = "FROM recommend_impressions i WHERE i.app = ? AND i.shown_at >= ?";
    const params: SqlValue[] = [app, sinceMs];
    const versions = await this.db.query<FigureRow & { model: string; version: string; variant: string }>(
      `SELECT i.model, i.version, i.variant, ${FIGURES} ${where} GROUP BY i.model, i.version, i.variant ORDER BY i.model, i.version, i.variant`,
      params,
    );
    const variants = await this.db.query<FigureRow & { variant: string }>(
      `SELECT i.variant, ${FIGURES} ${where} GROUP BY i.variant ORDER BY i.variant`,
      params,
    );
    const positions = await this.db.query<FigureRow & { variant: string; position: number }>(
      `SELECT i.variant, i.position, ${FIGURES} ${where} GROUP BY i.variant, i.position ORDER BY i.variant, i.position`,
      params,
    );
    const byVariant = variants.map((r) => ({ variant: variantOf(r.variant), ...figures(r) }));
    const control = byVariant.find((v) => v.variant === "control");
    const treatment = byVariant.find((v) => v.variant === "treatment");
    const none = figures({ impressions: 0, clicks: 0, conversions: 0 });
    const difference =
      split.treatment === null && treatment === undefined
        ? null
        : {
            ctr: rateDifference((control ?? none).ctr, (treatment ?? none).ctr),
            conversion: rateDifference((control ?? none).conversion, (treatment ?? none).conversion),
          };
    return {
      split,
      byVersion: versions.map((r) => ({
        model: r.model,
        version: r.version,
        variant: variantOf(r.variant),
        ...figures(r),
      })),
      byVariant,
      byPosition: positions.map((r) => ({
        variant: variantOf(r.variant),
        position: Number(r.position),
        ...figures(r),
      })),
      difference,
      events: await this.eventFigures(app),
    };
  }

  private async eventFigures(app: string): Promise<AppStats["events"]> {
    const statuses = await this.db.query<{
      status: string;
      n: number | string;
      late: number | string | null;
    }>(
      "SELECT status, COUNT(*) AS n, SUM(out_of_order) AS late FROM recommend_events WHERE app = ? GROUP BY status",
      [app],
    );
    const users = await this.db.query<{ n: number | string }>(
      "SELECT COUNT(DISTINCT user_id) AS n FROM recommend_events WHERE app = ?",
      [app],
    );
    const counters = await this.db.query<{ n: number | string }>(
      "SELECT n FROM recommend_counters WHERE app = ? AND name = 'duplicates'",
      [app],
    );
    const unknown = await this.db.query<{ item_id: string; n: number | string }>(
      `SELECT item_id, COUNT(*) AS n FROM recommend_events WHERE app = ? AND status = 'unknown_item'
       GROUP BY item_id ORDER BY COUNT(*) DESC, item_id LIMIT 20`,
      [app],
    );
    const applied = statuses.find((s) => s.status === "applied");
    const unknownRow = statuses.find((s) => s.status === "unknown_item");
    return {
      applied: Number(applied?.n ?? 0),
      duplicates: Number(counters[0]?.n ?? 0),
      unknownItem: Number(unknownRow?.n ?? 0),
      outOfOrder: Number(applied?.late ?? 0),
      users: Number(users[0]?.n ?? 0),
      unknownItems: unknown.map((r) => ({ item: r.item_id, events: Number(r.n) })),
    };
  }

  /** The user's applied events, oldest first (at most `limit`, the latest ones). */
  async userEvents(
    app: string,
    user: string,
    limit = 200,
  ): Promise<(BehaviourEvent & { timestamp: number })[]> {
    const rows = await this.db.query<{
      item_id: string;
      type: string;
      value: number | null;
      event_time: number;
    }>(
      `SELECT item_id, type, value, event_time FROM recommend_events
       WHERE app = ? AND user_id = ? AND status = 'applied' ORDER BY event_time DESC, event_key LIMIT ?`,
      [app, user, limit],
    );
    return rows.reverse().map((r) => ({
      user,
      item: r.item_id,
      type: r.type,
      value: r.value === null ? null : Number(r.value),
      timestamp: Number(r.event_time),
    }));
  }
}

/** An event of an intake with its timestamp read (seconds). */
type ParsedEvent = Omit<AppEventInput, "timestamp"> & { timestamp: number };

/** The time of a user's latest stored event of the application, or null for a new user. */
async function latestEventTime(tx: Queryable, app: string, user: string): Promise<number | null> {
  const rows = await tx.query<{ t: number | null }>(
    "SELECT MAX(event_time) AS t FROM recommend_events WHERE app = ? AND user_id = ?",
    [app, user],
  );
  const t = rows[0]?.t;
  return t === null || t === undefined ? null : Number(t);
}
