/**
 * `textkit keys create|list|revoke`, run in-process through `main` with captured output.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { CliIo } from "../src/cli/io.ts";
import { keysDatabaseLocation } from "../src/cli/keys.ts";
import { ApiKeyStore } from "../src/store/api-keys.ts";
import { openDatabase } from "../src/store/database.ts";
import { type CliResult as Result, runCli } from "./support/cli-run.ts";

let dir: string;

function run(args: string[], env: CliIo["env"] = {}): Promise<Result> {
  return runCli(args, { env });
}

const TOKEN = /^tk_[A-Za-z0-9_-]{43}$/;

before(() => {
  dir = mkdtempSync(join(tmpdir(), "textkit-cli-keys-"));
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe("textkit keys", () => {
  it("creates a key, prints its token once, and the key verifies", async () => {
    const dataDir = join(dir, "create");
    const created = await run([
      "keys",
      "create",
      "--name",
      "app",
      "--scope",
      "predict",
      "--data-dir",
      dataDir,
    ]);
    assert.equal(created.code, 0, created.stderr);
    const token = created.stdout.trim();
    assert.match(token, TOKEN, "standard output holds the token alone, for $(textkit keys create ...)");
    assert.match(created.stderr, /created key [0-9a-f]{16} 'app' \(scopes: predict\)/);
    assert.match(created.stderr, /warning: the token is not shown again/);
    assert.ok(existsSync(join(dataDir, "textkit.db")));

    const db = await openDatabase(join(dataDir, "textkit.db"));
    try {
      const key = await (await ApiKeyStore.open(db)).verify(token);
      assert.equal(key?.name, "app");
    } finally {
      await db.close();
    }

    const listed = await run(["keys", "list", "--data-dir", dataDir]);
    assert.equal(listed.code, 0, listed.stderr);
    assert.ok(!listed.stdout.includes(token), "list never shows a token");
    assert.match(listed.stdout, /^ID\s+NAME\s+PREFIX\s+SCOPES\s+CREATED\s+LAST USED\s+STATUS\n/);
    assert.match(listed.stdout, /app\s+tk_\S+…\s+predict\s+\S+\s+\S+\s+active\n/);
  });

  it("lists revoked keys as revoked, with --json too", async () => {
    const dataDir = join(dir, "revoke");
    const json = async (args: string[]): Promise<unknown> => {
      const result = await run([...args, "--data-dir", dataDir, "--json"]);
      assert.equal(result.code, 0, result.stderr);
      return JSON.parse(result.stdout);
    };
    const admin = (await json(["keys", "create", "--name", "ops", "--scope", "admin"])) as {
      key: { id: string; scopes: string[] };
      token: string;
    };
    assert.match(admin.token, TOKEN);
    assert.deepEqual(admin.key.scopes, ["predict", "admin"]);
    const app = (await json(["keys", "create", "--name", "app", "--scope", "predict,admin"])) as {
      key: { id: string };
    };

    const revoked = await run(["keys", "revoke", app.key.id, "--data-dir", dataDir]);
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.match(revoked.stdout, new RegExp(`^revoked key ${app.key.id} 'app' at \\S+Z\\n$`));

    const listed = await run(["keys", "list", "--data-dir", dataDir]);
    const lines = listed.stdout.trim().split("\n");
    assert.equal(lines.length, 3);
    assert.match(lines.find((l) => l.startsWith(admin.key.id)) ?? "", /\sactive$/);
    assert.match(lines.find((l) => l.startsWith(app.key.id)) ?? "", /\srevoked \S+Z$/);

    const all = (await json(["keys", "list"])) as { id: string; revokedAt: string | null; token?: string }[];
    assert.deepEqual(
      all.map((k) => [k.id, k.revokedAt === null]).sort(),
      [
        [admin.key.id, true],
        [app.key.id, false],
      ].sort(),
    );
    assert.ok(all.every((k) => k.token === undefined));
  });

  it("exits 1 with the coded error for a bad scope, a bad name and an unknown id", async () => {
    const dataDir = join(dir, "errors");
    const scope = await run([
      "keys",
      "create",
      "--name",
      "app",
      "--scope",
      "predict,root",
      "--data-dir",
      dataDir,
    ]);
    assert.equal(scope.code, 1);
    assert.match(
      scope.stderr,
      /unknown scope 'root'; the scopes are predict, monitor, radar, admin \[OPTION_INVALID\]/,
    );
    assert.equal(scope.stdout, "");
    assert.ok(!existsSync(dataDir), "a refused option opens no database");

    const name = await run(["keys", "create", "--name", " ", "--data-dir", dataDir]);
    assert.equal(name.code, 1);
    assert.match(name.stderr, /\[OPTION_INVALID\]/);

    const unknown = await run(["keys", "revoke", "0123456789abcdef", "--data-dir", dataDir]);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /no API key has the id '0123456789abcdef' \[KEY_NOT_FOUND\]/);

    const missing = await run(["keys", "create", "--data-dir", dataDir]);
    assert.equal(missing.code, 2, "a missing --name is a usage error");
  });

  it("finds the database in --database, $TEXTKIT_DATA_DIR or ~/.textkit", async () => {
    const envDir = join(dir, "from-env");
    const created = await run(["keys", "create", "--name", "env"], { TEXTKIT_DATA_DIR: envDir });
    assert.equal(created.code, 0, created.stderr);
    assert.ok(existsSync(join(envDir, "textkit.db")));

    const file = join(dir, "explicit", "keys.db");
    const explicit = await run(["keys", "create", "--name", "x", "--database", file], {
      TEXTKIT_DATA_DIR: envDir,
    });
    assert.equal(explicit.code, 0, explicit.stderr);
    assert.ok(existsSync(file));
    const listed = await run(["keys", "list", "--database", file, "--json"]);
    assert.deepEqual(
      (JSON.parse(listed.stdout) as { name: string }[]).map((k) => k.name),
      ["x"],
    );

    assert.equal(
      keysDatabaseLocation({}, { HOME: "/home/someone" }),
      join("/home/someone", ".textkit", "textkit.db"),
    );
    assert.equal(
      keysDatabaseLocation({ dataDir: "/d" }, { TEXTKIT_DATA_DIR: "/e" }),
      join("/d", "textkit.db"),
    );
  });

  it("says where it failed when the database cannot be opened", async () => {
    const result = await run(["keys", "list", "--database", "postgres://u:pw@127.0.0.1:1/none"]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /\[STORE_UNAVAILABLE\]/);
    assert.ok(!result.stderr.includes(":pw@"), result.stderr);
  });

  it("lists nothing, with a hint, on a new database", async () => {
    const result = await run(["keys", "list", "--data-dir", join(dir, "empty")]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, "");
    assert.match(result.stderr, /no API keys yet/);
  });
});
