/**
 * The radar's findings (moved ring, rising fast, risk jumped) raised as alerts through the
 * monitor's alert machinery: its store (one alert per technology and kind per cooldown, the
 * webhook deliveries queued with it in the same transaction), its webhook deliverer (which
 * the server's monitor runs) and its acknowledgement route. It lives here, above both
 * applications, because an application never imports another.
 */
import { type AlertKind, type AlertRecord, MonitorStore } from "../apps/monitor/index.ts";
import { addPeriods, type RadarBuild } from "../apps/radar/index.ts";
import type { Database } from "../store/index.ts";

/** How long the same finding on the same technology stays quiet (default 7 days). */
export const DEFAULT_RADAR_ALERT_COOLDOWN_MS = 7 * 86_400_000;

export interface RadarAlertOptions {
  /** Webhook URLs the monitor delivers to (the monitor configuration's `webhooks`). */
  webhooks: readonly string[];
  cooldownMs?: number;
  now: number;
}

/**
 * Fires the latest snapshot's findings; returns the alerts that fired (those still in their
 * cooldown do not).
 *
 * @example
 * const fired = await fireRadarAlerts(db, radar, { webhooks: ["https://hooks.example/radar"], now: Date.now() });
 */
export async function fireRadarAlerts(
  db: Database,
  radar: RadarBuild,
  options: RadarAlertOptions,
): Promise<AlertRecord[]> {
  const last = radar.snapshots[radar.snapshots.length - 1];
  if (last === undefined || radar.findings.length === 0) return [];
  const store = await MonitorStore.open(db);
  const window = { from: last.period, to: addPeriods(last.period, radar.settings.period, 1) };
  const fired: AlertRecord[] = [];
  for (const finding of radar.findings) {
    const kind: AlertKind = `radar_${finding.kind}`;
    const blip = last.blips.find((b) => b.technology === finding.technology);
    const alert = await store.fireAlert(
      {
        rule: kind,
        kind,
        topic: finding.technology,
        message: finding.message,
        firedAt: options.now,
        window,
        value: finding.value,
        baseline: { mean: finding.previous, std: null, windows: finding.previous === null ? 0 : 1 },
        z: null,
        count: blip?.mentions ?? 0,
      },
      finding.technology,
      options.cooldownMs ?? DEFAULT_RADAR_ALERT_COOLDOWN_MS,
      options.webhooks,
    );
    if (alert !== null) fired.push(alert);
  }
  return fired;
}
