/**
 * The on-disk embedding cache: sentence vectors keyed by the encoder's checksum (the
 * folder) and the SHA-256 of the text (each record), so that training a second head on
 * the same texts does not encode them again.
 *
 * Each `add` writes one new segment file atomically (temporary name, fsync, rename), so a
 * crash leaves the old segments or the old ones plus a whole new one, never half a record,
 * and two processes filling the same cache never write the same file. Past
 * `MAX_SEGMENTS` the segments are merged into one (written the same way) and the merged
 * ones removed. A segment that does not parse (copied in part, from another version) is
 * skipped: a cache miss costs time, never a wrong vector.
 */
import { createHash } from "node:crypto";
import { mkdir, readdir, readFile, unlink } from "node:fs/promises";
import { join } from "node:path";
import { writeFileAtomic } from "../../core/index.ts";

const MAGIC = 0x54_4b_45_43; // "TKEC"
const VERSION = 1;
const HEADER_BYTES = 16;
const KEY_BYTES = 32;
/** After the key: 4 bytes of flags (bit 0: the text was truncated), then the vector. */
const FLAG_BYTES = 4;
const MAX_SEGMENTS = 32;
const SEGMENT = /^seg-[0-9a-z-]+\.bin$/;

function keyOf(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

let serial = 0;

/** One cached text: its vector and whether the text had been cut to the maximum. */
export interface CachedVector {
  vector: Float32Array;
  truncated: boolean;
}

/** A vector to keep, with the text it belongs to. */
export interface CacheEntry extends CachedVector {
  text: string;
}

export class EmbeddingCache {
  readonly dir: string;
  readonly dim: number;
  readonly #vectors = new Map<string, CachedVector>();
  #segments: string[] = [];

  private constructor(dir: string, dim: number) {
    this.dir = dir;
    this.dim = dim;
  }

  /** Opens (creating it if needed) the cache of the encoder with this checksum under `root`. */
  static async open(root: string, checksum: string, dim: number): Promise<EmbeddingCache> {
    const cache = new EmbeddingCache(join(root, checksum.slice(0, 32)), dim);
    await mkdir(cache.dir, { recursive: true });
    for (const name of (await readdir(cache.dir)).filter((n) => SEGMENT.test(n)).sort()) {
      if (cache.#load(await readFile(join(cache.dir, name)))) cache.#segments.push(name);
    }
    return cache;
  }

  get size(): number {
    return this.#vectors.size;
  }

  get(text: string): CachedVector | undefined {
    return this.#vectors.get(keyOf(text));
  }

  /** Keeps these vectors, in memory and in one new segment. */
  async add(entries: readonly CacheEntry[]): Promise<void> {
    const fresh = new Map<string, CachedVector>();
    for (const { text, vector, truncated } of entries) {
      const key = keyOf(text);
      if (!this.#vectors.has(key)) fresh.set(key, { vector, truncated });
    }
    if (fresh.size === 0) return;
    for (const [key, entry] of fresh) this.#vectors.set(key, entry);
    const name = await this.#write(fresh);
    this.#segments.push(name);
    if (this.#segments.length > MAX_SEGMENTS) await this.#compact();
  }

  #load(bytes: Buffer): boolean {
    if (bytes.length < HEADER_BYTES) return false;
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
    const count = view.getUint32(12, true);
    const record = KEY_BYTES + FLAG_BYTES + this.dim * 4;
    const ok =
      view.getUint32(0, true) === MAGIC &&
      view.getUint32(4, true) === VERSION &&
      view.getUint32(8, true) === this.dim &&
      bytes.length === HEADER_BYTES + count * record;
    if (!ok) return false;
    for (let i = 0; i < count; i++) {
      const at = HEADER_BYTES + i * record;
      const key = bytes.subarray(at, at + KEY_BYTES).toString("hex");
      const truncated = (view.getUint32(at + KEY_BYTES, true) & 1) === 1;
      const vector = new Float32Array(this.dim);
      const from = at + KEY_BYTES + FLAG_BYTES;
      for (let d = 0; d < this.dim; d++) vector[d] = view.getFloat32(from + d * 4, true);
      this.#vectors.set(key, { vector, truncated });
    }
    return true;
  }

  async #write(vectors: ReadonlyMap<string, CachedVector>): Promise<string> {
    const record = KEY_BYTES + FLAG_BYTES + this.dim * 4;
    const bytes = Buffer.alloc(HEADER_BYTES + vectors.size * record);
    bytes.writeUInt32LE(MAGIC, 0);
    bytes.writeUInt32LE(VERSION, 4);
    bytes.writeUInt32LE(this.dim, 8);
    bytes.writeUInt32LE(vectors.size, 12);
    let at = HEADER_BYTES;
    for (const [key, { vector, truncated }] of vectors) {
      bytes.write(key, at, "hex");
      bytes.writeUInt32LE(truncated ? 1 : 0, at + KEY_BYTES);
      const from = at + KEY_BYTES + FLAG_BYTES;
      for (let d = 0; d < this.dim; d++) bytes.writeFloatLE(vector[d] as number, from + d * 4);
      at += record;
    }
    serial += 1;
    const name = `seg-${Date.now().toString(36)}-${process.pid.toString(36)}-${serial.toString(36)}.bin`;
    await writeFileAtomic(join(this.dir, name), bytes);
    return name;
  }

  async #compact(): Promise<void> {
    const merged = await this.#write(this.#vectors);
    const old = this.#segments;
    this.#segments = [merged];
    // Another process may have merged (and removed) the same segments already.
    await Promise.all(old.map((name) => unlink(join(this.dir, name)).catch(() => undefined)));
  }
}
