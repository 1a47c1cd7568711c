import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { scratchFiles } from "../../../test/support/data-files.ts";
import { isTextkitError } from "../../core/errors.ts";
import { demoHistory, demoLive, readDemoPool } from "./demo-stream.ts";

const POOL = fileURLToPath(new URL("../../../samples/monitor/stream.jsonl", import.meta.url));
const scratch = scratchFiles("demo-stream");
const HOUR = 3_600_000;

describe("the demo stream", () => {
  it("replays everyday news over two days and the incident in its last 50 minutes", async () => {
    const pool = await readDemoPool(POOL);
    assert.ok(pool.incident.length >= 60 && pool.everyday.length >= 200);
    const now = Date.parse("2026-12-01T12:00:00Z");
    const history = demoHistory(pool, now);
    const ids = new Set(history.map((d) => d.id));
    assert.equal(ids.size, history.length);
    const times = history.map((d) => d.publishedAt!);
    assert.deepEqual(
      times,
      [...times].sort((a, b) => a - b),
    );
    assert.ok(times[0]! >= now - 48 * HOUR && times.at(-1)! < now);
    const incidentTexts = new Set(pool.incident.map((d) => d.text));
    const incident = history.filter((d) => incidentTexts.has(d.text));
    assert.equal(incident.length, pool.incident.length);
    assert.ok(incident.every((d) => d.publishedAt! >= now - 50 * 60_000));
    const lastHour = history.filter((d) => d.publishedAt! >= now - HOUR && !incidentTexts.has(d.text));
    assert.ok(
      lastHour.length > 0 && lastHour.length < 30,
      `${lastHour.length} everyday documents in the last hour`,
    );
    const live = demoLive(pool, "run1");
    const [a, b] = [live(now), live(now + 3000)];
    assert.notEqual(a.id, b.id);
    assert.equal(b.publishedAt, now + 3000);
  });

  it("names the line of a bad document in the pool", async () => {
    const path = scratch.write(".jsonl", '{"text": "fine"}\n{"title": "", "text": ""}\n');
    await assert.rejects(
      readDemoPool(path),
      (e) => isTextkitError(e) && e.code === "INPUT_INVALID" && e.line === 2,
    );
    const json = scratch.write(".jsonl", '{"text": "fine"}\n{oops\n');
    await assert.rejects(
      readDemoPool(json),
      (e) => isTextkitError(e) && e.code === "DATA_BAD_JSON" && e.line === 2,
    );
  });
});
