/**
 * What the monitor's sources (feeds, the Redis stream) share about failing: how they log,
 * how long a busy pipeline asks them to wait, a sleep a stop can cut short, and an error's
 * message for a log line.
 */
import type { TextkitError } from "../../core/index.ts";

/** How the monitor's sources report what happens; the server passes its logger. */
export type SourceLog = (
  level: "info" | "warn" | "error",
  message: string,
  data?: Record<string, unknown>,
) => void;

/**
 * The wait a MONITOR_BUSY error asks for, kept between 10 ms and 60 s (1 s when it names none).
 *
 * @example
 * retryDelayMs(new TextkitError("MONITOR_BUSY", "behind", { details: { retryAfterMs: 250 } })); // 250
 */
export function retryDelayMs(error: TextkitError): number {
  const asked = Number(error.details?.["retryAfterMs"]);
  return Number.isFinite(asked) ? Math.min(Math.max(asked, 10), 60_000) : 1000;
}

/**
 * Waits `ms`, or less when `signal` aborts (then throws its reason).
 *
 * @example
 * await abortableSleep(1000, stopping.signal);
 */
export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * An error's message for a log line, with the system code of its cause when it has one.
 * Never empty: Node's AggregateError (a connection refused on every address of a host name)
 * has an empty message, so its errors' messages stand in, else the system code or the name.
 *
 * @example
 * describeError(fetchError); // "fetch failed (ECONNREFUSED)"
 */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause;
    const message = error.message !== "" ? error.message : emptyErrorText(error);
    if (cause instanceof Error) {
      const code = systemCode(cause);
      return `${message} (${code ?? describeError(cause)})`;
    }
    return message;
  }
  const text = String(error);
  return text === "" ? "unknown error" : text;
}

function systemCode(error: Error): string | undefined {
  const code: unknown = Reflect.get(error, "code");
  return typeof code === "string" && code !== "" ? code : undefined;
}

function emptyErrorText(error: Error): string {
  if (error instanceof AggregateError && error.errors.length > 0) {
    const parts = error.errors.map((e: unknown) => describeError(e));
    return [...new Set(parts)].join("; ");
  }
  return systemCode(error) ?? error.name;
}
