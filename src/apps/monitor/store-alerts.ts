/**
 * Alerts and their webhook deliveries, written together (an outbox): an alert is never
 * fired without its deliveries being queued, and a delivery is taken by one process at a
 * time through a lease.
 */
import { randomUUID } from "node:crypto";
import { TextkitError } from "../../core/index.ts";
import type { Database, SqlValue } from "../../store/index.ts";
import type { AlertKind } from "./config.ts";
import { num, numOrNull } from "./store-rows.ts";
import {
  type AlertDraft,
  type AlertRecord,
  DELIVERY_STATUSES,
  type Delivery,
  type DeliveryStatus,
} from "./store-types.ts";

interface AlertRow {
  id: string;
  rule_id: string;
  kind: string;
  topic: string;
  message: string;
  fired_at: number | string;
  window_from: number | string;
  window_to: number | string;
  value: number;
  baseline_mean: number | null;
  baseline_std: number | null;
  baseline_windows: number | string;
  z: number | null;
  doc_count: number | string;
  status: string;
  acknowledged_at: number | string | null;
  acknowledged_by: string | null;
  note: string | null;
}

interface DeliveryRow {
  id: string;
  alert_id: string;
  target: string;
  status: string;
  attempts: number | string;
  next_attempt_at: number | string;
  last_error: string | null;
  delivered_at: number | string | null;
}

/**
 * The monitor's alerts and deliveries in its database.
 *
 * @example
 * const outbox = new AlertOutbox(db);
 * const alert = await outbox.fireAlert(draft, "neg:banking", 3_600_000, ["https://hooks.example/a"]);
 */
export class AlertOutbox {
  constructor(private readonly db: Database) {}

  /**
   * Fires an alert unless the same rule fired for the same key within `cooldownMs`, and
   * queues one delivery per target, all in one transaction. The cooldown check is one
   * conditional UPDATE, so two processes evaluating the same rule fire it once. Returns the
   * alert, or null when it was quiet.
   */
  async fireAlert(
    draft: AlertDraft,
    key: string,
    cooldownMs: number,
    targets: readonly string[],
  ): Promise<AlertRecord | null> {
    const now = draft.firedAt;
    return this.db.transaction(async (tx) => {
      await tx.run(
        `INSERT INTO monitor_alert_state (rule_id, alert_key, last_fired_at) VALUES (?, ?, ?)
         ON CONFLICT (rule_id, alert_key) DO NOTHING`,
        [draft.rule, key, Number.MIN_SAFE_INTEGER],
      );
      const claimed = await tx.run(
        "UPDATE monitor_alert_state SET last_fired_at = ? WHERE rule_id = ? AND alert_key = ? AND last_fired_at <= ?",
        [now, draft.rule, key, now - cooldownMs],
      );
      if (claimed.changes !== 1) return null;
      const id = randomUUID();
      await tx.run(
        `INSERT INTO monitor_alerts (id, rule_id, kind, topic, message, fired_at, window_from, window_to, value,
           baseline_mean, baseline_std, baseline_windows, z, doc_count, status)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open')`,
        [
          id,
          draft.rule,
          draft.kind,
          draft.topic,
          draft.message,
          now,
          draft.window.from,
          draft.window.to,
          draft.value,
          draft.baseline.mean,
          draft.baseline.std,
          draft.baseline.windows,
          draft.z,
          draft.count,
        ],
      );
      const deliveries: Delivery[] = targets.map((target) => ({
        id: randomUUID(),
        alertId: id,
        target,
        status: "pending",
        attempts: 0,
        nextAttemptAt: now,
        lastError: null,
        deliveredAt: null,
      }));
      for (const d of deliveries) {
        await tx.run(
          `INSERT INTO monitor_deliveries (id, alert_id, target, status, attempts, next_attempt_at)
           VALUES (?, ?, ?, 'pending', 0, ?)`,
          [d.id, d.alertId, d.target, d.nextAttemptAt],
        );
      }
      return {
        ...draft,
        id,
        status: "open",
        acknowledgedAt: null,
        acknowledgedBy: null,
        note: null,
        deliveries,
      };
    });
  }

  /** Alerts, newest first. */
  async alerts(filter: {
    status?: "open" | "acknowledged";
    limit: number;
    since?: number;
  }): Promise<AlertRecord[]> {
    const params: SqlValue[] = [];
    let sql = "SELECT * FROM monitor_alerts WHERE 1 = 1";
    if (filter.status !== undefined) {
      sql += " AND status = ?";
      params.push(filter.status);
    }
    if (filter.since !== undefined) {
      sql += " AND fired_at >= ?";
      params.push(filter.since);
    }
    sql += " ORDER BY fired_at DESC, id LIMIT ?";
    params.push(filter.limit);
    const rows = await this.db.query<AlertRow>(sql, params);
    return this.withDeliveries(rows);
  }

  async alert(id: string): Promise<AlertRecord> {
    const rows = await this.db.query<AlertRow>("SELECT * FROM monitor_alerts WHERE id = ?", [id]);
    if (rows.length === 0) {
      throw new TextkitError("ALERT_NOT_FOUND", `there is no alert with id '${id}'`, {
        details: { field: "/id" },
      });
    }
    const [record] = await this.withDeliveries(rows);
    if (record === undefined) throw new TextkitError("ALERT_NOT_FOUND", `there is no alert with id '${id}'`);
    return record;
  }

  async openAlertCount(): Promise<number> {
    const rows = await this.db.query<{ n: number | string }>(
      "SELECT COUNT(*) AS n FROM monitor_alerts WHERE status = 'open'",
    );
    return num(rows[0]?.n ?? 0);
  }

  /** Marks an alert acknowledged (a second acknowledgement keeps the first one's time and person). */
  async acknowledge(id: string, by: string | null, note: string | null, now: number): Promise<AlertRecord> {
    await this.alert(id);
    await this.db.run(
      `UPDATE monitor_alerts SET status = 'acknowledged', acknowledged_at = ?, acknowledged_by = ?, note = ?
       WHERE id = ? AND status = 'open'`,
      [now, by, note, id],
    );
    return this.alert(id);
  }

  private async withDeliveries(rows: AlertRow[]): Promise<AlertRecord[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    const deliveries = await this.db.query<DeliveryRow>(
      `SELECT id, alert_id, target, status, attempts, next_attempt_at, last_error, delivered_at
       FROM monitor_deliveries WHERE alert_id IN (${ids.map(() => "?").join(", ")}) ORDER BY target, id`,
      ids,
    );
    const byAlert = new Map<string, Delivery[]>();
    for (const d of deliveries) {
      const list = byAlert.get(d.alert_id) ?? [];
      list.push(deliveryOf(d));
      byAlert.set(d.alert_id, list);
    }
    return rows.map((r) => ({
      id: r.id,
      rule: r.rule_id,
      kind: r.kind as AlertKind,
      topic: r.topic,
      message: r.message,
      firedAt: num(r.fired_at),
      window: { from: num(r.window_from), to: num(r.window_to) },
      value: Number(r.value),
      baseline: {
        mean: r.baseline_mean === null ? null : Number(r.baseline_mean),
        std: r.baseline_std === null ? null : Number(r.baseline_std),
        windows: num(r.baseline_windows),
      },
      z: r.z === null ? null : Number(r.z),
      count: num(r.doc_count),
      status: r.status === "acknowledged" ? "acknowledged" : "open",
      acknowledgedAt: numOrNull(r.acknowledged_at),
      acknowledgedBy: r.acknowledged_by,
      note: r.note,
      deliveries: byAlert.get(r.id) ?? [],
    }));
  }

  /** Pending deliveries whose time has come and that no process holds, oldest first. */
  async dueDeliveries(now: number, limit: number): Promise<Delivery[]> {
    const rows = await this.db.query<DeliveryRow>(
      `SELECT id, alert_id, target, status, attempts, next_attempt_at, last_error, delivered_at FROM monitor_deliveries
       WHERE status = 'pending' AND next_attempt_at <= ? AND (lease_until IS NULL OR lease_until < ?)
       ORDER BY next_attempt_at, id LIMIT ?`,
      [now, now, limit],
    );
    return rows.map(deliveryOf);
  }

  /** Takes a delivery for `leaseMs`; false when another process took it first. */
  async claimDelivery(id: string, now: number, leaseMs: number): Promise<boolean> {
    const r = await this.db.run(
      `UPDATE monitor_deliveries SET lease_until = ? WHERE id = ? AND status = 'pending'
       AND (lease_until IS NULL OR lease_until < ?)`,
      [now + leaseMs, id, now],
    );
    return r.changes === 1;
  }

  /** Records an attempt: delivered, another try at `retryAt`, or given up (`retryAt` null). */
  async recordAttempt(
    id: string,
    outcome: { delivered: true; at: number } | { delivered: false; error: string; retryAt: number | null },
  ): Promise<void> {
    if (outcome.delivered) {
      await this.db.run(
        `UPDATE monitor_deliveries SET status = 'delivered', attempts = attempts + 1, delivered_at = ?,
         lease_until = NULL, last_error = NULL WHERE id = ?`,
        [outcome.at, id],
      );
      return;
    }
    await this.db.run(
      `UPDATE monitor_deliveries SET status = ?, attempts = attempts + 1, next_attempt_at = COALESCE(?, next_attempt_at),
       lease_until = NULL, last_error = ? WHERE id = ?`,
      [outcome.retryAt === null ? "failed" : "pending", outcome.retryAt, outcome.error.slice(0, 2000), id],
    );
  }
}

function deliveryOf(r: DeliveryRow): Delivery {
  return {
    id: r.id,
    alertId: r.alert_id,
    target: r.target,
    status: (DELIVERY_STATUSES as readonly string[]).includes(r.status)
      ? (r.status as DeliveryStatus)
      : "pending",
    attempts: num(r.attempts),
    nextAttemptAt: num(r.next_attempt_at),
    lastError: r.last_error,
    deliveredAt: numOrNull(r.delivered_at),
  };
}
