/**
 * Bearer API keys with scopes. Each route names the scope it needs in its config
 * (`config: { scope: "predict" }`); routes without one are public (health, metrics, docs).
 */
import { createHash } from "node:crypto";
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from "fastify";
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

/** Without keys anyone who reaches the port may predict, but only this machine may administer. */
function passesWithoutKey(scope: RouteScope, remoteAddress: string | undefined): boolean {
  return scope !== "admin" || isLoopback(remoteAddress);
}

/** A token's digest: the verified cache holds no token a heap dump could give away. */
function tokenId(token: string): string {
  return createHash("sha256").update(token).digest("base64");
}

/** What a hook passes to fastify's `done`: an Error, whatever was thrown. */
function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

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
    const enabled = this.enabledNow();
    if (enabled !== null) return enabled;
    return this.keys === null ? false : await this.recount(this.keys);
  }

  /** Whether requests must carry a key, or null when "auto" must count the keys again. */
  private enabledNow(): boolean | null {
    if (this.mode !== "auto") return this.mode === "on";
    const counted = this.counted;
    if (counted === null || Date.now() - counted.atMs > COUNT_TTL_MS) return null;
    return counted.value > 0;
  }

  private async recount(keys: KeyVerifier): Promise<boolean> {
    const atMs = Date.now();
    const value = await keys.activeCount();
    this.counted = { value, atMs };
    return value > 0;
  }

  /**
   * An onRequest hook: sets `request.apiKey`, or fails with AUTH_REQUIRED / AUTH_FORBIDDEN.
   * Callback-style and synchronous whenever nothing has to be looked up (auth off, a public
   * route, a token verified within VERIFY_TTL_MS): an async hook would cost every request
   * a promise and a microtask turn (issue 17, item 3).
   */
  readonly hook = (request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void => {
    let pending: Promise<void> | undefined;
    try {
      pending = this.check(request, reply);
    } catch (error) {
      done(asError(error));
      return;
    }
    if (pending === undefined) done();
    else
      pending.then(
        () => done(),
        (error: unknown) => done(asError(error)),
      );
  };

  /** Throws when the request may not pass; a promise only when the store must be asked. */
  private check(request: FastifyRequest, reply: FastifyReply): Promise<void> | undefined {
    const scope = request.routeOptions.config.scope;
    if (scope === undefined) return undefined;
    const keys = this.keys;
    if (this.mode === "off" || keys === null) {
      this.allowWithoutKey(request, reply, scope);
      return undefined;
    }
    const header = request.headers.authorization;
    if (header === undefined) {
      const enabled = this.enabledNow();
      if (enabled !== null) return this.withoutKey(enabled, request, reply, scope);
      return this.recount(keys).then((value) => this.withoutKey(value, request, reply, scope));
    }
    const match = BEARER.exec(header);
    const token = match?.[1];
    if (token === undefined) {
      challenge(reply, "invalid_token");
      throw new TextkitError("AUTH_REQUIRED", "the Authorization header must be 'Bearer <token>'");
    }
    const id = tokenId(token);
    const hit = this.cached(id);
    if (hit !== undefined) {
      this.admit(hit.key, request, reply, scope);
      return undefined;
    }
    return this.verify(keys, id, token).then((key) => this.admit(key, request, reply, scope));
  }

  /** The store's answer for a token's digest, while it is fresh. */
  private cached(id: string): { key: RequestKey | null } | undefined {
    const hit = this.verified.get(id);
    return hit !== undefined && Date.now() - hit.atMs <= VERIFY_TTL_MS ? hit : undefined;
  }

  /**
   * For the predict fast path (fast-predict.ts): the key a request with this Authorization
   * header is admitted with to a `scope` route (null: admitted without a key), when that is
   * known now and the request passes; undefined when the store must be asked or the request
   * would be refused, which the fastify path (the {@link hook}) then answers.
   */
  admitNow(
    authorization: string | undefined,
    remoteAddress: string | undefined,
    scope: RouteScope,
  ): RequestKey | null | undefined {
    if (this.mode === "off" || this.keys === null) {
      return passesWithoutKey(scope, remoteAddress) ? null : undefined;
    }
    if (authorization === undefined) {
      const enabled = this.enabledNow();
      if (enabled !== false) return undefined;
      return passesWithoutKey(scope, remoteAddress) ? null : undefined;
    }
    const token = BEARER.exec(authorization)?.[1];
    if (token === undefined) return undefined;
    const key = this.cached(tokenId(token))?.key;
    return key !== undefined && key !== null && grantsScope(key.scopes, scope) ? key : undefined;
  }

  /** A request without an Authorization header: refused when keys are required. */
  private withoutKey(
    enabled: boolean,
    request: FastifyRequest,
    reply: FastifyReply,
    scope: RouteScope,
  ): undefined {
    if (enabled) {
      challenge(reply);
      throw new TextkitError("AUTH_REQUIRED", "this route needs an API key");
    }
    this.allowWithoutKey(request, reply, scope);
    return undefined;
  }

  /** A request with a token: `key` is what the token belongs to (null: none active). */
  private admit(
    key: RequestKey | null,
    request: FastifyRequest,
    reply: FastifyReply,
    scope: RouteScope,
  ): void {
    if (key === null) {
      challenge(reply, "invalid_token");
      throw new TextkitError("AUTH_REQUIRED", "the API key is not valid or has been revoked");
    }
    request.apiKey = key;
    if (!grantsScope(key.scopes, scope)) {
      challenge(reply, "insufficient_scope", scope);
      throw new TextkitError("AUTH_FORBIDDEN", `this route needs a key with the '${scope}' scope`);
    }
  }

  /** Asks the store about a token (`id` is its digest) and caches the answer. */
  private async verify(keys: KeyVerifier, id: string, token: string): Promise<RequestKey | null> {
    const now = Date.now();
    const key = await keys.verify(token);
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
    if (!passesWithoutKey(scope, request.socket.remoteAddress)) {
      challenge(reply);
      throw new TextkitError(
        "AUTH_REQUIRED",
        "admin routes need an API key with the 'admin' scope when called from another machine",
      );
    }
  }
}
