/**
 * The API key store against both adapters: SQLite and a real PostgreSQL server.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { storeTargets } from "../../test/support/postgres.ts";
import { isTextkitError, type TextkitError } from "../core/index.ts";
import { API_KEY_SCOPES, ApiKeyStore, hasScope, parseScopes } from "./api-keys.ts";
import { type Database, openDatabase } from "./database.ts";

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<TextkitError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(isTextkitError(error), `expected a TextkitError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    return error;
  }
  assert.fail(`expected ${code}, but it resolved`);
}

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

for (const target of storeTargets()) {
  describe(`ApiKeyStore (${target.dialect})`, { skip: target.skip }, () => {
    before(() => target.setup());
    after(() => target.teardown());

    /** A store on a fresh database; the test closes `db`. */
    async function fresh(now?: () => Date): Promise<{ db: Database; keys: ApiKeyStore }> {
      const db = await openDatabase(await target.freshLocation());
      return { db, keys: await ApiKeyStore.open(db, now === undefined ? {} : { now }) };
    }

    it("creates a key whose token verifies, and lists it", async () => {
      const { db, keys } = await fresh();
      try {
        const { key, token } = await keys.create("app", ["predict"]);
        assert.match(token, /^tk_[A-Za-z0-9_-]{43}$/);
        assert.equal(Buffer.from(token.slice(3), "base64url").length, 32);
        assert.match(key.id, /^[0-9a-f]{16}$/);
        assert.equal(key.name, "app");
        assert.deepEqual(key.scopes, ["predict"]);
        assert.match(key.createdAt, ISO);
        assert.equal(key.revokedAt, null);
        assert.equal(key.lastUsedAt, null);
        assert.ok(token.startsWith(key.prefix) && key.prefix.length < 12, key.prefix);

        const verified = await keys.verify(token);
        assert.ok(verified !== null);
        assert.equal(verified.id, key.id);
        assert.deepEqual(verified.scopes, ["predict"]);
        assert.match(verified.lastUsedAt ?? "", ISO);

        const listed = await keys.list();
        assert.equal(listed.length, 1);
        assert.deepEqual({ ...listed[0], lastUsedAt: null }, key);
        assert.equal(listed[0]!.lastUsedAt, verified.lastUsedAt);
        assert.equal(await keys.activeCount(), 1);
      } finally {
        await db.close();
      }
    });

    it("gives every key its own id and token", async () => {
      const { db, keys } = await fresh();
      try {
        const made = await Promise.all([1, 2, 3, 4, 5].map((i) => keys.create(`k${i}`, ["predict"])));
        assert.equal(new Set(made.map((m) => m.key.id)).size, 5);
        assert.equal(new Set(made.map((m) => m.token)).size, 5);
        for (const m of made) assert.equal((await keys.verify(m.token))?.id, m.key.id);
        assert.equal(await keys.activeCount(), 5);
      } finally {
        await db.close();
      }
    });

    it("turns away unknown, malformed and revoked tokens", async () => {
      const { db, keys } = await fresh();
      try {
        const { key, token } = await keys.create("app", ["predict"]);
        const other = `tk_${Buffer.alloc(32, 7).toString("base64url")}`;
        for (const bad of [
          "",
          "tk_",
          other,
          `${token}x`,
          token.slice(0, -1),
          token.toUpperCase(),
          ` ${token}`,
        ]) {
          assert.equal(await keys.verify(bad), null, bad);
        }
        const revoked = await keys.revoke(key.id);
        assert.equal(revoked.id, key.id);
        assert.match(revoked.revokedAt ?? "", ISO);
        assert.equal(await keys.verify(token), null);
        assert.equal(await keys.activeCount(), 0);
        // Revoking again keeps the first time.
        assert.equal((await keys.revoke(key.id)).revokedAt, revoked.revokedAt);
        const [listed] = await keys.list();
        assert.equal(listed!.revokedAt, revoked.revokedAt);
      } finally {
        await db.close();
      }
    });

    it("stores only a hash of the token", async () => {
      const { db, keys } = await fresh();
      try {
        const { token } = await keys.create("app", ["admin"]);
        const rows = await db.query<Record<string, unknown>>("SELECT * FROM api_keys");
        assert.equal(rows.length, 1);
        const raw = JSON.stringify(rows);
        assert.ok(!raw.includes(token), raw);
        assert.ok(!raw.includes(token.slice(3)), raw);
        assert.ok(!raw.includes(token.slice(12)), "no long part of the secret either");
        assert.match(String(rows[0]!["token_hash"]), /^[0-9a-f]{64}$/);
      } finally {
        await db.close();
      }
    });

    it("gives admin keys predict too, and orders and deduplicates scopes", async () => {
      const { db, keys } = await fresh();
      try {
        const admin = await keys.create("ops", ["admin"]);
        assert.deepEqual(admin.key.scopes, ["predict", "admin"]);
        assert.deepEqual((await keys.verify(admin.token))?.scopes, ["predict", "admin"]);
        const both = await keys.create("both", ["admin", "predict", "admin"]);
        assert.deepEqual(both.key.scopes, ["predict", "admin"]);
        const plain = await keys.create("plain");
        assert.deepEqual(plain.key.scopes, ["predict"]);
        assert.ok(hasScope(admin.key, "predict") && hasScope(admin.key, "admin"));
        assert.ok(hasScope(plain.key, "predict") && !hasScope(plain.key, "admin"));
      } finally {
        await db.close();
      }
    });

    it("refuses an unknown scope, no scope, and a bad name with OPTION_INVALID", async () => {
      const { db, keys } = await fresh();
      try {
        const scope = await rejectsWith(keys.create("app", ["predict", "root"]), "OPTION_INVALID");
        assert.match(scope.message, /unknown scope 'root'; the scopes are predict, monitor, radar, admin/);
        await rejectsWith(keys.create("app", []), "OPTION_INVALID");
        await rejectsWith(keys.create("", ["predict"]), "OPTION_INVALID");
        await rejectsWith(keys.create("   ", ["predict"]), "OPTION_INVALID");
        await rejectsWith(keys.create("x".repeat(101), ["predict"]), "OPTION_INVALID");
        await rejectsWith(keys.create("line\nbreak", ["predict"]), "OPTION_INVALID");
        assert.equal((await keys.create("名".repeat(100), ["predict"])).key.name.length, 100);
        assert.equal((await keys.create("  padded  ", ["predict"])).key.name, "padded");
        assert.equal((await keys.list()).length, 2);
      } finally {
        await db.close();
      }
    });

    it("refuses to revoke an unknown id with KEY_NOT_FOUND", async () => {
      const { db, keys } = await fresh();
      try {
        const error = await rejectsWith(keys.revoke("0123456789abcdef"), "KEY_NOT_FOUND");
        assert.equal(error.status, 404);
      } finally {
        await db.close();
      }
    });

    it("lists keys oldest first with their state", async () => {
      let clock = Date.parse("2026-01-01T00:00:00.000Z");
      const { db, keys } = await fresh(() => new Date(clock));
      try {
        const a = await keys.create("a", ["predict"]);
        clock += 1000;
        const b = await keys.create("b", ["admin"]);
        clock += 1000;
        await keys.revoke(a.key.id);
        const listed = await keys.list();
        assert.deepEqual(
          listed.map((k) => [k.name, k.createdAt, k.revokedAt]),
          [
            ["a", "2026-01-01T00:00:00.000Z", "2026-01-01T00:00:02.000Z"],
            ["b", "2026-01-01T00:00:01.000Z", null],
          ],
        );
        assert.equal(listed[1]!.id, b.key.id);
        assert.equal(await keys.activeCount(), 1);
      } finally {
        await db.close();
      }
    });

    it("records when a key was last used, at most once a minute", async () => {
      let clock = Date.parse("2026-01-01T00:00:00.000Z");
      const { db, keys } = await fresh(() => new Date(clock));
      try {
        const { token } = await keys.create("a", ["predict"]);
        const used = async (): Promise<string | null | undefined> => (await keys.list())[0]?.lastUsedAt;
        await keys.verify(token);
        assert.equal(await used(), "2026-01-01T00:00:00.000Z");
        clock += 30_000;
        await keys.verify(token);
        assert.equal(await used(), "2026-01-01T00:00:00.000Z");
        clock += 30_000;
        assert.equal((await keys.verify(token))?.lastUsedAt, "2026-01-01T00:01:00.000Z");
        assert.equal(await used(), "2026-01-01T00:01:00.000Z");
      } finally {
        await db.close();
      }
    });

    it("keeps keys across reopening, and several handles migrate and use one database", async () => {
      const location = await target.freshLocation();
      const handles = await Promise.all([1, 2, 3].map(() => openDatabase(location)));
      try {
        const stores = await Promise.all(handles.map((db) => ApiKeyStore.open(db)));
        const made = await Promise.all(stores.map((s, i) => s.create(`k${i}`, ["predict"])));
        for (const store of stores) {
          assert.equal(await store.activeCount(), 3);
          for (const m of made) assert.equal((await store.verify(m.token))?.id, m.key.id);
        }
      } finally {
        await Promise.all(handles.map((db) => db.close()));
      }
      const db = await openDatabase(location);
      try {
        const keys = await ApiKeyStore.open(db);
        assert.equal((await keys.list()).length, 3);
        const versions = await db.query("SELECT version FROM schema_migrations WHERE name = ?", ["api_keys"]);
        assert.deepEqual(versions, [{ version: 1 }]);
      } finally {
        await db.close();
      }
    });
  });
}

describe("parseScopes", () => {
  it("accepts the known scopes and refuses others", () => {
    assert.deepEqual(parseScopes(["predict"]), ["predict"]);
    assert.deepEqual(parseScopes([" admin "]), ["predict", "admin"]);
    assert.deepEqual([...API_KEY_SCOPES], ["predict", "monitor", "radar", "admin"]);
    assert.throws(
      () => parseScopes(["Predict"]),
      (e) => isTextkitError(e) && e.code === "OPTION_INVALID",
    );
    assert.throws(
      () => parseScopes([]),
      (e) => isTextkitError(e) && e.code === "OPTION_INVALID",
    );
  });
});
