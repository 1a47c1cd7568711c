/**
 * What the Redis Streams consumer says to Redis, one function a command, and how it reads
 * the replies: raw RESP2 arrays parsed here into entries (the library's stream transforms
 * fail on an entry deleted while pending), and entries into documents.
 */
import { createClient } from "@redis/client";
import { TextkitError } from "../../core/index.ts";
import type { RedisStreamConfig } from "./config.ts";
import { type DocumentLocation, type MonitorDocumentInput, parseDocumentInput } from "./document.ts";
import { describeError } from "./source-errors.ts";

/**
 * Removes the consumers of group ARGV[1] other than ARGV[2] that have nothing pending and
 * have been idle more than ARGV[3] ms; returns their names. XINFO CONSUMERS answers a list
 * of flat name/value lists.
 */
const REMOVE_IDLE_CONSUMERS = `
local removed = {}
for _, info in ipairs(redis.call('XINFO', 'CONSUMERS', KEYS[1], ARGV[1])) do
  local c = {}
  for i = 1, #info, 2 do c[info[i]] = info[i + 1] end
  if c['name'] ~= ARGV[2] and c['pending'] == 0 and c['idle'] > tonumber(ARGV[3]) then
    redis.call('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[1], c['name'])
    removed[#removed + 1] = c['name']
  end
end
return removed`;

/**
 * A client speaking RESP2, whose raw replies (plain arrays of strings) the functions below
 * parse themselves.
 */
export function makeClient(url: string, connectTimeoutMs: number) {
  return createClient({
    url,
    RESP: 2,
    socket: {
      connectTimeout: Math.min(connectTimeoutMs, 5000),
      // Always retry (the default gives up on a socket timeout): the loop waits meanwhile.
      reconnectStrategy: (retries) => Math.min(100 * 2 ** Math.min(retries, 10), 5000),
    },
  });
}

export type Client = ReturnType<typeof makeClient>;

/** One stream entry as read: its fields, or null when it was deleted while pending. */
export interface StreamEntry {
  id: string;
  fields: Record<string, string> | null;
}

/** Creates the consumer group (and the stream); false when it existed already. */
export async function ensureGroup(client: Client, config: RedisStreamConfig): Promise<boolean> {
  const { stream, group, startFrom } = config;
  try {
    await client.xGroupCreate(stream, group, startFrom === "beginning" ? "0" : "$", { MKSTREAM: true });
    return true;
  } catch (error) {
    // BUSYGROUP is Redis's own error code: the group exists, which is what we want.
    if (!(error instanceof Error && error.message.startsWith("BUSYGROUP"))) throw error;
    return false;
  }
}

/** XREADGROUP from `id` ("0": this consumer's pending entries; ">": new ones), blocking up to `blockMs` unless null. */
export async function readGroup(
  client: Client,
  config: RedisStreamConfig,
  consumer: string,
  id: string,
  blockMs: number | null,
): Promise<StreamEntry[]> {
  const { stream, group, batchSize } = config;
  const args = ["XREADGROUP", "GROUP", group, consumer, "COUNT", String(batchSize)];
  if (blockMs !== null) args.push("BLOCK", String(blockMs));
  args.push("STREAMS", stream, id);
  const reply: unknown = await client.sendCommand(args);
  if (reply === null) return [];
  if (!Array.isArray(reply)) throw unexpected("XREADGROUP", reply);
  const entries: StreamEntry[] = [];
  for (const streamReply of reply) {
    if (!Array.isArray(streamReply) || !Array.isArray(streamReply[1])) throw unexpected("XREADGROUP", reply);
    for (const raw of streamReply[1]) entries.push(toEntry(raw, "XREADGROUP"));
  }
  return entries;
}

/** XAUTOCLAIM: entries idle longer than claimIdleMs, from `cursor`; with the next cursor. */
export async function autoClaim(
  client: Client,
  config: RedisStreamConfig,
  consumer: string,
  cursor: string,
): Promise<{ next: string; entries: StreamEntry[] }> {
  const { stream, group, batchSize, claimIdleMs } = config;
  const reply: unknown = await client.sendCommand([
    "XAUTOCLAIM",
    stream,
    group,
    consumer,
    String(claimIdleMs),
    cursor,
    "COUNT",
    String(batchSize),
  ]);
  if (!Array.isArray(reply) || typeof reply[0] !== "string" || !Array.isArray(reply[1])) {
    throw unexpected("XAUTOCLAIM", reply);
  }
  // Entries deleted meanwhile come back as null (Redis 6.2) or are listed apart (7.0, and then dropped from the list).
  const entries = reply[1].filter((raw) => raw !== null).map((raw) => toEntry(raw, "XAUTOCLAIM"));
  return { next: reply[0], entries };
}

/** The ids of up to `count` entries `consumer` holds (XPENDING). */
export async function pendingIds(
  client: Client,
  config: RedisStreamConfig,
  consumer: string,
  count: number,
): Promise<string[]> {
  const { stream, group } = config;
  const reply: unknown = await client.sendCommand([
    "XPENDING",
    stream,
    group,
    "-",
    "+",
    String(count),
    consumer,
  ]);
  if (!Array.isArray(reply)) throw unexpected("XPENDING", reply);
  const ids: string[] = [];
  for (const row of reply) if (Array.isArray(row) && typeof row[0] === "string") ids.push(row[0]);
  return ids;
}

/** Resets the idle time of entries `consumer` holds (XCLAIM with no minimum idle). */
export async function touchEntries(
  client: Client,
  config: RedisStreamConfig,
  consumer: string,
  ids: readonly string[],
): Promise<void> {
  if (ids.length === 0) return;
  await client.sendCommand(["XCLAIM", config.stream, config.group, consumer, "0", ...ids, "JUSTID"]);
}

/**
 * Removes the group's consumers other than `consumer` that hold nothing and have been idle
 * longer than removeIdleMs; returns their names. The check and the removal are one script,
 * so that a consumer that reads meanwhile loses no entry.
 */
export async function removeIdleConsumers(
  client: Client,
  config: RedisStreamConfig,
  consumer: string,
): Promise<string[]> {
  const { stream, group, removeIdleMs } = config;
  const reply: unknown = await client.sendCommand([
    "EVAL",
    REMOVE_IDLE_CONSUMERS,
    "1",
    stream,
    group,
    consumer,
    String(Math.round(removeIdleMs)),
  ]);
  if (!Array.isArray(reply)) throw unexpected("EVAL", reply);
  return reply.map(String);
}

/**
 * The document of an entry: a field `doc` with a JSON object, or flat fields (text, title,
 * id, source, url, lang, publishedAt); without a source it gets the stream's name.
 */
export function entryDocument(
  fields: Record<string, string>,
  where: DocumentLocation,
  stream: string,
): MonitorDocumentInput {
  let value: unknown = fields;
  if (fields["doc"] !== undefined) {
    try {
      value = JSON.parse(fields["doc"]);
    } catch (error) {
      throw new TextkitError(
        "INPUT_INVALID",
        `${where.field}/doc is not valid JSON: ${describeError(error)}`,
        {
          column: "doc",
          details: { field: `${where.field}/doc` },
        },
      );
    }
  }
  const doc = parseDocumentInput(value, where);
  if (doc.source === undefined) doc.source = stream;
  return doc;
}

/** The URL without its password, for messages. */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== "") u.password = "***";
    return u.href;
  } catch {
    return "the configured URL";
  }
}

function toEntry(raw: unknown, command: string): StreamEntry {
  if (!Array.isArray(raw) || typeof raw[0] !== "string") throw unexpected(command, raw);
  const list: unknown = raw[1];
  if (list === null || list === undefined) return { id: raw[0], fields: null };
  if (!Array.isArray(list)) throw unexpected(command, raw);
  const fields: Record<string, string> = {};
  for (let i = 0; i + 1 < list.length; i += 2) fields[String(list[i])] = String(list[i + 1]);
  return { id: raw[0], fields };
}

function unexpected(command: string, reply: unknown): Error {
  return new TextkitError(
    "INTERNAL",
    `Redis answered ${command} with an unexpected reply: ${JSON.stringify(reply)}`,
  );
}
