/**
 * Sends alerts to webhooks from the deliveries the store queued with them (an outbox), so a
 * delivery survives a restart and is sent by one process at a time (a short lease). Each
 * POST carries the alert as JSON with an `Idempotency-Key` header (the alert's id, the same
 * on every retry, so a receiver that saw it already can ignore it), and, when the target
 * has a secret, `X-Textkit-Signature: sha256=<HMAC of the body>`.
 *
 * A 2xx answer delivers. A network error, a timeout, 408, 425, 429 or a 5xx is tried again
 * after an exponentially growing, jittered delay (a Retry-After header is honoured), until
 * the target's maxAttempts; any other answer (the receiver refuses the alert) gives up at once.
 */
import { signWebhookBody } from "../../core/index.ts";
import type { WebhookTarget } from "./config.ts";
import type { AlertRecord, Delivery, MonitorStore } from "./store.ts";

export type MonitorLog = (
  level: "info" | "warn" | "error",
  message: string,
  data?: Record<string, unknown>,
) => void;

export interface WebhookDelivererOptions {
  store: MonitorStore;
  targets: readonly WebhookTarget[];
  log?: MonitorLog;
  fetch?: typeof fetch;
  now?: () => number;
  /** Random numbers in [0, 1) for the jitter (default Math.random). */
  random?: () => number;
  /** Delay before the second attempt (default 1,000 ms); it doubles after each failure. */
  baseDelayMs?: number;
  /** Longest delay between two attempts (default 5 minutes). */
  maxDelayMs?: number;
  /** How long one attempt may take (default 10,000 ms). */
  timeoutMs?: number;
  /** How often due deliveries are looked for (default 1,000 ms). */
  pollMs?: number;
}

const RETRYABLE = new Set([408, 425, 429]);

/** A delivery of an alert as JSON: its target, state and times as ISO 8601. */
export interface DeliveryJson {
  target: string;
  status: Delivery["status"];
  attempts: number;
  lastError: string | null;
  deliveredAt: string | null;
}

/** An alert as JSON: the webhook payload's `alert` and the API's answer alike (times as ISO 8601). */
export type AlertJson = Omit<AlertRecord, "firedAt" | "window" | "acknowledgedAt" | "deliveries"> & {
  firedAt: string;
  window: { from: string; to: string };
  acknowledgedAt: string | null;
  deliveries: DeliveryJson[];
};

/** The JSON an alert is sent as (and shown by the API). */
export function alertJson(alert: AlertRecord): AlertJson {
  const iso = (t: number) => new Date(t).toISOString();
  return {
    id: alert.id,
    rule: alert.rule,
    kind: alert.kind,
    topic: alert.topic,
    message: alert.message,
    firedAt: iso(alert.firedAt),
    window: { from: iso(alert.window.from), to: iso(alert.window.to) },
    value: alert.value,
    baseline: alert.baseline,
    z: alert.z,
    count: alert.count,
    status: alert.status,
    acknowledgedAt: alert.acknowledgedAt === null ? null : iso(alert.acknowledgedAt),
    acknowledgedBy: alert.acknowledgedBy,
    note: alert.note,
    deliveries: alert.deliveries.map((d) => ({
      target: d.target,
      status: d.status,
      attempts: d.attempts,
      lastError: d.lastError,
      deliveredAt: d.deliveredAt === null ? null : iso(d.deliveredAt),
    })),
  };
}

/** Seconds or an HTTP date in a Retry-After header, as milliseconds from `now`. */
function retryAfterMs(header: string | null, now: number): number | null {
  if (header === null) return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(header);
  return Number.isFinite(date) ? Math.max(0, date - now) : null;
}

/**
 * Delivers queued alerts.
 *
 * @example
 * const deliverer = new WebhookDeliverer({ store, targets: config.webhooks });
 * deliverer.start();
 * deliverer.kick(); // after an alert fired
 * await deliverer.stop();
 */
export class WebhookDeliverer {
  private readonly store: MonitorStore;
  private readonly targets: Map<string, WebhookTarget>;
  private readonly log: MonitorLog;
  private readonly fetch: typeof fetch;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly timeoutMs: number;
  private readonly pollMs: number;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = true;

  constructor(options: WebhookDelivererOptions) {
    this.store = options.store;
    this.targets = new Map(options.targets.map((t) => [t.url, t]));
    this.log = options.log ?? (() => undefined);
    this.fetch = options.fetch ?? fetch;
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    this.baseDelayMs = options.baseDelayMs ?? 1_000;
    this.maxDelayMs = options.maxDelayMs ?? 300_000;
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.pollMs = options.pollMs ?? 1_000;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.timer = setInterval(() => this.kick(), this.pollMs);
    this.timer.unref();
    this.kick();
  }

  /** Looks for due deliveries now (one pass at a time; a kick during a pass runs one more). */
  kick(): void {
    if (this.stopped) return;
    if (this.running !== null) {
      this.again = true;
      return;
    }
    this.running = (async () => {
      do {
        this.again = false;
        try {
          await this.deliverDue();
        } catch (error) {
          this.log("error", "webhook delivery pass failed", { err: String(error) });
        }
      } while (this.again && !this.stopped);
    })().finally(() => {
      this.running = null;
    });
  }

  /** Stops the timer and waits for the pass under way. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /** Sends every due delivery once; returns how many were attempted. */
  async deliverDue(): Promise<number> {
    const due = await this.store.dueDeliveries(this.now(), 50);
    let attempted = 0;
    for (const delivery of due) {
      if (!(await this.store.claimDelivery(delivery.id, this.now(), this.timeoutMs * 2))) continue;
      attempted++;
      await this.attempt(delivery);
    }
    return attempted;
  }

  private async attempt(delivery: Delivery): Promise<void> {
    const target = this.targets.get(delivery.target);
    if (target === undefined) {
      await this.store.recordAttempt(delivery.id, {
        delivered: false,
        error: "this webhook is no longer in the configuration",
        retryAt: null,
      });
      return;
    }
    const alert = await this.store.alert(delivery.alertId);
    const body = JSON.stringify({ type: "textkit.monitor.alert", alert: alertJson(alert) });
    const headers: Record<string, string> = {
      "content-type": "application/json",
      "user-agent": "textkit-monitor/0.1",
      "idempotency-key": alert.id,
      "x-textkit-delivery": delivery.id,
      "x-textkit-attempt": String(delivery.attempts + 1),
    };
    if (target.secret !== null) {
      headers["x-textkit-signature"] = signWebhookBody(target.secret, body);
    }
    let error: string;
    let retryable = true;
    let wait: number | null = null;
    try {
      const res = await this.fetch(target.url, {
        method: "POST",
        headers,
        body,
        signal: AbortSignal.timeout(this.timeoutMs),
        redirect: "manual",
      });
      // The body is not needed; reading it frees the connection.
      await res.arrayBuffer().catch(() => undefined);
      if (res.status >= 200 && res.status < 300) {
        await this.store.recordAttempt(delivery.id, { delivered: true, at: this.now() });
        this.log("info", "alert delivered", {
          alert: alert.id,
          target: target.url,
          attempts: delivery.attempts + 1,
        });
        return;
      }
      error = `HTTP ${res.status}`;
      retryable = res.status >= 500 || RETRYABLE.has(res.status);
      wait = retryAfterMs(res.headers.get("retry-after"), this.now());
    } catch (cause) {
      error = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
    }
    const attempts = delivery.attempts + 1;
    const giveUp = !retryable || attempts >= target.maxAttempts;
    const backoff =
      Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** (attempts - 1)) * (0.5 + this.random() / 2);
    const retryAt = giveUp ? null : this.now() + Math.min(this.maxDelayMs, Math.max(backoff, wait ?? 0));
    await this.store.recordAttempt(delivery.id, { delivered: false, error, retryAt });
    this.log(
      giveUp ? "error" : "warn",
      giveUp ? "alert delivery failed; giving up" : "alert delivery failed; will retry",
      {
        alert: alert.id,
        target: target.url,
        attempts,
        error,
        ...(retryAt === null ? {} : { retryAt: new Date(retryAt).toISOString() }),
      },
    );
  }
}
