import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { scratchFiles } from "../../../test/support/data-files.ts";
import { isTextkitError } from "../../core/index.ts";
import { evaluateCounts } from "./alerts.ts";
import { resolveMonitorConfig } from "./config.ts";
import { demoHistory, demoLive, demoLiveIntervalMs, readDemoPool } from "./demo-stream.ts";
import type { MonitorDocumentInput } from "./document.ts";
import type { CountRow } from "./store.ts";

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

  it("feeds live documents at the history's rate, so the volume rule sees no spike", async () => {
    const pool = await readDemoPool(POOL);
    const now = Date.parse("2026-12-01T12:00:00Z");
    const history = demoHistory(pool, now);
    const incidentTexts = new Set(pool.incident.map((d) => d.text));
    const everyday = history.filter((d) => !incidentTexts.has(d.text));
    const perHour = everyday.length / 48;
    const interval = demoLiveIntervalMs(pool);
    assert.ok(
      Math.abs(3_600_000 / interval - perHour) < 1,
      `${3_600_000 / interval} against ${perHour} an hour`,
    );

    // The topics the stream was written with, to count as the monitor would.
    const topicOf = new Map<string, string>();
    for (const line of readFileSync(POOL, "utf8").split("\n")) {
      if (line.trim() === "") continue;
      const v = JSON.parse(line) as { text: string; topic: string };
      topicOf.set(v.text, v.topic);
    }
    const rows: CountRow[] = [];
    const count = (d: MonitorDocumentInput) =>
      rows.push({
        bucket: Math.floor(d.publishedAt! / 60_000) * 60_000,
        topic: topicOf.get(d.text)!,
        sentiment: "neutral",
        n: 1,
      });
    for (const d of history) count(d);
    // The demo's volume rule, over three hours of the live feed, checked every five minutes.
    const [rule] = resolveMonitorConfig({
      rules: [{ id: "volume-spike", kind: "volume_spike", window: "1h", baseline: 47, z: 4, minDocs: 30 }],
    }).rules;
    const live = demoLive(pool, "run1");
    const fired: string[] = [];
    for (let t = now; t < now + 3 * 3_600_000; t += interval) {
      count(live(t));
      if (Math.floor((t + interval) / 300_000) > Math.floor(t / 300_000)) {
        for (const f of evaluateCounts(rule!, rows, t)) if (f.key !== "banking") fired.push(f.draft.message);
      }
    }
    assert.deepEqual(fired, []);
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
