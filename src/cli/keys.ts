/**
 * `textkit keys create|list|revoke`: the server's API keys, in the same database the server
 * reads (`--database`, else `<data-dir>/textkit.db`).
 */
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { type Command, Option } from "commander";
import { TextkitError } from "../core/index.ts";
import {
  type ApiKey,
  type ApiKeyScope,
  ApiKeyStore,
  isPostgresUrl,
  openDatabase,
  parseScopes,
} from "../store/index.ts";
import { type CliIo, writeAll } from "./io.ts";

interface StoreFlags {
  database?: string;
  dataDir?: string;
  json?: boolean;
}

interface CreateFlags extends StoreFlags {
  name: string;
  scope: ApiKeyScope[];
}

/**
 * Where the keys live: --database, else `textkit.db` in --data-dir, $TEXTKIT_DATA_DIR or
 * ~/.textkit (the server's default too).
 *
 * @example
 * keysDatabaseLocation({ dataDir: "/srv/textkit" }, {}); // "/srv/textkit/textkit.db"
 */
export function keysDatabaseLocation(flags: StoreFlags, env: CliIo["env"]): string {
  if (flags.database !== undefined) return flags.database;
  const dataDir =
    flags.dataDir ??
    nonEmpty(env["TEXTKIT_DATA_DIR"]) ??
    join(nonEmpty(env["HOME"]) ?? homedir(), ".textkit");
  return join(dataDir, "textkit.db");
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === "" ? undefined : value;
}

/**
 * True when the keys' SQLite file does not exist yet, so there are no keys: `keys list`
 * and `keys revoke` say so without creating the file or its directory (~/.textkit).
 */
function noKeyDatabase(location: string): boolean {
  return !isPostgresUrl(location) && location !== ":memory:" && !existsSync(location);
}

async function withKeys<T>(flags: StoreFlags, io: CliIo, fn: (keys: ApiKeyStore) => Promise<T>): Promise<T> {
  const db = await openDatabase(keysDatabaseLocation(flags, io.env));
  try {
    return await fn(await ApiKeyStore.open(db));
  } finally {
    await db.close();
  }
}

function status(key: ApiKey): string {
  return key.revokedAt === null ? "active" : `revoked ${key.revokedAt}`;
}

/** Keys as an aligned table, one line each. */
export function formatKeys(keys: readonly ApiKey[]): string {
  const header = ["ID", "NAME", "PREFIX", "SCOPES", "CREATED", "LAST USED", "STATUS"];
  const rows = keys.map((k) => [
    k.id,
    k.name,
    `${k.prefix}…`,
    k.scopes.join(","),
    k.createdAt,
    k.lastUsedAt ?? "never",
    status(k),
  ]);
  const widths = header.map((h, c) => Math.max([...h].length, ...rows.map((r) => [...r[c]!].length)));
  return [header, ...rows]
    .map((cells) =>
      cells
        .map((cell, c) => (c === cells.length - 1 ? cell : cell + " ".repeat(widths[c]! - [...cell].length)))
        .join("  "),
    )
    .map((line) => `${line}\n`)
    .join("");
}

function scopeList(value: string): ApiKeyScope[] {
  return parseScopes(value.split(",").filter((s) => s.trim() !== ""));
}

function addStoreOptions(command: Command): Command {
  return command
    .option("--database <location>", "a SQLite file or postgres://... URL (default: <data-dir>/textkit.db)")
    .option(
      "--data-dir <dir>",
      "directory of the default database (default: $TEXTKIT_DATA_DIR or ~/.textkit)",
    )
    .option("--json", "print JSON instead of text");
}

/**
 * `textkit keys`: create, list and revoke the server's API keys.
 *
 * @example
 * registerKeys(program, io);
 */
export function registerKeys(program: Command, io: CliIo): Command {
  const keys = program
    .command("keys")
    .description(
      "API keys for 'textkit serve': clients send one as 'Authorization: Bearer <token>'. " +
        "Only a hash of each token is stored, so a token is shown once, when it is created.",
    )
    .summary("create, list and revoke API keys");

  addStoreOptions(
    keys
      .command("create")
      .summary("create a key and print its token (once)")
      .description(
        "Create an API key. The token goes to standard output and is never shown again: " +
          "store it now. Scopes: predict (call models), monitor (read and feed the opinion monitor), radar (read the technology radar, record overrides), " +
          "admin (manage the server; may do everything).",
      )
      .requiredOption("--name <name>", "what the key is for, e.g. the client's name (1 to 100 characters)")
      .addOption(
        new Option(
          "--scope <scopes>",
          "comma-separated scopes: predict (model routes), monitor (monitor routes), radar (radar routes), admin (everything)",
        )
          .argParser(scopeList)
          .default(["predict"], "predict"),
      ),
  ).action(async (flags: CreateFlags) => {
    const { key, token } = await withKeys(flags, io, (store) => store.create(flags.name, flags.scope));
    if (flags.json) {
      await writeAll(io.stdout, `${JSON.stringify({ key, token }, null, 2)}\n`);
    } else {
      io.stderr.write(`created key ${key.id} '${key.name}' (scopes: ${key.scopes.join(", ")})\n`);
      await writeAll(io.stdout, `${token}\n`);
    }
    io.stderr.write(
      "warning: the token is not shown again; store it now (a secret store, not a chat message)\n",
    );
  });

  addStoreOptions(keys.command("list").summary("list the keys, revoked ones included")).action(
    async (flags: StoreFlags) => {
      const all = noKeyDatabase(keysDatabaseLocation(flags, io.env))
        ? []
        : await withKeys(flags, io, (store) => store.list());
      if (flags.json) await writeAll(io.stdout, `${JSON.stringify(all, null, 2)}\n`);
      else if (all.length === 0)
        io.stderr.write("no API keys yet; 'textkit keys create --name NAME' makes one\n");
      else await writeAll(io.stdout, formatKeys(all));
    },
  );

  addStoreOptions(
    keys
      .command("revoke")
      .summary("revoke a key for good")
      .description("Revoke an API key: requests with its token are refused from then on.")
      .argument("<id>", "the key's id, from 'textkit keys list'"),
  ).action(async (id: string, flags: StoreFlags) => {
    const location = keysDatabaseLocation(flags, io.env);
    if (noKeyDatabase(location)) {
      throw new TextkitError("KEY_NOT_FOUND", `no key '${id}': there is no key database at ${location} yet`, {
        details: { id },
      });
    }
    const key = await withKeys(flags, io, (store) => store.revoke(id));
    if (flags.json) await writeAll(io.stdout, `${JSON.stringify(key, null, 2)}\n`);
    else await writeAll(io.stdout, `revoked key ${key.id} '${key.name}' at ${key.revokedAt}\n`);
  });

  return keys;
}
