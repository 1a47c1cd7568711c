/**
 * A token bucket for @fastify/rate-limit: each client may send `burst` requests at once and
 * then `perMinute` a minute, spread evenly, instead of the plugin's fixed windows, which let
 * a client send twice the limit across a window's edge.
 */
import type { FastifyRateLimitStore, FastifyRateLimitStoreCtor } from "@fastify/rate-limit";

interface Bucket {
  tokens: number;
  updatedMs: number;
}

/** Clients remembered at once; the least recently seen are forgotten (they start full again). */
const MAX_CLIENTS = 50_000;

/**
 * A store class for @fastify/rate-limit's `store` option. Use it with `max: burst`.
 *
 * @example
 * await app.register(rateLimit, { store: tokenBucketStore(600, 50), max: 50 });
 */
export function tokenBucketStore(
  perMinute: number,
  burst: number,
  now: () => number = Date.now,
): FastifyRateLimitStoreCtor {
  const perMs = perMinute / 60_000;
  class TokenBucketStore implements FastifyRateLimitStore {
    private readonly buckets = new Map<string, Bucket>();

    incr(
      key: string,
      callback: (error: Error | null, result?: { current: number; ttl: number }) => void,
    ): void {
      const t = now();
      let bucket = this.buckets.get(key);
      if (bucket === undefined) {
        bucket = { tokens: burst, updatedMs: t };
        if (this.buckets.size >= MAX_CLIENTS) {
          const oldest = this.buckets.keys().next().value;
          if (oldest !== undefined) this.buckets.delete(oldest);
        }
      } else {
        this.buckets.delete(key);
        bucket.tokens = Math.min(burst, bucket.tokens + (t - bucket.updatedMs) * perMs);
        bucket.updatedMs = t;
      }
      this.buckets.set(key, bucket);
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        // The plugin reports max - current as remaining.
        const ttl = perMs > 0 ? Math.ceil((burst - bucket.tokens) / perMs) : 60_000;
        callback(null, { current: burst - Math.floor(bucket.tokens), ttl });
        return;
      }
      const ttl = perMs > 0 ? Math.ceil((1 - bucket.tokens) / perMs) : 60_000;
      callback(null, { current: burst + 1, ttl });
    }

    child(): FastifyRateLimitStore {
      return new TokenBucketStore();
    }
  }
  return TokenBucketStore;
}
