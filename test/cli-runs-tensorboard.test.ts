/**
 * `textkit runs export --format tensorboard`: the event files are read back by a second,
 * independent reader (Python, a bit-by-bit CRC-32C and its own protobuf decoding), and the
 * CRC-32C is checked against the standard check value of "123456789".
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { crc32c, tensorboardEvents } from "../src/cli/runs-tensorboard.ts";
import { openDatabase, RunStore } from "../src/store/index.ts";
import { runCli } from "./support/cli-run.ts";

const root = mkdtempSync(join(tmpdir(), "textkit-runs-tb-"));
after(() => rmSync(root, { recursive: true, force: true }));

/** Reads an event file: checks every CRC, decodes each Event's wall_time, step, file_version and scalars. */
const READER = `
import json, struct, sys

def crc32c(data):
    crc = 0xFFFFFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ 0x82F63B78 if crc & 1 else crc >> 1
    return crc ^ 0xFFFFFFFF

def masked(data):
    c = crc32c(data)
    return ((((c >> 15) | (c << 17)) & 0xFFFFFFFF) + 0xA282EAD8) & 0xFFFFFFFF

def varint(buf, i):
    shift = value = 0
    while True:
        b = buf[i]; i += 1
        value |= (b & 0x7F) << shift; shift += 7
        if not b & 0x80:
            return value, i

def fields(buf):
    i = 0
    while i < len(buf):
        key, i = varint(buf, i)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, i = varint(buf, i)
        elif wire == 1:
            value = struct.unpack('<d', buf[i:i + 8])[0]; i += 8
        elif wire == 5:
            value = struct.unpack('<f', buf[i:i + 4])[0]; i += 4
        elif wire == 2:
            n, i = varint(buf, i); value = buf[i:i + n]; i += n
        else:
            raise ValueError('wire type %d' % wire)
        yield number, value

assert crc32c(b'123456789') == 0xE3069283
data = open(sys.argv[1], 'rb').read()
events, i = [], 0
while i < len(data):
    header = data[i:i + 8]
    (length,) = struct.unpack('<Q', header)
    assert struct.unpack('<I', data[i + 8:i + 12])[0] == masked(header), 'length CRC'
    body = data[i + 12:i + 12 + length]
    assert struct.unpack('<I', data[i + 12 + length:i + 16 + length])[0] == masked(body), 'data CRC'
    i += 16 + length
    event = {'scalars': {}}
    for number, value in fields(body):
        if number == 1: event['wall_time'] = value
        elif number == 2: event['step'] = value
        elif number == 3: event['file_version'] = value.decode()
        elif number == 5:
            for n, v in fields(value):
                if n == 1:
                    item = dict(fields(v))
                    event['scalars'][item[1].decode()] = item[2]
    events.append(event)
print(json.dumps(events))
`;

interface ReadEvent {
  wall_time: number;
  step?: number;
  file_version?: string;
  scalars: Record<string, number>;
}

function readEvents(file: string): ReadEvent[] {
  const r = spawnSync("/usr/bin/python3", ["-c", READER, file], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as ReadEvent[];
}

describe("runs export --format tensorboard", () => {
  it("computes the standard CRC-32C check value", () => {
    assert.equal(crc32c(new TextEncoder().encode("123456789")), 0xe3069283);
    assert.equal(crc32c(new Uint8Array(0)), 0);
  });

  it("writes event files that an independent reader decodes, CRCs and all", async () => {
    const db = join(root, "runs.db");
    const handle = await openDatabase(db);
    const ids: string[] = [];
    try {
      const store = await RunStore.open(handle);
      for (const lr of [0.1, 0.5]) {
        const run = await store.start({ family: "classifier", command: "test", params: { lr } });
        for (let epoch = 1; epoch <= 3; epoch++) {
          await run.logMetrics(epoch, { "train.loss": lr / epoch, "dev.accuracy": 0.5 + lr * epoch * 0.1 });
        }
        await run.finish();
        ids.push(run.id);
      }
    } finally {
      await handle.close();
    }
    const out = join(root, "tb");
    const r = await runCli(["runs", "export", "--format", "tensorboard", "--out", out, "--runs-db", db]);
    assert.equal(r.code, 0, r.stderr);
    const folders = readdirSync(out).sort();
    assert.equal(folders.length, 2);
    for (const id of ids) {
      const folder = `classifier-${id.slice(0, 8)}`;
      assert.ok(folders.includes(folder), folders.join(", "));
      const files = readdirSync(join(out, folder));
      assert.equal(files.length, 1);
      assert.match(files[0] ?? "", /^events\.out\.tfevents\.\d+\./);
      const events = readEvents(join(out, folder, files[0] ?? ""));
      assert.equal(events[0]?.file_version, "brain.Event:2");
      assert.deepEqual(
        events.slice(1).map((e) => e.step),
        [1, 2, 3],
      );
      const lr = ids.indexOf(id) === 0 ? 0.1 : 0.5;
      for (const e of events.slice(1)) {
        const step = e.step ?? 0;
        // simple_value is a float32: equal to the double within float precision.
        assert.ok(Math.abs((e.scalars["train.loss"] ?? Number.NaN) - lr / step) < 1e-6, JSON.stringify(e));
        assert.ok(Math.abs((e.scalars["dev.accuracy"] ?? Number.NaN) - (0.5 + lr * step * 0.1)) < 1e-6);
        assert.ok(e.wall_time > 1.7e9, "seconds since 1970");
      }
    }

    const again = await runCli(["runs", "export", "--format", "tensorboard", "--out", out, "--runs-db", db]);
    assert.equal(again.code !== 0, true);
    assert.match(again.stderr, /RUN_EXPORT_EXISTS/);
    assert.equal(readdirSync(out).length, 2, "the existing export left as it was");
    assert.ok(!readdirSync(root).some((f) => f.endsWith(".tmp")), "no temporary folder left behind");
  });

  it("skips steps before the first epoch and values that are not finite", () => {
    const bytes = tensorboardEvents(
      [
        { name: "a", step: -1, value: 1 },
        { name: "a", step: 1, value: Number.NaN },
        { name: "a", step: 2, value: 2 },
      ],
      1_700_000_000,
    );
    const file = join(root, "one.tfevents");
    writeFileSync(file, bytes);
    assert.ok(existsSync(file));
    const events = readEvents(file);
    assert.deepEqual(
      events.map((e) => e.step ?? null),
      [null, 2],
    );
    assert.deepEqual(events[1]?.scalars, { a: 2 });
  });
});
