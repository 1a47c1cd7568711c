/**
 * TensorBoard event files for `textkit runs export --format tensorboard`, written without a
 * TensorFlow library (none is installed, and the format is small).
 *
 * An event file is a sequence of records: the data's length as a little-endian uint64, the
 * masked CRC32C of those 8 bytes, the data, the masked CRC32C of the data. Each record's data
 * is a serialized `Event` protocol buffer; only the fields TensorBoard's scalar dashboard
 * reads are written: `wall_time` (1, double), `step` (2, int64), `file_version` (3, string,
 * "brain.Event:2" in the first event) and `summary` (5), a `Summary` of repeated `Value` (1)
 * with `tag` (1, string) and `simple_value` (2, float). The mask is TensorFlow's:
 * rotate right by 15 bits, add 0xa282ead8.
 */
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { basename, dirname, join, resolve } from "node:path";

/** CRC-32C (Castagnoli, reflected polynomial 0x82f63b78), one table of 256 words. */
const CRC32C_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/**
 * The CRC-32C of `bytes`.
 *
 * @example
 * crc32c(new TextEncoder().encode("123456789")); // 0xe3069283
 */
export function crc32c(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = (CRC32C_TABLE[(crc ^ byte) & 0xff] ?? 0) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/** TensorFlow's masked CRC: a CRC stored beside data that holds CRCs stays checkable. */
export function maskedCrc32c(bytes: Uint8Array): number {
  const crc = crc32c(bytes);
  return (((crc >>> 15) | (crc << 17)) + 0xa282ead8) >>> 0;
}

/** A protocol buffer message under construction: fields appended in order. */
class ProtoWriter {
  private readonly parts: Uint8Array[] = [];

  private varint(value: bigint): void {
    const out: number[] = [];
    let v = BigInt.asUintN(64, value);
    do {
      const low = Number(v & 0x7fn);
      v >>= 7n;
      out.push(v === 0n ? low : low | 0x80);
    } while (v !== 0n);
    this.parts.push(Uint8Array.from(out));
  }

  private key(field: number, wireType: number): void {
    this.varint(BigInt((field << 3) | wireType));
  }

  double(field: number, value: number): this {
    this.key(field, 1);
    const b = Buffer.alloc(8);
    b.writeDoubleLE(value);
    this.parts.push(b);
    return this;
  }

  float(field: number, value: number): this {
    this.key(field, 5);
    const b = Buffer.alloc(4);
    b.writeFloatLE(value);
    this.parts.push(b);
    return this;
  }

  int64(field: number, value: number): this {
    this.key(field, 0);
    this.varint(BigInt(Math.trunc(value)));
    return this;
  }

  bytes(field: number, value: Uint8Array): this {
    this.key(field, 2);
    this.varint(BigInt(value.length));
    this.parts.push(value);
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, Buffer.from(value, "utf8"));
  }

  finish(): Uint8Array {
    return Buffer.concat(this.parts);
  }
}

/** One record of an event file around `data`. */
function record(data: Uint8Array): Buffer {
  const head = Buffer.alloc(12);
  head.writeBigUInt64LE(BigInt(data.length), 0);
  head.writeUInt32LE(maskedCrc32c(head.subarray(0, 8)), 8);
  const tail = Buffer.alloc(4);
  tail.writeUInt32LE(maskedCrc32c(data), 0);
  return Buffer.concat([head, data, tail]);
}

/** A scalar's value at a step, as a run's metric points are. */
export interface ScalarPoint {
  name: string;
  step: number;
  value: number;
}

/**
 * The bytes of an event file holding `points` (one event per step, every scalar of that step
 * in it), each event stamped `wallTime` (seconds since 1970) plus its step, so that
 * TensorBoard's relative-time axis keeps the epochs in order.
 *
 * @example
 * writeFileSync(join(dir, "events.out.tfevents.1700000000.host"), tensorboardEvents(points, 1700000000));
 */
export function tensorboardEvents(points: readonly ScalarPoint[], wallTime: number): Buffer {
  const records = [record(new ProtoWriter().double(1, wallTime).string(3, "brain.Event:2").finish())];
  const bySteps = new Map<number, ScalarPoint[]>();
  for (const p of points) {
    if (!Number.isFinite(p.value) || !Number.isInteger(p.step) || p.step < 0) continue;
    const list = bySteps.get(p.step) ?? [];
    list.push(p);
    bySteps.set(p.step, list);
  }
  for (const step of [...bySteps.keys()].sort((a, b) => a - b)) {
    const summary = new ProtoWriter();
    for (const p of bySteps.get(step) ?? []) {
      summary.bytes(1, new ProtoWriter().string(1, p.name).float(2, p.value).finish());
    }
    const event = new ProtoWriter()
      .double(1, wallTime + step)
      .int64(2, step)
      .bytes(5, summary.finish());
    records.push(record(event.finish()));
  }
  return Buffer.concat(records);
}

/** A run as the TensorBoard export needs it. */
export interface TensorboardRun {
  id: string;
  family: string;
  startedAt: string;
  points: readonly ScalarPoint[];
}

/**
 * Writes a TensorBoard log directory at `dir` (which must not exist): a folder per run,
 * `<family>-<id prefix>`, with one event file. The folders are written into a temporary
 * sibling that is renamed to `dir` at the end, so `dir` never holds half an export.
 *
 * @example
 * await writeTensorboardDir("tb", runs); // then: tensorboard --logdir tb
 */
export async function writeTensorboardDir(dir: string, runs: readonly TensorboardRun[]): Promise<string[]> {
  const temporary = join(dirname(resolve(dir)), `.${basename(dir)}.${process.pid}.tmp`);
  await rm(temporary, { recursive: true, force: true });
  const names: string[] = [];
  try {
    for (const run of runs) {
      const short = `${run.family}-${run.id.slice(0, 8)}`;
      const name = names.includes(short) ? `${run.family}-${run.id}` : short;
      names.push(name);
      const seconds = Date.parse(run.startedAt) / 1000;
      const wallTime = Number.isFinite(seconds) ? seconds : 0;
      await mkdir(join(temporary, name), { recursive: true });
      await writeFile(
        join(temporary, name, `events.out.tfevents.${Math.floor(wallTime)}.${hostname()}`),
        tensorboardEvents(run.points, wallTime),
      );
    }
    await mkdir(temporary, { recursive: true });
    await rename(temporary, dir);
  } catch (error) {
    await rm(temporary, { recursive: true, force: true });
    throw error;
  }
  return names;
}
