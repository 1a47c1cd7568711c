/**
 * API keys for the server. A token is shown once, when it is made; the database keeps only
 * its SHA-256 hash (a leaked database gives no working token) and a short prefix that lets a
 * person tell keys apart.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { TextkitError } from "../core/index.ts";
import type { Database } from "./database.ts";

export const API_KEY_SCOPES = ["predict", "monitor", "radar", "admin"] as const;
/**
 * `predict` calls models; `monitor` reads and feeds the monitor; `radar` reads the technology
 * radar and records its overrides; `admin` manages the server and may do everything.
 */
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

export interface ApiKey {
  id: string;
  name: string;
  /** The token's first characters, not enough to use it: shown in lists and logs. */
  prefix: string;
  /** Sorted as API_KEY_SCOPES; `admin` always comes with `predict`. */
  scopes: ApiKeyScope[];
  /** ISO 8601. */
  createdAt: string;
  revokedAt: string | null;
  /** When a request last used the key (recorded at most once a minute); null when never. */
  lastUsedAt: string | null;
}

export interface CreatedApiKey {
  key: ApiKey;
  /** The secret; nothing keeps it, so it cannot be shown again. */
  token: string;
}

export interface ApiKeyStoreOptions {
  /** The clock (tests set it). */
  now?: () => Date;
}

const TOKEN_PREFIX = "tk_";
/** tk_ and 32 random bytes in base64url. */
const TOKEN_PATTERN = /^tk_[A-Za-z0-9_-]{43}$/;
/** Characters of the token kept for display: tk_ and 6 of the 43 random ones. */
const DISPLAY_PREFIX_LENGTH = 9;
export const MAX_KEY_NAME_LENGTH = 100;
/** last_used_at is written at most this often per key, so that requests rarely write. */
const LAST_USED_RESOLUTION_MS = 60_000;

/** The api_keys table's migrations; append, never edit. */
const MIGRATIONS = [
  `CREATE TABLE api_keys (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    prefix TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    scopes TEXT NOT NULL,
    created_at TEXT NOT NULL,
    revoked_at TEXT,
    last_used_at TEXT
  )`,
] as const;

const COLUMNS = "id, name, prefix, token_hash, scopes, created_at, revoked_at, last_used_at";

interface ApiKeyRow {
  id: string;
  name: string;
  prefix: string;
  token_hash: string;
  scopes: string;
  created_at: string;
  revoked_at: string | null;
  last_used_at: string | null;
}

/**
 * Checks scope names and returns them deduplicated, in API_KEY_SCOPES order, with `predict`
 * added to `admin`. Unknown or no scopes throw OPTION_INVALID.
 *
 * @example
 * parseScopes(["admin"]); // ["predict", "admin"]
 */
export function parseScopes(scopes: readonly string[]): ApiKeyScope[] {
  const wanted = new Set<string>();
  for (const scope of scopes) {
    const name = scope.trim();
    if (!API_KEY_SCOPES.some((known) => known === name)) {
      throw new TextkitError(
        "OPTION_INVALID",
        `unknown scope '${scope}'; the scopes are ${API_KEY_SCOPES.join(", ")}`,
        { details: { option: "scope", value: scope } },
      );
    }
    wanted.add(name);
  }
  if (wanted.size === 0) {
    throw new TextkitError("OPTION_INVALID", `give a key at least one scope: ${API_KEY_SCOPES.join(", ")}`, {
      details: { option: "scope" },
    });
  }
  if (wanted.has("admin")) wanted.add("predict");
  return API_KEY_SCOPES.filter((scope) => wanted.has(scope));
}

/**
 * True when `key` may do what `scope` allows (`admin` allows everything).
 *
 * @example
 * hasScope({ scopes: ["predict"] }, "admin"); // false
 */
export function hasScope(key: { scopes: readonly string[] }, scope: ApiKeyScope): boolean {
  return key.scopes.includes(scope) || key.scopes.includes("admin");
}

function checkName(name: string): string {
  const trimmed = name.trim();
  if (trimmed === "" || [...trimmed].length > MAX_KEY_NAME_LENGTH || /\p{Cc}/u.test(trimmed)) {
    throw new TextkitError(
      "OPTION_INVALID",
      `a key's name must be 1 to ${MAX_KEY_NAME_LENGTH} characters, without control characters`,
      { details: { option: "name", value: name } },
    );
  }
  return trimmed;
}

function hashToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

function toApiKey(row: ApiKeyRow): ApiKey {
  const stored = new Set(row.scopes.split(","));
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    scopes: API_KEY_SCOPES.filter((scope) => stored.has(scope)),
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
    lastUsedAt: row.last_used_at,
  };
}

/**
 * The server's API keys, in the application database.
 *
 * @example
 * const keys = await ApiKeyStore.open(await openDatabase("data/textkit.db"));
 * const { key, token } = await keys.create("dashboard", ["predict"]);
 * (await keys.verify(token))?.id === key.id; // true
 * await keys.revoke(key.id);
 */
export class ApiKeyStore {
  private constructor(
    private readonly db: Database,
    private readonly now: () => Date,
  ) {}

  /** Brings the api_keys table up to date and returns the store. The caller closes `db`. */
  static async open(db: Database, options: ApiKeyStoreOptions = {}): Promise<ApiKeyStore> {
    await db.migrate("api_keys", MIGRATIONS);
    return new ApiKeyStore(db, options.now ?? (() => new Date()));
  }

  /**
   * Makes a key. Throws OPTION_INVALID for an empty or too long name, or an unknown scope.
   * The returned token is the only copy.
   */
  async create(name: string, scopes: readonly string[] = ["predict"]): Promise<CreatedApiKey> {
    const key: ApiKey = {
      id: randomBytes(8).toString("hex"),
      name: checkName(name),
      prefix: "",
      scopes: parseScopes(scopes),
      createdAt: this.now().toISOString(),
      revokedAt: null,
      lastUsedAt: null,
    };
    const token = `${TOKEN_PREFIX}${randomBytes(32).toString("base64url")}`;
    key.prefix = token.slice(0, DISPLAY_PREFIX_LENGTH);
    await this.db.run(`INSERT INTO api_keys (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, [
      key.id,
      key.name,
      key.prefix,
      hashToken(token),
      key.scopes.join(","),
      key.createdAt,
      null,
      null,
    ]);
    return { key, token };
  }

  /** Every key, revoked ones included, oldest first. */
  async list(): Promise<ApiKey[]> {
    const rows = await this.db.query<ApiKeyRow>(`SELECT ${COLUMNS} FROM api_keys ORDER BY created_at, id`);
    return rows.map(toApiKey);
  }

  /**
   * Revokes a key for good and returns it; revoking it again changes nothing. An unknown id
   * throws KEY_NOT_FOUND.
   */
  async revoke(id: string): Promise<ApiKey> {
    await this.db.run("UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", [
      this.now().toISOString(),
      id,
    ]);
    const rows = await this.db.query<ApiKeyRow>(`SELECT ${COLUMNS} FROM api_keys WHERE id = ?`, [id]);
    if (rows.length === 0) {
      throw new TextkitError("KEY_NOT_FOUND", `no API key has the id '${id}'`, { details: { id } });
    }
    return toApiKey(rows[0]!);
  }

  /**
   * The key a token belongs to, or null for an unknown or revoked token. Notes when the key
   * was used, at most once a minute.
   */
  async verify(token: string): Promise<ApiKey | null> {
    if (!TOKEN_PATTERN.test(token)) return null;
    const hash = hashToken(token);
    const rows = await this.db.query<ApiKeyRow>(`SELECT ${COLUMNS} FROM api_keys WHERE token_hash = ?`, [
      hash,
    ]);
    const row = rows[0];
    // The lookup found the row by its hash already; comparing again in constant time keeps
    // this safe should the lookup ever become a prefix or case-insensitive match.
    if (row === undefined || !timingSafeEqual(Buffer.from(row.token_hash), Buffer.from(hash))) return null;
    if (row.revoked_at !== null) return null;
    const key = toApiKey(row);
    const now = this.now();
    const last = key.lastUsedAt === null ? Number.NEGATIVE_INFINITY : Date.parse(key.lastUsedAt);
    if (now.getTime() - last >= LAST_USED_RESOLUTION_MS) {
      key.lastUsedAt = now.toISOString();
      try {
        await this.db.run("UPDATE api_keys SET last_used_at = ? WHERE id = ?", [key.lastUsedAt, key.id]);
      } catch (error) {
        // A busy database must not turn a valid key away; the time is only bookkeeping.
        if (!(error instanceof TextkitError && error.code === "STORE_BUSY")) throw error;
      }
    }
    return key;
  }

  /** How many keys are not revoked (the server turns authentication on once there is one). */
  async activeCount(): Promise<number> {
    const rows = await this.db.query<{ n: number }>(
      "SELECT COUNT(*) AS n FROM api_keys WHERE revoked_at IS NULL",
    );
    return Number(rows[0]?.n ?? 0);
  }
}
