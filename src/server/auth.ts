/**
 * Bearer API keys with scopes. Each route names the scope it needs in its config
 * (`config: { scope: "predict" }`); routes without one are public (health, metrics, docs).
 */
import { createHash } from "node:crypto";
import type { FastifyReply, FastifyRequest } from "fastify";
import { TextkitError } from "../core/index.ts";
import type { AuthMode } from "./config.ts";

export const ROUTE_SCOPES = ["predict", "monitor", "radar", "admin"] as const;
export type RouteScope = (typeof ROUTE_SCOPES)[number];

/**
 * Other key scopes a route's scope also accepts, besides itself and `admin`. The radar's
 * routes needed `monitor` before the `radar` scope existed, so monitor keys keep working
 * there (they read the same news).
 */
const ALSO_GRANTED_BY: Readonly<Partial<Record<RouteScope, readonly string[]>>> = { radar: ["monitor"] };

/** True when a key with `scopes` may call a route that needs `scope`. */
export function grantsScope(scopes: readonly string[], scope: RouteScope): boolean {
  if (scopes.includes(scope) || scopes.includes("admin")) return true;
  return (ALSO_GRANTED_BY[scope] ?? []).some((other) => scopes.includes(other));
}

/** What a request knows about the key it came with; never the token. */
export interface RequestKey {
  id: string;
  name: string;
  scopes: readonly string[];
}

/** The part of the API key store the server uses. */
export interface KeyVerifier {
  /** The active key a token belongs to, or null for an unknown or revoked one. */
  verify(token: string): Promise<RequestKey | null>;
  activeCount(): Promise<number> | number;
}

/** How long "auto" trusts its count of active keys; a first key created takes effect within it. */
const COUNT_TTL_MS = 1000;
/**
 * How long a verified (or refused) token is trusted without asking the store again, so that
 * the store is not hit, and the token not hashed by it, on every request. A revoked key
 * stops working within this time.
 */
const VERIFY_TTL_MS = 1000;
const VERIFY_CACHE_SIZE = 10_000;
const BEARER = /^Bearer +(\S+) *$/i;

function isLoopback(address: string | undefined): boolean {
  if (address === undefined) return false;
  return address === "::1" || address.startsWith("127.") || address.startsWith("::ffff:127.");
}

function challenge(
  reply: FastifyReply,
  error?: "invalid_token" | "insufficient_scope",
  scope?: string,
): void {
  const parts = ['Bearer realm="textkit"'];
  if (error !== undefined) parts.push(`error="${error}"`);
  if (scope !== undefined) parts.push(`scope="${scope}"`);
  reply.header("www-authenticate", parts.join(", "));
}

/**
 * Checks each request's key against the scope of its route.
 *
 * @example
 * const auth = new Authenticator("auto", keys);
 * app.addHook("onRequest", auth.hook);
 */
export class Authenticator {
  private readonly mode: AuthMode;
  private readonly keys: KeyVerifier | null;
  private counted: { value: number; atMs: number } | null = null;
  private readonly verified = new Map<string, { key: RequestKey | null; atMs: number }>();

  constructor(mode: AuthMode, keys: KeyVerifier | null) {
    if (mode !== "off" && keys === null)
      throw new TextkitError("INTERNAL", `auth mode '${mode}' needs an API key store`);
    this.mode = mode;
    this.keys = keys;
  }

  /** Whether requests must carry a key right now. */
  async enabled(): Promise<boolean> {
    if (this.mode !== "auto") return this.mode === "on";
    const now = Date.now();
    if (this.counted === null || now - this.counted.atMs > COUNT_TTL_MS) {
      this.counted = { value: await this.keys!.activeCount(), atMs: now };
    }
    return this.counted.value > 0;
  }

  /** An onRequest hook: sets `request.apiKey`, or throws AUTH_REQUIRED / AUTH_FORBIDDEN. */
  readonly hook = async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const scope = request.routeOptions.config.scope;
    if (scope === undefined) return;
    if (this.mode === "off" || this.keys === null) {
      this.allowWithoutKey(request, reply, scope);
      return;
    }
    const header = request.headers.authorization;
    if (header === undefined) {
      if (await this.enabled()) {
        challenge(reply);
        throw new TextkitError("AUTH_REQUIRED", "this route needs an API key");
      }
      this.allowWithoutKey(request, reply, scope);
      return;
    }
    const match = BEARER.exec(header);
    if (match === null) {
      challenge(reply, "invalid_token");
      throw new TextkitError("AUTH_REQUIRED", "the Authorization header must be 'Bearer <token>'");
    }
    const key = await this.verify(match[1]!);
    if (key === null) {
      challenge(reply, "invalid_token");
      throw new TextkitError("AUTH_REQUIRED", "the API key is not valid or has been revoked");
    }
    request.apiKey = key;
    if (!grantsScope(key.scopes, scope)) {
      challenge(reply, "insufficient_scope", scope);
      throw new TextkitError("AUTH_FORBIDDEN", `this route needs a key with the '${scope}' scope`);
    }
  };

  private async verify(token: string): Promise<RequestKey | null> {
    // Keyed by a digest so that the cache holds no token a heap dump could give away.
    const id = createHash("sha256").update(token).digest("base64");
    const now = Date.now();
    const hit = this.verified.get(id);
    if (hit !== undefined && now - hit.atMs <= VERIFY_TTL_MS) return hit.key;
    const key = await this.keys!.verify(token);
    this.verified.delete(id);
    if (this.verified.size >= VERIFY_CACHE_SIZE) {
      const oldest = this.verified.keys().next().value;
      if (oldest !== undefined) this.verified.delete(oldest);
    }
    this.verified.set(id, { key, atMs: now });
    return key;
  }

  private allowWithoutKey(request: FastifyRequest, reply: FastifyReply, scope: RouteScope): void {
    // Without keys anyone who reaches the port may predict, but only this machine may administer.
    if (scope === "admin" && !isLoopback(request.socket.remoteAddress)) {
      challenge(reply);
      throw new TextkitError(
        "AUTH_REQUIRED",
        "admin routes need an API key with the 'admin' scope when called from another machine",
      );
    }
  }
}
